//! The names that make a call an aggregate, for the AST pass (before any planning): an
//! aggregated scalar subquery needs no single-row check ([`super::single_row`]), and a lambda
//! body may not aggregate ([`super::lambdas`]).
//!
//! Kept by hand, not derived from the function registry: the two differ (Timestream aggregates
//! the library does not have yet, such as `histogram`, are here; DataFusion aggregates such as
//! `bit_and` are not), and deriving it would change which queries these rewrites touch.

/// Aggregate functions by name (Timestream's and DataFusion's), to tell an aggregated scalar
/// subquery from one that is not.
pub(super) const AGGREGATES: [&str; 43] = [
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
