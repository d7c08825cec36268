//! UNLOAD's Parquet files: the result's Arrow columns under AWS's column names, with
//! Timestream's types as Parquet types — varchar as UTF-8 strings, bigint/integer as INT64/INT32,
//! double, boolean, date, timestamps as INT64 nanoseconds, arrays as lists, rows as groups,
//! timeseries as lists of `(time, value)` groups. Intervals have no Parquet type Timestream
//! documents; they are written as their text, as the `Query` answer gives them.

use std::sync::Arc;

use datafusion::arrow::array::{ArrayRef, RecordBatch, StringArray};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Field, Fields, Schema, SchemaRef};
use datafusion::arrow::error::ArrowError;
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, GzipLevel};
use parquet::errors::ParquetError;
use parquet::file::properties::WriterProperties;

use crate::encode;
use protocol::operations::query::Datum;

/// The Parquet-ready type of a result column type.
fn file_type(dt: &DataType) -> DataType {
    match dt {
        DataType::Utf8View | DataType::LargeUtf8 => DataType::Utf8,
        DataType::Dictionary(_, value) => file_type(value),
        DataType::Interval(_) | DataType::Duration(_) => DataType::Utf8,
        DataType::List(field) | DataType::LargeList(field) | DataType::ListView(field) => {
            DataType::List(Arc::new(file_field(field.name(), field.data_type())))
        }
        DataType::Struct(fields) => DataType::Struct(
            fields
                .iter()
                .map(|f| file_field(f.name(), f.data_type()))
                .collect::<Fields>(),
        ),
        other => other.clone(),
    }
}

fn file_field(name: &str, dt: &DataType) -> Field {
    Field::new(name, file_type(dt), true)
}

/// The file schema of columns `names` typed as `batch`'s.
pub fn schema(names: &[String], types: &[DataType]) -> SchemaRef {
    Arc::new(Schema::new(
        names
            .iter()
            .zip(types)
            .map(|(n, t)| file_field(n, t))
            .collect::<Vec<_>>(),
    ))
}

/// `batch` in the file schema.
pub fn to_file_batch(batch: &RecordBatch, schema: &SchemaRef) -> Result<RecordBatch, ArrowError> {
    let columns = batch
        .columns()
        .iter()
        .zip(schema.fields())
        .map(|(column, field)| -> Result<ArrayRef, ArrowError> {
            match column.data_type() {
                DataType::Interval(_) | DataType::Duration(_) => {
                    Ok(Arc::new(StringArray::from_iter((0..column.len()).map(
                        |i| match encode::datum(column.as_ref(), i) {
                            Datum::ScalarValue(s) => Some(s),
                            _ => None,
                        },
                    ))))
                }
                dt if dt == field.data_type() => Ok(column.clone()),
                _ => cast(column, field.data_type()),
            }
        })
        .collect::<Result<Vec<_>, _>>()?;
    RecordBatch::try_new(schema.clone(), columns)
}

/// A Parquet file being written in memory.
pub struct ParquetFile {
    writer: ArrowWriter<Vec<u8>>,
}

impl ParquetFile {
    pub fn new(schema: SchemaRef, gzip: bool) -> Result<Self, ParquetError> {
        let compression = if gzip {
            Compression::GZIP(GzipLevel::default())
        } else {
            Compression::UNCOMPRESSED
        };
        let properties = WriterProperties::builder()
            .set_compression(compression)
            .set_created_by("Amazon Timestream (timestream-local)".into())
            .build();
        Ok(Self {
            writer: ArrowWriter::try_new(Vec::new(), schema, Some(properties))?,
        })
    }

    pub fn write(&mut self, batch: &RecordBatch) -> Result<(), ParquetError> {
        self.writer.write(batch)
    }

    /// Bytes written so far, buffered rows included (an estimate of the file's size).
    pub fn size(&self) -> usize {
        self.writer.bytes_written() + self.writer.in_progress_size()
    }

    pub fn finish(self) -> Result<Vec<u8>, ParquetError> {
        self.writer.into_inner()
    }
}
