use protocol::operations::describe_scheduled_query::{
    DescribeScheduledQueryInput, DescribeScheduledQueryOutput,
};
use protocol::AwsError;

use crate::state::RequestContext;

pub async fn describe_scheduled_query(
    ctx: &RequestContext,
    input: DescribeScheduledQueryInput,
) -> Result<DescribeScheduledQueryOutput, AwsError> {
    let scheduled_query = ctx
        .engine_call(move |engine, scope| {
            engine.describe_scheduled_query(scope, &input.scheduled_query_arn)
        })
        .await?;
    Ok(DescribeScheduledQueryOutput { scheduled_query })
}
