use protocol::operations::cancel_query::{CancelQueryInput, CancelQueryOutput};
use protocol::AwsError;

use crate::state::RequestContext;

pub async fn cancel_query(
    ctx: &RequestContext,
    input: CancelQueryInput,
) -> Result<CancelQueryOutput, AwsError> {
    Ok(ctx.state.query.cancel(&ctx.scope, input)?)
}
