//! A conversation that follows a script: a "browser" closure plays whatever page the flow
//! shows (the demo's robot on the sandbox's consent page, a test's forged redirect), and queued
//! answers stand in for typed secrets and pasted URLs. It records what it was told.

use std::collections::VecDeque;
use std::time::Duration;

use anyhow::{Context as _, Result};

use super::{Callback, Conversation, Listener};
use crate::secrets::SecretString;

type Browser<'a> = Box<dyn Fn(&str) -> Result<()> + Send + Sync + 'a>;

#[derive(Default)]
pub struct Scripted<'a> {
    browser: Option<Browser<'a>>,
    secrets: VecDeque<SecretString>,
    pasted: VecDeque<String>,
    choices: VecDeque<String>,
    /// Everything said and shown, in order (URLs as `url: …`, polls as `poll: …`).
    pub transcript: Vec<String>,
}

impl std::fmt::Debug for Scripted<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scripted").field("transcript", &self.transcript).finish_non_exhaustive()
    }
}

impl<'a> Scripted<'a> {
    pub fn new() -> Scripted<'a> {
        Scripted::default()
    }

    /// Play the pages the flow sends the user to with `browser`, given each page's URL. It
    /// runs beside the listener, as a person's browser would.
    pub fn with_browser(mut self, browser: impl Fn(&str) -> Result<()> + Send + Sync + 'a) -> Self {
        self.browser = Some(Box::new(browser));
        self
    }

    /// Answer the next secret prompt with `secret`.
    pub fn with_secret(mut self, secret: &str) -> Self {
        self.secrets.push_back(SecretString::new(secret));
        self
    }

    /// Answer the next "paste the URL" prompt with `url`.
    pub fn with_pasted_url(mut self, url: &str) -> Self {
        self.pasted.push_back(url.to_string());
        self
    }

    /// Answer the next "choose one" prompt with the item named `item`.
    pub fn with_choice(mut self, item: &str) -> Self {
        self.choices.push_back(item.to_string());
        self
    }

    /// Run the browser on `url` beside `wait`, and stop waiting early if the browser gives up.
    fn browse(&mut self, url: &str, wait: impl FnOnce(&dyn Fn() -> bool) -> Result<Callback>) -> Result<Callback> {
        self.transcript.push(format!("url: {url}"));
        let browser = self.browser.as_ref().context("the script has no browser to open a consent page with")?;
        std::thread::scope(|scope| {
            let handle = scope.spawn(|| browser(url));
            let finished = || handle.is_finished();
            let callback = wait(&finished);
            match handle.join() {
                Ok(Err(e)) if callback.is_err() => Err(e.context("the robot could not play the consent page")),
                Err(_) => anyhow::bail!("the robot playing the consent page crashed"),
                _ => callback,
            }
        })
    }
}

impl Conversation for Scripted<'_> {
    fn say(&mut self, message: &str) {
        self.transcript.push(message.to_string());
    }

    fn show_url(&mut self, url: &str, qr: bool) {
        self.transcript.push(format!("url{}: {url}", if qr { " (qr)" } else { "" }));
    }

    fn open_browser(&mut self, url: &str) {
        self.transcript.push(format!("browser: {url}"));
    }

    fn secret(&mut self, prompt: &str) -> Result<SecretString> {
        self.secrets.pop_front().with_context(|| format!("the script has no answer for {prompt}"))
    }

    fn pasted_url(&mut self, prompt: &str) -> Result<url::Url> {
        let text = self.pasted.pop_front().with_context(|| format!("the script has no answer for {prompt}"))?;
        url::Url::parse(&text).with_context(|| format!("the script's answer for {prompt} is not a URL"))
    }

    fn choose(&mut self, prompt: &str, items: &[String], _instead: &str) -> Result<usize> {
        self.transcript.push(format!("choose: {prompt}"));
        let wanted = self.choices.pop_front().with_context(|| format!("the script has no answer for {prompt}"))?;
        items
            .iter()
            .position(|i| *i == wanted)
            .with_context(|| format!("the script's answer {wanted:?} is not offered"))
    }

    fn polling(&mut self, status: &str) {
        self.transcript.push(format!("poll: {status}"));
    }

    fn redirect(&mut self, authorize_url: &str, listener: Listener, timeout: Duration) -> Result<Callback> {
        self.browse(authorize_url, |abort| listener.wait(timeout, abort))
    }

    fn page(&mut self, html: &str, listener: Listener, timeout: Duration) -> Result<Callback> {
        let url = listener.url();
        self.browse(&url, |abort| listener.wait_for_post(html, timeout, abort))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_come_in_order_and_running_out_is_an_error() {
        let mut s =
            Scripted::new().with_secret("one").with_secret("two").with_pasted_url("https://example.test/cb?code=c");
        assert_eq!(s.secret("a token").unwrap().expose(), "one");
        assert_eq!(s.secret("a token").unwrap().expose(), "two");
        let err = s.secret("a token").unwrap_err();
        assert!(err.to_string().contains("no answer for a token"), "{err}");
        assert_eq!(s.pasted_url("the URL").unwrap().query(), Some("code=c"));
        assert!(s.pasted_url("the URL").is_err());
    }

    #[test]
    fn a_choice_is_answered_by_name_and_running_out_is_an_error() {
        let items = vec!["OP".to_string(), "Nordea".to_string()];
        let mut s = Scripted::new().with_choice("Nordea").with_choice("Danske");
        assert_eq!(s.choose("your bank", &items, "pass --bank").unwrap(), 1);
        assert!(s.choose("your bank", &items, "pass --bank").is_err(), "not offered");
        assert!(s.choose("your bank", &items, "pass --bank").is_err(), "no answer left");
        assert_eq!(s.transcript, ["choose: your bank"; 3]);
    }

    #[test]
    fn it_records_what_it_was_shown() {
        let mut s = Scripted::new();
        s.say("hello");
        s.show_url("https://bank.test/a", true);
        s.polling("waiting");
        assert_eq!(s.transcript, ["hello", "url (qr): https://bank.test/a", "poll: waiting"]);
    }

    #[test]
    fn its_browser_plays_the_redirect() {
        let listener = Listener::bind("/callback").unwrap();
        let back = format!("{}?code=abc&state=xyz", listener.url());
        let mut s = Scripted::new().with_browser(move |url| {
            assert_eq!(url, "https://bank.test/authorize");
            crate::context::http_client()?.get(&back).send()?;
            Ok(())
        });
        let callback = s.redirect("https://bank.test/authorize", listener, Duration::from_secs(10)).unwrap();
        assert_eq!(callback.get("code"), Some("abc"));
    }

    #[test]
    fn a_browser_that_fails_ends_the_wait_with_its_error() {
        let listener = Listener::bind("/callback").unwrap();
        let mut s = Scripted::new().with_browser(|_| anyhow::bail!("no consent page here"));
        let err = s.redirect("https://bank.test/authorize", listener, Duration::from_secs(30)).unwrap_err();
        assert!(format!("{err:#}").contains("no consent page here"), "{err:#}");
        let mut none = Scripted::new();
        let listener = Listener::bind("/callback").unwrap();
        assert!(none.redirect("https://bank.test/authorize", listener, Duration::from_secs(1)).is_err());
    }
}
