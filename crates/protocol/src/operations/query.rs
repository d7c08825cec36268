use serde::{Deserialize, Serialize};

super::operation!(Query, "Query", QueryInput, QueryOutput);

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct QueryInput {
    pub query_string: String,
    pub client_token: Option<String>,
    pub next_token: Option<String>,
    pub max_rows: Option<i32>,
    pub query_insights: Option<QueryInsights>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct QueryInsights {
    pub mode: QueryInsightsMode,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum QueryInsightsMode {
    EnabledWithRateControl,
    #[default]
    Disabled,
}

/// Query insights (only when asked for with `ENABLED_WITH_RATE_CONTROL`).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct QueryInsightsResponse {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub query_spatial_coverage: Option<QuerySpatialCoverage>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub query_temporal_range: Option<QueryTemporalRange>,
    pub query_table_count: i64,
    pub output_rows: i64,
    pub output_bytes: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct QuerySpatialCoverage {
    pub max: QuerySpatialCoverageMax,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct QuerySpatialCoverageMax {
    pub value: f64,
    pub table_arn: String,
    pub partition_key: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct QueryTemporalRange {
    pub max: QueryTemporalRangeMax,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct QueryTemporalRangeMax {
    /// Nanoseconds.
    pub value: i64,
    pub table_arn: String,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct QueryOutput {
    pub query_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
    pub rows: Vec<Row>,
    pub column_info: Vec<ColumnInfo>,
    pub query_status: QueryStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub query_insights_response: Option<QueryInsightsResponse>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Row {
    pub data: Vec<Datum>,
}

/// Exactly one member is sent (wire shape of `Datum`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Datum {
    ScalarValue(String),
    NullValue(bool),
    ArrayValue(Vec<Datum>),
    RowValue(Row),
    TimeSeriesValue(Vec<TimeSeriesDataPoint>),
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct TimeSeriesDataPoint {
    pub time: String,
    pub value: Datum,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ColumnInfo {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub r#type: Type,
}

/// Exactly one member is sent (wire shape of `Type`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Type {
    ScalarType(ScalarType),
    ArrayColumnInfo(Box<ColumnInfo>),
    RowColumnInfo(Vec<ColumnInfo>),
    TimeSeriesMeasureValueColumnInfo(Box<ColumnInfo>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ScalarType {
    Varchar,
    Boolean,
    Bigint,
    Double,
    Timestamp,
    Date,
    Time,
    IntervalDayToSecond,
    IntervalYearToMonth,
    Unknown,
    Integer,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct QueryStatus {
    pub progress_percentage: f64,
    pub cumulative_bytes_scanned: i64,
    pub cumulative_bytes_metered: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn datum_and_type_have_exactly_one_member() {
        let row = Row {
            data: vec![Datum::ScalarValue("1".into()), Datum::NullValue(true)],
        };
        assert_eq!(
            serde_json::to_string(&row).unwrap(),
            r#"{"Data":[{"ScalarValue":"1"},{"NullValue":true}]}"#
        );
        let c = ColumnInfo {
            name: Some("t".into()),
            r#type: Type::ScalarType(ScalarType::IntervalDayToSecond),
        };
        assert_eq!(
            serde_json::to_string(&c).unwrap(),
            r#"{"Name":"t","Type":{"ScalarType":"INTERVAL_DAY_TO_SECOND"}}"#
        );
    }
}
