//! Scheduled-query error reports, written where AWS writes them (developer guide, "Scheduled
//! query error reports"): `s3://BUCKET/PREFIX/<scheduled query id>/<invocation time>/<Auto |
//! Manual>/<trigger time>`, one JSON object per run, through the server's S3.

use chrono::{DateTime, SecondsFormat, Utc};
use protocol::shapes::{ErrorReport, ErrorReportEntry, S3Configuration, S3ReportLocation};
use s3::{S3Error, S3};

pub struct ErrorReports {
    s3: S3,
}

impl ErrorReports {
    pub fn new(s3: S3) -> Self {
        Self { s3 }
    }

    /// Writes the report of one run and returns where it is.
    pub async fn write(
        &self,
        s3: &S3Configuration,
        arn: &str,
        invocation_ns: i64,
        manual: bool,
        trigger_ns: i64,
        errors: Vec<ErrorReportEntry>,
    ) -> Result<S3ReportLocation, S3Error> {
        let bucket_name = s3.bucket_name.clone().unwrap_or_default();
        let key = report_key(
            s3.object_key_prefix.as_deref(),
            arn,
            invocation_ns,
            manual,
            trigger_ns,
        );
        let report = ErrorReport {
            report_id: uuid::Uuid::new_v4().simple().to_string().to_uppercase(),
            errors,
        };
        let body = serde_json::to_vec_pretty(&report).map_err(std::io::Error::other)?;
        let bucket = self.s3.bucket(&bucket_name).await?;
        bucket.put(&key, body.into()).await?;
        Ok(S3ReportLocation {
            bucket_name: Some(bucket_name),
            object_key: Some(key),
        })
    }
}

fn report_key(
    prefix: Option<&str>,
    arn: &str,
    invocation_ns: i64,
    manual: bool,
    trigger_ns: i64,
) -> String {
    // The scheduled query id: the ARN's last part, `name-<suffix>`.
    let id = arn
        .rsplit_once("scheduled-query/")
        .map_or(arn, |(_, id)| id);
    let mut key = String::new();
    if let Some(prefix) = prefix.filter(|p| !p.is_empty()) {
        key.push_str(prefix.trim_end_matches('/'));
        key.push('/');
    }
    key.push_str(&format!(
        "{id}/{}/{}/{}",
        iso(invocation_ns, SecondsFormat::Secs),
        if manual { "Manual" } else { "Auto" },
        iso(trigger_ns, SecondsFormat::Millis)
    ));
    key
}

fn iso(ns: i64, format: SecondsFormat) -> String {
    DateTime::<Utc>::from_timestamp_nanos(ns).to_rfc3339_opts(format, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_is_prefix_id_invocation_trigger_kind_and_time() {
        assert_eq!(
            report_key(
                Some("p/"),
                "arn:aws:timestream:us-east-1:123456789012:scheduled-query/q-1",
                1_767_229_200_000_000_000,
                false,
                1_767_229_200_500_000_000,
            ),
            "p/q-1/2026-01-01T01:00:00Z/Auto/2026-01-01T01:00:00.500Z"
        );
    }
}
