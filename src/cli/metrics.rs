//! `tidegauge metrics`: check a target's `/metrics` exposition and JSON snapshot against the
//! metrics contract.

use super::conform::ProfileArg;
use crate::conform::context::Profile;
use crate::http::ClientOptions;
use crate::metrics::contract::Contract;
use crate::metrics::run::MetricsConfig;
use clap::Args;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, Args)]
pub struct MetricsArgs {
    #[command(flatten)]
    pub target: super::target::TargetArgs,

    /// Path of the JSON monitoring snapshot.
    #[arg(long, default_value = "/metrics/json", help_heading = "Metrics")]
    pub snapshot_path: String,

    /// A metrics contract other than the built-in fixtures/metrics-contract.toml.
    #[arg(long, value_name = "FILE", help_heading = "Metrics")]
    pub contract: Option<PathBuf>,

    /// default: ASSUMED mismatches are warnings; strict: failures (default against the
    /// embedded target).
    #[arg(long, value_enum, help_heading = "Metrics")]
    pub profile: Option<ProfileArg>,

    /// Where reports are written (a folder per run).
    #[arg(long, default_value = "reports", help_heading = "Reports")]
    pub reports: PathBuf,

    /// Per-request timeout in seconds.
    #[arg(long, default_value_t = 30.0, help_heading = "Target")]
    pub request_timeout: f64,

    /// Largest exposition read, in bytes; a larger one is a clear failure.
    #[arg(long, default_value_t = 64 * 1024 * 1024, help_heading = "Target")]
    pub max_body_bytes: usize,
}

impl MetricsArgs {
    pub fn to_config(&self) -> Result<MetricsConfig, String> {
        let target = self.target.validated()?;
        if !self.snapshot_path.starts_with('/') {
            return Err(format!(
                "--snapshot-path must start with / (got {})",
                self.snapshot_path
            ));
        }
        if !(self.request_timeout > 0.0 && self.request_timeout.is_finite()) {
            return Err(format!(
                "--request-timeout must be a positive number of seconds (got {})",
                self.request_timeout
            ));
        }
        let contract = match &self.contract {
            Some(path) => Contract::load(path)?,
            None => Contract::built_in(),
        };
        Ok(MetricsConfig {
            base_url: target.base_url,
            metrics_key: target.metrics_key,
            snapshot_path: self.snapshot_path.clone(),
            contract,
            profile: self.profile.map(|p| match p {
                ProfileArg::Default => Profile::Default,
                ProfileArg::Strict => Profile::Strict,
            }),
            reports: self.reports.clone(),
            client: ClientOptions {
                timeout: Duration::from_secs_f64(self.request_timeout),
                max_body_bytes: self.max_body_bytes,
                retries: 2,
            },
            reference_faults: target.reference_faults,
        })
    }
}
