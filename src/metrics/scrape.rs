//! One scrape of a target's `/metrics`: fetched with the metrics key (header form), parsed by
//! `exposition`, and kept as owned series values so that two scrapes can be compared.
//! `Selector` picks series by name and a subset of labels (`http_requests_total{path="/x"}`)
//! and sums them. Shared by the conformance steps and, later, the metrics and load engines.

use super::exposition;
use crate::http::{ApiClient, Auth};
use std::collections::BTreeMap;

/// Every sample of one scrape: (sample name, labels sorted by name) → value.
#[derive(Clone, Debug, Default)]
pub struct Scrape {
    pub series: BTreeMap<(String, Vec<(String, String)>), f64>,
}

/// A series selector: a sample name and the labels that must match.
#[derive(Clone, Debug, PartialEq)]
pub struct Selector {
    pub name: String,
    pub labels: Vec<(String, String)>,
}

impl Selector {
    /// Parses `name` or `name{a="x",b="y"}` (values without escapes).
    pub fn parse(text: &str) -> Result<Selector, String> {
        let text = text.trim();
        let (name, rest) = match text.find('{') {
            Some(open) => (&text[..open], Some(&text[open + 1..])),
            None => (text, None),
        };
        let valid = !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':');
        if !valid {
            return Err(format!(
                "{text:?} is not a metric selector (name{{label=\"value\",...}})"
            ));
        }
        let mut labels = Vec::new();
        if let Some(rest) = rest {
            let body = rest
                .strip_suffix('}')
                .ok_or_else(|| format!("{text:?}: the label set is not closed"))?;
            for pair in body.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                let (key, value) = pair
                    .split_once('=')
                    .ok_or_else(|| format!("{text:?}: {pair:?} is not label=\"value\""))?;
                let value = value
                    .trim()
                    .strip_prefix('"')
                    .and_then(|v| v.strip_suffix('"'));
                let value =
                    value.ok_or_else(|| format!("{text:?}: the value of {key} must be quoted"))?;
                labels.push((key.trim().to_owned(), value.to_owned()));
            }
        }
        Ok(Selector {
            name: name.to_owned(),
            labels,
        })
    }
}

/// Label values compare exactly, except `path`, where parameter names do not matter
/// (`/api/dm/:id/messages` is `/api/dm/:agencyId/messages`, endpoints.md §2.1).
fn same_value(label: &str, actual: &str, wanted: &str) -> bool {
    use crate::spec::normalise_template;
    actual == wanted
        || (label == "path" && normalise_template(actual) == normalise_template(wanted))
}

impl Scrape {
    /// The sum of every series the selector picks (0 when none exists yet).
    pub fn sum(&self, selector: &Selector) -> f64 {
        self.series
            .iter()
            .filter(|((name, labels), _)| {
                *name == selector.name
                    && selector.labels.iter().all(|(k, v)| {
                        labels
                            .iter()
                            .any(|(lk, lv)| lk == k && same_value(k, lv, v))
                    })
            })
            .map(|(_, value)| value)
            .sum()
    }

    pub fn from_text(text: &[u8], content_type: Option<&str>) -> Result<Scrape, String> {
        let parsed = exposition::parse_with_content_type(text, content_type);
        if let Some(error) = parsed.errors().next() {
            return Err(format!("the exposition does not parse: {error}"));
        }
        let mut series = BTreeMap::new();
        for (_, sample) in parsed.samples() {
            let mut labels: Vec<(String, String)> = sample
                .labels
                .iter()
                .map(|l| (l.name.to_owned(), l.value.to_string()))
                .collect();
            labels.sort();
            series.insert((sample.name.to_owned(), labels), sample.value);
        }
        Ok(Scrape { series })
    }

    /// Fetches and parses `/metrics` (the key, if any, in `X-Metrics-Key`).
    pub async fn fetch(client: &ApiClient, key: Option<&str>) -> Result<Scrape, String> {
        let auth = key
            .map(|k| Auth::MetricsKey(k.to_owned()))
            .unwrap_or_default();
        let exchange = client
            .send("GET", "/metrics", &auth, None, &[])
            .await
            .map_err(|e| e.to_string())?;
        if exchange.status != 200 {
            return Err(format!("GET /metrics answered {}", exchange.status));
        }
        let content_type = exchange.header("content-type").map(str::to_owned);
        Scrape::from_text(exchange.body.as_bytes(), content_type.as_deref())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selectors_pick_and_sum_series() {
        let text = b"# TYPE http_requests_total counter\nhttp_requests_total{method=\"GET\",path=\"/a\",status=\"200\"} 3\nhttp_requests_total{method=\"GET\",path=\"/a\",status=\"404\"} 1\nhttp_requests_total{method=\"POST\",path=\"/a\",status=\"201\"} 2\n";
        let scrape = Scrape::from_text(text, None).unwrap();
        let get = Selector::parse(r#"http_requests_total{path="/a",method="GET"}"#).unwrap();
        assert_eq!(scrape.sum(&get), 4.0);
        assert_eq!(
            scrape.sum(&Selector::parse("http_requests_total").unwrap()),
            6.0
        );
        assert_eq!(scrape.sum(&Selector::parse("nothing_total").unwrap()), 0.0);
        assert!(Selector::parse("bad name{").is_err());
        assert!(Selector::parse("x{a=b}").is_err());
    }
}
