//! `report.json`: the `RunReport` as JSON, every phase with its verdict and details. The layout
//! is published as fixtures/report.schema.json (JSON Schema 2020-12) and versioned by
//! `schema_version`; tests validate real output against it.

use super::RunReport;

pub fn render(report: &RunReport) -> anyhow::Result<String> {
    let mut text = serde_json::to_string_pretty(report)
        .map_err(|e| anyhow::anyhow!("cannot serialise the run report: {e}"))?;
    text.push('\n');
    Ok(text)
}
