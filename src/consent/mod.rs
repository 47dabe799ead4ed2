//! Consent is a conversation between a provider's link flow and the user. [`Conversation`]
//! has every step the providers need (see DESIGN.md's table): show a URL (and a QR code),
//! open a browser, ask for a secret, ask for a pasted redirect URL, report polling, serve a
//! page on 127.0.0.1 that receives a POST, and wait for the OAuth loopback redirect.
//!
//! A provider's `link` speaks only this trait; it never knows whether a person at a terminal
//! ([`Terminal`]) or a script (the demo's robot, tests: [`Scripted`]) answers. What happens to
//! the consent afterwards is the caller's business.

pub mod loopback;
mod scripted;
mod terminal;

use std::time::Duration;

use anyhow::Result;

pub use self::loopback::{Callback, Listener};
pub use self::scripted::Scripted;
pub use self::terminal::{SecretSource, Terminal};
use crate::secrets::SecretString;

pub trait Conversation {
    /// Tell the user how things stand (a status line on stderr).
    fn say(&mut self, message: &str);

    /// Show a URL the user must open to consent; with `qr`, also as a QR code for a phone
    /// (the QR code arrives with the first provider that asks for it; until then the URL is
    /// shown alone). The URL is always shown: a headless machine has no other way.
    fn show_url(&mut self, url: &str, qr: bool);

    /// Open `url` in a browser if there is one, best effort: the URL is shown already.
    fn open_browser(&mut self, url: &str);

    /// Ask for a secret (a setup token, an API key): never echoed, never in argv.
    fn secret(&mut self, prompt: &str) -> Result<SecretString>;

    /// Ask for the URL the bank sent the browser to (providers whose redirect must be HTTPS,
    /// so it cannot come back to us: Enable Banking). The caller checks its `state`.
    fn pasted_url(&mut self, prompt: &str) -> Result<url::Url>;

    /// Let the user pick one of `items` (a bank from a long list: a fuzzy picker on a
    /// terminal); returns its index. `instead` says how to give the answer without a prompt
    /// (a flag), for the error when nobody can be asked.
    fn choose(&mut self, prompt: &str, items: &[String], instead: &str) -> Result<usize> {
        let _ = items;
        Err(crate::error::UserError::usage(format!("choosing {prompt} needs a terminal")).hint(instead).into())
    }

    /// Report how a poll is going while the user consents elsewhere (Plaid Hosted Link,
    /// GoCardless requisitions).
    fn polling(&mut self, status: &str);

    /// Let the user consent at `authorize_url`, and wait up to `timeout` for the bank to send
    /// the browser back to `listener` (the OAuth loopback redirect, RFC 8252).
    fn redirect(&mut self, authorize_url: &str, listener: Listener, timeout: Duration) -> Result<Callback>;

    /// Serve `html` once at `listener` and wait up to `timeout` for the form it posts back
    /// (widgets such as Teller Connect that run only in a page of ours).
    fn page(&mut self, html: &str, listener: Listener, timeout: Duration) -> Result<Callback>;
}
