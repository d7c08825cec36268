use serde::Deserialize;

use super::Empty;

super::operation!(UntagResource, "UntagResource", UntagResourceInput, Empty);

/// Shared by both services; routed by the ARN's resource type.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UntagResourceInput {
    #[serde(rename = "ResourceARN")]
    pub resource_arn: String,
    pub tag_keys: Vec<String>,
}
