//! The batch-load runner (DESIGN.md, "Object store"; wire-protocol.md §5.9): one loop that
//! looks for runnable tasks (CREATED, PENDING_RESUME, and IN_PROGRESS after a restart) when
//! woken and every second, and runs each in its own tokio task:
//!
//! 1. the data model (inline, or the JSON file `DataModelS3Configuration` names), the report
//!    bucket and the source bucket are resolved; a missing one makes the task FAILED;
//! 2. every object under `ObjectKeyPrefix` is read in key order, from the task's recorded
//!    position (file, rows done); a blocking thread parses the CSV (`CsvConfiguration`) and maps
//!    rows to records ([`model`]) in batches of [`BATCH_ROWS`] rows, which the task writes through
//!    the ordinary ingestion path (`Engine::write_records_partially`: one writer job per batch,
//!    no 100-record cap inside the engine) while the next batch is parsed;
//! 3. after each batch, the position, the `ProgressReport` counters and the failed rows are
//!    recorded in one catalog transaction (see `engine::catalog::batch_load_tasks` for what a
//!    crash between commit and record means);
//! 4. at the end, rows or files that failed make the task FAILED with an error report
//!    ([`report`]) in `ReportS3Configuration`; otherwise it is SUCCEEDED.
//!
//! Failures that may pass (S3 unreachable, the writer throttled or failing to commit) make the
//! task PROGRESS_STOPPED, resumable with ResumeBatchLoadTask. On shutdown a running task stays
//! IN_PROGRESS and continues from its position at the next start (with `--data-dir`).

pub mod model;
pub mod report;

use std::collections::HashSet;
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use engine::{BatchLoadPosition, BatchLoadRowError, StoredBatchLoadTask};
use protocol::operations::write_records::WriteRecordsInput;
use protocol::shapes::batch_load::{
    BatchLoadProgressReport, BatchLoadStatus, CsvConfiguration, DataModel,
};
use protocol::shapes::Record;
use s3::S3Error;
use tokio::sync::{mpsc, watch, Notify};

use crate::state::AppState;
use model::{Bound, Plan};

/// The loop looks for runnable tasks at least this often.
const TICK: Duration = Duration::from_secs(1);
/// Rows per batch: one writer job, one progress record.
pub const BATCH_ROWS: usize = 10_000;
/// Files per task at most (AWS quota, §5.1).
const MAX_FILES: usize = 100;
/// `file_row` of a file that is finished (read to its end, or failed as a whole).
const FILE_DONE: i64 = -1;

/// What the rest of the server holds of the runner.
#[derive(Default)]
pub struct BatchLoader {
    wake: Arc<Notify>,
    running: Mutex<HashSet<String>>,
}

impl BatchLoader {
    /// Starts the loop for `state` (whose runner this is); it stops when `shutdown` turns true
    /// or the state is dropped.
    pub fn start(state: &Arc<AppState>, shutdown: watch::Receiver<bool>) {
        tokio::spawn(run_loop(Arc::downgrade(state), shutdown));
    }

    /// A task was created or resumed.
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    fn running(&self) -> std::sync::MutexGuard<'_, HashSet<String>> {
        self.running.lock().unwrap_or_else(|p| p.into_inner())
    }
}

async fn run_loop(state: Weak<AppState>, mut shutdown: watch::Receiver<bool>) {
    loop {
        let Some(app) = state.upgrade() else { return };
        match app
            .engine_call(|engine| engine.runnable_batch_load_tasks())
            .await
        {
            Ok(tasks) => {
                for task in tasks {
                    if app.batch_load.running().insert(task.task_id.clone()) {
                        tokio::spawn(run_task(app.clone(), task.task_id, shutdown.clone()));
                    }
                }
            }
            Err(e) => tracing::warn!(error = %e, "cannot read the runnable batch load tasks"),
        }
        // `notify_one` keeps a permit when nobody waits: a wake during the pass is not lost.
        let wake = Arc::clone(&app.batch_load.wake);
        drop(app);
        tokio::select! {
            () = wake.notified() => {}
            () = tokio::time::sleep(TICK) => {}
            _ = shutdown.wait_for(|stopped| *stopped) => return,
        }
    }
}

/// How a run ends short of its end.
#[derive(Debug)]
enum Stop {
    /// FAILED, with the reason.
    Failed(String),
    /// PROGRESS_STOPPED, with the reason: resumable.
    Stopped(String),
    /// The task is no longer IN_PROGRESS (stopped from outside): nothing more to record.
    Cancelled,
    /// The server is stopping: the task stays IN_PROGRESS, for the next start.
    ShuttingDown,
}

