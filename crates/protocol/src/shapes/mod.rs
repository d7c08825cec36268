//! Structures shared by several operations, named and shaped as in the service models.
//! Every member is optional where the model lets AWS omit it; `None` is never sent.

use aws_smithy_types::DateTime;
use serde::{Deserialize, Serialize};

pub mod batch_load;
mod scheduled_queries;

pub use scheduled_queries::*;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Tag {
    pub key: String,
    pub value: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Database {
    pub arn: String,
    pub database_name: String,
    pub table_count: i64,
    pub kms_key_id: String,
    #[serde(with = "crate::timestamp")]
    pub creation_time: DateTime,
    #[serde(with = "crate::timestamp")]
    pub last_updated_time: DateTime,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RetentionProperties {
    pub memory_store_retention_period_in_hours: i64,
    pub magnetic_store_retention_period_in_days: i64,
}

impl Default for RetentionProperties {
    /// AWS's defaults: 6 hours in memory, 73 000 days on magnetic (§5.3).
    fn default() -> Self {
        Self {
            memory_store_retention_period_in_hours: 6,
            magnetic_store_retention_period_in_days: 73_000,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct MagneticStoreWriteProperties {
    pub enable_magnetic_store_writes: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub magnetic_store_rejected_data_location: Option<MagneticStoreRejectedDataLocation>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct MagneticStoreRejectedDataLocation {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub s3_configuration: Option<S3Configuration>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct S3Configuration {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bucket_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub object_key_prefix: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encryption_option: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kms_key_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Schema {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub composite_partition_key: Option<Vec<PartitionKey>>,
}

impl Default for Schema {
    /// A table partitioned by measure name, as AWS creates it when no schema is given.
    fn default() -> Self {
        Self {
            composite_partition_key: Some(vec![PartitionKey {
                r#type: PartitionKeyType::Measure,
                name: None,
                enforcement_in_record: None,
            }]),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PartitionKey {
    pub r#type: PartitionKeyType,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enforcement_in_record: Option<PartitionKeyEnforcementLevel>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum PartitionKeyType {
    Dimension,
    Measure,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum PartitionKeyEnforcementLevel {
    Required,
    Optional,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Table {
    pub arn: String,
    pub table_name: String,
    pub database_name: String,
    pub table_status: String,
    pub retention_properties: RetentionProperties,
    #[serde(with = "crate::timestamp")]
    pub creation_time: DateTime,
    #[serde(with = "crate::timestamp")]
    pub last_updated_time: DateTime,
    pub magnetic_store_write_properties: MagneticStoreWriteProperties,
    pub schema: Schema,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Endpoint {
    pub address: String,
    pub cache_period_in_minutes: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum QueryPricingModel {
    BytesScanned,
    ComputeUnits,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ComputeMode {
    OnDemand,
    Provisioned,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SnsConfiguration {
    pub topic_arn: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AccountSettingsNotificationConfiguration {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sns_configuration: Option<SnsConfiguration>,
    pub role_arn: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct QueryComputeRequest {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub compute_mode: Option<ComputeMode>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provisioned_capacity: Option<ProvisionedCapacityRequest>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ProvisionedCapacityRequest {
    #[serde(rename = "TargetQueryTCU")]
    pub target_query_tcu: i32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notification_configuration: Option<AccountSettingsNotificationConfiguration>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct QueryComputeResponse {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub compute_mode: Option<ComputeMode>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provisioned_capacity: Option<ProvisionedCapacityResponse>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ProvisionedCapacityResponse {
    #[serde(rename = "ActiveQueryTCU", skip_serializing_if = "Option::is_none")]
    pub active_query_tcu: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notification_configuration: Option<AccountSettingsNotificationConfiguration>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_update: Option<LastUpdate>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct LastUpdate {
    #[serde(rename = "TargetQueryTCU", skip_serializing_if = "Option::is_none")]
    pub target_query_tcu: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_message: Option<String>,
}

/// The account settings of one (account, region), as DescribeAccountSettings answers them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AccountSettings {
    #[serde(rename = "MaxQueryTCU", skip_serializing_if = "Option::is_none")]
    pub max_query_tcu: Option<i32>,
    pub query_pricing_model: QueryPricingModel,
    pub query_compute: QueryComputeResponse,
}

impl Default for AccountSettings {
    fn default() -> Self {
        Self {
            max_query_tcu: None,
            query_pricing_model: QueryPricingModel::BytesScanned,
            query_compute: QueryComputeResponse {
                compute_mode: Some(ComputeMode::OnDemand),
                provisioned_capacity: None,
            },
        }
    }
}

/// A record of WriteRecords (also its `CommonAttributes`): every member optional, merged with
/// the common attributes before the record's rules are applied.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Record {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dimensions: Vec<Dimension>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub measure_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub measure_value: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub measure_value_type: Option<MeasureValueType>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time_unit: Option<TimeUnit>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub measure_values: Option<Vec<MeasureValue>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Dimension {
    pub name: String,
    pub value: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dimension_value_type: Option<String>,
}

/// One attribute of a multi-measure record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct MeasureValue {
    pub name: String,
    pub value: String,
    pub r#type: MeasureValueType,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum MeasureValueType {
    Double,
    Bigint,
    Varchar,
    Boolean,
    Timestamp,
    Multi,
}

impl MeasureValueType {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Double => "DOUBLE",
            Self::Bigint => "BIGINT",
            Self::Varchar => "VARCHAR",
            Self::Boolean => "BOOLEAN",
            Self::Timestamp => "TIMESTAMP",
            Self::Multi => "MULTI",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TimeUnit {
    Milliseconds,
    Seconds,
    Microseconds,
    Nanoseconds,
}

impl TimeUnit {
    /// Nanoseconds per unit.
    pub fn nanos(self) -> i64 {
        match self {
            Self::Seconds => 1_000_000_000,
            Self::Milliseconds => 1_000_000,
            Self::Microseconds => 1_000,
            Self::Nanoseconds => 1,
        }
    }
}
