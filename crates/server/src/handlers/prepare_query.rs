use protocol::operations::prepare_query::{PrepareQueryInput, PrepareQueryOutput};
use protocol::AwsError;

use crate::state::RequestContext;

pub async fn prepare_query(
    ctx: &RequestContext,
    input: PrepareQueryInput,
) -> Result<PrepareQueryOutput, AwsError> {
    Ok(ctx.state.query.prepare(&ctx.scope, input).await?)
}
