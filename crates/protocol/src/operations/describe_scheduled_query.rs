use serde::{Deserialize, Serialize};

use crate::shapes::ScheduledQueryDescription;

super::operation!(
    DescribeScheduledQuery,
    "DescribeScheduledQuery",
    DescribeScheduledQueryInput,
    DescribeScheduledQueryOutput
);

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeScheduledQueryInput {
    pub scheduled_query_arn: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeScheduledQueryOutput {
    pub scheduled_query: ScheduledQueryDescription,
}
