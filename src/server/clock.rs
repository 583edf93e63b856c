//! The reference server's clock: real time plus an offset that only the test control
//! `POST /__reference/clock/advance` moves (endpoints.md §27.1).
//!
//! Every stored timestamp, expiry, rate-limit window and the gauge cache read this clock;
//! outbound timeouts and retry delays deliberately use real time (tokio) instead.

use chrono::{DateTime, SecondsFormat, Utc};
use std::sync::atomic::{AtomicI64, Ordering};

/// Milliseconds since the Unix epoch, as used throughout the store.
pub type Millis = i64;

#[derive(Debug, Default)]
pub struct Clock {
    offset_ms: AtomicI64,
}

impl Clock {
    pub fn now_ms(&self) -> Millis {
        Utc::now().timestamp_millis() + self.offset_ms.load(Ordering::Relaxed)
    }

    /// Moves the clock forward; returns the new time.
    pub fn advance(&self, seconds: f64) -> Millis {
        let delta = (seconds * 1000.0).round() as i64;
        self.offset_ms.fetch_add(delta, Ordering::Relaxed);
        self.now_ms()
    }
}

/// RFC 3339 in UTC with millisecond precision, e.g. `2025-02-27T12:34:56.789Z`.
pub fn rfc3339(ms: Millis) -> String {
    DateTime::<Utc>::from_timestamp_millis(ms)
        .unwrap_or_default()
        .to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// Parses any RFC 3339 value into epoch milliseconds.
pub fn parse_rfc3339(text: &str) -> Option<Millis> {
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| t.with_timezone(&Utc).timestamp_millis())
}

pub const SECOND: Millis = 1000;
pub const MINUTE: Millis = 60 * SECOND;
pub const HOUR: Millis = 60 * MINUTE;
pub const DAY: Millis = 24 * HOUR;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_with_milliseconds_and_z() {
        assert_eq!(rfc3339(1_740_659_696_789), "2025-02-27T12:34:56.789Z");
        assert_eq!(
            parse_rfc3339("2025-02-27T12:34:56.789Z"),
            Some(1_740_659_696_789)
        );
        assert_eq!(
            parse_rfc3339("2025-02-27T13:34:56.789+01:00"),
            Some(1_740_659_696_789)
        );
        assert_eq!(parse_rfc3339("yesterday"), None);
    }

    #[test]
    fn advance_moves_forward() {
        let clock = Clock::default();
        let before = clock.now_ms();
        let after = clock.advance(30.0);
        assert!(after - before >= 30_000);
    }
}
