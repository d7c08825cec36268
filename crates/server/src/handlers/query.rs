use protocol::operations::query::{QueryInput, QueryOutput};
use protocol::AwsError;

use crate::state::RequestContext;

pub async fn query(ctx: &RequestContext, input: QueryInput) -> Result<QueryOutput, AwsError> {
    Ok(ctx.state.query.query(&ctx.scope, input).await?)
}
