use protocol::operations::update_scheduled_query::UpdateScheduledQueryInput;
use protocol::operations::Empty;
use protocol::AwsError;

use crate::state::RequestContext;

/// Enables or disables a scheduled query; a change of state sends `SCHEDULED_QUERY_UPDATE`.
pub async fn update_scheduled_query(
    ctx: &RequestContext,
    input: UpdateScheduledQueryInput,
) -> Result<Empty, AwsError> {
    let state = input.state;
    let arn = input.scheduled_query_arn;
    // The stored query when its state changed, read after the change.
    let (changed, arn) = ctx
        .engine_call(move |engine, scope| {
            let changed = if engine.update_scheduled_query(scope, &arn, state)? {
                Some(engine.scheduled_query(scope, &arn)?)
            } else {
                None
            };
            Ok((changed, arn))
        })
        .await?;
    if let Some(stored) = changed {
        let scheduler = &ctx.state.scheduler;
        let topic = &stored
            .definition
            .notification_configuration
            .sns_configuration
            .topic_arn;
        scheduler.notifier.state_changed(&arn, topic, state);
        scheduler.wake();
    }
    Ok(Empty {})
}
