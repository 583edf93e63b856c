//! Where both load models record what happened: an HDR histogram (microseconds, 3
//! significant digits, mergeable) per request name, per scenario, overall and per second of
//! the run; outcome counts; and what was sent per (method, route, status), which the
//! reconciliation compares with the server's counters.

use super::outcome::{LatencyStats, TimelinePoint};
use super::scenario::{Call, Judgement};
use crate::metrics::delta::RequestKey;
use hdrhistogram::Histogram;
use parking_lot::Mutex;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// Distinct failure texts kept per name for the reports.
const SAMPLE_ERRORS: usize = 5;
/// Highest latency recorded (an hour); longer ones are clamped to it.
const MAX_MICROS: u64 = 3_600_000_000;

fn histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, MAX_MICROS, 3).expect("static histogram bounds are valid")
}

#[derive(Clone)]
struct Series {
    latency: Histogram<u64>,
    ok: u64,
    errors: u64,
    rate_limited: u64,
    sample_errors: Vec<String>,
}

impl Default for Series {
    fn default() -> Self {
        Series {
            latency: histogram(),
            ok: 0,
            errors: 0,
            rate_limited: 0,
            sample_errors: Vec::new(),
        }
    }
}

impl Series {
    fn add(&mut self, micros: u64, judgement: &Judgement) {
        match judgement {
            Judgement::RateLimited(_) => {
                self.rate_limited += 1;
                return;
            }
            Judgement::Ok => self.ok += 1,
            Judgement::Failed(why) => {
                self.errors += 1;
                if self.sample_errors.len() < SAMPLE_ERRORS && !self.sample_errors.contains(why) {
                    self.sample_errors.push(why.clone());
                }
            }
        }
        self.latency.saturating_record(micros.clamp(1, MAX_MICROS));
    }

    fn stats(&self, name: &str, seconds: f64) -> LatencyStats {
        let ms = |micros: u64| micros as f64 / 1000.0;
        let quantile = |q: f64| ms(self.latency.value_at_quantile(q));
        let completed = self.ok + self.errors;
        let mut buckets = Vec::new();
        if !self.latency.is_empty() {
            for step in self.latency.iter_log(1000, 2.0) {
                buckets.push((
                    ms(step.value_iterated_to()),
                    step.count_since_last_iteration(),
                ));
            }
        }
        LatencyStats {
            name: name.to_owned(),
            ok: self.ok,
            errors: self.errors,
            rate_limited: self.rate_limited,
            error_rate: if completed == 0 {
                0.0
            } else {
                self.errors as f64 / completed as f64
            },
            rps: if seconds > 0.0 {
                completed as f64 / seconds
            } else {
                0.0
            },
            p50_ms: quantile(0.50),
            p90_ms: quantile(0.90),
            p95_ms: quantile(0.95),
            p99_ms: quantile(0.99),
            p999_ms: quantile(0.999),
            max_ms: ms(self.latency.max()),
            mean_ms: self.latency.mean() / 1000.0,
            buckets,
            sample_errors: self.sample_errors.clone(),
        }
    }
}

#[derive(Default)]
struct Inner {
    total: Series,
    requests: BTreeMap<&'static str, Series>,
    scenarios: BTreeMap<&'static str, Series>,
    seconds: Vec<Series>,
    sent: BTreeMap<RequestKey, u64>,
    /// Requests that got no answer (connection errors, timeouts): the server may or may not
    /// have counted them.
    unanswered: u64,
}

/// Shared by every virtual user of one run.
pub struct Recorder {
    started: Instant,
    inner: Mutex<Inner>,
}

impl Recorder {
    pub fn new() -> Recorder {
        Recorder {
            started: Instant::now(),
            inner: Mutex::default(),
        }
    }

