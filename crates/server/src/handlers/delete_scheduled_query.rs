use protocol::operations::delete_scheduled_query::DeleteScheduledQueryInput;
use protocol::operations::Empty;
use protocol::AwsError;

use crate::state::RequestContext;

pub async fn delete_scheduled_query(
    ctx: &RequestContext,
    input: DeleteScheduledQueryInput,
) -> Result<Empty, AwsError> {
    let arn = input.scheduled_query_arn;
    let (stored, arn) = ctx
        .engine_call(move |engine, scope| {
            let stored = engine.scheduled_query(scope, &arn)?;
            engine.delete_scheduled_query(scope, &arn)?;
            Ok((stored, arn))
        })
        .await?;
    let scheduler = &ctx.state.scheduler;
    let topic = &stored
        .definition
        .notification_configuration
        .sns_configuration
        .topic_arn;
    scheduler.notifier.deleted(&arn, topic);
    scheduler.wake();
    Ok(Empty {})
}
