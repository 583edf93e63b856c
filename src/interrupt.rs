//! Ctrl-C and SIGTERM: the first signal asks the running phase to stop sending and to tear
//! down and report (`Interrupt::requested` resolves); a second one exits at once. The handler
//! is installed when a command starts, before anything is created on a target, so an
//! interruption at any moment still runs the teardown. The interrupt remembers which signal
//! came first: the run then exits 130 (SIGINT) or 143 (SIGTERM).

use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};
use tokio::sync::Notify;

#[derive(Clone)]
pub struct Interrupt {
    /// 0 until a signal arrives, then the exit code it calls for (130 or 143).
    code: Arc<AtomicU8>,
    notify: Arc<Notify>,
}

impl Interrupt {
    /// Installs the signal handlers (in the current tokio runtime).
    pub fn install() -> Interrupt {
        // Goose installs a SIGINT handler through the ctrlc crate when a load test starts,
        // which would replace ours and leave Ctrl-C stopping only goose. ctrlc accepts one
        // handler per process: claiming it first with one that does nothing makes goose's
        // attempt fail harmlessly, and tokio's handler, registered after it, still runs.
        // The load engine stops goose itself when this interrupt fires.
        let _ = ctrlc::set_handler(|| {});
        let interrupt = Interrupt::never();
        let handle = interrupt.clone();
        tokio::spawn(async move {
            let first = signal().await;
            handle.trigger(first);
            let second = signal().await;
            eprintln!("tidegauge: interrupted twice, exiting without teardown");
            std::process::exit(i32::from(second));
        });
        interrupt
    }

    /// A handle that is never triggered (in-process tests).
    pub fn never() -> Interrupt {
        Interrupt {
            code: Arc::default(),
            notify: Arc::default(),
        }
    }

    /// Records a signal as if it had arrived (`exit_code`: 130 for SIGINT, 143 for SIGTERM);
    /// only the first one counts.
    pub fn trigger(&self, exit_code: u8) {
        let _ = self
            .code
            .compare_exchange(0, exit_code, Ordering::SeqCst, Ordering::SeqCst);
        self.notify.notify_waiters();
    }

    pub fn is_requested(&self) -> bool {
        self.code.load(Ordering::SeqCst) != 0
    }

    /// The exit code the first signal calls for: 130 (SIGINT) or 143 (SIGTERM); 130 when
    /// none arrived (a caller that asks has seen an interruption).
    pub fn exit_code(&self) -> u8 {
        match self.code.load(Ordering::SeqCst) {
            0 => crate::exit::INTERRUPTED,
            code => code,
        }
    }

    /// Resolves once an interruption has been asked for (at once if it already was).
    pub async fn requested(&self) {
        loop {
            let notified = self.notify.notified();
            if self.is_requested() {
                return;
            }
            notified.await;
        }
    }
}

/// Waits for the next SIGINT or SIGTERM; returns the exit code it calls for.
async fn signal() -> u8 {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let (Ok(mut int), Ok(mut term)) = (
            signal(SignalKind::interrupt()),
            signal(SignalKind::terminate()),
        ) else {
            return std::future::pending::<u8>().await;
        };
        tokio::select! {
            _ = int.recv() => crate::exit::INTERRUPTED,
            _ = term.recv() => crate::exit::TERMINATED,
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
        crate::exit::INTERRUPTED
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_first_signal_decides_the_exit_code() {
        let interrupt = Interrupt::never();
        assert!(!interrupt.is_requested());
        interrupt.trigger(crate::exit::TERMINATED);
        interrupt.trigger(crate::exit::INTERRUPTED);
        interrupt.requested().await;
        assert_eq!(interrupt.exit_code(), crate::exit::TERMINATED);
    }
}
