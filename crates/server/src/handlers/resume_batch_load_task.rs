use protocol::operations::resume_batch_load_task::ResumeBatchLoadTaskInput;
use protocol::operations::Empty;
use protocol::AwsError;

use crate::state::RequestContext;

/// A PROGRESS_STOPPED task within its ResumableUntil becomes PENDING_RESUME and the runner
/// takes it up from where it stopped; any other status is a ValidationException.
pub async fn resume_batch_load_task(
    ctx: &RequestContext,
    input: ResumeBatchLoadTaskInput,
) -> Result<Empty, AwsError> {
    ctx.engine_call(move |engine, scope| engine.resume_batch_load_task(scope, &input.task_id))
        .await?;
    ctx.state.batch_load.wake();
    Ok(Empty {})
}
