use protocol::operations::create_scheduled_query::{
    CreateScheduledQueryInput, CreateScheduledQueryOutput,
};
use protocol::AwsError;

use crate::state::RequestContext;

/// Checks the query and its target as the query engine sees them, stores the scheduled query
/// (ENABLED, first invocation pending) and sends `SCHEDULED_QUERY_CREATING`.
pub async fn create_scheduled_query(
    ctx: &RequestContext,
    input: CreateScheduledQueryInput,
) -> Result<CreateScheduledQueryOutput, AwsError> {
    ctx.state
        .query
        .check_scheduled_query(&ctx.scope, &input)
        .await?;
    let topic = input
        .notification_configuration
        .sns_configuration
        .topic_arn
        .clone();
    let arn = ctx
        .engine_call(move |engine, scope| engine.create_scheduled_query(scope, input))
        .await?;
    let scheduler = &ctx.state.scheduler;
    scheduler.notifier.created(&arn, &topic);
    scheduler.wake();
    Ok(CreateScheduledQueryOutput { arn })
}
