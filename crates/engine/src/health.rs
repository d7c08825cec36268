//! What the engine knows of its own health, for the admin API: the writer, the last write, the
//! checkpointer. Each fault is recorded where it happens; the state-change methods return
//! whether anything changed, so that callers log a fault once when it starts (at warn) and once
//! when it ends, not on every retry.

use std::sync::Mutex;

use serde::Serialize;

/// The engine's health as [`crate::Engine::health`] reports it.
///
/// Serialises as `{"status": "ok" | "degraded" | "unhealthy", "reasons": ["…"]}`; `reasons` is
/// empty exactly when `status` is `ok`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Health {
    pub status: HealthStatus,
    pub reasons: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum HealthStatus {
    /// Everything works.
    Ok,
    /// The engine serves, but something failed recently or is failing now (a full disk, a
    /// failing checkpoint, a write that failed, a writer that had to recover from a panic).
    Degraded,
    /// Writes cannot succeed until the process restarts (the writer thread is gone).
    Unhealthy,
}

impl Health {
    pub fn is_ok(&self) -> bool {
        self.status == HealthStatus::Ok
    }
}

/// The last write failure, until a write commits again.
#[derive(Debug, Clone, PartialEq, Eq)]
struct WriteFailure {
    disk_full: bool,
    message: String,
}

#[derive(Debug, Default)]
struct Inner {
    /// Panics the writer recovered from since start (sticky: a panic is a bug to look at).
    writer_panics: u64,
    last_panic: Option<String>,
    write_failure: Option<WriteFailure>,
    checkpoint_failure: Option<String>,
    checkpointer_stopped: Option<String>,
}

/// Shared by the writer, the checkpointer and the request paths (in `Core`).
#[derive(Debug, Default)]
pub(crate) struct HealthState {
    inner: Mutex<Inner>,
}

/// Whether a storage error means the disk (or the quota) is full.
pub(crate) fn is_disk_full(e: &crate::Error) -> bool {
    matches!(
        e,
        crate::Error::Storage(rusqlite::Error::SqliteFailure(f, _))
            if f.code == rusqlite::ErrorCode::DiskFull
    )
}

impl HealthState {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn writer_panicked(&self, message: &str) {
        let mut inner = self.lock();
        inner.writer_panics += 1;
        inner.last_panic = Some(message.to_owned());
    }

    /// A write committed. True when this ends a failure.
    pub fn write_committed(&self) -> bool {
        self.lock().write_failure.take().is_some()
    }

    /// A write failed with `e`. True when this starts a failure or changes its cause.
    pub fn write_failed(&self, e: &crate::Error) -> bool {
        let failure = WriteFailure {
            disk_full: is_disk_full(e),
            message: e.to_string(),
        };
        let mut inner = self.lock();
        let changed = inner.write_failure.as_ref() != Some(&failure);
        inner.write_failure = Some(failure);
        changed
    }

    /// A checkpoint succeeded. True when this ends a failure.
    pub fn checkpoint_succeeded(&self) -> bool {
        self.lock().checkpoint_failure.take().is_some()
    }

    /// A checkpoint failed. True when this starts a failure or changes its cause.
    pub fn checkpoint_failed(&self, message: String) -> bool {
        let mut inner = self.lock();
        let changed = inner.checkpoint_failure.as_ref() != Some(&message);
        inner.checkpoint_failure = Some(message);
        changed
    }

    pub fn checkpointer_stopped(&self, message: String) {
        self.lock().checkpointer_stopped = Some(message);
    }

    /// The report; `writer_alive` is false once the writer thread is gone.
    pub fn report(&self, writer_alive: bool) -> Health {
        let inner = self.lock();
        let mut reasons = Vec::new();
        let mut status = HealthStatus::Ok;
        let mut degrade = |to: HealthStatus, reason: String| {
            status = status.max(to);
            reasons.push(reason);
        };
        if !writer_alive {
            degrade(
                HealthStatus::Unhealthy,
                "writer stopped: writes fail until the server restarts".into(),
            );
        }
        if inner.writer_panics > 0 {
            degrade(
                HealthStatus::Degraded,
                format!(
                    "writer restarted after {} panic(s); last: {}",
                    inner.writer_panics,
                    inner.last_panic.as_deref().unwrap_or("?")
                ),
            );
        }
        if let Some(f) = &inner.write_failure {
            let reason = if f.disk_full {
                format!("disk full: {}", f.message)
            } else {
                format!("last write failed: {}", f.message)
            };
            degrade(HealthStatus::Degraded, reason);
        }
        if let Some(m) = &inner.checkpoint_failure {
            degrade(
                HealthStatus::Degraded,
                format!("last checkpoint failed: {m}"),
            );
        }
        if let Some(m) = &inner.checkpointer_stopped {
            degrade(
                HealthStatus::Degraded,
                format!("checkpointer not running: {m}"),
            );
        }
        Health { status, reasons }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faults_degrade_until_they_end() {
        let h = HealthState::default();
        assert!(h.report(true).is_ok());
        assert_eq!(h.report(true).reasons, Vec::<String>::new());

        let full = crate::Error::Storage(rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_FULL),
            Some("database or disk is full".into()),
        ));
        assert!(h.write_failed(&full), "a new failure is a change");
        assert!(!h.write_failed(&full), "the same failure again is not");
        assert!(h.checkpoint_failed("disk I/O error".into()));
        assert!(!h.checkpoint_failed("disk I/O error".into()));
        let r = h.report(true);
        assert_eq!(r.status, HealthStatus::Degraded);
        assert!(r.reasons[0].starts_with("disk full: "), "{r:?}");
        assert_eq!(r.reasons[1], "last checkpoint failed: disk I/O error");

        assert!(h.write_committed());
        assert!(!h.write_committed());
        assert!(h.checkpoint_succeeded());
        assert!(h.report(true).is_ok());

        h.writer_panicked("boom");
        assert_eq!(
            h.report(true).reasons,
            ["writer restarted after 1 panic(s); last: boom"]
        );
        assert_eq!(h.report(false).status, HealthStatus::Unhealthy);
        assert_eq!(
            serde_json::to_value(h.report(true)).unwrap(),
            serde_json::json!({"status": "degraded", "reasons": ["writer restarted after 1 panic(s); last: boom"]})
        );
    }
}
