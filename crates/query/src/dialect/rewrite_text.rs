//! The lexical pass: the Timestream-only syntax of the query text rewritten, character by
//! character, into SQL that DataFusion's parser reads (see the module docs).

use super::positions::{original_offset, Rewritten};

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
