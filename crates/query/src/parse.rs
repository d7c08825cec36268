//! Parsing the (rewritten) query text into one statement, in time that grows with the text.
//!
//! sqlparser's GenericDialect parses a keyword-led expression (`ARRAY[…]`, `CAST(…)`, `CASE`,
//! `EXTRACT(…)`, …) as that construct first and, when that fails, backs up and parses the word
//! again as an identifier or a function call. Nested, each failure doubles the work below it:
//! 18 nested `CAST(` around a syntax error took 1.9 s in a test build, 30 would take half an
//! hour — a hundred bytes of query text could hold a worker for ever (issue 17, found by the
//! fuzzer). Trino reserves most of these words anyway.
//!
//! So a statement is parsed first with those words reserved (the dialect below: GenericDialect in
//! every other respect, including the type id sqlparser's dialect checks look at), which never
//! backs up over them. Only when that fails and the text nests such constructs at most
//! [`MAX_BACKTRACKING_DEPTH`] deep is it parsed again with GenericDialect itself, for the
//! queries that use one of the words as a name (a dimension called `position`); the error of a
//! deeper one is the first parse's.
//!
//! A parsed statement's typed literals, and the arithmetic between interval literals, are
//! checked here too, as Trino checks them when it analyses a statement ([`check_literals`],
//! [`check_interval_arithmetic`]): DataFusion's planner makes casts of the one and folds the
//! other, and what Trino refuses can no longer be told after planning.

use std::any::TypeId;

use std::ops::ControlFlow;

use datafusion::arrow::array::{Array, StringArray};
use datafusion::arrow::compute::{cast_with_options, CastOptions};
use datafusion::arrow::datatypes::{DataType, TimeUnit};
use datafusion::common::{not_impl_err, plan_datafusion_err, plan_err, DataFusionError, Result};
use datafusion::sql::parser::{DFParserBuilder, Statement as DfStatement};
use datafusion::sql::sqlparser::ast::{
    visit_expressions, BinaryOperator, DataType as SqlType, DateTimeField, Expr as SqlExpr,
    Interval, Query, SetExpr, Spanned, TimezoneInfo, TypedString, Visit, Visitor,
};
use datafusion::sql::sqlparser::dialect::{Dialect, GenericDialect};
use datafusion::sql::sqlparser::keywords::Keyword;
use datafusion::sql::sqlparser::parser::ParserError;
use datafusion::sql::sqlparser::tokenizer::{Location, Token, Tokenizer};

use crate::dialect::{line_col, offset_of};

/// The deepest nesting of keyword-led constructs a failed first parse is retried at (work up to
/// 2^10 times the text's).
const MAX_BACKTRACKING_DEPTH: usize = 10;

/// The words whose constructs sqlparser parses with a fallback.
const BACKTRACKING: &[Keyword] = &[
    Keyword::ARRAY,
    Keyword::CASE,
    Keyword::CAST,
    Keyword::CEIL,
    Keyword::CONVERT,
    Keyword::EXISTS,
    Keyword::EXTRACT,
    Keyword::FLOOR,
    Keyword::INTERVAL,
    Keyword::LAMBDA,
    Keyword::MAP,
    Keyword::MATCH,
    Keyword::OVERLAY,
    Keyword::POSITION,
    Keyword::SAFE_CAST,
    Keyword::STRUCT,
    Keyword::SUBSTR,
    Keyword::SUBSTRING,
    Keyword::TRIM,
    Keyword::TRY_CAST,
    Keyword::TRY_CONVERT,
];

/// One statement of `sql` (the dialect layer's rewrite of the user's text), its literals
/// checked. A statement nested too deeply to walk safely is refused as the parser refuses one
/// past its recursion limit, before anything walks it (`1+1+…` parses iteratively into a tree
/// 100 000 levels deep, which every recursive visitor after the parser would overflow on).
pub fn statement(sql: &str, recursion_limit: usize) -> Result<DfStatement> {
    let statement = match parse(sql, &Reserving, recursion_limit) {
        Ok(statement) => statement,
        Err(first) if backtracking_depth(sql) <= MAX_BACKTRACKING_DEPTH => {
            parse(sql, &GenericDialect {}, recursion_limit).map_err(|_| first)?
        }
        Err(first) => return Err(first),
    };
    if crate::dialect::too_deep(&statement) {
        return Err(DataFusionError::SQL(
            Box::new(ParserError::RecursionLimitExceeded),
            None,
        ));
    }
    check_literals(&statement, sql)?;
    check_interval_arithmetic(&statement, sql)?;
    check_delimited_identifiers(sql)?;
    check_select_lists(&statement, sql)?;
    Ok(statement)
}

