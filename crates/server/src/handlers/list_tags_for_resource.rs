use protocol::operations::list_tags_for_resource::{
    ListTagsForResourceInput, ListTagsForResourceOutput,
};
use protocol::AwsError;

use crate::state::RequestContext;

pub async fn list_tags_for_resource(
    ctx: &RequestContext,
    input: ListTagsForResourceInput,
) -> Result<ListTagsForResourceOutput, AwsError> {
    let (tags, next_token) = ctx
        .engine_call(move |engine, scope| {
            engine.list_tags_for_resource(
                scope,
                &input.resource_arn,
                input.max_results,
                input.next_token.as_deref(),
            )
        })
        .await?;
    Ok(ListTagsForResourceOutput { tags, next_token })
}
