use serde::{Deserialize, Serialize};

use crate::shapes::batch_load::{
    DataModelConfiguration, DataSourceConfiguration, ReportConfiguration,
};

super::operation!(
    CreateBatchLoadTask,
    "CreateBatchLoadTask",
    CreateBatchLoadTaskInput,
    CreateBatchLoadTaskOutput
);

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateBatchLoadTaskInput {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_model_configuration: Option<DataModelConfiguration>,
    pub data_source_configuration: DataSourceConfiguration,
    pub report_configuration: ReportConfiguration,
    pub target_database_name: String,
    pub target_table_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub record_version: Option<i64>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateBatchLoadTaskOutput {
    pub task_id: String,
}