/// Trino's grammar has no empty select list; sqlparser accepts `SELECT FROM t` (as PostgreSQL
/// does), and DataFusion's planner panics on one used as a scalar subquery (a fuzzer find:
/// `SELECT (SELECT FROM d.m)`).
fn check_select_lists(statement: &DfStatement, sql: &str) -> Result<()> {
    struct EmptySelect;
    impl Visitor for EmptySelect {
        type Break = Location;
        fn pre_visit_query(&mut self, query: &Query) -> ControlFlow<Location> {
            match empty_select(&query.body) {
                Some(at) => ControlFlow::Break(at),
                None => ControlFlow::Continue(()),
            }
        }
    }
    fn empty_select(body: &SetExpr) -> Option<Location> {
        match body {
            SetExpr::Select(select) if select.projection.is_empty() => {
                Some(select.select_token.0.span.start)
            }
            SetExpr::SetOperation { left, right, .. } => {
                empty_select(left).or_else(|| empty_select(right))
            }
            _ => None,
        }
    }
    let DfStatement::Statement(inner) = statement else {
        return Ok(());
    };
    let ControlFlow::Break(select) = inner.visit(&mut EmptySelect) else {
        return Ok(());
    };
    // Trino names the token after SELECT (and DISTINCT/ALL).
    let tokens = Tokenizer::new(&GenericDialect {}, sql)
        .tokenize_with_location()
        .unwrap_or_default();
    let after = tokens
        .iter()
        .skip_while(|t| t.span.start != select)
        .skip(1)
        .filter(|t| !matches!(t.token, Token::Whitespace(_)))
        .find(|t| {
            !matches!(&t.token, Token::Word(w) if matches!(w.keyword, Keyword::DISTINCT | Keyword::ALL))
        });
    let (line, column, text) = match after {
        Some(t) => (t.span.start.line, t.span.start.column, t.token.to_string()),
        None => (select.line, select.column, "<EOF>".to_owned()),
    };
    plan_err!(
        "line {line}:{column}: mismatched input '{text}'. Expecting: '*', 'ALL', 'DISTINCT', <expression>"
    )
}

/// Trino refuses `""` as a name when it parses; sqlparser takes it as the empty name.
fn check_delimited_identifiers(sql: &str) -> Result<()> {
    let Ok(tokens) = Tokenizer::new(&GenericDialect {}, sql).tokenize_with_location() else {
        return Ok(());
    };
    match tokens.iter().find(
        |t| matches!(&t.token, Token::Word(w) if w.quote_style == Some('"') && w.value.is_empty()),
    ) {
        Some(t) => plan_err!(
            "line {}:{}: Zero-length delimited identifier not allowed",
            t.span.start.line,
            t.span.start.column
        ),
        None => Ok(()),
    }
}

/// The two interval types of an expression made of interval literals.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum IntervalType {
    YearToMonth,
    DayToSecond,
}

impl IntervalType {
    fn name(self) -> &'static str {
        match self {
            Self::YearToMonth => "interval year to month",
            Self::DayToSecond => "interval day to second",
        }
    }
}

/// The interval type of `expr` when it is made of interval literals only (`1year + 2month`,
/// `-(1d)`), or `None`.
fn interval_type(expr: &SqlExpr) -> Option<IntervalType> {
    match expr {
        SqlExpr::Interval(interval) => match interval.leading_field.as_ref() {
            Some(
                DateTimeField::Year
                | DateTimeField::Years
                | DateTimeField::Month
                | DateTimeField::Months,
            ) => Some(IntervalType::YearToMonth),
            Some(_) => Some(IntervalType::DayToSecond),
            // The units in the text, as the dialect writes duration literals (`'15 minute'`).
            None => {
                let SqlExpr::Value(value) = interval.value.as_ref() else {
                    return None;
                };
                let text = value.value.clone().into_string()?.to_ascii_lowercase();
                let units: Vec<bool> = text
                    .split(|c: char| !c.is_ascii_alphabetic())
                    .filter(|w| !w.is_empty())
                    .map(|w| w.starts_with("year") || w.starts_with("mon"))
                    .collect();
                if units.iter().all(|&ym| ym) && !units.is_empty() {
                    Some(IntervalType::YearToMonth)
                } else if units.iter().all(|&ym| !ym) {
                    Some(IntervalType::DayToSecond)
                } else {
                    None
                }
            }
        },
        SqlExpr::Nested(inner) | SqlExpr::UnaryOp { expr: inner, .. } => interval_type(inner),
        SqlExpr::BinaryOp {
            left,
            op: BinaryOperator::Plus | BinaryOperator::Minus,
            right,
        } => match (interval_type(left)?, interval_type(right)?) {
            (l, r) if l == r => Some(l),
            _ => None,
        },
        _ => None,
    }
}

