//! Functions that take lambdas (timestream-functions.md §8, §9 `regexp_replace(string,
//! pattern, function)`, §12.7), as DataFusion higher-order functions.
//!
//! One mechanism serves them all. The dialect layer turns `x -> body` / `(s, x) -> body` into
//! lambda expressions (dialect/lambdas.rs) and checks where they stand and how many parameters they
//! have against [`lambda_arities`]; DataFusion's planner binds the parameters with the types
//! each function's `lambda_parameters` gives and plans the body, whose column references are
//! captures of the row. At run time a function lays its array arguments flat
//! ([`flatten`]) and evaluates a lambda once over all elements of the batch ([`call`]): the
//! parameters are the flat element arrays, and each captured column is spread to the elements
//! by the row they come from. A time series is a list of `{time, value}` points
//! (functions/timeseries): `filter` and `reduce` treat it as an array of its points, so `x.value`
//! and `x.time` are field accesses on the point.
//!
//! Argument types. DataFusion's planner types every integer literal `bigint`, so a call is
//! checked only once Timestream's typing is done: type_check.rs calls [`check_call`], which
//! raises Trino's "Unexpected parameters" error, a lambda argument printed as `function` or,
//! once its parameters are known, as Trino's function type `function(T,boolean)`. Until then a
//! function binds what it can (`unknown` parameters when its value arguments do not fit,
//! [`untyped`]), and typing/resolve_lambdas.rs binds the lambdas again after retyping their arguments. Value
//! arguments are coerced in `coerce_values_for_lambdas` (an array to a `List`, a string to
//! `varchar`, `reduce`'s initial state to the state type).

use std::sync::Arc;

use datafusion::arrow::array::{
    new_empty_array, new_null_array, Array, ArrayRef, AsArray, BooleanArray, ListArray, UInt32Array,
};
use datafusion::arrow::buffer::OffsetBuffer;
use datafusion::arrow::compute::{cast, take, take_arrays};
use datafusion::arrow::datatypes::{DataType, Field, FieldRef, Fields};
use datafusion::common::utils::remove_list_null_values;
use datafusion::common::{exec_err, plan_err, Result};
use datafusion::logical_expr::{
    ColumnarValue, HigherOrderUDF, LambdaArgument, LambdaParametersProgress, ValueOrLambda,
};

use crate::functions::conversion::args::common_number;
use crate::functions::conversion::sql_type::sql_type_name;
use crate::functions::timeseries;

mod all_match;
mod any_match;
mod filter;
mod matches;
mod none_match;
mod reduce;
mod regexp_replace;
mod transform;
mod zip_with;

/// Every function of the category.
pub fn functions() -> Vec<Arc<HigherOrderUDF>> {
    vec![
        Arc::new(HigherOrderUDF::from(filter::Filter::new())),
        Arc::new(HigherOrderUDF::from(transform::Transform::new())),
        Arc::new(HigherOrderUDF::from(reduce::Reduce::new())),
        Arc::new(HigherOrderUDF::from(any_match::any_match())),
        Arc::new(HigherOrderUDF::from(all_match::all_match())),
        Arc::new(HigherOrderUDF::from(none_match::none_match())),
        Arc::new(HigherOrderUDF::from(zip_with::ZipWith::new())),
        Arc::new(HigherOrderUDF::from(
            regexp_replace::RegexpReplaceLambda::new(),
        )),
    ]
}

/// An argument of a lambda-taking function: a value, or a lambda of that many parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Arg {
    Value,
    Lambda(usize),
}

/// How a function is called in SQL: its SQL name, the name it is registered under (another
/// when the SQL name is also a scalar function's, which the planner would find first) and its
/// arguments.
pub(crate) struct Shape {
    pub sql_name: &'static str,
    pub registered: &'static str,
    pub args: &'static [Arg],
}

const SHAPES: [&Shape; 8] = [
    &filter::SHAPE,
    &transform::SHAPE,
    &reduce::SHAPE,
    &any_match::SHAPE,
    &all_match::SHAPE,
    &none_match::SHAPE,
    &zip_with::SHAPE,
    &regexp_replace::SHAPE,
];

/// For a call of `name` (lower case) with `args` arguments: the number of parameters of the
/// lambda each argument must be (`None` for a value argument), if the function takes lambdas
/// with that many arguments.
pub fn lambda_arities(name: &str, args: usize) -> Option<Vec<Option<usize>>> {
    SHAPES
        .iter()
        .find(|s| s.sql_name == name && s.args.len() == args)
        .map(|s| {
            s.args
                .iter()
                .map(|a| match a {
                    Arg::Value => None,
                    Arg::Lambda(n) => Some(*n),
                })
                .collect()
        })
}

