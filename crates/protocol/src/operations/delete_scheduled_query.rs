use serde::Deserialize;

use super::Empty;

super::operation!(
    DeleteScheduledQuery,
    "DeleteScheduledQuery",
    DeleteScheduledQueryInput,
    Empty
);

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeleteScheduledQueryInput {
    pub scheduled_query_arn: String,
}
