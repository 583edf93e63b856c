//! `junit.xml` for the whole run, valid against the Jenkins JUnit schema kept in
//! fixtures/junit-10.xsd (read by GitLab, Jenkins and GitHub test reporters). The mapping:
//!
//! * conformance: one `<testsuite>` per feature (`conformance: <feature>`), one `<testcase>`
//!   per scenario and per example row (`<scenario> (line N)`, classname `conformance.<feature>`);
//!   a failed scenario has a `<failure>` with its redacted detail (the request and response),
//!   a scenario not run a `<skipped>` with the reason, assumptions not met go to
//!   `<system-out>`; one more suite, `conformance: run`, holds the run-wide check that every
//!   request went to a spec path and the teardown's leftovers;
//! * metrics: one `<testsuite>`, one `<testcase>` per contract family (a `<failure>` listing
//!   every failing finding that names it) and one per (family, rule) of findings about
//!   anything else (the endpoints, the snapshot); "not run" findings are `<skipped>`;
//! * load: one `<testsuite>`, one `<testcase>` per threshold, one for the schedule (an
//!   invalid run is a `<failure>` of type `invalid`), one per reconciliation row and one per
//!   failing server-side finding;
//! * a phase stopped by an error is a single `<testcase>` with an `<error>`; a skipped phase a
//!   single `<testcase>` with `<skipped>`.

use super::{MetricsDetails, Phase, PhaseStatus, RunReport};
use crate::load::outcome::{LoadOutcome, LoadVerdict};
use crate::metrics::findings::Severity;
use std::fmt::Write as _;

#[derive(Debug)]
enum CaseOutcome {
    Passed,
    Failure {
        /// `assertion`, or `invalid` for a load run whose measurements cannot be trusted.
        kind: &'static str,
        message: String,
        body: String,
    },
    Error {
        message: String,
    },
    Skipped {
        message: String,
    },
}

#[derive(Debug)]
struct Case {
    classname: String,
    name: String,
    outcome: CaseOutcome,
    output: Vec<String>,
}

impl Case {
    fn new(classname: &str, name: impl Into<String>, outcome: CaseOutcome) -> Case {
        Case {
            classname: classname.to_owned(),
            name: name.into(),
            outcome,
            output: Vec::new(),
        }
    }
}

struct Suite {
    name: String,
    time: f64,
    cases: Vec<Case>,
}

/// The run as XML text.
pub fn render(report: &RunReport) -> String {
    let suites = suites(report);
    let count = |f: &dyn Fn(&CaseOutcome) -> bool| -> usize {
        suites
            .iter()
            .flat_map(|s| &s.cases)
            .filter(|c| f(&c.outcome))
            .count()
    };
    let tests: usize = suites.iter().map(|s| s.cases.len()).sum();
    let failures = count(&|o| matches!(o, CaseOutcome::Failure { .. }));
    let errors = count(&|o| matches!(o, CaseOutcome::Error { .. }));
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"{}\" tests=\"{tests}\" failures=\"{failures}\" errors=\"{errors}\" time=\"{}\">",
        escape(&format!("tidegauge run {}", report.run_id)),
        time(report.duration_s)
    );
    for suite in &suites {
        write_suite(&mut out, suite, &report.started_at);
    }
    out.push_str("</testsuites>\n");
    out
}

fn write_suite(out: &mut String, suite: &Suite, timestamp: &str) {
    let count = |f: fn(&CaseOutcome) -> bool| suite.cases.iter().filter(|c| f(&c.outcome)).count();
    let _ = writeln!(
        out,
        "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" time=\"{}\" timestamp=\"{}\">",
        escape(&suite.name),
        suite.cases.len(),
        count(|o| matches!(o, CaseOutcome::Failure { .. })),
        count(|o| matches!(o, CaseOutcome::Error { .. })),
        count(|o| matches!(o, CaseOutcome::Skipped { .. })),
        time(suite.time),
        escape(timestamp),
    );
    for case in &suite.cases {
        let _ = write!(
            out,
            "    <testcase classname=\"{}\" name=\"{}\" time=\"0\">",
            escape(&case.classname),
            escape(&case.name)
        );
        match &case.outcome {
            CaseOutcome::Passed => {}
            CaseOutcome::Failure {
                kind,
                message,
                body,
            } => {
                let _ = write!(
                    out,
                    "<failure type=\"{kind}\" message=\"{}\">{}</failure>",
                    escape(message),
                    escape(body)
                );
            }
            CaseOutcome::Error { message } => {
                let _ = write!(
                    out,
                    "<error type=\"harness\" message=\"{}\">{}</error>",
                    escape(message),
                    escape(message)
                );
            }
            CaseOutcome::Skipped { message } => {
                let _ = write!(out, "<skipped message=\"{}\"/>", escape(message));
            }
        }
        if !case.output.is_empty() {
            let _ = write!(
                out,
                "<system-out>{}</system-out>",
                escape(&case.output.join("\n"))
            );
        }
        out.push_str("</testcase>\n");
    }
    out.push_str("  </testsuite>\n");
}

