//! Coverage of the spec by a run: for every endpoint of fixtures/endpoints.json, which
//! credential types reached it and which statuses came back. The matrix has one cell per
//! endpoint and credential type (P S C A T H and none, plus the metrics key on the two
//! metrics rows); a cell counts when a request of that type reached the endpoint, whatever
//! the answer (allow and deny are both asserted by the features).

use super::context::Records;
use crate::spec;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// The matrix's column for a credential label, `None` for error-path credentials
/// (malformed, revoked, expired, captured ones), which count as error paths only.
fn column(label: &str) -> Option<&'static str> {
    Some(match label.trim_start_matches("other ") {
        "pat" => "P",
        "session" => "S",
        "cookie" => "C",
        "agent session" => "A",
        "agent token" => "T",
        "hook key" => "H",
        "none" => "none",
        "metrics key" => "M",
        _ => return None,
    })
}

fn columns_of(endpoint: &spec::Endpoint) -> Vec<&'static str> {
    let mut columns = vec!["P", "S", "C", "A", "T", "H", "none"];
    if endpoint.credentials.iter().any(|c| c == "metrics-key") {
        columns.push("M");
    }
    columns
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct EndpointCoverage {
    pub row: u32,
    pub endpoint: String,
    pub credentials: BTreeSet<String>,
    pub error_credentials: BTreeSet<String>,
    pub statuses: BTreeSet<u16>,
    pub missing_cells: Vec<&'static str>,
    /// Columns reached by a scenario that failed: the matrix shows these cells as failed.
    pub failed_cells: BTreeSet<String>,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct Coverage {
    pub endpoints: Vec<EndpointCoverage>,
    pub endpoints_covered: usize,
    pub cells_total: usize,
    pub cells_covered: usize,
    /// Requests to paths that are not in the spec: each is an error of a feature.
    pub unknown_paths: Vec<String>,
}

impl Coverage {
    pub fn collect(records: &Records) -> Coverage {
        let failed: BTreeSet<String> = records
            .results
            .lock()
            .iter()
            .filter(|r| r.outcome == "failed")
            .map(|r| r.key())
            .collect();
        let mut by_row: BTreeMap<u32, EndpointCoverage> = BTreeMap::new();
        for hit in records.hits.lock().iter() {
            let entry = by_row.entry(hit.row).or_default();
            entry.statuses.insert(hit.status);
            match column(&hit.credential) {
                Some(col) => {
                    if failed.contains(&hit.scenario) {
                        entry.failed_cells.insert(col.to_owned());
                    }
                    entry.credentials.insert(col.to_owned())
                }
                None => entry.error_credentials.insert(hit.credential.clone()),
            };
        }
        let mut coverage = Coverage::default();
        for endpoint in spec::endpoints() {
            let mut entry = by_row.remove(&endpoint.row).unwrap_or_default();
            entry.row = endpoint.row;
            entry.endpoint = format!("{} {}", endpoint.method, endpoint.path);
            let columns = columns_of(endpoint);
            entry.missing_cells = columns
                .iter()
                .copied()
                .filter(|c| !entry.credentials.contains(*c))
                .collect();
            coverage.cells_total += columns.len();
            coverage.cells_covered += columns.len() - entry.missing_cells.len();
            if !entry.statuses.is_empty() {
                coverage.endpoints_covered += 1;
            }
            coverage.endpoints.push(entry);
        }
        let mut unknown: Vec<String> = records.unknown_paths.lock().clone();
        unknown.sort();
        unknown.dedup();
        coverage.unknown_paths = unknown;
        coverage
    }

    /// The `--coverage` table.
    pub fn render(&self) -> String {
        let mut out = String::new();
        for e in &self.endpoints {
            let creds: Vec<&str> = e.credentials.iter().map(String::as_str).collect();
            let statuses: Vec<String> = e.statuses.iter().map(u16::to_string).collect();
            let missing = if e.missing_cells.is_empty() {
                String::new()
            } else {
                format!("  MISSING {}", e.missing_cells.join(" "))
            };
            out.push_str(&format!(
                "{:>3} {:<62} creds {:<18} statuses {}{missing}\n",
                e.row,
                e.endpoint,
                creds.join(" "),
                statuses.join(",")
            ));
        }
        let total = self.endpoints.len();
        out.push_str(&format!(
            "endpoints covered: {}/{} ({:.0}%)   endpoint x credential cells: {}/{} ({:.0}%)\n",
            self.endpoints_covered,
            total,
            100.0 * self.endpoints_covered as f64 / total.max(1) as f64,
            self.cells_covered,
            self.cells_total,
            100.0 * self.cells_covered as f64 / self.cells_total.max(1) as f64
        ));
        for path in &self.unknown_paths {
            out.push_str(&format!(
                "error: a feature calls {path}, which is not in the spec\n"
            ));
        }
        out
    }
}
