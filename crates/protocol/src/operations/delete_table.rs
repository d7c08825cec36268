use serde::Deserialize;

use super::Empty;

super::operation!(DeleteTable, "DeleteTable", DeleteTableInput, Empty);

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeleteTableInput {
    pub database_name: String,
    pub table_name: String,
}