/// Seconds as the schema's SUREFIRE_TIME wants them: digits, a dot, digits.
fn time(seconds: f64) -> String {
    if seconds.is_finite() && seconds > 0.0 {
        format!("{seconds:.3}")
    } else {
        "0".to_owned()
    }
}

/// XML text and attribute escaping; characters XML 1.0 cannot carry become U+FFFD.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' => out.push_str("&#9;"),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

fn first_line(text: &str) -> String {
    text.lines().next().unwrap_or_default().to_owned()
}

/// The single testcase of a phase that has no details: skipped, or stopped by an error.
fn phase_case<T>(phase: &Phase<T>, classname: &str, name: &str) -> Option<Case> {
    let message = phase.message.clone().unwrap_or_default();
    let outcome = match phase.status {
        PhaseStatus::Skipped => CaseOutcome::Skipped { message },
        PhaseStatus::Error => CaseOutcome::Error { message },
        PhaseStatus::Interrupted => CaseOutcome::Error {
            message: if message.is_empty() {
                "interrupted".to_owned()
            } else {
                message
            },
        },
        PhaseStatus::Passed | PhaseStatus::Failed => return None,
    };
    Some(Case::new(classname, name, outcome))
}

fn suites(report: &RunReport) -> Vec<Suite> {
    let mut suites = conform_suites(report);
    let metrics = &report.phases.metrics;
    let mut cases: Vec<Case> = phase_case(metrics, "metrics", "metrics phase")
        .into_iter()
        .collect();
    if let Some(details) = &metrics.details {
        cases.extend(metrics_cases(details));
    }
    suites.push(Suite {
        name: "metrics".into(),
        time: metrics.duration_s,
        cases,
    });
    let load = &report.phases.load;
    let mut cases: Vec<Case> = phase_case(load, "load", "load phase").into_iter().collect();
    if let Some(outcome) = &load.details {
        cases.extend(load_cases(outcome));
    }
    suites.push(Suite {
        name: "load".into(),
        time: load.duration_s,
        cases,
    });
    suites
}

fn conform_suites(report: &RunReport) -> Vec<Suite> {
    let phase = &report.phases.conform;
    let mut run_cases: Vec<Case> = phase_case(phase, "conformance", "conformance phase")
        .into_iter()
        .collect();
    let mut suites: Vec<Suite> = Vec::new();
    if let Some(details) = &phase.details {
        for result in &details.scenarios {
            let classname = format!("conformance.{}", result.feature);
            let detail = result.detail.clone().unwrap_or_default();
            let outcome = match result.outcome {
                "failed" => CaseOutcome::Failure {
                    kind: "assertion",
                    message: first_line(&detail),
                    body: detail,
                },
                "not run" => CaseOutcome::Skipped { message: detail },
                _ => CaseOutcome::Passed,
            };
            let mut case = Case::new(
                &classname,
                format!("{} (line {})", result.scenario, result.line),
                outcome,
            );
            case.output = result
                .warnings
                .iter()
                .map(|w| format!("assumption not met: {w}"))
                .collect();
            let name = format!("conformance: {}", result.feature);
            match suites.iter_mut().find(|s| s.name == name) {
                Some(suite) => suite.cases.push(case),
                None => suites.push(Suite {
                    name,
                    time: 0.0,
                    cases: vec![case],
                }),
            }
        }
        let unknown = &details.coverage.unknown_paths;
        let outcome = if unknown.is_empty() {
            CaseOutcome::Passed
        } else {
            CaseOutcome::Failure {
                kind: "assertion",
                message: format!("{} requests went to paths not in the spec", unknown.len()),
                body: unknown.join("\n"),
            }
        };
        run_cases.push(Case::new(
            "conformance.run",
            "every request goes to a spec path",
            outcome,
        ));
        let mut teardown = Case::new(
            "conformance.run",
            "teardown of created objects",
            CaseOutcome::Passed,
        );
        teardown.output = details
            .leftovers
            .iter()
            .map(|l| format!("left over: {} {}: {}", l.kind, l.id, l.reason))
            .collect();
        run_cases.push(teardown);
    }
    suites.push(Suite {
        name: "conformance: run".into(),
        time: phase.duration_s,
        cases: run_cases,
    });
    suites
}

