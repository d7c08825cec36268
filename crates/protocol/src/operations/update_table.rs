use serde::{Deserialize, Serialize};

use crate::shapes::{MagneticStoreWriteProperties, RetentionProperties, Schema, Table};

super::operation!(
    UpdateTable,
    "UpdateTable",
    UpdateTableInput,
    UpdateTableOutput
);

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UpdateTableInput {
    pub database_name: String,
    pub table_name: String,
    pub retention_properties: Option<RetentionProperties>,
    pub magnetic_store_write_properties: Option<MagneticStoreWriteProperties>,
    pub schema: Option<Schema>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct UpdateTableOutput {
    pub table: Table,
}
