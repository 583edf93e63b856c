//! The configuration of `tidegauge run`, layered defaults < `tidegauge.toml` < `TIDEGAUGE_*`
//! environment < command-line flags, into a validated, clap-free `RunPlan`.
//!
//! Secrets (the metrics key, the pre-provisioned accounts' passwords) come from the
//! environment or from files named in the configuration (`metrics_key_file`, ...); the file
//! itself may not hold one. A secret given as a flag is accepted with a warning (process lists
//! and shell history show it). Every secret is returned in `RunPlan::secrets` so that every
//! output redacts it. The environment is read through an injected function: tests never touch
//! the process environment.

use crate::cli::limits::Limits;
use crate::conform::context::Profile;
use crate::conform::identities::Preprovisioned;
use crate::http::Secret;
use crate::server::faults::{Fault, FaultSet};
use serde::Deserialize;
use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// The configuration file read when none is named and it exists in the working folder.
pub const DEFAULT_FILE: &str = "tidegauge.toml";

/// A phase of the run, in running order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PhaseName {
    Conform,
    Metrics,
    Load,
}

impl PhaseName {
    pub const ALL: [PhaseName; 3] = [PhaseName::Conform, PhaseName::Metrics, PhaseName::Load];

    pub fn name(self) -> &'static str {
        match self {
            PhaseName::Conform => "conform",
            PhaseName::Metrics => "metrics",
            PhaseName::Load => "load",
        }
    }
}

impl FromStr for PhaseName {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        match text.trim() {
            "conform" | "conformance" => Ok(PhaseName::Conform),
            "metrics" => Ok(PhaseName::Metrics),
            "load" => Ok(PhaseName::Load),
            other => Err(format!(
                "unknown phase {other:?} (expected conform, metrics or load)"
            )),
        }
    }
}

/// What the command line said; `None`/empty/false where a flag was not given.
#[derive(Clone, Debug, Default)]
pub struct RunFlags {
    pub config: Option<PathBuf>,
    pub base_url: Option<String>,
    pub metrics_key: Option<String>,
    pub metrics_key_file: Option<PathBuf>,
    pub plan: Option<PathBuf>,
    pub reports: Option<PathBuf>,
    pub skip: Vec<PhaseName>,
    pub fail_fast: bool,
    pub quiet: bool,
    pub json: bool,
    pub features: Option<PathBuf>,
    pub tags: Option<String>,
    pub profile: Option<Profile>,
    pub reference_faults: Vec<Fault>,
    pub allow_load: bool,
    pub allow_rate_limit_probing: bool,
    pub baseline: Option<PathBuf>,
    pub calibration: Option<PathBuf>,
}

/// `tidegauge.toml`: every key optional; relative paths are relative to the file's folder.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    base_url: Option<String>,
    metrics_key_file: Option<PathBuf>,
    plan: Option<PathBuf>,
    reports: Option<PathBuf>,
    skip: Option<Vec<String>>,
    fail_fast: Option<bool>,
    features: Option<PathBuf>,
    tags: Option<String>,
    profile: Option<String>,
    owner_username: Option<String>,
    owner_password_file: Option<PathBuf>,
    other_username: Option<String>,
    other_password_file: Option<PathBuf>,
    allow_load: Option<bool>,
    allow_rate_limit_probing: Option<bool>,
    baseline: Option<PathBuf>,
    calibration: Option<PathBuf>,
}

/// Keys that would put a secret into a file that tends to be committed.
const SECRET_KEYS: [(&str, &str); 3] = [
    ("metrics_key", "metrics_key_file or TIDEGAUGE_METRICS_KEY"),
    (
        "owner_password",
        "owner_password_file or TIDEGAUGE_OWNER_PASSWORD",
    ),
    (
        "other_password",
        "other_password_file or TIDEGAUGE_OTHER_PASSWORD",
    ),
];

