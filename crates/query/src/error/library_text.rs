//! The errors only their English text tells apart, and Trino's wording for each.
//!
//! DataFusion 55 raises these as `Plan(String)` (or with the `Diagnostic` a message, not a
//! kind), and sqlparser 0.62 gives a syntax error's position only inside its message: there is
//! nothing else to match on. Every text recognised here is pinned by a test below that raises
//! it through DataFusion (or sqlparser) itself, so an upgrade that rewords one fails that test
//! rather than changing what clients read. Names and places come from the `Diagnostic` span
//! where DataFusion attaches one.

use std::str::FromStr;

use datafusion::arrow::datatypes::DataType;
use datafusion::common::Diagnostic;

use super::from_datafusion::{located, Places};
use crate::functions::conversion::sql_type::sql_type_name;

/// Trino plans every subquery; DataFusion leaves some where they stand and cannot run them.
pub const UNSUPPORTED_SUBQUERY: &str = "Given subquery is not supported: a subquery in an \
     aggregate's arguments, in ORDER BY or GROUP BY, or in the select list correlated other than \
     by equality";

/// A sqlparser syntax error, `message at Line: L, Column: C` (its only form: `ParserError`
/// holds a string), as Trino's `line L:C: message` in the user's text.
pub(super) fn parser_error(message: &str, places: &Places) -> String {
    match message.rsplit_once(" at Line: ").and_then(|(m, pos)| {
        let (l, c) = pos.split_once(", Column: ")?;
        Some((m, l.trim().parse().ok()?, c.trim().parse().ok()?))
    }) {
        Some((m, l, c)) => {
            let (l, c) = places.line_col(l, c);
            format!("line {l}:{c}: {m}")
        }
        None => message.to_owned(),
    }
}

/// Trino's wording of a DataFusion planning error `message`, placed at `span` (the outermost
/// `Diagnostic`'s) or else where the identifier it names is first written; `None` when
/// DataFusion's text is passed on as it is.
pub(super) fn plan_error(
    message: &str,
    diagnostic: Option<&Diagnostic>,
    places: &Places,
) -> Option<String> {
    let span = diagnostic.and_then(|d| d.span);
    let at = |identifier: &str| places.span(span).or_else(|| places.identifier(identifier));
    if is_unplanned_subquery(message) {
        return Some(UNSUPPORTED_SUBQUERY.into());
    }
    // `Diagnostic` "Invalid function 'foo'", spanning the name.
    if let Some(rest) = message.strip_prefix("Invalid function '") {
        let name = rest.split('\'').next()?;
        return Some(located(at(name), format!("Function {name} not registered")));
    }
    // The library's own text, which DataFusion may wrap ("Function 'year' user-defined
    // coercion failed with: …") and follow with its own. No span: placed at the name.
    if let Some(ours) = message.split("Unexpected parameters (").nth(1) {
        let ours = ours.split(" No function matches").next()?.trim_end();
        let ours = ours.strip_suffix('.').unwrap_or(ours);
        let name = ours.split(" for function ").nth(1)?.split('.').next()?;
        return Some(located(
            places.identifier(name),
            format!("Unexpected parameters ({ours}"),
        ));
    }
    // DataFusion's signature check, `f(Int64, Utf8)`: no span, placed at the name.
    if let Some(args) = message
        .split("No function matches the given name and argument types '")
        .nth(1)
    {
        let signature = args.split('\'').next()?;
        let (name, args) = signature.split_once('(')?;
        let args = args.strip_suffix(')')?;
        let types = arrow_type_list(args)
            .iter()
            .map(sql_type_name)
            .collect::<Vec<_>>()
            .join(", ");
        return Some(located(
            places.identifier(name),
            format!("Unexpected parameters ({types}) for function {name}"),
        ));
    }
    if let Some(types) =
        message.strip_prefix("Cannot infer common string type for string concat operation ")
    {
        let (l, r) = types.split_once(" || ")?;
        let (l, r) = (DataType::from_str(l).ok()?, DataType::from_str(r).ok()?);
        return Some(format!(
            "Cannot apply operator: {} || {}",
            sql_type_name(&l),
            sql_type_name(&r)
        ));
    }
    if let Some(t) =
        message.strip_prefix("Unary operator 'NOT' requires a boolean expression, got ")
    {
        let t = DataType::from_str(t.trim()).ok()?;
        return Some(format!(
            "Value of logical NOT expression must evaluate to a boolean (actual: {})",
            sql_type_name(&t)
        ));
    }
    if let Some((_, t)) = message
        .strip_prefix("Cannot create filter with non-boolean predicate")
        .and_then(|rest| rest.rsplit_once(" returning "))
    {
        // The planner checks before Timestream's typing made small integer literals `integer`.
        let t = match DataType::from_str(t.trim()).ok()? {
            DataType::Int64 if is_small_integer_literal(message) => DataType::Int32,
            t => t,
        };
        // DataFusion's planner checks WHERE and HAVING alike and names neither; a statement
        // with a HAVING but no WHERE can only mean the HAVING (with both, WHERE is named).
        let keyword = |k: &str| {
            places
                .sql()
                .split(|c: char| !c.is_ascii_alphanumeric() && c != '_')
                .any(|w| w.eq_ignore_ascii_case(k))
        };
        let having_only = keyword("HAVING") && !keyword("WHERE");
        return Some(format!(
            "{} clause must evaluate to a boolean: actual type {}",
            if having_only { "HAVING" } else { "WHERE" },
            sql_type_name(&t)
        ));
    }
    // The select list's, HAVING's and ORDER BY's forms; the `Diagnostic` spans the column.
    // Trino names the whole HAVING or ORDER BY expression; we name the column in it.
    if ["SELECT", "HAVING", "ORDER BY"].iter().any(|clause| {
        message.starts_with(&format!(
            "Column in {clause} must be in GROUP BY or an aggregate function"
        ))
    }) {
        let column = message.split("column \"").nth(1)?.split('"').next()?;
        let name = column.rsplit('.').next()?;
        return Some(located(
            at(name),
            format!("'{name}' must be an aggregate expression or appear in GROUP BY clause"),
        ));
    }
    // The set operation's check: the `Diagnostic`'s notes count each side's fields.
    if let Some(operation) = message.strip_suffix(" queries have different number of columns") {
        let counts: Vec<&str> = diagnostic?
            .notes
            .iter()
            .filter_map(|n| {
                n.message
                    .strip_prefix("this side has ")?
                    .strip_suffix(" fields")
            })
            .collect();
        let [left, right] = counts[..] else {
            return None;
        };
        return Some(located(
            places.span(span),
            format!("{operation} query has different number of fields: {left}, {right}"),
        ));
    }
    // Arithmetic between types that have none (`Utf8 + Int64`); no span.
    if let Some(expression) = message
        .strip_prefix("Cannot coerce arithmetic expression ")
        .and_then(|rest| rest.strip_suffix(" to valid types"))
    {
        return ["+", "-", "*", "/", "%"].iter().find_map(|op| {
            let (l, r) = expression.split_once(&format!(" {op} "))?;
            let (l, r) = (DataType::from_str(l).ok()?, DataType::from_str(r).ok()?);
            Some(format!(
                "Cannot apply operator: {} {op} {}",
                sql_type_name(&l),
                sql_type_name(&r)
            ))
        });
    }
    None
}

