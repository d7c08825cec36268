//! The Timestream dialect layer: rewrites the Timestream-only syntax of a query's text into SQL
//! that DataFusion's parser understands, leaving string literals, quoted identifiers and comments
//! untouched (timestream-sql.md §1.4, §2.5):
//!
//! - `measure_value::double` (and `::bigint`, `::varchar`, `::boolean`, `::timestamp`) is a
//!   column name, not a cast: it becomes the quoted identifier `"measure_value::double"`;
//! - duration literals `15m`, `1h`, `100ms`, `2day`, `50ns` become `INTERVAL '15 minute'`, and
//!   the year-to-month ones `1year`, `1y`, `2month` become `INTERVAL '1' YEAR`,
//!   `INTERVAL '2' MONTH`. A number counts as a duration only where an expression can start
//!   (not glued to an identifier), so a table `readings-PT1M-41830d` stays a name;
//! - Trino's `VALUES 1, 2, 3` (one-column rows without parentheses) becomes
//!   `VALUES (1), (2), (3)`; after `ANY`/`ALL`/`SOME` it becomes a subquery,
//!   `ANY (SELECT * FROM (VALUES (1), (2)))`, which [`rewrite_statement`] then plans;
//! - lambdas `x -> body`, `(s, x) -> body` become marker calls `"__lambda"(x, body)` (see
//!   [`LAMBDA`]; sqlparser's GenericDialect reads `->` as a JSON operator), which
//!   [`check_lambdas`] checks and [`rewrite_statement`] turns into lambda expressions;
//! - Trino's row type `ROW(name type, …)` in a cast becomes sqlparser's `STRUCT<name type, …>`.
//!
//! Positions in the rewritten text differ from the user's; [`Rewritten::original_position`]
//! maps an error position back.
//!
//! Two passes: the lexical one over the text's tokens ([`rewrite`], rewrite_text.rs, on
//! sqlparser's tokenizer, the one the parser runs) before parsing,
//! the AST one over the parsed statement ([`rewrite_statement`], rewrite_statement.rs, with a
//! file per rewrite it applies: lambdas, quantified, row_values, select_names, single_row,
//! distinct_from_precedence). parameters.rs finds and binds query parameters, too_deep.rs
//! refuses statements nested too deep, positions.rs maps positions back.

mod aggregate_names;
mod distinct_from_precedence;
mod lambdas;
mod parameters;
mod positions;
mod quantified;
mod rewrite_statement;
mod rewrite_text;
mod row_values;
mod select_names;
mod single_row;
#[cfg(test)]
mod tests;
mod too_deep;

pub use aggregate_names::is_aggregate;
pub use lambdas::check_lambdas;
pub use parameters::{bind_parameters, parameters, Parameter};
pub use positions::{line_col, offset_of, Rewritten};
pub use rewrite_statement::rewrite_statement;
pub use rewrite_text::{rewrite, LAMBDA};
pub use single_row::SINGLE_ROW_ERROR;
pub use too_deep::too_deep;
