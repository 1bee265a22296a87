//! The monotonic clock that rate limits and dashboard sessions read.
//!
//! The service reads [`Clock::now`] instead of `Instant::now()` wherever a
//! rule depends on elapsed time (the failed-token lock-out, the ingest
//! limits, session expiry), so a test can hold time still and move it by
//! hand ([`Clock::manual`], [`Clock::advance`]) and check those rules
//! without depending on how fast the machine runs. Timeouts that bound real
//! work (connections, queries) stay on the real clock.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The real clock, or a manual one that moves only when told to.
#[derive(Clone, Default)]
pub struct Clock(Option<Arc<Manual>>);

/// A manual clock's start and how far it was moved, in nanoseconds.
struct Manual {
    start: Instant,
    moved_ns: AtomicU64,
}

impl Clock {
    /// The real monotonic clock (`Instant::now()`).
    pub fn system() -> Clock {
        Clock(None)
    }

    /// A clock that stands still until [`advance`](Self::advance) moves it.
    /// Clones share it: moving one moves all.
    pub fn manual() -> Clock {
        Clock(Some(Arc::new(Manual {
            start: Instant::now(),
            moved_ns: AtomicU64::new(0),
        })))
    }

    /// The current instant.
    pub fn now(&self) -> Instant {
        match &self.0 {
            None => Instant::now(),
            Some(m) => m.start + Duration::from_nanos(m.moved_ns.load(Ordering::SeqCst)),
        }
    }

    /// Moves a manual clock forward by `by`.
    ///
    /// # Panics
    /// On the real clock, which cannot be moved.
    pub fn advance(&self, by: Duration) {
        let m = self.0.as_ref().expect("only a manual clock can be moved");
        let ns = u64::try_from(by.as_nanos()).expect("a step under 584 years");
        m.moved_ns.fetch_add(ns, Ordering::SeqCst);
    }
}

impl fmt::Debug for Clock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            None => f.write_str("Clock::system"),
            Some(m) => write!(
                f,
                "Clock::manual(+{:?})",
                Duration::from_nanos(m.moved_ns.load(Ordering::SeqCst))
            ),
        }
    }
}

/// Two clocks are equal when both are the real clock or they are the same
/// manual clock.
impl PartialEq for Clock {
    fn eq(&self, other: &Clock) -> bool {
        match (&self.0, &other.0) {
            (None, None) => true,
            (Some(a), Some(b)) => Arc::ptr_eq(a, b),
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_manual_clock_moves_only_when_told_and_clones_move_together() {
        let c = Clock::manual();
        let t0 = c.now();
        std::thread::sleep(Duration::from_millis(5));
        assert_eq!(c.now(), t0, "it stands still");
        let other = c.clone();
        other.advance(Duration::from_secs(5));
        assert_eq!(c.now(), t0 + Duration::from_secs(5));
        assert_eq!(c, other);
        assert_ne!(c, Clock::manual());
        assert_eq!(Clock::system(), Clock::default());
    }
}
