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

use std::ops::ControlFlow;

use datafusion::common::{plan_err, Result};
use datafusion::sql::parser::Statement as DfStatement;
use datafusion::sql::sqlparser::ast::{
    visit_expressions, visit_expressions_mut, AccessExpr, BinaryOperator, DateTimeField,
    Expr as SqlExpr, Function, FunctionArg, FunctionArgExpr, FunctionArgumentList,
    FunctionArguments, GroupByExpr, Ident, Interval, LambdaFunction, LambdaFunctionParameter,
    LambdaSyntax, ObjectName, ObjectNamePart, OneOrManyWithParens, OrderBy, OrderByKind, Query,
    SelectItem, SetExpr, Spanned, Subscript, TableFactor, Value, Visit, VisitMut, Visitor,
    VisitorMut,
};
use datafusion::sql::sqlparser::dialect::GenericDialect;
use datafusion::sql::sqlparser::parser::Parser;

/// The rewritten query and the edits made, to map positions back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rewritten {
    pub sql: String,
    /// (offset in rewritten text, offset in original text), one per edit, ascending.
    edits: Vec<(usize, usize)>,
}

const MEASURE_VALUE_TYPES: [&str; 5] = ["double", "bigint", "varchar", "boolean", "timestamp"];

/// Duration units: the short and long spellings Timestream accepts, and DataFusion's word.
const UNITS: [(&str, &str); 14] = [
    ("ns", "nanosecond"),
    ("nanosecond", "nanosecond"),
    ("us", "microsecond"),
    ("microsecond", "microsecond"),
    ("ms", "millisecond"),
    ("millisecond", "millisecond"),
    ("s", "second"),
    ("second", "second"),
    ("m", "minute"),
    ("minute", "minute"),
    ("h", "hour"),
    ("hour", "hour"),
    ("d", "day"),
    ("day", "day"),
];

/// The units of `interval year to month` duration literals (`1year` is `1-0`, `8month` is
/// `0-8`; timestream-functions.md §9.1) and their SQL interval field.
const YEAR_MONTH_UNITS: [(&str, &str); 3] = [("y", "YEAR"), ("year", "YEAR"), ("month", "MONTH")];

fn is_ident_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Words that end a `VALUES` list written at the list's own parenthesis depth.
const VALUES_END: [&str; 8] = [
    "ORDER",
    "LIMIT",
    "OFFSET",
    "FETCH",
    "UNION",
    "INTERSECT",
    "EXCEPT",
    "AS",
];

/// A `VALUES` list being read: the parenthesis depth of its rows, whether the next token
/// starts a row, and whether the current row got an opening parenthesis from us.
struct ValuesList {
    depth: usize,
    row_start: bool,
    wrapped: bool,
    /// The list got `SELECT * FROM (` in front of it, to be closed with it.
    as_subquery: bool,
}

