use protocol::operations::list_tables::{ListTablesInput, ListTablesOutput};
use protocol::AwsError;

use crate::state::RequestContext;

pub async fn list_tables(
    ctx: &RequestContext,
    input: ListTablesInput,
) -> Result<ListTablesOutput, AwsError> {
    let (tables, next_token) = ctx
        .engine_call(move |engine, scope| {
            engine.list_tables(
                scope,
                input.database_name.as_deref(),
                input.max_results,
                input.next_token.as_deref(),
            )
        })
        .await?;
    Ok(ListTablesOutput { tables, next_token })
}
