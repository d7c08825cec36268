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
