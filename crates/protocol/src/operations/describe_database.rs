use serde::{Deserialize, Serialize};

use crate::shapes::Database;

super::operation!(
    DescribeDatabase,
    "DescribeDatabase",
    DescribeDatabaseInput,
    DescribeDatabaseOutput
);

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeDatabaseInput {
    pub database_name: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeDatabaseOutput {
    pub database: Database,
}
