use protocol::operations::create_table::{CreateTableInput, CreateTableOutput};
use protocol::AwsError;

use crate::state::RequestContext;

pub async fn create_table(
    ctx: &RequestContext,
    input: CreateTableInput,
) -> Result<CreateTableOutput, AwsError> {
    let table = ctx
        .engine_call(move |engine, scope| engine.create_table(scope, input))
        .await?;
    Ok(CreateTableOutput { table })
}
