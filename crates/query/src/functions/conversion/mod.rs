//! Conversion functions (timestream-functions.md §3): `typeof`. `CAST`/`TRY_CAST` are
//! DataFusion's (their differences are listed in docs/functions/conversion.md). Also the argument
//! typing helpers every scalar function of the library uses.

use std::sync::Arc;

use datafusion::logical_expr::ScalarUDF;

pub mod args;
pub mod sql_type;
mod type_of;

pub use type_of::TypeOf;

pub fn functions() -> Vec<Arc<ScalarUDF>> {
    vec![Arc::new(ScalarUDF::from(TypeOf::new()))]
}