async fn run_task(app: Arc<AppState>, task_id: String, mut shutdown: watch::Receiver<bool>) {
    let outcome = tokio::select! {
        outcome = execute(&app, &task_id) => outcome,
        _ = shutdown.wait_for(|stopped| *stopped) => Err(Stop::ShuttingDown),
    };
    let end = match outcome {
        Ok(()) => None,
        Err(Stop::Failed(reason)) => Some((BatchLoadStatus::Failed, reason)),
        Err(Stop::Stopped(reason)) => Some((BatchLoadStatus::ProgressStopped, reason)),
        Err(Stop::Cancelled | Stop::ShuttingDown) => None,
    };
    if let Some((status, reason)) = end {
        tracing::info!(
            task_id,
            status = status.as_str(),
            reason,
            "batch load task ended"
        );
        let id = task_id.clone();
        if let Err(e) = app
            .engine_call(move |engine| engine.finish_batch_load_task(&id, status, Some(&reason)))
            .await
        {
            tracing::warn!(task_id, error = %e, "cannot record the end of a batch load task");
        }
    }
    app.batch_load.running().remove(&task_id);
}

/// Runs a task to its end (SUCCEEDED or FAILED recorded here), or to a [`Stop`].
async fn execute(app: &AppState, task_id: &str) -> Result<(), Stop> {
    let id = task_id.to_owned();
    let Some(task) = call(app, move |engine| engine.start_batch_load_task(&id)).await? else {
        return Err(Stop::Cancelled);
    };
    tracing::info!(task_id, position = ?task.position, "batch load task running");
    let definition = &task.definition;
    let plan = Plan::new(&data_model(app, &task).await?).map_err(Stop::Failed)?;
    let report = definition
        .report_configuration
        .report_s3_configuration
        .as_ref()
        .ok_or_else(|| Stop::Failed("The task has no ReportS3Configuration.".into()))?;
    let report_bucket = bucket(app, &report.bucket_name, "ReportS3Configuration").await?;
    let source = &definition.data_source_configuration;
    let source_s3 = &source.data_source_s3_configuration;
    let source_bucket = bucket(app, &source_s3.bucket_name, "DataSourceS3Configuration").await?;
    let prefix = source_s3.object_key_prefix.clone().unwrap_or_default();
    let objects: Vec<_> = source_bucket
        .list(&prefix)
        .await
        .map_err(|e| transient(&e))?
        .into_iter()
        .filter(|o| !o.key.ends_with('/'))
        .collect();
    if objects.is_empty() {
        return Err(Stop::Failed(format!(
            "No objects were found under {}.",
            source_bucket.url(&prefix)
        )));
    }
    if objects.len() > MAX_FILES {
        return Err(Stop::Failed(format!(
            "{} objects were found under {}; a batch load task reads at most {MAX_FILES} files.",
            objects.len(),
            source_bucket.url(&prefix)
        )));
    }
    let csv = source.csv_configuration.clone().unwrap_or_default();
    let position = task.position.clone();
    for object in &objects {
        let skip = match position.file_key.as_deref() {
            Some(at) if object.key.as_str() < at => continue,
            Some(at) if object.key == at => position.rows,
            _ => 0,
        };
        if skip == FILE_DONE {
            continue;
        }
        let file = FileRun {
            app,
            task: &task,
            key: &object.key,
        };
        match source_bucket.reader(&object.key).await {
            Ok(reader) => {
                let parser = Parser::new(&csv, plan.clone(), definition.record_version);
                file.load(reader, parser, skip).await?;
            }
            Err(S3Error::NoSuchKey { .. }) => {
                file.fail(format!(
                    "The object {} was listed but could not be read: it no longer exists.",
                    source_bucket.url(&object.key)
                ))
                .await?;
            }
            Err(e) => return Err(transient(&e)),
        }
    }
    finish(
        app,
        &task,
        &report_bucket,
        report.object_key_prefix.as_deref(),
    )
    .await
}

