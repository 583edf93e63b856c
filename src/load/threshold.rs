//! Thresholds as gates, in a k6-like grammar: `STAT[(NAME)] OP VALUE[UNIT]`.
//!
//! * `STAT`: `p50`, `p90`, `p95`, `p99`, `p99.9`, `max`, `mean` (latency); `error_rate`;
//!   `rps`; `server_error_rate` (5xx share of the server's own `http_requests_total` delta).
//! * `NAME`: a request name or a scenario name of the plan; without it, all requests together.
//! * `OP`: `<`, `<=`, `>`, `>=`.
//! * `VALUE`: latencies with `us`, `ms` (the default) or `s`; rates as a ratio or with `%`;
//!   `rps` with an optional `/s`.
//!
//! A threshold naming something the plan does not measure is a configuration error, found
//! before any load is sent.

use super::outcome::{LatencyStats, ThresholdResult};
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Statistic {
    Percentile(f64),
    Max,
    Mean,
    ErrorRate,
    Rps,
    ServerErrorRate,
}

impl Statistic {
    fn parse(text: &str) -> Result<Statistic, String> {
        Ok(match text {
            "max" => Statistic::Max,
            "mean" | "avg" => Statistic::Mean,
            "error_rate" => Statistic::ErrorRate,
            "rps" => Statistic::Rps,
            "server_error_rate" => Statistic::ServerErrorRate,
            other => {
                let number = other
                    .strip_prefix('p')
                    .and_then(|n| n.parse::<f64>().ok())
                    .filter(|n| *n > 0.0 && *n < 100.0)
                    .ok_or_else(|| {
                        format!(
                            "unknown statistic `{other}` (p50, p90, p95, p99, p99.9, max, mean, \
                             error_rate, rps, server_error_rate)"
                        )
                    })?;
                Statistic::Percentile(number)
            }
        })
    }

    fn is_latency(self) -> bool {
        matches!(
            self,
            Statistic::Percentile(_) | Statistic::Max | Statistic::Mean
        )
    }

    fn is_ratio(self) -> bool {
        matches!(self, Statistic::ErrorRate | Statistic::ServerErrorRate)
    }

    fn unit(self) -> &'static str {
        if self.is_latency() {
            "ms"
        } else if self.is_ratio() {
            "ratio"
        } else {
            "req/s"
        }
    }
}

impl fmt::Display for Statistic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Statistic::Percentile(p) => write!(f, "p{p}"),
            Statistic::Max => f.write_str("max"),
            Statistic::Mean => f.write_str("mean"),
            Statistic::ErrorRate => f.write_str("error_rate"),
            Statistic::Rps => f.write_str("rps"),
            Statistic::ServerErrorRate => f.write_str("server_error_rate"),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Comparison {
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
}

impl Comparison {
    fn holds(self, measured: f64, limit: f64) -> bool {
        match self {
            Comparison::Less => measured < limit,
            Comparison::LessOrEqual => measured <= limit,
            Comparison::Greater => measured > limit,
            Comparison::GreaterOrEqual => measured >= limit,
        }
    }
}

/// One parsed threshold.
#[derive(Clone, Debug, PartialEq)]
pub struct Threshold {
    pub expression: String,
    pub statistic: Statistic,
    /// A request or scenario name; `None`: every request.
    pub name: Option<String>,
    pub comparison: Comparison,
    /// In the statistic's unit: ms, ratio or req/s.
    pub limit: f64,
}

