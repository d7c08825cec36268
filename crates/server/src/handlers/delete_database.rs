use protocol::operations::delete_database::DeleteDatabaseInput;
use protocol::operations::Empty;
use protocol::AwsError;

use crate::state::RequestContext;

pub async fn delete_database(
    ctx: &RequestContext,
    input: DeleteDatabaseInput,
) -> Result<Empty, AwsError> {
    ctx.engine()
        .delete_database(&ctx.scope, &input.database_name)?;
    Ok(Empty {})
}
