//! comparison functions (timestream-functions.md): none yet.

use std::sync::Arc;

use datafusion::logical_expr::ScalarUDF;

pub fn functions() -> Vec<Arc<ScalarUDF>> {
    vec![]
}
