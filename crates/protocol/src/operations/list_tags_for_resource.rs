use serde::{Deserialize, Serialize};

use crate::shapes::Tag;

super::operation!(
    ListTagsForResource,
    "ListTagsForResource",
    ListTagsForResourceInput,
    ListTagsForResourceOutput
);

/// Shared by both services: the query service's variant adds `MaxResults`/`NextToken` and
/// always returns `Tags`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListTagsForResourceInput {
    #[serde(rename = "ResourceARN")]
    pub resource_arn: String,
    pub max_results: Option<i32>,
    pub next_token: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListTagsForResourceOutput {
    pub tags: Vec<Tag>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}
