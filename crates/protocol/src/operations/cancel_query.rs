use serde::{Deserialize, Serialize};

super::operation!(
    CancelQuery,
    "CancelQuery",
    CancelQueryInput,
    CancelQueryOutput
);

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CancelQueryInput {
    pub query_id: String,
}

#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct CancelQueryOutput {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cancellation_message: Option<String>,
}
