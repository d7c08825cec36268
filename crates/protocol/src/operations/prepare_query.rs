use serde::{Deserialize, Serialize};

use super::query::Type;

super::operation!(
    PrepareQuery,
    "PrepareQuery",
    PrepareQueryInput,
    PrepareQueryOutput
);

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PrepareQueryInput {
    pub query_string: String,
    pub validate_only: Option<bool>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct PrepareQueryOutput {
    pub query_string: String,
    pub columns: Vec<SelectColumn>,
    pub parameters: Vec<ParameterMapping>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct SelectColumn {
    pub name: String,
    pub r#type: Type,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub table_name: Option<String>,
    pub aliased: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ParameterMapping {
    pub name: String,
    pub r#type: Type,
}
