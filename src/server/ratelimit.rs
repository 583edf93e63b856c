//! The documented rate limits (endpoints.md §25): fixed 60-second windows per (endpoint,
//! client IP) on the server clock; every request counts whatever its outcome; 429 with a
//! delta-seconds `Retry-After`. Scalable (`--rate-limit-scale`) or off (`--no-rate-limits`).

use super::clock::{MINUTE, Millis};
use super::error::ApiError;
use dashmap::DashMap;
use std::net::IpAddr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Limit {
    Register,
    Login,
    Bootstrap,
    AgentRegister,
    AgentExchange,
}

impl Limit {
    /// Requests per 60-second window before scaling.
    fn per_minute(self) -> f64 {
        match self {
            Limit::AgentExchange => 60.0,
            _ => 10.0,
        }
    }
}

pub struct RateLimiter {
    /// `None` when limits are off.
    scale: Option<f64>,
    windows: DashMap<(Limit, IpAddr), (Millis, u32)>,
}

impl RateLimiter {
    pub fn new(scale: f64, enabled: bool) -> Self {
        RateLimiter {
            scale: enabled.then_some(scale),
            windows: DashMap::new(),
        }
    }

    fn allowance(&self, limit: Limit) -> Option<u32> {
        self.scale
            .map(|scale| ((limit.per_minute() * scale).floor() as u32).max(1))
    }

    /// Counts one request; `Err` (429 with `Retry-After`) when the window is exhausted.
    pub fn check(&self, limit: Limit, ip: IpAddr, now: Millis) -> Result<(), ApiError> {
        let Some(allowance) = self.allowance(limit) else {
            return Ok(());
        };
        let mut window = self.windows.entry((limit, ip)).or_insert((now, 0));
        if now >= window.0 + MINUTE {
            *window = (now, 0);
        }
        window.1 += 1;
        if window.1 <= allowance {
            return Ok(());
        }
        let remaining_ms = window.0 + MINUTE - now;
        let retry_after = (remaining_ms + 999) / 1000;
        Err(ApiError::too_many(
            "Too many requests, try again later",
            retry_after,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv4Addr;

    const IP: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);

    #[test]
    fn eleventh_request_in_a_minute_is_refused_until_the_window_ends() {
        let limiter = RateLimiter::new(1.0, true);
        for _ in 0..10 {
            limiter.check(Limit::Register, IP, 1_000).unwrap();
        }
        let refused = limiter.check(Limit::Register, IP, 31_000).unwrap_err();
        assert_eq!(refused.status.as_u16(), 429);
        let retry = refused
            .headers
            .iter()
            .find(|(n, _)| n == "retry-after")
            .unwrap();
        assert_eq!(retry.1, "30");
        // Other endpoints have their own bucket; a new window starts after 60 s.
        limiter.check(Limit::Login, IP, 31_000).unwrap();
        limiter.check(Limit::Register, IP, 61_000).unwrap();
    }

    #[test]
    fn scale_and_switch() {
        let scaled = RateLimiter::new(0.05, true);
        scaled.check(Limit::Login, IP, 0).unwrap();
        assert!(
            scaled.check(Limit::Login, IP, 0).is_err(),
            "floor(10*0.05) clamps to 1"
        );
        let off = RateLimiter::new(1.0, false);
        for _ in 0..100 {
            off.check(Limit::Login, IP, 0).unwrap();
        }
    }
}