    /// Records one finished request: `latency` as the model measures it (from the send in
    /// the closed model, from the intended send time in the open one); `status` is `None`
    /// when no answer came.
    pub fn record(
        &self,
        call: &Call,
        latency: Duration,
        status: Option<u16>,
        judgement: &Judgement,
    ) {
        let micros = u64::try_from(latency.as_micros()).unwrap_or(MAX_MICROS);
        let second = self.started.elapsed().as_secs() as usize;
        let mut inner = self.inner.lock();
        inner.total.add(micros, judgement);
        inner
            .requests
            .entry(call.name)
            .or_default()
            .add(micros, judgement);
        inner
            .scenarios
            .entry(call.kind.name())
            .or_default()
            .add(micros, judgement);
        if inner.seconds.len() <= second {
            inner.seconds.resize_with(second + 1, Series::default);
        }
        inner.seconds[second].add(micros, judgement);
        match status {
            Some(status) => {
                let key = (
                    call.method.to_string(),
                    call.template.to_owned(),
                    status.to_string(),
                );
                *inner.sent.entry(key).or_default() += 1;
            }
            None => inner.unanswered += 1,
        }
    }

    /// What was sent, per (method, route template, status).
    pub fn sent(&self) -> BTreeMap<RequestKey, u64> {
        self.inner.lock().sent.clone()
    }

    pub fn unanswered(&self) -> u64 {
        self.inner.lock().unanswered
    }

    /// Overall, per-request and per-scenario statistics over `seconds` of measured time,
    /// and the per-second timeline.
    pub fn summarise(
        &self,
        seconds: f64,
    ) -> (
        LatencyStats,
        Vec<LatencyStats>,
        Vec<LatencyStats>,
        Vec<TimelinePoint>,
    ) {
        let inner = self.inner.lock();
        let total = inner.total.stats("all requests", seconds);
        let by_name = |map: &BTreeMap<&'static str, Series>| {
            map.iter()
                .map(|(name, series)| series.stats(name, seconds))
                .collect::<Vec<_>>()
        };
        let timeline = inner
            .seconds
            .iter()
            .enumerate()
            .map(|(second, series)| {
                let stats = series.stats("", 1.0);
                TimelinePoint {
                    second: second as u32,
                    requests: series.ok + series.errors,
                    errors: series.errors,
                    p50_ms: stats.p50_ms,
                    p95_ms: stats.p95_ms,
                    p99_ms: stats.p99_ms,
                }
            })
            .collect();
        (
            total,
            by_name(&inner.requests),
            by_name(&inner.scenarios),
            timeline,
        )
    }
}

impl Default for Recorder {
    fn default() -> Self {
        Recorder::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::Secret;
    use crate::load::plan::CursorForm;
    use crate::load::scenario::{ScenarioKind, SharedTarget, VuIdentity, Walker};

    #[test]
    fn statistics_percentiles_rates_and_reconciliation_keys() {
        let vu = VuIdentity {
            username: "u".into(),
            password: Secret::new("p"),
            session: Secret::new("s"),
            pat: Secret::new("t"),
            agent_token: Secret::new("a"),
        };
        let shared = SharedTarget {
            agency_id: "A".into(),
            hook_key: Secret::new("h"),
            cursor: CursorForm::Timestamp,
            run_id: "r".into(),
        };
        let call = Walker::default().next(ScenarioKind::Explore, &vu, &shared);
        let recorder = Recorder::new();
        for ms in 1..=100u64 {
            recorder.record(&call, Duration::from_millis(ms), Some(200), &Judgement::Ok);
        }
        recorder.record(
            &call,
            Duration::from_millis(5),
            Some(500),
            &Judgement::Failed("x".into()),
        );
        recorder.record(
            &call,
            Duration::from_millis(5),
            None,
            &Judgement::Failed("x".into()),
        );
        let (total, requests, scenarios, timeline) = recorder.summarise(2.0);
        assert_eq!((total.ok, total.errors), (100, 2));
        assert!((total.p95_ms - 95.0).abs() < 0.2, "{}", total.p95_ms);
        assert!((total.max_ms - 100.0).abs() < 0.2);
        assert_eq!(total.rps, 51.0);
        assert_eq!(total.sample_errors, vec!["x".to_owned()]);
        assert_eq!(requests[0].name, "explore");
        assert_eq!(scenarios[0].name, "explore");
        assert_eq!(timeline.iter().map(|p| p.requests).sum::<u64>(), 102);
        let buckets: u64 = total.buckets.iter().map(|(_, n)| n).sum();
        assert_eq!(buckets, 102);
        let sent = recorder.sent();
        let key = (
            "GET".to_owned(),
            "/api/explore/agencies".to_owned(),
            "200".to_owned(),
        );
        assert_eq!(sent[&key], 100);
        assert_eq!(recorder.unanswered(), 1);
    }
}
