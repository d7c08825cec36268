//! `every(boolean) → boolean`: Trino's other name of `bool_and` — TRUE iff every non-NULL input
//! is TRUE, NULL on no input (timestream-functions.md §10). DataFusion's `bool_and` with an
//! alias.
//!
//! Documented example (of `bool_and`): `SELECT bool_and(t.c) FROM (VALUES true, true, false,
//! true) AS t(c)` → `false`.

use std::sync::Arc;

use datafusion::functions_aggregate::bool_and_or::bool_and_udaf;
use datafusion::logical_expr::AggregateUDF;

pub fn udaf() -> Arc<AggregateUDF> {
    Arc::new(bool_and_udaf().as_ref().clone().with_aliases(["every"]))
}
