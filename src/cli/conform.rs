//! `tidegauge conform`: flags of the conformance run, with cucumber's own options
//! (`--tags`, `--name`, `--concurrency`, `--fail-fast`, `--retry`, ...) flattened in.

use crate::conform::context::{Profile, SafetyOptions};
use crate::conform::identities::Preprovisioned;
use crate::conform::{ConformConfig, CucumberOptions};
use clap::{Args, ValueEnum};
use std::path::PathBuf;

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum ProfileArg {
    Default,
    Strict,
}

#[derive(Debug, Args)]
pub struct ConformArgs {
    #[command(flatten)]
    pub target: super::target::TargetArgs,

    /// Folder of .feature files.
    #[arg(long, default_value = "features", help_heading = "Conformance")]
    pub features: PathBuf,

    /// Where reports are written (a folder per run).
    #[arg(long, default_value = "reports", help_heading = "Reports")]
    pub reports: PathBuf,

    /// How ASSUMED behaviour weighs: default (warnings) or strict (failures). Default: strict
    /// against the embedded target, default elsewhere.
    #[arg(long, value_enum, help_heading = "Conformance")]
    pub profile: Option<ProfileArg>,

    /// Print, per spec endpoint, the credential types and statuses the run exercised.
    #[arg(long, help_heading = "Reports")]
    pub coverage: bool,

    #[command(flatten)]
    pub limits: super::limits::LimitsArgs,

    /// Deadline of one scenario in seconds: its requests stop there and it fails.
    #[arg(
        long,
        default_value_t = 120.0,
        value_name = "SECONDS",
        help_heading = "Limits"
    )]
    pub scenario_timeout: f64,

    /// Budget of the teardown in seconds, after the scenarios (also after Ctrl-C or the phase
    /// deadline): what is not deleted by then is reported as left over.
    #[arg(
        long,
        default_value_t = 120.0,
        value_name = "SECONDS",
        help_heading = "Limits"
    )]
    pub teardown_timeout: f64,

    /// Allow scenarios that self-register agents (which no endpoint can delete).
    #[arg(long, help_heading = "Safety")]
    pub allow_unowned_agents: bool,

    /// Allow the claim-start scenarios, sending the e-mail to this address only.
    #[arg(long, value_name = "ADDRESS", help_heading = "Safety")]
    pub claim_email: Option<String>,

    /// Allow scenarios that drive an endpoint into its rate limit.
    #[arg(long, help_heading = "Safety")]
    pub allow_rate_limit_probing: bool,

    /// Base of the unique webhook URLs used to obtain hook keys (never called).
    #[arg(long, value_name = "URL", help_heading = "Target")]
    pub placeholder_base: Option<String>,

    #[command(flatten)]
    pub cucumber: CucumberOptions,
}

impl ConformArgs {
    /// The validated run; `env` reads the pre-provisioned accounts' variables.
    pub fn to_config(&self, env: &dyn Fn(&str) -> Option<String>) -> Result<ConformConfig, String> {
        let target = self.target.validated()?;
        let limits = self.limits.validated()?;
        let scenario_timeout = super::limits::seconds("--scenario-timeout", self.scenario_timeout)?;
        let teardown_timeout = super::limits::seconds("--teardown-timeout", self.teardown_timeout)?;
        Ok(ConformConfig {
            base_url: target.base_url,
            metrics_key: target.metrics_key,
            features: self.features.clone(),
            reports: self.reports.clone(),
            profile: self.profile.map(|p| match p {
                ProfileArg::Default => Profile::Default,
                ProfileArg::Strict => Profile::Strict,
            }),
            safety: SafetyOptions {
                allow_unowned_agents: self.allow_unowned_agents,
                claim_email: self.claim_email.clone(),
                allow_rate_limit_probing: self.allow_rate_limit_probing,
            },
            client: limits.api,
            max_exposition_bytes: limits.exposition.max_body_bytes,
            scenario_timeout,
            phase_timeout: limits.phase_timeout,
            teardown_timeout,
            placeholder_base: self.placeholder_base.clone(),
            preprovisioned: Preprovisioned::from_env(env),
            reference_faults: target.reference_faults,
            cucumber: self.cucumber.clone(),
        })
    }
}
