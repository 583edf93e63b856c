//! The SSRF guard on outbound URLs (endpoints.md §20): URL rules, the blocked destinations,
//! the save-time check and the call-time resolution, with the resolver override of the test
//! control `POST /__reference/dns`. `--allow-private-webhook-urls` lets blocked destinations
//! through at both times; the URL syntax rules always apply.

use super::AppState;
use super::error::ApiError;
use parking_lot::RwLock;
use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;
use url::{Host, Url};

pub const REFUSAL: &str = "Webhook URL must point to a public http(s) address";

/// Host name → addresses set by the test control; consulted before the system resolver.
#[derive(Default)]
pub struct DnsOverrides(RwLock<HashMap<String, Vec<IpAddr>>>);

impl DnsOverrides {
    pub fn set(&self, host: &str, addresses: Vec<IpAddr>) {
        let key = host.to_lowercase();
        let mut map = self.0.write();
        if addresses.is_empty() {
            map.remove(&key);
        } else {
            map.insert(key, addresses);
        }
    }

    fn get(&self, host: &str) -> Option<Vec<IpAddr>> {
        self.0.read().get(&host.to_lowercase()).cloned()
    }
}

fn blocked_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    a == 0
        || a == 10
        || (a == 100 && (64..128).contains(&b))
        || a == 127
        || (a == 169 && b == 254)
        || (a == 172 && (16..32).contains(&b))
        || (a == 192 && b == 168)
        || a >= 224
}

fn blocked_v6(ip: Ipv6Addr) -> bool {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return blocked_v4(v4);
    }
    let first = ip.segments()[0];
    ip.is_unspecified()
        || ip.is_loopback()
        || (first & 0xfe00) == 0xfc00
        || (first & 0xffc0) == 0xfe80
        || (first & 0xff00) == 0xff00
}

/// True for the destinations §20 blocks.
pub fn is_blocked(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => blocked_v4(v4),
        IpAddr::V6(v6) => blocked_v6(v6),
    }
}

fn refusal() -> ApiError {
    ApiError::bad_request(REFUSAL)
}

/// Syntax rules: absolute, http(s), no user-info, at most 2048 characters. Returns the
/// trimmed URL text and its parsed form.
pub fn parse(raw: &str) -> Result<(String, Url), ApiError> {
    let trimmed = raw.trim();
    if trimmed.is_empty() || trimmed.len() > 2048 {
        return Err(refusal());
    }
    let url = Url::parse(trimmed).map_err(|_| refusal())?;
    let has_userinfo = !url.username().is_empty() || url.password().is_some();
    if !matches!(url.scheme(), "http" | "https") || has_userinfo || url.host().is_none() {
        return Err(refusal());
    }
    Ok((trimmed.to_owned(), url))
}

/// A literal address or a `localhost` name, judged without resolving.
fn literal_destination(url: &Url) -> Option<bool> {
    match url.host()? {
        Host::Ipv4(ip) => Some(blocked_v4(ip)),
        Host::Ipv6(ip) => Some(blocked_v6(ip)),
        Host::Domain(name) => {
            let name = name.trim_end_matches('.').to_lowercase();
            (name == "localhost" || name.ends_with(".localhost")).then_some(true)
        }
    }
}

async fn system_resolve(host: &str, port: u16) -> Option<Vec<IpAddr>> {
    let lookup = tokio::net::lookup_host((host, port));
    match tokio::time::timeout(Duration::from_secs(2), lookup).await {
        Ok(Ok(addrs)) => Some(addrs.map(|a| a.ip()).collect()),
        _ => None,
    }
}

/// The save-time check of an outbound URL field; returns the trimmed URL to store.
pub async fn check_at_save(app: &AppState, raw: &str) -> Result<String, ApiError> {
    let (text, url) = parse(raw)?;
    if app.config.allow_private_webhook_urls {
        return Ok(text);
    }
    if let Some(blocked) = literal_destination(&url) {
        return if blocked { Err(refusal()) } else { Ok(text) };
    }
    let host = url.host_str().unwrap_or_default();
    let port = url.port_or_known_default().unwrap_or(443);
    let addresses = match app.dns.get(host) {
        Some(addresses) => Some(addresses),
        None => system_resolve(host, port).await,
    };
    // Resolution failed or timed out: accepted; the call-time check decides (§20).
    if addresses.unwrap_or_default().into_iter().any(is_blocked) {
        return Err(refusal());
    }
    Ok(text)
}

/// The call-time check: every address the host resolves to must be allowed; returns the
/// addresses the connection may use.
pub async fn resolve_for_call(app: &AppState, url: &Url) -> Result<Vec<SocketAddr>, String> {
    let host = url
        .host_str()
        .ok_or("URL has no host")?
        .trim_matches(['[', ']'])
        .to_owned();
    let port = url.port_or_known_default().ok_or("URL has no port")?;
    let addresses = match url.host() {
        Some(Host::Ipv4(ip)) => vec![IpAddr::V4(ip)],
        Some(Host::Ipv6(ip)) => vec![IpAddr::V6(ip)],
        _ => match app.dns.get(&host) {
            Some(addresses) => addresses,
            None => system_resolve(&host, port)
                .await
                .ok_or("host does not resolve")?,
        },
    };
    if addresses.is_empty() {
        return Err("host resolves to no address".into());
    }
    let private =
        literal_destination(url) == Some(true) || addresses.iter().any(|a| is_blocked(*a));
    if private && !app.config.allow_private_webhook_urls {
        return Err("destination is not a public address".into());
    }
    Ok(addresses
        .into_iter()
        .map(|ip| SocketAddr::new(ip, port))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocked_ranges() {
        for ip in [
            "127.0.0.1",
            "10.0.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "172.16.0.1",
            "0.0.0.0",
            "224.0.0.1",
            "255.255.255.255",
            "::1",
            "::",
            "fc00::1",
            "fe80::1",
            "ff02::1",
            "::ffff:127.0.0.1",
        ] {
            assert!(is_blocked(ip.parse().unwrap()), "{ip} must be blocked");
        }
        for ip in [
            "93.184.215.14",
            "8.8.8.8",
            "172.32.0.1",
            "100.128.0.1",
            "2606:2800::1",
        ] {
            assert!(!is_blocked(ip.parse().unwrap()), "{ip} must be allowed");
        }
    }

    #[test]
    fn url_syntax_rules() {
        assert!(parse(" https://example.com/x ").is_ok());
        for bad in [
            "ftp://example.com",
            "example.com/x",
            "https://user:pw@example.com",
            "",
        ] {
            assert!(parse(bad).is_err(), "{bad} must be refused");
        }
        let (_, url) = parse("http://[::1]:8080/").unwrap();
        assert_eq!(literal_destination(&url), Some(true));
        let (_, url) = parse("http://api.localhost/").unwrap();
        assert_eq!(literal_destination(&url), Some(true));
    }
}
