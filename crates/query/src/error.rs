//! Query failures, and the one place they become AWS errors: analysis errors (syntax, unknown
//! names, types) are `ValidationException` with Timestream's `line L:C: ` prefix; failures while
//! running are `QueryExecutionException`.

use std::str::FromStr;

use datafusion::arrow::datatypes::DataType;
use datafusion::error::DataFusionError;
use datafusion::sql::sqlparser::parser::ParserError;
use protocol::{AwsError, ErrorCode};

use crate::dialect::{line_col, Rewritten};
use crate::functions::conversion::sql_type::sql_type_name;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A syntax or semantic error, its message already in AWS's form.
    #[error("{0}")]
    Validation(String),
    #[error("{0}")]
    Execution(String),
    #[error("Invalid pagination token")]
    InvalidToken,
    #[error("Unable to poll results for a cancelled query")]
    PollCancelled,
    #[error("Query {0} was cancelled.")]
    CancelledWhileRunning(String),
    #[error("Query {0} is not running and has no results to page: it cannot be cancelled.")]
    UnknownQuery(String),
    #[error("{0}")]
    ClientToken(String),
    #[error("The query timed out after {0} seconds.")]
    Timeout(u64),
    #[error(transparent)]
    Engine(#[from] engine::Error),
}

impl Error {
    pub fn to_aws(&self) -> AwsError {
        match self {
            Self::Validation(m) => AwsError::validation(m.clone()),
            Self::InvalidToken | Self::UnknownQuery(_) | Self::ClientToken(_) => {
                AwsError::validation(self.to_string())
            }
            Self::PollCancelled => AwsError::new(ErrorCode::ConflictException, self.to_string()),
            Self::CancelledWhileRunning(_) => {
                AwsError::new(ErrorCode::QueryExecutionException, self.to_string())
            }
            Self::Execution(m) => AwsError::new(ErrorCode::QueryExecutionException, m.clone()),
            Self::Timeout(_) => AwsError::new(ErrorCode::QueryExecutionException, self.to_string()),
            Self::Engine(e) => e.to_aws(),
        }
    }

    /// Classifies a DataFusion error of the query `original` (rewritten as `rewritten`).
    pub fn from_datafusion(e: DataFusionError, original: &str, rewritten: &Rewritten) -> Self {
        let position = |line: usize, col: usize| rewritten.original_line_col(original, line, col);
        let at = |identifier: &str| {
            find_identifier(&rewritten.sql, identifier)
                .map(|o| line_col(original, rewritten.original_offset(o)))
        };
        match e.find_root() {
            DataFusionError::SQL(err, _)
                if matches!(err.as_ref(), ParserError::RecursionLimitExceeded) =>
            {
                Self::Validation(crate::run::STATEMENT_TOO_LARGE.into())
            }
            DataFusionError::SQL(err, _) => {
                let text = err.to_string();
                // sqlparser: "sql parser error: Expected: …, found: … at Line: 1, Column: 8"
                let message = text.trim_start_matches("sql parser error: ");
                match message.rsplit_once(" at Line: ").and_then(|(m, pos)| {
                    let (l, c) = pos.split_once(", Column: ")?;
                    Some((m, l.trim().parse().ok()?, c.trim().parse().ok()?))
                }) {
                    Some((m, l, c)) => {
                        let (l, c) = position(l, c);
                        Self::Validation(format!("line {l}:{c}: {m}"))
                    }
                    None => Self::Validation(message.to_owned()),
                }
            }
            DataFusionError::SchemaError(err, _) => {
                let text = err.to_string();
                match missing_column(&text) {
                    Some(column) => {
                        let at = at(&column).unwrap_or((1, 1));
                        Self::Validation(format!(
                            "line {}:{}: Column '{}' does not exist",
                            at.0, at.1, column
                        ))
                    }
                    None => {
                        Self::Validation(trino_wording(&text, &rewritten.sql, at).unwrap_or(text))
                    }
                }
            }
            DataFusionError::Plan(m) | DataFusionError::NotImplemented(m) => {
                // Our own checks place their errors in the text DataFusion parsed.
                if let Some((l, c, rest)) = leading_position(m) {
                    let (l, c) = position(l, c);
                    return Self::Validation(format!("line {l}:{c}: {rest}"));
                }
                Self::Validation(trino_wording(m, &rewritten.sql, at).unwrap_or_else(|| m.clone()))
            }
            DataFusionError::ArrowError(err, _) => match err.as_ref() {
                datafusion::arrow::error::ArrowError::DivideByZero => {
                    Self::Execution("Division by zero".into())
                }
                other => Self::Execution(other.to_string()),
            },
            DataFusionError::External(inner) => match inner.downcast_ref::<engine::Error>() {
                Some(_) => Self::Execution(inner.to_string()),
                None => Self::Execution(inner.to_string()),
            },
            DataFusionError::Execution(m) => Self::Execution(m.clone()),
            other => Self::Execution(other.to_string()),
        }
    }
}

impl From<Error> for AwsError {
    fn from(e: Error) -> Self {
        e.to_aws()
    }
}

