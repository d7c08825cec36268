//! Date/time functions (timestream-functions.md, "Date / time").

use std::sync::Arc;

use datafusion::logical_expr::ScalarUDF;

mod ago;
mod bin;

pub use ago::Ago;
pub use bin::Bin;

pub fn functions() -> Vec<Arc<ScalarUDF>> {
    vec![
        Arc::new(ScalarUDF::from(Ago::new())),
        Arc::new(ScalarUDF::from(Bin::new())),
    ]
}
