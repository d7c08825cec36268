use protocol::operations::describe_scheduled_query::{
    DescribeScheduledQueryInput, DescribeScheduledQueryOutput,
};
use protocol::AwsError;

use crate::state::RequestContext;

pub async fn describe_scheduled_query(
    ctx: &RequestContext,
    input: DescribeScheduledQueryInput,
) -> Result<DescribeScheduledQueryOutput, AwsError> {
    Ok(DescribeScheduledQueryOutput {
        scheduled_query: ctx
            .engine()
            .describe_scheduled_query(&ctx.scope, &input.scheduled_query_arn)?,
    })
}
