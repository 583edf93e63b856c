//! `tidegauge serve`: the options of endpoints.md §27.2 under exactly those names, plus
//! `--fault NAME` (repeatable) and `--list-faults`.

use crate::server::ServerConfig;
use crate::server::faults::{Fault, FaultSet};
use clap::Args;
use std::net::SocketAddr;

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on; port 0 picks a free port.
    #[arg(long, default_value = "127.0.0.1:8080", help_heading = "Server")]
    pub addr: SocketAddr,

    /// Base of the claim-verify links in e-mails (default: http://<bound address>).
    #[arg(long, help_heading = "Server")]
    pub api_base_url: Option<String>,

    /// Base of claim URLs and claim-verify redirects.
    #[arg(
        long,
        default_value = "https://crustocean.chat",
        help_heading = "Server"
    )]
    pub app_base_url: String,

    /// Let webhook URLs that point at loopback, private or link-local addresses through.
    #[arg(long, help_heading = "Server")]
    pub allow_private_webhook_urls: bool,

    /// Protects /metrics and /metrics/json (env METRICS_SECRET when absent; unset = open).
    #[arg(
        long,
        env = "METRICS_SECRET",
        hide_env_values = true,
        help_heading = "Metrics"
    )]
    pub metrics_secret: Option<String>,

    /// Lifetime of the cached database gauges in seconds; 0 recomputes on every scrape.
    #[arg(long, default_value_t = 30.0, help_heading = "Metrics")]
    pub metrics_cache_ttl: f64,

    /// Each documented rate limit becomes max(1, floor(limit × factor)); factor > 0.
    #[arg(long, default_value_t = 1.0, help_heading = "Limits")]
    pub rate_limit_scale: f64,

    /// Switch the documented rate limits off (wins over --rate-limit-scale).
    #[arg(long, help_heading = "Limits")]
    pub no_rate_limits: bool,

    /// Add `Secure` to the session cookie.
    #[arg(long, help_heading = "Server")]
    pub secure_cookies: bool,

    /// Mount the /__reference/... test controls (clock, outbox, DNS override).
    #[arg(long, help_heading = "Server")]
    pub test_controls: bool,

    /// Take the client IP from the last X-Forwarded-For address.
    #[arg(long, help_heading = "Limits")]
    pub trust_proxy: bool,

    /// Inject a named fault (repeatable); see --list-faults.
    #[arg(long = "fault", value_name = "NAME", help_heading = "Faults")]
    pub faults: Vec<Fault>,

    /// Print every fault with what it breaks, and exit.
    #[arg(long, help_heading = "Faults")]
    pub list_faults: bool,
}

impl ServeArgs {
    /// The validated server configuration; `Err` names the offending option.
    pub fn to_config(&self) -> Result<ServerConfig, String> {
        if !(self.rate_limit_scale > 0.0 && self.rate_limit_scale.is_finite()) {
            return Err(format!(
                "--rate-limit-scale must be a number greater than 0 (got {})",
                self.rate_limit_scale
            ));
        }
        if !(self.metrics_cache_ttl >= 0.0 && self.metrics_cache_ttl.is_finite()) {
            return Err(format!(
                "--metrics-cache-ttl must be 0 or more seconds (got {})",
                self.metrics_cache_ttl
            ));
        }
        for (flag, url) in [
            ("--api-base-url", &self.api_base_url),
            ("--app-base-url", &Some(self.app_base_url.clone())),
        ] {
            if let Some(url) = url
                && url::Url::parse(url).is_err()
            {
                return Err(format!("{flag} must be an absolute URL (got {url})"));
            }
        }
        Ok(ServerConfig {
            addr: self.addr,
            api_base_url: self
                .api_base_url
                .clone()
                .map(|u| u.trim_end_matches('/').to_owned()),
            app_base_url: self.app_base_url.trim_end_matches('/').to_owned(),
            allow_private_webhook_urls: self.allow_private_webhook_urls,
            metrics_secret: self.metrics_secret.clone().filter(|s| !s.is_empty()),
            metrics_cache_ttl_secs: self.metrics_cache_ttl,
            rate_limit_scale: self.rate_limit_scale,
            no_rate_limits: self.no_rate_limits,
            secure_cookies: self.secure_cookies,
            test_controls: self.test_controls,
            trust_proxy: self.trust_proxy,
            faults: FaultSet::new(self.faults.iter().copied()),
        })
    }
}

/// The `--list-faults` listing: one line per fault.
pub fn fault_listing() -> String {
    Fault::ALL
        .iter()
        .map(|f| format!("{:<28} {:<12} {}\n", f.name(), f.area(), f.describe()))
        .collect()
}
