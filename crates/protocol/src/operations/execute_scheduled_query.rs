use aws_smithy_types::DateTime;
use serde::Deserialize;

use super::query::QueryInsights;
use super::Empty;

super::operation!(
    ExecuteScheduledQuery,
    "ExecuteScheduledQuery",
    ExecuteScheduledQueryInput,
    Empty
);

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ExecuteScheduledQueryInput {
    pub scheduled_query_arn: String,
    /// The run is "as if" invoked at this time: `@scheduled_runtime`.
    #[serde(with = "crate::timestamp")]
    pub invocation_time: DateTime,
    /// "Not used", as AWS documents it.
    pub client_token: Option<String>,
    pub query_insights: Option<QueryInsights>,
}