pub fn rewrite(sql: &str) -> Rewritten {
    let chars: Vec<(usize, char)> = sql.char_indices().collect();
    let mut out = String::with_capacity(sql.len() + 16);
    let mut edits = Vec::new();
    let mut depth = 0usize;
    // Square brackets (`ARRAY[a, b]`, `x[i]`) open, for the lambdas.
    let mut brackets = 0usize;
    // The open lambdas, innermost last: the parenthesis (and bracket) depth of the argument
    // list each one is an argument of (its body ends at a `,` or `)` at that depth).
    let mut lambdas: Vec<(usize, usize)> = Vec::new();
    // The open `ROW(…)` types, innermost last: the depth inside each one's parenthesis.
    let mut row_types: Vec<usize> = Vec::new();
    let mut values: Option<ValuesList> = None;
    let mut i = 0;
    while i < chars.len() {
        let (pos, c) = chars[i];
        let prev_is_ident = i > 0 && (is_ident_char(chars[i - 1].1) || chars[i - 1].1 == '.');
        if let Some(list) = values.as_mut().filter(|l| l.depth == depth) {
            let word_end = sql[pos..]
                .find(|ch: char| !is_ident_char(ch))
                .map_or(sql.len(), |e| pos + e);
            let ends_list = c == ')'
                || !prev_is_ident
                    && VALUES_END
                        .iter()
                        .any(|w| w.eq_ignore_ascii_case(&sql[pos..word_end]));
            if ends_list || c == ',' {
                if list.wrapped {
                    edits.push((out.len(), pos));
                    out.push(')');
                    edits.push((out.len(), pos));
                    list.wrapped = false;
                }
                list.row_start = c == ',';
                if ends_list {
                    if list.as_subquery {
                        edits.push((out.len(), pos));
                        out.push(')');
                        edits.push((out.len(), pos));
                    }
                    values = None;
                }
            } else if list.row_start && !c.is_whitespace() {
                list.row_start = false;
                if c != '(' {
                    edits.push((out.len(), pos));
                    out.push('(');
                    edits.push((out.len(), pos));
                    list.wrapped = true;
                }
            }
        }
        // String literals, quoted identifiers, comments: copied verbatim.
        let closing = match c {
            '\'' => Some('\''),
            '"' => Some('"'),
            _ => None,
        };
        if let Some(close) = closing {
            let start = i;
            i += 1;
            while i < chars.len() {
                if chars[i].1 == close {
                    if chars.get(i + 1).map(|c| c.1) == Some(close) {
                        i += 2;
                        continue;
                    }
                    i += 1;
                    break;
                }
                i += 1;
            }
            out.push_str(&sql[pos..chars.get(i).map_or(sql.len(), |c| c.0)]);
            let _ = start;
            continue;
        }
        if c == '-' && chars.get(i + 1).map(|c| c.1) == Some('-') {
            while i < chars.len() && chars[i].1 != '\n' {
                out.push(chars[i].1);
                i += 1;
            }
            continue;
        }
        if c == '/' && chars.get(i + 1).map(|c| c.1) == Some('*') {
            let end = sql[pos + 2..]
                .find("*/")
                .map_or(sql.len(), |e| pos + 2 + e + 2);
            out.push_str(&sql[pos..end]);
            while i < chars.len() && chars[i].0 < end {
                i += 1;
            }
            continue;
        }
        // Lambda `params -> body` (Timestream has no JSON `->`): `"__lambda"(params, body)`.
        if c == '-' && chars.get(i + 1).map(|c| c.1) == Some('>') {
            if let Some((start, parenthesized)) = lambda_params(&out) {
                let params = out[start..].trim_end().to_owned();
                let params = if parenthesized {
                    &params[1..params.len() - 1]
                } else {
                    &params[..]
                };
                let params_at = original_offset(&edits, start) + usize::from(parenthesized);
                edits.retain(|&(new, _)| new < start);
                out.truncate(start);
                edits.push((out.len(), params_at - usize::from(parenthesized)));
                out.push('"');
                out.push_str(LAMBDA);
                out.push_str("\"(");
                edits.push((out.len(), params_at));
                out.push_str(params);
                edits.push((out.len(), pos));
                out.push(',');
                edits.push((out.len(), pos + 2));
                lambdas.push((depth, brackets));
                i += 2;
                continue;
            }
        }
        // Trino's row type `ROW(name type, …)` (after `AS` in a cast, or as a field's type in
        // one) is sqlparser's `STRUCT<name type, …>`.
        if !prev_is_ident && matches!(c, 'r' | 'R') {
            let nested = !row_types.is_empty() && row_types.last() == Some(&depth);
            if let Some(open) = row_type_open(&sql[pos..], &out, nested) {
                edits.push((out.len(), pos));
                out.push_str("STRUCT<");
                edits.push((out.len(), pos + open));
                depth += 1;
                row_types.push(depth);
                while i < chars.len() && chars[i].0 < pos + open {
                    i += 1;
                }
                continue;
            }
        }
        if c == ')' && !row_types.is_empty() && row_types.last() == Some(&depth) {
            row_types.pop();
            depth -= 1;
            edits.push((out.len(), pos));
            out.push('>');
            edits.push((out.len(), pos + 1));
            i += 1;
            continue;
        }
        if matches!(c, ',' | ')') {
            while lambdas.last() == Some(&(depth, brackets)) {
                lambdas.pop();
                edits.push((out.len(), pos));
                out.push(')');
                edits.push((out.len(), pos));
            }
        }
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            '[' => brackets += 1,
            ']' => brackets = brackets.saturating_sub(1),
            _ => {}
        }
        if !prev_is_ident
            && sql.len() >= pos + 6
            && sql.is_char_boundary(pos + 6)
            && sql[pos..pos + 6].eq_ignore_ascii_case("values")
            && !sql[pos + 6..].starts_with(is_ident_char)
        {
            let before = out.trim_end();
            let as_subquery = before.ends_with('(') && {
                let word = before[..before.len() - 1].trim_end();
                let start = word
                    .char_indices()
                    .rev()
                    .find(|&(_, ch)| !is_ident_char(ch))
                    .map_or(0, |(s, ch)| s + ch.len_utf8());
                ["ANY", "ALL", "SOME"]
                    .iter()
                    .any(|q| q.eq_ignore_ascii_case(&word[start..]))
            };
            if as_subquery {
                edits.push((out.len(), pos));
                out.push_str("SELECT * FROM (");
                edits.push((out.len(), pos));
            }
            out.push_str(&sql[pos..pos + 6]);
            i += 6;
            values = Some(ValuesList {
                depth,
                row_start: true,
                wrapped: false,
                as_subquery,
            });
            continue;
        }
        // TRIM(BOTH|LEADING|TRAILING FROM x), Trino's form without characters, which
        // sqlparser does not parse: the whitespace-trimming function of that side.
        if !prev_is_ident && matches!(c, 't' | 'T') {
            if let Some((len, function)) = trim_without_characters(&sql[pos..]) {
                edits.push((out.len(), pos));
                out.push_str(function);
                edits.push((out.len(), pos + len));
                depth += 1;
                while i < chars.len() && chars[i].0 < pos + len {
                    i += 1;
                }
                continue;
            }
        }
        // measure_value::<type>, also qualified (`c.measure_value::double`)
        let prev_is_word = i > 0 && is_ident_char(chars[i - 1].1);
        if !prev_is_word && sql[pos..].starts_with("measure_value::") {
            let rest = &sql[pos + "measure_value::".len()..];
            let ty = MEASURE_VALUE_TYPES.iter().find(|t| {
                rest.get(..t.len())
                    .is_some_and(|r| r.eq_ignore_ascii_case(t))
                    && !rest
                        .get(t.len()..)
                        .and_then(|r| r.chars().next())
                        .is_some_and(is_ident_char)
            });
            if let Some(ty) = ty {
                let len = "measure_value::".len() + ty.len();
                edits.push((out.len(), pos));
                out.push_str(&format!("\"measure_value::{ty}\""));
                edits.push((out.len(), pos + len));
                while i < chars.len() && chars[i].0 < pos + len {
                    i += 1;
                }
                continue;
            }
        }
        // Duration literal: digits [. digits] unit, not glued to an identifier.
        if c.is_ascii_digit() && !prev_is_ident {
            let mut j = i;
            while j < chars.len() && chars[j].1.is_ascii_digit() {
                j += 1;
            }
            if j < chars.len()
                && chars[j].1 == '.'
                && chars.get(j + 1).is_some_and(|c| c.1.is_ascii_digit())
            {
                j += 1;
                while j < chars.len() && chars[j].1.is_ascii_digit() {
                    j += 1;
                }
            }
            let mut k = j;
            while k < chars.len() && is_ident_char(chars[k].1) {
                k += 1;
            }
            let number = &sql[pos..chars.get(j).map_or(sql.len(), |c| c.0)];
            let unit_text = &sql
                [chars.get(j).map_or(sql.len(), |c| c.0)..chars.get(k).map_or(sql.len(), |c| c.0)];
            let day_to_second = UNITS
                .iter()
                .find(|(u, _)| u.eq_ignore_ascii_case(unit_text))
                .map(|(_, unit)| format!("INTERVAL '{number} {unit}'"));
            // The SQL form with its field, which says "year to month" however many months.
            let year_to_month = YEAR_MONTH_UNITS
                .iter()
                .find(|(u, _)| u.eq_ignore_ascii_case(unit_text))
                .map(|(_, field)| format!("INTERVAL '{number}' {field}"));
            if let Some(interval) = day_to_second.or(year_to_month) {
                let end = chars.get(k).map_or(sql.len(), |c| c.0);
                edits.push((out.len(), pos));
                out.push_str(&interval);
                edits.push((out.len(), end));
                i = k;
                continue;
            }
            // An ordinary number (or something like 1e5): copy up to the end of the token.
            out.push_str(&sql[pos..chars.get(k).map_or(sql.len(), |c| c.0)]);
            i = k;
            continue;
        }
        out.push(c);
        i += 1;
    }
    if !lambdas.is_empty() {
        edits.push((out.len(), sql.len()));
        for _ in lambdas.drain(..) {
            out.push(')');
        }
    }
    if let Some(list) = values {
        edits.push((out.len(), sql.len()));
        if list.wrapped {
            out.push(')');
        }
        if list.as_subquery {
            out.push(')');
        }
    }
    Rewritten { sql: out, edits }
}

/// `TRIM ( BOTH|LEADING|TRAILING FROM` at the start of `text` (any case and spacing): its
/// length and the call that replaces it (`trim(`, `ltrim(`, `rtrim(`).
fn trim_without_characters(text: &str) -> Option<(usize, &'static str)> {
    let word = |s: &str| s.find(|c: char| !is_ident_char(c)).unwrap_or(s.len());
    let end = word(text);
    if !text[..end].eq_ignore_ascii_case("trim") {
        return None;
    }
    let rest = text[end..].trim_start().strip_prefix('(')?.trim_start();
    let end = word(rest);
    let function = match rest[..end].to_ascii_uppercase().as_str() {
        "BOTH" => "trim(",
        "LEADING" => "ltrim(",
        "TRAILING" => "rtrim(",
        _ => return None,
    };
    let after = &rest[end..];
    let rest = after.trim_start();
    let end = word(rest);
    if rest.len() == after.len() || !rest[..end].eq_ignore_ascii_case("from") {
        return None;
    }
    Some((text.len() - rest[end..].len(), function))
}

/// The name of the call a lambda becomes in the rewritten text: `x -> body` is
/// `"__lambda"(x, body)`, `(a, b) -> body` is `"__lambda"(a, b, body)`; [`rewrite_statement`]
/// turns these calls into lambda expressions.
pub const LAMBDA: &str = "__lambda";

