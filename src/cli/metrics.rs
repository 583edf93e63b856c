//! `tidegauge metrics`: check a target's `/metrics` exposition and JSON snapshot against the
//! metrics contract.

use super::conform::ProfileArg;
use crate::conform::context::Profile;
use crate::metrics::contract::Contract;
use crate::metrics::run::MetricsConfig;
use clap::Args;
use std::path::PathBuf;

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

    #[command(flatten)]
    pub limits: super::limits::LimitsArgs,
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
        let limits = self.limits.validated()?;
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
            client: limits.api,
            max_exposition_bytes: limits.exposition.max_body_bytes,
            phase_timeout: limits.phase_timeout,
            reference_faults: target.reference_faults,
        })
    }
}
