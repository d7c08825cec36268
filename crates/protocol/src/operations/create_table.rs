use serde::{Deserialize, Serialize};

use crate::shapes::{MagneticStoreWriteProperties, RetentionProperties, Schema, Table, Tag};

super::operation!(
    CreateTable,
    "CreateTable",
    CreateTableInput,
    CreateTableOutput
);

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateTableInput {
    pub database_name: String,
    pub table_name: String,
    pub retention_properties: Option<RetentionProperties>,
    #[serde(default)]
    pub tags: Vec<Tag>,
    pub magnetic_store_write_properties: Option<MagneticStoreWriteProperties>,
    pub schema: Option<Schema>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateTableOutput {
    pub table: Table,
}
