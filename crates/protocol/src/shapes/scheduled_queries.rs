//! The shapes of scheduled queries (timestream-query; wire-protocol.md §4.2 "Nested structures",
//! §5.6): their configuration as CreateScheduledQuery takes it and Describe/List echo it, and
//! the summary of a run. The engine stores the configuration in these shapes too.

use aws_smithy_types::DateTime;
use serde::{Deserialize, Serialize};

use super::{MeasureValueType, S3Configuration, SnsConfiguration};
use crate::operations::query::{QuerySpatialCoverage, QueryTemporalRange};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ScheduleConfiguration {
    pub schedule_expression: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct NotificationConfiguration {
    pub sns_configuration: SnsConfiguration,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TargetConfiguration {
    pub timestream_configuration: TimestreamConfiguration,
}

/// How a scheduled query's result rows become records of the target table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TimestreamConfiguration {
    pub database_name: String,
    pub table_name: String,
    pub time_column: String,
    pub dimension_mappings: Vec<DimensionMapping>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub multi_measure_mappings: Option<MultiMeasureMappings>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mixed_measure_mappings: Option<Vec<MixedMeasureMapping>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub measure_name_column: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DimensionMapping {
    pub name: String,
    /// `VARCHAR`, the only value the model allows.
    pub dimension_value_type: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct MultiMeasureMappings {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_multi_measure_name: Option<String>,
    pub multi_measure_attribute_mappings: Vec<MultiMeasureAttributeMapping>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct MultiMeasureAttributeMapping {
    pub source_column: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_multi_measure_attribute_name: Option<String>,
    /// A scalar type (the model's `ScalarMeasureValueType`: no `MULTI`).
    pub measure_value_type: MeasureValueType,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct MixedMeasureMapping {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub measure_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_column: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_measure_name: Option<String>,
    /// `BIGINT`, `BOOLEAN`, `DOUBLE`, `VARCHAR` or `MULTI` (no `TIMESTAMP`, per the model).
    pub measure_value_type: MeasureValueType,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub multi_measure_attribute_mappings: Option<Vec<MultiMeasureAttributeMapping>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ErrorReportConfiguration {
    pub s3_configuration: S3Configuration,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ScheduledQueryState {
    Enabled,
    Disabled,
}

impl ScheduledQueryState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Enabled => "ENABLED",
            Self::Disabled => "DISABLED",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ScheduledQueryRunStatus {
    AutoTriggerSuccess,
    AutoTriggerFailure,
    ManualTriggerSuccess,
    ManualTriggerFailure,
}

impl ScheduledQueryRunStatus {
    pub fn new(manual: bool, success: bool) -> Self {
        match (manual, success) {
            (false, true) => Self::AutoTriggerSuccess,
            (false, false) => Self::AutoTriggerFailure,
            (true, true) => Self::ManualTriggerSuccess,
            (true, false) => Self::ManualTriggerFailure,
        }
    }

    pub fn is_failure(self) -> bool {
        matches!(self, Self::AutoTriggerFailure | Self::ManualTriggerFailure)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::AutoTriggerSuccess => "AUTO_TRIGGER_SUCCESS",
            Self::AutoTriggerFailure => "AUTO_TRIGGER_FAILURE",
            Self::ManualTriggerSuccess => "MANUAL_TRIGGER_SUCCESS",
            Self::ManualTriggerFailure => "MANUAL_TRIGGER_FAILURE",
        }
    }
}

/// One run of a scheduled query.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ScheduledQueryRunSummary {
    /// The time the run was "as if" invoked at: `@scheduled_runtime`.
    #[serde(
        default,
        with = "crate::timestamp::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub invocation_time: Option<DateTime>,
    /// When the run actually started.
    #[serde(
        default,
        with = "crate::timestamp::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub trigger_time: Option<DateTime>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub run_status: Option<ScheduledQueryRunStatus>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub execution_stats: Option<ExecutionStats>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub query_insights_response: Option<ScheduledQueryInsightsResponse>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_report_location: Option<ErrorReportLocation>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure_reason: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ExecutionStats {
    pub execution_time_in_millis: i64,
    /// Bytes written to the target table.
    pub data_writes: i64,
    pub bytes_metered: i64,
    pub cumulative_bytes_scanned: i64,
    pub records_ingested: i64,
    pub query_result_rows: i64,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ScheduledQueryInsightsResponse {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub query_spatial_coverage: Option<QuerySpatialCoverage>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub query_temporal_range: Option<QueryTemporalRange>,
    pub query_table_count: i64,
    pub output_rows: i64,
    pub output_bytes: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ErrorReportLocation {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub s3_report_location: Option<S3ReportLocation>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct S3ReportLocation {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bucket_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub object_key: Option<String>,
}

/// DescribeScheduledQuery's answer: the whole configuration and the run history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ScheduledQueryDescription {
    pub arn: String,
    pub name: String,
    pub query_string: String,
    #[serde(with = "crate::timestamp")]
    pub creation_time: DateTime,
    pub state: ScheduledQueryState,
    #[serde(
        default,
        with = "crate::timestamp::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub previous_invocation_time: Option<DateTime>,
    #[serde(
        default,
        with = "crate::timestamp::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub next_invocation_time: Option<DateTime>,
    pub schedule_configuration: ScheduleConfiguration,
    pub notification_configuration: NotificationConfiguration,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_configuration: Option<TargetConfiguration>,
    pub scheduled_query_execution_role_arn: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kms_key_id: Option<String>,
    pub error_report_configuration: ErrorReportConfiguration,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_run_summary: Option<ScheduledQueryRunSummary>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub recently_failed_runs: Vec<ScheduledQueryRunSummary>,
}

/// One item of ListScheduledQueries.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ScheduledQuery {
    pub arn: String,
    pub name: String,
    #[serde(with = "crate::timestamp")]
    pub creation_time: DateTime,
    pub state: ScheduledQueryState,
    #[serde(
        default,
        with = "crate::timestamp::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub previous_invocation_time: Option<DateTime>,
    #[serde(
        default,
        with = "crate::timestamp::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub next_invocation_time: Option<DateTime>,
    pub error_report_configuration: ErrorReportConfiguration,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_destination: Option<TargetDestination>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_run_status: Option<ScheduledQueryRunStatus>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TargetDestination {
    pub timestream_destination: TimestreamDestination,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TimestreamDestination {
    pub database_name: String,
    pub table_name: String,
}

/// A scheduled query run's error report, the JSON object AWS writes to
/// `s3://BUCKET/PREFIX/<scheduled query id>/<invocation time>/<Auto|Manual>/<trigger time>`
/// (developer guide, "Scheduled query error reports"): one id per run and its errors.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorReport {
    pub report_id: String,
    pub errors: Vec<ErrorReportEntry>,
}

/// The guide's three kinds of error: records the target table rejected (with the reason they
/// share), result rows that could not be made into records, and anything else.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged, rename_all = "camelCase")]
pub enum ErrorReportEntry {
    RecordsIngestion {
        reason: String,
        records: Vec<ErrorReportRecord>,
    },
    DataParsing {
        reason: String,
        #[serde(rename = "rawLine")]
        raw_line: String,
    },
    General {
        reason: String,
    },
}

/// A rejected record as it was written to the target table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorReportRecord {
    pub dimensions: Vec<ErrorReportDimension>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub measure_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub measure_value: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub measure_value_type: Option<MeasureValueType>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub multi_measure_name: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub multi_measure_attributes: Vec<ErrorReportMeasure>,
    pub time: String,
    pub time_unit: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorReportDimension {
    pub name: String,
    pub value: String,
    pub dimension_value_type: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorReportMeasure {
    pub name: String,
    pub value: String,
    pub r#type: MeasureValueType,
}