fn metrics_cases(details: &MetricsDetails) -> Vec<Case> {
    let mut cases = Vec::new();
    for row in &details.contract {
        let failures: Vec<_> = details
            .findings
            .iter()
            .filter(|f| f.family == row.family && f.severity == Severity::Failure)
            .map(|f| format!("[{}] {}", f.rule, f.message))
            .collect();
        let outcome = if failures.is_empty() {
            CaseOutcome::Passed
        } else {
            CaseOutcome::Failure {
                kind: "assertion",
                message: format!("{} failing checks: {}", failures.len(), failures[0]),
                body: failures.join("\n"),
            }
        };
        let mut case = Case::new("metrics.contract", row.family.clone(), outcome);
        case.output = details
            .findings
            .iter()
            .filter(|f| {
                f.family == row.family
                    && matches!(f.severity, Severity::Warning | Severity::AssumptionNotMet)
            })
            .map(ToString::to_string)
            .collect();
        cases.push(case);
    }
    // Findings about anything but a contract family, one testcase per (family, rule).
    let mut others: Vec<(String, &'static str)> = Vec::new();
    for finding in &details.findings {
        let in_contract = details.contract.iter().any(|r| r.family == finding.family);
        let key = (finding.family.clone(), finding.rule);
        let reported = finding.severity != Severity::Info || finding.rule == "not-run";
        if !in_contract && reported && !others.contains(&key) {
            others.push(key);
        }
    }
    for (family, rule) in others {
        let same: Vec<_> = details
            .findings
            .iter()
            .filter(|f| f.family == family && f.rule == rule)
            .collect();
        let failures: Vec<String> = same
            .iter()
            .filter(|f| f.severity == Severity::Failure)
            .map(|f| f.message.clone())
            .collect();
        let outcome = if !failures.is_empty() {
            CaseOutcome::Failure {
                kind: "assertion",
                message: failures[0].clone(),
                body: failures.join("\n"),
            }
        } else if rule == "not-run" {
            CaseOutcome::Skipped {
                message: same.first().map(|f| f.message.clone()).unwrap_or_default(),
            }
        } else {
            CaseOutcome::Passed
        };
        let mut case = Case::new(&format!("metrics.{family}"), rule, outcome);
        case.output = same
            .iter()
            .filter(|f| f.severity != Severity::Failure && f.rule != "not-run")
            .map(ToString::to_string)
            .collect();
        cases.push(case);
    }
    cases
}

fn load_cases(outcome: &LoadOutcome) -> Vec<Case> {
    let mut cases = Vec::new();
    for threshold in &outcome.thresholds {
        let result = if threshold.passed {
            CaseOutcome::Passed
        } else {
            CaseOutcome::Failure {
                kind: "assertion",
                message: format!(
                    "{}: measured {} {}, limit {} {}",
                    threshold.metric,
                    threshold.measured,
                    threshold.unit,
                    threshold.limit,
                    threshold.unit
                ),
                body: threshold.expression.clone(),
            }
        };
        cases.push(Case::new(
            "load.thresholds",
            threshold.expression.clone(),
            result,
        ));
    }
    let schedule = if outcome.verdict == LoadVerdict::Invalid {
        CaseOutcome::Failure {
            kind: "invalid",
            message: outcome
                .invalid_reasons
                .first()
                .cloned()
                .unwrap_or_else(|| "the run is invalid".into()),
            body: outcome.invalid_reasons.join("\n"),
        }
    } else {
        CaseOutcome::Passed
    };
    let mut case = Case::new(
        "load.validity",
        format!("plan {} ran as scheduled", outcome.plan),
        schedule,
    );
    case.output = outcome.notes.clone();
    cases.push(case);
    for row in &outcome.reconciliation {
        let result = if row.ok {
            CaseOutcome::Passed
        } else {
            CaseOutcome::Failure {
                kind: "assertion",
                message: format!(
                    "sent {} requests, the server counted {}",
                    row.sent, row.counted
                ),
                body: String::new(),
            }
        };
        cases.push(Case::new(
            "load.reconciliation",
            format!("{} {} {}", row.method, row.route, row.status),
            result,
        ));
    }
    for finding in outcome
        .server_findings
        .iter()
        .filter(|f| f.severity == Severity::Failure)
    {
        cases.push(Case::new(
            "load.server",
            format!("{} [{}]", finding.family, finding.rule),
            CaseOutcome::Failure {
                kind: "assertion",
                message: finding.message.clone(),
                body: String::new(),
            },
        ));
    }
    cases
}
