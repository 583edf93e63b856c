//! The exposition parser against promtool, on the same generated file, in the same run.
//!
//! Generates a Prometheus text exposition of about 50 MB and 500k series (counters, gauges
//! and histograms with `_bucket`/`_sum`/`_count`; label sets like a real service's, with
//! escaped quotes, backslashes and newlines and `}`/`,`/`=` inside values) into a temporary
//! file. Then parses it with `tidegauge::metrics::exposition::parse` (`ROUNDS` rounds, from
//! memory; the timed region includes dropping the result) and runs
//! `promtool check metrics < file` on it (`PROMTOOL_ROUNDS` rounds, the file in the page
//! cache; the timed region is the whole process). Prints the median of each as MB/s and
//! series/s, and their ratio. Goal (issue #4): parser ≥ 5 × promtool; the bench exits 1
//! when the goal is missed.
//!
//! Every round asserts that the parse found exactly the generated number of samples and no
//! diagnostic at all, and that promtool found no parse error: a benchmark of a broken parse
//! would measure nothing.
//!
//! Run: `cargo bench --bench exposition`. promtool comes from Debian's `prometheus` package
//! (see `.ci/run`); the bench looks for `$PROMTOOL`, then `promtool` on `PATH`, then
//! `/opt/prom/usr/bin/promtool`, and exits 1 with install instructions when none is there.
//! Env: `ROUNDS` (7), `PROMTOOL_ROUNDS` (3), `KEEP_FILE` (set: keep the file and print its path).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use tidegauge::metrics::exposition::{self, Format};

const GOAL: f64 = 5.0;

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|&n| n > 0)
        .unwrap_or(default)
}

/// xorshift64*: deterministic values without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const METHODS: &[&str] = &["GET", "POST", "PUT", "PATCH", "DELETE"];
const STATUSES: &[&str] = &[
    "200", "201", "204", "400", "401", "403", "404", "429", "500",
];
/// Route templates, as axum's `MatchedPath` gives them, plus a few that need escaping or
/// hold the characters a naive parser splits on.
const ROUTES: &[&str] = &[
    "/api/agencies/:id/messages",
    "/api/agencies/:id/members",
    "/api/auth/login",
    "/api/auth/tokens",
    "/api/hooks/messages",
    "/items/{id}",
    "/search?q=a,b&sort=name=asc",
    r#"/files/C:\\tmp\\upload"#,
    r#"/say/\"hello\""#,
    "/api/custom-commands/:agency/commands",
];
const QUEUES: &[&str] = &[
    "messages",
    "webhooks",
    "emails",
    r#"dead\"letter\""#,
    r#"multi\nline"#,
];
const BUCKETS: &[&str] = &[
    "0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10",
];
const SUBSYSTEMS: &[&str] = &[
    "http", "grpc", "db", "cache", "queue", "auth", "hook", "agent", "agency", "storage",
];

/// One label set per series index, unique within a family (mixed-radix decomposition).
fn http_labels(out: &mut String, i: usize) {
    let route = ROUTES[i % ROUTES.len()];
    let rest = i / ROUTES.len();
    let method = METHODS[rest % METHODS.len()];
    let rest = rest / METHODS.len();
    let status = STATUSES[rest % STATUSES.len()];
    let pod = rest / STATUSES.len();
    let _ = write!(
        out,
        "method=\"{method}\",route=\"{route}\",status=\"{status}\",pod=\"api-{pod}\""
    );
}

fn queue_labels(out: &mut String, i: usize) {
    let queue = QUEUES[i % QUEUES.len()];
    let shard = i / QUEUES.len();
    let _ = write!(
        out,
        "queue=\"{queue}\",region=\"eu-west-{}\",shard=\"{shard}\"",
        1 + shard % 3
    );
}

/// The generated exposition and how many samples it holds.
struct Generated {
    text: String,
    samples: usize,
}

