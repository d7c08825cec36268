use protocol::operations::update_table::{UpdateTableInput, UpdateTableOutput};
use protocol::AwsError;

use crate::state::RequestContext;

pub async fn update_table(
    ctx: &RequestContext,
    input: UpdateTableInput,
) -> Result<UpdateTableOutput, AwsError> {
    let table = ctx
        .engine_call(move |engine, scope| engine.update_table(scope, input))
        .await?;
    Ok(UpdateTableOutput { table })
}
