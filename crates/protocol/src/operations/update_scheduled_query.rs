use serde::Deserialize;

use super::Empty;
use crate::shapes::ScheduledQueryState;

super::operation!(
    UpdateScheduledQuery,
    "UpdateScheduledQuery",
    UpdateScheduledQueryInput,
    Empty
);

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UpdateScheduledQueryInput {
    pub scheduled_query_arn: String,
    pub state: ScheduledQueryState,
}
