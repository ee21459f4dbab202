//! Time as the detector sees it: a [`Timestamp`] fed from outside (a capture's record
//! times, the live clock, a test), never read from a clock here.

use core::time::Duration;

/// Microseconds since the Unix epoch (UTC).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Timestamp(i64);

impl Timestamp {
    /// From microseconds since the Unix epoch.
    pub const fn from_micros(micros: i64) -> Timestamp {
        Timestamp(micros)
    }

    /// From whole seconds since the Unix epoch.
    pub const fn from_secs(secs: i64) -> Timestamp {
        Timestamp(secs.saturating_mul(1_000_000))
    }

    /// Microseconds since the Unix epoch.
    pub const fn as_micros(self) -> i64 {
        self.0
    }

    /// This time plus `d` (saturating).
    pub fn plus(self, d: Duration) -> Timestamp {
        let micros = i64::try_from(d.as_micros()).unwrap_or(i64::MAX);
        Timestamp(self.0.saturating_add(micros))
    }

    /// This time plus `secs` seconds (saturating).
    pub fn add_secs(self, secs: u64) -> Timestamp {
        self.plus(Duration::from_secs(secs))
    }

    /// How long after `earlier` this is; zero if it is not after.
    pub fn since(self, earlier: Timestamp) -> Duration {
        Duration::from_micros(u64::try_from(self.0.saturating_sub(earlier.0)).unwrap_or(0))
    }
}

/// A lifetime advertised at a time: an RA's router lifetime, a prefix's valid lifetime, a
/// DNS server's lifetime. `u32::MAX` seconds is infinity (RFC 4861 §4.6.2, RFC 8106).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Lifetime {
    /// When it was advertised.
    pub received: Timestamp,
    /// The advertised lifetime in seconds.
    pub seconds: u32,
}

impl Lifetime {
    /// The infinite value.
    pub const INFINITE: u32 = u32::MAX;

    /// A lifetime of `seconds` advertised at `received`.
    pub const fn new(received: Timestamp, seconds: u32) -> Lifetime {
        Lifetime { received, seconds }
    }

    /// When it runs out; `None` for infinity.
    pub fn expires(&self) -> Option<Timestamp> {
        (self.seconds != Self::INFINITE).then(|| self.received.add_secs(u64::from(self.seconds)))
    }

    /// Whether it still runs at `now`.
    pub fn is_active(&self, now: Timestamp) -> bool {
        self.seconds != 0 && self.expires().is_none_or(|end| now < end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lifetimes() {
        let t = Timestamp::from_secs(1000);
        let l = Lifetime::new(t, 60);
        assert!(l.is_active(t));
        assert!(l.is_active(t.add_secs(59)));
        assert!(!l.is_active(t.add_secs(60)));
        assert!(!Lifetime::new(t, 0).is_active(t));
        assert!(
            Lifetime::new(t, Lifetime::INFINITE)
                .is_active(Timestamp::from_secs(i64::MAX / 2_000_000))
        );
        assert_eq!(t.add_secs(5).since(t), Duration::from_secs(5));
        assert_eq!(t.since(t.add_secs(5)), Duration::ZERO);
    }
}
