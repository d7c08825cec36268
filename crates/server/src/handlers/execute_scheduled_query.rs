use protocol::operations::execute_scheduled_query::ExecuteScheduledQueryInput;
use protocol::operations::query::QueryInsightsMode;
use protocol::operations::Empty;
use protocol::AwsError;

use crate::scheduler::Scheduler;
use crate::state::RequestContext;

/// Runs the scheduled query once "as if" invoked at `InvocationTime` (a MANUAL_TRIGGER run).
/// AWS answers at once and runs in the background; we answer when the run is recorded, so a
/// DescribeScheduledQuery right after sees it (code that polls, as it must against AWS, works
/// the same).
pub async fn execute_scheduled_query(
    ctx: &RequestContext,
    input: ExecuteScheduledQueryInput,
) -> Result<Empty, AwsError> {
    let t = input.invocation_time;
    let invocation_ns = t
        .secs()
        .saturating_mul(1_000_000_000)
        .saturating_add(i64::from(t.subsec_nanos()));
    let insights = input
        .query_insights
        .is_some_and(|q| q.mode == QueryInsightsMode::EnabledWithRateControl);
    Scheduler::run(
        &ctx.state,
        &ctx.scope,
        &input.scheduled_query_arn,
        invocation_ns,
        true,
        insights,
    )
    .await?;
    Ok(Empty {})
}