/// Trino's analysis error for `+` or `-` between the two interval types, placed at the operator
/// as Trino places it (`line 1:26: Cannot apply operator: interval year to month + interval day
/// to second`), for interval literals: DataFusion's planner adds those up into one
/// month-day-nanosecond value before their types can be told apart (type_check.rs checks the
/// other operands).
pub fn check_interval_arithmetic(statement: &DfStatement, sql: &str) -> Result<()> {
    let DfStatement::Statement(statement) = statement else {
        return Ok(());
    };
    let mut error = None;
    let _ = visit_expressions(statement.as_ref(), |expr| {
        let SqlExpr::BinaryOp { left, op, right } = expr else {
            return ControlFlow::Continue(());
        };
        let symbol = match op {
            BinaryOperator::Plus => '+',
            BinaryOperator::Minus => '-',
            _ => return ControlFlow::Continue(()),
        };
        match (interval_type(left), interval_type(right)) {
            (Some(l), Some(r)) if l != r => {
                let end = left.span().end;
                let from = offset_of(sql, end.line as usize, end.column as usize).min(sql.len());
                let position = sql[from..].find(symbol).map(|at| line_col(sql, from + at));
                error = Some((
                    position,
                    format!("Cannot apply operator: {} {op} {}", l.name(), r.name()),
                ));
                ControlFlow::Break(())
            }
            _ => ControlFlow::Continue(()),
        }
    });
    match error {
        Some((Some((line, column)), message)) => plan_err!("line {line}:{column}: {message}"),
        Some((None, message)) => plan_err!("{message}"),
        None => Ok(()),
    }
}

/// Trino's analysis errors for literals whose text is not a value of their type, placed at the
/// literal (`line 1:8: 'not a timestamp' is not a valid timestamp literal`, `'2022-13-45' is not
/// a valid date literal`, `… time literal`, and `'1.5' is not a valid interval literal` for a
/// year or month interval that is not a whole number, `1.5year` included). DataFusion plans such
/// a literal as a cast of its text, which fails only when it runs, and only if a row makes it run
/// (not in a WHERE over an empty table); a text accepted here is one that cast takes.
pub fn check_literals(statement: &DfStatement, sql: &str) -> Result<()> {
    let DfStatement::Statement(statement) = statement else {
        return Ok(());
    };
    let mut error = None;
    let _ = visit_expressions(statement.as_ref(), |expr| {
        let invalid = match expr {
            SqlExpr::TypedString(TypedString {
                data_type, value, ..
            }) => {
                let Some(text) = value.value.clone().into_string() else {
                    return ControlFlow::Continue(());
                };
                let (kind, target, text) = match data_type {
                    SqlType::Timestamp(_, TimezoneInfo::None) => (
                        "timestamp",
                        DataType::Timestamp(TimeUnit::Nanosecond, None),
                        crate::typing::complete_timestamp_text(text),
                    ),
                    SqlType::Date => ("date", DataType::Date32, text),
                    SqlType::Time(_, TimezoneInfo::None) => {
                        ("time", DataType::Time64(TimeUnit::Nanosecond), text)
                    }
                    _ => return ControlFlow::Continue(()),
                };
                (!casts_to(&text, &target)).then(|| {
                    let written = value.value.clone().into_string().unwrap_or(text);
                    (
                        keyword_start(sql, value.span.start),
                        format!("'{written}' is not a valid {kind} literal"),
                    )
                })
            }
            SqlExpr::Interval(interval) => invalid_year_to_month(interval).map(|text| {
                let start = interval.value.span().start;
                (
                    keyword_start(sql, start),
                    format!("'{text}' is not a valid interval literal"),
                )
            }),
            _ => None,
        };
        match invalid {
            Some(found) => {
                error = Some(found);
                ControlFlow::Break(())
            }
            None => ControlFlow::Continue(()),
        }
    });
    match error {
        Some(((line, column), message)) => plan_err!("line {line}:{column}: {message}"),
        None => Ok(()),
    }
}

