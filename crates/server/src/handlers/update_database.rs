use protocol::operations::update_database::{UpdateDatabaseInput, UpdateDatabaseOutput};
use protocol::AwsError;

use crate::state::RequestContext;

pub async fn update_database(
    ctx: &RequestContext,
    input: UpdateDatabaseInput,
) -> Result<UpdateDatabaseOutput, AwsError> {
    let database =
        ctx.engine()
            .update_database(&ctx.scope, &input.database_name, &input.kms_key_id)?;
    Ok(UpdateDatabaseOutput { database })
}
