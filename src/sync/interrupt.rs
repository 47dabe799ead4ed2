//! Ctrl-C and SIGTERM during a sync: the first signal only raises a flag, which the sync
//! loop reads between pages, so it stops at a page boundary (never inside a page's
//! transaction), records the run as interrupted and says what was kept. A second signal ends
//! the process at once with 130, as an impatient user expects; SQLite's journal still leaves
//! the database as it was before the page in flight.

use std::sync::Once;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use anyhow::Result;
use signal_hook::consts::signal::{SIGINT, SIGTERM};

/// The exit code of an interrupted command (128 + SIGINT, as shells report it).
pub const EXIT_STATUS: i32 = 130;

/// Set by the first signal; arms the immediate exit on the second.
static ARMED: AtomicBool = AtomicBool::new(false);
/// Which signal arrived last (0: none).
static SIGNAL: AtomicUsize = AtomicUsize::new(0);

/// Catch SIGINT and SIGTERM from now on, for the rest of the process. Idempotent.
pub fn watch() -> Result<()> {
    static INSTALL: Once = Once::new();
    let mut result = Ok(());
    INSTALL.call_once(|| {
        result = [SIGINT, SIGTERM].into_iter().try_for_each(|signal| -> std::io::Result<()> {
            // Order matters: the exit must see the flag as the previous signal left it.
            signal_hook::flag::register_conditional_shutdown(signal, EXIT_STATUS, &ARMED)?;
            signal_hook::flag::register(signal, &ARMED)?;
            signal_hook::flag::register_usize(signal, &SIGNAL, signal as usize)?;
            Ok(())
        });
    });
    Ok(result?)
}

/// The signal that asked the sync to stop, named for people, if one did.
pub fn requested() -> Option<&'static str> {
    match SIGNAL.load(Ordering::SeqCst) {
        0 => None,
        s if s == SIGINT as usize => Some("Ctrl-C"),
        _ => Some("SIGTERM"),
    }
}

/// A sync stopped by a signal at a page boundary. Its message is what `sync --history` keeps.
#[derive(Debug, thiserror::Error)]
#[error("interrupted ({by}) after {pages} page{}; {} kept, and the next sync resumes from there",
    if *.pages == 1 { "" } else { "s" }, if *.pages == 1 { "it is" } else { "they are" })]
pub struct Interrupted {
    pub by: &'static str,
    /// Pages committed by this run before the signal.
    pub pages: u64,
}

/// Whether `e` is (or was caused by) an interruption.
pub fn is_interrupted(e: &anyhow::Error) -> bool {
    e.chain().any(|c| c.is::<Interrupted>())
}
