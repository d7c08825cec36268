use protocol::operations::create_table::{CreateTableInput, CreateTableOutput};
use protocol::AwsError;

use crate::state::RequestContext;

pub async fn create_table(
    ctx: &RequestContext,
    input: CreateTableInput,
) -> Result<CreateTableOutput, AwsError> {
    Ok(CreateTableOutput {
        table: ctx.engine().create_table(&ctx.scope, input)?,
    })
}
