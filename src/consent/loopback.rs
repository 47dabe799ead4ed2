//! One-shot listeners on 127.0.0.1 for a consent flow: the OAuth redirect (RFC 8252 §7.3),
//! whose query is the answer, and a page of our own whose form is posted back (Teller
//! Connect-style widgets). An ephemeral port; anything but the path gets a 404; the first
//! answer ends it. The path is the provider's to choose.

use std::collections::HashMap;
use std::io::Read as _;
use std::time::{Duration, Instant};

use anyhow::Result;

use crate::error::{Exit, UserError};

pub struct Listener {
    server: tiny_http::Server,
    port: u16,
    path: String,
}

impl std::fmt::Debug for Listener {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Listener").field("port", &self.port).field("path", &self.path).finish()
    }
}

/// The parameters the browser brought back: the redirect's query, or the posted form.
#[derive(Debug)]
pub struct Callback(HashMap<String, String>);

impl Callback {
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).map(String::as_str)
    }
}

impl Listener {
    /// Listen on 127.0.0.1 (never a public interface) for requests to `path` (e.g. `/callback`).
    pub fn bind(path: &str) -> Result<Listener> {
        let server = tiny_http::Server::http("127.0.0.1:0")
            .map_err(|e| anyhow::anyhow!("cannot listen on 127.0.0.1 for the bank's answer: {e}"))?;
        let port = server.server_addr().to_ip().map(|a| a.port()).unwrap_or_default();
        Ok(Listener { server, port, path: path.to_string() })
    }

    /// Listen on a fixed port of 127.0.0.1, for providers whose redirect URL is registered
    /// ahead, port and all (Enable Banking's `http://127.0.0.1:PORT/...`).
    pub fn bind_at(port: u16, path: &str) -> Result<Listener> {
        let server = tiny_http::Server::http(("127.0.0.1", port)).map_err(|e| {
            UserError::new(Exit::TempFail, format!("cannot listen on 127.0.0.1:{port} for the bank's answer ({e})"))
                .hint("is another `tally link` waiting there? Finish or stop it and try again")
        })?;
        Ok(Listener { server, port, path: path.to_string() })
    }

    /// Where the browser must come: the redirect URI, or the page's address.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}{}", self.port, self.path)
    }

    /// Wait for the redirect to our path until `timeout`, or until `abort` says the other side
    /// gave up; return its query parameters.
    pub fn wait(self, timeout: Duration, abort: &dyn Fn() -> bool) -> Result<Callback> {
        self.serve(None, timeout, abort)
    }

    /// Serve `html` at our path and wait until its form is POSTed back there
    /// (`application/x-www-form-urlencoded`); return the form's fields.
    pub fn wait_for_post(self, html: &str, timeout: Duration, abort: &dyn Fn() -> bool) -> Result<Callback> {
        self.serve(Some(html), timeout, abort)
    }

    fn serve(self, page: Option<&str>, timeout: Duration, abort: &dyn Fn() -> bool) -> Result<Callback> {
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            let Some(mut request) = self.server.recv_timeout(Duration::from_millis(100))? else {
                if abort() {
                    break;
                }
                continue;
            };
            let url = url::Url::parse(&format!("http://127.0.0.1{}", request.url())).ok();
            let Some(url) = url.filter(|u| u.path() == self.path) else {
                let _ = request.respond(tiny_http::Response::from_string("not found").with_status_code(404));
                continue;
            };
            let params: HashMap<String, String> = match (request.method(), page) {
                (tiny_http::Method::Get, None) => url.query_pairs().into_owned().collect(),
                (tiny_http::Method::Get, Some(page)) => {
                    let _ = request.respond(html(page));
                    continue;
                }
                (tiny_http::Method::Post, Some(_)) => {
                    let mut body = String::new();
                    if request.as_reader().take(64 * 1024).read_to_string(&mut body).is_err() {
                        let _ = request.respond(tiny_http::Response::from_string("bad form").with_status_code(400));
                        continue;
                    }
                    url::form_urlencoded::parse(body.as_bytes()).into_owned().collect()
                }
                _ => {
                    let _ = request.respond(tiny_http::Response::from_string("not allowed").with_status_code(405));
                    continue;
                }
            };
            let done = if params.contains_key("error") {
                "tally received the bank's answer: no access was granted. Return to the terminal."
            } else {
                "tally received the bank's answer. You can close this tab and return to the terminal."
            };
            let _ = request.respond(html(&format!("<!doctype html><title>tally</title><p>{done}</p>")));
            return Ok(Callback(params));
        }
        Err(UserError::new(Exit::TempFail, "timed out waiting for the bank to send the browser back")
            .hint("run `tally link` again and finish the consent in the browser; `--timeout` gives more time")
            .into())
    }
}

fn html(page: &str) -> tiny_http::Response<std::io::Cursor<Vec<u8>>> {
    tiny_http::Response::from_string(page)
        .with_header(tiny_http::Header::from_bytes("Content-Type", "text/html; charset=utf-8").expect("static header"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn http() -> reqwest::blocking::Client {
        crate::context::http_client().unwrap()
    }

    #[test]
    fn the_redirect_query_comes_back_and_other_paths_get_404() {
        let listener = Listener::bind("/cb").unwrap();
        let url = listener.url();
        let base = url.trim_end_matches("/cb").to_string();
        std::thread::scope(|s| {
            let browser = s.spawn(|| {
                assert_eq!(http().get(format!("{base}/other?code=no")).send().unwrap().status(), 404);
                http().get(format!("{url}?code=abc&state=s1")).send().unwrap().status()
            });
            let callback = listener.wait(Duration::from_secs(10), &|| false).unwrap();
            assert_eq!(callback.get("code"), Some("abc"));
            assert_eq!(callback.get("state"), Some("s1"));
            assert_eq!(browser.join().unwrap(), 200);
        });
    }

    #[test]
    fn a_page_is_served_and_its_posted_form_comes_back() {
        let listener = Listener::bind("/connect").unwrap();
        let url = listener.url();
        std::thread::scope(|s| {
            s.spawn(|| {
                let page = http().get(&url).send().unwrap().text().unwrap();
                assert!(page.contains("<form"), "{page}");
                http().post(&url).form(&[("enrollment", "e1"), ("token", "t1")]).send().unwrap();
            });
            let form = listener
                .wait_for_post("<form method=post><input name=token></form>", Duration::from_secs(10), &|| false)
                .unwrap();
            assert_eq!((form.get("enrollment"), form.get("token")), (Some("e1"), Some("t1")));
        });
    }

    #[test]
    fn an_abort_ends_the_wait_with_the_timeout_error() {
        let listener = Listener::bind("/cb").unwrap();
        let err = listener.wait(Duration::from_secs(30), &|| true).unwrap_err();
        assert_eq!(crate::error::user_error(&err).unwrap().exit, Exit::TempFail);
    }
}
