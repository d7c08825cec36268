//! A batch load task's error report (developer guide, "Using batch load error reports"):
//!
//! ```json
//! {"taskId": "9367BE28418C5EF902676482220B631C", "taskErrors": [],
//!  "fileErrors": [{"fileName": "example.csv", "errors": [
//!     {"reason": "The record timestamp is outside the time range of the data ingestion window.",
//!      "lineRanges": [[2, 3]]}]}]}
//! ```
//!
//! Errors of one file with the same reason are grouped; their lines (1-based, the header is
//! line 1) become ranges of consecutive lines, `[first, last]` inclusive. A whole-file failure (no
//! line) has no ranges. Written to `s3://BUCKET/PREFIX/<TaskId>/error_report.json`.

use engine::BatchLoadRowError;
use serde_json::{json, Value};

/// The report's object key under the configured prefix.
pub fn key(prefix: Option<&str>, task_id: &str) -> String {
    let prefix = prefix.unwrap_or_default().trim_matches('/');
    if prefix.is_empty() {
        format!("{task_id}/error_report.json")
    } else {
        format!("{prefix}/{task_id}/error_report.json")
    }
}

/// One reason and the lines that failed with it.
type ReasonLines<'a> = (&'a str, Vec<i64>);

/// The report's JSON.
pub fn build(task_id: &str, errors: &[BatchLoadRowError]) -> Value {
    let mut task_errors: Vec<&str> = Vec::new();
    // (file, [(reason, lines)]) in first-seen order.
    let mut files: Vec<(&str, Vec<ReasonLines<'_>>)> = Vec::new();
    for e in errors {
        if e.file.is_empty() {
            if !task_errors.contains(&e.reason.as_str()) {
                task_errors.push(&e.reason);
            }
            continue;
        }
        let i = match files.iter().position(|(f, _)| *f == e.file) {
            Some(i) => i,
            None => {
                files.push((&e.file, Vec::new()));
                files.len() - 1
            }
        };
        let reasons = &mut files[i].1;
        match reasons.iter_mut().find(|(r, _)| *r == e.reason) {
            Some((_, lines)) => lines.push(e.line),
            None => reasons.push((&e.reason, vec![e.line])),
        }
    }
    json!({
        "taskId": task_id,
        "taskErrors": task_errors
            .iter()
            .map(|r| json!({"reason": r}))
            .collect::<Vec<_>>(),
        "fileErrors": files
            .into_iter()
            .map(|(file, reasons)| json!({
                "fileName": file,
                "errors": reasons
                    .into_iter()
                    .map(|(reason, lines)| json!({"reason": reason, "lineRanges": ranges(lines)}))
                    .collect::<Vec<_>>(),
            }))
            .collect::<Vec<_>>(),
    })
}

/// Lines as ranges of consecutive lines; line 0 (the whole file) gives none.
fn ranges(mut lines: Vec<i64>) -> Vec<[i64; 2]> {
    lines.retain(|l| *l > 0);
    lines.sort_unstable();
    lines.dedup();
    let mut out: Vec<[i64; 2]> = Vec::new();
    for line in lines {
        match out.last_mut() {
            Some(last) if last[1] + 1 == line => last[1] = line,
            _ => out.push([line, line]),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(file: &str, line: i64, reason: &str) -> BatchLoadRowError {
        BatchLoadRowError {
            file: file.into(),
            line,
            reason: reason.into(),
        }
    }

    #[test]
    fn lines_group_by_file_and_reason_into_ranges() {
        let report = build(
            "T1",
            &[
                e("a.csv", 2, "bad"),
                e("a.csv", 3, "bad"),
                e("a.csv", 7, "bad"),
                e("a.csv", 4, "late"),
                e("b.csv", 0, "no column x"),
                e("", 0, "task"),
            ],
        );
        assert_eq!(
            report,
            json!({"taskId": "T1", "taskErrors": [{"reason": "task"}], "fileErrors": [
                {"fileName": "a.csv", "errors": [
                    {"reason": "bad", "lineRanges": [[2, 3], [7, 7]]},
                    {"reason": "late", "lineRanges": [[4, 4]]}]},
                {"fileName": "b.csv", "errors": [{"reason": "no column x", "lineRanges": []}]}]})
        );
        assert_eq!(key(Some("r/"), "T1"), "r/T1/error_report.json");
        assert_eq!(key(None, "T1"), "T1/error_report.json");
    }
}
