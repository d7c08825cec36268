use protocol::operations::delete_table::DeleteTableInput;
use protocol::operations::Empty;
use protocol::AwsError;

use crate::state::RequestContext;

pub async fn delete_table(
    ctx: &RequestContext,
    input: DeleteTableInput,
) -> Result<Empty, AwsError> {
    ctx.engine_call(move |engine, scope| {
        engine.delete_table(scope, &input.database_name, &input.table_name)
    })
    .await?;
    Ok(Empty {})
}