impl Threshold {
    pub fn parse(expression: &str) -> Result<Threshold, String> {
        let fail = |why: &str| format!("threshold `{expression}`: {why}");
        let text = expression.trim();
        let operator_at = text
            .find(['<', '>'])
            .ok_or_else(|| fail("no comparison (<, <=, >, >=)"))?;
        let (left, rest) = text.split_at(operator_at);
        let (comparison, right) = if let Some(r) = rest.strip_prefix("<=") {
            (Comparison::LessOrEqual, r)
        } else if let Some(r) = rest.strip_prefix(">=") {
            (Comparison::GreaterOrEqual, r)
        } else if let Some(r) = rest.strip_prefix('<') {
            (Comparison::Less, r)
        } else {
            (Comparison::Greater, &rest[1..])
        };
        let left = left.trim();
        let (statistic_text, name) = match left.split_once('(') {
            Some((stat, tail)) => {
                let name = tail
                    .strip_suffix(')')
                    .ok_or_else(|| fail("unclosed `(`"))?
                    .trim();
                if name.is_empty() {
                    return Err(fail("empty name in `()`"));
                }
                (stat.trim(), Some(name.to_owned()))
            }
            None => (left, None),
        };
        let statistic = Statistic::parse(statistic_text).map_err(|e| fail(&e))?;
        if statistic == Statistic::ServerErrorRate && name.is_some() {
            return Err(fail(
                "server_error_rate covers the whole server; it takes no name",
            ));
        }
        let limit = parse_value(statistic, right.trim()).map_err(|e| fail(&e))?;
        Ok(Threshold {
            expression: text.to_owned(),
            statistic,
            name,
            comparison,
            limit,
        })
    }

    /// The statistic as a reader names it, e.g. `p95 of history`.
    pub fn metric(&self) -> String {
        match &self.name {
            Some(name) => format!("{} of {name}", self.statistic),
            None if self.statistic == Statistic::ServerErrorRate => {
                "server 5xx share of http_requests_total".into()
            }
            None => format!("{} of all requests", self.statistic),
        }
    }

    /// Evaluates against the stats of its name (`stats`), or the server's error ratio.
    /// A name with no completed request is a breach: nothing was measured to pass.
    pub fn evaluate(
        &self,
        stats: &LatencyStats,
        server_error_rate: Option<f64>,
    ) -> ThresholdResult {
        let sent = stats.ok + stats.errors;
        let measured = match self.statistic {
            Statistic::Percentile(p) => percentile_of(stats, p),
            Statistic::Max => Some(stats.max_ms),
            Statistic::Mean => Some(stats.mean_ms),
            Statistic::ErrorRate => Some(stats.error_rate),
            Statistic::Rps => Some(stats.rps),
            Statistic::ServerErrorRate => server_error_rate,
        };
        let measured_something = sent > 0 || self.statistic == Statistic::ServerErrorRate;
        let (passed, measured) = match measured {
            Some(value) if measured_something => (self.comparison.holds(value, self.limit), value),
            _ => (false, f64::NAN),
        };
        ThresholdResult {
            expression: self.expression.clone(),
            metric: self.metric(),
            measured,
            limit: self.limit,
            unit: self.statistic.unit().to_owned(),
            passed,
        }
    }
}

/// Reads one reported percentile from the stats.
type PercentileField = fn(&LatencyStats) -> f64;

fn percentile_of(stats: &LatencyStats, p: f64) -> Option<f64> {
    const KNOWN: [(f64, PercentileField); 5] = [
        (50.0, |s| s.p50_ms),
        (90.0, |s| s.p90_ms),
        (95.0, |s| s.p95_ms),
        (99.0, |s| s.p99_ms),
        (99.9, |s| s.p999_ms),
    ];
    KNOWN
        .iter()
        .find(|(q, _)| (q - p).abs() < 1e-9)
        .map(|(_, read)| read(stats))
}

fn parse_value(statistic: Statistic, text: &str) -> Result<f64, String> {
    let number_end = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(number_end);
    let value: f64 = number
        .parse()
        .map_err(|_| format!("`{text}` is not a number with a unit"))?;
    let unit = unit.trim();
    let scaled = if statistic.is_latency() {
        match unit {
            "" | "ms" => value,
            "us" | "µs" => value / 1000.0,
            "s" => value * 1000.0,
            other => return Err(format!("unknown latency unit `{other}` (us, ms, s)")),
        }
    } else if statistic.is_ratio() {
        match unit {
            "" => value,
            "%" => value / 100.0,
            other => return Err(format!("unknown rate unit `{other}` (a ratio, or %)")),
        }
    } else {
        match unit {
            "" | "/s" => value,
            other => return Err(format!("unknown throughput unit `{other}` (/s)")),
        }
    };
    Ok(scaled)
}

