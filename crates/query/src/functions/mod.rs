//! The Timestream function library: functions Timestream has and DataFusion lacks, or has with
//! other names or semantics, one file each, registered by category (STYLE.md §2).

use std::sync::Arc;

use datafusion::logical_expr::ScalarUDF;

pub mod datetime;

/// Every scalar function of the library.
pub fn scalar_functions() -> Vec<Arc<ScalarUDF>> {
    datetime::functions()
}

#[cfg(test)]
mod tests {
    #[test]
    fn no_two_functions_share_a_name() {
        let mut names: Vec<String> = super::scalar_functions()
            .iter()
            .flat_map(|f| std::iter::once(f.name().to_owned()).chain(f.aliases().iter().cloned()))
            .collect();
        let n = names.len();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), n);
    }
}
