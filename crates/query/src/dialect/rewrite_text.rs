//! The lexical pass: the Timestream-only syntax of the query text rewritten, token by token,
//! into SQL that DataFusion's parser reads (see the module docs).
//!
//! The tokens are sqlparser's, from the tokenizer the parser itself runs (GenericDialect's
//! rules), so this pass and the parser agree on what is a string, a quoted identifier, a
//! comment, a word or a number. A token is copied as written unless it starts a Timestream
//! construct; the whitespace and comment tokens between keep the text's layout. Text the
//! tokenizer refuses (an unterminated string or comment) is left as it is: the parser then
//! reports the tokenizer's error at its place.

use datafusion::sql::sqlparser::dialect::GenericDialect;
use datafusion::sql::sqlparser::tokenizer::{Location, Token, Tokenizer, Whitespace};

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

/// The name of the call a lambda becomes in the rewritten text: `x -> body` is
/// `"__lambda"(x, body)`, `(a, b) -> body` is `"__lambda"(a, b, body)`; [`rewrite_statement`]
/// turns these calls into lambda expressions.
///
/// [`rewrite_statement`]: super::rewrite_statement
pub const LAMBDA: &str = "__lambda";

pub fn rewrite(sql: &str) -> Rewritten {
    match lex(sql) {
        Some(lexemes) => Rewriter::new(sql, lexemes).run(),
        None => Rewritten {
            sql: sql.to_owned(),
            edits: Vec::new(),
        },
    }
}

/// A token and the bytes of the text it was read from.
struct Lexeme {
    token: Token,
    start: usize,
    end: usize,
}

/// The text's tokens with their byte ranges (which tile the text); `None` when the tokenizer
/// refuses it.
fn lex(sql: &str) -> Option<Vec<Lexeme>> {
    let tokens = Tokenizer::new(&GenericDialect {}, sql)
        .tokenize_with_location()
        .ok()?;
    let mut cursor = Cursor {
        sql,
        offset: 0,
        line: 1,
        column: 1,
    };
    Some(
        tokens
            .into_iter()
            .map(|t| {
                let start = cursor.seek(t.span.start);
                let end = cursor.seek(t.span.end);
                Lexeme {
                    token: t.token,
                    start,
                    end,
                }
            })
            .collect(),
    )
}

/// Turns the tokenizer's (line, column) locations, which only move forward, into byte offsets
/// in one pass over the text; lines and columns are counted as the tokenizer counts them
/// (a column per character, a line per `\n`).
struct Cursor<'a> {
    sql: &'a str,
    offset: usize,
    line: u64,
    column: u64,
}

impl Cursor<'_> {
    fn seek(&mut self, to: Location) -> usize {
        while (self.line, self.column) < (to.line, to.column) {
            let Some(c) = self.sql[self.offset..].chars().next() else {
                break;
            };
            self.offset += c.len_utf8();
            if c == '\n' {
                self.line += 1;
                self.column = 1;
            } else {
                self.column += 1;
            }
        }
        self.offset
    }
}

/// A `VALUES` list being read: the parenthesis depth of its rows, whether the next token
/// starts a row, and whether the current row got an opening parenthesis from us.
struct ValuesList {
    depth: usize,
    row_start: bool,
    wrapped: bool,
    /// The list got `SELECT * FROM (` in front of it, to be closed with it.
    as_subquery: bool,
}

struct Rewriter<'a> {
    sql: &'a str,
    lexemes: Vec<Lexeme>,
    out: String,
    /// (offset in `out`, offset in `sql`), one per edit, ascending.
    edits: Vec<(usize, usize)>,
    /// Where each lexeme's text starts in `out` (a rewritten group's: where the group's does).
    out_at: Vec<usize>,
    depth: usize,
    /// Square brackets (`ARRAY[a, b]`, `x[i]`) open, for the lambdas.
    brackets: usize,
    /// The open lambdas, innermost last: the parenthesis (and bracket) depth of the argument
    /// list each one is an argument of (its body ends at a `,` or `)` at that depth).
    lambdas: Vec<(usize, usize)>,
    /// The open `ROW(…)` types, innermost last: the depth inside each one's parenthesis.
    row_types: Vec<usize>,
    values: Option<ValuesList>,
}

