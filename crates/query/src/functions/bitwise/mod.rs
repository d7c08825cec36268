//! Bitwise functions (timestream-functions.md §5), over `bigint` in two's complement; integer
//! arguments widen to `bigint`. DataFusion has only the `&`, `|`, `^`, `~` operators.

use std::sync::Arc;

use datafusion::logical_expr::ScalarUDF;

mod bit_count;
mod bitwise_op;

pub use bit_count::BitCount;
pub use bitwise_op::Bitwise;

pub fn functions() -> Vec<Arc<ScalarUDF>> {
    vec![
        Arc::new(ScalarUDF::from(BitCount::new())),
        Arc::new(ScalarUDF::from(Bitwise::and())),
        Arc::new(ScalarUDF::from(Bitwise::or())),
        Arc::new(ScalarUDF::from(Bitwise::xor())),
        Arc::new(ScalarUDF::from(Bitwise::not())),
    ]
}
