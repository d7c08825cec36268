//! The engine clock: the only source of "now" for SigV4 skew, timestamps, and (later) ingestion
//! windows, tiering and `now()`/`ago()`. It follows the system clock plus an offset, or stands
//! frozen, so a test can make hours pass instantly.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

const NOT_FROZEN: i64 = i64::MIN;

#[derive(Debug, Clone)]
pub struct Clock {
    inner: Arc<ClockState>,
}

#[derive(Debug)]
struct ClockState {
    offset_ns: AtomicI64,
    frozen_at_ns: AtomicI64,
}

impl Default for Clock {
    fn default() -> Self {
        Self {
            inner: Arc::new(ClockState {
                offset_ns: AtomicI64::new(0),
                frozen_at_ns: AtomicI64::new(NOT_FROZEN),
            }),
        }
    }
}

impl Clock {
    /// Nanoseconds since the Unix epoch, as the engine sees it.
    pub fn now_ns(&self) -> i64 {
        let frozen = self.inner.frozen_at_ns.load(Ordering::Acquire);
        if frozen != NOT_FROZEN {
            return frozen;
        }
        system_now_ns().saturating_add(self.inner.offset_ns.load(Ordering::Acquire))
    }

    /// The current time as a chrono value (for SigV4 and HTTP `Date`).
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        chrono::DateTime::from_timestamp_nanos(self.now_ns())
    }

    /// Runs the clock `offset_ns` ahead of (or behind) the system clock; unfreezes it.
    pub fn set_offset_ns(&self, offset_ns: i64) {
        self.inner.offset_ns.store(offset_ns, Ordering::Release);
        self.inner.frozen_at_ns.store(NOT_FROZEN, Ordering::Release);
    }

    /// Stops the clock at `at_ns`.
    pub fn freeze_at_ns(&self, at_ns: i64) {
        self.inner.frozen_at_ns.store(at_ns, Ordering::Release);
    }

    /// Lets a frozen clock run again from where it stood.
    pub fn unfreeze(&self) {
        let frozen = self.inner.frozen_at_ns.load(Ordering::Acquire);
        if frozen != NOT_FROZEN {
            self.set_offset_ns(frozen - system_now_ns());
        }
    }

    /// Moves the clock by `delta_ns`, frozen or not.
    pub fn advance_ns(&self, delta_ns: i64) {
        let frozen = self.inner.frozen_at_ns.load(Ordering::Acquire);
        if frozen == NOT_FROZEN {
            self.inner.offset_ns.fetch_add(delta_ns, Ordering::AcqRel);
        } else {
            self.inner
                .frozen_at_ns
                .store(frozen.saturating_add(delta_ns), Ordering::Release);
        }
    }

    pub fn is_frozen(&self) -> bool {
        self.inner.frozen_at_ns.load(Ordering::Acquire) != NOT_FROZEN
    }

    pub fn offset_ns(&self) -> i64 {
        self.inner.offset_ns.load(Ordering::Acquire)
    }
}

fn system_now_ns() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_nanos()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frozen_clock_moves_only_when_told() {
        let c = Clock::default();
        c.freeze_at_ns(1_000);
        assert_eq!(c.now_ns(), 1_000);
        c.advance_ns(3_600_000_000_000);
        assert_eq!(c.now_ns(), 3_600_000_001_000);
        c.unfreeze();
        assert!(!c.is_frozen());
        assert!((c.now_ns() - 3_600_000_001_000).abs() < 1_000_000_000);
        c.set_offset_ns(0);
        assert!(c.now_ns() > 1_700_000_000_000_000_000);
    }

    #[test]
    fn offset_shifts_the_system_clock() {
        let c = Clock::default();
        c.set_offset_ns(86_400_000_000_000);
        let diff = c.now_ns() - system_now_ns();
        assert!((86_399_000_000_000..=86_401_000_000_000).contains(&diff));
    }
}