/// (families, series per family). A histogram series is 14 samples (11 buckets, `+Inf`,
/// `_sum`, `_count`): 151,200 + 100,000 + 250,000 = 501,200 series in all.
const HISTOGRAMS: (usize, usize) = (18, 600);
const COUNTERS: (usize, usize) = (50, 2_000);
const GAUGES: (usize, usize) = (100, 2_500);

/// About 50 MB and 500k series of counters, gauges and histograms, as [`HISTOGRAMS`],
/// [`COUNTERS`] and [`GAUGES`] say.
fn generate() -> Generated {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut out = String::with_capacity(56 << 20);
    let mut samples = 0usize;
    let mut labels = String::new();
    for f in 0..HISTOGRAMS.0 {
        let sub = SUBSYSTEMS[f % SUBSYSTEMS.len()];
        let name = format!("{sub}_op{}_duration_seconds", f / SUBSYSTEMS.len());
        let _ = writeln!(
            out,
            "# HELP {name} Time to answer a request, by route and status \\\\ all \"replicas\".\n# TYPE {name} histogram"
        );
        for i in 0..HISTOGRAMS.1 {
            labels.clear();
            http_labels(&mut labels, i);
            let mut cumulative = 0u64;
            for le in BUCKETS {
                cumulative += rng.below(5000);
                let _ = writeln!(out, "{name}_bucket{{{labels},le=\"{le}\"}} {cumulative}");
            }
            cumulative += rng.below(100);
            let _ = writeln!(out, "{name}_bucket{{{labels},le=\"+Inf\"}} {cumulative}");
            let sum = cumulative as f64 * 0.137 + rng.below(1000) as f64 / 1000.0;
            let _ = writeln!(out, "{name}_sum{{{labels}}} {sum}");
            let _ = writeln!(out, "{name}_count{{{labels}}} {cumulative}");
            samples += BUCKETS.len() + 3;
        }
    }
    for f in 0..COUNTERS.0 {
        let sub = SUBSYSTEMS[f % SUBSYSTEMS.len()];
        let name = format!("{sub}_op{}_requests_total", f / SUBSYSTEMS.len());
        let _ = writeln!(
            out,
            "# HELP {name} Requests answered.\n# TYPE {name} counter"
        );
        for i in 0..COUNTERS.1 {
            labels.clear();
            http_labels(&mut labels, i);
            let value = rng.below(10_000_000);
            if i % 7 == 0 {
                // Some exporters write timestamps.
                let ts = 1_767_225_600_000u64 + rng.below(60_000);
                let _ = writeln!(out, "{name}{{{labels}}} {value} {ts}");
            } else {
                let _ = writeln!(out, "{name}{{{labels}}} {value}");
            }
            samples += 1;
        }
    }
    for f in 0..GAUGES.0 {
        let sub = SUBSYSTEMS[f % SUBSYSTEMS.len()];
        let name = format!("{sub}_queue{}_depth_messages", f / SUBSYSTEMS.len());
        let _ = writeln!(
            out,
            "# HELP {name} Messages waiting,\\nper queue and shard.\n# TYPE {name} gauge"
        );
        for i in 0..GAUGES.1 {
            labels.clear();
            queue_labels(&mut labels, i);
            let value = match i % 50 {
                0 => "NaN".to_owned(),
                1 => "+Inf".to_owned(),
                2 => format!("{:e}", rng.below(1 << 40) as f64),
                _ => format!("{}", rng.below(1_000_000) as f64 / 64.0),
            };
            let _ = writeln!(out, "{name}{{{labels}}} {value}");
            samples += 1;
        }
    }
    Generated { text: out, samples }
}

fn find_promtool() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("PROMTOOL") {
        return Some(PathBuf::from(path));
    }
    let on_path = Command::new("promtool")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if on_path {
        return Some(PathBuf::from("promtool"));
    }
    let debian = Path::new("/opt/prom/usr/bin/promtool");
    debian.exists().then(|| debian.to_path_buf())
}

/// Removes the generated file however the bench ends.
struct TempFile(PathBuf);