/// Whether a function of that SQL name (lower case) takes lambdas at all.
pub fn takes_lambdas(name: &str) -> bool {
    SHAPES.iter().any(|s| s.sql_name == name)
}

/// The registered name of the lambda form of `name` (lower case) when it differs from the SQL
/// name: `regexp_replace` with a lambda argument.
pub fn routed_name(name: &str) -> Option<&'static str> {
    SHAPES
        .iter()
        .find(|s| s.sql_name == name && s.registered != s.sql_name)
        .map(|s| s.registered)
}

/// Trino's argument check of a call of the function registered as `name` (none for a name
/// that is not one of these), with the types its arguments have once Timestream's typing is
/// done: values' types, lambdas' result types. type_check.rs runs it on every call: while the
/// planner binds a call, the functions accept any argument types (it sees `bigint` for every
/// integer literal, and would report `array(bigint)` for `ARRAY[1]`), see [`untyped`].
pub fn check_call(name: &str, args: &[ValueOrLambda<DataType, DataType>]) -> Result<()> {
    let seen = seen_types(args);
    match name {
        filter::NAME => filter::Filter::new().check(&seen).map(drop),
        transform::NAME => transform::Transform::new().check(&seen),
        reduce::NAME => reduce::Reduce::new().check(&seen).map(drop),
        any_match::NAME => any_match::any_match().check(&seen).map(drop),
        all_match::NAME => all_match::all_match().check(&seen).map(drop),
        none_match::NAME => none_match::none_match().check(&seen).map(drop),
        zip_with::NAME => zip_with::ZipWith::new().check(&seen),
        regexp_replace::NAME => regexp_replace::RegexpReplaceLambda::new().check(&seen),
        _ => Ok(()),
    }
}

/// A lambda parameter (or result) of type `dt`. Parameters are always nullable and carry no
/// metadata, so that a lambda variable's type never depends on how its argument was built.
pub(crate) fn param(dt: &DataType) -> FieldRef {
    Arc::new(Field::new("", dt.clone(), true))
}

/// Whether `dt` is a `timeseries(T)`.
pub(crate) fn is_series(dt: &DataType) -> bool {
    timeseries::value_type(dt).is_some()
}

/// The element type of an array argument: an array's element type (a time series' point
/// row), `unknown` for a NULL; `None` for anything else.
pub(crate) fn element_type(dt: &DataType) -> Option<DataType> {
    match dt {
        DataType::List(f) | DataType::LargeList(f) | DataType::FixedSizeList(f, _) => {
            Some(f.data_type().clone())
        }
        DataType::Null => Some(DataType::Null),
        _ => None,
    }
}

/// An array argument as the `List` the kernels read: a series keeps its type; `unknown` is an
/// array of `unknown`.
pub(crate) fn list_type(dt: &DataType) -> Option<DataType> {
    match dt {
        DataType::List(_) => Some(dt.clone()),
        DataType::LargeList(f) | DataType::FixedSizeList(f, _) => Some(DataType::List(f.clone())),
        DataType::Null => Some(list_of(DataType::Null)),
        _ => None,
    }
}

/// `array(element)`.
pub(crate) fn list_of(element: DataType) -> DataType {
    DataType::List(Arc::new(Field::new_list_field(element, true)))
}

fn is_string(dt: &DataType) -> bool {
    match dt {
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => true,
        DataType::Dictionary(_, v) => is_string(v),
        _ => false,
    }
}

/// A `varchar` argument (any string type, a dimension's dictionary, `unknown`) as `Utf8`.
pub(crate) fn varchar_type(dt: &DataType) -> Option<DataType> {
    (is_string(dt) || *dt == DataType::Null).then_some(DataType::Utf8)
}

/// Whether a lambda result may stand where a boolean is expected.
pub(crate) fn is_boolean(dt: &DataType) -> bool {
    matches!(dt, DataType::Boolean | DataType::Null)
}

