use protocol::operations::describe_table::{DescribeTableInput, DescribeTableOutput};
use protocol::AwsError;

use crate::state::RequestContext;

pub async fn describe_table(
    ctx: &RequestContext,
    input: DescribeTableInput,
) -> Result<DescribeTableOutput, AwsError> {
    let table = ctx
        .engine_call(move |engine, scope| {
            engine.describe_table(scope, &input.database_name, &input.table_name)
        })
        .await?;
    Ok(DescribeTableOutput { table })
}
