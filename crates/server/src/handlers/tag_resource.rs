use protocol::operations::tag_resource::TagResourceInput;
use protocol::operations::Empty;
use protocol::AwsError;

use crate::state::RequestContext;

pub async fn tag_resource(
    ctx: &RequestContext,
    input: TagResourceInput,
) -> Result<Empty, AwsError> {
    ctx.engine_call(move |engine, scope| {
        engine.tag_resource(scope, &input.resource_arn, &input.tags)
    })
    .await?;
    Ok(Empty {})
}
