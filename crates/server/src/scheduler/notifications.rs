//! The SNS messages AWS sends about a scheduled query (developer guide, "Scheduled query
//! notification messages"): on create, state change and delete, and after every run. Each one
//! is logged at info level and kept, per scheduled query, for the admin API; with
//! `--sns-endpoint-url` it is also published to the query's topic there.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

use protocol::shapes::{ScheduledQueryRunSummary, ScheduledQueryState};
use serde_json::{json, Value};

use super::sns::SnsPublisher;

/// Messages kept per scheduled query.
const HISTORY: usize = 100;

pub struct Notifier {
    history: Mutex<HashMap<String, VecDeque<Value>>>,
    sns: Option<SnsPublisher>,
}

impl Notifier {
    pub fn new(sns: Option<SnsPublisher>) -> Self {
        Self {
            history: Mutex::default(),
            sns,
        }
    }

    /// `SCHEDULED_QUERY_CREATING`, sent before CreateScheduledQuery answers.
    pub fn created(&self, arn: &str, topic: &str) {
        self.send(
            arn,
            topic,
            json!({"type": "SCHEDULED_QUERY_CREATING", "arn": arn}),
        );
    }

    /// `SCHEDULED_QUERY_UPDATE` with the new state.
    pub fn state_changed(&self, arn: &str, topic: &str, state: ScheduledQueryState) {
        self.send(
            arn,
            topic,
            json!({"type": "SCHEDULED_QUERY_UPDATE", "arn": arn, "state": state.as_str()}),
        );
    }

    /// `SCHEDULED_QUERY_DELETED`.
    pub fn deleted(&self, arn: &str, topic: &str) {
        self.send(
            arn,
            topic,
            json!({"type": "SCHEDULED_QUERY_DELETED", "arn": arn}),
        );
    }

    /// A run's success or failure message, shaped as the guide's example.
    pub fn ran(
        &self,
        arn: &str,
        topic: &str,
        summary: &ScheduledQueryRunSummary,
        next_ns: Option<i64>,
    ) {
        let status = summary.run_status.map(|s| s.as_str());
        let mut run = json!({
            "invocationEpochSecond": summary.invocation_time.map(|t| t.secs()),
            "triggerTimeMillis": summary.trigger_time.and_then(|t| t.to_millis().ok()),
            "runStatus": status,
        });
        if let Some(s) = &summary.execution_stats {
            run["executionStats"] = json!({
                "executionTimeInMillis": s.execution_time_in_millis,
                "dataWrites": s.data_writes,
                "bytesMetered": s.bytes_metered,
                "cumulativeBytesScanned": s.cumulative_bytes_scanned,
                "recordsIngested": s.records_ingested,
                "queryResultRows": s.query_result_rows,
            });
        }
        if let Some(location) = summary
            .error_report_location
            .as_ref()
            .and_then(|l| l.s3_report_location.as_ref())
        {
            run["errorReportLocation"] = json!({"s3ReportLocation": {
                "bucketName": location.bucket_name,
                "objectKey": location.object_key,
            }});
        }
        if let Some(reason) = &summary.failure_reason {
            run["failureReason"] = json!(reason);
        }
        let mut message = json!({"type": status, "arn": arn, "scheduledQueryRunSummary": run});
        if let Some(next) = next_ns {
            message["nextInvocationEpochSecond"] = json!(next.div_euclid(1_000_000_000));
        }
        self.send(arn, topic, message);
    }

    /// The messages of one scheduled query, oldest first.
    pub fn history(&self, arn: &str) -> Vec<Value> {
        self.lock()
            .get(arn)
            .map(|h| h.iter().cloned().collect())
            .unwrap_or_default()
    }

    /// Forgets every message (the admin API's reset).
    pub fn clear(&self) {
        self.lock().clear();
    }

    fn send(&self, arn: &str, topic: &str, message: Value) {
        tracing::info!(topic, %message, "scheduled query notification");
        {
            let mut history = self.lock();
            let kept = history.entry(arn.to_owned()).or_default();
            if kept.len() == HISTORY {
                kept.pop_front();
            }
            kept.push_back(message.clone());
        }
        if let Some(sns) = &self.sns {
            sns.publish(topic.to_owned(), message.to_string());
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, VecDeque<Value>>> {
        self.history.lock().unwrap_or_else(|p| p.into_inner())
    }
}
