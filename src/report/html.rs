//! `report.html`: one self-contained page (inline CSS and SVG, no script, no external URL)
//! rendered by minijinja from `report.html` beside this file: the verdict banner, the
//! endpoint × credential matrix, failing steps with their redacted request and response, the
//! metrics contract table, and for a load phase its latency table, histograms and timeline
//! charts (`charts`), thresholds, reconciliation and baseline deltas.
//!
//! Everything that came from the target or the plan is escaped by minijinja's HTML
//! auto-escaping (the template's name ends in `.html`); only the chart SVGs, which `charts`
//! builds from numbers and markup-free names, are inserted as they are.

use super::{PhaseStatus, RunReport, charts, matrix};
use crate::metrics::findings::Severity;
use minijinja::value::{Serde, Value};
use minijinja::{Environment, context};
use serde::Serialize;

/// A serde value as a template value.
fn value<T: Serialize>(x: &T) -> Value {
    Value::from(Serde(x))
}

const TEMPLATE: &str = include_str!("report.html");

pub fn render(report: &RunReport) -> anyhow::Result<String> {
    let mut env = Environment::new();
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
    env.add_template("report.html", TEMPLATE)
        .map_err(|e| anyhow::anyhow!("the report template does not parse: {e:#}"))?;
    let template = env
        .get_template("report.html")
        .map_err(|e| anyhow::anyhow!("{e:#}"))?;

    let scenarios = report
        .phases
        .conform
        .details
        .as_ref()
        .map(|d| d.scenarios.as_slice())
        .unwrap_or_default();
    let failed_scenarios: Vec<_> = scenarios.iter().filter(|s| s.outcome == "failed").collect();
    let not_run: Vec<_> = scenarios
        .iter()
        .filter(|s| s.outcome == "not run")
        .collect();
    let assumptions: Vec<_> = scenarios
        .iter()
        .filter(|s| !s.warnings.is_empty())
        .collect();
    let other_findings: Vec<_> = report
        .phases
        .metrics
        .details
        .as_ref()
        .map(|d| {
            d.findings
                .iter()
                .filter(|f| !d.contract.iter().any(|r| r.family == f.family))
                .filter(|f| f.severity != Severity::Info || f.rule == "not-run")
                .collect()
        })
        .unwrap_or_default();
    let load = report.phases.load.details.as_ref();
    let charts = match load {
        Some(outcome) => charts::for_load(outcome)?,
        None => Vec::new(),
    };
    let latency_rows: Vec<_> = load
        .map(|l| l.requests.iter().chain([&l.total]).collect())
        .unwrap_or_default();
    let phases: Vec<(&str, PhaseStatus, u8)> = vec![
        (
            "conformance",
            report.phases.conform.status,
            report.phases.conform.exit_code,
        ),
        (
            "metrics",
            report.phases.metrics.status,
            report.phases.metrics.exit_code,
        ),
        (
            "load",
            report.phases.load.status,
            report.phases.load.exit_code,
        ),
    ];
    let phases: Vec<_> = phases
        .into_iter()
        .map(|(name, status, exit_code)| (name, context! { status => value(&status), exit_code }))
        .collect();
    template
        .render(context! {
            report => value(report),
            phases,
            columns => matrix::COLUMNS.to_vec(),
            failed_scenarios => value(&failed_scenarios),
            not_run => value(&not_run),
            assumptions => value(&assumptions),
            other_findings => value(&other_findings),
            charts => value(&charts),
            latency_rows => value(&latency_rows),
        })
        .map_err(|e| anyhow::anyhow!("cannot render report.html: {e:#}"))
}
