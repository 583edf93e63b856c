//! What a load run produces, as `load.json` and the `run` report show it: per-request and
//! per-scenario latency statistics, a per-second timeline, threshold results, schedule
//! keeping (open model), server-side reconciliation, and the comparison with a baseline.
//! Every latency is in milliseconds (fractional), measured by the harness.

use crate::metrics::findings::Finding;
use serde::{Deserialize, Serialize};

/// The load phase's verdict.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LoadVerdict {
    Passed,
    /// At least one threshold (client or server side) was breached (exit 5).
    ThresholdsBreached,
    /// The generator could not keep its schedule; nothing measured can be trusted (exit 6).
    Invalid,
    /// Stopped by Ctrl-C or SIGTERM before the planned end.
    Interrupted,
    /// The target answered wrongly while the run was prepared (provisioning or seeding got
    /// an error status or a body that is not what the spec says); `notes` holds the cause.
    /// A load failure of the target (exit 5), not of the harness.
    TargetFailed,
    /// The run could not complete (target unreachable, preparation refused, harness fault);
    /// `notes` holds the cause.
    Error,
}

/// Latency and outcome counts for one request name or one scenario.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct LatencyStats {
    /// The request name (e.g. `history`) or the scenario name.
    pub name: String,
    /// Answers that passed validation (status and JSON shape).
    pub ok: u64,
    /// Answers that failed validation, transport errors and timeouts.
    pub errors: u64,
    /// 429 answers on rate-limited endpoints: expected under load, counted apart, not errors.
    pub rate_limited: u64,
    /// `errors / (ok + errors)`, 0 when nothing was sent.
    pub error_rate: f64,
    /// Completed requests per second of measured time.
    pub rps: f64,
    pub p50_ms: f64,
    pub p90_ms: f64,
    pub p95_ms: f64,
    pub p99_ms: f64,
    pub p999_ms: f64,
    pub max_ms: f64,
    pub mean_ms: f64,
    /// Latency distribution for charts: (upper bound in ms, count in the bucket), log-spaced.
    pub buckets: Vec<(f64, u64)>,
    /// The first few distinct validation failures (redacted), for reports.
    pub sample_errors: Vec<String>,
}

/// One second of the measured phase.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct TimelinePoint {
    /// Seconds since the measured phase started.
    pub second: u32,
    pub requests: u64,
    pub errors: u64,
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub p99_ms: f64,
}

/// One threshold of the plan, evaluated.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ThresholdResult {
    /// As written in the plan, e.g. `p95(history) < 200ms`.
    pub expression: String,
    /// The statistic it reads, e.g. `p95 of history`.
    pub metric: String,
    /// The measured value, in the threshold's unit (ms, ratio, req/s).
    pub measured: f64,
    pub limit: f64,
    pub unit: String,
    pub passed: bool,
}

/// How well the open model kept its schedule (absent for the closed model).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct ScheduleStats {
    /// Requests the schedule intended to send.
    pub intended: u64,
    /// Sent later than the allowed lag after their intended time.
    pub late: u64,
    /// Never sent: the in-flight cap was reached or the run ended first.
    pub dropped: u64,
    /// The share of late plus dropped sends above which the run is invalid.
    pub max_late_share: f64,
    /// CPU share of the generator's own threads during the measured phase (0–1 per thread).
    pub generator_cpu: f64,
    /// The calibrated ceiling of this machine (req/s), if known.
    pub calibrated_ceiling: Option<f64>,
}

/// One (method, route, status) row of the reconciliation with the server's counters.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ReconcileRow {
    pub method: String,
    pub route: String,
    pub status: String,
    pub sent: u64,
    pub counted: f64,
    pub ok: bool,
}

/// One statistic compared with the baseline report.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct BaselineDelta {
    pub name: String,
    /// `p95_ms`, `p99_ms`, `error_rate` or `rps`.
    pub statistic: String,
    pub baseline: f64,
    pub current: f64,
    /// Relative change, (current - baseline) / baseline.
    pub change: f64,
    /// Worse than the baseline by more than the tolerance.
    pub regression: bool,
}

/// Everything one load run measured and decided.
#[derive(Clone, Debug, Serialize)]
pub struct LoadOutcome {
    pub run_id: String,
    /// The plan's name (file stem), e.g. `smoke`.
    pub plan: String,
    /// `closed` (goose users) or `open` (arrival rate).
    pub model: String,
    pub verdict: LoadVerdict,
    /// Why the run is invalid, one line each (empty unless `verdict` is `Invalid`).
    pub invalid_reasons: Vec<String>,
    /// Measured seconds (after ramp-up and seeding).
    pub duration_s: f64,
    /// All requests together.
    pub total: LatencyStats,
    pub requests: Vec<LatencyStats>,
    pub scenarios: Vec<LatencyStats>,
    pub timeline: Vec<TimelinePoint>,
    pub thresholds: Vec<ThresholdResult>,
    pub schedule: Option<ScheduleStats>,
    /// Empty when reconciliation was not possible (say why in `notes`).
    pub reconciliation: Vec<ReconcileRow>,
    /// Server-side findings after the run (reconciliation mismatches, server error ratio).
    pub server_findings: Vec<Finding>,
    pub baseline: Vec<BaselineDelta>,
    /// Anything else the reader must know (e.g. "reconciliation skipped: no metrics key").
    pub notes: Vec<String>,
    /// Every secret the run used (for leak sweeps of whatever shows the outcome).
    #[serde(skip)]
    pub redactor: crate::http::Redactor,
}

impl LoadOutcome {
    /// An outcome with nothing measured yet.
    pub fn empty(run_id: &str, plan: &str, model: &str) -> LoadOutcome {
        LoadOutcome {
            run_id: run_id.to_owned(),
            plan: plan.to_owned(),
            model: model.to_owned(),
            verdict: LoadVerdict::Passed,
            invalid_reasons: Vec::new(),
            duration_s: 0.0,
            total: LatencyStats::default(),
            requests: Vec::new(),
            scenarios: Vec::new(),
            timeline: Vec::new(),
            thresholds: Vec::new(),
            schedule: None,
            reconciliation: Vec::new(),
            server_findings: Vec::new(),
            baseline: Vec::new(),
            notes: Vec::new(),
            redactor: crate::http::Redactor::default(),
        }
    }
}
