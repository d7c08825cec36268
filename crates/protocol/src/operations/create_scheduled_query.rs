use serde::{Deserialize, Serialize};

use crate::shapes::{
    ErrorReportConfiguration, NotificationConfiguration, ScheduleConfiguration, Tag,
    TargetConfiguration,
};

super::operation!(
    CreateScheduledQuery,
    "CreateScheduledQuery",
    CreateScheduledQueryInput,
    CreateScheduledQueryOutput
);

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateScheduledQueryInput {
    pub name: String,
    pub query_string: String,
    pub schedule_configuration: ScheduleConfiguration,
    pub notification_configuration: NotificationConfiguration,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_configuration: Option<TargetConfiguration>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_token: Option<String>,
    pub scheduled_query_execution_role_arn: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<Tag>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kms_key_id: Option<String>,
    pub error_report_configuration: ErrorReportConfiguration,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateScheduledQueryOutput {
    pub arn: String,
}
