use serde::Deserialize;

use super::Empty;

super::operation!(DeleteDatabase, "DeleteDatabase", DeleteDatabaseInput, Empty);

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeleteDatabaseInput {
    pub database_name: String,
}
