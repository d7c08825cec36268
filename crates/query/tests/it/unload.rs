//! UNLOAD through the query service to a local-directory S3: the files AWS lays out (results,
//! manifest, metadata), CSV escaping and compression, Parquet read back, partitions, file
//! splitting, and the errors of bad targets and options.

use std::io::Read;
use std::path::Path;
use std::sync::Arc;

use engine::{Clock, Engine, Scope};
use protocol::operations::query::{Datum, QueryInput, QueryOutput};
use query::{Error, QueryService};
use serde_json::Value;

fn scope() -> Scope {
    Scope::new("123456789012", "us-east-1")
}

/// A query service whose S3 is `dir`, with the bucket `bkt`.
fn service(dir: &Path) -> QueryService {
    std::fs::create_dir_all(dir.join("bkt")).unwrap();
    let engine = Arc::new(Engine::open(None, Clock::default()).unwrap());
    QueryService::new(engine).with_s3(s3::S3::directory(dir.to_owned()))
}

async fn query(service: &QueryService, sql: &str) -> Result<QueryOutput, Error> {
    service
        .query(
            &scope(),
            QueryInput {
                query_string: sql.into(),
                ..Default::default()
            },
        )
        .await
}

fn scalar(d: &Datum) -> &str {
    match d {
        Datum::ScalarValue(s) => s,
        other => panic!("not a scalar: {other:?}"),
    }
}

/// The answer's (rows, metadata file, manifest file), and the manifest and metadata as JSON.
fn answer(dir: &Path, output: &QueryOutput) -> (u64, Value, Value) {
    let names: Vec<_> = output
        .column_info
        .iter()
        .map(|c| c.name.clone().unwrap())
        .collect();
    assert_eq!(names, ["rows", "metadataFile", "manifestFile"]);
    assert_eq!(output.rows.len(), 1);
    let data = &output.rows[0].data;
    let read = |url: &str| -> Value {
        let path = dir.join(url.strip_prefix("s3://").unwrap());
        serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
    };
    let metadata = read(scalar(&data[1]));
    let manifest = read(scalar(&data[2]));
    assert!(scalar(&data[2]).ends_with(&format!("{}_manifest.json", output.query_id)));
    (scalar(&data[0]).parse().unwrap(), manifest, metadata)
}

fn result_files(dir: &Path, manifest: &Value) -> Vec<(String, Vec<u8>)> {
    manifest["result_files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let url = f["url"].as_str().unwrap().to_owned();
            let bytes = std::fs::read(dir.join(url.strip_prefix("s3://").unwrap())).unwrap();
            assert_eq!(
                f["file_metadata"]["content_length_in_bytes"]
                    .as_u64()
                    .unwrap(),
                bytes.len() as u64
            );
            (url, bytes)
        })
        .collect()
}

const ROWS: &str = "SELECT * FROM (VALUES (1, 'plain', 2.5, true), (2, 'a,b', NULL, false), \
                    (3, 'say \"hi\" \\ there', 1e300, NULL)) AS t(n, s, d, b)";

