//! Lambda marker calls checked and turned into lambda expressions.

use datafusion::common::{plan_err, Result};
use datafusion::sql::parser::Statement as DfStatement;
use datafusion::sql::sqlparser::ast::{
    visit_expressions, AccessExpr, Expr as SqlExpr, Function, FunctionArg, FunctionArgExpr,
    FunctionArgumentList, FunctionArguments, Ident, LambdaFunction, LambdaFunctionParameter,
    LambdaSyntax, ObjectName, ObjectNamePart, OneOrManyWithParens, Spanned, Subscript, Value,
    VisitorMut,
};
use std::ops::ControlFlow;

use super::aggregate_names::is_aggregate;
use super::positions::{line_col, offset_of};
use super::rewrite_text::LAMBDA;

/// The `"__lambda"(params…, body)` calls of the rewritten text become lambda expressions; in a
/// lambda's body, `x.f` (`x` a parameter of an enclosing lambda) becomes the field access
/// `x['f']`, which DataFusion plans on the parameter (a compound identifier would be read as
/// column `f` of a table `x`); a function whose name is also a scalar function's
/// (`regexp_replace`) is called by its lambda form's name when it has a lambda argument.
#[derive(Default)]
pub(super) struct Lambdas {
    /// The parameter names of the enclosing lambdas, innermost last.
    scopes: Vec<Vec<String>>,
}

impl Lambdas {
    fn in_scope(&self, name: &Ident) -> bool {
        let name = param_name(name);
        self.scopes.iter().any(|scope| scope.contains(&name))
    }
}

/// A lambda parameter's name as DataFusion's planner binds it: lower case unless quoted. A
/// reference to it is written the same way (the planner does not fold the case of other
/// identifiers), so that `X -> x` and `x -> X` both work, as in Trino.
fn param_name(id: &Ident) -> String {
    match id.quote_style {
        Some(_) => id.value.clone(),
        None => id.value.to_lowercase(),
    }
}

/// The arguments of `f`, when all are plain positional expressions.
pub(super) fn call_args(f: &Function) -> Option<Vec<&SqlExpr>> {
    let FunctionArguments::List(list) = &f.args else {
        return None;
    };
    list.args
        .iter()
        .map(|arg| match arg {
            FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) => Some(e),
            _ => None,
        })
        .collect()
}

/// The single-part, lower-case name of a call.
pub(super) fn call_name(f: &Function) -> Option<String> {
    match f.name.0.as_slice() {
        [part] => part.as_ident().map(|i| i.value.to_ascii_lowercase()),
        _ => None,
    }
}

/// A lambda of the rewritten text: its marker call, parameters and body.
fn as_lambda(expr: &SqlExpr) -> Option<(&Function, Vec<&Ident>, &SqlExpr)> {
    let SqlExpr::Function(f) = expr else {
        return None;
    };
    let [ObjectNamePart::Identifier(name)] = f.name.0.as_slice() else {
        return None;
    };
    if name.value != LAMBDA || name.quote_style != Some('"') {
        return None;
    }
    let args = call_args(f)?;
    let (body, params) = args.split_last()?;
    let params = params
        .iter()
        .map(|p| match p {
            SqlExpr::Identifier(id) => Some(id),
            _ => None,
        })
        .collect::<Option<Vec<_>>>()?;
    Some((f, params, body))
}

/// `x.f.g` → `x['f']['g']` (an unquoted field name in lower case, as Trino folds it).
fn field_access(root: Ident, fields: impl IntoIterator<Item = Ident>) -> SqlExpr {
    SqlExpr::CompoundFieldAccess {
        root: Box::new(SqlExpr::Identifier(root)),
        access_chain: fields
            .into_iter()
            .map(|f| {
                AccessExpr::Subscript(Subscript::Index {
                    index: SqlExpr::Value(
                        Value::SingleQuotedString(param_name(&f)).with_span(f.span),
                    ),
                })
            })
            .collect(),
    }
}

impl VisitorMut for Lambdas {
    type Break = ();

