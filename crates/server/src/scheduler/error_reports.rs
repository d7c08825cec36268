//! Scheduled-query error reports, written where AWS writes them (developer guide, "Scheduled
//! query error reports"): `s3://BUCKET/PREFIX/<scheduled query id>/<invocation time>/<Auto |
//! Manual>/<trigger time>`, one JSON object per run. S3 is a local directory here (`--s3-dir`):
//! `s3://BUCKET/KEY` is the file `DIR/BUCKET/KEY`.

use std::path::{Path, PathBuf};

use chrono::{DateTime, SecondsFormat, Utc};
use protocol::shapes::{ErrorReport, ErrorReportEntry, S3Configuration, S3ReportLocation};

pub struct ErrorReports {
    dir: PathBuf,
}

impl ErrorReports {
    pub fn new(dir: PathBuf) -> Self {
        Self { dir }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Writes the report of one run and returns where it is.
    pub fn write(
        &self,
        s3: &S3Configuration,
        arn: &str,
        invocation_ns: i64,
        manual: bool,
        trigger_ns: i64,
        errors: Vec<ErrorReportEntry>,
    ) -> std::io::Result<S3ReportLocation> {
        let bucket = s3.bucket_name.clone().unwrap_or_default();
        // The scheduled query id: the ARN's last part, `name-<suffix>`.
        let id = arn
            .rsplit_once("scheduled-query/")
            .map_or(arn, |(_, id)| id);
        let mut key = String::new();
        if let Some(prefix) = s3.object_key_prefix.as_deref().filter(|p| !p.is_empty()) {
            key.push_str(prefix.trim_end_matches('/'));
            key.push('/');
        }
        key.push_str(&format!(
            "{id}/{}/{}/{}",
            iso(invocation_ns, SecondsFormat::Secs),
            if manual { "Manual" } else { "Auto" },
            iso(trigger_ns, SecondsFormat::Millis)
        ));
        let report = ErrorReport {
            report_id: uuid::Uuid::new_v4().simple().to_string().to_uppercase(),
            errors,
        };
        let body = serde_json::to_vec_pretty(&report).map_err(std::io::Error::other)?;
        let path = self.path_of(&bucket, &key);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(&path, body)?;
        Ok(S3ReportLocation {
            bucket_name: Some(bucket),
            object_key: Some(key),
        })
    }

    /// The file of `s3://bucket/key`. Key parts that a file system would read as moves (`.`,
    /// `..`, empty) are kept inside the bucket's directory by escaping their dots.
    pub fn path_of(&self, bucket: &str, key: &str) -> PathBuf {
        let mut path = self.dir.join(safe_component(bucket));
        for part in key.split('/') {
            path.push(safe_component(part));
        }
        path
    }
}

fn safe_component(part: &str) -> String {
    if part.is_empty() || part.chars().all(|c| c == '.') {
        format!("%{}", part.replace('.', "%2E"))
    } else {
        part.to_owned()
    }
}

fn iso(ns: i64, format: SecondsFormat) -> String {
    DateTime::<Utc>::from_timestamp_nanos(ns).to_rfc3339_opts(format, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_cannot_leave_the_bucket_directory() {
        let reports = ErrorReports::new(PathBuf::from("/s3"));
        assert_eq!(
            reports.path_of("bucket", "a/../../etc//x"),
            PathBuf::from("/s3/bucket/a/%%2E%2E/%%2E%2E/etc/%/x")
        );
        assert_eq!(
            reports.path_of("bucket", "p/q-1/2026-01-01T01:00:00Z"),
            PathBuf::from("/s3/bucket/p/q-1/2026-01-01T01:00:00Z")
        );
    }
}