#[tokio::test]
async fn csv_files_manifest_and_metadata() {
    let dir = tempfile::tempdir().unwrap();
    let service = service(dir.path());
    let output = query(
        &service,
        &format!("UNLOAD ({ROWS} ORDER BY n) TO 's3://bkt/out/' WITH (format = 'csv', compression = 'none')"),
    )
    .await
    .unwrap();
    let (rows, manifest, metadata) = answer(dir.path(), &output);
    assert_eq!(rows, 3);
    let files = result_files(dir.path(), &manifest);
    assert_eq!(files.len(), 1);
    let (url, bytes) = &files[0];
    assert!(url.starts_with("s3://bkt/out/results/"), "{url}");
    assert!(url.ends_with(".csv"), "{url}");
    assert_eq!(
        String::from_utf8(bytes.clone()).unwrap(),
        "1,plain,2.5,true\n2,\"a,b\",,false\n3,say \\\"hi\\\" \\\\ there,1.0E300,\n"
    );
    assert_eq!(manifest["query_metadata"]["total_row_count"], 3);
    assert_eq!(manifest["query_metadata"]["result_format"], "CSV");
    let columns: Vec<_> = metadata["ColumnInfo"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["Name"].as_str().unwrap(),
                c["Type"]["ScalarType"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        columns,
        [
            ("n", "INTEGER"),
            ("s", "VARCHAR"),
            ("d", "DOUBLE"),
            ("b", "BOOLEAN")
        ]
    );
}

#[tokio::test]
async fn gzip_csv_with_a_header_and_another_delimiter() {
    let dir = tempfile::tempdir().unwrap();
    let service = service(dir.path());
    let output = query(
        &service,
        &format!("UNLOAD ({ROWS} ORDER BY n) TO 's3://bkt/gz' WITH (format = 'CSV', field_delimiter = '|', include_header = 'true')"),
    )
    .await
    .unwrap();
    let (_, manifest, _) = answer(dir.path(), &output);
    let files = result_files(dir.path(), &manifest);
    assert!(files[0].0.ends_with(".csv.gz"));
    let mut text = String::new();
    flate2::read::GzDecoder::new(&files[0].1[..])
        .read_to_string(&mut text)
        .unwrap();
    assert_eq!(
        text,
        "n|s|d|b\n1|plain|2.5|true\n2|a,b||false\n3|say \\\"hi\\\" \\\\ there|1.0E300|\n"
    );
}

#[tokio::test]
async fn parquet_reads_back_with_timestream_types() {
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
    let dir = tempfile::tempdir().unwrap();
    let service = service(dir.path());
    let output = query(
        &service,
        "UNLOAD (SELECT n, s, TIMESTAMP '2026-01-01 00:00:01.123456789' AS t, ARRAY[n, n * 2] AS a \
         FROM (VALUES (1, 'x'), (2, NULL)) AS v(n, s) ORDER BY n) \
         TO 's3://bkt/pq' WITH (format = 'PARQUET')",
    )
    .await
    .unwrap();
    let (rows, manifest, _) = answer(dir.path(), &output);
    assert_eq!(rows, 2);
    let files = result_files(dir.path(), &manifest);
    assert!(files[0].0.ends_with(".parquet"));
    let reader = ParquetRecordBatchReaderBuilder::try_new(bytes::Bytes::from(files[0].1.clone()))
        .unwrap()
        .build()
        .unwrap();
    let batches: Vec<_> = reader.map(Result::unwrap).collect();
    let batch = &batches[0];
    let schema = batch.schema();
    let described: Vec<String> = schema
        .fields()
        .iter()
        .map(|f| format!("{}:{}", f.name(), f.data_type()))
        .collect();
    assert_eq!(
        described,
        ["n:Int32", "s:Utf8", "t:Timestamp(ns)", "a:List(Int32)"]
    );
    let text = datafusion::arrow::util::pretty::pretty_format_batches(&batches)
        .unwrap()
        .to_string();
    assert!(
        text.contains("| 1 | x | 2026-01-01T00:00:01.123456789 | [1, 2] |"),
        "{text}"
    );
    assert!(
        text.contains("| 2 |   | 2026-01-01T00:00:01.123456789 | [2, 4] |"),
        "{text}"
    );
}

#[tokio::test]
async fn partitions_are_folders_without_their_columns() {
    let dir = tempfile::tempdir().unwrap();
    let service = service(dir.path());
    let output = query(
        &service,
        "UNLOAD (SELECT * FROM (VALUES (1, 'a/b'), (2, 'c'), (3, 'a/b'), (4, NULL)) AS t(n, host)) \
         TO 's3://bkt/p' WITH (format = 'CSV', compression = 'NONE', partitioned_by = ARRAY['host'])",
    )
    .await
    .unwrap();
    let (rows, manifest, metadata) = answer(dir.path(), &output);
    assert_eq!(rows, 4);
    let mut files: Vec<(String, String)> = result_files(dir.path(), &manifest)
        .into_iter()
        .map(|(url, bytes)| {
            let folder = url.rsplit_once('/').unwrap().0.to_owned();
            let mut lines: Vec<_> = String::from_utf8(bytes)
                .unwrap()
                .lines()
                .map(str::to_owned)
                .collect();
            lines.sort();
            (folder, lines.join(" "))
        })
        .collect();
    files.sort();
    assert_eq!(
        files,
        [
            (
                "s3://bkt/p/results/host=__HIVE_DEFAULT_PARTITION__".to_owned(),
                "4".to_owned()
            ),
            ("s3://bkt/p/results/host=a%2Fb".to_owned(), "1 3".to_owned()),
            ("s3://bkt/p/results/host=c".to_owned(), "2".to_owned()),
        ]
    );
    // The metadata describes every column of the SELECT, the partition column included.
    assert_eq!(metadata["ColumnInfo"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn files_are_split_at_max_file_size() {
    let dir = tempfile::tempdir().unwrap();
    let service = service(dir.path());
    // 20 000 rows of ~1 KB: 20 MB of CSV, over the smallest max_file_size of 16 MB.
    let output = query(
        &service,
        "UNLOAD (SELECT x * 100 + y AS x, lpad('', 1000, 'x') AS pad \
         FROM unnest(sequence(1, 200)) AS a(x) CROSS JOIN unnest(sequence(1, 100)) AS b(y)) \
         TO 's3://bkt/big' WITH (format = 'CSV', compression = 'NONE', max_file_size = '16MB')",
    )
    .await
    .unwrap();
    let (rows, manifest, _) = answer(dir.path(), &output);
    assert_eq!(rows, 20_000);
    let files = result_files(dir.path(), &manifest);
    assert_eq!(files.len(), 2);
    assert!(files[0].1.len() >= 16 << 20 && files[0].1.len() < (16 << 20) + (9 << 20));
    let counted: u64 = manifest["result_files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["file_metadata"]["row_count"].as_u64().unwrap())
        .sum();
    assert_eq!(counted, 20_000);
}

#[tokio::test]
async fn bad_targets_and_options_are_validation_errors() {
    let dir = tempfile::tempdir().unwrap();
    let service = service(dir.path());
    let cases = [
        (
            "UNLOAD (SELECT 1 AS x) TO 's3://nobucket/x'",
            "The S3 bucket 'nobucket' of the UNLOAD destination does not exist",
        ),
        (
            "UNLOAD (SELECT 1 AS x) TO '/tmp/x'",
            "Invalid S3 location '/tmp/x'",
        ),
        (
            "UNLOAD (SELECT 1 AS x) TO 's3://bkt/x' WITH (format = 'JSON')",
            "Invalid value 'JSON' for UNLOAD option 'format'. Valid values: CSV, PARQUET",
        ),
        (
            "UNLOAD (SELECT 1 AS x) TO 's3://bkt/x' WITH (compression = 'ZSTD')",
            "Valid values: GZIP, NONE",
        ),
        (
            "UNLOAD (SELECT 1 AS x) TO 's3://bkt/x' WITH (max_file_size = '1MB')",
            "between 16MB and 78GB",
        ),
        (
            "UNLOAD (SELECT 1 AS x) TO 's3://bkt/x' WITH (field_delimiter = '||')",
            "single ASCII character",
        ),
        (
            "UNLOAD (SELECT 1 AS x) TO 's3://bkt/x' WITH (colour = 'red')",
            "Unsupported UNLOAD option 'colour'",
        ),
        (
            "UNLOAD (SELECT 1 AS x, 2 AS y) TO 's3://bkt/x' WITH (partitioned_by = ARRAY['x'])",
            "must be the last columns",
        ),
        (
            "UNLOAD (SELECT 1 AS x) TO 's3://bkt/x' WITH (partitioned_by = ARRAY['z'])",
            "'z' of partitioned_by is not a column",
        ),
        (
            "UNLOAD (SELECT TIME '01:02:03' AS t) TO 's3://bkt/x'",
            "Column 't' is of type time",
        ),
        (
            "UNLOAD (SELECT 1 AS x) TO 's3://bkt/x' WITH (format = 'CSV', format = 'CSV')",
            "Duplicate UNLOAD option 'format'",
        ),
    ];
    for (sql, expected) in cases {
        match query(&service, sql).await {
            Err(Error::Validation(m)) => assert!(m.contains(expected), "{sql}: {m}"),
            other => panic!("{sql}: {other:?}"),
        }
    }
    // Nothing was written for any of them.
    assert_eq!(
        std::fs::read_dir(dir.path().join("bkt")).unwrap().count(),
        0
    );
}
