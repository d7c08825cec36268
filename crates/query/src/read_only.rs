//! Timestream SQL is read-only (timestream-sql.md §4.1): `Query` accepts SELECT (with WITH, set
//! operations, VALUES) and the metadata statements, which [`crate::metadata`] answers before
//! anything is parsed here. DataFusion's parser and planner know far more: `COPY … TO 'path'`,
//! `CREATE EXTERNAL TABLE … LOCATION`, `INSERT`, `SET`, `EXPLAIN`; several of them read or write
//! the host's files as the server's user. Three independent guards keep them out, so that no one
//! oversight opens the file system again:
//!
//! 1. [`check_statement`]: only a query statement is planned; anything else is the syntax error
//!    Timestream's grammar gives at its first word.
//! 2. [`check_plan`]: the logical plan has no DDL, DML or statement node (DataFusion's own
//!    `SQLOptions` verifier), wherever it is nested.
//! 3. The session template has no table factories, file formats or table functions
//!    ([`crate::run`]), so even a plan that got through could not name a file.

use datafusion::execution::context::SQLOptions;
use datafusion::logical_expr::LogicalPlan;
use datafusion::sql::parser::Statement as DfStatement;
use datafusion::sql::sqlparser::ast::Statement;
use datafusion::sql::sqlparser::dialect::GenericDialect;
use datafusion::sql::sqlparser::tokenizer::{Token, Tokenizer};

use crate::Error;

/// What a statement of `Query` may start with, as Trino lists expected tokens.
const EXPECTING: &str = "'(', 'DESCRIBE', 'SELECT', 'SHOW', 'UNLOAD', 'VALUES', 'WITH'";

/// Accepts a query statement; anything else answers `line L:C: mismatched input 'WORD'.
/// Expecting: …` at the first token of `query` (the user's text).
pub fn check_statement(statement: &DfStatement, query: &str) -> Result<(), Error> {
    match statement {
        DfStatement::Statement(s) if matches!(s.as_ref(), Statement::Query(_)) => Ok(()),
        // An UNLOAD has become its SELECT (crate::unload::take) before this check.
        _ => Err(not_a_query(query)),
    }
}

/// Refuses a plan that defines, changes or writes anything, or sets session options.
pub fn check_plan(plan: &LogicalPlan, query: &str) -> Result<(), Error> {
    SQLOptions::new()
        .with_allow_ddl(false)
        .with_allow_dml(false)
        .with_allow_statements(false)
        .verify_plan(plan)
        .map_err(|_| not_a_query(query))
}

fn not_a_query(query: &str) -> Error {
    let first = Tokenizer::new(&GenericDialect {}, query)
        .tokenize_with_location()
        .ok()
        .and_then(|tokens| {
            tokens
                .into_iter()
                .find(|t| !matches!(t.token, Token::Whitespace(_)))
        });
    let (line, column, text) = match first {
        Some(t) => (t.span.start.line, t.span.start.column, t.token.to_string()),
        None => (1, 1, "<EOF>".to_owned()),
    };
    Error::Validation(format!(
        "line {line}:{column}: mismatched input '{text}'. Expecting: {EXPECTING}"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_error_names_the_first_word_after_comments_and_blank_lines() {
        let Error::Validation(m) = not_a_query("-- a comment\n\n  COPY (SELECT 1) TO '/tmp/x'")
        else {
            panic!("not a validation error")
        };
        assert_eq!(
            m,
            format!("line 3:3: mismatched input 'COPY'. Expecting: {EXPECTING}")
        );
    }
}
