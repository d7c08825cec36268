//! `StringPlanner`: plans the SQL constructs `substr(…)`/`substring(x FROM s [FOR n])` and
//! `position(x IN y)` onto the library's `substr` and `strpos`. sqlparser parses every
//! `substr`/`substring` call as the SUBSTRING construct, and DataFusion's default `ExprPlanner`s
//! plan it (and POSITION) straight into DataFusion's own `substr`/`strpos`, bypassing the
//! function registry, so registering our UDFs alone does not reach them. To take effect this
//! planner must come before DataFusion's in the session's `expr_planners` (run.rs).

use std::sync::Arc;

use datafusion::common::Result;
use datafusion::logical_expr::expr::ScalarFunction;
use datafusion::logical_expr::planner::{ExprPlanner, PlannerResult};
use datafusion::logical_expr::{Expr, ScalarUDF};

use super::{Strpos, Substr};

#[derive(Debug, Default)]
pub struct StringPlanner;

impl ExprPlanner for StringPlanner {
    fn plan_position(&self, args: Vec<Expr>) -> Result<PlannerResult<Vec<Expr>>> {
        Ok(PlannerResult::Planned(Expr::ScalarFunction(
            ScalarFunction::new_udf(Arc::new(ScalarUDF::from(Strpos::first())), args),
        )))
    }

    fn plan_substring(&self, args: Vec<Expr>) -> Result<PlannerResult<Vec<Expr>>> {
        Ok(PlannerResult::Planned(Expr::ScalarFunction(
            ScalarFunction::new_udf(Arc::new(ScalarUDF::from(Substr::new())), args),
        )))
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use datafusion::arrow::array::AsArray;
    use datafusion::execution::session_state::SessionStateBuilder;
    use datafusion::logical_expr::planner::ExprPlanner;
    use datafusion::prelude::SessionContext;

    use super::StringPlanner;

    #[tokio::test]
    async fn substr_and_position_reach_the_library() {
        let defaults = SessionContext::new().state().expr_planners().to_vec();
        let mut planners: Vec<Arc<dyn ExprPlanner>> = vec![Arc::new(StringPlanner)];
        planners.extend(defaults);
        let state = SessionStateBuilder::new_from_existing(SessionContext::new().state())
            .with_expr_planners(planners)
            .build();
        let ctx = SessionContext::new_with_state(state);
        let batches = ctx
            .sql("SELECT substr('Timestream', -6, 3), substring('Timestream' FROM 0), position('b' IN 'abc')")
            .await
            .unwrap()
            .collect()
            .await
            .unwrap();
        let batch = &batches[0];
        assert_eq!(batch.column(0).as_string::<i32>().value(0), "str");
        assert_eq!(batch.column(1).as_string::<i32>().value(0), "");
        assert_eq!(
            batch.column(2).data_type(),
            &datafusion::arrow::datatypes::DataType::Int64
        );
    }
}
