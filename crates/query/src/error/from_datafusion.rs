//! DataFusion's errors as AWS's, in one match on the root cause.
//!
//! What DataFusion reports as data is read as data: the variant (`SchemaError::FieldNotFound`,
//! `SchemaError::AmbiguousReference`, `ParserError::RecursionLimitExceeded`, `ArrowError::
//! DivideByZero`), the column it names, and the [`Diagnostic`] span it attaches (the planner
//! records spans: `sql_parser.collect_spans`), which places the error where the user wrote the
//! name rather than where the name first occurs. DataFusion 55 words the rest of its planning
//! errors as `Plan(String)` with nothing structured to tell them apart; those are recognised in
//! one place, [`library_text`](super::library_text), whose tests raise each through DataFusion
//! itself, so that an upgrade rewording one fails there instead of changing what clients read.
//!
//! [`Diagnostic`]: datafusion::common::Diagnostic

use datafusion::common::{Column, SchemaError, Span, TableReference};
use datafusion::error::DataFusionError;
use datafusion::sql::sqlparser::parser::ParserError;

use super::{library_text, Error};
use crate::dialect::{line_col, Rewritten};

/// Classifies `e`, an error of the query `original` (rewritten as `rewritten`).
pub(super) fn classify(e: &DataFusionError, original: &str, rewritten: &Rewritten) -> Error {
    let places = Places {
        original,
        rewritten,
    };
    // The outermost diagnostic describes the root cause's place (DataFusion attaches one where
    // the failing expression was planned); `find_root` looks through contexts, shared errors
    // and collections (whose first error DataFusion reports).
    let diagnostic = e.diagnostic();
    let span = diagnostic.and_then(|d| d.span);
    match e.find_root() {
        DataFusionError::SQL(err, _) => match err.as_ref() {
            ParserError::RecursionLimitExceeded => {
                Error::Validation(crate::run::STATEMENT_TOO_LARGE.into())
            }
            ParserError::ParserError(message) | ParserError::TokenizerError(message) => {
                Error::Validation(library_text::parser_error(message, &places))
            }
        },
        DataFusionError::SchemaError(err, _) => schema_error(err, span, &places),
        DataFusionError::Plan(m) | DataFusionError::NotImplemented(m) => {
            // Our own checks (typing, lambdas) place their errors in the rewritten text.
            if let Some((l, c, rest)) = leading_position(m) {
                let (l, c) = places.line_col(l, c);
                return Error::Validation(format!("line {l}:{c}: {rest}"));
            }
            Error::Validation(
                library_text::plan_error(m, diagnostic, &places).unwrap_or_else(|| m.clone()),
            )
        }
        DataFusionError::ArrowError(err, _) => match err.as_ref() {
            datafusion::arrow::error::ArrowError::DivideByZero => {
                Error::Execution("Division by zero".into())
            }
            other => Error::Execution(other.to_string()),
        },
        // An engine error met while scanning, our UDFs' run-time errors and DataFusion's own
        // are the query's failure, worded by whoever raised it.
        DataFusionError::External(inner) => Error::Execution(inner.to_string()),
        DataFusionError::Execution(m) => Error::Execution(m.clone()),
        other @ (DataFusionError::IoError(_)
        | DataFusionError::ObjectStore(_)
        | DataFusionError::Internal(_)
        | DataFusionError::Configuration(_)
        | DataFusionError::ExecutionJoin(_)
        | DataFusionError::ResourcesExhausted(_)
        | DataFusionError::Context(..)
        | DataFusionError::Substrait(_)
        | DataFusionError::Diagnostic(..)
        | DataFusionError::Collection(_)
        | DataFusionError::Shared(_)
        | DataFusionError::Ffi(_)) => Error::Execution(other.to_string()),
    }
}

/// A schema error: the column DataFusion could not resolve, named as the user wrote it.
fn schema_error(err: &SchemaError, span: Option<Span>, places: &Places) -> Error {
    match err {
        SchemaError::FieldNotFound { field, .. } => {
            let at = places
                .span(span)
                .or_else(|| places.identifier(first_part(field)));
            Error::Validation(located(
                at,
                format!("Column '{}' does not exist", written_name(field)),
            ))
        }
        SchemaError::AmbiguousReference { field } => {
            let at = places.span(span).or_else(|| places.identifier(&field.name));
            Error::Validation(located(at, format!("Column '{}' is ambiguous", field.name)))
        }
        // Trino has no counterpart (it accepts the duplicate names DataFusion refuses):
        // DataFusion's own text.
        SchemaError::DuplicateQualifiedField { .. }
        | SchemaError::DuplicateUnqualifiedField { .. } => Error::Validation(err.to_string()),
    }
}

/// `c`, `m.c` or `d.m.c`, as the reference was written.
fn written_name(column: &Column) -> String {
    match &column.relation {
        None => column.name.clone(),
        Some(_) => column.flat_name(),
    }
}

/// The first identifier of the reference (the qualifier's first part when qualified).
fn first_part(column: &Column) -> &str {
    match &column.relation {
        None => &column.name,
        Some(TableReference::Bare { table }) => table,
        Some(TableReference::Partial { schema, .. }) => schema,
        Some(TableReference::Full { catalog, .. }) => catalog,
    }
}

/// `line L:C: text` where the place is known, else `text`.
pub(super) fn located(at: Option<(usize, usize)>, text: String) -> String {
    match at {
        Some((line, col)) => format!("line {line}:{col}: {text}"),
        None => text,
    }
}

/// `line L:C: rest` → `(L, C, rest)`: the position our own planning checks put first in their
/// `Plan` errors, in the rewritten text's coordinates.
fn leading_position(message: &str) -> Option<(usize, usize, &str)> {
    let rest = message.strip_prefix("line ")?;
    let (position, rest) = rest.split_once(": ")?;
    let (l, c) = position.split_once(':')?;
    Some((l.parse().ok()?, c.parse().ok()?, rest))
}

/// Places in the rewritten text (where DataFusion sees the query) as the user's line and column.
pub(super) struct Places<'a> {
    original: &'a str,
    rewritten: &'a Rewritten,
}

impl Places<'_> {
    /// The user's (line, column) for a 1-based (line, column) in the rewritten text.
    pub(super) fn line_col(&self, line: usize, col: usize) -> (usize, usize) {
        self.rewritten.original_line_col(self.original, line, col)
    }

    /// Where a span DataFusion attached starts; none for the empty span of a node our rewrites
    /// made.
    pub(super) fn span(&self, span: Option<Span>) -> Option<(usize, usize)> {
        let start = span?.start;
        let (line, col) = (
            usize::try_from(start.line).ok()?,
            usize::try_from(start.column).ok()?,
        );
        (line > 0 && col > 0).then(|| self.line_col(line, col))
    }

    /// Where `name` is first written as an identifier, for the errors that carry no span: at
    /// its opening quote when quoted (Trino points at the token), else at the word.
    pub(super) fn identifier(&self, name: &str) -> Option<(usize, usize)> {
        let sql = &self.rewritten.sql;
        find_identifier(sql, name)
            .map(|o| line_col(self.original, self.rewritten.original_offset(o)))
    }

    /// The rewritten text, for the few errors only its words tell apart.
    pub(super) fn sql(&self) -> &str {
        &self.rewritten.sql
    }
}

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
    fn a_column_is_named_as_written() {
        assert_eq!(
            written_name(&Column::from_name("vehicleName")),
            "vehicleName"
        );
        let qualified = Column::new(Some(TableReference::bare("m")), "nope");
        assert_eq!(written_name(&qualified), "m.nope");
        assert_eq!(first_part(&qualified), "m");
    }
}
