use serde::{Deserialize, Serialize};

use crate::shapes::{Database, Tag};

super::operation!(
    CreateDatabase,
    "CreateDatabase",
    CreateDatabaseInput,
    CreateDatabaseOutput
);

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateDatabaseInput {
    pub database_name: String,
    pub kms_key_id: Option<String>,
    #[serde(default)]
    pub tags: Vec<Tag>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateDatabaseOutput {
    pub database: Database,
}
