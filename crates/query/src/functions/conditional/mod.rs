//! Conditional expressions (timestream-functions.md §2): `if` and `try`, both rewritten at
//! planning. `CASE`, `coalesce` and `nullif` are DataFusion's (pinned in
//! functions_conditional.slt).

use std::sync::Arc;

use datafusion::logical_expr::ScalarUDF;

mod if_;
mod try_;

pub use if_::If;
pub use try_::{shield_literal_casts, Try, TryCall};

pub fn functions() -> Vec<Arc<ScalarUDF>> {
    vec![
        Arc::new(ScalarUDF::from(If::new())),
        Arc::new(ScalarUDF::from(Try::new())),
    ]
}
