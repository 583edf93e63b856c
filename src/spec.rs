//! The spec's endpoint table (fixtures/endpoints.json, the 83 rows of endpoints.md §2), built
//! into the binary: which row a request hits, what statuses that row lists, whether it needs
//! a credential. Shared by the steps (error-body rule), coverage and the reference tests.

use serde::Deserialize;
use std::sync::OnceLock;

#[derive(Debug, Deserialize)]
pub struct Endpoint {
    pub row: u32,
    pub method: String,
    pub path: String,
    /// Credential codes the row accepts: P S C A T H, `metrics-key`; empty for `none`.
    pub credentials: Vec<String>,
    /// `required`, `optional`, `none` or `body` (the agent token of `POST /api/auth/agent`).
    pub auth: String,
    pub success: u16,
    pub errors: Vec<u16>,
    pub errors_documented: Vec<u16>,
    pub evidence: String,
}

#[derive(Deserialize)]
struct Table {
    count: usize,
    endpoints: Vec<Endpoint>,
}

const TABLE: &str = include_str!("../fixtures/endpoints.json");

/// All rows, in table order.
pub fn endpoints() -> &'static [Endpoint] {
    static PARSED: OnceLock<Vec<Endpoint>> = OnceLock::new();
    PARSED.get_or_init(|| {
        // The table is part of the binary and covered by tests; a broken fixture is a build defect.
        let table: Table = serde_json::from_str(TABLE).expect("fixtures/endpoints.json parses");
        assert_eq!(
            table.count,
            table.endpoints.len(),
            "fixtures/endpoints.json count"
        );
        table.endpoints
    })
}

impl Endpoint {
    /// The row's statuses that count as documented errors: its Errors column, plus 401 when
    /// it needs a credential (endpoints.md §1.3).
    pub fn lists_status(&self, status: u16) -> bool {
        self.errors.contains(&status) || (status == 401 && self.auth == "required")
    }

    pub fn needs_credential(&self) -> bool {
        self.auth == "required"
    }
}

/// How well `template` matches the concrete `path`: `None` if not at all, else the number of
/// static segments (more is a better match, so `/lookup/:slug` beats `/:id`).
fn score(template: &str, path: &str) -> Option<usize> {
    let path = path.split('?').next().unwrap_or(path);
    let (t, p): (Vec<&str>, Vec<&str>) = (template.split('/').collect(), path.split('/').collect());
    if t.len() != p.len() {
        return None;
    }
    let mut statics = 0;
    for (ts, ps) in t.iter().zip(&p) {
        if ts.starts_with(':') {
            if ps.is_empty() {
                return None;
            }
        } else if ts == ps {
            statics += 1;
        } else {
            return None;
        }
    }
    Some(statics)
}

/// A route template with every parameter (`:x` or `{x}`) written `:`, so that templates
/// compare whatever their parameter names.
pub fn normalise_template(template: &str) -> String {
    template
        .split('/')
        .map(|s| {
            if s.starts_with(':') || s.starts_with('{') {
                ":"
            } else {
                s
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// The row a request hits, by method and concrete path (query ignored).
pub fn find(method: &str, path: &str) -> Option<&'static Endpoint> {
    endpoints()
        .iter()
        .filter(|e| e.method.eq_ignore_ascii_case(method))
        .filter_map(|e| score(&e.path, path).map(|s| (s, e)))
        .max_by_key(|(s, _)| *s)
        .map(|(_, e)| e)
}

/// Whether any row has this path template, whatever the method.
pub fn path_is_known(path: &str) -> bool {
    endpoints().iter().any(|e| score(&e.path, path).is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_has_83_rows_and_matches_static_segments_first() {
        assert_eq!(endpoints().len(), 83);
        assert_eq!(find("GET", "/api/agencies/lookup/my-team").unwrap().row, 17);
        assert_eq!(find("POST", "/api/agencies/invite/redeem").unwrap().row, 23);
        assert_eq!(find("POST", "/api/agencies/abc/join?x=1").unwrap().row, 18);
        assert_eq!(
            find("GET", "/api/webhook-subscriptions/meta/events")
                .unwrap()
                .row,
            76
        );
        assert_eq!(
            find("GET", "/api/webhook-subscriptions/abc").unwrap().row,
            77
        );
        assert!(find("GET", "/api/agencies/abc").is_none());
        assert!(path_is_known("/api/agencies/abc/members"));
        assert!(!path_is_known("/api/nope"));
    }

    #[test]
    fn listed_statuses_include_the_implied_401() {
        let me = find("GET", "/api/auth/me").unwrap();
        assert!(me.lists_status(401) && !me.lists_status(404));
        let explore = find("GET", "/api/explore/agencies").unwrap();
        assert!(!explore.lists_status(401) && explore.lists_status(400));
    }
}
