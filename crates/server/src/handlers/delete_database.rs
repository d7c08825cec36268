use protocol::operations::delete_database::DeleteDatabaseInput;
use protocol::operations::Empty;
use protocol::AwsError;

use crate::state::RequestContext;

pub async fn delete_database(
    ctx: &RequestContext,
    input: DeleteDatabaseInput,
) -> Result<Empty, AwsError> {
    ctx.engine_call(move |engine, scope| engine.delete_database(scope, &input.database_name))
        .await?;
    Ok(Empty {})
}