    fn pre_visit_expr(&mut self, expr: &mut SqlExpr) -> ControlFlow<()> {
        if let Some((_, params, _)) = as_lambda(expr) {
            let names = params.iter().map(|p| param_name(p)).collect();
            self.scopes.push(names);
            return ControlFlow::Continue(());
        }
        match expr {
            SqlExpr::Identifier(id) if self.in_scope(id) => id.value = param_name(id),
            // DataFusion plans the elements of `ARRAY[…]` without the lambda's parameters in
            // scope; `make_array(…)` is the same array, planned with them.
            SqlExpr::Array(array) if !self.scopes.is_empty() => {
                let args = std::mem::take(&mut array.elem)
                    .into_iter()
                    .map(|e| FunctionArg::Unnamed(FunctionArgExpr::Expr(e)))
                    .collect();
                *expr = SqlExpr::Function(Function {
                    name: ObjectName::from(vec![Ident::new("make_array")]),
                    uses_odbc_syntax: false,
                    parameters: FunctionArguments::None,
                    args: FunctionArguments::List(FunctionArgumentList {
                        duplicate_treatment: None,
                        args,
                        clauses: Vec::new(),
                    }),
                    filter: None,
                    null_treatment: None,
                    over: None,
                    within_group: Vec::new(),
                });
            }
            SqlExpr::CompoundIdentifier(ids)
                if ids.len() > 1 && ids.first().is_some_and(|id| self.in_scope(id)) =>
            {
                let mut ids = std::mem::take(ids).into_iter();
                if let Some(mut root) = ids.next() {
                    root.value = param_name(&root);
                    *expr = field_access(root, ids);
                }
            }
            SqlExpr::CompoundFieldAccess { root, access_chain } => {
                if let SqlExpr::Identifier(id) = root.as_mut() {
                    if self.in_scope(id) {
                        id.value = param_name(id);
                    }
                }
                if matches!(root.as_ref(), SqlExpr::Identifier(id) if self.in_scope(id)) {
                    for access in access_chain.iter_mut() {
                        let AccessExpr::Dot(SqlExpr::Identifier(field)) = access else {
                            break;
                        };
                        *access = AccessExpr::Subscript(Subscript::Index {
                            index: SqlExpr::Value(
                                Value::SingleQuotedString(param_name(field)).with_span(field.span),
                            ),
                        });
                    }
                }
            }
            _ => {}
        }
        ControlFlow::Continue(())
    }

    fn post_visit_expr(&mut self, expr: &mut SqlExpr) -> ControlFlow<()> {
        if let Some((_, params, body)) = as_lambda(expr) {
            let mut params: Vec<LambdaFunctionParameter> = params
                .into_iter()
                .map(|name| LambdaFunctionParameter {
                    name: name.clone(),
                    data_type: None,
                })
                .collect();
            let lambda = LambdaFunction {
                params: if params.len() == 1 {
                    OneOrManyWithParens::One(params.remove(0))
                } else {
                    OneOrManyWithParens::Many(params)
                },
                body: Box::new(body.clone()),
                syntax: LambdaSyntax::Arrow,
            };
            *expr = SqlExpr::Lambda(lambda);
            self.scopes.pop();
            return ControlFlow::Continue(());
        }
        if let SqlExpr::Function(f) = expr {
            let with_lambda = call_args(f)
                .is_some_and(|args| args.iter().any(|a| matches!(a, SqlExpr::Lambda(_))));
            let routed = call_name(f).and_then(|n| crate::functions::lambda::routed_name(&n));
            if let (true, Some(routed)) = (with_lambda, routed) {
                f.name = ObjectName::from(vec![Ident::new(routed)]);
            }
        }
        ControlFlow::Continue(())
    }
}

