//! The Timestream function library: functions Timestream has and DataFusion lacks, or has with
//! other names or semantics, one file each, one module per category of
//! timestream-functions.md (STYLE.md §2). A function registered here under a name DataFusion
//! also uses replaces DataFusion's for every query.

use std::sync::Arc;

use datafusion::logical_expr::{AggregateUDF, HigherOrderUDF, ScalarUDF, WindowUDF};

pub mod aggregate;
pub mod array;
pub mod bitwise;
pub mod comparison;
pub mod conditional;
pub mod conversion;
pub mod datetime;
pub mod lambda;
pub mod math;
pub mod regex;
pub mod string;
pub mod timeseries;
pub mod window;

/// Every scalar function of the library.
pub fn scalar_functions() -> Vec<Arc<ScalarUDF>> {
    [
        comparison::functions(),
        conditional::functions(),
        conversion::functions(),
        datetime::functions(),
        math::functions(),
        bitwise::functions(),
        string::functions(),
        regex::functions(),
        array::functions(),
        timeseries::functions(),
    ]
    .concat()
}

/// Every aggregate function of the library.
pub fn aggregate_functions() -> Vec<Arc<AggregateUDF>> {
    [aggregate::functions(), timeseries::aggregate_functions()].concat()
}

/// Every function of the library that takes lambdas.
pub fn higher_order_functions() -> Vec<Arc<HigherOrderUDF>> {
    lambda::functions()
}

/// Every window function of the library.
pub fn window_functions() -> Vec<Arc<WindowUDF>> {
    window::functions()
}

#[cfg(test)]
mod tests {
    #[test]
    fn no_two_functions_share_a_name() {
        let scalar = super::scalar_functions()
            .iter()
            .flat_map(|f| std::iter::once(f.name().to_owned()).chain(f.aliases().iter().cloned()))
            .collect::<Vec<_>>();
        let aggregate = super::aggregate_functions()
            .iter()
            .flat_map(|f| std::iter::once(f.name().to_owned()).chain(f.aliases().iter().cloned()))
            .collect::<Vec<_>>();
        let window = super::window_functions()
            .iter()
            .flat_map(|f| std::iter::once(f.name().to_owned()).chain(f.aliases().iter().cloned()))
            .collect::<Vec<_>>();
        let mut names: Vec<String> = [scalar, aggregate, window].concat();
        let n = names.len();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), n);
    }
}
