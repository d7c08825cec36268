use serde::{Deserialize, Serialize};

use crate::shapes::Table;

super::operation!(
    DescribeTable,
    "DescribeTable",
    DescribeTableInput,
    DescribeTableOutput
);

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeTableInput {
    pub database_name: String,
    pub table_name: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeTableOutput {
    pub table: Table,
}