impl Drop for TempFile {
    fn drop(&mut self) {
        if std::env::var_os("KEEP_FILE").is_none() {
            let _ = std::fs::remove_file(&self.0);
        }
    }
}

fn median(times: &mut [Duration]) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn main() {
    let Some(promtool) = find_promtool() else {
        eprintln!(
            "promtool not found: set PROMTOOL, put promtool on PATH, or install Debian's prometheus package:\n  \
             apt-get install prometheus\n  \
             or, without its service: apt-get download prometheus && dpkg-deb -x prometheus_*.deb /opt/prom"
        );
        std::process::exit(1);
    };
    let rounds = env_number("ROUNDS", 7);
    let promtool_rounds = env_number("PROMTOOL_ROUNDS", 3);

    let started = Instant::now();
    let Generated { text, samples } = generate();
    let bytes = text.len();
    let file = TempFile(std::env::temp_dir().join(format!(
        "tidegauge-bench-exposition-{}.prom",
        std::process::id()
    )));
    std::fs::write(&file.0, &text).expect("the temporary file can be written");
    if std::env::var_os("KEEP_FILE").is_some() {
        println!("file kept: {}", file.0.display());
    }
    let mb = bytes as f64 / 1e6;
    println!(
        "generated {mb:.1} MB, {samples} series in {:.2?} ({})",
        started.elapsed(),
        file.0.display()
    );
    let input = text.into_bytes();

    let mut parse_times = Vec::with_capacity(rounds);
    for round in 1..=rounds {
        let t = Instant::now();
        let parsed = exposition::parse(&input, Format::Prometheus);
        let count = parsed.sample_count();
        let diagnostics = parsed.diagnostics.clone(); // empty unless the parse went wrong
        drop(parsed);
        let elapsed = t.elapsed();
        assert!(
            diagnostics.is_empty(),
            "round {round}: the parse reported {} diagnostics, first: {}",
            diagnostics.len(),
            diagnostics[0]
        );
        assert_eq!(count, samples, "round {round}: sample count");
        println!("tidegauge round {round}: {elapsed:.3?}");
        parse_times.push(elapsed);
    }

    let mut promtool_times = Vec::with_capacity(promtool_rounds);
    for round in 1..=promtool_rounds {
        let stdin = std::fs::File::open(&file.0).expect("the temporary file opens");
        let t = Instant::now();
        let output = Command::new(&promtool)
            .args(["check", "metrics"])
            .stdin(stdin)
            .output()
            .unwrap_or_else(|e| panic!("{} does not run: {e}", promtool.display()));
        let elapsed = t.elapsed();
        let stderr = String::from_utf8_lossy(&output.stderr);
        // 0: clean; 3: lint findings only; 1: a parse error, which would void the comparison.
        assert!(
            matches!(output.status.code(), Some(0 | 3)),
            "promtool round {round}: {} {stderr}",
            output.status
        );
        println!(
            "promtool  round {round}: {elapsed:.3?} ({}, {} lint lines)",
            output.status,
            stderr.lines().count()
        );
        promtool_times.push(elapsed);
    }

    let ours = median(&mut parse_times).as_secs_f64();
    let theirs = median(&mut promtool_times).as_secs_f64();
    let ratio = theirs / ours;
    println!("\nmedians over {rounds} / {promtool_rounds} rounds, {mb:.1} MB, {samples} series:");
    println!(
        "tidegauge parse:        {:>8.1} MB/s  {:>12.0} series/s  ({ours:.3} s)",
        mb / ours,
        samples as f64 / ours
    );
    println!(
        "promtool check metrics: {:>8.1} MB/s  {:>12.0} series/s  ({theirs:.3} s)",
        mb / theirs,
        samples as f64 / theirs
    );
    let verdict = if ratio >= GOAL { "met" } else { "NOT met" };
    println!("ratio tidegauge/promtool: {ratio:.1}x (goal >= {GOAL}x: {verdict})");
    if ratio < GOAL {
        drop(file);
        std::process::exit(1);
    }
}
