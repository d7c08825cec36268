//! `variance(x) → double`: Trino's other name of `var_samp`, the sample variance, NULL for one
//! value (timestream-functions.md §10). DataFusion has `var_samp` (named `var`) but no
//! `variance`: its UDAF with one more alias.
//!
//! Documented example: `SELECT variance(t.c1) FROM (VALUES 1, 2, 3, 4) AS t(c1)` →
//! `1.6666666666666667`.

use std::sync::Arc;

use datafusion::functions_aggregate::variance::var_samp_udaf;
use datafusion::logical_expr::AggregateUDF;

pub fn udaf() -> Arc<AggregateUDF> {
    Arc::new(var_samp_udaf().as_ref().clone().with_aliases(["variance"]))
}
