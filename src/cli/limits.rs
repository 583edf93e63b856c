//! The bounds every phase that talks to a target shares, so that a hostile or broken target
//! can never make a run hang or grow without limit: the per-request timeout, the retries of
//! idempotent requests, the largest body and exposition read, and the phase's own deadline.
//! Per-scenario bounds belong to `conform` (its `--scenario-timeout`).

use crate::http::ClientOptions;
use clap::Args;
use std::time::Duration;

#[derive(Debug, Args)]
pub struct LimitsArgs {
    /// Per-request timeout in seconds (connecting, sending, and reading the whole answer).
    #[arg(
        long,
        default_value_t = 30.0,
        value_name = "SECONDS",
        help_heading = "Limits"
    )]
    pub request_timeout: f64,

    /// Retries of an idempotent request (GET, HEAD, PUT, DELETE, OPTIONS) on connection errors
    /// and 502/503/504, with backoff (200 ms, then doubling); never because a check failed.
    #[arg(long, default_value_t = 2, value_name = "N", help_heading = "Limits")]
    pub retries: u32,

    /// Largest API response body read, in bytes; a larger answer is a failure, never read whole.
    #[arg(long, default_value_t = 16 * 1024 * 1024, value_name = "BYTES", help_heading = "Limits")]
    pub max_body_bytes: usize,

    /// Largest `/metrics` exposition or JSON snapshot read, in bytes; a larger one is a failure,
    /// never read whole.
    #[arg(long, default_value_t = 32 * 1024 * 1024, value_name = "BYTES", help_heading = "Limits")]
    pub max_exposition_bytes: usize,

    /// Deadline of the whole phase in seconds: past it the phase stops, tears down what it
    /// created, writes its reports and exits 3.
    #[arg(
        long,
        default_value_t = 1800.0,
        value_name = "SECONDS",
        help_heading = "Limits"
    )]
    pub phase_timeout: f64,
}

/// The limits, validated.
#[derive(Clone, Debug)]
pub struct Limits {
    /// Requests to the API (body cap `--max-body-bytes`).
    pub api: ClientOptions,
    /// Reads of `/metrics` and the snapshot (body cap `--max-exposition-bytes`).
    pub exposition: ClientOptions,
    pub phase_timeout: Duration,
}

/// A flag holding a positive, finite number of seconds.
pub fn seconds(flag: &str, value: f64) -> Result<Duration, String> {
    if value > 0.0 && value.is_finite() && value < 1e9 {
        Ok(Duration::from_secs_f64(value))
    } else {
        Err(format!(
            "{flag} must be a positive number of seconds (got {value})"
        ))
    }
}

impl LimitsArgs {
    pub fn validated(&self) -> Result<Limits, String> {
        let timeout = seconds("--request-timeout", self.request_timeout)?;
        let phase_timeout = seconds("--phase-timeout", self.phase_timeout)?;
        for (flag, value) in [
            ("--max-body-bytes", self.max_body_bytes),
            ("--max-exposition-bytes", self.max_exposition_bytes),
        ] {
            if value == 0 {
                return Err(format!("{flag} must be at least 1 byte"));
            }
        }
        let client = |max_body_bytes, cap_flag| ClientOptions {
            timeout,
            max_body_bytes,
            cap_flag,
            retries: self.retries,
        };
        Ok(Limits {
            api: client(self.max_body_bytes, "--max-body-bytes"),
            exposition: client(self.max_exposition_bytes, "--max-exposition-bytes"),
            phase_timeout,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args() -> LimitsArgs {
        LimitsArgs {
            request_timeout: 2.0,
            retries: 1,
            max_body_bytes: 10,
            max_exposition_bytes: 20,
            phase_timeout: 5.0,
        }
    }

    #[test]
    fn limits_reach_both_clients_and_bad_values_are_refused() {
        let limits = args().validated().unwrap();
        assert_eq!(limits.api.max_body_bytes, 10);
        assert_eq!(limits.exposition.max_body_bytes, 20);
        assert_eq!(limits.api.timeout, Duration::from_secs(2));
        assert_eq!(limits.exposition.retries, 1);
        assert_eq!(limits.phase_timeout, Duration::from_secs(5));
        for broken in [
            LimitsArgs {
                request_timeout: 0.0,
                ..args()
            },
            LimitsArgs {
                phase_timeout: f64::NAN,
                ..args()
            },
            LimitsArgs {
                max_exposition_bytes: 0,
                ..args()
            },
        ] {
            assert!(broken.validated().is_err(), "{broken:?}");
        }
    }
}
