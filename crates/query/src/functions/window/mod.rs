//! Window functions (timestream-functions.md §11). `cume_dist`, `dense_rank`, `percent_rank`, `rank`, `row_number`, `first_value` and `last_value` are DataFusion's own
//! (their UInt64 results already reach clients as bigint, encode.rs); the value functions that
//! take an offset, and `ntile`, are wrapped here to reject the arguments Timestream rejects. Every aggregate of
//! §10 also works with `OVER`.

use std::sync::Arc;

use datafusion::logical_expr::WindowUDF;

mod checked_offset;
mod lag;
mod lead;
mod nth_value;
mod ntile;

pub fn functions() -> Vec<Arc<WindowUDF>> {
    vec![
        Arc::new(WindowUDF::from(lag::lag())),
        Arc::new(WindowUDF::from(lead::lead())),
        Arc::new(WindowUDF::from(nth_value::nth_value())),
        Arc::new(WindowUDF::from(ntile::ntile())),
    ]
}