/// Ends a task whose files were all read: FAILED with an error report when anything failed,
/// SUCCEEDED otherwise.
async fn finish(
    app: &AppState,
    task: &StoredBatchLoadTask,
    report_bucket: &s3::Bucket,
    report_prefix: Option<&str>,
) -> Result<(), Stop> {
    let id = task.task_id.clone();
    let (now, errors) = call(app, move |engine| {
        Ok((
            engine.batch_load_task(&id)?,
            engine.batch_load_task_errors(&id)?,
        ))
    })
    .await?;
    let p = now.progress;
    let failed = p.parse_failures + p.record_ingestion_failures + p.file_failures > 0;
    let (status, message) = if failed || !errors.is_empty() {
        let key = report::key(report_prefix, &task.task_id);
        let body = report::build(&task.task_id, &errors).to_string();
        let url = report_bucket.url(&key);
        let message = match report_bucket.put(&key, body.into_bytes().into()).await {
            Ok(()) => format!(
                "The task completed with errors: {} parse failures, {} record ingestion failures, \
                 {} file failures. See the error report at {url}.",
                p.parse_failures, p.record_ingestion_failures, p.file_failures
            ),
            Err(e) => format!(
                "The task completed with errors, and its error report could not be written to \
                 {url}: {e}"
            ),
        };
        (BatchLoadStatus::Failed, Some(message))
    } else {
        (BatchLoadStatus::Succeeded, None)
    };
    let id = task.task_id.clone();
    let changed = call(app, move |engine| {
        engine.finish_batch_load_task(&id, status, message.as_deref())
    })
    .await?;
    if changed {
        tracing::info!(task_id = task.task_id, status = status.as_str(), progress = ?p, "batch load task ended");
        Ok(())
    } else {
        Err(Stop::Cancelled)
    }
}

/// The task's data model: inline, or read from the JSON file in S3.
async fn data_model(app: &AppState, task: &StoredBatchLoadTask) -> Result<DataModel, Stop> {
    let config = task
        .definition
        .data_model_configuration
        .as_ref()
        .ok_or_else(|| Stop::Failed("The task has no DataModelConfiguration.".into()))?;
    if let Some(model) = &config.data_model {
        return Ok(model.clone());
    }
    let s3_config = config
        .data_model_s3_configuration
        .as_ref()
        .ok_or_else(|| Stop::Failed("The DataModelConfiguration is empty.".into()))?;
    let (Some(bucket_name), Some(key)) = (&s3_config.bucket_name, &s3_config.object_key) else {
        return Err(Stop::Failed(
            "DataModelS3Configuration needs a BucketName and an ObjectKey.".into(),
        ));
    };
    let bucket = bucket(app, bucket_name, "DataModelS3Configuration").await?;
    let bytes = match bucket.get(key).await {
        Ok(bytes) => bytes,
        Err(S3Error::NoSuchKey { .. }) => {
            return Err(Stop::Failed(format!(
                "The data model file {} does not exist.",
                bucket.url(key)
            )))
        }
        Err(e) => return Err(transient(&e)),
    };
    serde_json::from_slice(&bytes).map_err(|e| {
        Stop::Failed(format!(
            "The data model file {} is not a valid DataModel: {e}",
            bucket.url(key)
        ))
    })
}

async fn bucket(app: &AppState, name: &str, whose: &str) -> Result<s3::Bucket, Stop> {
    match app.s3.bucket(name).await {
        Ok(b) => Ok(b),
        Err(S3Error::NoSuchBucket(_)) => Err(Stop::Failed(format!(
            "The S3 bucket {name} of the {whose} does not exist."
        ))),
        Err(e) => Err(transient(&e)),
    }
}

fn transient(e: &S3Error) -> Stop {
    Stop::Stopped(format!("S3 could not be reached: {e}"))
}

/// An engine call from the runner: a task gone is a cancelled run, other failures stop it
/// (resumable).
async fn call<T: Send + 'static>(
    app: &AppState,
    f: impl FnOnce(&engine::Engine) -> engine::Result<T> + Send + 'static,
) -> Result<T, Stop> {
    match app.engine_call(f).await {
        Ok(v) => Ok(v),
        Err(crate::state::CallError::Engine(engine::Error::BatchLoadTaskNotFound(_))) => {
            Err(Stop::Cancelled)
        }
        Err(crate::state::CallError::Engine(engine::Error::ShuttingDown)) => {
            Err(Stop::ShuttingDown)
        }
        Err(e) => Err(Stop::Stopped(e.to_string())),
    }
}

