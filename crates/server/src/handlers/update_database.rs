use protocol::operations::update_database::{UpdateDatabaseInput, UpdateDatabaseOutput};
use protocol::AwsError;

use crate::state::RequestContext;

pub async fn update_database(
    ctx: &RequestContext,
    input: UpdateDatabaseInput,
) -> Result<UpdateDatabaseOutput, AwsError> {
    let database = ctx
        .engine_call(move |engine, scope| {
            engine.update_database(scope, &input.database_name, &input.kms_key_id)
        })
        .await?;
    Ok(UpdateDatabaseOutput { database })
}
