//! The machine's clock: a monotonic instant handed in by the engine, never read from the OS.
//!
//! An `Instant` is a `Duration` since an epoch the engine picks (e.g. a `tokio::time::Instant`
//! taken at start). Microsecond resolution keeps keepalived's timer arithmetic exact (its skew
//! is `(256 - priority) * 1_000_000 / 256` µs): rounding skews to centiseconds would give two
//! adjacent priorities the same Master_Down_Interval and a needless dual-master blip.

use std::ops::{Add, Sub};
use std::time::Duration;

/// A point on the engine's monotonic clock.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Instant(Duration);

impl Instant {
    /// The engine's epoch.
    pub const ZERO: Instant = Instant(Duration::ZERO);

    pub const fn from_since_epoch(d: Duration) -> Self {
        Instant(d)
    }

    pub const fn from_micros(us: u64) -> Self {
        Instant(Duration::from_micros(us))
    }

    /// Convenience for simulations written in centiseconds.
    pub const fn from_centis(cs: u64) -> Self {
        Instant(Duration::from_millis(cs * 10))
    }

    pub const fn since_epoch(self) -> Duration {
        self.0
    }

    /// Time elapsed from `earlier` to `self`, zero if `earlier` is later.
    pub fn saturating_since(self, earlier: Instant) -> Duration {
        self.0.saturating_sub(earlier.0)
    }
}

impl Add<Duration> for Instant {
    type Output = Instant;
    fn add(self, d: Duration) -> Instant {
        Instant(self.0.saturating_add(d))
    }
}

impl Sub<Instant> for Instant {
    type Output = Duration;
    fn sub(self, other: Instant) -> Duration {
        self.saturating_since(other)
    }
}

/// `cs` centiseconds as a `Duration`.
pub const fn centis(cs: u64) -> Duration {
    Duration::from_millis(cs * 10)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arithmetic_saturates_instead_of_panicking() {
        let t = Instant::from_centis(100);
        assert_eq!(t + centis(61), Instant::from_micros(1_610_000));
        assert_eq!(Instant::ZERO - t, Duration::ZERO);
        assert_eq!(t - Instant::ZERO, Duration::from_secs(1));
    }
}
