use serde::{Deserialize, Serialize};

use crate::shapes::Database;

super::operation!(
    ListDatabases,
    "ListDatabases",
    ListDatabasesInput,
    ListDatabasesOutput
);

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListDatabasesInput {
    pub next_token: Option<String>,
    pub max_results: Option<i32>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListDatabasesOutput {
    pub databases: Vec<Database>,
    /// Absent on the last page: paginators stop on a missing token, never on `""` (§5.2).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}
