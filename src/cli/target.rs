//! The target flags that `conform` and `metrics` share: the base URL, the metrics key and the
//! faults of the embedded reference target, with their cross-checks.

use crate::http::Secret;
use crate::server::faults::{Fault, FaultSet};
use clap::Args;

#[derive(Debug, Args)]
pub struct TargetArgs {
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

    /// Start the embedded reference target with this fault (repeatable; see
    /// `tidegauge serve --list-faults`): shows the harness catching it.
    #[arg(long = "reference-fault", value_name = "NAME", help_heading = "Target")]
    pub reference_faults: Vec<Fault>,
}

/// The target flags, validated.
pub struct Target {
    /// `None`: start the embedded reference target.
    pub base_url: Option<String>,
    pub metrics_key: Option<Secret>,
    pub reference_faults: FaultSet,
}

impl TargetArgs {
    pub fn validated(&self) -> Result<Target, String> {
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
        Ok(Target {
            base_url: self
                .base_url
                .clone()
                .map(|u| u.trim_end_matches('/').to_owned()),
            metrics_key: self
                .metrics_key
                .clone()
                .filter(|k| !k.is_empty())
                .map(Secret::new),
            reference_faults: FaultSet::new(self.reference_faults.iter().copied()),
        })
    }
}
