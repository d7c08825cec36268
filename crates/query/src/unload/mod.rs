//! UNLOAD (timestream-sql.md §4.12; developer guide "UNLOAD Concepts", "Using UNLOAD to export
//! query results to S3"): `UNLOAD (SELECT …) TO 's3://bucket/folder' WITH (…)` runs the SELECT
//! and writes its rows to S3 instead of answering them, laid out as AWS lays them out:
//!
//! ```text
//! folder/results/[col=value/…]<query id>_<n>.csv[.gz] | .parquet   the rows
//! folder/<query id>_manifest.json                                 the files, their sizes and row counts
//! folder/<query id>_metadata.json                                 the columns (ColumnInfo, as Query gives it)
//! ```
//!
//! The `Query` answer is one row: `rows` (BIGINT), `metadataFile` and `manifestFile` (VARCHAR,
//! `s3://` URLs). File names inside `results/` are ours (AWS documents only the folders);
//! readers list the folder, as awswrangler does.

mod csv;
mod options;
mod parquet;

use std::collections::BTreeMap;
use std::io::Write;
use std::sync::Arc;

use datafusion::arrow::array::{ArrayRef, Int64Array, RecordBatch, StringArray, UInt32Array};
use datafusion::arrow::compute::take_record_batch;
use datafusion::arrow::datatypes::{DataType, Field, Schema};
use datafusion::sql::parser::Statement as DfStatement;
use datafusion::sql::sqlparser::ast::Statement;
use protocol::operations::query::{ColumnInfo, ScalarType, Type};
use s3::S3Error;
use serde_json::json;

use options::Format;
pub(crate) use options::Options;

use crate::{encode, Error};

use self::parquet::ParquetFile;

/// Rows per slice a file is written in: how finely `max_file_size` is honoured.
const SLICE_ROWS: usize = 8192;

/// An UNLOAD statement becomes its SELECT; its target and options are returned. Any other
/// statement is left as it is.
pub(crate) fn take(statement: &mut DfStatement) -> Result<Option<Options>, Error> {
    let DfStatement::Statement(inner) = statement else {
        return Ok(None);
    };
    let Statement::Unload {
        query, to, with, ..
    } = inner.as_mut()
    else {
        return Ok(None);
    };
    let Some(query) = query.take() else {
        return Err(Error::Validation(
            "UNLOAD takes a SELECT statement in parentheses, not a string".into(),
        ));
    };
    let options = Options::parse(&to.value, with)?;
    **inner = Statement::Query(query);
    Ok(Some(options))
}

/// One file of an UNLOAD, encoded.
struct EncodedFile {
    /// Its key inside the folder (`results/…`).
    key: String,
    bytes: Vec<u8>,
    rows: u64,
}

/// What an UNLOAD wrote, for its one-row answer.
pub(crate) struct Unloaded {
    pub rows: u64,
    pub metadata_file: String,
    pub manifest_file: String,
}

impl Unloaded {
    /// The `Query` answer: `rows`, `metadataFile`, `manifestFile`.
    pub fn batch(&self) -> Result<RecordBatch, Error> {
        let schema = Arc::new(Schema::new(vec![
            Field::new("rows", DataType::Int64, false),
            Field::new("metadataFile", DataType::Utf8, false),
            Field::new("manifestFile", DataType::Utf8, false),
        ]));
        let columns: Vec<ArrayRef> = vec![
            Arc::new(Int64Array::from(vec![self.rows as i64])),
            Arc::new(StringArray::from(vec![self.metadata_file.clone()])),
            Arc::new(StringArray::from(vec![self.manifest_file.clone()])),
        ];
        RecordBatch::try_new(schema, columns).map_err(|e| Error::Execution(e.to_string()))
    }
}