/// Whether Arrow's cast (DataFusion's, when the query runs) takes `text` as a `target`.
fn casts_to(text: &str, target: &DataType) -> bool {
    let options = CastOptions {
        safe: false,
        ..CastOptions::default()
    };
    let array = StringArray::from(vec![text]);
    cast_with_options(&array, target, &options).is_ok_and(|a| a.null_count() == 0)
}

/// The text of a year or month interval literal that is not a whole number of them (Trino
/// takes `INTERVAL '3' YEAR`, not `INTERVAL '1.5' YEAR`; DataFusion would make that 1-6).
fn invalid_year_to_month(interval: &Interval) -> Option<String> {
    let year_or_month = matches!(
        interval.leading_field,
        Some(
            DateTimeField::Year
                | DateTimeField::Years
                | DateTimeField::Month
                | DateTimeField::Months
        )
    );
    if !year_or_month || interval.last_field.is_some() {
        return None;
    }
    let SqlExpr::Value(value) = interval.value.as_ref() else {
        return None;
    };
    let text = value.value.clone().into_string()?;
    let digits = text.trim().trim_start_matches(['+', '-']);
    let whole = !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit());
    (!whole).then_some(text)
}

/// Where the literal whose string starts at `string` begins: at its type keyword (`TIMESTAMP`,
/// `DATE`, `INTERVAL`), as Trino places the error, when only spaces come between.
fn keyword_start(sql: &str, string: Location) -> (u64, u64) {
    let at = offset_of(sql, string.line as usize, string.column as usize).min(sql.len());
    let before = sql[..at].trim_end();
    let word = before
        .char_indices()
        .rev()
        .take_while(|&(_, c)| c.is_ascii_alphabetic())
        .last()
        .map(|(i, _)| i);
    match word {
        Some(start) => {
            let (line, column) = line_col(sql, start);
            (line as u64, column as u64)
        }
        None => (string.line, string.column),
    }
}

fn parse(sql: &str, dialect: &dyn Dialect, recursion_limit: usize) -> Result<DfStatement> {
    let mut statements = DFParserBuilder::new(sql)
        .with_dialect(dialect)
        .with_recursion_limit(recursion_limit)
        .build()?
        .parse_statements()?;
    if statements.len() > 1 {
        return not_impl_err!("The context currently only supports a single SQL statement");
    }
    statements
        .pop_front()
        .ok_or_else(|| plan_datafusion_err!("No SQL statements were provided in the query string"))
}

/// How deeply keyword-led constructs nest in `sql`, read from its tokens: a backtracking word
/// followed by `(` or `[` opens one until the matching bracket, `CASE` until its `END`.
pub fn backtracking_depth(sql: &str) -> usize {
    let Ok(tokens) = Tokenizer::new(&GenericDialect {}, sql).tokenize() else {
        return 0;
    };
    let tokens: Vec<Token> = tokens
        .into_iter()
        .filter(|t| !matches!(t, Token::Whitespace(_)))
        .collect();
    // Per open bracket: whether a backtracking word opened it.
    let mut brackets: Vec<bool> = Vec::new();
    let (mut cases, mut depth, mut deepest) = (0usize, 0usize, 0usize);
    for (i, token) in tokens.iter().enumerate() {
        match token {
            Token::LParen | Token::LBracket => {
                let opened = matches!(
                    i.checked_sub(1).and_then(|p| tokens.get(p)),
                    Some(Token::Word(w)) if BACKTRACKING.contains(&w.keyword)
                );
                brackets.push(opened);
                depth += usize::from(opened);
            }
            Token::RParen | Token::RBracket => {
                depth -= usize::from(brackets.pop() == Some(true));
            }
            Token::Word(w) if w.keyword == Keyword::CASE => cases += 1,
            Token::Word(w) if w.keyword == Keyword::END => cases = cases.saturating_sub(1),
            _ => {}
        }
        deepest = deepest.max(depth + cases);
    }
    deepest
}

/// GenericDialect with the backtracking words reserved: they are never retried as names.
#[derive(Debug)]
struct Reserving;

macro_rules! generic {
    ($($name:ident),* $(,)?) => {
        $(fn $name(&self) -> bool {
            GenericDialect {}.$name()
        })*
    };
}

impl Dialect for Reserving {
    /// sqlparser's `dialect_of!` checks compare this id: every GenericDialect rule applies.
    fn dialect(&self) -> TypeId {
        TypeId::of::<GenericDialect>()
    }

