use protocol::operations::untag_resource::UntagResourceInput;
use protocol::operations::Empty;
use protocol::AwsError;

use crate::state::RequestContext;

pub async fn untag_resource(
    ctx: &RequestContext,
    input: UntagResourceInput,
) -> Result<Empty, AwsError> {
    ctx.engine_call(move |engine, scope| {
        engine.untag_resource(scope, &input.resource_arn, &input.tag_keys)
    })
    .await?;
    Ok(Empty {})
}
