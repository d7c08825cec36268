use serde::{Deserialize, Serialize};

use crate::shapes::batch_load::{BatchLoadStatus, BatchLoadTask};

super::operation!(
    ListBatchLoadTasks,
    "ListBatchLoadTasks",
    ListBatchLoadTasksInput,
    ListBatchLoadTasksOutput
);

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListBatchLoadTasksInput {
    pub next_token: Option<String>,
    pub max_results: Option<i32>,
    pub task_status: Option<BatchLoadStatus>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListBatchLoadTasksOutput {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
    pub batch_load_tasks: Vec<BatchLoadTask>,
}
