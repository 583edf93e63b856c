//! `tidegauge conform`: flags of the conformance run, with cucumber's own options
//! (`--tags`, `--name`, `--concurrency`, `--fail-fast`, `--retry`, ...) flattened in.

use crate::conform::context::{Profile, SafetyOptions};
use crate::conform::identities::Preprovisioned;
use crate::conform::{ConformConfig, CucumberOptions};
use crate::http::{ClientOptions, Secret};
use clap::{Args, ValueEnum};
use std::path::PathBuf;
use std::time::Duration;

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum ProfileArg {
    Default,
    Strict,
}

#[derive(Debug, Args)]
pub struct ConformArgs {
    /// Base URL of the target; without it the embedded reference target is started.
    #[arg(long, env = "TIDEGAUGE_BASE_URL", help_heading = "Target")]
    pub base_url: Option<String>,

    /// The target's metrics key (prefer the environment variable: flags show in process lists).
    #[arg(
        long,
        env = "TIDEGAUGE_METRICS_KEY",
        hide_env_values = true,
        help_heading = "Target"
    )]
    pub metrics_key: Option<String>,

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

    /// Retries of an idempotent request on connection errors and 502/503/504.
    #[arg(long, default_value_t = 2, help_heading = "Target")]
    pub retries: u32,

    /// Per-request timeout in seconds.
    #[arg(long, default_value_t = 30.0, help_heading = "Target")]
    pub request_timeout: f64,

    /// Largest response body read, in bytes; larger answers are a clear failure.
    #[arg(long, default_value_t = 16 * 1024 * 1024, help_heading = "Target")]
    pub max_body_bytes: usize,

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

    /// Start the embedded reference target with this fault (repeatable; see
    /// `tidegauge serve --list-faults`): shows the suite catching it.
    #[arg(long = "reference-fault", value_name = "NAME", help_heading = "Target")]
    pub reference_faults: Vec<crate::server::faults::Fault>,

    #[command(flatten)]
    pub cucumber: CucumberOptions,
}

impl ConformArgs {
    /// The validated run; `env` reads the pre-provisioned accounts' variables.
    pub fn to_config(&self, env: &dyn Fn(&str) -> Option<String>) -> Result<ConformConfig, String> {
        if self.base_url.is_some() && !self.reference_faults.is_empty() {
            return Err(
                "--reference-fault applies to the embedded reference target; drop --base-url"
                    .into(),
            );
        }
        if let Some(url) = &self.base_url {
            let parsed = url::Url::parse(url)
                .map_err(|e| format!("--base-url {url:?} is not a URL: {e}"))?;
            if !matches!(parsed.scheme(), "http" | "https") {
                return Err(format!("--base-url must be http(s) (got {url})"));
            }
        }
        if !(self.request_timeout > 0.0 && self.request_timeout.is_finite()) {
            return Err(format!(
                "--request-timeout must be a positive number of seconds (got {})",
                self.request_timeout
            ));
        }
        Ok(ConformConfig {
            base_url: self
                .base_url
                .clone()
                .map(|u| u.trim_end_matches('/').to_owned()),
            metrics_key: self
                .metrics_key
                .clone()
                .filter(|k| !k.is_empty())
                .map(Secret::new),
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
            client: ClientOptions {
                timeout: Duration::from_secs_f64(self.request_timeout),
                max_body_bytes: self.max_body_bytes,
                retries: self.retries,
            },
            placeholder_base: self.placeholder_base.clone(),
            preprovisioned: Preprovisioned::from_env(env),
            reference_faults: crate::server::faults::FaultSet::new(
                self.reference_faults.iter().copied(),
            ),
            cucumber: self.cucumber.clone(),
        })
    }
}