/// Trino's common super type of two types, as a reduction state widens to its input function's
/// result: `unknown` fits anything, integer < bigint < double, strings are varchar, rows and
/// arrays widen field by field (keeping `a`'s names). `None` when there is none.
pub(crate) fn widen(a: &DataType, b: &DataType) -> Option<DataType> {
    match (a, b) {
        (a, b) if a == b => Some(a.clone()),
        (DataType::Null, t) | (t, DataType::Null) => Some(t.clone()),
        (a, b) if is_string(a) && is_string(b) => Some(DataType::Utf8),
        (DataType::Struct(fa), DataType::Struct(fb)) if fa.len() == fb.len() => {
            let fields = fa
                .iter()
                .zip(fb.iter())
                .map(|(x, y)| {
                    widen(x.data_type(), y.data_type())
                        .map(|t| Field::new(x.name(), t, x.is_nullable() || y.is_nullable()))
                })
                .collect::<Option<Vec<_>>>()?;
            Some(DataType::Struct(Fields::from(fields)))
        }
        (DataType::List(ea), DataType::List(eb)) => {
            let t = widen(ea.data_type(), eb.data_type())?;
            Some(DataType::List(Arc::new(Field::new(ea.name(), t, true))))
        }
        (a, b) if a.is_numeric() && b.is_numeric() => common_number(&[a.clone(), b.clone()]),
        _ => None,
    }
}

/// An argument as `lambda_parameters` and `return_field_from_args` see it: a value's type, or
/// a lambda's result type once known.
pub(crate) enum Seen {
    Value(DataType),
    Lambda(Option<DataType>),
}

pub(crate) fn seen_while_binding(
    fields: &[ValueOrLambda<FieldRef, Option<FieldRef>>],
) -> Vec<Seen> {
    fields
        .iter()
        .map(|f| match f {
            ValueOrLambda::Value(v) => Seen::Value(v.data_type().clone()),
            ValueOrLambda::Lambda(l) => Seen::Lambda(l.as_ref().map(|l| l.data_type().clone())),
        })
        .collect()
}

pub(crate) fn seen_when_typed(fields: &[ValueOrLambda<FieldRef, FieldRef>]) -> Vec<Seen> {
    fields
        .iter()
        .map(|f| match f {
            ValueOrLambda::Value(v) => Seen::Value(v.data_type().clone()),
            ValueOrLambda::Lambda(l) => Seen::Lambda(Some(l.data_type().clone())),
        })
        .collect()
}

pub(crate) fn seen_types(fields: &[ValueOrLambda<DataType, DataType>]) -> Vec<Seen> {
    fields
        .iter()
        .map(|f| match f {
            ValueOrLambda::Value(v) => Seen::Value(v.clone()),
            ValueOrLambda::Lambda(l) => Seen::Lambda(Some(l.clone())),
        })
        .collect()
}

/// Trino's error for arguments that fit none of the function's signatures (`expected`). A
/// lambda reads `function(P1,…,R)` when `params` holds its parameter types (one list per
/// lambda, in order) and its result is known, else `function`.
pub(crate) fn unexpected<T>(
    name: &str,
    args: &[Seen],
    params: &[Vec<DataType>],
    expected: &str,
) -> Result<T> {
    let mut lambdas = params.iter();
    let got = args
        .iter()
        .map(|a| match a {
            Seen::Value(t) => sql_type_name(t),
            Seen::Lambda(result) => match (lambdas.next(), result) {
                (Some(params), Some(result)) => {
                    let types: Vec<String> = params
                        .iter()
                        .chain(std::iter::once(result))
                        .map(sql_type_name)
                        .collect();
                    format!("function({})", types.join(","))
                }
                _ => "function".to_owned(),
            },
        })
        .collect::<Vec<_>>()
        .join(", ");
    plan_err!("Unexpected parameters ({got}) for function {name}. Expected: {expected}")
}

/// The arguments when they have the shape `args` (values and lambdas in these positions).
pub(crate) fn fits(seen: &[Seen], args: &[Arg]) -> bool {
    seen.len() == args.len()
        && seen.iter().zip(args).all(|(s, a)| {
            matches!(
                (s, a),
                (Seen::Value(_), Arg::Value) | (Seen::Lambda(_), Arg::Lambda(_))
            )
        })
}

/// Parameters for the lambdas of a call whose value arguments do not type: `unknown` ones, as
/// many as any lambda may declare (`lambda_arities` checked the counts where the call has a
/// shape of the function). The planner then goes on, and the call is reported once its
/// argument types are Timestream's (type_check.rs calls `coerce_values_for_lambdas`, where the
/// functions raise their errors): the planner sees `bigint` for every integer literal.
pub(crate) fn untyped(seen: &[Seen]) -> LambdaParametersProgress {
    const ANY_ARITY: usize = 8;
    let lambdas = seen.iter().filter(|s| matches!(s, Seen::Lambda(_))).count();
    LambdaParametersProgress::Complete(vec![vec![param(&DataType::Null); ANY_ARITY]; lambdas])
}

