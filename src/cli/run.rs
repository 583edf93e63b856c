//! `tidegauge run`: the flags of the one-verdict job. They are the top layer of the
//! configuration (`run::config`: defaults < tidegauge.toml < TIDEGAUGE_* < flags); the base
//! URL and reference faults are then checked like every command's (`target::TargetArgs`).

use super::conform::ProfileArg;
use crate::conform::context::Profile;
use crate::run::config::{self, PhaseName, RunFlags, RunPlan};
use crate::server::faults::Fault;
use clap::Args;
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct RunArgs {
    /// Configuration file (default: ./tidegauge.toml when it exists; env TIDEGAUGE_CONFIG).
    #[arg(long, value_name = "FILE", help_heading = "Configuration")]
    pub config: Option<PathBuf>,

    /// Base URL of the target; without it the embedded reference target is started.
    #[arg(long, value_name = "URL", help_heading = "Target")]
    pub base_url: Option<String>,

    /// The target's metrics key. Accepted, but warned about: prefer TIDEGAUGE_METRICS_KEY or
    /// --metrics-key-file (the command line shows in process lists).
    #[arg(long, value_name = "KEY", help_heading = "Credentials")]
    pub metrics_key: Option<String>,

    /// A file holding the target's metrics key.
    #[arg(long, value_name = "FILE", help_heading = "Credentials")]
    pub metrics_key_file: Option<PathBuf>,

    /// Start the embedded reference target with this fault (repeatable; see
    /// `tidegauge serve --list-faults`).
    #[arg(long = "reference-fault", value_name = "NAME", help_heading = "Target")]
    pub reference_faults: Vec<Fault>,

    #[command(flatten)]
    pub limits: super::limits::LimitsArgs,

    /// The load plan (default load/smoke.toml).
    #[arg(long, value_name = "FILE", help_heading = "Load")]
    pub plan: Option<PathBuf>,

    /// Allow load on a target tidegauge did not start.
    #[arg(long, help_heading = "Load")]
    pub allow_load: bool,

    /// Allow load on rate-limited endpoints (login, agent token exchange) of a target
    /// tidegauge did not start.
    #[arg(long, help_heading = "Load")]
    pub allow_rate_limit_probing: bool,

    /// A previous load.json or report.json: regressions beyond the plan's tolerance are flagged.
    #[arg(long, value_name = "FILE", help_heading = "Load")]
    pub baseline: Option<PathBuf>,

    /// A `tidegauge calibrate` file for an open-model plan.
    #[arg(long, value_name = "FILE", help_heading = "Load")]
    pub calibration: Option<PathBuf>,

    /// Folder of the reports; each run writes `<DIR>/<run id>/` and points `<DIR>/latest` at it.
    #[arg(long, value_name = "DIR", help_heading = "Reports")]
    pub reports: Option<PathBuf>,

    /// Skip a phase: conform, metrics or load (repeatable).
    #[arg(long, value_name = "PHASE", value_parser = parse_phase, help_heading = "Run")]
    pub skip: Vec<PhaseName>,

    /// Stop at the first failing phase (and at the first failing scenario).
    #[arg(long, help_heading = "Run")]
    pub fail_fast: bool,

    /// No progress output: the summary only (for CI logs).
    #[arg(long, short = 'q', help_heading = "Reports")]
    pub quiet: bool,

    /// Print report.json on standard output (the summary goes to standard error).
    #[arg(long, help_heading = "Reports")]
    pub json: bool,

    /// Folder of .feature files (default features).
    #[arg(long, value_name = "DIR", help_heading = "Conformance")]
    pub features: Option<PathBuf>,

    /// Run only the scenarios matching this cucumber tag expression, e.g. `@auth and not @clock`.
    #[arg(long, short = 't', value_name = "EXPR", help_heading = "Conformance")]
    pub tags: Option<String>,

    /// default: ASSUMED mismatches are warnings; strict: failures (default against the
    /// embedded target).
    #[arg(long, value_enum, help_heading = "Conformance")]
    pub profile: Option<ProfileArg>,
}

fn parse_phase(text: &str) -> Result<PhaseName, String> {
    text.parse()
}

impl RunArgs {
    /// The validated plan; `env` reads the `TIDEGAUGE_*` variables.
    pub fn to_plan(&self, env: &dyn Fn(&str) -> Option<String>) -> Result<RunPlan, String> {
        let flags = RunFlags {
            config: self.config.clone(),
            base_url: self.base_url.clone(),
            metrics_key: self.metrics_key.clone(),
            metrics_key_file: self.metrics_key_file.clone(),
            plan: self.plan.clone(),
            reports: self.reports.clone(),
            skip: self.skip.clone(),
            fail_fast: self.fail_fast,
            quiet: self.quiet,
            json: self.json,
            features: self.features.clone(),
            tags: self.tags.clone(),
            profile: self.profile.map(|p| match p {
                ProfileArg::Default => Profile::Default,
                ProfileArg::Strict => Profile::Strict,
            }),
            reference_faults: self.reference_faults.clone(),
            allow_load: self.allow_load,
            allow_rate_limit_probing: self.allow_rate_limit_probing,
            baseline: self.baseline.clone(),
            calibration: self.calibration.clone(),
        };
        let mut plan = config::resolve(flags, self.limits.validated()?, env)?;
        let target = super::target::TargetArgs {
            base_url: plan.base_url.clone(),
            metrics_key: None,
            reference_faults: self.reference_faults.clone(),
        }
        .validated()?;
        plan.base_url = target.base_url;
        Ok(plan)
    }
}
