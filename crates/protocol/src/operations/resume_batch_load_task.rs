use serde::Deserialize;

use super::Empty;

super::operation!(
    ResumeBatchLoadTask,
    "ResumeBatchLoadTask",
    ResumeBatchLoadTaskInput,
    Empty
);

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ResumeBatchLoadTaskInput {
    pub task_id: String,
}
