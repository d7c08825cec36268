//! Regular expression functions (timestream-functions.md §7): `regexp_extract`,
//! `regexp_extract_all`, `regexp_replace` (replaces every match, Java replacement syntax),
//! `regexp_split`. `regexp_like` is DataFusion's (contains semantics, pinned in
//! functions_regex.slt). The lambda form `regexp_replace(s, p, x -> …)` needs the dialect layer.
//!
//! Patterns: Timestream takes Java `java.util.regex` syntax; these functions run the Rust
//! `regex` crate (through DataFusion's `compile_regex`, the crate is not a direct dependency of
//! this one), which has no look-around and no back-references: such patterns fail with
//! "Invalid regular expression". Matching is *find* semantics everywhere.

use std::sync::Arc;

use datafusion::logical_expr::ScalarUDF;

mod regexp_extract;
mod regexp_replace;
mod regexp_split;

pub use regexp_extract::RegexpExtract;
pub use regexp_replace::RegexpReplace;
pub use regexp_split::RegexpSplit;

pub fn functions() -> Vec<Arc<ScalarUDF>> {
    vec![
        Arc::new(ScalarUDF::from(RegexpExtract::first())),
        Arc::new(ScalarUDF::from(RegexpExtract::all())),
        Arc::new(ScalarUDF::from(RegexpReplace::new())),
        Arc::new(ScalarUDF::from(RegexpSplit::new())),
    ]
}

/// Compiles `pattern` (a `&str`) into a `regex::Regex`, or returns a QueryExecutionException
/// from the enclosing function. `cache` is a `HashMap<String, Regex>` that keeps the compiled
/// patterns of one batch (the pattern is nearly always a literal). A macro because the Regex
/// type cannot be named without a direct dependency on the `regex` crate.
macro_rules! compiled {
    ($cache:expr, $pattern:expr) => {{
        let pattern: &str = $pattern;
        if !$cache.contains_key(pattern) {
            match datafusion::functions::regex::compile_regex(pattern, None) {
                Ok(re) => {
                    $cache.insert(pattern.to_owned(), re);
                }
                Err(_) => {
                    return datafusion::common::exec_err!(
                        "Invalid regular expression: {pattern} (look-around and back-references are not supported)"
                    )
                }
            }
        }
        match $cache.get(pattern) {
            Some(re) => re,
            None => return datafusion::common::internal_err!("regex cache"),
        }
    }};
}
pub(crate) use compiled;

/// The successive matches of a pattern in `s` the way Java's `Matcher.find` (and Trino's joni
/// loop) produces them: after a non-empty match the next search starts at its end, after an
/// empty one a character later, so an empty match right after a non-empty one is reported
/// (`b*` in `abc`: `''`, `b`, `''`, `''`). The Rust regex iterators skip that one. `find_at`
/// searches from a byte offset; `bounds` gives a match's byte range.
pub(crate) fn java_matches<M>(
    s: &str,
    mut find_at: impl FnMut(usize) -> Option<M>,
    bounds: impl Fn(&M) -> (usize, usize),
) -> Vec<M> {
    let mut found = Vec::new();
    let mut pos = 0;
    while pos <= s.len() {
        let Some(m) = find_at(pos) else {
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
    found
}

#[cfg(test)]
mod tests {
    #[test]
    fn java_find_reports_empty_match_after_a_match() {
        // `b*` over "abc", as a toy matcher: at each offset, the run of b's there.
        let s = "abc";
        let find_at = |pos: usize| {
            let run = s[pos..].chars().take_while(|&c| c == 'b').count();
            Some((pos, pos + run))
        };
        let found = super::java_matches(s, find_at, |m| *m);
        assert_eq!(found, vec![(0, 0), (1, 2), (2, 2), (3, 3)]);
    }
}
