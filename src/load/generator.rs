//! The open model's generator thread: one OS thread named `tg-load` with its own
//! single-threaded tokio runtime and HTTP client, so that the CPU the generator itself
//! spends can be measured apart from everything else in the process (the embedded target
//! runs on the main runtime). Calibration measures the same thread's ceiling.

use std::future::Future;
use std::time::{Duration, Instant};

/// What a generator run used.
pub struct Usage {
    pub wall: Duration,
    pub cpu: Duration,
}

impl Usage {
    /// CPU time over wall time of the generator's one thread (0–1).
    pub fn cpu_share(&self) -> f64 {
        if self.wall.is_zero() {
            0.0
        } else {
            self.cpu.as_secs_f64() / self.wall.as_secs_f64()
        }
    }
}

/// CPU time of the calling thread.
fn thread_cpu() -> Duration {
    let mut now = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes one timespec through a valid pointer; the thread CPU
    // clock exists on every Linux and BSD kernel tidegauge builds for.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut now) };
    if rc != 0 {
        return Duration::ZERO;
    }
    Duration::new(now.tv_sec as u64, now.tv_nsec as u32)
}

/// A client for the generator: no proxy, the given request timeout, a connection pool as
/// large as the in-flight cap.
pub fn client(request_timeout: Duration, pool: usize) -> Result<reqwest::Client, String> {
    reqwest::Client::builder()
        .no_proxy()
        .timeout(request_timeout)
        .pool_max_idle_per_host(pool)
        .build()
        .map_err(|e| format!("cannot build the load client: {e}"))
}

/// Runs `work` on a fresh generator thread and waits for it (without blocking the caller's
/// runtime). Returns its result and the thread's CPU use.
pub async fn run_on_generator<F, Fut, T>(work: F) -> Result<(T, Usage), String>
where
    F: FnOnce() -> Fut + Send + 'static,
    Fut: Future<Output = T>,
    T: Send + 'static,
{
    let (sender, receiver) = tokio::sync::oneshot::channel();
    std::thread::Builder::new()
        .name("tg-load".into())
        .spawn(move || {
            let runtime = match tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                Ok(runtime) => runtime,
                Err(e) => {
                    let _ = sender.send(Err(format!("cannot start the generator runtime: {e}")));
                    return;
                }
            };
            let cpu_before = thread_cpu();
            let started = Instant::now();
            let value = runtime.block_on(work());
            let usage = Usage {
                wall: started.elapsed(),
                cpu: thread_cpu().saturating_sub(cpu_before),
            };
            // The receiver is gone only if the caller gave up waiting; nothing to report then.
            let _ = sender.send(Ok((value, usage)));
        })
        .map_err(|e| format!("cannot start the generator thread: {e}"))?;
    receiver
        .await
        .map_err(|_| "the generator thread ended without a result".to_owned())?
}
