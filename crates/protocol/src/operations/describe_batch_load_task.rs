use serde::{Deserialize, Serialize};

use crate::shapes::batch_load::BatchLoadTaskDescription;

super::operation!(
    DescribeBatchLoadTask,
    "DescribeBatchLoadTask",
    DescribeBatchLoadTaskInput,
    DescribeBatchLoadTaskOutput
);

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeBatchLoadTaskInput {
    pub task_id: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeBatchLoadTaskOutput {
    pub batch_load_task_description: BatchLoadTaskDescription,
}