/// One batch of rows, parsed.
#[derive(Default)]
struct Batch {
    records: Vec<Record>,
    /// For each record, the index of its row in `rows`.
    record_row: Vec<u32>,
    rows: Vec<Row>,
    /// Rows of the file done after this batch.
    rows_done: i64,
    /// A failure of the whole file (header unreadable, a column missing): the last batch.
    file_failure: Option<String>,
    /// The file stopped arriving (S3 failed mid-object): the last batch; the task stops,
    /// resumable from the rows recorded.
    read_failure: Option<String>,
}

struct Row {
    line: i64,
    bytes: i64,
    /// None when parsed; the parse failure otherwise.
    failure: Option<String>,
    records: u32,
}

/// The CSV reader and mapping of one file, run on a blocking thread.
struct Parser {
    builder: csv::ReaderBuilder,
    null_value: Option<String>,
    plan: Plan,
    version: Option<i64>,
}

impl Parser {
    fn new(csv_config: &CsvConfiguration, plan: Plan, version: Option<i64>) -> Self {
        let byte = |s: &Option<String>| s.as_deref().and_then(|s| s.bytes().next());
        let mut builder = csv::ReaderBuilder::new();
        builder
            .has_headers(false)
            .flexible(true)
            .delimiter(byte(&csv_config.column_separator).unwrap_or(b','))
            .quote(byte(&csv_config.quote_char).unwrap_or(b'"'))
            .escape(byte(&csv_config.escape_char))
            .trim(if csv_config.trim_white_space.unwrap_or(false) {
                csv::Trim::All
            } else {
                csv::Trim::None
            });
        Self {
            builder,
            null_value: csv_config.null_value.clone(),
            plan,
            version,
        }
    }

    /// Parses `data`, skipping its first `skip` data rows, sending batches to `out` until the
    /// end (or until the receiver is gone).
    fn run(self, data: impl std::io::Read, skip: i64, out: &mpsc::Sender<Batch>) {
        let mut reader = self.builder.from_reader(data);
        let mut record = csv::ByteRecord::new();
        let fail = |reason: String| {
            let _ = out.blocking_send(Batch {
                file_failure: Some(reason),
                ..Batch::default()
            });
        };
        let unread = |e: &csv::Error| {
            let csv::ErrorKind::Io(e) = e.kind() else {
                return false;
            };
            let _ = out.blocking_send(Batch {
                read_failure: Some(e.to_string()),
                ..Batch::default()
            });
            true
        };
        let header = match reader.read_byte_record(&mut record) {
            Ok(true) => match record
                .iter()
                .map(|f| std::str::from_utf8(f).map(str::to_owned))
                .collect::<Result<Vec<_>, _>>()
            {
                Ok(header) => header,
                Err(_) => return fail("The header of the file is not valid UTF-8.".into()),
            },
            Ok(false) => return fail("The file is empty: it has no header row.".into()),
            Err(e) if unread(&e) => return,
            Err(e) => return fail(format!("The header of the file cannot be read: {e}")),
        };
        let bound: Bound = match self.plan.bind(&header) {
            Ok(b) => b,
            Err(reason) => return fail(reason),
        };
        let mut done: i64 = 0;
        while done < skip {
            match reader.read_byte_record(&mut record) {
                Err(e) if unread(&e) => return,
                Ok(true) | Err(_) => done += 1,
                Ok(false) => break,
            }
        }
        let mut batch = Batch::default();
        loop {
            let start = reader.position().byte();
            let read = reader.read_byte_record(&mut record);
            let line = i64::try_from(
                record
                    .position()
                    .map_or(reader.position().line(), csv::Position::line),
            )
            .unwrap_or(i64::MAX);
            let bytes = i64::try_from(reader.position().byte().saturating_sub(start)).unwrap_or(0);
            let failure = match read {
                Err(e) if unread(&e) => return,
                Ok(false) => break,
                Ok(true) => self.map_row(&bound, &header, &record, &mut batch),
                Err(e) => Err(format!("The row cannot be parsed as CSV: {e}")),
            };
            let (failure, records) = match failure {
                Ok(n) => (None, n),
                Err(reason) => (Some(reason), 0),
            };
            batch.rows.push(Row {
                line,
                bytes,
                failure,
                records,
            });
            done += 1;
            if batch.rows.len() >= BATCH_ROWS {
                batch.rows_done = done;
                if out.blocking_send(std::mem::take(&mut batch)).is_err() {
                    return;
                }
            }
        }
        batch.rows_done = FILE_DONE;
        let _ = out.blocking_send(batch);
    }

