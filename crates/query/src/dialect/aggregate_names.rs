//! The names that make a call an aggregate, for the AST pass (before any planning): an
//! aggregated scalar subquery needs no single-row check ([`super::single_row`]), and a lambda
//! body may not aggregate ([`super::lambdas`]).
//!
//! Derived once from the aggregates every session registers — DataFusion's defaults and the
//! library's ([`crate::functions::aggregate_functions`]), names and aliases — so a function
//! added to either is recognised without a list to keep; a test of the session template fails
//! if one is registered some other way and not recognised (run/session.rs).

use std::collections::HashSet;
use std::sync::LazyLock;

use datafusion::execution::SessionStateDefaults;

/// Timestream aggregates (timestream-functions.md) the library does not register yet. Calls of
/// them fail planning as unknown functions, but the AST pass runs first: in a lambda body they
/// get Trino's error for an aggregate there, as in Timestream.
const NOT_YET_REGISTERED: [&str; 5] = [
    "checksum",
    "histogram",
    "listagg",
    "map_agg",
    "numeric_histogram",
];

static AGGREGATES: LazyLock<HashSet<String>> = LazyLock::new(|| {
    SessionStateDefaults::default_aggregate_functions()
        .iter()
        .chain(crate::functions::aggregate_functions().iter())
        .flat_map(|f| std::iter::once(f.name()).chain(f.aliases().iter().map(String::as_str)))
        .map(str::to_ascii_lowercase)
        .chain(NOT_YET_REGISTERED.iter().map(|n| (*n).to_owned()))
        .collect()
});

/// Whether a call of `name` (lower case, unqualified) is an aggregate's.
pub fn is_aggregate(name: &str) -> bool {
    AGGREGATES.contains(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn datafusions_and_the_librarys_aggregates_are_recognised() {
        for name in [
            "count",
            "sum",
            "approx_percentile",
            "create_time_series",
            "bit_and",
        ] {
            assert!(is_aggregate(name), "{name}");
        }
        for name in ["abs", "bin", "date_trunc", "row_number"] {
            assert!(!is_aggregate(name), "{name}");
        }
    }
}
