//! Ctrl-C and SIGTERM: the first signal asks the running phase to stop sending and to tear
//! down and report (`Interrupt::requested` resolves); a second one exits at once. The handler
//! is installed when a command starts, before anything is created on a target, so an
//! interruption at any moment still runs the teardown.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use tokio::sync::Notify;

#[derive(Clone)]
pub struct Interrupt {
    flag: Arc<AtomicBool>,
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
        let interrupt = Interrupt {
            flag: Arc::default(),
            notify: Arc::default(),
        };
        let handle = interrupt.clone();
        tokio::spawn(async move {
            signal().await;
            handle.flag.store(true, Ordering::SeqCst);
            handle.notify.notify_waiters();
            signal().await;
            eprintln!("tidegauge: interrupted twice, exiting without teardown");
            std::process::exit(i32::from(crate::exit::INTERRUPTED));
        });
        interrupt
    }

    /// A handle that is never triggered (in-process tests).
    pub fn never() -> Interrupt {
        Interrupt {
            flag: Arc::default(),
            notify: Arc::default(),
        }
    }

    pub fn is_requested(&self) -> bool {
        self.flag.load(Ordering::SeqCst)
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

async fn signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let (Ok(mut int), Ok(mut term)) = (
            signal(SignalKind::interrupt()),
            signal(SignalKind::terminate()),
        ) else {
            std::future::pending::<()>().await;
            return;
        };
        tokio::select! {
            _ = int.recv() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = tokio::signal::ctrl_c().await;
}
