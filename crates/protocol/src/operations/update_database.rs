use serde::{Deserialize, Serialize};

use crate::shapes::Database;

super::operation!(
    UpdateDatabase,
    "UpdateDatabase",
    UpdateDatabaseInput,
    UpdateDatabaseOutput
);

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UpdateDatabaseInput {
    pub database_name: String,
    pub kms_key_id: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct UpdateDatabaseOutput {
    pub database: Database,
}