/// Where the parameters of a lambda start when `out` ends with them (the `->` comes next): a
/// single identifier `x` or a parenthesized list `(a, b)` of one or more identifiers (plain or
/// double-quoted); whether they are parenthesized. `None` when `out` ends otherwise (the `->`
/// is then left to the parser, which rejects it).
fn lambda_params(out: &str) -> Option<(usize, bool)> {
    let text = out.trim_end();
    if let Some(inside) = text.strip_suffix(')') {
        let open = inside.rfind('(')?;
        let params = &inside[open + 1..];
        if !params.split(',').all(|p| is_identifier(p.trim())) {
            return None;
        }
        // `f(a) ->` is a call's argument list, not parameters.
        let before = text[..open].trim_end();
        if before.ends_with(|c: char| is_ident_char(c) || matches!(c, '"' | ')' | ']')) {
            return None;
        }
        return Some((open, true));
    }
    let start = if let Some(quoted) = text.strip_suffix('"') {
        quoted.rfind('"')?
    } else {
        text.char_indices()
            .rev()
            .find(|&(_, c)| !is_ident_char(c))
            .map_or(0, |(at, c)| at + c.len_utf8())
    };
    let ok = is_identifier(&text[start..]) && !text[..start].ends_with('.');
    ok.then_some((start, false))
}

/// The length of `ROW (` at the start of `text` when it opens a row type: after the keyword `AS`
/// (a cast's target type) or, `nested`, as a field's type inside one, with field definitions
/// `name type, …` up to its closing parenthesis (a column alias list `AS row(a, b)` has no
/// types).
fn row_type_open(text: &str, out: &str, nested: bool) -> Option<usize> {
    let word_end = text.find(|c: char| !is_ident_char(c)).unwrap_or(text.len());
    if !text[..word_end].eq_ignore_ascii_case("row") {
        return None;
    }
    let rest = text[word_end..].trim_start();
    let open = text.len() - rest.len() + 1;
    let inner = rest.strip_prefix('(')?;
    let before = out.trim_end();
    let after_as = before
        .len()
        .checked_sub(2)
        .and_then(|at| Some((before.get(at..)?, before.get(..at)?)))
        .is_some_and(|(word, rest)| {
            word.eq_ignore_ascii_case("as") && !rest.ends_with(is_ident_char)
        });
    if !(after_as || nested) {
        return None;
    }
    // The field definitions, split at the commas outside parentheses.
    let mut depth = 0usize;
    let mut fields = Vec::new();
    let mut start = 0;
    let mut end = None;
    for (i, c) in inner.char_indices() {
        match c {
            '(' => depth += 1,
            ')' if depth == 0 => {
                end = Some(i);
                break;
            }
            ')' => depth -= 1,
            ',' if depth == 0 => {
                fields.push(&inner[start..i]);
                start = i + 1;
            }
            '\'' => return None,
            _ => {}
        }
    }
    fields.push(&inner[start..end?]);
    let typed = |field: &str| {
        let field = field.trim();
        let name_end = match field.strip_prefix('"') {
            Some(quoted) => quoted.find('"').map(|e| e + 2),
            None => field.find(char::is_whitespace),
        };
        name_end.is_some_and(|e| is_identifier(&field[..e]) && !field[e..].trim().is_empty())
    };
    fields.iter().all(|f| typed(f)).then_some(open)
}

/// `x`, `_x1` or `"any text"`: a name a lambda parameter may have.
fn is_identifier(text: &str) -> bool {
    if let Some(quoted) = text.strip_prefix('"').and_then(|t| t.strip_suffix('"')) {
        return !quoted.is_empty() && !quoted.contains('"');
    }
    let mut chars = text.chars();
    chars.next().is_some_and(|c| c.is_alphabetic() || c == '_') && chars.all(is_ident_char)
}

/// The offset in the original text of `rewritten`, an offset in the rewritten text, by the
/// edits made so far.
fn original_offset(edits: &[(usize, usize)], rewritten: usize) -> usize {
    let mut delta: isize = 0;
    for &(new, old) in edits {
        if new > rewritten {
            break;
        }
        delta = old as isize - new as isize;
    }
    (rewritten as isize + delta).max(0) as usize
}

/// Rewrites of the parsed statement, for what Timestream accepts and DataFusion does not plan:
/// - quantified comparisons `x op ANY|SOME|ALL (subquery)` become a scalar subquery with
///   Trino's three-valued result (true / false, NULL when no comparison decides and one was
///   NULL; ANY of no rows is false, ALL of no rows is true); with a column on the left, the
///   subquery's extremes decide in uncorrelated subqueries (`= ANY` / `<> ALL` become IN /
///   NOT IN);
/// - `a IS [NOT] DISTINCT FROM b AND c` is `(a IS [NOT] DISTINCT FROM b) AND c`;
/// - a scalar subquery without an aggregate answers its one value through an aggregate (see
///   [`single_row`]), which DataFusion can decorrelate;
/// - select items get unique names, as DataFusion requires: an unnamed expression is named
///   `_col<N>` as Timestream names it, a repeated name gets a hidden suffix (the result columns
///   keep the user's names, taken before this rewrite);
/// - the bare keywords `localtime` and `localtimestamp` are `current_time()` and
///   `current_timestamp()` (everything is UTC);
/// - a zero year-to-month interval is typed as one (see [`ZERO_YEAR_TO_MONTH`]);
/// - VALUES items that are row constructors are rows of their fields (see `RowValues`), and an
///   output alias named like a qualified input column in ORDER BY is renamed (see
///   `order_by_input_columns`);
/// - the lambda marker calls of [`rewrite`] become lambda expressions (see `Lambdas`).
pub fn rewrite_statement(statement: &mut DfStatement) {
    let DfStatement::Statement(statement) = statement else {
        return;
    };
    let _ = statement.visit(&mut RowValues);
    let _ = statement.visit(&mut UniqueSelectNames::default());
    let _ = visit_expressions_mut(statement.as_mut(), |expr| {
        let replacement = match expr {
            SqlExpr::AnyOp {
                left,
                compare_op,
                right,
                ..
            } => quantified(left, compare_op, right, false),
            SqlExpr::AllOp {
                left,
                compare_op,
                right,
            } => quantified(left, compare_op, right, true),
            SqlExpr::Interval(interval) if is_zero_year_to_month(interval) => {
                Parser::new(&GenericDialect {})
                    .try_with_sql(ZERO_YEAR_TO_MONTH)
                    .and_then(|mut p| p.parse_expr())
                    .ok()
            }
            SqlExpr::IsDistinctFrom(_, right) | SqlExpr::IsNotDistinctFrom(_, right)
                if is_and_or(right) =>
            {
                Some(distinct_from_precedence(expr.clone()))
            }
            // sqlparser reads these keywords as calls without arguments.
            SqlExpr::Function(f) => {
                let function = match f.name.to_string().to_ascii_lowercase().as_str() {
                    "localtime" => "current_time()",
                    "localtimestamp" => "current_timestamp()",
                    _ => return ControlFlow::Continue(()),
                };
                Parser::new(&GenericDialect {})
                    .try_with_sql(function)
                    .and_then(|mut p| p.parse_expr())
                    .ok()
            }
            _ => None,
        };
        if let Some(replacement) = replacement {
            *expr = replacement;
        }
        ControlFlow::<()>::Continue(())
    });
    // After the quantified comparisons, whose subqueries are not scalar ones.
    let _ = visit_expressions_mut(statement.as_mut(), |expr| {
        if let SqlExpr::Subquery(query) = expr {
            if let Some(replacement) = single_row(query) {
                *expr = replacement;
            }
        }
        ControlFlow::<()>::Continue(())
    });
    // Last: the rewrites above print expressions and parse them again, which a lambda
    // expression does not survive (GenericDialect has no lambda syntax).
    let _ = statement.visit(&mut Lambdas::default());
}

