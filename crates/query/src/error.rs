//! Query failures, and the one place they become AWS errors: analysis errors (syntax, unknown
//! names, types) are `ValidationException` with Timestream's `line L:C: ` prefix; failures while
//! running are `QueryExecutionException`.

use datafusion::error::DataFusionError;
use datafusion::sql::sqlparser::parser::ParserError;
use protocol::{AwsError, ErrorCode};

use crate::dialect::{line_col, Rewritten};

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
                        let at = find_identifier(&rewritten.sql, &column)
                            .map(|o| line_col(original, rewritten.original_offset(o)))
                            .unwrap_or((1, 1));
                        Self::Validation(format!(
                            "line {}:{}: Column '{}' does not exist",
                            at.0, at.1, column
                        ))
                    }
                    None => Self::Validation(text),
                }
            }
            DataFusionError::Plan(m) | DataFusionError::NotImplemented(m)
                if is_unplanned_subquery(m) =>
            {
                Self::Validation(UNSUPPORTED_SUBQUERY.into())
            }
            DataFusionError::Plan(m) | DataFusionError::NotImplemented(m) => {
                Self::Validation(m.clone())
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
