use protocol::operations::list_databases::{ListDatabasesInput, ListDatabasesOutput};
use protocol::AwsError;

use crate::state::RequestContext;

pub async fn list_databases(
    ctx: &RequestContext,
    input: ListDatabasesInput,
) -> Result<ListDatabasesOutput, AwsError> {
    let (databases, next_token) = ctx
        .engine_call(move |engine, scope| {
            engine.list_databases(scope, input.max_results, input.next_token.as_deref())
        })
        .await?;
    Ok(ListDatabasesOutput {
        databases,
        next_token,
    })
}
