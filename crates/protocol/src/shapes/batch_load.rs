//! The shapes of batch load tasks (timestream-write; wire-protocol.md §4.1, §5.9): the task's
//! configuration as CreateBatchLoadTask takes it and DescribeBatchLoadTask echoes it, its
//! status and progress. The engine stores the configuration in these shapes too.
//!
//! The batch-load mapping shapes share names with the scheduled-query ones but not members
//! (`DimensionMapping` here is `SourceColumn` → `DestinationColumn`; an attribute's
//! `MeasureValueType` is optional), so they live in this module, not in [`super`]'s namespace.

use aws_smithy_types::DateTime;
use serde::{Deserialize, Serialize};

use super::{MeasureValueType, TimeUnit};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DataSourceConfiguration {
    pub data_source_s3_configuration: DataSourceS3Configuration,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub csv_configuration: Option<CsvConfiguration>,
    /// `CSV`, the only value the model allows.
    pub data_format: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DataSourceS3Configuration {
    pub bucket_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub object_key_prefix: Option<String>,
}

/// How the CSV files are written. Every member is one character except `NullValue`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CsvConfiguration {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column_separator: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub escape_char: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quote_char: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub null_value: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trim_white_space: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ReportConfiguration {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub report_s3_configuration: Option<ReportS3Configuration>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ReportS3Configuration {
    pub bucket_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub object_key_prefix: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encryption_option: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kms_key_id: Option<String>,
}

/// The data model inline, or where in S3 a JSON file holding it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DataModelConfiguration {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_model: Option<DataModel>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_model_s3_configuration: Option<DataModelS3Configuration>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DataModelS3Configuration {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bucket_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub object_key: Option<String>,
}

/// How the columns of a CSV row become a record (developer guide, "Data model mappings for
/// batch load").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DataModel {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time_column: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time_unit: Option<TimeUnit>,
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
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_column: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub destination_column: Option<String>,
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
    /// A scalar type (the model's `ScalarMeasureValueType`); absent means DOUBLE, WriteRecords'
    /// default.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub measure_value_type: Option<MeasureValueType>,
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
    pub measure_value_type: MeasureValueType,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub multi_measure_attribute_mappings: Option<Vec<MultiMeasureAttributeMapping>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum BatchLoadStatus {
    Created,
    InProgress,
    Failed,
    Succeeded,
    ProgressStopped,
    PendingResume,
}

impl BatchLoadStatus {
    pub const ALL: [Self; 6] = [
        Self::Created,
        Self::InProgress,
        Self::Failed,
        Self::Succeeded,
        Self::ProgressStopped,
        Self::PendingResume,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Created => "CREATED",
            Self::InProgress => "IN_PROGRESS",
            Self::Failed => "FAILED",
            Self::Succeeded => "SUCCEEDED",
            Self::ProgressStopped => "PROGRESS_STOPPED",
            Self::PendingResume => "PENDING_RESUME",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }

    /// Whether the task counts against the active-task quotas (it will run, or runs).
    pub fn is_active(self) -> bool {
        matches!(self, Self::Created | Self::InProgress | Self::PendingResume)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct BatchLoadProgressReport {
    pub records_processed: i64,
    pub records_ingested: i64,
    pub parse_failures: i64,
    pub record_ingestion_failures: i64,
    pub file_failures: i64,
    pub bytes_metered: i64,
}

/// One item of ListBatchLoadTasks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct BatchLoadTask {
    pub task_id: String,
    pub task_status: BatchLoadStatus,
    pub database_name: String,
    pub table_name: String,
    #[serde(with = "crate::timestamp")]
    pub creation_time: DateTime,
    #[serde(with = "crate::timestamp")]
    pub last_updated_time: DateTime,
    #[serde(
        default,
        with = "crate::timestamp::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub resumable_until: Option<DateTime>,
}

/// DescribeBatchLoadTask's answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct BatchLoadTaskDescription {
    pub task_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_message: Option<String>,
    pub data_source_configuration: DataSourceConfiguration,
    pub progress_report: BatchLoadProgressReport,
    pub report_configuration: ReportConfiguration,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_model_configuration: Option<DataModelConfiguration>,
    pub target_database_name: String,
    pub target_table_name: String,
    pub task_status: BatchLoadStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub record_version: Option<i64>,
    #[serde(with = "crate::timestamp")]
    pub creation_time: DateTime,
    #[serde(with = "crate::timestamp")]
    pub last_updated_time: DateTime,
    #[serde(
        default,
        with = "crate::timestamp::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub resumable_until: Option<DateTime>,
}