/// Writes the result (`names`, `batches`) of query `query_id` as `options` say.
pub(crate) async fn write(
    s3: &s3::S3,
    options: &Options,
    query_id: &str,
    names: &[String],
    data_types: &[DataType],
    batches: Vec<RecordBatch>,
) -> Result<Unloaded, Error> {
    let columns: Vec<ColumnInfo> = names
        .iter()
        .zip(data_types)
        .map(|(name, dt)| encode::column_info(name, dt))
        .collect();
    for column in &columns {
        if let Some(kind) = not_unloadable(&column.r#type) {
            return Err(Error::Validation(format!(
                "Column '{}' is of type {kind}, which UNLOAD does not support",
                column.name.as_deref().unwrap_or_default()
            )));
        }
    }
    let partitions = partition_columns(options, names)?;
    let bucket = s3.bucket(&options.bucket).await.map_err(s3_error)?;
    let files = {
        let (options, query_id) = (options.clone(), query_id.to_owned());
        let (names, data_types) = (names.to_vec(), data_types.to_vec());
        let types: Vec<Type> = columns.iter().map(|c| c.r#type.clone()).collect();
        tokio::task::spawn_blocking(move || {
            encode_files(
                &options,
                &query_id,
                &names,
                &data_types,
                &types,
                partitions,
                batches,
            )
        })
        .await
        .map_err(|e| Error::Execution(format!("UNLOAD failed: {e}")))??
    };
    let mut result_files = Vec::with_capacity(files.len());
    let (mut total_rows, mut total_bytes) = (0u64, 0u64);
    for file in files {
        let key = options.key(&file.key);
        let size = file.bytes.len() as u64;
        bucket
            .put(&key, file.bytes.into())
            .await
            .map_err(s3_error)?;
        total_rows += file.rows;
        total_bytes += size;
        result_files.push(json!({
            "url": bucket.url(&key),
            "file_metadata": {"content_length_in_bytes": size, "row_count": file.rows},
        }));
    }
    let manifest = json!({
        "result_files": result_files,
        "query_metadata": {
            "total_content_length_in_bytes": total_bytes,
            "total_row_count": total_rows,
            "result_format": options.format.name(),
            "result_version": "Amazon Timestream version 1.0.0",
        },
        "author": {"name": "Amazon Timestream", "manifest_file_version": "1.0"},
    });
    let metadata = json!({
        "ColumnInfo": columns,
        "Author": {"Name": "Amazon Timestream", "MetadataFileVersion": "1.0"},
    });
    let manifest_key = options.key(&format!("{query_id}_manifest.json"));
    let metadata_key = options.key(&format!("{query_id}_metadata.json"));
    for (key, body) in [(&metadata_key, metadata), (&manifest_key, manifest)] {
        let bytes = serde_json::to_vec(&body).map_err(|e| Error::Execution(e.to_string()))?;
        bucket.put(key, bytes.into()).await.map_err(s3_error)?;
    }
    Ok(Unloaded {
        rows: total_rows,
        metadata_file: bucket.url(&metadata_key),
        manifest_file: bucket.url(&manifest_key),
    })
}

fn failed(e: impl std::fmt::Display) -> Error {
    Error::Execution(format!("UNLOAD failed: {e}"))
}

fn s3_error(e: S3Error) -> Error {
    match e {
        S3Error::NoSuchBucket(bucket) => Error::Validation(format!(
            "The S3 bucket '{bucket}' of the UNLOAD destination does not exist"
        )),
        other => Error::Execution(format!("UNLOAD could not write to S3: {other}")),
    }
}

/// `time` and `unknown` cannot be unloaded [doc], nor anything holding them.
fn not_unloadable(ty: &Type) -> Option<&'static str> {
    match ty {
        Type::ScalarType(ScalarType::Time) => Some("time"),
        Type::ScalarType(ScalarType::Unknown) => Some("unknown"),
        Type::ScalarType(_) => None,
        Type::ArrayColumnInfo(c) | Type::TimeSeriesMeasureValueColumnInfo(c) => {
            not_unloadable(&c.r#type)
        }
        Type::RowColumnInfo(fields) => fields.iter().find_map(|f| not_unloadable(&f.r#type)),
    }
}

/// How many trailing columns are partition columns: `partitioned_by` must name the result's
/// last columns, in order (as AWS's samples and awswrangler write them, and as Athena requires).
fn partition_columns(options: &Options, names: &[String]) -> Result<usize, Error> {
    let wanted = &options.partitioned_by;
    for column in wanted {
        if !names.contains(column) {
            return Err(Error::Validation(format!(
                "Partition column '{column}' of partitioned_by is not a column of the query result"
            )));
        }
    }
    if wanted.len() >= names.len() {
        return Err(Error::Validation(
            "UNLOAD needs at least one column that is not a partition column".into(),
        ));
    }
    if names[names.len() - wanted.len()..] != wanted[..] {
        return Err(Error::Validation(format!(
            "The partition columns ({}) must be the last columns of the query result, in that order",
            wanted.join(", ")
        )));
    }
    Ok(wanted.len())
}

/// Rows grouped by their partition values (in order of the values), the partition columns
/// removed.
fn split_partitions(
    batches: Vec<RecordBatch>,
    partition_count: usize,
    types: &[Type],
) -> Result<BTreeMap<Vec<Option<String>>, Vec<RecordBatch>>, Error> {
    let mut partitions: BTreeMap<Vec<Option<String>>, Vec<RecordBatch>> = BTreeMap::new();
    for batch in batches {
        let data_columns = batch.num_columns() - partition_count;
        let data = batch
            .project(&(0..data_columns).collect::<Vec<_>>())
            .map_err(failed)?;
        if partition_count == 0 {
            partitions.entry(Vec::new()).or_default().push(data);
            continue;
        }
        let mut rows: BTreeMap<Vec<Option<String>>, Vec<u32>> = BTreeMap::new();
        for row in 0..batch.num_rows() {
            let key = (data_columns..batch.num_columns())
                .map(|c| csv::text(batch.column(c).as_ref(), row, &types[c]))
                .collect();
            rows.entry(key).or_default().push(row as u32);
        }
        for (key, indices) in rows {
            let taken = take_record_batch(&data, &UInt32Array::from(indices)).map_err(failed)?;
            partitions.entry(key).or_default().push(taken);
        }
    }
    Ok(partitions)
}

/// A partition's folder: `col=value/` per partition column, Hive-escaped; NULL as Hive's
/// default partition.
fn partition_folder(names: &[String], values: &[Option<String>]) -> String {
    names
        .iter()
        .zip(values)
        .map(|(name, value)| {
            let value = value
                .as_deref()
                .map_or_else(|| "__HIVE_DEFAULT_PARTITION__".to_owned(), hive_escape);
            format!("{}={value}/", hive_escape(name))
        })
        .collect()
}

fn hive_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() || "\"#%'*/:=?\\{[]^".contains(c) {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// A result file being written.
enum FileInProgress {
    Csv(Vec<u8>),
    Parquet(Box<ParquetFile>),
}

fn encode_files(
    options: &Options,
    query_id: &str,
    names: &[String],
    data_types: &[DataType],
    types: &[Type],
    partition_count: usize,
    batches: Vec<RecordBatch>,
) -> Result<Vec<EncodedFile>, Error> {
    let data_columns = names.len() - partition_count;
    let (data_names, partition_names) = names.split_at(data_columns);
    let data_types_only = &types[..data_columns];
    let file_schema = parquet::schema(data_names, &data_types[..data_columns]);
    let extension = match (options.format, options.gzip) {
        (Format::Csv, true) => "csv.gz",
        (Format::Csv, false) => "csv",
        (Format::Parquet, _) => "parquet",
    };
    let mut files = Vec::new();
    let mut number = 0usize;
    for (values, batches) in split_partitions(batches, partition_count, types)? {
        let folder = format!("results/{}", partition_folder(partition_names, &values));
        let mut current: Option<(FileInProgress, u64)> = None;
        let mut finish = |file: FileInProgress, rows: u64, number: &mut usize| {
            let bytes = match file {
                FileInProgress::Csv(text) if options.gzip => {
                    let mut gz = flate2::write::GzEncoder::new(
                        Vec::with_capacity(text.len() / 4),
                        flate2::Compression::default(),
                    );
                    gz.write_all(&text).map_err(failed)?;
                    gz.finish().map_err(failed)?
                }
                FileInProgress::Csv(text) => text,
                FileInProgress::Parquet(file) => (*file).finish().map_err(failed)?,
            };
            files.push(EncodedFile {
                key: format!("{folder}{query_id}_{number:05}.{extension}"),
                bytes,
                rows,
            });
            *number += 1;
            Ok::<_, Error>(())
        };
        for batch in &batches {
            let mut offset = 0;
            while offset < batch.num_rows() {
                let slice = batch.slice(offset, SLICE_ROWS.min(batch.num_rows() - offset));
                offset += slice.num_rows();
                let (file, rows) = match &mut current {
                    Some(current) => current,
                    None => {
                        let file = match options.format {
                            Format::Csv => {
                                let mut text = Vec::new();
                                if options.include_header {
                                    csv::write_header(&mut text, data_names, options);
                                }
                                FileInProgress::Csv(text)
                            }
                            Format::Parquet => FileInProgress::Parquet(Box::new(
                                ParquetFile::new(file_schema.clone(), options.gzip)
                                    .map_err(failed)?,
                            )),
                        };
                        current.insert((file, 0))
                    }
                };
                *rows += slice.num_rows() as u64;
                let size = match file {
                    FileInProgress::Csv(text) => {
                        csv::write_rows(text, &slice, data_types_only, options);
                        text.len()
                    }
                    FileInProgress::Parquet(file) => {
                        file.write(&parquet::to_file_batch(&slice, &file_schema).map_err(failed)?)
                            .map_err(failed)?;
                        file.size()
                    }
                };
                if size as u64 >= options.max_file_size {
                    if let Some((file, rows)) = current.take() {
                        finish(file, rows, &mut number)?;
                    }
                }
            }
        }
        if let Some((file, rows)) = current.take() {
            finish(file, rows, &mut number)?;
        }
    }
    Ok(files)
}
