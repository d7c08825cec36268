use serde::{Deserialize, Serialize};

use crate::shapes::Table;

super::operation!(ListTables, "ListTables", ListTablesInput, ListTablesOutput);

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListTablesInput {
    pub database_name: Option<String>,
    pub next_token: Option<String>,
    pub max_results: Option<i32>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListTablesOutput {
    pub tables: Vec<Table>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}