/// Checks every threshold's statistic and name against what the plan measures.
pub fn check_names(thresholds: &[Threshold], known: &[String]) -> Result<(), String> {
    for threshold in thresholds {
        if let Statistic::Percentile(p) = threshold.statistic
            && percentile_of(&LatencyStats::default(), p).is_none()
        {
            return Err(format!(
                "threshold `{}`: p{p} is not reported (p50, p90, p95, p99, p99.9)",
                threshold.expression
            ));
        }
        if let Some(name) = &threshold.name
            && !known.iter().any(|k| k == name)
        {
            return Err(format!(
                "threshold `{}` names `{name}`, which this plan does not measure (known: {})",
                threshold.expression,
                known.join(", ")
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_documented_forms() {
        let t = Threshold::parse("p95(history) < 200ms").unwrap();
        assert_eq!(t.statistic, Statistic::Percentile(95.0));
        assert_eq!(t.name.as_deref(), Some("history"));
        assert_eq!(t.comparison, Comparison::Less);
        assert_eq!(t.limit, 200.0);
        assert_eq!(Threshold::parse("p99 < 1s").unwrap().limit, 1000.0);
        let e = Threshold::parse("error_rate < 0.1%").unwrap();
        assert!((e.limit - 0.001).abs() < 1e-12);
        let r = Threshold::parse("rps >= 500/s").unwrap();
        assert_eq!((r.comparison, r.limit), (Comparison::GreaterOrEqual, 500.0));
        assert_eq!(
            Threshold::parse("p99.9(login)<=2.5s").unwrap().limit,
            2500.0
        );
    }

    #[test]
    fn rejects_malformed_thresholds_naming_the_problem() {
        for (text, why) in [
            ("p95(history) 200ms", "no comparison"),
            ("p95(history < 200ms", "unclosed"),
            ("p42x < 3", "unknown statistic"),
            ("p95 < 3 furlongs", "unknown latency unit"),
            ("error_rate < 1 per mille", "unknown rate unit"),
            ("server_error_rate(history) < 1%", "takes no name"),
        ] {
            let error = Threshold::parse(text).unwrap_err();
            assert!(error.contains(why), "{text}: {error}");
        }
    }

    #[test]
    fn unknown_names_and_unreported_percentiles_are_configuration_errors() {
        let known = vec!["history".to_owned()];
        let unknown = Threshold::parse("p95(histroy) < 1s").unwrap();
        assert!(
            check_names(&[unknown], &known)
                .unwrap_err()
                .contains("histroy")
        );
        let odd = Threshold::parse("p97(history) < 1s").unwrap();
        assert!(check_names(&[odd], &known).unwrap_err().contains("p97"));
        let fine = Threshold::parse("p95(history) < 1s").unwrap();
        assert!(check_names(&[fine], &known).is_ok());
    }

    #[test]
    fn evaluation_compares_and_fails_when_nothing_was_measured() {
        let stats = LatencyStats {
            ok: 99,
            errors: 1,
            error_rate: 0.01,
            p95_ms: 250.0,
            ..LatencyStats::default()
        };
        let slow = Threshold::parse("p95(history) < 200ms").unwrap();
        let result = slow.evaluate(&stats, None);
        assert!(!result.passed);
        assert_eq!(result.measured, 250.0);
        assert!(
            Threshold::parse("p95 < 300ms")
                .unwrap()
                .evaluate(&stats, None)
                .passed
        );
        assert!(
            !Threshold::parse("error_rate < 0.1%")
                .unwrap()
                .evaluate(&stats, None)
                .passed
        );
        let empty = LatencyStats::default();
        assert!(
            !Threshold::parse("p95 < 300ms")
                .unwrap()
                .evaluate(&empty, None)
                .passed
        );
        let server = Threshold::parse("server_error_rate < 1%").unwrap();
        assert!(server.evaluate(&empty, Some(0.0)).passed);
        assert!(!server.evaluate(&empty, Some(0.02)).passed);
        assert!(!server.evaluate(&empty, None).passed);
    }
}