impl<'a> Rewriter<'a> {
    fn new(sql: &'a str, lexemes: Vec<Lexeme>) -> Self {
        Self {
            sql,
            out: String::with_capacity(sql.len() + 16),
            edits: Vec::new(),
            out_at: vec![0; lexemes.len()],
            lexemes,
            depth: 0,
            brackets: 0,
            lambdas: Vec::new(),
            row_types: Vec::new(),
            values: None,
        }
    }

    fn text(&self, i: usize) -> &'a str {
        let l = &self.lexemes[i];
        &self.sql[l.start..l.end]
    }

    fn token(&self, i: usize) -> Option<&Token> {
        self.lexemes.get(i).map(|l| &l.token)
    }

    /// Whether lexeme `i` directly follows a word character or a `.` (`x1h`, `t.values`): it
    /// is then part of a name, not the start of an expression.
    fn glued(&self, i: usize) -> bool {
        self.sql[..self.lexemes[i].start]
            .chars()
            .next_back()
            .is_some_and(|c| is_ident_char(c) || c == '.')
    }

    /// Whether lexeme `i` is the unquoted word `word`, in any case.
    fn is_word(&self, i: usize, word: &str) -> bool {
        matches!(self.token(i), Some(Token::Word(w)) if w.quote_style.is_none() && w.value.eq_ignore_ascii_case(word))
    }

    /// The next lexeme from `i` on that is not a space, tab or newline.
    fn skip_blanks(&self, mut i: usize) -> usize {
        while self.token(i).is_some_and(is_blank) {
            i += 1;
        }
        i
    }

    /// The last lexeme before `i` that is not a space, tab or newline.
    fn before_blanks(&self, i: usize) -> Option<usize> {
        (0..i).rev().find(|&j| !is_blank(&self.lexemes[j].token))
    }

    /// Replaces lexemes `i..end` (source bytes up to `to`) by `with`.
    fn replace(&mut self, i: usize, end: usize, to: usize, with: &str) {
        let from = self.lexemes[i].start;
        let at = self.out.len();
        for slot in &mut self.out_at[i..end] {
            *slot = at;
        }
        self.edits.push((self.out.len(), from));
        self.out.push_str(with);
        self.edits.push((self.out.len(), to));
    }

    /// Inserts `text` (not in the source) where the source is at `at`.
    fn insert(&mut self, text: &str, at: usize) {
        self.edits.push((self.out.len(), at));
        self.out.push_str(text);
        self.edits.push((self.out.len(), at));
    }

    fn run(mut self) -> Rewritten {
        let mut i = 0;
        while i < self.lexemes.len() {
            i = self.step(i);
        }
        let end = self.sql.len();
        if !self.lambdas.is_empty() {
            self.edits.push((self.out.len(), end));
            for _ in self.lambdas.drain(..) {
                self.out.push(')');
            }
        }
        if let Some(list) = self.values.take() {
            self.edits.push((self.out.len(), end));
            if list.wrapped {
                self.out.push(')');
            }
            if list.as_subquery {
                self.out.push(')');
            }
        }
        Rewritten {
            sql: self.out,
            edits: self.edits,
        }
    }

    /// Rewrites or copies lexeme `i` (and those a construct starting there spans); the next
    /// lexeme to look at.
    fn step(&mut self, i: usize) -> usize {
        let pos = self.lexemes[i].start;
        let glued = self.glued(i);
        self.values_rows(i, glued);
        // Lambda `params -> body` (Timestream has no JSON `->`): `"__lambda"(params, body)`.
        // In `x ->> y` (sqlparser's JSON `->>`) the `->` is a lambda's too, and the parser then
        // points at the `>`, as Trino does.
        if matches!(self.token(i), Some(Token::Arrow | Token::LongArrow)) {
            if let Some((first, parenthesized)) = self.lambda_params(i) {
                let start = self.out_at[first];
                let params = self.out[start..].trim_end().to_owned();
                let params = if parenthesized {
                    &params[1..params.len() - 1]
                } else {
                    &params[..]
                };
                let paren = usize::from(parenthesized);
                let params_at = original_offset(&self.edits, start) + paren;
                self.edits.retain(|&(new, _)| new < start);
                self.out.truncate(start);
                self.edits.push((self.out.len(), params_at - paren));
                self.out.push('"');
                self.out.push_str(LAMBDA);
                self.out.push_str("\"(");
                self.edits.push((self.out.len(), params_at));
                self.out.push_str(params);
                self.edits.push((self.out.len(), pos));
                self.out.push(',');
                self.edits.push((self.out.len(), pos + 2));
                if matches!(self.token(i), Some(Token::LongArrow)) {
                    self.out.push('>');
                }
                self.lambdas.push((self.depth, self.brackets));
                return i + 1;
            }
        }
        // Trino's row type `ROW(name type, …)` (after `AS` in a cast, or as a field's type in
        // one) is sqlparser's `STRUCT<name type, …>`.
        if !glued && self.is_word(i, "row") {
            if let Some(open) = self.row_type_open(i) {
                let to = self.lexemes[open].end;
                self.replace(i, open + 1, to, "STRUCT<");
                self.depth += 1;
                self.row_types.push(self.depth);
                return open + 1;
            }
        }
        let token = &self.lexemes[i].token;
        if matches!(token, Token::RParen) && self.row_types.last() == Some(&self.depth) {
            self.row_types.pop();
            self.depth -= 1;
            self.replace(i, i + 1, self.lexemes[i].end, ">");
            return i + 1;
        }
        if matches!(token, Token::Comma | Token::RParen) {
            while self.lambdas.last() == Some(&(self.depth, self.brackets)) {
                self.lambdas.pop();
                self.insert(")", pos);
            }
        }
        match self.lexemes[i].token {
            Token::LParen => self.depth += 1,
            Token::RParen => self.depth = self.depth.saturating_sub(1),
            Token::LBracket => self.brackets += 1,
            Token::RBracket => self.brackets = self.brackets.saturating_sub(1),
            _ => {}
        }
        if !glued && self.is_word(i, "values") {
            let as_subquery = self
                .before_blanks(i)
                .filter(|&j| matches!(self.lexemes[j].token, Token::LParen))
                .and_then(|j| self.before_blanks(j))
                .is_some_and(|j| ["ANY", "ALL", "SOME"].iter().any(|q| self.is_word(j, q)));
            if as_subquery {
                self.insert("SELECT * FROM (", pos);
            }
            self.copy(i);
            self.values = Some(ValuesList {
                depth: self.depth,
                row_start: true,
                wrapped: false,
                as_subquery,
            });
            return i + 1;
        }
        // TRIM(BOTH|LEADING|TRAILING FROM x), Trino's form without characters, which
        // sqlparser does not parse: the whitespace-trimming function of that side.
        if !glued && self.is_word(i, "trim") {
            if let Some((from, function)) = self.trim_without_characters(i) {
                self.replace(i, from + 1, self.lexemes[from].end, function);
                self.depth += 1;
                return from + 1;
            }
        }
        // measure_value::<type>, also qualified (`c.measure_value::double`)
        if let Some(ty) = self.measure_value_column(i) {
            let to = self.lexemes[i + 2].end;
            self.replace(i, i + 3, to, &format!("\"measure_value::{ty}\""));
            return i + 3;
        }
        // Duration literal: digits [. digits] unit, not glued to an identifier.
        if !glued {
            if let Some(interval) = self.duration(i) {
                let to = self.lexemes[i + 1].end;
                self.replace(i, i + 2, to, &interval);
                return i + 2;
            }
        }
        self.copy(i);
        i + 1
    }

    /// Copies lexeme `i` as written.
    fn copy(&mut self, i: usize) {
        self.out_at[i] = self.out.len();
        self.out.push_str(self.text(i));
    }

    /// A `VALUES` list's rows get parentheses where Trino's one-column form has none: before
    /// lexeme `i` when it starts a row, after the row when it ends one (or the list).
    fn values_rows(&mut self, i: usize, glued: bool) {
        let depth = self.depth;
        let Some(list) = self.values.as_ref().filter(|l| l.depth == depth) else {
            return;
        };
        let pos = self.lexemes[i].start;
        let token = &self.lexemes[i].token;
        let ends_list = matches!(token, Token::RParen)
            || !glued && VALUES_END.iter().any(|w| self.is_word(i, w));
        let comma = matches!(token, Token::Comma);
        let (wrapped, as_subquery, row_start) = (list.wrapped, list.as_subquery, list.row_start);
        if ends_list || comma {
            if wrapped {
                self.insert(")", pos);
            }
            if ends_list && as_subquery {
                self.insert(")", pos);
            }
            if ends_list {
                self.values = None;
            } else if let Some(list) = self.values.as_mut() {
                list.wrapped = false;
                list.row_start = true;
            }
        } else if row_start && !is_blank(token) {
            let opens = matches!(token, Token::LParen);
            if !opens {
                self.insert("(", pos);
            }
            if let Some(list) = self.values.as_mut() {
                list.row_start = false;
                list.wrapped = !opens;
            }
        }
    }

    /// The first lexeme of a lambda's parameters when those come right before the `->` at `i`:
    /// a single identifier `x` or a parenthesized list `(a, b)` of one or more identifiers
    /// (plain or double-quoted); whether they are parenthesized. `None` otherwise (the `->` is
    /// then left to the parser, which rejects it).
    fn lambda_params(&self, i: usize) -> Option<(usize, bool)> {
        let last = self.before_blanks(i)?;
        match self.lexemes[last].token {
            Token::RParen => {
                let mut open = None;
                let mut expect_name = true;
                for j in (0..last).rev() {
                    match &self.lexemes[j].token {
                        Token::LParen if !expect_name => {
                            open = Some(j);
                            break;
                        }
                        Token::Word(_) if expect_name && is_identifier(self.text(j)) => {
                            expect_name = false;
                        }
                        Token::Comma if !expect_name => expect_name = true,
                        t if is_blank(t) => {}
                        _ => return None,
                    }
                }
                let open = open?;
                // `f(a) ->` is a call's argument list, not parameters.
                let before = self.out[..self.out_at[open]].trim_end();
                if before.ends_with(|c: char| is_ident_char(c) || matches!(c, '"' | ')' | ']')) {
                    return None;
                }
                Some((open, true))
            }
            Token::Word(ref w) => {
                let name = self.out[self.out_at[last]..].trim_end();
                let before = self.sql[..self.lexemes[last].start].chars().next_back();
                let glued = match w.quote_style {
                    Some(_) => before == Some('.'),
                    None => before.is_some_and(|c| is_ident_char(c) || c == '.'),
                };
                (is_identifier(name) && !glued).then_some((last, false))
            }
            _ => None,
        }
    }

    /// The `(` lexeme after `ROW` at `i` when it opens a row type: after the keyword `AS` (a
    /// cast's target type) or as a field's type inside one, with field definitions
    /// `name type, …` up to its closing parenthesis (a column alias list `AS row(a, b)` has no
    /// types).
    fn row_type_open(&self, i: usize) -> Option<usize> {
        let open = self.skip_blanks(i + 1);
        if !matches!(self.token(open), Some(Token::LParen)) {
            return None;
        }
        let nested = self.row_types.last() == Some(&self.depth);
        let after_as = self.before_blanks(i).is_some_and(|j| self.is_word(j, "as"));
        if !(after_as || nested) {
            return None;
        }
        // The field definitions, split at the commas outside parentheses.
        let mut fields: Vec<Vec<usize>> = vec![Vec::new()];
        let mut depth = 0usize;
        let mut closed = false;
        for j in open + 1..self.lexemes.len() {
            let token = &self.lexemes[j].token;
            if self.text(j).contains('\'') {
                return None;
            }
            match token {
                Token::LParen => depth += 1,
                Token::RParen if depth == 0 => {
                    closed = true;
                    break;
                }
                Token::RParen => depth -= 1,
                Token::Comma if depth == 0 => {
                    fields.push(Vec::new());
                    continue;
                }
                _ => {}
            }
            if !is_blank(token) {
                if let Some(field) = fields.last_mut() {
                    field.push(j);
                }
            }
        }
        let typed = |field: &Vec<usize>| match field.as_slice() {
            [name, _, ..] => {
                matches!(self.lexemes[*name].token, Token::Word(_))
                    && is_identifier(self.text(*name))
                    && (self.text(*name).starts_with('"')
                        || is_blank(&self.lexemes[*name + 1].token))
            }
            _ => false,
        };
        (closed && fields.iter().all(typed)).then_some(open)
    }

    /// `TRIM ( BOTH|LEADING|TRAILING FROM` from lexeme `i` (any case and spacing): its `FROM`
    /// lexeme and the call that replaces it (`trim(`, `ltrim(`, `rtrim(`).
    fn trim_without_characters(&self, i: usize) -> Option<(usize, &'static str)> {
        let open = self.skip_blanks(i + 1);
        if !matches!(self.token(open), Some(Token::LParen)) {
            return None;
        }
        let side = self.skip_blanks(open + 1);
        let function = if self.is_word(side, "BOTH") {
            "trim("
        } else if self.is_word(side, "LEADING") {
            "ltrim("
        } else if self.is_word(side, "TRAILING") {
            "rtrim("
        } else {
            return None;
        };
        let from = self.skip_blanks(side + 1);
        (from > side + 1 && self.is_word(from, "from")).then_some((from, function))
    }

    /// The type of `measure_value::<type>` starting at lexeme `i`.
    fn measure_value_column(&self, i: usize) -> Option<&'static str> {
        let Some(Token::Word(w)) = self.token(i) else {
            return None;
        };
        let word_before = self.sql[..self.lexemes[i].start]
            .chars()
            .next_back()
            .is_some_and(is_ident_char);
        if w.quote_style.is_some() || w.value != "measure_value" || word_before {
            return None;
        }
        if !matches!(self.token(i + 1), Some(Token::DoubleColon))
            || self.lexemes[i + 1].start != self.lexemes[i].end
        {
            return None;
        }
        let ty = self.lexemes.get(i + 2)?;
        if ty.start != self.lexemes[i + 1].end {
            return None;
        }
        MEASURE_VALUE_TYPES
            .into_iter()
            .find(|t| self.is_word(i + 2, t))
    }

    /// The interval a duration literal from lexeme `i` (a number, its unit glued to it) means.
    fn duration(&self, i: usize) -> Option<String> {
        let Some(Token::Number(_, _)) = self.token(i) else {
            return None;
        };
        let number = self.text(i);
        let (whole, fraction) = number.split_once('.').unwrap_or((number, "0"));
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if !digits(whole) || !digits(fraction) {
            return None;
        }
        let unit = self.lexemes.get(i + 1)?;
        if unit.start != self.lexemes[i].end {
            return None;
        }
        let Token::Word(w) = &unit.token else {
            return None;
        };
        if w.quote_style.is_some() {
            return None;
        }
        let unit_text = self.text(i + 1);
        let day_to_second = UNITS
            .iter()
            .find(|(u, _)| u.eq_ignore_ascii_case(unit_text))
            .map(|(_, unit)| format!("INTERVAL '{number} {unit}'"));
        // The SQL form with its field, which says "year to month" however many months.
        let year_to_month = YEAR_MONTH_UNITS
            .iter()
            .find(|(u, _)| u.eq_ignore_ascii_case(unit_text))
            .map(|(_, field)| format!("INTERVAL '{number}' {field}"));
        day_to_second.or(year_to_month)
    }
}

fn is_ident_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// A space, tab or newline token (comments are not blank: they stay where they are).
fn is_blank(token: &Token) -> bool {
    matches!(
        token,
        Token::Whitespace(Whitespace::Space | Whitespace::Tab | Whitespace::Newline)
    )
}

/// `x`, `_x1` or `"any text"`: a name a lambda parameter may have.
fn is_identifier(text: &str) -> bool {
    if let Some(quoted) = text.strip_prefix('"').and_then(|t| t.strip_suffix('"')) {
        return !quoted.is_empty() && !quoted.contains('"');
    }
    let mut chars = text.chars();
    chars.next().is_some_and(|c| c.is_alphabetic() || c == '_') && chars.all(is_ident_char)
}