    /// The records of one row, appended to the batch; returns how many.
    fn map_row(
        &self,
        bound: &Bound,
        header: &[String],
        record: &csv::ByteRecord,
        batch: &mut Batch,
    ) -> Result<u32, String> {
        if record.len() != header.len() {
            return Err(format!(
                "The row has {} fields; the header has {}.",
                record.len(),
                header.len()
            ));
        }
        let mut fields: Vec<Option<&str>> = Vec::with_capacity(record.len());
        for f in record.iter() {
            let f = std::str::from_utf8(f).map_err(|_| "The row is not valid UTF-8.".to_owned())?;
            let null = f.is_empty() || self.null_value.as_deref() == Some(f);
            fields.push((!null).then_some(f));
        }
        let n = bound.records(&fields, self.version, &mut batch.records)?;
        let row = u32::try_from(batch.rows.len()).unwrap_or(u32::MAX);
        batch.record_row.extend(std::iter::repeat_n(row, n));
        Ok(u32::try_from(n).unwrap_or(u32::MAX))
    }
}

/// One file of a running task.
struct FileRun<'a> {
    app: &'a AppState,
    task: &'a StoredBatchLoadTask,
    key: &'a str,
}

impl FileRun<'_> {
    /// Parses the file on a blocking thread and writes its batches as they come.
    async fn load(
        &self,
        data: impl std::io::Read + Send + 'static,
        parser: Parser,
        skip: i64,
    ) -> Result<(), Stop> {
        let (tx, mut rx) = mpsc::channel::<Batch>(2);
        let parsing = tokio::task::spawn_blocking(move || parser.run(data, skip, &tx));
        let result = async {
            while let Some(batch) = rx.recv().await {
                if let Some(reason) = batch.file_failure {
                    return self.fail(reason).await;
                }
                if let Some(reason) = batch.read_failure {
                    return Err(Stop::Stopped(format!("S3 could not be reached: {reason}")));
                }
                self.write(batch).await?;
            }
            Ok(())
        }
        .await;
        drop(rx);
        let _ = parsing.await;
        result
    }

    /// Records a failure of the whole file; the task goes on with the next.
    async fn fail(&self, reason: String) -> Result<(), Stop> {
        let delta = BatchLoadProgressReport {
            file_failures: 1,
            ..Default::default()
        };
        let error = BatchLoadRowError {
            file: self.key.to_owned(),
            line: 0,
            reason,
        };
        self.record(FILE_DONE, delta, vec![error]).await
    }

    async fn write(&self, batch: Batch) -> Result<(), Stop> {
        let mut rejected: Vec<Option<String>> = vec![None; batch.rows.len()];
        if !batch.records.is_empty() {
            let definition = &self.task.definition;
            let input = WriteRecordsInput {
                database_name: definition.target_database_name.clone(),
                table_name: definition.target_table_name.clone(),
                common_attributes: None,
                records: batch.records,
            };
            match self
                .app
                .engine
                .write_records_partially(&self.task.scope, input)
                .await
            {
                Ok(outcome) => {
                    for r in outcome.rejected {
                        let row = usize::try_from(r.record_index)
                            .ok()
                            .and_then(|i| batch.record_row.get(i));
                        if let Some(slot) = row.and_then(|&row| rejected.get_mut(row as usize)) {
                            slot.get_or_insert(r.reason);
                        }
                    }
                }
                // A request-level refusal (the checks at CreateBatchLoadTask leave none the
                // data model can make): every row of the batch is refused with its reason.
                Err(engine::Error::InvalidWrite(reason)) => {
                    for (slot, row) in rejected.iter_mut().zip(&batch.rows) {
                        if row.records > 0 {
                            slot.get_or_insert(reason.clone());
                        }
                    }
                }
                Err(e) => return Err(write_failure(e)),
            }
        }
        let mut delta = BatchLoadProgressReport::default();
        let mut errors = Vec::new();
        for (row, rejected) in batch.rows.iter().zip(rejected) {
            delta.records_processed += 1;
            delta.bytes_metered += row.bytes;
            if let Some(reason) = &row.failure {
                delta.parse_failures += 1;
                errors.push(self.error(row.line, reason.clone()));
            } else if let Some(reason) = rejected {
                delta.record_ingestion_failures += 1;
                errors.push(self.error(row.line, reason));
            } else if row.records > 0 {
                delta.records_ingested += 1;
            }
        }
        self.record(batch.rows_done, delta, errors).await
    }

    fn error(&self, line: i64, reason: String) -> BatchLoadRowError {
        BatchLoadRowError {
            file: self.key.to_owned(),
            line,
            reason,
        }
    }

    async fn record(
        &self,
        rows: i64,
        delta: BatchLoadProgressReport,
        errors: Vec<BatchLoadRowError>,
    ) -> Result<(), Stop> {
        let id = self.task.task_id.clone();
        let position = BatchLoadPosition {
            file_key: Some(self.key.to_owned()),
            rows,
        };
        let recorded = call(self.app, move |engine| {
            engine.record_batch_load_progress(&id, &position, &delta, &errors)
        })
        .await?;
        if recorded {
            Ok(())
        } else {
            Err(Stop::Cancelled)
        }
    }
}

