use protocol::operations::update_scheduled_query::UpdateScheduledQueryInput;
use protocol::operations::Empty;
use protocol::AwsError;

use crate::state::RequestContext;

/// Enables or disables a scheduled query; a change of state sends `SCHEDULED_QUERY_UPDATE`.
pub async fn update_scheduled_query(
    ctx: &RequestContext,
    input: UpdateScheduledQueryInput,
) -> Result<Empty, AwsError> {
    let arn = &input.scheduled_query_arn;
    if ctx
        .engine()
        .update_scheduled_query(&ctx.scope, arn, input.state)?
    {
        let stored = ctx.engine().scheduled_query(&ctx.scope, arn)?;
        let scheduler = &ctx.state.scheduler;
        let topic = &stored
            .definition
            .notification_configuration
            .sns_configuration
            .topic_arn;
        scheduler.notifier.state_changed(arn, topic, input.state);
        scheduler.wake();
    }
    Ok(Empty {})
}
