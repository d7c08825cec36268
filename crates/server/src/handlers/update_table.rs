use protocol::operations::update_table::{UpdateTableInput, UpdateTableOutput};
use protocol::AwsError;

use crate::state::RequestContext;

pub async fn update_table(
    ctx: &RequestContext,
    input: UpdateTableInput,
) -> Result<UpdateTableOutput, AwsError> {
    Ok(UpdateTableOutput {
        table: ctx.engine().update_table(&ctx.scope, input)?,
    })
}
