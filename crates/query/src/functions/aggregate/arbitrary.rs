//! `arbitrary(x) → same as x`: some non-NULL value of `x`, NULL when there is none
//! (timestream-functions.md §10). DataFusion's `any_value` has exactly these semantics, so
//! `arbitrary` is its alias.
//!
//! Documented example: `SELECT arbitrary(t.c) FROM (VALUES 1, 2, 3, 4) AS t(c)` → `1`.

use std::sync::Arc;

use datafusion::functions_aggregate::any_value::any_value_udaf;
use datafusion::logical_expr::AggregateUDF;

pub fn udaf() -> Arc<AggregateUDF> {
    Arc::new(
        any_value_udaf()
            .as_ref()
            .clone()
            .with_aliases(["arbitrary"]),
    )
}
