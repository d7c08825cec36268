use protocol::operations::describe_database::{DescribeDatabaseInput, DescribeDatabaseOutput};
use protocol::AwsError;

use crate::state::RequestContext;

pub async fn describe_database(
    ctx: &RequestContext,
    input: DescribeDatabaseInput,
) -> Result<DescribeDatabaseOutput, AwsError> {
    let database = ctx
        .engine_call(move |engine, scope| engine.describe_database(scope, &input.database_name))
        .await?;
    Ok(DescribeDatabaseOutput { database })
}
