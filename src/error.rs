//! Error kinds and exit codes: every failure ends here as `error:`, `caused by:` and `hint:` lines.
//!
//! Commands return `anyhow::Result`; a [`UserError`] anywhere in the chain decides the exit code
//! and carries the hint. Only `main.rs` ends the process, through [`exit`].

use std::fmt;
use std::process::ExitCode;

/// Documented exit codes (also in `tally --help` and the man page).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// 0: everything worked.
    Ok = 0,
    /// 1: the command failed (a server error, a broken file, a store problem).
    Failure = 1,
    /// 2: the command line was wrong: a bad flag, an unknown account, connection or provider.
    Usage = 2,
    /// 75: a temporary failure (server down, rate limited); retry later.
    TempFail = 75,
    /// 77: the provider needs the user again: run `tally link --relink NAME`.
    Reconsent = 77,
    /// 130: stopped by Ctrl-C or SIGTERM; what was done is kept.
    Interrupted = 130,
}

pub const EXIT_CODES_HELP: &str = "\
Exit status:
  0   success
  1   failure (server error, broken file, store problem)
  2   usage error (bad flag, unknown account, connection or provider)
  3   `tally alerts` found alerts (they are on stdout)
  75  temporary failure (provider down or rate limited): retry later
  77  consent expired or revoked: link the connection again
  130 interrupted (Ctrl-C or SIGTERM): what was done is kept, run it again to finish";

/// `tally alerts`' exit code when it found alerts: not a failure, news for cron.
pub const ALERTS_FOUND: u8 = 3;

/// Not a failure: a command that tells a script something through its exit code alone, having
/// printed what it found already. [`exit`] prints nothing for it.
#[derive(Debug)]
pub struct Signal(pub u8);

impl fmt::Display for Signal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "exit status {}", self.0)
    }
}

impl std::error::Error for Signal {}

/// An error the user can act on: its message, an optional hint, and the exit code it maps to.
#[derive(Debug)]
pub struct UserError {
    pub message: String,
    pub hint: Option<String>,
    pub exit: Exit,
}

impl UserError {
    pub fn new(exit: Exit, message: impl Into<String>) -> Self {
        UserError { message: message.into(), hint: None, exit }
    }

    /// A mistake on the command line (exit code 2).
    pub fn usage(message: impl Into<String>) -> Self {
        Self::new(Exit::Usage, message)
    }

    /// A failure that is not the user's typing (exit code 1).
    pub fn failure(message: impl Into<String>) -> Self {
        Self::new(Exit::Failure, message)
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

impl fmt::Display for UserError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for UserError {}

/// Shorthand for `Err(UserError::usage(..).into())`.
pub fn usage<T>(message: impl Into<String>, hint: impl Into<String>) -> anyhow::Result<T> {
    Err(UserError::usage(message).hint(hint).into())
}

/// Print the error (if any) and turn the result into the process exit code.
pub fn exit(result: anyhow::Result<()>) -> ExitCode {
    let Err(err) = result else {
        return ExitCode::SUCCESS;
    };
    if is_broken_pipe(&err) {
        return ExitCode::SUCCESS;
    }
    if let Some(Signal(code)) = err.chain().find_map(|e| e.downcast_ref::<Signal>()) {
        return ExitCode::from(*code);
    }
    if let Some(clap_err) = err.downcast_ref::<clap::Error>() {
        // clap prints help/version to stdout with code 0 and usage errors with code 2.
        let _ = clap_err.print();
        return ExitCode::from(clap_err.exit_code() as u8);
    }
    let user = user_error(&err);
    crate::output::print_error(&err, user.and_then(|u| u.hint.as_deref()));
    ExitCode::from(user.map_or(Exit::Failure, |u| u.exit) as u8)
}

/// The `UserError` in `err`, whether it is the error itself, a cause, or a context layer.
pub fn user_error(err: &anyhow::Error) -> Option<&UserError> {
    err.downcast_ref::<UserError>().or_else(|| err.chain().find_map(|e| e.downcast_ref::<UserError>()))
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain()
        .any(|e| e.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe))
}