/// Whether DataFusion's filter error names a predicate `'Int64(n)'` with `n` in 32 bits.
fn is_small_integer_literal(message: &str) -> bool {
    message
        .split("predicate 'Int64(")
        .nth(1)
        .and_then(|rest| rest.split(')').next())
        .and_then(|n| n.parse::<i32>().ok())
        .is_some()
}

/// The Arrow types of DataFusion's `f(Int64, Dictionary(UInt32, Utf8))` argument lists.
fn arrow_type_list(args: &str) -> Vec<DataType> {
    let mut types = Vec::new();
    let (mut depth, mut start) = (0usize, 0usize);
    for (i, c) in args.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                types.extend(DataType::from_str(args[start..i].trim()).ok());
                start = i + 1;
            }
            _ => {}
        }
    }
    types.extend(DataType::from_str(args[start..].trim()).ok());
    types
}

/// DataFusion's texts for a subquery it could not turn into a join.
fn is_unplanned_subquery(message: &str) -> bool {
    ["ScalarSubquery", "InSubquery", "Exists"]
        .iter()
        .any(|kind| {
            message.starts_with(&format!(
                "Physical plan does not support logical expression {kind}"
            ))
        })
        || message.contains("subquery can only be used in")
}

/// Each text above, raised by DataFusion 55 itself on a plain session: if an upgrade rewords
/// one, its test fails here (the `.slt` files pin the same texts end to end).
#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use std::sync::Arc;

    use datafusion::arrow::array::{Int64Array, RecordBatch, StringArray};
    use datafusion::arrow::datatypes::{DataType, Field, Schema};
    use datafusion::datasource::MemTable;
    use datafusion::prelude::{SessionConfig, SessionContext};

    use crate::dialect::rewrite;
    use crate::Error;

    /// What a client reads for `sql` planned by DataFusion over `t(a bigint, s varchar)`.
    async fn message(sql: &str) -> String {
        let mut config = SessionConfig::new();
        config.options_mut().sql_parser.collect_spans = true;
        let ctx = SessionContext::new_with_config(config);
        let schema = Arc::new(Schema::new(vec![
            Field::new("a", DataType::Int64, true),
            Field::new("s", DataType::Utf8, true),
        ]));
        let batch = RecordBatch::try_new(
            schema.clone(),
            vec![
                Arc::new(Int64Array::from(vec![1])),
                Arc::new(StringArray::from(vec!["x"])),
            ],
        )
        .unwrap();
        let table = MemTable::try_new(schema, vec![vec![batch]]).unwrap();
        ctx.register_table("t", Arc::new(table)).unwrap();
        let e = match ctx.sql(sql).await {
            Ok(frame) => frame.collect().await.expect_err(sql),
            Err(e) => e,
        };
        match Error::from_datafusion(e, sql, &rewrite(sql)) {
            Error::Validation(m) | Error::Execution(m) => m,
            other => panic!("{other:?}"),
        }
    }

    #[tokio::test]
    async fn sqlparser_positions() {
        assert_eq!(
            message("SELECT 1 FROM\nt WHERE )").await,
            "line 2:9: Expected: an expression, found: )"
        );
    }

    #[tokio::test]
    async fn unknown_function() {
        assert_eq!(
            message("SELECT a, nope(1) FROM t").await,
            "line 1:11: Function nope not registered"
        );
    }

    #[tokio::test]
    async fn no_matching_signature() {
        assert_eq!(
            message("SELECT a FROM t WHERE abs(s) = 1").await,
            "line 1:23: Unexpected parameters (varchar) for function abs"
        );
    }

    #[tokio::test]
    async fn string_concat() {
        assert_eq!(
            message("SELECT 1 || true").await,
            "Cannot apply operator: bigint || boolean"
        );
    }

    #[tokio::test]
    async fn logical_not() {
        assert_eq!(
            message("SELECT NOT s FROM t").await,
            "Value of logical NOT expression must evaluate to a boolean (actual: varchar)"
        );
    }

    #[tokio::test]
    async fn non_boolean_filter() {
        assert_eq!(
            message("SELECT a FROM t WHERE a").await,
            "WHERE clause must evaluate to a boolean: actual type bigint"
        );
        assert_eq!(
            message("SELECT a FROM t WHERE 5").await,
            "WHERE clause must evaluate to a boolean: actual type integer"
        );
        assert_eq!(
            message("SELECT count(*) FROM t GROUP BY a HAVING count(*)").await,
            "HAVING clause must evaluate to a boolean: actual type bigint"
        );
    }

    #[tokio::test]
    async fn not_grouped() {
        assert_eq!(
            message("SELECT count(*),\n s FROM t").await,
            "line 2:2: 's' must be an aggregate expression or appear in GROUP BY clause"
        );
    }

    #[tokio::test]
    async fn structured_schema_errors() {
        assert_eq!(
            message("SELECT a FROM t WHERE nope = 1").await,
            "line 1:23: Column 'nope' does not exist"
        );
        assert_eq!(
            message("SELECT x.a FROM t").await,
            "line 1:8: Column 'x.a' does not exist"
        );
        assert_eq!(
            message("SELECT x.a FROM t x, t y WHERE a = 1").await,
            "line 1:32: Column 'a' is ambiguous"
        );
    }

    #[tokio::test]
    async fn not_grouped_in_having_and_order_by() {
        assert_eq!(
            message("SELECT a FROM t GROUP BY a HAVING s = 'x'").await,
            "line 1:35: 's' must be an aggregate expression or appear in GROUP BY clause"
        );
        assert_eq!(
            message("SELECT a, count(*) FROM t GROUP BY a ORDER BY s").await,
            "line 1:47: 's' must be an aggregate expression or appear in GROUP BY clause"
        );
    }

    #[tokio::test]
    async fn set_operations_of_different_widths() {
        assert_eq!(
            message("SELECT a FROM t UNION SELECT a, s FROM t").await,
            "line 1:1: UNION query has different number of fields: 1, 2"
        );
        assert!(message("SELECT a, s FROM t EXCEPT SELECT a FROM t")
            .await
            .ends_with("EXCEPT query has different number of fields: 2, 1"));
    }

    #[tokio::test]
    async fn arithmetic_without_a_type() {
        assert_eq!(
            message("SELECT s + a FROM t").await,
            "Cannot apply operator: varchar + bigint"
        );
        assert_eq!(
            message("SELECT a * true FROM t").await,
            "Cannot apply operator: bigint * boolean"
        );
    }

    #[tokio::test]
    async fn unplanned_subquery() {
        assert_eq!(
            message("SELECT a FROM t ORDER BY (SELECT max(a) FROM t u WHERE u.a > t.a)").await,
            super::UNSUPPORTED_SUBQUERY
        );
    }

    #[tokio::test]
    async fn division_by_zero() {
        assert_eq!(
            message("SELECT a / (a - 1) FROM t").await,
            "Division by zero"
        );
    }
}
