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
pub struct Interrupted {
    pub by: &'static str,
    /// Pages committed by this run before the signal.
    pub pages: u64,
}

impl std::fmt::Display for Interrupted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.pages {
            0 => write!(f, "interrupted ({}) before its first page; the next sync starts there", self.by),
            1 => write!(f, "interrupted ({}) after 1 page; it is kept, and the next sync resumes from there", self.by),
            n => write!(
                f,
                "interrupted ({}) after {n} pages; they are kept, and the next sync resumes from there",
                self.by
            ),
        }
    }
}

/// Whether `e` is (or was caused by) an interruption.
pub fn is_interrupted(e: &anyhow::Error) -> bool {
    e.chain().any(|c| c.is::<Interrupted>())
}

#[cfg(test)]
mod tests {
    use super::Interrupted;

    #[test]
    fn the_message_says_what_was_kept() {
        let said = |pages| Interrupted { by: "Ctrl-C", pages }.to_string();
        assert_eq!(said(0), "interrupted (Ctrl-C) before its first page; the next sync starts there");
        assert!(said(1).starts_with("interrupted (Ctrl-C) after 1 page; it is kept,"), "{}", said(1));
        assert!(said(7).ends_with("after 7 pages; they are kept, and the next sync resumes from there"), "{}", said(7));
    }
}
