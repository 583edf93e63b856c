//! `--baseline FILE`: compares this run with a previous one (its `load.json`, or a run
//! report with a `load` section) per request name and overall. A latency percentile or error
//! rate that grew, or a throughput that fell, by more than the plan's tolerance is flagged as
//! a regression. Names missing from either run are not compared.

use super::outcome::{BaselineDelta, LatencyStats};
use serde::Deserialize;
use std::path::Path;

#[derive(Deserialize)]
struct Previous {
    total: LatencyStats,
    requests: Vec<LatencyStats>,
}

/// Error rates below this are noise, not a basis for a relative change.
const ERROR_RATE_FLOOR: f64 = 0.001;

pub fn load(path: &Path) -> Result<(LatencyStats, Vec<LatencyStats>), String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read the baseline {}: {e}", path.display()))?;
    let value: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| format!("baseline {} is not JSON: {e}", path.display()))?;
    let section = value.get("load").cloned().unwrap_or(value);
    let previous: Previous = serde_json::from_value(section).map_err(|e| {
        format!(
            "baseline {} is not a tidegauge load report: {e}",
            path.display()
        )
    })?;
    Ok((previous.total, previous.requests))
}

pub fn compare(
    baseline: &(LatencyStats, Vec<LatencyStats>),
    total: &LatencyStats,
    requests: &[LatencyStats],
    tolerance: f64,
) -> Vec<BaselineDelta> {
    let pairs = std::iter::once((&baseline.0, total)).chain(requests.iter().filter_map(|now| {
        baseline
            .1
            .iter()
            .find(|b| b.name == now.name)
            .map(|b| (b, now))
    }));
    let mut deltas = Vec::new();
    for (before, now) in pairs {
        let statistics: [(&str, f64, f64, bool); 4] = [
            ("p95_ms", before.p95_ms, now.p95_ms, true),
            ("p99_ms", before.p99_ms, now.p99_ms, true),
            (
                "error_rate",
                before.error_rate.max(ERROR_RATE_FLOOR),
                now.error_rate.max(ERROR_RATE_FLOOR),
                true,
            ),
            ("rps", before.rps, now.rps, false),
        ];
        for (statistic, base, current, higher_is_worse) in statistics {
            if base <= 0.0 {
                continue;
            }
            let change = (current - base) / base;
            let worse = if higher_is_worse { change } else { -change };
            deltas.push(BaselineDelta {
                name: now.name.clone(),
                statistic: statistic.to_owned(),
                baseline: base,
                current,
                change,
                regression: worse > tolerance,
            });
        }
    }
    deltas
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stats(name: &str, p95: f64, rps: f64) -> LatencyStats {
        LatencyStats {
            name: name.into(),
            p95_ms: p95,
            p99_ms: p95 * 2.0,
            rps,
            ..LatencyStats::default()
        }
    }

    #[test]
    fn regressions_beyond_the_tolerance_are_flagged() {
        let baseline = (
            stats("all requests", 10.0, 1000.0),
            vec![stats("history", 10.0, 500.0)],
        );
        let now_total = stats("all requests", 11.0, 990.0);
        let now = vec![stats("history", 20.0, 300.0), stats("login", 5.0, 10.0)];
        let deltas = compare(&baseline, &now_total, &now, 0.2);
        let flagged: Vec<_> = deltas
            .iter()
            .filter(|d| d.regression)
            .map(|d| format!("{} {}", d.name, d.statistic))
            .collect();
        assert_eq!(flagged, ["history p95_ms", "history p99_ms", "history rps"]);
        assert!(!deltas.iter().any(|d| d.name == "login"));
    }
}
