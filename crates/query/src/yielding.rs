//! Every operator of a physical plan yields to the runtime now and then, so that a query can be
//! stopped (timeout, CancelQuery, a client gone) wherever it spends its time. DataFusion's own
//! `EnsureCooperative` makes only the leaves consume the task's budget; a join or `UNNEST` that
//! produces endless rows from a few input batches, under an aggregate that polls it in a loop,
//! would then never return to the runtime, and an abort could not take effect.

use std::sync::Arc;

use datafusion::common::config::ConfigOptions;
use datafusion::common::tree_node::{Transformed, TreeNode};
use datafusion::common::Result;
use datafusion::physical_optimizer::PhysicalOptimizerRule;
use datafusion::physical_plan::coop::CooperativeExec;
use datafusion::physical_plan::ExecutionPlan;

/// Wraps every inner operator in a [`CooperativeExec`] (a budget check per batch).
#[derive(Debug, Default)]
pub(crate) struct YieldEverywhere;

impl PhysicalOptimizerRule for YieldEverywhere {
    fn optimize(
        &self,
        plan: Arc<dyn ExecutionPlan>,
        _config: &ConfigOptions,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        plan.transform_up(|node| {
            let wrapped = node.children().is_empty()
                || (node.as_ref() as &dyn std::any::Any).is::<CooperativeExec>();
            Ok(if wrapped {
                Transformed::no(node)
            } else {
                Transformed::yes(Arc::new(CooperativeExec::new(node)) as Arc<dyn ExecutionPlan>)
            })
        })
        .map(|t| t.data)
    }

    fn name(&self) -> &str {
        "YieldEverywhere"
    }

    fn schema_check(&self) -> bool {
        true
    }
}
