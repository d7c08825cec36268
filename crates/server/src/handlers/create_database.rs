use protocol::operations::create_database::{CreateDatabaseInput, CreateDatabaseOutput};
use protocol::AwsError;

use crate::state::RequestContext;

pub async fn create_database(
    ctx: &RequestContext,
    input: CreateDatabaseInput,
) -> Result<CreateDatabaseOutput, AwsError> {
    let database = ctx
        .engine_call(move |engine, scope| engine.create_database(scope, input))
        .await?;
    Ok(CreateDatabaseOutput { database })
}
