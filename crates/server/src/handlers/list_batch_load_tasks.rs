use protocol::operations::list_batch_load_tasks::{
    ListBatchLoadTasksInput, ListBatchLoadTasksOutput,
};
use protocol::AwsError;

use crate::state::RequestContext;

/// The scope's tasks, newest first, of one `TaskStatus` if given.
pub async fn list_batch_load_tasks(
    ctx: &RequestContext,
    input: ListBatchLoadTasksInput,
) -> Result<ListBatchLoadTasksOutput, AwsError> {
    let (batch_load_tasks, next_token) = ctx
        .engine_call(move |engine, scope| {
            engine.list_batch_load_tasks(
                scope,
                input.task_status,
                input.max_results,
                input.next_token.as_deref(),
            )
        })
        .await?;
    Ok(ListBatchLoadTasksOutput {
        next_token,
        batch_load_tasks,
    })
}
