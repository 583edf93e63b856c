//! Redaction at every output boundary. One `Redactor` knows every secret of a run (the five
//! credential kinds, the metrics key, claim codes) and replaces each of its written forms —
//! raw, URL-encoded (both `%20` and `+` styles) and JSON-escaped — with `***`. Every writer
//! (console, reports, logs) passes text through it. `Secret` holds a value whose `Debug` and
//! `Display` never show it.

use parking_lot::RwLock;
use std::fmt;
use std::sync::Arc;

pub const MASK: &str = "***";

/// A secret value: printing it shows `***`; `expose()` is the only way to the value.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(MASK)
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(MASK)
    }
}

/// The set of secrets of one run; cheap to clone and share between threads.
#[derive(Clone, Default)]
pub struct Redactor {
    /// Every written form of every secret, longest first so that a secret containing another
    /// is replaced whole.
    forms: Arc<RwLock<Vec<String>>>,
}

// Never prints the secrets, only how many forms it knows.
impl fmt::Debug for Redactor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Redactor({} forms)", self.forms.read().len())
    }
}

/// Secrets shorter than this are not registered: masking two-letter strings would shred
/// ordinary text, and no credential of the API is that short.
const MIN_SECRET_LEN: usize = 6;

fn url_encoded(value: &str, space_as_plus: bool) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                out.push(byte as char)
            }
            b' ' if space_as_plus => out.push('+'),
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

fn json_escaped(value: &str) -> String {
    let quoted = serde_json::to_string(value).unwrap_or_default();
    quoted.trim_matches('"').to_owned()
}

impl Redactor {
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers a secret in all its written forms.
    pub fn add(&self, secret: &str) {
        if secret.len() < MIN_SECRET_LEN {
            return;
        }
        let candidates = [
            secret.to_owned(),
            url_encoded(secret, false),
            url_encoded(secret, true),
            url_encoded(secret, false).to_lowercase(),
            json_escaped(secret),
        ];
        let mut forms = self.forms.write();
        for form in candidates {
            if !forms.contains(&form) {
                forms.push(form);
            }
        }
        forms.sort_by_key(|f| std::cmp::Reverse(f.len()));
    }

    pub fn add_secret(&self, secret: &Secret) {
        self.add(secret.expose());
    }

    /// `text` with every registered form of every secret replaced by `***`.
    pub fn redact(&self, text: &str) -> String {
        let forms = self.forms.read();
        let mut out = text.to_owned();
        for form in forms.iter() {
            if out.contains(form.as_str()) {
                out = out.replace(form.as_str(), MASK);
            }
        }
        out
    }

    /// True when `text` still holds any registered form (for leak sweeps in tests).
    pub fn leaks(&self, text: &str) -> bool {
        self.forms
            .read()
            .iter()
            .any(|form| text.contains(form.as_str()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_written_form_is_masked() {
        let redactor = Redactor::new();
        let secret = "cru_ab/cd+ef \"q\" ü";
        redactor.add(secret);
        let texts = [
            format!("Authorization: Bearer {secret}"),
            format!("?key={}", url_encoded(secret, false)),
            format!("?key={}", url_encoded(secret, true)),
            format!("{{\"token\":{}}}", serde_json::to_string(secret).unwrap()),
        ];
        for text in texts {
            let redacted = redactor.redact(&text);
            assert!(!redactor.leaks(&redacted), "{text} → {redacted}");
            assert!(redacted.contains(MASK));
        }
    }

    #[test]
    fn secret_newtype_never_prints_its_value() {
        let secret = Secret::new("sk_0123456789");
        assert_eq!(format!("{secret:?} {secret}"), "*** ***");
        assert_eq!(secret.expose(), "sk_0123456789");
    }

    #[test]
    fn longer_secrets_win_and_short_values_are_ignored() {
        let redactor = Redactor::new();
        redactor.add("abcdef");
        redactor.add("abcdef123456");
        redactor.add("ab");
        assert_eq!(
            redactor.redact("x abcdef123456 y abcdef z ab"),
            "x *** y *** z ab"
        );
    }
}
