use protocol::operations::tag_resource::TagResourceInput;
use protocol::operations::Empty;
use protocol::AwsError;

use crate::state::RequestContext;

pub async fn tag_resource(
    ctx: &RequestContext,
    input: TagResourceInput,
) -> Result<Empty, AwsError> {
    ctx.engine()
        .tag_resource(&ctx.scope, &input.resource_arn, &input.tags)?;
    Ok(Empty {})
}