/// Trino's checks of lambdas, on the rewritten statement (`sql` its text) before
/// [`rewrite_statement`]: a lambda must be an argument of a function that takes one there
/// (`Lambda expression should always be used inside a function`), with as many parameters as
/// the function passes it (`Expected a lambda that takes 2 argument(s) but got 1`), and its
/// body holds no subquery and no aggregate or window function (timestream-sql.md §4.11). Each
/// error is placed as Trino places it (`line L:C:` in the rewritten text): at the lambda, at
/// the subquery's parenthesis, at the body. Argument types are checked when the call is
/// planned (functions/lambda).
pub fn check_lambdas(statement: &DfStatement, sql: &str) -> Result<()> {
    let DfStatement::Statement(statement) = statement else {
        return Ok(());
    };
    let at = |f: &Function| {
        let span = f.name.0.first().and_then(|p| p.as_ident()).map(|i| i.span);
        span.map_or((1, 1), |s| (s.start.line, s.start.column))
    };
    // Lambdas that are arguments of a call, by the position of their marker.
    let mut placed = Vec::new();
    let mut error = None;
    let _ = visit_expressions(statement.as_ref(), |expr| {
        let SqlExpr::Function(f) = expr else {
            return ControlFlow::Continue(());
        };
        if let Some((_, _, body)) = as_lambda(expr) {
            let (line, column) = at(f);
            error = if !placed.contains(&(line, column)) {
                Some(format!(
                    "line {line}:{column}: Lambda expression should always be used inside a \
                     function"
                ))
            } else {
                not_scalar(body, sql)
            };
            return match error {
                Some(_) => ControlFlow::Break(()),
                None => ControlFlow::Continue(()),
            };
        }
        let Some(args) = call_args(f) else {
            return ControlFlow::Continue(());
        };
        let name = call_name(f).unwrap_or_default();
        let shape = crate::functions::lambda::lambda_arities(&name, args.len());
        for (i, arg) in args.iter().enumerate() {
            let Some((marker, params, _)) = as_lambda(arg) else {
                continue;
            };
            let (line, column) = at(marker);
            placed.push((line, column));
            match &shape {
                Some(arities) => {
                    if let Some(Some(n)) = arities.get(i) {
                        if *n != params.len() {
                            error = Some(format!(
                                "line {line}:{column}: Expected a lambda that takes {n} \
                                 argument(s) but got {}",
                                params.len()
                            ));
                            return ControlFlow::Break(());
                        }
                    }
                }
                None if !crate::functions::lambda::takes_lambdas(&name) => {
                    error = Some(format!(
                        "line {line}:{column}: Function {name} does not take a lambda argument"
                    ));
                    return ControlFlow::Break(());
                }
                None => {}
            }
        }
        ControlFlow::Continue(())
    });
    match error {
        Some(message) => plan_err!("{message}"),
        None => Ok(()),
    }
}

/// Trino's error for a lambda body that is not a scalar expression: one with a subquery
/// (placed at its opening parenthesis), or with aggregate or window functions (placed at the
/// body, listing them).
fn not_scalar(body: &SqlExpr, sql: &str) -> Option<String> {
    let mut subquery = None;
    let mut aggregates = Vec::new();
    let _ = visit_expressions(body, |e| {
        match e {
            SqlExpr::Subquery(_) | SqlExpr::Exists { .. } | SqlExpr::InSubquery { .. } => {
                let start = e.span().start;
                subquery = Some((start.line as usize, start.column as usize));
                return ControlFlow::Break(());
            }
            SqlExpr::Function(f) => {
                let name = call_name(f).unwrap_or_default();
                if f.over.is_some() || is_aggregate(&name) {
                    aggregates.push(e.to_string());
                }
            }
            _ => {}
        }
        ControlFlow::Continue(())
    });
    if let Some((line, column)) = subquery {
        // The subquery's span starts at its SELECT; Trino points at the parenthesis before.
        let select = offset_of(sql, line, column);
        let open = sql[..select.min(sql.len())].trim_end();
        let (line, column) = if open.ends_with('(') {
            line_col(sql, open.len() - 1)
        } else {
            (line, column)
        };
        return Some(format!(
            "line {line}:{column}: Lambda expression cannot contain subqueries"
        ));
    }
    if aggregates.is_empty() {
        return None;
    }
    let start = body.span().start;
    Some(format!(
        "line {}:{}: Lambda expression cannot contain aggregations, window functions or \
         grouping operations: [{}]",
        start.line,
        start.column,
        aggregates.join(", ")
    ))
}