/// DataFusion plans every interval literal as one month-day-nanosecond value, which Timestream's
/// typing (typing/retype_expr.rs) makes an `interval year to month` when it is a whole number of months; a
/// zero cannot be told from a zero day-to-second interval there, so `INTERVAL '0' YEAR` (or
/// `0month`) becomes an Arrow year-month zero here.
const ZERO_YEAR_TO_MONTH: &str = "arrow_cast('0 months', 'Interval(YearMonth)')";

/// `INTERVAL '0' YEAR`, `INTERVAL '0' MONTH`.
fn is_zero_year_to_month(interval: &Interval) -> bool {
    let year_or_month = matches!(
        interval.leading_field,
        Some(
            DateTimeField::Year
                | DateTimeField::Years
                | DateTimeField::Month
                | DateTimeField::Months
        )
    );
    let zero = matches!(
        interval.value.as_ref(),
        SqlExpr::Value(v) if matches!(&v.value, Value::SingleQuotedString(t) if t.trim().parse::<i64>() == Ok(0))
    );
    year_or_month && interval.last_field.is_none() && zero
}

/// The `"__lambda"(params…, body)` calls of the rewritten text become lambda expressions; in a
/// lambda's body, `x.f` (`x` a parameter of an enclosing lambda) becomes the field access
/// `x['f']`, which DataFusion plans on the parameter (a compound identifier would be read as
/// column `f` of a table `x`); a function whose name is also a scalar function's
/// (`regexp_replace`) is called by its lambda form's name when it has a lambda argument.
#[derive(Default)]
struct Lambdas {
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
fn call_args(f: &Function) -> Option<Vec<&SqlExpr>> {
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
fn call_name(f: &Function) -> Option<String> {
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
                if f.over.is_some() || AGGREGATES.contains(&name.as_str()) {
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

/// A query parameter in a statement: `@name` (Timestream's named parameters, of which
/// `@scheduled_runtime` is the one scheduled queries bind) or a positional `?`, which
/// Timestream does not support (timestream-sql.md §2.7). Positions are in the rewritten text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parameter {
    /// `@name` as written (with the `@`), or `?`.
    pub name: String,
    pub line: usize,
    pub column: usize,
}

/// The parameters of `statement` in the order they appear, each once.
pub fn parameters(statement: &DfStatement) -> Vec<Parameter> {
    let DfStatement::Statement(statement) = statement else {
        return Vec::new();
    };
    let mut found: Vec<Parameter> = Vec::new();
    let _ = visit_expressions(statement.as_ref(), |expr| {
        let (name, location) = match expr {
            SqlExpr::Identifier(ident)
                if ident.quote_style.is_none() && ident.value.starts_with('@') =>
            {
                (ident.value.clone(), ident.span.start)
            }
            SqlExpr::Value(v) => match &v.value {
                Value::Placeholder(p) => (p.clone(), v.span.start),
                _ => return ControlFlow::<()>::Continue(()),
            },
            _ => return ControlFlow::Continue(()),
        };
        if name == "?" || !found.iter().any(|p| p.name.eq_ignore_ascii_case(&name)) {
            found.push(Parameter {
                name,
                line: location.line as usize,
                column: location.column as usize,
            });
        }
        ControlFlow::Continue(())
    });
    found.sort_by_key(|p| (p.line, p.column));
    found
}

/// Replaces every `@name` parameter that `value` knows (names compared without case, with the
/// `@`) by its value.
pub fn bind_parameters(statement: &mut DfStatement, value: impl Fn(&str) -> Option<SqlExpr>) {
    let DfStatement::Statement(statement) = statement else {
        return;
    };
    let _ = visit_expressions_mut(statement.as_mut(), |expr| {
        if let SqlExpr::Identifier(ident) = expr {
            if ident.quote_style.is_none() && ident.value.starts_with('@') {
                if let Some(v) = value(&ident.value) {
                    *expr = v;
                }
            }
        }
        ControlFlow::<()>::Continue(())
    });
}

/// Aggregate functions by name (Timestream's and DataFusion's), to tell an aggregated scalar
/// subquery from one that is not.
const AGGREGATES: [&str; 43] = [
    "count",
    "sum",
    "avg",
    "min",
    "max",
    "any_value",
    "arbitrary",
    "first_value",
    "last_value",
    "approx_distinct",
    "approx_percentile",
    "approx_median",
    "array_agg",
    "map_agg",
    "bool_and",
    "bool_or",
    "every",
    "count_if",
    "max_by",
    "min_by",
    "stddev",
    "stddev_pop",
    "stddev_samp",
    "variance",
    "var_pop",
    "var_samp",
    "histogram",
    "geometric_mean",
    "checksum",
    "bitwise_and_agg",
    "bitwise_or_agg",
    "corr",
    "covar_pop",
    "covar_samp",
    "regr_slope",
    "regr_intercept",
    "kurtosis",
    "skewness",
    "median",
    "string_agg",
    "numeric_histogram",
    "listagg",
    "grouping",
];

/// A scalar subquery that is not aggregated, `(SELECT h.cores FROM t h WHERE h.k = m.k)`:
/// DataFusion plans a correlated one only when it is aggregated. It becomes `(SELECT CASE WHEN
/// count(*) > 1 THEN <error> ELSE max(e) END …)`, the one value or NULL, and Trino's error when a
/// row gets more than one value.
fn single_row(query: &Query) -> Option<SqlExpr> {
    if query.limit_clause.is_some() || query.fetch.is_some() || query.order_by.is_some() {
        return None;
    }
    let SetExpr::Select(select) = query.body.as_ref() else {
        return None;
    };
    let grouped = !matches!(&select.group_by, GroupByExpr::Expressions(e, _) if e.is_empty());
    if grouped || select.having.is_some() || select.distinct.is_some() || select.from.is_empty() {
        return None;
    }
    let [item] = select.projection.as_slice() else {
        return None;
    };
    let (expr, alias) = match item {
        SelectItem::UnnamedExpr(e) => (e, None),
        SelectItem::ExprWithAlias { expr, alias } => (expr, Some(alias)),
        _ => return None,
    };
    let mut aggregated = false;
    let _ = visit_expressions(expr, |e| {
        if let SqlExpr::Function(f) = e {
            let name = f
                .name
                .0
                .last()
                .and_then(|p| p.as_ident())
                .map(|i| i.value.to_ascii_lowercase())
                .unwrap_or_default();
            if f.over.is_some() || f.filter.is_some() || AGGREGATES.contains(&name.as_str()) {
                aggregated = true;
            }
        }
        if matches!(e, SqlExpr::Subquery(_)) {
            aggregated = true;
        }
        ControlFlow::<()>::Continue(())
    });
    if aggregated {
        return None;
    }
    let mut query = query.clone();
    let SetExpr::Select(select) = query.body.as_mut() else {
        return None;
    };
    let single = Parser::new(&GenericDialect {})
        .try_with_sql(&format!(
            "CASE WHEN count(*) > 1 THEN {SINGLE_ROW_ERROR}('Scalar sub-query has returned \
             multiple rows') ELSE max({expr}) END"
        ))
        .and_then(|mut p| p.parse_expr())
        .ok()?;
    select.projection = vec![match alias {
        Some(alias) => SelectItem::ExprWithAlias {
            expr: single,
            alias: alias.clone(),
        },
        None => SelectItem::UnnamedExpr(single),
    }];
    Some(SqlExpr::Subquery(Box::new(query)))
}

/// The function [`single_row`] calls for a second row: an error with its argument as message.
pub const SINGLE_ROW_ERROR: &str = "__timestream_fail";

fn is_and_or(expr: &SqlExpr) -> bool {
    matches!(
        expr,
        SqlExpr::BinaryOp {
            op: BinaryOperator::And | BinaryOperator::Or,
            ..
        }
    )
}

/// sqlparser reads the right operand of `IS [NOT] DISTINCT FROM` as a whole expression, so
/// `a IS DISTINCT FROM b AND c` comes out as `a IS DISTINCT FROM (b AND c)`; it is a comparison
/// and binds tighter than AND/OR (Trino): `(a IS DISTINCT FROM b) AND c`. The comparison moves
/// down to the leftmost operand of the AND/OR chain.
fn distinct_from_precedence(expr: SqlExpr) -> SqlExpr {
    let (left, right, negated) = match expr {
        SqlExpr::IsDistinctFrom(l, r) => (l, r, false),
        SqlExpr::IsNotDistinctFrom(l, r) => (l, r, true),
        other => return other,
    };
    match *right {
        SqlExpr::BinaryOp {
            left: first,
            op: op @ (BinaryOperator::And | BinaryOperator::Or),
            right: rest,
        } => {
            let compared = if negated {
                SqlExpr::IsNotDistinctFrom(left, first)
            } else {
                SqlExpr::IsDistinctFrom(left, first)
            };
            SqlExpr::BinaryOp {
                left: Box::new(distinct_from_precedence(compared)),
                op,
                right: rest,
            }
        }
        other if negated => SqlExpr::IsNotDistinctFrom(left, Box::new(other)),
        other => SqlExpr::IsDistinctFrom(left, Box::new(other)),
    }
}

/// How deeply expressions may nest, in all and in calls (function calls and arithmetic, which
/// plans as calls where it checks for overflow): deeper statements are refused with Trino's
/// "statement is too large" before they are planned. Planning walks such trees many times (time
/// grows with the square of the depth, with its cube for nested calls, whose argument names are
/// rebuilt at every level): the limits keep the worst accepted statement under a second in a
/// release build. Generated `OR` chains of a thousand terms pass.
const MAX_EXPRESSION_DEPTH: usize = 2000;
const MAX_CALL_DEPTH: usize = 200;

/// Whether `statement` nests deeper than the planner handles in reasonable time.
pub fn too_deep(statement: &DfStatement) -> bool {
    let DfStatement::Statement(statement) = statement else {
        return false;
    };
    let mut depth = Depth::default();
    statement.visit(&mut depth).is_break()
}

#[derive(Default)]
struct Depth {
    all: usize,
    calls: usize,
    set_operations: usize,
}

/// How much an expression adds to the depth the planner's cubic cost counts: calls and
/// arithmetic 1, a nested `ARRAY[…]` 2 (each level coerces every element type below it again:
/// depth 600 took 45 s in a release build).
fn call_weight(expr: &SqlExpr) -> usize {
    match expr {
        SqlExpr::BinaryOp {
            op:
                BinaryOperator::Plus
                | BinaryOperator::Minus
                | BinaryOperator::Multiply
                | BinaryOperator::Divide
                | BinaryOperator::Modulo,
            ..
        }
        | SqlExpr::UnaryOp { .. }
        | SqlExpr::Function(_)
        | SqlExpr::Cast { .. }
        | SqlExpr::Case { .. } => 1,
        SqlExpr::Array(_) => 2,
        _ => 0,
    }
}

/// Set operations (`UNION`, `INTERSECT`, `EXCEPT`) a statement may chain: planning them costs
/// the square of their number (3 000 `UNION ALL` took 12 s in a release build; 1 000, about
/// one).
const MAX_SET_OPERATIONS: usize = 1000;

fn set_operations(body: &SetExpr) -> usize {
    match body {
        SetExpr::SetOperation { left, right, .. } => {
            1 + set_operations(left) + set_operations(right)
        }
        _ => 0,
    }
}

impl Visitor for Depth {
    type Break = ();

    fn pre_visit_query(&mut self, query: &Query) -> ControlFlow<()> {
        self.set_operations += set_operations(&query.body);
        if self.set_operations > MAX_SET_OPERATIONS {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    }

    fn pre_visit_expr(&mut self, expr: &SqlExpr) -> ControlFlow<()> {
        self.all += 1;
        self.calls += call_weight(expr);
        if self.all > MAX_EXPRESSION_DEPTH || self.calls > MAX_CALL_DEPTH {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    }

    fn post_visit_expr(&mut self, expr: &SqlExpr) -> ControlFlow<()> {
        self.all -= 1;
        self.calls -= call_weight(expr);
        ControlFlow::Continue(())
    }
}

/// `VALUES (('a', 1)), (ROW('b', 2))`: Trino makes a row of each VALUES item that is a row, one
/// column per field, so that these are the rows `('a', 1)` and `('b', 2)` of two columns;
/// DataFusion makes one struct column of them. The row constructors (`(…)`, `ROW(…)`, in any
/// parentheses) are expanded here; a row-typed expression of another kind (a column, a cast)
/// stays one column.
struct RowValues;

impl VisitorMut for RowValues {
    type Break = ();

    fn post_visit_query(&mut self, query: &mut Query) -> ControlFlow<()> {
        expand_row_values(query.body.as_mut());
        ControlFlow::Continue(())
    }
}

fn expand_row_values(body: &mut SetExpr) {
    match body {
        SetExpr::Values(values) => {
            for row in values.rows.iter_mut() {
                if let [item] = row.content.as_mut_slice() {
                    if let Some(fields) = row_constructor(item) {
                        row.content = fields;
                    }
                }
            }
        }
        SetExpr::SetOperation { left, right, .. } => {
            expand_row_values(left);
            expand_row_values(right);
        }
        _ => {}
    }
}

/// The fields of a row constructor of two or more fields, `(a, b)` or `ROW(a, b)`, however
/// parenthesized (`ROW(a)` is a row of one field).
fn row_constructor(expr: &mut SqlExpr) -> Option<Vec<SqlExpr>> {
    match expr {
        SqlExpr::Nested(inner) => row_constructor(inner),
        SqlExpr::Tuple(fields) => Some(std::mem::take(fields)),
        SqlExpr::Function(f) if call_name(f).as_deref() == Some("row") && f.over.is_none() => {
            let fields = call_args(f)?.into_iter().cloned().collect();
            Some(fields)
        }
        _ => None,
    }
}

#[derive(Default)]
struct UniqueSelectNames {
    /// How many queries enclose the one being visited.
    depth: usize,
}

impl VisitorMut for UniqueSelectNames {
    type Break = ();

    fn pre_visit_query(&mut self, _query: &mut Query) -> ControlFlow<()> {
        self.depth += 1;
        ControlFlow::Continue(())
    }

    fn post_visit_query(&mut self, query: &mut Query) -> ControlFlow<()> {
        self.depth -= 1;
        name_select_items(query.body.as_mut());
        if let Some(names) = order_by_input_columns(query) {
            // The statement's own result columns are named from the user's text; a subquery's
            // are seen by the query around it, which gets them back under the user's names.
            if self.depth > 0 {
                if let Some(renaming) = renamed_back(query, &names) {
                    *query = renaming;
                }
            }
        }
        ControlFlow::Continue(())
    }
}

/// `SELECT round(h.x, 3) AS x FROM t h ORDER BY h.x`: in Trino the qualified `h.x` is the input
/// column and an unqualified `x` the output column. DataFusion plans the sort on the input
/// column by adding it to the projection beside the alias `x`, and refuses that projection as
/// ambiguous. Such an alias gets a hidden name (the result keeps the user's names, taken before
/// this rewrite), and the unqualified references to it in ORDER BY follow it.
/// Returns the names of the select items as the query around sees them, when one was renamed.
fn order_by_input_columns(query: &mut Query) -> Option<Vec<(String, Ident)>> {
    let Some(OrderBy {
        kind: OrderByKind::Expressions(order_by),
        ..
    }) = query.order_by.as_mut()
    else {
        return None;
    };
    let SetExpr::Select(select) = query.body.as_mut() else {
        return None;
    };
    let wildcard = select.projection.iter().any(|item| {
        matches!(
            item,
            SelectItem::Wildcard(_) | SelectItem::QualifiedWildcard(_, _)
        )
    });
    if wildcard {
        return None;
    }
    let mut qualified = Vec::new();
    for item in order_by.iter() {
        let _ = visit_expressions(&item.expr, |e| {
            if let SqlExpr::CompoundIdentifier(ids) = e {
                if let Some(last) = ids.last().filter(|_| ids.len() > 1) {
                    qualified.push(last.value.clone());
                }
            }
            ControlFlow::<()>::Continue(())
        });
    }
    // Every item's name first: a subquery's are needed to rename them back.
    let mut names = select
        .projection
        .iter()
        .map(|item| match item {
            SelectItem::ExprWithAlias { alias, .. } => Some(alias.clone()),
            SelectItem::UnnamedExpr(SqlExpr::Identifier(id)) => Some(id.clone()),
            SelectItem::UnnamedExpr(SqlExpr::CompoundIdentifier(ids)) => ids.last().cloned(),
            _ => None,
        })
        .map(|name| name.map(|n| (n.value.clone(), n)))
        .collect::<Option<Vec<_>>>()?;
    let mut renamed = Vec::new();
    for (i, item) in select.projection.iter_mut().enumerate() {
        if let SelectItem::ExprWithAlias { alias, .. } = item {
            if qualified.contains(&alias.value) {
                let hidden = Ident::with_quote('"', format!("{}\u{1}o{i}", alias.value));
                names[i].1 = hidden.clone();
                renamed.push((std::mem::replace(alias, hidden.clone()), hidden));
            }
        }
    }
    if renamed.is_empty() {
        return None;
    }
    let mut aliases = OutputAliases {
        renamed,
        subqueries: 0,
    };
    for item in order_by.iter_mut() {
        let _ = VisitMut::visit(&mut item.expr, &mut aliases);
    }
    Some(names)
}

/// `SELECT "x\u{1}o0" AS x, … FROM (query) AS __ordered`: a subquery whose columns
/// [`order_by_input_columns`] renamed, under the user's names again (its ORDER BY matters only
/// with its LIMIT, which stays inside). `names`: (user's name, name in `query`) per column.
fn renamed_back(query: &Query, names: &[(String, Ident)]) -> Option<Query> {
    let columns = names
        .iter()
        .map(|(user, inner)| format!("{inner} AS {}", Ident::with_quote('"', user.clone())))
        .collect::<Vec<_>>()
        .join(", ");
    let mut outer = Parser::new(&GenericDialect {})
        .try_with_sql(&format!("SELECT {columns} FROM (SELECT 1) AS __ordered"))
        .and_then(|mut p| p.parse_query())
        .ok()?;
    let SetExpr::Select(select) = outer.body.as_mut() else {
        return None;
    };
    let TableFactor::Derived { subquery, .. } = &mut select.from.first_mut()?.relation else {
        return None;
    };
    **subquery = query.clone();
    Some(*outer)
}

/// Points the unqualified references to renamed output aliases at their new names (outside
/// subqueries, whose names are their own).
struct OutputAliases {
    /// (the user's alias, its hidden name)
    renamed: Vec<(Ident, Ident)>,
    subqueries: usize,
}

impl VisitorMut for OutputAliases {
    type Break = ();

    fn pre_visit_query(&mut self, _query: &mut Query) -> ControlFlow<()> {
        self.subqueries += 1;
        ControlFlow::Continue(())
    }

    fn post_visit_query(&mut self, _query: &mut Query) -> ControlFlow<()> {
        self.subqueries -= 1;
        ControlFlow::Continue(())
    }

    fn pre_visit_expr(&mut self, expr: &mut SqlExpr) -> ControlFlow<()> {
        if let SqlExpr::Identifier(id) = expr {
            let hidden = self
                .renamed
                .iter()
                .find(|(alias, _)| alias.value == id.value)
                .map(|(_, hidden)| hidden);
            if let (0, Some(hidden)) = (self.subqueries, hidden) {
                *id = Ident::with_span(id.span, hidden.value.clone());
                id.quote_style = Some('"');
            }
        }
        ControlFlow::Continue(())
    }
}

fn name_select_items(body: &mut SetExpr) {
    let select = match body {
        SetExpr::Select(select) => select,
        SetExpr::SetOperation { left, right, .. } => {
            name_select_items(left);
            name_select_items(right);
            return;
        }
        _ => return,
    };
    let has_wildcard = select.projection.iter().any(|item| {
        matches!(
            item,
            SelectItem::Wildcard(_) | SelectItem::QualifiedWildcard(_, _)
        )
    });
    let mut seen = std::collections::HashSet::new();
    for (i, item) in select.projection.iter_mut().enumerate() {
        let unique = |seen: &mut std::collections::HashSet<String>, name: &str| {
            if seen.insert(name.to_owned()) || has_wildcard {
                None
            } else {
                Some(Ident::with_quote('"', format!("{name}\u{1}{i}")))
            }
        };
        let renamed = match item {
            SelectItem::UnnamedExpr(expr @ SqlExpr::Identifier(_))
            | SelectItem::UnnamedExpr(expr @ SqlExpr::CompoundIdentifier(_)) => {
                let name = match &*expr {
                    SqlExpr::Identifier(id) => id.value.clone(),
                    SqlExpr::CompoundIdentifier(ids) => {
                        ids.last().map(|id| id.value.clone()).unwrap_or_default()
                    }
                    _ => String::new(),
                };
                unique(&mut seen, &name).map(|alias| (expr.clone(), alias))
            }
            SelectItem::UnnamedExpr(expr) => {
                let name = format!("_col{i}");
                seen.insert(name.clone());
                Some((expr.clone(), Ident::with_quote('"', name)))
            }
            SelectItem::ExprWithAlias { expr, alias } => {
                unique(&mut seen, &alias.value.clone()).map(|alias| (expr.clone(), alias))
            }
            _ => None,
        };
        if let Some((expr, alias)) = renamed {
            *item = SelectItem::ExprWithAlias { expr, alias };
        }
    }
}

fn quantified(left: &SqlExpr, op: &BinaryOperator, right: &SqlExpr, all: bool) -> Option<SqlExpr> {
    let SqlExpr::Subquery(query) = right else {
        return None;
    };
    let mut has_column = false;
    let _ = visit_expressions(left, |e| {
        if matches!(e, SqlExpr::Identifier(_) | SqlExpr::CompoundIdentifier(_)) {
            has_column = true;
        }
        ControlFlow::<()>::Continue(())
    });
    let compare = format!("({left}) {op} __quantified.__v");
    let text = if has_column {
        // The comparison inside the subquery would correlate it with the outer row, which
        // DataFusion cannot run as an aggregated scalar subquery: the subquery's extremes
        // decide instead (uncorrelated), or an IN / NOT IN for `= ANY` / `<> ALL`.
        let x = format!("({left})");
        let of =
            |aggregate: &str| format!("(SELECT {aggregate} FROM ({query}) AS __quantified(__v))");
        let (rows, values) = (of("count(*)"), of("count(__v)"));
        let (low, high) = (of("min(__v)"), of("max(__v)"));
        let decides = |least: bool| match op {
            BinaryOperator::Lt | BinaryOperator::LtEq => {
                Some(format!("{x} {op} {}", if least { &low } else { &high }))
            }
            BinaryOperator::Gt | BinaryOperator::GtEq => {
                Some(format!("{x} {op} {}", if least { &high } else { &low }))
            }
            BinaryOperator::Eq => Some(format!("({x} = {low} AND {x} = {high})")),
            BinaryOperator::NotEq => Some(format!("({x} <> {low} OR {x} <> {high})")),
            _ => None,
        };
        match (op, all) {
            (BinaryOperator::Eq, false) => format!("{x} IN ({query})"),
            (BinaryOperator::NotEq, true) => format!("{x} NOT IN ({query})"),
            // x op ALL: false as soon as the most demanding value fails the comparison
            (_, true) => format!(
                "(CASE WHEN {rows} = 0 THEN true WHEN {x} IS NULL THEN NULL \
                 WHEN NOT ({}) THEN false WHEN {values} < {rows} THEN NULL ELSE true END)",
                decides(true)?
            ),
            // x op ANY: true as soon as the most lenient value passes it
            (_, false) => format!(
                "(CASE WHEN {rows} = 0 THEN false WHEN {x} IS NULL THEN NULL \
                 WHEN {} THEN true WHEN {values} < {rows} THEN NULL ELSE false END)",
                decides(false)?
            ),
        }
    } else if all {
        format!(
            "(SELECT CASE WHEN bool_or(NOT ({compare})) THEN false \
             WHEN count(*) > count({compare}) THEN NULL ELSE true END \
             FROM ({query}) AS __quantified(__v))"
        )
    } else {
        format!(
            "(SELECT CASE WHEN bool_or({compare}) THEN true \
             WHEN count(*) > count({compare}) THEN NULL ELSE false END \
             FROM ({query}) AS __quantified(__v))"
        )
    };
    Parser::new(&GenericDialect {})
        .try_with_sql(&text)
        .and_then(|mut p| p.parse_expr())
        .ok()
}

impl Rewritten {
    /// The 1-based (line, column) in `original` for a (line, column) in the rewritten text.
    pub fn original_line_col(&self, original: &str, line: usize, column: usize) -> (usize, usize) {
        line_col(
            original,
            self.original_offset(offset_of(&self.sql, line, column)),
        )
    }

    /// The byte offset in the original text for a byte offset in the rewritten one.
    pub fn original_offset(&self, rewritten: usize) -> usize {
        original_offset(&self.edits, rewritten)
    }
}

/// 1-based (line, column) of a byte offset in `text`.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    // An offset mapped back from the rewritten text may fall inside a character.
    let mut end = offset.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let before = &text[..end];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

/// Byte offset of 1-based (line, column) in `text`.
pub fn offset_of(text: &str, line: usize, col: usize) -> usize {
    let mut offset = 0;
    for (i, l) in text.split_inclusive('\n').enumerate() {
        if i + 1 == line {
            return offset
                + l.char_indices()
                    .nth(col.saturating_sub(1))
                    .map_or(l.len(), |(o, _)| o);
        }
        offset += l.len();
    }
    text.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trim_without_characters_becomes_a_call() {
        assert_eq!(
            rewrite("SELECT TRIM(BOTH FROM x), trim( leading\nfrom y), Trim(TRAILING FROM z)").sql,
            "SELECT trim( x), ltrim( y), rtrim( z)"
        );
        for unchanged in [
            "SELECT trim(BOTH 'x' FROM s)",
            "SELECT trim(s)",
            "SELECT my_trim(BOTH FROM s)",
            "SELECT 'TRIM(BOTH FROM s)'",
        ] {
            assert_eq!(rewrite(unchanged).sql, unchanged);
        }
    }

    #[test]
    fn measure_value_columns_become_identifiers() {
        assert_eq!(
            rewrite("SELECT measure_value::double FROM db.t WHERE measure_value::bigint > 3").sql,
            r#"SELECT "measure_value::double" FROM db.t WHERE "measure_value::bigint" > 3"#
        );
        assert_eq!(
            rewrite("SELECT c.measure_value::double FROM t c").sql,
            r#"SELECT c."measure_value::double" FROM t c"#
        );
        assert_eq!(
            rewrite("SELECT 'measure_value::double'").sql,
            "SELECT 'measure_value::double'"
        );
    }

    #[test]
    fn durations_become_intervals_only_where_an_expression_starts() {
        assert_eq!(
            rewrite("bin(time, 5m)").sql,
            "bin(time, INTERVAL '5 minute')"
        );
        assert_eq!(
            rewrite("ago(1h) + 50ns - 2day").sql,
            "ago(INTERVAL '1 hour') + INTERVAL '50 nanosecond' - INTERVAL '2 day'"
        );
        assert_eq!(
            rewrite("SELECT 10000ms, 1.5, 1e5, 3").sql,
            "SELECT INTERVAL '10000 millisecond', 1.5, 1e5, 3"
        );
        assert_eq!(
            rewrite(r#"FROM "readings-PT1M-41830d" x1d"#).sql,
            r#"FROM "readings-PT1M-41830d" x1d"#
        );
        assert_eq!(rewrite("-- 5m\nSELECT '5m'").sql, "-- 5m\nSELECT '5m'");
        assert_eq!(
            rewrite("SELECT 1year, 2Y, 12month, t.x2month FROM t").sql,
            "SELECT INTERVAL '1' YEAR, INTERVAL '2' YEAR, INTERVAL '12' MONTH, t.x2month FROM t"
        );
    }

    #[test]
    fn values_rows_get_parentheses() {
        assert_eq!(
            rewrite("SELECT x FROM (VALUES 3, NULL, 'a,b') AS t(x)").sql,
            "SELECT x FROM (VALUES (3), (NULL), ('a,b')) AS t(x)"
        );
        assert_eq!(
            rewrite("VALUES (1, 2), (3, 4) ORDER BY 1").sql,
            "VALUES (1, 2), (3, 4) ORDER BY 1"
        );
        assert_eq!(
            rewrite("SELECT 17 < ALL (VALUES 19, abs(-20))").sql,
            "SELECT 17 < ALL (SELECT * FROM (VALUES (19), (abs(-20))))"
        );
        assert_eq!(
            rewrite("SELECT x FROM (VALUES 1) AS t(x)").sql,
            "SELECT x FROM (VALUES (1)) AS t(x)"
        );
        assert_eq!(rewrite("VALUES 1, 2").sql, "VALUES (1), (2)");
        assert_eq!(
            rewrite("SELECT my_values, xorder FROM t").sql,
            "SELECT my_values, xorder FROM t"
        );
    }

    #[test]
    fn lambdas_become_marker_calls() {
        assert_eq!(
            rewrite("SELECT filter(a, x -> x > 0) FROM t").sql,
            r#"SELECT filter(a, "__lambda"(x, x > 0)) FROM t"#
        );
        assert_eq!(
            rewrite("reduce(a, 0, (s, x) -> s + x, s -> s)").sql,
            r#"reduce(a, 0, "__lambda"(s, x, s + x), "__lambda"(s, s))"#
        );
        // The body ends at the `,` or `)` of its argument list, not at those of inner calls.
        assert_eq!(
            rewrite("transform(a, x -> coalesce(x, (1)), 2)").sql,
            r#"transform(a, "__lambda"(x, coalesce(x, (1))), 2)"#
        );
        assert_eq!(
            rewrite("transform(a, x -> ARRAY[x, x[1]])").sql,
            r#"transform(a, "__lambda"(x, ARRAY[x, x[1]]))"#
        );
        assert_eq!(
            rewrite(r#"zip_with(a, b, ( "p" ,q )->"p"+q)"#).sql,
            r#"zip_with(a, b, "__lambda"( "p" ,q ,"p"+q))"#
        );
        // At the end of the text the body ends there.
        assert_eq!(rewrite("x -> x + 1").sql, r#""__lambda"(x, x + 1)"#);
    }

    #[test]
    fn nested_lambdas() {
        assert_eq!(
            rewrite("transform(a, x -> filter(x, y -> y > x))").sql,
            r#"transform(a, "__lambda"(x, filter(x, "__lambda"(y, y > x))))"#
        );
        assert_eq!(
            rewrite("reduce(a, 0, (s, r) -> s + reduce(r, 0, (t, x) -> t + x, t -> t), s -> s)")
                .sql,
            r#"reduce(a, 0, "__lambda"(s, r, s + reduce(r, 0, "__lambda"(t, x, t + x), "__lambda"(t, t))), "__lambda"(s, s))"#
        );
    }

    #[test]
    fn arrows_in_strings_comments_and_names_stay() {
        for unchanged in [
            "SELECT 'x -> 1', \"a->b\" FROM t",
            "SELECT 1 -- x -> y",
            "SELECT /* (a, b) -> c */ 1",
            "SELECT f(a) -> 1",
            "SELECT t.x -> 1",
        ] {
            assert_eq!(rewrite(unchanged).sql, unchanged);
        }
    }

    #[test]
    fn row_types_become_structs() {
        assert_eq!(
            rewrite("CAST(ROW(0.0, 0) AS ROW(sum DOUBLE, count INTEGER))").sql,
            "CAST(ROW(0.0, 0) AS STRUCT<sum DOUBLE, count INTEGER>)"
        );
        assert_eq!(
            rewrite("CAST(r AS row(a double, b ROW(c bigint)))").sql,
            "CAST(r AS STRUCT<a double, b STRUCT<c bigint>>)"
        );
        for unchanged in [
            "SELECT * FROM (VALUES (1, 2)) AS row(a, b)",
            "SELECT ROW(1, 2) AS r",
            "SELECT '→' →ROW(a int)",
        ] {
            assert_eq!(rewrite(unchanged).sql, unchanged);
        }
    }

    #[test]
    fn positions_in_lambda_bodies_map_back() {
        let text = "SELECT 5m,\n  transform(ARRAY[1], (x) -> x + nope)";
        let r = rewrite(text);
        let at = r.sql.find("nope").unwrap();
        assert_eq!(r.original_offset(at), text.find("nope").unwrap());
        assert_eq!(
            r.original_line_col(
                text,
                2,
                r.sql.lines().nth(1).unwrap().find("nope").unwrap() + 1
            ),
            (2, 34)
        );
        // The lambda itself is placed at its parameters (the parenthesis).
        let marker = r.sql.find("\"__lambda\"").unwrap();
        assert_eq!(r.original_offset(marker), text.find("(x)").unwrap());
        // After the lambda, positions are the user's again.
        let text = "SELECT filter(a, x -> x > 0), nope";
        let r = rewrite(text);
        assert_eq!(
            r.original_offset(r.sql.find("nope").unwrap()),
            text.find("nope").unwrap()
        );
    }

    fn parsed(sql: &str) -> DfStatement {
        let statement = Parser::new(&GenericDialect {})
            .try_with_sql(&rewrite(sql).sql)
            .and_then(|mut p| p.parse_statement())
            .unwrap();
        DfStatement::Statement(Box::new(statement))
    }

    #[test]
    fn marker_calls_become_lambda_expressions() {
        let mut statement = parsed(
            "SELECT reduce(FILTER(ts, x -> x.value > 70.0), 0, (s, x) -> s + 1, s -> s.count), \
             x.value FROM t",
        );
        rewrite_statement(&mut statement);
        assert_eq!(
            statement.to_string(),
            "SELECT reduce(FILTER(ts, x -> x['value'] > 70.0), 0, (s, x) -> s + 1, \
             s -> s['count']) AS \"_col0\", x.value FROM t"
        );
        let mut statement =
            parsed("SELECT regexp_replace(s, '(a)', x -> upper(x[1])), regexp_replace(s, 'a')");
        rewrite_statement(&mut statement);
        assert_eq!(
            statement.to_string(),
            "SELECT __regexp_replace_lambda(s, '(a)', x -> upper(x[1])) AS \"_col0\", \
             regexp_replace(s, 'a') AS \"_col1\""
        );
    }

    #[test]
    fn an_alias_named_like_an_ordered_input_column_is_hidden() {
        let mut statement = parsed("SELECT -h.x AS x, h.k FROM t h ORDER BY h.x, x");
        rewrite_statement(&mut statement);
        assert_eq!(
            statement.to_string(),
            "SELECT -h.x AS \"x\u{1}o0\", h.k FROM t h ORDER BY h.x, \"x\u{1}o0\""
        );
        // A subquery's columns keep the user's names for the query around it.
        let mut statement =
            parsed("SELECT s.x FROM (SELECT -h.x AS x FROM t h ORDER BY h.x LIMIT 1) s");
        rewrite_statement(&mut statement);
        assert_eq!(
            statement.to_string(),
            "SELECT s.x FROM (SELECT \"x\u{1}o0\" AS \"x\" FROM (SELECT -h.x AS \"x\u{1}o0\" \
             FROM t h ORDER BY h.x LIMIT 1) AS __ordered) s"
        );
        let untouched = "SELECT -h.x AS y FROM t h ORDER BY h.x";
        let mut statement = parsed(untouched);
        rewrite_statement(&mut statement);
        assert_eq!(statement.to_string(), untouched);
    }

    #[test]
    fn misplaced_lambdas_are_errors() {
        let error = |sql: &str| {
            check_lambdas(&parsed(sql), &rewrite(sql).sql)
                .err()
                .map(|e| e.strip_backtrace())
        };
        assert_eq!(error("SELECT filter(a, x -> x > 0)"), None);
        assert_eq!(
            error("SELECT filter(a, (x, y) -> x > 0)"),
            Some(
                "Error during planning: line 1:18: Expected a lambda that takes 1 argument(s) \
                 but got 2"
                    .into()
            )
        );
        assert_eq!(
            error("SELECT x -> 1"),
            Some(
                "Error during planning: line 1:8: Lambda expression should always be used \
                 inside a function"
                    .into()
            )
        );
    }

    #[test]
    fn positions_map_back() {
        let text = "SELECT measure_value::double, nope FROM t";
        let r = rewrite(text);
        let at = r.sql.find("nope").unwrap();
        assert_eq!(r.original_offset(at), text.find("nope").unwrap());
        assert_eq!(line_col("a\nbc", 3), (2, 2));
        assert_eq!(offset_of("a\nbc", 2, 2), 3);
    }
}