/// Trino plans every subquery; DataFusion leaves some where they stand and cannot run them.
pub const UNSUPPORTED_SUBQUERY: &str = "Given subquery is not supported: a subquery in an \
     aggregate's arguments, in ORDER BY or GROUP BY, or in the select list correlated other than \
     by equality";

/// Trino's wording of a planning error DataFusion words its own way, with its `line L:C:`
/// position where `at` finds the identifier it names.
fn trino_wording(
    message: &str,
    sql: &str,
    at: impl Fn(&str) -> Option<(usize, usize)>,
) -> Option<String> {
    // DataFusion's planner checks WHERE and HAVING alike and names neither; a statement with a
    // HAVING but no WHERE can only mean the HAVING (with both, WHERE is named).
    let keyword = |k: &str| {
        sql.split(|c: char| !c.is_ascii_alphanumeric() && c != '_')
            .any(|w| w.eq_ignore_ascii_case(k))
    };
    let having_only = keyword("HAVING") && !keyword("WHERE");
    let located = |identifier: &str, text: String| match at(identifier) {
        Some((line, col)) => format!("line {line}:{col}: {text}"),
        None => text,
    };
    if is_unplanned_subquery(message) {
        return Some(UNSUPPORTED_SUBQUERY.into());
    }
    if let Some(rest) = message.strip_prefix("Invalid function '") {
        let name = rest.split('\'').next()?;
        return Some(located(name, format!("Function {name} not registered")));
    }
    // The library's own text, which DataFusion may wrap ("Function 'year' user-defined
    // coercion failed with: …") and follow with its own.
    if let Some(ours) = message.split("Unexpected parameters (").nth(1) {
        let ours = ours.split(" No function matches").next()?.trim_end();
        let ours = ours.strip_suffix('.').unwrap_or(ours);
        let name = ours.split(" for function ").nth(1)?.split('.').next()?;
        return Some(located(name, format!("Unexpected parameters ({ours}")));
    }
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
            name,
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
        return Some(format!(
            "{} clause must evaluate to a boolean: actual type {}",
            if having_only { "HAVING" } else { "WHERE" },
            sql_type_name(&t)
        ));
    }
    if message.starts_with("Column in SELECT must be in GROUP BY or an aggregate function") {
        let column = message.split("column \"").nth(1)?.split('"').next()?;
        let name = column.rsplit('.').next()?;
        return Some(located(
            name,
            format!("'{name}' must be an aggregate expression or appear in GROUP BY clause"),
        ));
    }
    if let Some(rest) = message
        .split("Ambiguous reference to unqualified field ")
        .nth(1)
    {
        let name = rest.split_whitespace().next()?.trim_matches('"');
        return Some(located(name, format!("Column '{name}' is ambiguous")));
    }
    None
}

/// `line L:C: rest` → `(L, C, rest)`.
fn leading_position(message: &str) -> Option<(usize, usize, &str)> {
    let rest = message.strip_prefix("line ")?;
    let (position, rest) = rest.split_once(": ")?;
    let (l, c) = position.split_once(':')?;
    Some((l.parse().ok()?, c.parse().ok()?, rest))
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

/// The column name of DataFusion's "No field named x" schema errors.
fn missing_column(text: &str) -> Option<String> {
    let rest = text.split("No field named ").nth(1)?;
    let name = match rest.strip_prefix('"') {
        Some(quoted) => quoted.split('"').next()?,
        None => rest.split(['.', ' ']).next()?,
    };
    Some(name.to_owned())
}

/// Where `name` is written as an identifier: at its opening quote when quoted (Trino points
/// at the token), else at the word.
fn find_identifier(sql: &str, name: &str) -> Option<usize> {
    let at = find_word(sql, name)?;
    let quoted = at > 0
        && sql.as_bytes()[at - 1] == b'"'
        && sql.as_bytes().get(at + name.len()) == Some(&b'"');
    Some(if quoted { at - 1 } else { at })
}

fn find_word(sql: &str, word: &str) -> Option<usize> {
    // An empty name (`SELECT ""`) is found everywhere and nowhere: it would never advance.
    if word.is_empty() {
        return None;
    }
    let bytes = sql.as_bytes();
    let mut from = 0;
    while let Some(i) = sql[from..].find(word) {
        let at = from + i;
        let before = at.checked_sub(1).map(|b| bytes[b]);
        let after = bytes.get(at + word.len());
        let boundary =
            |c: Option<&u8>| c.is_none_or(|c| !(c.is_ascii_alphanumeric() || *c == b'_'));
        if boundary(before.as_ref()) && boundary(after) {
            return Some(at);
        }
        from = at + word.len();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_name_is_not_searched_for() {
        // A fuzzer find: `SELECT "" FROM d.m` looped here for ever.
        assert_eq!(find_word("SELECT \"\" FROM d.m", ""), None);
        assert_eq!(find_identifier("SELECT \"\" FROM d.m", ""), None);
    }

    #[test]
    fn missing_column_names() {
        assert_eq!(
            missing_column("Schema error: No field named vehiclename. Valid fields are t.a.")
                .as_deref(),
            Some("vehiclename")
        );
        assert_eq!(
            missing_column(r#"Schema error: No field named "vehicleName". Valid fields"#)
                .as_deref(),
            Some("vehicleName")
        );
    }
}