    fn is_reserved_for_identifier(&self, keyword: Keyword) -> bool {
        BACKTRACKING.contains(&keyword) || GenericDialect {}.is_reserved_for_identifier(keyword)
    }

    fn is_delimited_identifier_start(&self, ch: char) -> bool {
        GenericDialect {}.is_delimited_identifier_start(ch)
    }

    fn is_identifier_start(&self, ch: char) -> bool {
        GenericDialect {}.is_identifier_start(ch)
    }

    fn is_identifier_part(&self, ch: char) -> bool {
        GenericDialect {}.is_identifier_part(ch)
    }

    // Every other rule GenericDialect overrides (sqlparser 0.62's generic.rs).
    generic!(
        supports_unicode_string_literal,
        supports_partition_by_after_order_by,
        supports_array_join_syntax,
        supports_group_by_expr,
        supports_group_by_with_modifier,
        supports_left_associative_joins_without_parens,
        supports_connect_by,
        supports_match_recognize,
        supports_pipe_operator,
        supports_start_transaction_modifier,
        supports_window_function_null_treatment_arg,
        supports_dictionary_syntax,
        supports_window_clause_named_window_reference,
        supports_parenthesized_set_variables,
        supports_select_wildcard_except,
        support_map_literal_syntax,
        allow_extract_custom,
        allow_extract_single_quotes,
        supports_extract_comma_syntax,
        supports_create_view_comment_syntax,
        supports_parens_around_table_factor,
        supports_values_as_table_factor,
        supports_create_index_with_clause,
        supports_explain_with_utility_options,
        supports_limit_comma,
        supports_update_order_by,
        supports_from_first_select,
        supports_projection_trailing_commas,
        supports_asc_desc_in_column_definition,
        supports_try_convert,
        supports_bitwise_shift_operators,
        supports_comment_on,
        supports_load_extension,
        supports_named_fn_args_with_assignment_operator,
        supports_struct_literal,
        supports_empty_projections,
        supports_nested_comments,
        supports_multiline_comment_hints,
        supports_user_host_grantee,
        supports_string_escape_constant,
        supports_array_typedef_with_brackets,
        supports_match_against,
        supports_set_names,
        supports_comma_separated_set_assignments,
        supports_filter_during_aggregation,
        supports_select_wildcard_exclude,
        supports_data_type_signed_suffix,
        supports_interval_options,
        supports_quote_delimited_string,
        supports_select_wildcard_replace,
        supports_select_wildcard_ilike,
        supports_select_wildcard_rename,
        supports_optimize_table,
        supports_install,
        supports_detach,
        supports_prewhere,
        supports_with_fill,
        supports_limit_by,
        supports_interpolate,
        supports_settings,
        supports_select_format,
        supports_comment_optimizer_hint,
        supports_constraint_keyword_without_name,
        supports_key_column_option,
        supports_comma_separated_trim,
        supports_cte_without_as,
        supports_select_item_multi_column_alias,
        supports_xml_expressions,
    );
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::time::{Duration, Instant};

    use super::*;

    #[test]
    fn nested_constructs_around_an_error_fail_at_once() {
        for (open, close) in [("ARRAY[", "]"), ("CAST(", " AS INT)"), ("floor(", ")")] {
            let sql = format!("SELECT {}1 +{}", open.repeat(40), close.repeat(40));
            let started = Instant::now();
            assert!(statement(&sql, 1000).is_err());
            assert!(
                started.elapsed() < Duration::from_secs(2),
                "{open}: {:?}",
                started.elapsed()
            );
        }
    }

    #[test]
    fn the_words_still_work_as_names_in_simple_statements() {
        let s = statement("SELECT position, floor FROM d.t WHERE position > 1", 1000);
        assert!(s.is_ok(), "{s:?}");
        let deep = format!("SELECT {}1{}", "ARRAY[".repeat(99), "]".repeat(99));
        assert!(statement(&deep, 1000).is_ok());
    }

    #[test]
    fn depth_counts_only_keyword_led_brackets_and_case() {
        assert_eq!(backtracking_depth("SELECT ((1))"), 0);
        assert_eq!(backtracking_depth("SELECT ARRAY[CAST(x AS INT), (1)]"), 2);
        assert_eq!(
            backtracking_depth("SELECT CASE WHEN a THEN CASE b WHEN 1 THEN 2 END END"),
            2
        );
    }
}
