//! Progress of `tidegauge run` on standard error: a spinner per phase (indicatif) when
//! standard error is a terminal, whose message counts the conformance engine's progress marks
//! (`.` passed, `F` failed, `s` not run, `w` assumption not met) and shows any other progress
//! line; plain lines otherwise (CI logs, captured consoles); nothing with `--quiet`. Each
//! phase ends with one line: its status and duration. Text reaching here is already redacted.

use crate::console::Console;
use indicatif::{ProgressBar, ProgressStyle};
use parking_lot::Mutex;
use std::sync::Arc;
use std::time::Duration;

#[derive(Default)]
struct Marks {
    passed: u64,
    failed: u64,
    not_run: u64,
    warned: u64,
    last_line: String,
}

impl Marks {
    /// Counts progress marks; a text that is not only marks becomes the last line shown.
    fn take(&mut self, text: &str) {
        let marks_only = text
            .chars()
            .all(|c| matches!(c, '.' | 'F' | 's' | 'w' | '\n'));
        if marks_only {
            for c in text.chars() {
                match c {
                    '.' => self.passed += 1,
                    'F' => self.failed += 1,
                    's' => self.not_run += 1,
                    'w' => {
                        self.passed += 1;
                        self.warned += 1
                    }
                    _ => {}
                }
            }
        } else if let Some(line) = text.lines().rev().find(|l| !l.trim().is_empty()) {
            self.last_line = line.trim().to_owned();
        }
    }

    fn message(&self) -> String {
        let total = self.passed + self.failed + self.not_run;
        if total == 0 {
            return self.last_line.clone();
        }
        format!(
            "{total} scenarios: {} passed, {} failed, {} not run, {} with assumptions not met",
            self.passed, self.failed, self.not_run, self.warned
        )
    }
}

/// One phase's progress display.
pub struct PhaseProgress {
    bar: Option<ProgressBar>,
    parent: Console,
    quiet: bool,
    name: &'static str,
}

impl PhaseProgress {
    /// Starts the display of phase `name`; returns it and the console the phase writes to.
    pub fn start(parent: &Console, name: &'static str, quiet: bool) -> (PhaseProgress, Console) {
        if quiet {
            let console = parent.with_progress(Arc::new(|_| {}));
            let progress = PhaseProgress {
                bar: None,
                parent: parent.clone(),
                quiet,
                name,
            };
            return (progress, console);
        }
        if !parent.progress_is_terminal() {
            parent.progress(&format!("{name}: running\n"));
            let progress = PhaseProgress {
                bar: None,
                parent: parent.clone(),
                quiet,
                name,
            };
            return (progress, parent.clone());
        }
        let bar = ProgressBar::new_spinner();
        let style = ProgressStyle::with_template("{spinner} {prefix:<12} {elapsed:>4} {wide_msg}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner());
        bar.set_style(style);
        bar.set_prefix(name);
        bar.enable_steady_tick(Duration::from_millis(120));
        let marks = Arc::new(Mutex::new(Marks::default()));
        let shown = bar.clone();
        let console = parent.with_progress(Arc::new(move |text: &str| {
            let mut marks = marks.lock();
            marks.take(text);
            shown.set_message(marks.message());
        }));
        let progress = PhaseProgress {
            bar: Some(bar),
            parent: parent.clone(),
            quiet,
            name,
        };
        (progress, console)
    }

    /// Clears the spinner and prints the phase's closing line.
    pub fn finish(self, status: &str, seconds: f64) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
        if !self.quiet {
            self.parent
                .progress(&format!("{}: {status} ({seconds:.1} s)\n", self.name));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_are_counted_and_other_lines_shown() {
        let mut marks = Marks::default();
        marks.take("metrics: checking http://127.0.0.1:1\n");
        assert_eq!(marks.message(), "metrics: checking http://127.0.0.1:1");
        marks.take("..F");
        marks.take("s");
        marks.take("w\n");
        assert_eq!(
            marks.message(),
            "5 scenarios: 3 passed, 1 failed, 1 not run, 1 with assumptions not met"
        );
    }

    #[test]
    fn quiet_phases_print_nothing() {
        let (parent, captured) = Console::capture();
        let (progress, console) = PhaseProgress::start(&parent, "metrics", true);
        console.progress("..F\n");
        progress.finish("passed", 1.0);
        assert_eq!(captured.stderr(), "");
        let (progress, console) = PhaseProgress::start(&parent, "metrics", false);
        console.progress("..\n");
        progress.finish("passed", 1.0);
        assert_eq!(
            captured.stderr(),
            "metrics: running\n..\nmetrics: passed (1.0 s)\n"
        );
    }
}