/// A validated run.
#[derive(Clone, Debug)]
pub struct RunPlan {
    /// The configuration file that was read, if any.
    pub config_file: Option<PathBuf>,
    /// `None`: the embedded reference target.
    pub base_url: Option<String>,
    pub metrics_key: Option<Secret>,
    pub reference_faults: FaultSet,
    pub reports: PathBuf,
    /// The load plan (read by the load phase).
    pub load_plan: PathBuf,
    pub skip: BTreeSet<PhaseName>,
    pub fail_fast: bool,
    pub quiet: bool,
    pub json: bool,
    pub features: PathBuf,
    /// A cucumber tag expression selecting scenarios (all when `None`).
    pub tags: Option<String>,
    pub profile: Option<Profile>,
    /// Timeouts, retries, body caps and the phase deadline (`--request-timeout`, ...).
    pub limits: Limits,
    pub preprovisioned: Preprovisioned,
    /// Load on a target tidegauge did not start (spec README: off by default).
    pub allow_load: bool,
    /// Load on its rate-limited endpoints (login, agent token exchange).
    pub allow_rate_limit_probing: bool,
    /// A previous load.json or report.json to compare the load phase with.
    pub baseline: Option<PathBuf>,
    /// A `tidegauge calibrate` file for the open model.
    pub calibration: Option<PathBuf>,
    /// Notices for the console and the report (already free of secrets).
    pub warnings: Vec<String>,
    /// Every secret the configuration holds, for redaction.
    pub secrets: Vec<Secret>,
}

fn parse_profile(text: &str, origin: &str) -> Result<Profile, String> {
    match text {
        "default" => Ok(Profile::Default),
        "strict" => Ok(Profile::Strict),
        other => Err(format!(
            "{origin}: unknown profile {other:?} (expected default or strict)"
        )),
    }
}

fn parse_bool(text: &str, origin: &str) -> Result<bool, String> {
    match text.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Ok(true),
        "0" | "false" | "no" | "off" | "" => Ok(false),
        other => Err(format!(
            "{origin}: {other:?} is not a boolean (true or false)"
        )),
    }
}

fn parse_phases<'a>(
    items: impl IntoIterator<Item = &'a str>,
    origin: &str,
) -> Result<Vec<PhaseName>, String> {
    items
        .into_iter()
        .filter(|s| !s.trim().is_empty())
        .map(|s| s.parse().map_err(|e| format!("{origin}: {e}")))
        .collect()
}

/// Reads a secret from a file: its content without the final line break, never empty.
fn read_secret(path: &Path, origin: &str) -> Result<Secret, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("{origin}: cannot read {}: {e}", path.display()))?;
    let value = text.trim_end_matches(['\n', '\r']);
    if value.is_empty() {
        return Err(format!("{origin}: {} is empty", path.display()));
    }
    Ok(Secret::new(value))
}

fn load_file(path: &Path) -> Result<FileConfig, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read the configuration {}: {e}", path.display()))?;
    let table: toml::Table =
        toml::from_str(&text).map_err(|e| format!("{} is not valid TOML: {e}", path.display()))?;
    for (key, instead) in SECRET_KEYS {
        if table.contains_key(key) {
            return Err(format!(
                "{}: `{key}` would keep a secret in the configuration file; use {instead}",
                path.display()
            ));
        }
    }
    toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// Layers the configuration file, the environment (`env`) and the flags into a `RunPlan`;
