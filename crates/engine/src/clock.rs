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

/// The earliest time the clock may be set to through the checked API: the Unix epoch
/// (Timestream refuses records before it).
pub const MIN_CLOCK_NS: i64 = 0;
/// The latest: 2262-01-01T00:00:00Z, about 100 days before nanoseconds since the epoch leave
/// `i64` (2262-04-11), so that "now plus a few days" never overflows in a time rule.
pub const MAX_CLOCK_NS: i64 = 9_214_646_400_000_000_000;

/// One change of the clock, applied in this order: `offset_ns` (which unfreezes), then
/// `at_ns` (freeze there) or `freeze` (true: freeze at the current time, false: run again
/// from where it stood), then `advance_ns`. What the admin API's `POST clock` takes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ClockChange {
    pub offset_ns: Option<i64>,
    pub freeze: Option<bool>,
    pub at_ns: Option<i64>,
    pub advance_ns: Option<i64>,
}

/// A change that would put the clock outside [`MIN_CLOCK_NS`, `MAX_CLOCK_NS`] or overflow
/// on the way; the clock is left as it was.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field} = {value} would put the engine clock outside 1970-01-01T00:00:00Z .. 2262-01-01T00:00:00Z ({MIN_CLOCK_NS} .. {MAX_CLOCK_NS} ns since the epoch)")]
pub struct ClockRangeError {
    /// The field of the change that went out of range (`advance_ns`, `offset_ns`, …).
    pub field: &'static str,
    pub value: i64,
}

impl Clock {
    /// Applies `change` all or nothing: every step is computed with checked arithmetic first,
    /// and the clock is only touched when the time it would show after each step lies in
    /// [`MIN_CLOCK_NS`, `MAX_CLOCK_NS`]. Never panics or wraps, whatever the values.
    pub fn checked_apply(&self, change: &ClockChange) -> Result<(), ClockRangeError> {
        let frozen = self.inner.frozen_at_ns.load(Ordering::Acquire);
        let current = ClockSetting {
            frozen_at_ns: (frozen != NOT_FROZEN).then_some(frozen),
            offset_ns: self.inner.offset_ns.load(Ordering::Acquire),
        };
        let next = current.apply(change, system_now_ns())?;
        self.inner
            .offset_ns
            .store(next.offset_ns, Ordering::Release);
        self.inner
            .frozen_at_ns
            .store(next.frozen_at_ns.unwrap_or(NOT_FROZEN), Ordering::Release);
        Ok(())
    }

    /// [`Clock::advance_ns`], refusing a move out of range instead of saturating or wrapping.
    pub fn checked_advance_ns(&self, delta_ns: i64) -> Result<(), ClockRangeError> {
        self.checked_apply(&ClockChange {
            advance_ns: Some(delta_ns),
            ..ClockChange::default()
        })
    }
}

/// The clock's state as plain values, to compute a change before storing it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct ClockSetting {
    frozen_at_ns: Option<i64>,
    offset_ns: i64,
}

impl ClockSetting {
    fn now_ns(&self, system_ns: i64) -> Option<i64> {
        match self.frozen_at_ns {
            Some(at) => Some(at),
            None => system_ns.checked_add(self.offset_ns),
        }
    }

