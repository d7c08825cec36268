use protocol::operations::describe_database::{DescribeDatabaseInput, DescribeDatabaseOutput};
use protocol::AwsError;

use crate::state::RequestContext;

pub async fn describe_database(
    ctx: &RequestContext,
    input: DescribeDatabaseInput,
) -> Result<DescribeDatabaseOutput, AwsError> {
    Ok(DescribeDatabaseOutput {
        database: ctx
            .engine()
            .describe_database(&ctx.scope, &input.database_name)?,
    })
}
