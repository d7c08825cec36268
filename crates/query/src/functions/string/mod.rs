//! String functions and operators (timestream-functions.md §6). Positions are 1-based and count
//! Unicode code points; lengths and positions are `bigint`.
//!
//! DataFusion's own `chr`, `lower`, `upper`, `reverse`, `||` and `position(… IN …)` have the
//! Timestream semantics and are used unchanged (pinned in functions_string.slt).

use std::sync::Arc;

use datafusion::logical_expr::ScalarUDF;

mod codepoint;
mod concat;
mod hamming_distance;
mod length;
mod levenshtein_distance;
mod pad;
mod replace;
mod split;
mod split_part;
mod strpos;
mod substr;
mod trim;

pub use codepoint::Codepoint;
pub use concat::Concat;
pub use hamming_distance::HammingDistance;
pub use length::Length;
pub use levenshtein_distance::LevenshteinDistance;
pub use pad::Pad;
pub use replace::Replace;
pub use split::Split;
pub use split_part::SplitPart;
pub use strpos::Strpos;
pub use substr::Substr;
pub use trim::Trim;

pub fn functions() -> Vec<Arc<ScalarUDF>> {
    vec![
        Arc::new(ScalarUDF::from(Codepoint::new())),
        Arc::new(ScalarUDF::from(Concat::new())),
        Arc::new(ScalarUDF::from(HammingDistance::new())),
        Arc::new(ScalarUDF::from(Length::new())),
        Arc::new(ScalarUDF::from(LevenshteinDistance::new())),
        Arc::new(ScalarUDF::from(Pad::left())),
        Arc::new(ScalarUDF::from(Pad::right())),
        Arc::new(ScalarUDF::from(Replace::new())),
        Arc::new(ScalarUDF::from(Split::new())),
        Arc::new(ScalarUDF::from(SplitPart::new())),
        Arc::new(ScalarUDF::from(Strpos::first())),
        Arc::new(ScalarUDF::from(Strpos::last())),
        Arc::new(ScalarUDF::from(Substr::new())),
        Arc::new(ScalarUDF::from(Trim::both())),
        Arc::new(ScalarUDF::from(Trim::leading())),
        Arc::new(ScalarUDF::from(Trim::trailing())),
    ]
}
