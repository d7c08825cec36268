use protocol::operations::list_scheduled_queries::{
    ListScheduledQueriesInput, ListScheduledQueriesOutput,
};
use protocol::AwsError;

use crate::state::RequestContext;

pub async fn list_scheduled_queries(
    ctx: &RequestContext,
    input: ListScheduledQueriesInput,
) -> Result<ListScheduledQueriesOutput, AwsError> {
    let (scheduled_queries, next_token) = ctx
        .engine_call(move |engine, scope| {
            engine.list_scheduled_queries(scope, input.max_results, input.next_token.as_deref())
        })
        .await?;
    Ok(ListScheduledQueriesOutput {
        scheduled_queries,
        next_token,
    })
}
