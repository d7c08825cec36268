use serde::{Deserialize, Serialize};

use crate::shapes::ScheduledQuery;

super::operation!(
    ListScheduledQueries,
    "ListScheduledQueries",
    ListScheduledQueriesInput,
    ListScheduledQueriesOutput
);

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListScheduledQueriesInput {
    pub max_results: Option<i32>,
    pub next_token: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListScheduledQueriesOutput {
    pub scheduled_queries: Vec<ScheduledQuery>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}
