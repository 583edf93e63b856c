//! `tidegauge load` and `tidegauge calibrate`: a load plan against a target, with goose's
//! own configuration flattened in (users, increase rate, run time, throttle, reports), and
//! the open model's rate flags; `calibrate` measures the generator's ceiling.

use crate::load::LoadConfig;
use crate::load::plan::{Model, OpenModel, Plan, parse_duration};
use clap::Args;
use goose::config::GooseConfiguration;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, Args)]
pub struct LoadArgs {
    #[command(flatten)]
    pub target: super::target::TargetArgs,

    /// The load plan (see load/README.md).
    #[arg(long, default_value = "load/smoke.toml", help_heading = "Plan")]
    pub plan: PathBuf,

    /// Open model at this arrival rate (e.g. 500/s), instead of the plan's model.
    #[arg(long, value_name = "RATE", help_heading = "Open model")]
    pub rate: Option<String>,

    /// Ramp the open model's rate up from this one (e.g. 50/s) over --ramp-time.
    #[arg(
        long,
        value_name = "RATE",
        requires = "ramp_time",
        help_heading = "Open model"
    )]
    pub ramp_from: Option<String>,

    /// How long the open model's ramp lasts (e.g. 5s).
    #[arg(long, value_name = "TIME", help_heading = "Open model")]
    pub ramp_time: Option<String>,

    /// How long the open model sends (e.g. 30s; default the plan's duration or run time).
    #[arg(long, value_name = "TIME", help_heading = "Open model")]
    pub duration: Option<String>,

    /// A calibration written by `tidegauge calibrate` (without it the open model measures
    /// one first).
    #[arg(long, value_name = "FILE", help_heading = "Open model")]
    pub calibration: Option<PathBuf>,

    /// A previous load.json (or run report) to compare with; regressions beyond the plan's
    /// tolerance are flagged.
    #[arg(long, value_name = "FILE", help_heading = "Reports")]
    pub baseline: Option<PathBuf>,

    /// Where reports are written (a folder per run).
    #[arg(long, default_value = "reports", help_heading = "Reports")]
    pub reports: PathBuf,

    /// Allow load on a target tidegauge did not start.
    #[arg(long, help_heading = "Safety")]
    pub allow_load: bool,

    /// Allow load on rate-limited endpoints (login, agent token exchange) of a target
    /// tidegauge did not start.
    #[arg(long, help_heading = "Safety")]
    pub allow_rate_limit_probing: bool,

    #[command(flatten)]
    pub limits: super::limits::LimitsArgs,

    #[command(flatten)]
    pub goose: GooseConfiguration,
}

/// "500/s" or "500" → 500.0.
fn parse_rate(text: &str, flag: &str) -> Result<f64, String> {
    let number = text.trim().trim_end_matches("/s");
    number
        .parse::<f64>()
        .ok()
        .filter(|r| *r > 0.0 && r.is_finite())
        .ok_or_else(|| format!("{flag} {text:?} is not a rate (e.g. 500/s)"))
}

impl LoadArgs {
    pub fn to_config(&self) -> Result<LoadConfig, String> {
        let target = self.target.validated()?;
        if self.goose.host.is_some() {
            return Err("give the target with --base-url, not goose's --host".into());
        }
        let limits = self.limits.validated()?;
        if let Some(run_time) = &self.goose.run_time {
            parse_duration(run_time).map_err(|e| format!("--run-time: {e}"))?;
        }
        let mut plan = Plan::load(&self.plan)?;
        self.apply_open_flags(&mut plan)?;
        plan.check_users(self.goose.users)
            .map_err(|e| format!("load plan {}: {e}", self.plan.display()))?;
        Ok(LoadConfig {
            base_url: target.base_url,
            metrics_key: target.metrics_key,
            reference_faults: target.reference_faults,
            plan,
            goose: self.goose.clone(),
            baseline: self.baseline.clone(),
            reports: self.reports.clone(),
            client: limits.api,
            max_exposition_bytes: limits.exposition.max_body_bytes,
            phase_timeout: limits.phase_timeout,
            calibration: self.calibration.clone(),
            allow_load: self.allow_load,
            allow_rate_limit_probing: self.allow_rate_limit_probing,
        })
    }

    /// `--rate` turns the plan into an open-model run (keeping its scenarios, seeding and
    /// thresholds); the other open flags adjust an open plan.
    fn apply_open_flags(&self, plan: &mut Plan) -> Result<(), String> {
        let duration = self.duration.as_deref().map(parse_duration).transpose()?;
        let ramp_time = self.ramp_time.as_deref().map(parse_duration).transpose()?;
        let ramp_from = self
            .ramp_from
            .as_deref()
            .map(|r| parse_rate(r, "--ramp-from"))
            .transpose()?;
        if let Some(rate) = &self.rate {
            let rate = parse_rate(rate, "--rate")?;
            let (base, users) = match &plan.model {
                Model::Open(open) => (Some(open.clone()), open.vus),
                Model::Closed(closed) => (None, closed.users),
            };
            let run_time = match &plan.model {
                Model::Open(open) => open.duration,
                Model::Closed(closed) => closed.run_time,
            };
            let mut open = base.unwrap_or(OpenModel {
                rate,
                start_rate: rate,
                ramp_time: Duration::ZERO,
                duration: run_time,
                vus: users,
                max_in_flight: 4096,
                max_late_share: 0.01,
                late_after: Duration::from_millis(25),
            });
            open.rate = rate;
            open.start_rate = rate;
            plan.model = Model::Open(open);
        }
        match &mut plan.model {
            Model::Open(open) => {
                if let Some(duration) = duration {
                    open.duration = duration;
                }
                if let Some(ramp_time) = ramp_time {
                    open.ramp_time = ramp_time;
                    open.start_rate = ramp_from.unwrap_or(0.0);
                }
                Ok(())
            }
            Model::Closed(_) if duration.is_some() || ramp_time.is_some() => Err(
                "--duration, --ramp-from and --ramp-time apply to the open model: add --rate, \
                 or use goose's --run-time for the closed one"
                    .into(),
            ),
            Model::Closed(_) => Ok(()),
        }
    }
}

#[derive(Debug, Args)]
pub struct CalibrateArgs {
    /// How long to measure, in seconds.
    #[arg(long, default_value_t = 5.0)]
    pub seconds: f64,

    /// Where the calibration is written (pass it to `load --calibration`).
    #[arg(long, default_value = "reports/calibration.json")]
    pub output: PathBuf,
}
