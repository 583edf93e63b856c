//! Calls the reference server makes to outside URLs (webhook deliveries, agent response
//! webhooks): one POST with a JSON body, re-checked by the SSRF guard at call time, connected
//! only to the checked addresses, no redirects, bounded by a real-time timeout. Also the
//! `X-Crustocean-Signature` computation (endpoints.md §18.4).

use super::AppState;
use super::ssrf;
use axum::body::Bytes;
use hmac::{Hmac, Mac};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use sha2::Sha256;
use std::time::Duration;

pub const SIGNATURE_HEADER: &str = "x-crustocean-signature";
pub const USER_AGENT: &str = "Crustocean-Webhooks/1.0";

/// `sha256=<lower-case hex of HMAC-SHA256(secret, body)>`.
pub fn signature(secret: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// Checks a `sha256=<hex>` signature over `body` in constant time.
pub fn verify_signature(secret: &str, body: &[u8], header: &str) -> bool {
    let Some(hex_digest) = header.trim().strip_prefix("sha256=") else {
        return false;
    };
    let Ok(expected) = hex::decode(hex_digest) else {
        return false;
    };
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key");
    mac.update(body);
    mac.verify_slice(&expected).is_ok()
}

/// Why an outbound call produced no HTTP answer.
#[derive(Debug)]
pub enum CallError {
    /// The SSRF guard refused the destination at call time.
    Refused(String),
    /// Connecting, sending or reading failed, or the timeout passed.
    Failed(String),
}

/// What came back from an outbound call.
pub struct Reply {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Bytes,
}

#[derive(Default)]
pub struct Outbound;

impl Outbound {
    pub fn new() -> Self {
        Outbound
    }

    /// POSTs `body` to `url` with `headers`; `Err` names why no HTTP answer came back.
    pub async fn post(
        &self,
        app: &AppState,
        url: &str,
        body: Vec<u8>,
        headers: Vec<(&'static str, String)>,
        timeout: Duration,
    ) -> Result<Reply, CallError> {
        let (_, parsed) = ssrf::parse(url).map_err(|e| CallError::Refused(e.message))?;
        let addresses = ssrf::resolve_for_call(app, &parsed)
            .await
            .map_err(CallError::Refused)?;
        let host = parsed
            .host_str()
            .unwrap_or_default()
            .trim_matches(['[', ']'])
            .to_owned();
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(timeout)
            .resolve_to_addrs(&host, &addresses)
            .build()
            .map_err(|e| CallError::Failed(format!("cannot build HTTP client: {e}")))?;
        let mut header_map = HeaderMap::new();
        header_map.insert(
            reqwest::header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        header_map.insert(
            reqwest::header::USER_AGENT,
            HeaderValue::from_static(USER_AGENT),
        );
        for (name, value) in headers {
            if let Ok(value) = HeaderValue::from_str(&value) {
                header_map.insert(HeaderName::from_static(name), value);
            }
        }
        let response = client
            .post(parsed)
            .headers(header_map)
            .body(body)
            .send()
            .await
            .map_err(|e| CallError::Failed(format!("request failed: {e}")))?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response
            .bytes()
            .await
            .map_err(|e| CallError::Failed(format!("reading the answer failed: {e}")))?;
        Ok(Reply {
            status,
            headers,
            body,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc4231_case_2_and_verification() {
        let sig = signature("Jefe", b"what do ya want for nothing?");
        assert_eq!(
            sig,
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        assert!(verify_signature(
            "Jefe",
            b"what do ya want for nothing?",
            &sig
        ));
        assert!(!verify_signature("Jefe", b"tampered", &sig));
        assert!(!verify_signature(
            "Jefe",
            b"what do ya want for nothing?",
            "5bdc"
        ));
    }
}
