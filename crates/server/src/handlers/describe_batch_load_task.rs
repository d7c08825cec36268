use protocol::operations::describe_batch_load_task::{
    DescribeBatchLoadTaskInput, DescribeBatchLoadTaskOutput,
};
use protocol::AwsError;

use crate::state::RequestContext;

pub async fn describe_batch_load_task(
    ctx: &RequestContext,
    input: DescribeBatchLoadTaskInput,
) -> Result<DescribeBatchLoadTaskOutput, AwsError> {
    let batch_load_task_description = ctx
        .engine_call(move |engine, scope| engine.describe_batch_load_task(scope, &input.task_id))
        .await?;
    Ok(DescribeBatchLoadTaskOutput {
        batch_load_task_description,
    })
}
