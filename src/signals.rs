//! SIGINT (Ctrl-C), SIGTERM and SIGHUP, handled alike by every subcommand that
//! writes files.
//!
//! The first signal asks the run to stop: `crawl` stops fetching ([`stop_requested`]),
//! `extract` stops reading inputs ([`requested`]), and both write every record
//! that is complete, put their files in place, print the summary and exit 130.
//! A second signal ends the process at once, for when finishing takes too long,
//! but first removes the temporary files of outputs not yet in place, so no
//! `.partial` file is left behind.
//!
//! The handlers are installed before the run does anything else (before CDX
//! discovery, before the first input is read), so no window is left in which a
//! signal kills the process with its temporary files around. One thread with a
//! runtime of its own waits for them, since `extract` runs without one.

use std::io;
use std::sync::atomic::{AtomicBool, Ordering};

use tokio::signal::unix::{Signal, SignalKind, signal};
use tokio::sync::Notify;

use crate::error::Error;
use crate::exit_codes::ExitCode;

static REQUESTED: AtomicBool = AtomicBool::new(false);
static STOP: Notify = Notify::const_new();

/// Starts handling SIGINT, SIGTERM and SIGHUP as the module says.
pub(crate) fn install() -> Result<(), Error> {
    let error = |source: io::Error| Error::Signals { source };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(error)?;
    let mut signals = {
        let _context = runtime.enter();
        [
            SignalKind::interrupt(),
            SignalKind::terminate(),
            SignalKind::hangup(),
        ]
        .into_iter()
        .map(signal)
        .collect::<io::Result<Vec<Signal>>>()
        .map_err(error)?
    };
    std::thread::Builder::new()
        .name("signals".into())
        .spawn(move || {
            runtime.block_on(async move {
                any_of(&mut signals).await;
                REQUESTED.store(true, Ordering::SeqCst);
                STOP.notify_waiters();
                any_of(&mut signals).await;
                let unfinished = crate::output_file::remove_unfinished();
                if unfinished.is_empty() {
                    eprintln!("harava: stopped at once by a second signal");
                } else {
                    let names: Vec<String> =
                        unfinished.iter().map(|p| p.display().to_string()).collect();
                    eprintln!(
                        "harava: stopped at once by a second signal; not written: {} (their temporary files were removed)",
                        names.join(", ")
                    );
                }
                std::process::exit(ExitCode::Interrupted as i32);
            })
        })
        .map_err(error)?;
    Ok(())
}

/// Waits for the next of the watched signals, whichever comes.
async fn any_of(signals: &mut [Signal]) {
    let next = signals.iter_mut().map(|s| Box::pin(s.recv()));
    futures::future::select_all(next).await;
}

/// Whether a signal has asked the run to stop.
pub(crate) fn requested() -> bool {
    REQUESTED.load(Ordering::SeqCst)
}

/// Completes when a signal asks the run to stop (at once if one has).
pub(crate) async fn stop_requested() {
    // Created before the flag is read, so a signal between the two still wakes it.
    let notified = STOP.notified();
    if requested() {
        return;
    }
    notified.await;
}