/// The parameters of a call's lambdas, one list per lambda: bound at once (the functions
/// whose lambdas' parameters depend on nothing but the value arguments).
pub(crate) fn progress(params: Vec<Vec<DataType>>) -> LambdaParametersProgress {
    LambdaParametersProgress::Complete(
        params
            .into_iter()
            .map(|p| p.iter().map(param).collect())
            .collect(),
    )
}

/// An array argument of `rows` rows as a `List` array whose NULL rows hold no elements.
pub(crate) fn list_arg(value: &ColumnarValue, rows: usize) -> Result<ListArray> {
    let array = value.to_array(rows)?;
    let array = match list_type(array.data_type()) {
        Some(t) if t != *array.data_type() => cast(&array, &t)?,
        Some(_) => array,
        None => return exec_err!("expected an array, got {}", array.data_type()),
    };
    let array = if array.null_count() > 0 {
        remove_list_null_values(&array)?
    } else {
        array
    };
    match array.as_list_opt::<i32>() {
        Some(list) => Ok(list.clone()),
        None => exec_err!("expected an array, got {}", array.data_type()),
    }
}

/// A list's elements laid flat: every row's elements in order (`values`), the row each one
/// belongs to (`rows`), and where each row's elements start (`starts`, one more than the rows).
pub(crate) struct Flat {
    pub values: ArrayRef,
    pub rows: UInt32Array,
    pub starts: Vec<usize>,
}

impl Flat {
    /// The number of elements of row `r`.
    pub fn len(&self, r: usize) -> usize {
        self.starts[r + 1] - self.starts[r]
    }

    /// Offsets of a list with the same number of elements per row.
    pub fn offsets(&self) -> Result<OffsetBuffer<i32>> {
        offsets((0..self.starts.len() - 1).map(|r| self.len(r)))
    }
}

/// Lays the elements of `list` flat (a sliced list's values are sliced to match).
pub(crate) fn flatten(list: &ListArray) -> Result<Flat> {
    let offsets = list.value_offsets();
    let first = offsets.first().copied().unwrap_or(0);
    let last = offsets.last().copied().unwrap_or(0);
    let (first, last) = (to_usize(first)?, to_usize(last)?);
    let values = list.values().slice(first, last - first);
    let mut starts = Vec::with_capacity(offsets.len());
    let mut rows = Vec::with_capacity(last - first);
    for (r, pair) in offsets.windows(2).enumerate() {
        starts.push(to_usize(pair[0])? - first);
        let n = to_usize(pair[1])? - to_usize(pair[0])?;
        rows.extend(std::iter::repeat_n(row_index(r)?, n));
    }
    starts.push(last - first);
    Ok(Flat {
        values,
        rows: UInt32Array::from(rows),
        starts,
    })
}

fn to_usize(offset: i32) -> Result<usize> {
    match usize::try_from(offset) {
        Ok(o) => Ok(o),
        Err(_) => exec_err!("negative list offset {offset}"),
    }
}

/// A row number as a `take` index.
pub(crate) fn row_index(r: usize) -> Result<u32> {
    match u32::try_from(r) {
        Ok(r) => Ok(r),
        Err(_) => exec_err!("too many elements for one batch: {r}"),
    }
}

/// List offsets for rows of these lengths.
pub(crate) fn offsets(lengths: impl IntoIterator<Item = usize>) -> Result<OffsetBuffer<i32>> {
    let mut out = Vec::new();
    let mut end = 0i32;
    out.push(end);
    for n in lengths {
        let Some(next) = i32::try_from(n).ok().and_then(|n| end.checked_add(n)) else {
            return exec_err!("array too large");
        };
        end = next;
        out.push(end);
    }
    Ok(OffsetBuffer::new(out.into()))
}

