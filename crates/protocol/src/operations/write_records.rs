use serde::{Deserialize, Serialize};

use crate::shapes::Record;

super::operation!(
    WriteRecords,
    "WriteRecords",
    WriteRecordsInput,
    WriteRecordsOutput
);

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct WriteRecordsInput {
    pub database_name: String,
    pub table_name: String,
    pub common_attributes: Option<Record>,
    pub records: Vec<Record>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct WriteRecordsOutput {
    pub records_ingested: RecordsIngested,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RecordsIngested {
    pub total: i32,
    pub memory_store: i32,
    pub magnetic_store: i32,
}

/// One entry of `RejectedRecordsException.RejectedRecords`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RejectedRecord {
    pub record_index: i32,
    pub reason: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub existing_version: Option<i64>,
}
