//! Load plans: the TOML files of `load/` (documented in `load/README.md`). A plan names its
//! scenarios and weights, its seeding, its load model and its thresholds; everything is
//! checked here, before anything is sent, so that a bad plan is a usage error (exit 2).

use super::scenario::ScenarioKind;
use super::threshold::{self, Threshold};
use serde::Deserialize;
use std::path::Path;
use std::time::Duration;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PlanFile {
    #[serde(default)]
    description: String,
    #[serde(default)]
    thresholds: Vec<String>,
    model: ModelFile,
    #[serde(default)]
    seed: SeedFile,
    scenarios: Vec<ScenarioFile>,
    #[serde(default)]
    baseline: BaselineFile,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, tag = "kind", rename_all = "lowercase")]
enum ModelFile {
    Closed {
        users: usize,
        #[serde(default)]
        increase_rate: Option<String>,
        run_time: String,
    },
    Open {
        rate: f64,
        #[serde(default)]
        start_rate: Option<f64>,
        #[serde(default)]
        ramp_time: Option<String>,
        duration: String,
        #[serde(default)]
        vus: Option<usize>,
        #[serde(default)]
        max_in_flight: Option<usize>,
        #[serde(default)]
        max_late_share: Option<f64>,
        #[serde(default)]
        late_after: Option<String>,
    },
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct SeedFile {
    #[serde(default)]
    messages: Option<usize>,
    #[serde(default)]
    cursor: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ScenarioFile {
    name: String,
    #[serde(default = "one")]
    weight: usize,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct BaselineFile {
    #[serde(default)]
    tolerance: Option<f64>,
}

fn one() -> usize {
    1
}

/// Closed model: a fixed number of goose users, each looping over its scenario.
#[derive(Clone, Debug, PartialEq)]
pub struct ClosedModel {
    pub users: usize,
    /// Users started per second (goose's `--increase-rate`).
    pub increase_rate: String,
    pub run_time: Duration,
}

/// Open model: requests at an arrival rate, each with an intended send time.
#[derive(Clone, Debug, PartialEq)]
pub struct OpenModel {
    /// Requests per second once ramped.
    pub rate: f64,
    /// Rate at the start of the ramp (equal to `rate` without a ramp).
    pub start_rate: f64,
    pub ramp_time: Duration,
    pub duration: Duration,
    /// Identities to spread the arrivals over.
    pub vus: usize,
    /// In-flight cap; an arrival beyond it is dropped (and counted).
    pub max_in_flight: usize,
    /// Share of late or dropped sends above which the run is invalid.
    pub max_late_share: f64,
    /// A send later than this after its intended time is late.
    pub late_after: Duration,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Model {
    Closed(ClosedModel),
    Open(OpenModel),
}

impl Model {
    pub fn name(&self) -> &'static str {
        match self {
            Model::Closed(_) => "closed",
            Model::Open(_) => "open",
        }
    }

    /// Identities to mint: one per closed-model user, or the open model's `vus`.
    pub fn identities(&self) -> usize {
        match self {
            Model::Closed(closed) => closed.users,
            Model::Open(open) => open.vus,
        }
    }
}

/// How the history walk moves its cursor (endpoints.md §8.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CursorForm {
    Timestamp,
    Id,
}

#[derive(Clone, Debug)]
pub struct Plan {
    pub name: String,
    pub description: String,
    pub model: Model,
    /// Messages posted through the hooks API before the clock starts.
    pub seed_messages: usize,
    pub cursor: CursorForm,
    pub scenarios: Vec<(ScenarioKind, usize)>,
    pub thresholds: Vec<Threshold>,
    /// Relative change beyond which a statistic is a regression against the baseline.
    pub baseline_tolerance: f64,
}

/// Parses "500ms", "8s", "2m" or a bare number of seconds.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let value: f64 = number
        .parse()
        .map_err(|_| format!("`{text}` is not a duration (e.g. 500ms, 8s, 2m)"))?;
    let seconds = match unit {
        "ms" => value / 1000.0,
        "" | "s" => value,
        "m" => value * 60.0,
        other => {
            return Err(format!(
                "`{text}`: unknown duration unit `{other}` (ms, s, m)"
            ));
        }
    };
    if !seconds.is_finite() || seconds < 0.0 {
        return Err(format!("`{text}` is not a duration"));
    }
    Ok(Duration::from_secs_f64(seconds))
}

impl Plan {
    pub fn load(path: &Path) -> Result<Plan, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read the load plan {}: {e}", path.display()))?;
        let name = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "plan".into());
        Plan::parse(&name, &text).map_err(|e| format!("load plan {}: {e}", path.display()))
    }

    pub fn parse(name: &str, text: &str) -> Result<Plan, String> {
        let file: PlanFile = toml::from_str(text).map_err(|e| e.to_string())?;
        let model = match file.model {
            ModelFile::Closed {
                users,
                increase_rate,
                run_time,
            } => {
                if users == 0 {
                    return Err("model.users must be at least 1".into());
                }
                Model::Closed(ClosedModel {
                    users,
                    increase_rate: increase_rate.unwrap_or_else(|| users.to_string()),
                    run_time: parse_duration(&run_time)?,
                })
            }
            ModelFile::Open {
                rate,
                start_rate,
                ramp_time,
                duration,
                vus,
                max_in_flight,
                max_late_share,
                late_after,
            } => {
                if !(rate > 0.0 && rate.is_finite()) {
                    return Err(
                        "model.rate must be a positive number of requests per second".into(),
                    );
                }
                let late_share = max_late_share.unwrap_or(0.01);
                if !(0.0..1.0).contains(&late_share) {
                    return Err("model.max_late_share must be in [0, 1)".into());
                }
                Model::Open(OpenModel {
                    rate,
                    start_rate: start_rate.unwrap_or(rate),
                    ramp_time: ramp_time
                        .as_deref()
                        .map(parse_duration)
                        .transpose()?
                        .unwrap_or_default(),
                    duration: parse_duration(&duration)?,
                    vus: vus.unwrap_or(8).max(1),
                    max_in_flight: max_in_flight.unwrap_or(4096).max(1),
                    max_late_share: late_share,
                    late_after: late_after
                        .as_deref()
                        .map(parse_duration)
                        .transpose()?
                        .unwrap_or(Duration::from_millis(25)),
                })
            }
        };
        let cursor = match file.seed.cursor.as_deref() {
            None | Some("timestamp") => CursorForm::Timestamp,
            Some("id") => CursorForm::Id,
            Some(other) => return Err(format!("seed.cursor `{other}`: timestamp or id")),
        };
        if file.scenarios.is_empty() {
            return Err("a plan needs at least one [[scenarios]] entry".into());
        }
        let mut scenarios = Vec::new();
        for entry in &file.scenarios {
            let kind: ScenarioKind = entry.name.parse()?;
            if entry.weight == 0 {
                return Err(format!(
                    "scenario {}: weight must be at least 1",
                    entry.name
                ));
            }
            if scenarios.iter().any(|(k, _)| *k == kind) {
                return Err(format!("scenario {} is listed twice", entry.name));
            }
            scenarios.push((kind, entry.weight));
        }
        let thresholds = file
            .thresholds
            .iter()
            .map(|t| Threshold::parse(t))
            .collect::<Result<Vec<_>, _>>()?;
        let plan = Plan {
            name: name.to_owned(),
            description: file.description,
            model,
            seed_messages: file.seed.messages.unwrap_or(200),
            cursor,
            scenarios,
            thresholds,
            baseline_tolerance: file.baseline.tolerance.unwrap_or(0.2),
        };
        plan.check_thresholds()?;
        plan.check_users(None)?;
        Ok(plan)
    }

    /// Every name a threshold may use: the scenarios and the requests they send.
    pub fn known_names(&self) -> Vec<String> {
        let mut names: Vec<String> = Vec::new();
        for (kind, _) in &self.scenarios {
            for name in std::iter::once(kind.name()).chain(kind.request_names().iter().copied()) {
                if !names.iter().any(|n| n == name) {
                    names.push(name.to_owned());
                }
            }
        }
        names
    }

    /// Goose gives each user one scenario: fewer users than scenarios leaves some unrun.
    /// `users_flag`: goose's `-u`, which beats the plan.
    pub fn check_users(&self, users_flag: Option<usize>) -> Result<(), String> {
        if let Model::Closed(closed) = &self.model {
            let users = users_flag.unwrap_or(closed.users);
            if users < self.scenarios.len() {
                return Err(format!(
                    "{} scenarios but {users} goose users: goose gives each user one scenario, \
                     so some would never run (raise model.users or -u)",
                    self.scenarios.len()
                ));
            }
        }
        Ok(())
    }

    /// Re-checks the thresholds against the plan's names (also after flags changed either).
    pub fn check_thresholds(&self) -> Result<(), String> {
        threshold::check_names(&self.thresholds, &self.known_names())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CLOSED: &str = r#"
        description = "test"
        thresholds = ["p95(history) < 200ms", "error_rate < 1%"]
        [model]
        kind = "closed"
        users = 4
        run_time = "5s"
        [seed]
        messages = 120
        [[scenarios]]
        name = "history"
        weight = 3
        [[scenarios]]
        name = "pat-reads"
    "#;

    #[test]
    fn a_closed_plan_parses_with_defaults() {
        let plan = Plan::parse("t", CLOSED).unwrap();
        assert_eq!(plan.seed_messages, 120);
        assert_eq!(plan.scenarios.len(), 2);
        assert_eq!(plan.thresholds.len(), 2);
        let Model::Closed(closed) = &plan.model else {
            panic!("closed model expected")
        };
        assert_eq!(closed.increase_rate, "4");
        assert_eq!(closed.run_time, Duration::from_secs(5));
        assert!(plan.known_names().contains(&"me".to_owned()));
    }

    #[test]
    fn an_open_plan_parses_its_ramp() {
        let text = r#"
            [model]
            kind = "open"
            rate = 300
            start_rate = 50
            ramp_time = "2s"
            duration = "6s"
            [[scenarios]]
            name = "explore"
        "#;
        let plan = Plan::parse("o", text).unwrap();
        let Model::Open(open) = plan.model else {
            panic!("open model expected")
        };
        assert_eq!((open.rate, open.start_rate), (300.0, 50.0));
        assert_eq!(open.late_after, Duration::from_millis(25));
    }

    #[test]
    fn bad_plans_say_what_is_wrong() {
        let unknown_threshold = CLOSED.replace("p95(history)", "p95(histroy)");
        assert!(
            Plan::parse("t", &unknown_threshold)
                .unwrap_err()
                .contains("histroy")
        );
        let unknown_scenario = CLOSED.replace("pat-reads", "pat-writes");
        assert!(
            Plan::parse("t", &unknown_scenario)
                .unwrap_err()
                .contains("pat-writes")
        );
        let unknown_field = CLOSED.replace("users = 4", "users = 4\nuserz = 3");
        assert!(
            Plan::parse("t", &unknown_field)
                .unwrap_err()
                .contains("userz")
        );
        assert!(parse_duration("5 fortnights").is_err());
        assert_eq!(parse_duration("250ms").unwrap(), Duration::from_millis(250));
    }
}
