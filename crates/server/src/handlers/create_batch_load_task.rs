use protocol::operations::create_batch_load_task::{
    CreateBatchLoadTaskInput, CreateBatchLoadTaskOutput,
};
use protocol::shapes::batch_load::CsvConfiguration;
use protocol::{AwsError, ErrorCode};

use crate::batch_load::model::Plan;
use crate::state::RequestContext;

/// Dimensions one record may carry (§5.1): more mappings than this refuse the task.
const MAX_DIMENSION_MAPPINGS: usize = 128;

/// Checks what the model cannot (a report location, one data model, its mappings, the CSV
/// characters, the record version), stores the task CREATED and wakes the runner. The target
/// table must exist; the S3 buckets are looked at when the task runs (a missing one fails it).
pub async fn create_batch_load_task(
    ctx: &RequestContext,
    input: CreateBatchLoadTaskInput,
) -> Result<CreateBatchLoadTaskOutput, AwsError> {
    check(&input).map_err(|m| AwsError::new(ErrorCode::ValidationException, m))?;
    let task_id = ctx
        .engine_call(move |engine, scope| engine.create_batch_load_task(scope, input))
        .await?;
    ctx.state.batch_load.wake();
    Ok(CreateBatchLoadTaskOutput { task_id })
}

fn check(input: &CreateBatchLoadTaskInput) -> Result<(), String> {
    if input.report_configuration.report_s3_configuration.is_none() {
        return Err("ReportConfiguration must contain a ReportS3Configuration.".into());
    }
    if input.record_version.is_some_and(|v| v < 1) {
        return Err(format!(
            "Invalid RecordVersion {}. The record version must be a positive number.",
            input.record_version.unwrap_or_default()
        ));
    }
    if let Some(csv) = &input.data_source_configuration.csv_configuration {
        check_csv(csv)?;
    }
    let config = input
        .data_model_configuration
        .as_ref()
        .ok_or("DataModelConfiguration is required for a CSV data source.")?;
    match (&config.data_model, &config.data_model_s3_configuration) {
        (Some(model), None) => {
            if model.dimension_mappings.len() > MAX_DIMENSION_MAPPINGS {
                return Err(format!(
                    "The DataModel has {} DimensionMappings; at most {MAX_DIMENSION_MAPPINGS} are allowed.",
                    model.dimension_mappings.len()
                ));
            }
            Plan::new(model).map(|_| ())
        }
        (None, Some(s3)) => match (&s3.bucket_name, &s3.object_key) {
            (Some(_), Some(_)) => Ok(()),
            _ => Err("DataModelS3Configuration needs a BucketName and an ObjectKey.".into()),
        },
        _ => Err(
            "DataModelConfiguration needs exactly one of DataModel and DataModelS3Configuration."
                .into(),
        ),
    }
}

/// The CSV characters are single ASCII characters other than a line break; the separator,
/// quote and escape differ.
fn check_csv(csv: &CsvConfiguration) -> Result<(), String> {
    let mut seen: Vec<(&str, u8)> = Vec::new();
    for (name, value) in [
        ("ColumnSeparator", &csv.column_separator),
        ("QuoteChar", &csv.quote_char),
        ("EscapeChar", &csv.escape_char),
    ] {
        let Some(value) = value else { continue };
        let byte = match value.as_bytes() {
            [b] if b.is_ascii() && *b != b'\n' && *b != b'\r' => *b,
            _ => {
                return Err(format!(
                    "The {name} {value:?} is not supported: use a single ASCII character."
                ))
            }
        };
        if let Some((other, _)) = seen.iter().find(|(_, b)| *b == byte) {
            if !(name == "EscapeChar" && *other == "QuoteChar") {
                return Err(format!("The {name} and the {other} must differ."));
            }
        }
        seen.push((name, byte));
    }
    Ok(())
}
