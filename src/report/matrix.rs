//! The endpoint × credential matrix of the reports: one row per spec endpoint, one cell per
//! credential column, each cell `passed` (reached, and every scenario that reached it passed),
//! `failed` (reached by a scenario that failed), `missing` (a column the endpoint has that no
//! request reached) or `n/a` (the column does not apply: the metrics key outside the two
//! metrics rows). Derived from the conformance coverage only.

use crate::conform::coverage::Coverage;
use serde::Serialize;

/// The columns in display order, with what each stands for.
pub const COLUMNS: [(&str, &str); 8] = [
    ("P", "personal access token"),
    ("S", "session token"),
    ("C", "session cookie"),
    ("A", "agent session"),
    ("T", "agent token"),
    ("H", "hook key"),
    ("none", "no credential"),
    ("M", "metrics key"),
];

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum CellState {
    #[serde(rename = "passed")]
    Passed,
    #[serde(rename = "failed")]
    Failed,
    #[serde(rename = "missing")]
    Missing,
    #[serde(rename = "n/a")]
    NotApplicable,
}

#[derive(Clone, Debug, Serialize)]
pub struct MatrixRow {
    /// The row of the spec's endpoint table.
    pub row: u32,
    pub endpoint: String,
    /// One state per column of `COLUMNS`, in order.
    pub cells: Vec<CellState>,
    /// Statuses the endpoint answered during the run.
    pub statuses: Vec<u16>,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct Matrix {
    pub columns: Vec<String>,
    pub rows: Vec<MatrixRow>,
    pub passed: usize,
    pub failed: usize,
    pub missing: usize,
}

impl Matrix {
    pub fn from_coverage(coverage: &Coverage) -> Matrix {
        let mut matrix = Matrix {
            columns: COLUMNS.iter().map(|(c, _)| (*c).to_owned()).collect(),
            ..Matrix::default()
        };
        for endpoint in &coverage.endpoints {
            let cells: Vec<CellState> = COLUMNS
                .iter()
                .map(|(column, _)| {
                    if endpoint.failed_cells.contains(*column) {
                        CellState::Failed
                    } else if endpoint.credentials.contains(*column) {
                        CellState::Passed
                    } else if endpoint.missing_cells.contains(column) {
                        CellState::Missing
                    } else {
                        CellState::NotApplicable
                    }
                })
                .collect();
            for cell in &cells {
                match cell {
                    CellState::Passed => matrix.passed += 1,
                    CellState::Failed => matrix.failed += 1,
                    CellState::Missing => matrix.missing += 1,
                    CellState::NotApplicable => {}
                }
            }
            matrix.rows.push(MatrixRow {
                row: endpoint.row,
                endpoint: endpoint.endpoint.clone(),
                cells,
                statuses: endpoint.statuses.iter().copied().collect(),
            });
        }
        matrix
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conform::coverage::EndpointCoverage;

    #[test]
    fn cells_are_failed_passed_missing_or_not_applicable() {
        let endpoint = EndpointCoverage {
            row: 7,
            endpoint: "GET /api/agencies".into(),
            credentials: ["P", "S", "none"].map(String::from).into(),
            error_credentials: Default::default(),
            statuses: [200, 401].into(),
            missing_cells: vec!["C", "A", "T", "H"],
            failed_cells: ["S".to_owned()].into(),
        };
        let coverage = Coverage {
            endpoints: vec![endpoint],
            ..Coverage::default()
        };
        let matrix = Matrix::from_coverage(&coverage);
        use CellState::*;
        assert_eq!(
            matrix.rows[0].cells,
            [
                Passed,
                Failed,
                Missing,
                Missing,
                Missing,
                Missing,
                Passed,
                NotApplicable
            ]
        );
        assert_eq!(
            (matrix.passed, matrix.failed, matrix.missing),
            (2, 1, 4),
            "totals count every cell but n/a"
        );
    }
}
