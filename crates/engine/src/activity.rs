//! What ingestion has been doing lately, for the console's live view: records accepted and
//! rejected per wall-clock second over the last [`SECONDS`] seconds, totals since start, and
//! the most recent rejections with their reasons. The writer records every committed request
//! here (WriteRecords, batch load and scheduled-query results alike: they share its path).
//!
//! Wall-clock seconds, not the engine clock: a rate is about the machine's real time, and a
//! frozen or moved engine clock would otherwise pile every record into one second.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

use protocol::operations::write_records::RejectedRecord;
use serde::Serialize;

/// Seconds of per-second counts kept.
pub const SECONDS: usize = 120;
/// Rejections kept, newest first.
pub const REJECTIONS: usize = 200;

#[derive(Default)]
pub(crate) struct IngestActivity {
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    /// Oldest first; one entry per second that saw a write, at most [`SECONDS`] back.
    seconds: VecDeque<SecondCounts>,
    accepted_total: u64,
    rejected_total: u64,
    /// Newest first.
    rejections: VecDeque<Rejection>,
}

/// Records accepted and rejected in one wall-clock second.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
pub struct SecondCounts {
    /// Unix seconds.
    pub second: i64,
    pub accepted: u64,
    pub rejected: u64,
}

/// One rejected record: where it was written, its index in its request, and AWS's reason.
#[derive(Debug, Clone, Serialize)]
pub struct Rejection {
    /// Wall-clock time, Unix milliseconds.
    pub at_ms: i64,
    pub database: String,
    pub table: String,
    pub record_index: i32,
    pub reason: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub existing_version: Option<i64>,
}

/// A copy of the activity, as the admin API serves it.
#[derive(Debug, Clone, Serialize)]
pub struct IngestActivityView {
    /// Unix seconds when the copy was taken.
    pub now_second: i64,
    pub accepted_total: u64,
    pub rejected_total: u64,
    /// Oldest first; seconds without writes are absent.
    pub seconds: Vec<SecondCounts>,
    /// Newest first.
    pub rejections: Vec<Rejection>,
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

impl IngestActivity {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// One committed request of `table` in `database`.
    pub fn record(&self, database: &str, table: &str, accepted: u64, rejected: &[RejectedRecord]) {
        self.record_at(now_ms(), database, table, accepted, rejected);
    }

    fn record_at(
        &self,
        at_ms: i64,
        database: &str,
        table: &str,
        accepted: u64,
        rejected: &[RejectedRecord],
    ) {
        let second = at_ms.div_euclid(1000);
        let mut inner = self.lock();
        inner.accepted_total += accepted;
        inner.rejected_total += rejected.len() as u64;
        match inner.seconds.back_mut() {
            Some(last) if last.second == second => {
                last.accepted += accepted;
                last.rejected += rejected.len() as u64;
            }
            _ => inner.seconds.push_back(SecondCounts {
                second,
                accepted,
                rejected: rejected.len() as u64,
            }),
        }
        while inner
            .seconds
            .front()
            .is_some_and(|s| s.second <= second - SECONDS as i64)
        {
            inner.seconds.pop_front();
        }
        // Only the last REJECTIONS can be kept: a batch load's batch may reject thousands.
        for r in &rejected[rejected.len().saturating_sub(REJECTIONS)..] {
            inner.rejections.push_front(Rejection {
                at_ms,
                database: database.to_owned(),
                table: table.to_owned(),
                record_index: r.record_index,
                reason: r.reason.clone(),
                existing_version: r.existing_version,
            });
        }
        inner.rejections.truncate(REJECTIONS);
    }

    pub fn view(&self) -> IngestActivityView {
        let now_second = now_ms().div_euclid(1000);
        let inner = self.lock();
        IngestActivityView {
            now_second,
            accepted_total: inner.accepted_total,
            rejected_total: inner.rejected_total,
            seconds: inner
                .seconds
                .iter()
                .filter(|s| s.second > now_second - SECONDS as i64)
                .copied()
                .collect(),
            rejections: inner.rejections.iter().cloned().collect(),
        }
    }

    /// Forgets everything (the admin API's reset).
    pub fn clear(&self) {
        *self.lock() = Inner::default();
    }
}

impl crate::Engine {
    /// Recent ingestion: see the module docs.
    pub fn ingest_activity(&self) -> IngestActivityView {
        self.core.activity.view()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rejected(index: i32) -> RejectedRecord {
        RejectedRecord {
            record_index: index,
            reason: format!("reason {index}"),
            existing_version: None,
        }
    }

    #[test]
    fn counts_per_second_and_keeps_the_newest_rejections() {
        let activity = IngestActivity::default();
        activity.record_at(10_000, "d", "t", 5, &[rejected(1)]);
        activity.record_at(10_900, "d", "t", 3, &[]);
        activity.record_at(12_100, "d", "u", 0, &[rejected(7), rejected(8)]);
        let inner = activity.lock();
        assert_eq!(
            inner.seconds.iter().copied().collect::<Vec<_>>(),
            vec![
                SecondCounts {
                    second: 10,
                    accepted: 8,
                    rejected: 1
                },
                SecondCounts {
                    second: 12,
                    accepted: 0,
                    rejected: 2
                },
            ]
        );
        assert_eq!((inner.accepted_total, inner.rejected_total), (8, 3));
        let newest: Vec<_> = inner
            .rejections
            .iter()
            .map(|r| (r.table.as_str(), r.record_index))
            .collect();
        assert_eq!(newest, vec![("u", 8), ("u", 7), ("t", 1)]);
    }

    #[test]
    fn forgets_seconds_beyond_the_window_and_rejections_beyond_the_cap() {
        let activity = IngestActivity::default();
        activity.record_at(0, "d", "t", 1, &[]);
        let many: Vec<_> = (0..REJECTIONS as i32 + 10).map(rejected).collect();
        activity.record_at(SECONDS as i64 * 1000, "d", "t", 1, &many);
        let inner = activity.lock();
        assert_eq!(inner.seconds.len(), 1, "second 0 is {SECONDS} s old");
        assert_eq!(inner.rejections.len(), REJECTIONS);
        assert_eq!(inner.rejections[0].record_index, REJECTIONS as i32 + 9);
        assert_eq!(inner.rejections[REJECTIONS - 1].record_index, 10);
        assert_eq!(inner.rejected_total, REJECTIONS as u64 + 10, "all counted");
        assert_eq!(inner.accepted_total, 2);
    }
}
