//! Regular expression functions (timestream-functions.md §7): `regexp_extract`,
//! `regexp_extract_all`, `regexp_like`, `regexp_replace` (replaces every match, Java replacement
//! syntax), `regexp_split`. The lambda form `regexp_replace(s, p, x -> …)` is in functions/lambda.
//!
//! Patterns: Timestream takes Java `java.util.regex` syntax (Trino runs them on joni with Java
//! syntax): look-ahead, look-behind, back-references, atomic groups and possessive quantifiers
//! included. They are compiled with `fancy-regex`, which hands a pattern without those features
//! to the `regex` crate's engine whole (no backtracking: the fast path DataFusion's own
//! functions take) and backtracks only for the parts that need it. A pattern that does not
//! compile is a QueryExecutionException `Invalid regular expression: <pattern>`. Matching is
//! *find* semantics everywhere.

use std::collections::HashMap;
use std::sync::Arc;

use datafusion::common::{exec_err, Result};
use datafusion::logical_expr::ScalarUDF;

mod regexp_extract;
mod regexp_like;
mod regexp_replace;
mod regexp_split;

pub use regexp_extract::RegexpExtract;
pub use regexp_like::RegexpLike;
pub use regexp_replace::RegexpReplace;
pub use regexp_split::RegexpSplit;

pub use fancy_regex::Regex;

/// The groups of one match in a text.
pub type Captures<'t> = fancy_regex::Captures<'t, str>;

pub fn functions() -> Vec<Arc<ScalarUDF>> {
    vec![
        Arc::new(ScalarUDF::from(RegexpExtract::first())),
        Arc::new(ScalarUDF::from(RegexpExtract::all())),
        Arc::new(ScalarUDF::from(RegexpLike::new())),
        Arc::new(ScalarUDF::from(RegexpReplace::new())),
        Arc::new(ScalarUDF::from(RegexpSplit::new())),
    ]
}

/// The patterns of one batch, each compiled once (the pattern is nearly always a literal).
#[derive(Debug, Default)]
pub(crate) struct Patterns(HashMap<String, Regex>);

impl Patterns {
    /// `pattern` compiled, or the QueryExecutionException for a pattern that does not compile.
    pub(crate) fn get(&mut self, pattern: &str) -> Result<&Regex> {
        if !self.0.contains_key(pattern) {
            let Ok(re) = Regex::new(pattern) else {
                return exec_err!("Invalid regular expression: {pattern}");
            };
            self.0.insert(pattern.to_owned(), re);
        }
        match self.0.get(pattern) {
            Some(re) => Ok(re),
            None => datafusion::common::internal_err!("regex cache"),
        }
    }
}

/// A match's failure: fancy-regex gives up on a pattern that backtracks too much (a million
/// steps per search, its default) where Java would run on; the query fails rather than hang
/// a worker. The wording is ours (Trino has no such limit).
pub(crate) fn run_error(
    re: &Regex,
    _error: fancy_regex::Error,
) -> datafusion::error::DataFusionError {
    datafusion::error::DataFusionError::Execution(format!(
        "Regular expression backtracking limit exceeded: {}",
        re.as_str()
    ))
}

/// Whether `re` occurs in `s`.
pub(crate) fn is_match(re: &Regex, s: &str) -> Result<bool> {
    re.is_match(s).map_err(|e| run_error(re, e))
}

/// The captures of the first match of `re` in `s`, if any.
pub(crate) fn first<'t>(re: &Regex, s: &'t str) -> Result<Option<Captures<'t>>> {
    re.captures(s).map_err(|e| run_error(re, e))
}

/// Every match of `re` in `s` with its captures, found as Java finds them ([`java_matches`]).
pub(crate) fn all<'t>(re: &Regex, s: &'t str) -> Result<Vec<Captures<'t>>> {
    java_matches(
        s,
        |pos| re.captures_from_pos(s, pos).map_err(|e| run_error(re, e)),
        |caps| caps.get(0).map_or((0, 0), |m| (m.start(), m.end())),
    )
}

/// The byte ranges of every match of `re` in `s`, found as Java finds them.
pub(crate) fn ranges(re: &Regex, s: &str) -> Result<Vec<(usize, usize)>> {
    java_matches(
        s,
        |pos| {
            re.find_from_pos(s, pos)
                .map(|m| m.map(|m| (m.start(), m.end())))
                .map_err(|e| run_error(re, e))
        },
        |m| *m,
    )
}

/// The successive matches of a pattern in `s` the way Java's `Matcher.find` (and Trino's joni
/// loop) produces them: after a non-empty match the next search starts at its end, after an
/// empty one a character later, so an empty match right after a non-empty one is reported
/// (`b*` in `abc`: `''`, `b`, `''`, `''`). The Rust regex iterators skip that one. `find_at`
/// searches from a byte offset (look-behind and `^` still see the text before it); `bounds`
/// gives a match's byte range.
pub(crate) fn java_matches<M>(
    s: &str,
    mut find_at: impl FnMut(usize) -> Result<Option<M>>,
    bounds: impl Fn(&M) -> (usize, usize),
) -> Result<Vec<M>> {
    let mut found = Vec::new();
    let mut pos = 0;
    while pos <= s.len() {
        let Some(m) = find_at(pos)? else {
            break;
        };
        let (start, end) = bounds(&m);
        pos = if start == end {
            end + s[end..].chars().next().map_or(1, char::len_utf8)
        } else {
            end
        };
        found.push(m);
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    #[test]
    fn java_find_reports_empty_match_after_a_match() {
        // `b*` over "abc", as a toy matcher: at each offset, the run of b's there.
        let s = "abc";
        let find_at = |pos: usize| {
            let run = s[pos..].chars().take_while(|&c| c == 'b').count();
            Ok(Some((pos, pos + run)))
        };
        let found = super::java_matches(s, find_at, |m| *m).unwrap();
        assert_eq!(found, vec![(0, 0), (1, 2), (2, 2), (3, 3)]);
    }
}
