//! `array_remove(x, element) → array`: removes **all** elements equal to `element`; NULL
//! elements stay; a NULL `element` gives NULL [trino] (timestream-functions.md §8). DataFusion's
//! `array_remove` removes only the first match; its `array_remove_all` has Timestream's
//! semantics and answers to `array_remove` here.
//!
//! Documented example: `SELECT array_remove(ARRAY[3,4,5,9], 4)` → `[3, 5, 9]`.

use std::sync::Arc;

use datafusion::functions_nested::remove::array_remove_all_udf;
use datafusion::logical_expr::ScalarUDF;

pub fn udf() -> Arc<ScalarUDF> {
    Arc::new(
        array_remove_all_udf()
            .as_ref()
            .clone()
            .with_aliases(["array_remove"]),
    )
}