/// What a failed write means for the task.
fn write_failure(e: engine::Error) -> Stop {
    match e {
        engine::Error::TableNotFound { .. } | engine::Error::DatabaseNotFound(_) => {
            Stop::Failed(e.to_string())
        }
        engine::Error::ShuttingDown => Stop::ShuttingDown,
        e => Stop::Stopped(format!("The records could not be written: {e}")),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use protocol::shapes::batch_load::{
        DimensionMapping, MultiMeasureAttributeMapping, MultiMeasureMappings,
    };
    use protocol::shapes::MeasureValueType;

    fn parser() -> Parser {
        let model = DataModel {
            time_column: None,
            time_unit: None,
            dimension_mappings: vec![DimensionMapping {
                source_column: Some("host".into()),
                destination_column: None,
            }],
            multi_measure_mappings: Some(MultiMeasureMappings {
                target_multi_measure_name: Some("m".into()),
                multi_measure_attribute_mappings: vec![MultiMeasureAttributeMapping {
                    source_column: "cpu".into(),
                    target_multi_measure_attribute_name: None,
                    measure_value_type: Some(MeasureValueType::Double),
                }],
            }),
            mixed_measure_mappings: None,
            measure_name_column: None,
        };
        Parser::new(
            &CsvConfiguration::default(),
            Plan::new(&model).unwrap(),
            None,
        )
    }

    /// Gives `data`, then fails as a connection that drops mid-object does.
    struct Interrupted {
        data: std::io::Cursor<Vec<u8>>,
    }

    impl std::io::Read for Interrupted {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            match self.data.read(buf)? {
                0 => Err(std::io::Error::other("connection reset")),
                n => Ok(n),
            }
        }
    }

    fn batches(data: impl std::io::Read + Send + 'static) -> Vec<Batch> {
        let (tx, mut rx) = mpsc::channel(1000);
        std::thread::spawn(move || parser().run(data, 0, &tx))
            .join()
            .unwrap();
        let mut out = Vec::new();
        while let Ok(batch) = rx.try_recv() {
            out.push(batch);
        }
        out
    }

    fn csv(rows: usize) -> Vec<u8> {
        let mut csv = String::from("time,host,cpu\n");
        for i in 0..rows {
            csv.push_str(&format!("{i},h{},{i}.5\n", i % 7));
        }
        csv.into_bytes()
    }

    #[test]
    fn a_whole_file_ends_with_its_last_batch() {
        let got = batches(std::io::Cursor::new(csv(BATCH_ROWS + 5)));
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].rows.len(), BATCH_ROWS);
        assert_eq!(got[0].rows_done, BATCH_ROWS as i64);
        assert_eq!(got[1].rows.len(), 5);
        assert_eq!(got[1].rows_done, FILE_DONE);
        assert!(got.iter().all(|b| b.read_failure.is_none()));
    }

    #[test]
    fn a_file_that_stops_arriving_stops_the_task_after_its_whole_batches() {
        // The rows read after the last whole batch are not sent: the task resumes from the
        // position that batch recorded and reads them again.
        let got = batches(Interrupted {
            data: std::io::Cursor::new(csv(BATCH_ROWS + 5)),
        });
        assert_eq!(got.len(), 2, "one whole batch, then the failure");
        assert_eq!(got[0].rows.len(), BATCH_ROWS);
        assert!(got[0].read_failure.is_none());
        assert!(got[1].rows.is_empty());
        assert_eq!(got[1].read_failure.as_deref(), Some("connection reset"));
        assert!(got[1].file_failure.is_none(), "not the file's fault");

        // Before the header is whole: still a read failure, not "the file is empty".
        let got = batches(Interrupted {
            data: std::io::Cursor::new(b"time,ho".to_vec()),
        });
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].read_failure.as_deref(), Some("connection reset"));
        assert!(got[0].file_failure.is_none());
    }
}
