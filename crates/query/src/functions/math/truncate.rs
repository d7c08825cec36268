//! `truncate(x) → double`: `x` with its fractional digits dropped (toward zero). DataFusion calls
//! it `trunc`. Trino's `truncate(x, d)` is not in the guide and not provided.
//!
//! Examples [trino]: `truncate(-1.7)` → `-1.0`; `truncate(2.9)` → `2.0`.

use super::sqrt::DoubleFunction;

/// `truncate`: [`DoubleFunction`] of `f64::trunc`.
pub fn truncate() -> DoubleFunction {
    DoubleFunction::with("truncate", "truncate(double)", f64::trunc)
}
