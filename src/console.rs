//! Where a command's human output goes: standard output and error for the binary, or memory
//! buffers for tests that check what a person would see (e.g. that no secret is printed).
//! Writers pass only text that is already redacted.

use parking_lot::Mutex;
use std::io::Write;
use std::sync::Arc;

/// Receives progress text instead of a stream (a progress bar, or nothing for `--quiet`).
pub type ProgressFn = Arc<dyn Fn(&str) + Send + Sync>;

#[derive(Clone)]
enum Sink {
    Stdio,
    Buffer(Arc<Mutex<Vec<u8>>>),
    Func(ProgressFn),
}

/// Output and progress channels of one command, and its interruption signal.
#[derive(Clone)]
pub struct Console {
    out: Sink,
    err: Sink,
    pub interrupt: crate::interrupt::Interrupt,
}

impl Console {
    /// The terminal: standard output and error, and Ctrl-C / SIGTERM handlers.
    pub fn stdio() -> Self {
        Console {
            out: Sink::Stdio,
            err: Sink::Stdio,
            interrupt: crate::interrupt::Interrupt::install(),
        }
    }

    /// A console writing into memory; `Captured` reads what was written.
    pub fn capture() -> (Self, Captured) {
        let out = Arc::new(Mutex::new(Vec::new()));
        let err = Arc::new(Mutex::new(Vec::new()));
        let console = Console {
            out: Sink::Buffer(Arc::clone(&out)),
            err: Sink::Buffer(Arc::clone(&err)),
            interrupt: crate::interrupt::Interrupt::never(),
        };
        (console, Captured { out, err })
    }

    /// The same console with its progress text handed to `progress` (results unchanged).
    pub fn with_progress(&self, progress: ProgressFn) -> Console {
        Console {
            out: self.out.clone(),
            err: Sink::Func(progress),
            interrupt: self.interrupt.clone(),
        }
    }

    /// True when progress goes to standard error and that is a terminal (bars can be drawn).
    pub fn progress_is_terminal(&self) -> bool {
        use std::io::IsTerminal as _;
        matches!(self.err, Sink::Stdio) && std::io::stderr().is_terminal()
    }

    /// Results: standard output.
    pub fn print(&self, text: &str) {
        match &self.out {
            Sink::Stdio => write_flushed(&mut std::io::stdout(), text),
            Sink::Buffer(buffer) => buffer.lock().extend_from_slice(text.as_bytes()),
            Sink::Func(f) => f(text),
        }
    }

    /// Progress and notices: standard error.
    pub fn progress(&self, text: &str) {
        match &self.err {
            Sink::Stdio => write_flushed(&mut std::io::stderr(), text),
            Sink::Buffer(buffer) => buffer.lock().extend_from_slice(text.as_bytes()),
            Sink::Func(f) => f(text),
        }
    }
}

/// A console line must reach the terminal even if the process is stopped right after.
fn write_flushed(stream: &mut impl Write, text: &str) {
    let _ = stream.write_all(text.as_bytes());
    let _ = stream.flush();
}

/// What a captured console received.
pub struct Captured {
    out: Arc<Mutex<Vec<u8>>>,
    err: Arc<Mutex<Vec<u8>>>,
}

impl Captured {
    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.out.lock()).into_owned()
    }

    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.err.lock()).into_owned()
    }
}