/// `limits` are the validated limit flags every command shares (`cli::limits`).
pub fn resolve(
    flags: RunFlags,
    limits: Limits,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<RunPlan, String> {
    let env = |name: &str| env(name).filter(|v| !v.is_empty());
    let config_file = match flags
        .config
        .clone()
        .or_else(|| env("TIDEGAUGE_CONFIG").map(PathBuf::from))
    {
        Some(path) => Some(path),
        None => Some(PathBuf::from(DEFAULT_FILE)).filter(|p| p.is_file()),
    };
    let file = match &config_file {
        Some(path) => load_file(path)?,
        None => FileConfig::default(),
    };
    let file_name = config_file
        .as_ref()
        .map(|p| p.display().to_string())
        .unwrap_or_default();
    let base = config_file
        .as_ref()
        .and_then(|p| p.parent())
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let from_file = |path: PathBuf| {
        if path.is_absolute() {
            path
        } else {
            base.join(path)
        }
    };

    let mut warnings = Vec::new();
    let mut secrets = Vec::new();

    let base_url = flags
        .base_url
        .or_else(|| env("TIDEGAUGE_BASE_URL"))
        .or(file.base_url);
    // A password in the URL's user information is a secret like any other.
    if let Some(password) = base_url
        .as_deref()
        .and_then(|u| url::Url::parse(u).ok())
        .and_then(|u| u.password().map(str::to_owned))
    {
        secrets.push(Secret::new(password));
    }

    let metrics_key = if let Some(key) = flags.metrics_key.filter(|k| !k.is_empty()) {
        warnings.push("--metrics-key on the command line shows in process lists and shell history; it is redacted from every output, but prefer TIDEGAUGE_METRICS_KEY or metrics_key_file".to_owned());
        Some(Secret::new(key))
    } else if let Some(path) = &flags.metrics_key_file {
        Some(read_secret(path, "--metrics-key-file")?)
    } else if let Some(key) = env("TIDEGAUGE_METRICS_KEY") {
        Some(Secret::new(key))
    } else if let Some(path) = env("TIDEGAUGE_METRICS_KEY_FILE") {
        Some(read_secret(Path::new(&path), "TIDEGAUGE_METRICS_KEY_FILE")?)
    } else if let Some(path) = file.metrics_key_file.clone() {
        Some(read_secret(
            &from_file(path),
            &format!("{file_name}: metrics_key_file"),
        )?)
    } else {
        None
    };
    secrets.extend(metrics_key.clone());

    let mut accounts: HashMap<String, String> = HashMap::new();
    for (who, username, password_file) in [
        (
            "OWNER",
            file.owner_username.clone(),
            file.owner_password_file.clone(),
        ),
        (
            "OTHER",
            file.other_username.clone(),
            file.other_password_file.clone(),
        ),
    ] {
        let user_var = format!("TIDEGAUGE_{who}_USERNAME");
        let password_var = format!("TIDEGAUGE_{who}_PASSWORD");
        let Some(username) = env(&user_var).or(username) else {
            continue;
        };
        let password = if let Some(password) = env(&password_var) {
            Secret::new(password)
        } else if let Some(path) = env(&format!("{password_var}_FILE")) {
            read_secret(Path::new(&path), &format!("{password_var}_FILE"))?
        } else if let Some(path) = password_file {
            let key = format!("{}_password_file", who.to_ascii_lowercase());
            read_secret(&from_file(path), &format!("{file_name}: {key}"))?
        } else {
            return Err(format!(
                "the {} account {username:?} has no password: set {password_var} or {password_var}_FILE, or {}_password_file in {DEFAULT_FILE}",
                who.to_ascii_lowercase(),
                who.to_ascii_lowercase()
            ));
        };
        secrets.push(password.clone());
        accounts.insert(user_var, username);
        accounts.insert(password_var, password.expose().to_owned());
    }
    let preprovisioned = Preprovisioned::from_env(&|name| accounts.get(name).cloned());

    let skip: Vec<PhaseName> = if !flags.skip.is_empty() {
        flags.skip
    } else if let Some(list) = env("TIDEGAUGE_SKIP") {
        parse_phases(list.split(','), "TIDEGAUGE_SKIP")?
    } else {
        let items = file.skip.unwrap_or_default();
        parse_phases(
            items.iter().map(String::as_str),
            &format!("{file_name}: skip"),
        )?
    };
    // A switch: the flag turns it on; otherwise the variable, then the file, decide.
    let switch = |flag: bool, var: &str, file: Option<bool>| -> Result<bool, String> {
        match (flag, env(var)) {
            (true, _) => Ok(true),
            (false, Some(value)) => parse_bool(&value, var),
            (false, None) => Ok(file.unwrap_or(false)),
        }
    };
    let fail_fast = switch(flags.fail_fast, "TIDEGAUGE_FAIL_FAST", file.fail_fast)?;
    let allow_load = switch(flags.allow_load, "TIDEGAUGE_ALLOW_LOAD", file.allow_load)?;
    let allow_rate_limit_probing = switch(
        flags.allow_rate_limit_probing,
        "TIDEGAUGE_ALLOW_RATE_LIMIT_PROBING",
        file.allow_rate_limit_probing,
    )?;
    let profile = match (flags.profile, env("TIDEGAUGE_PROFILE"), file.profile) {
        (Some(profile), _, _) => Some(profile),
        (None, Some(text), _) => Some(parse_profile(&text, "TIDEGAUGE_PROFILE")?),
        (None, None, Some(text)) => Some(parse_profile(&text, &file_name)?),
        (None, None, None) => None,
    };
    let optional_path = |flag: Option<PathBuf>, var: &str, file: Option<PathBuf>| {
        flag.or_else(|| env(var).map(PathBuf::from))
            .or_else(|| file.map(&from_file))
    };
    let path = |flag: Option<PathBuf>, var: &str, file: Option<PathBuf>, default: &str| {
        optional_path(flag, var, file).unwrap_or_else(|| PathBuf::from(default))
    };
    Ok(RunPlan {
        base_url,
        metrics_key,
        reference_faults: FaultSet::new(flags.reference_faults.iter().copied()),
        reports: path(flags.reports, "TIDEGAUGE_REPORTS", file.reports, "reports"),
        load_plan: path(flags.plan, "TIDEGAUGE_PLAN", file.plan, "load/smoke.toml"),
        features: path(
            flags.features,
            "TIDEGAUGE_FEATURES",
            file.features,
            "features",
        ),
        skip: skip.into_iter().collect(),
        fail_fast,
        quiet: flags.quiet,
        json: flags.json,
        tags: flags.tags.or_else(|| env("TIDEGAUGE_TAGS")).or(file.tags),
        profile,
        limits,
        preprovisioned,
        allow_load,
        allow_rate_limit_probing,
        baseline: optional_path(flags.baseline, "TIDEGAUGE_BASELINE", file.baseline),
        calibration: optional_path(flags.calibration, "TIDEGAUGE_CALIBRATION", file.calibration),
        warnings,
        secrets,
        config_file,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "tidegauge-config-{name}-{}",
            crate::server::secrets::random_hex(4)
        ));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn limits() -> Limits {
        Limits {
            api: Default::default(),
            exposition: Default::default(),
            phase_timeout: std::time::Duration::from_secs(60),
        }
    }

    fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> + use<> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        move |name| map.get(name).cloned()
    }

    #[test]
    fn flags_beat_environment_beat_file_beat_defaults() {
        let dir = temp_dir("layers");
        let file = dir.join("tidegauge.toml");
        std::fs::write(dir.join("key"), "file-key-123\n").unwrap();
        std::fs::write(
            &file,
            "base_url = \"http://file.example\"\nreports = \"out\"\nskip = [\"load\"]\nplan = \"load/x.toml\"\nmetrics_key_file = \"key\"\n",
        )
        .unwrap();
        let flags = || RunFlags {
            config: Some(file.clone()),
            ..RunFlags::default()
        };
        let only_file = resolve(flags(), limits(), &env_of(&[])).unwrap();
        assert_eq!(only_file.base_url.as_deref(), Some("http://file.example"));
        assert_eq!(only_file.reports, dir.join("out"), "relative to the file");
        assert_eq!(only_file.load_plan, dir.join("load/x.toml"));
        assert_eq!(only_file.skip, [PhaseName::Load].into());
        assert_eq!(
            only_file.metrics_key.as_ref().unwrap().expose(),
            "file-key-123"
        );
        assert_eq!(only_file.features, PathBuf::from("features"), "default");

        let env = env_of(&[
            ("TIDEGAUGE_BASE_URL", "http://env.example"),
            ("TIDEGAUGE_SKIP", "metrics,conform"),
            ("TIDEGAUGE_METRICS_KEY", "env-key-456"),
            ("TIDEGAUGE_REPORTS", "env-reports"),
        ]);
        let with_env = resolve(flags(), limits(), &env).unwrap();
        assert_eq!(with_env.base_url.as_deref(), Some("http://env.example"));
        assert_eq!(
            with_env.skip,
            [PhaseName::Conform, PhaseName::Metrics].into()
        );
        assert_eq!(
            with_env.metrics_key.as_ref().unwrap().expose(),
            "env-key-456"
        );
        assert_eq!(with_env.reports, PathBuf::from("env-reports"));
        assert!(with_env.warnings.is_empty());
        let with_userinfo = resolve(
            flags(),
            limits(),
            &env_of(&[(
                "TIDEGAUGE_BASE_URL",
                "https://gate:pa55word-in-url@staging.example",
            )]),
        )
        .unwrap();
        let secrets: Vec<&str> = with_userinfo.secrets.iter().map(Secret::expose).collect();
        assert!(secrets.contains(&"pa55word-in-url"), "{secrets:?}");

        let with_flags = resolve(
            RunFlags {
                base_url: Some("http://flag.example".into()),
                skip: vec![PhaseName::Metrics],
                metrics_key: Some("flag-key-789".into()),
                reports: Some("flag-reports".into()),
                ..flags()
            },
            limits(),
            &env,
        )
        .unwrap();
        assert_eq!(with_flags.base_url.as_deref(), Some("http://flag.example"));
        assert_eq!(with_flags.skip, [PhaseName::Metrics].into());
        assert_eq!(
            with_flags.metrics_key.as_ref().unwrap().expose(),
            "flag-key-789"
        );
        assert_eq!(with_flags.reports, PathBuf::from("flag-reports"));
        assert_eq!(
            with_flags.warnings.len(),
            1,
            "a secret flag is warned about"
        );
        assert!(!with_flags.warnings[0].contains("flag-key-789"));
        assert_eq!(with_flags.secrets.len(), 1);
    }

    #[test]
    fn the_load_switches_and_files_are_layered_too() {
        let dir = temp_dir("load");
        let file = dir.join("tidegauge.toml");
        std::fs::write(
            &file,
            "allow_load = true\nbaseline = \"old/load.json\"\ncalibration = \"cal.json\"\n",
        )
        .unwrap();
        let flags = || RunFlags {
            config: Some(file.clone()),
            ..RunFlags::default()
        };
        let only_file = resolve(flags(), limits(), &env_of(&[])).unwrap();
        assert!(only_file.allow_load && !only_file.allow_rate_limit_probing);
        assert_eq!(only_file.baseline, Some(dir.join("old/load.json")));
        assert_eq!(only_file.calibration, Some(dir.join("cal.json")));
        let env = env_of(&[
            ("TIDEGAUGE_ALLOW_LOAD", "false"),
            ("TIDEGAUGE_ALLOW_RATE_LIMIT_PROBING", "yes"),
            ("TIDEGAUGE_BASELINE", "env.json"),
        ]);
        let with_env = resolve(flags(), limits(), &env).unwrap();
        assert!(!with_env.allow_load && with_env.allow_rate_limit_probing);
        assert_eq!(with_env.baseline, Some(PathBuf::from("env.json")));
        let with_flags = resolve(
            RunFlags {
                allow_load: true,
                baseline: Some("flag.json".into()),
                ..flags()
            },
            limits(),
            &env,
        )
        .unwrap();
        assert!(with_flags.allow_load);
        assert_eq!(with_flags.baseline, Some(PathBuf::from("flag.json")));
        let bad = resolve(
            flags(),
            limits(),
            &env_of(&[("TIDEGAUGE_ALLOW_LOAD", "maybe")]),
        );
        assert!(bad.unwrap_err().contains("TIDEGAUGE_ALLOW_LOAD"));
    }

    #[test]
    fn the_file_may_not_hold_a_secret_and_unknown_keys_are_named() {
        let dir = temp_dir("secret");
        let file = dir.join("tidegauge.toml");
        let run = |text: &str| {
            std::fs::write(&file, text).unwrap();
            resolve(
                RunFlags {
                    config: Some(file.clone()),
                    ..RunFlags::default()
                },
                limits(),
                &env_of(&[]),
            )
            .unwrap_err()
        };
        let error = run("metrics_key = \"hunter2hunter2\"\n");
        assert!(error.contains("metrics_key_file"), "{error}");
        assert!(!error.contains("hunter2"), "{error}");
        let error = run("base_ulr = \"http://x\"\n");
        assert!(
            error.contains("base_ulr") && error.contains("tidegauge.toml"),
            "{error}"
        );
        let error = run("skip = [\"lod\"]\n");
        assert!(error.contains("lod"), "{error}");
    }

    #[test]
    fn accounts_need_a_password_from_the_environment_or_a_file() {
        let dir = temp_dir("accounts");
        let password = dir.join("owner-password");
        std::fs::write(&password, "s3cret-owner-pw\n").unwrap();
        let env = env_of(&[
            ("TIDEGAUGE_OWNER_USERNAME", "alice"),
            ("TIDEGAUGE_OWNER_PASSWORD_FILE", password.to_str().unwrap()),
            ("TIDEGAUGE_OTHER_USERNAME", "bob"),
        ]);
        let error = resolve(RunFlags::default(), limits(), &env).unwrap_err();
        assert!(error.contains("TIDEGAUGE_OTHER_PASSWORD"), "{error}");
        let env = env_of(&[
            ("TIDEGAUGE_OWNER_USERNAME", "alice"),
            ("TIDEGAUGE_OWNER_PASSWORD_FILE", password.to_str().unwrap()),
        ]);
        let plan = resolve(RunFlags::default(), limits(), &env).unwrap();
        let (user, secret) = plan.preprovisioned.owner.unwrap();
        assert_eq!(
            (user.as_str(), secret.expose()),
            ("alice", "s3cret-owner-pw")
        );
        assert!(plan.preprovisioned.other.is_none());
        assert_eq!(plan.secrets.len(), 1);
    }

    #[test]
    fn bad_values_are_usage_errors_naming_their_source() {
        let error = resolve(
            RunFlags::default(),
            limits(),
            &env_of(&[("TIDEGAUGE_FAIL_FAST", "maybe")]),
        )
        .unwrap_err();
        assert!(error.contains("TIDEGAUGE_FAIL_FAST"), "{error}");
        let error = resolve(
            RunFlags {
                config: Some("/nonexistent/tidegauge.toml".into()),
                ..RunFlags::default()
            },
            limits(),
            &env_of(&[]),
        )
        .unwrap_err();
        assert!(error.contains("/nonexistent/tidegauge.toml"), "{error}");
    }
}
