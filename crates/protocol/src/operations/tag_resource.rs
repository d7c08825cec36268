use serde::Deserialize;

use super::Empty;
use crate::shapes::Tag;

super::operation!(TagResource, "TagResource", TagResourceInput, Empty);

/// Shared by both services; routed by the ARN's resource type.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TagResourceInput {
    #[serde(rename = "ResourceARN")]
    pub resource_arn: String,
    pub tags: Vec<Tag>,
}
