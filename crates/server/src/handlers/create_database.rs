use protocol::operations::create_database::{CreateDatabaseInput, CreateDatabaseOutput};
use protocol::AwsError;

use crate::state::RequestContext;

pub async fn create_database(
    ctx: &RequestContext,
    input: CreateDatabaseInput,
) -> Result<CreateDatabaseOutput, AwsError> {
    Ok(CreateDatabaseOutput {
        database: ctx.engine().create_database(&ctx.scope, input)?,
    })
}
