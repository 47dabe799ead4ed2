//! The one-shot loopback listener (RFC 8252 §7.3): 127.0.0.1 on an ephemeral port, answers
//! anything but `/callback` with 404, and returns the first callback's query parameters.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use anyhow::Result;

use crate::error::{Exit, UserError};

pub struct Listener {
    server: tiny_http::Server,
    port: u16,
}

/// The query parameters the bank sent the browser back with.
#[derive(Debug)]
pub struct Callback(HashMap<String, String>);

impl Callback {
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).map(String::as_str)
    }
}

impl Listener {
    pub fn bind() -> Result<Listener> {
        let server = tiny_http::Server::http("127.0.0.1:0")
            .map_err(|e| anyhow::anyhow!("cannot listen on 127.0.0.1 for the bank's redirect: {e}"))?;
        let port = server.server_addr().to_ip().map(|a| a.port()).unwrap_or_default();
        Ok(Listener { server, port })
    }

    pub fn redirect_uri(&self) -> String {
        format!("http://127.0.0.1:{}{}", self.port, crate::sandbox::REDIRECT_PATH)
    }

    /// Wait for the callback until `timeout`, or until `abort` says the other side gave up.
    pub fn wait(self, timeout: Duration, abort: &dyn Fn() -> Option<()>) -> Result<Callback> {
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            let request = self.server.recv_timeout(Duration::from_millis(100))?;
            let Some(request) = request else {
                if abort().is_some() {
                    break;
                }
                continue;
            };
            let url = url::Url::parse(&format!("http://127.0.0.1{}", request.url()));
            match url {
                Ok(url) if url.path() == crate::sandbox::REDIRECT_PATH => {
                    let params: HashMap<String, String> = url.query_pairs().into_owned().collect();
                    let page = if params.contains_key("code") {
                        "tally received the bank's answer. You can close this tab and return to the terminal."
                    } else {
                        "tally received the bank's answer: no access was granted. Return to the terminal."
                    };
                    let _ = request.respond(
                        tiny_http::Response::from_string(format!("<!doctype html><title>tally</title><p>{page}</p>"))
                            .with_header(
                                tiny_http::Header::from_bytes("Content-Type", "text/html; charset=utf-8")
                                    .expect("static header"),
                            ),
                    );
                    return Ok(Callback(params));
                }
                _ => {
                    let _ = request.respond(tiny_http::Response::from_string("not found").with_status_code(404));
                }
            }
        }
        Err(UserError::new(Exit::TempFail, "timed out waiting for the bank to send the browser back")
            .hint("run `tally link` again and finish the consent in the browser; `--timeout` gives more time")
            .into())
    }
}
