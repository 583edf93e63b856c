//! `tidegauge metrics`: check a target's `/metrics` exposition and JSON snapshot against the
//! metrics contract.

use super::conform::ProfileArg;
use crate::conform::context::Profile;
use crate::http::{ClientOptions, Secret};
use crate::metrics::contract::Contract;
use crate::metrics::run::MetricsConfig;
use crate::server::faults::{Fault, FaultSet};
use clap::Args;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, Args)]
pub struct MetricsArgs {
    /// Base URL of the target; without it a fresh embedded reference target is started.
    #[arg(long, env = "TIDEGAUGE_BASE_URL", help_heading = "Target")]
    pub base_url: Option<String>,

    /// The target's metrics key (prefer the environment variable).
    #[arg(
        long,
        env = "TIDEGAUGE_METRICS_KEY",
        hide_env_values = true,
        help_heading = "Target"
    )]
    pub metrics_key: Option<String>,

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

    /// Start the embedded reference target with this fault (repeatable).
    #[arg(long = "reference-fault", value_name = "NAME", help_heading = "Target")]
    pub reference_faults: Vec<Fault>,
}

impl MetricsArgs {
    pub fn to_config(&self) -> Result<MetricsConfig, String> {
        if self.base_url.is_some() && !self.reference_faults.is_empty() {
            return Err(
                "--reference-fault applies to the embedded reference target; drop --base-url"
                    .into(),
            );
        }
        if let Some(url) = &self.base_url {
            url::Url::parse(url).map_err(|e| format!("--base-url {url:?} is not a URL: {e}"))?;
        }
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
            base_url: self
                .base_url
                .clone()
                .map(|u| u.trim_end_matches('/').to_owned()),
            metrics_key: self
                .metrics_key
                .clone()
                .filter(|k| !k.is_empty())
                .map(Secret::new),
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
            reference_faults: FaultSet::new(self.reference_faults.iter().copied()),
        })
    }
}