/// Evaluates `lambda` once per element: `params[i]` holds the values of its parameter `i`,
/// element `k` belonging to row `rows[k]`, whose captured columns it sees. All arrays have one
/// entry per element; the result too, of type `result`. Without elements the lambda is not
/// evaluated at all (a body that does not read its parameters, `x -> 1 / 0`, would be
/// evaluated once).
pub(crate) fn call(
    lambda: &LambdaArgument,
    params: &[ArrayRef],
    rows: &UInt32Array,
    result: &DataType,
) -> Result<ArrayRef> {
    if rows.is_empty() {
        return Ok(new_empty_array(result));
    }
    let getters: Vec<Box<dyn Fn() -> Result<ArrayRef>>> = params
        .iter()
        .map(|p| {
            let p = Arc::clone(p);
            Box::new(move || Ok(Arc::clone(&p))) as Box<dyn Fn() -> Result<ArrayRef>>
        })
        .collect();
    let getters: Vec<&dyn Fn() -> Result<ArrayRef>> = getters.iter().map(|g| g.as_ref()).collect();
    lambda
        .evaluate(&getters, |captures| Ok(take_arrays(captures, rows, None)?))?
        .into_array(rows.len())
}

/// A predicate's results as booleans (a lambda answering `NULL` answers `unknown`).
pub(crate) fn booleans(results: ArrayRef) -> Result<BooleanArray> {
    let results = if results.data_type() == &DataType::Boolean {
        results
    } else {
        cast(&results, &DataType::Boolean)?
    };
    match results.as_boolean_opt() {
        Some(b) => Ok(b.clone()),
        None => exec_err!("a predicate returned {}", results.data_type()),
    }
}

/// `values` (one per live row) placed at the `live` rows of `rows` rows, NULL elsewhere.
pub(crate) fn scatter(values: &ArrayRef, live: &UInt32Array, rows: usize) -> Result<ArrayRef> {
    if live.len() == rows {
        return Ok(Arc::clone(values));
    }
    let mut at: Vec<Option<u32>> = vec![None; rows];
    for (j, r) in live.values().iter().enumerate() {
        if let Some(slot) = at.get_mut(*r as usize) {
            *slot = Some(row_index(j)?);
        }
    }
    if values.is_empty() {
        return Ok(new_null_array(values.data_type(), rows));
    }
    Ok(take(values, &UInt32Array::from(at), None)?)
}

/// The rows of `list` that are not NULL.
pub(crate) fn live_rows(list: &ListArray) -> Result<UInt32Array> {
    (0..list.len())
        .filter(|r| list.is_valid(*r))
        .map(row_index)
        .collect::<Result<Vec<_>>>()
        .map(UInt32Array::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_widen_the_trino_way() {
        assert_eq!(
            widen(&DataType::Int32, &DataType::Int64),
            Some(DataType::Int64)
        );
        assert_eq!(
            widen(&DataType::Int32, &DataType::Float64),
            Some(DataType::Float64)
        );
        assert_eq!(
            widen(&DataType::Null, &DataType::Utf8),
            Some(DataType::Utf8)
        );
        assert_eq!(widen(&DataType::Int32, &DataType::Utf8), None);
        let row = |a: DataType, b: DataType| {
            DataType::Struct(Fields::from(vec![
                Field::new("sum", a, true),
                Field::new("count", b, true),
            ]))
        };
        assert_eq!(
            widen(
                &row(DataType::Float64, DataType::Int32),
                &row(DataType::Float64, DataType::Int64)
            ),
            Some(row(DataType::Float64, DataType::Int64))
        );
    }

    #[test]
    fn every_function_has_a_shape() {
        let names: Vec<String> = functions().iter().map(|f| f.name().to_owned()).collect();
        for shape in SHAPES {
            assert!(
                names.iter().any(|n| n == shape.registered),
                "{}",
                shape.registered
            );
        }
        assert_eq!(
            lambda_arities("reduce", 4),
            Some(vec![None, None, Some(2), Some(1)])
        );
        assert_eq!(lambda_arities("reduce", 3), None);
        assert_eq!(routed_name("regexp_replace"), Some(regexp_replace::NAME));
        assert_eq!(routed_name("filter"), None);
    }

    #[test]
    fn flattening_a_sliced_list() {
        let list =
            ListArray::from_iter_primitive::<datafusion::arrow::datatypes::Int32Type, _, _>(vec![
                Some(vec![Some(1), Some(2)]),
                Some(vec![]),
                Some(vec![Some(3)]),
                Some(vec![Some(4), Some(5)]),
            ])
            .slice(1, 3);
        let flat = flatten(&list).unwrap();
        assert_eq!(flat.values.len(), 3);
        assert_eq!(flat.rows.values().as_ref(), &[1, 2, 2]);
        assert_eq!(flat.starts, vec![0, 0, 1, 3]);
    }
}