    fn apply(mut self, change: &ClockChange, system_ns: i64) -> Result<Self, ClockRangeError> {
        let in_range = |setting: &Self, field: &'static str, value: i64| {
            setting
                .now_ns(system_ns)
                .filter(|now| (MIN_CLOCK_NS..=MAX_CLOCK_NS).contains(now))
                .map(|_| ())
                .ok_or(ClockRangeError { field, value })
        };
        if let Some(offset) = change.offset_ns {
            self = Self {
                frozen_at_ns: None,
                offset_ns: offset,
            };
            in_range(&self, "offset_ns", offset)?;
        }
        match (change.freeze, change.at_ns) {
            (_, Some(at)) => {
                self.frozen_at_ns = Some(at);
                in_range(&self, "at_ns", at)?;
            }
            (Some(true), None) => {
                let now = self.now_ns(system_ns).ok_or(ClockRangeError {
                    field: "freeze",
                    value: self.offset_ns,
                })?;
                self.frozen_at_ns = Some(now);
                in_range(&self, "freeze", now)?;
            }
            (Some(false), None) => {
                if let Some(at) = self.frozen_at_ns {
                    let offset = at.checked_sub(system_ns).ok_or(ClockRangeError {
                        field: "freeze",
                        value: at,
                    })?;
                    self = Self {
                        frozen_at_ns: None,
                        offset_ns: offset,
                    };
                    in_range(&self, "freeze", at)?;
                }
            }
            (None, None) => {}
        }
        if let Some(delta) = change.advance_ns {
            let overflow = ClockRangeError {
                field: "advance_ns",
                value: delta,
            };
            match self.frozen_at_ns {
                Some(at) => self.frozen_at_ns = Some(at.checked_add(delta).ok_or(overflow)?),
                None => self.offset_ns = self.offset_ns.checked_add(delta).ok_or(overflow)?,
            }
            in_range(&self, "advance_ns", delta)?;
        }
        Ok(self)
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
    fn checked_changes_refuse_extremes_and_leave_the_clock_alone() {
        let c = Clock::default();
        c.freeze_at_ns(1_000);
        for change in [
            ClockChange {
                advance_ns: Some(i64::MAX),
                ..Default::default()
            },
            ClockChange {
                advance_ns: Some(i64::MIN),
                ..Default::default()
            },
            ClockChange {
                at_ns: Some(i64::MAX),
                ..Default::default()
            },
            ClockChange {
                at_ns: Some(i64::MIN),
                ..Default::default()
            },
            ClockChange {
                at_ns: Some(-1),
                ..Default::default()
            },
            ClockChange {
                offset_ns: Some(i64::MAX),
                ..Default::default()
            },
            ClockChange {
                offset_ns: Some(i64::MIN),
                ..Default::default()
            },
            // A valid first step does not stick when a later one fails.
            ClockChange {
                at_ns: Some(5),
                advance_ns: Some(i64::MAX),
                ..Default::default()
            },
        ] {
            let e = c.checked_apply(&change).unwrap_err();
            assert!(e.to_string().contains("outside"), "{e}");
            assert_eq!((c.now_ns(), c.is_frozen()), (1_000, true), "{change:?}");
        }
        assert!(c.checked_advance_ns(MAX_CLOCK_NS).is_err());
        c.checked_advance_ns(MAX_CLOCK_NS - 1_000).unwrap();
        assert_eq!(c.now_ns(), MAX_CLOCK_NS);
    }

    #[test]
    fn checked_unfreeze_of_an_extreme_frozen_time_does_not_overflow() {
        // Set through the unchecked API, the frozen time can be anything.
        let c = Clock::default();
        c.freeze_at_ns(i64::MIN + 1);
        let unfreeze = ClockChange {
            freeze: Some(false),
            ..Default::default()
        };
        assert!(c.checked_apply(&unfreeze).is_err());
        assert!(c.is_frozen());
        c.freeze_at_ns(1_000_000_000);
        c.checked_apply(&unfreeze).unwrap();
        assert!(!c.is_frozen());
        assert!((c.now_ns() - 1_000_000_000).abs() < 1_000_000_000);
    }

    #[test]
    fn checked_apply_follows_the_documented_order() {
        let c = Clock::default();
        let change = ClockChange {
            offset_ns: Some(0),
            at_ns: Some(10_000),
            advance_ns: Some(5),
            freeze: None,
        };
        c.checked_apply(&change).unwrap();
        assert_eq!((c.now_ns(), c.is_frozen()), (10_005, true));
        c.checked_apply(&ClockChange {
            offset_ns: Some(86_400_000_000_000),
            ..Default::default()
        })
        .unwrap();
        assert!(!c.is_frozen());
        let diff = c.now_ns() - system_now_ns();
        assert!((86_399_000_000_000..=86_401_000_000_000).contains(&diff));
    }

    #[test]
    fn offset_shifts_the_system_clock() {
        let c = Clock::default();
        c.set_offset_ns(86_400_000_000_000);
        let diff = c.now_ns() - system_now_ns();
        assert!((86_399_000_000_000..=86_401_000_000_000).contains(&diff));
    }
}
