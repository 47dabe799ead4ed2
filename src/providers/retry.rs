//! Bounded retries for idempotent provider calls: 429 honours `Retry-After` (up to a cap),
//! 5xx and connection failures back off exponentially with jitter. Never more than `TRIES`.

use std::time::Duration;

use reqwest::StatusCode;
use reqwest::blocking::{RequestBuilder, Response};

use super::ProviderError;

const TRIES: u32 = 4;
/// A longer `Retry-After` than this is not waited out: the account fails for this run.
const MAX_WAIT_SECS: u64 = 30;

/// Send `make()` until it succeeds, fails for good, or the tries run out. `before` runs
/// before every attempt (the quota ledger counts attempts) and can stop them. When the server
/// cannot be reached at all, the error carries the provider's `unreachable_hint`.
pub fn send(
    make: impl Fn() -> RequestBuilder,
    url: &str,
    unreachable_hint: &str,
    before: &mut dyn FnMut() -> anyhow::Result<()>,
) -> anyhow::Result<Response> {
    let mut attempt = 0;
    loop {
        attempt += 1;
        let last = attempt == TRIES;
        before()?;
        match make().send() {
            Ok(r) if r.status() == StatusCode::TOO_MANY_REQUESTS => {
                let retry_after = r
                    .headers()
                    .get("retry-after")
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.trim().parse::<u64>().ok());
                match retry_after {
                    Some(s) if s <= MAX_WAIT_SECS && !last => {
                        tracing::debug!(url, s, "rate limited; waiting as asked");
                        std::thread::sleep(Duration::from_secs(s));
                    }
                    None if !last => std::thread::sleep(backoff(attempt)),
                    _ => return Err(ProviderError::RateLimited { retry_after }.into()),
                }
            }
            Ok(r) if r.status().is_server_error() && !last => {
                tracing::debug!(url, status = %r.status(), "server error; backing off");
                std::thread::sleep(backoff(attempt));
            }
            Ok(r) => return Ok(r),
            Err(e) if (e.is_timeout() || e.is_connect()) && !last => {
                tracing::debug!(url, "cannot reach the bank; backing off");
                std::thread::sleep(backoff(attempt));
            }
            Err(e) => return Err(super::http::unreachable(url, e, unreachable_hint)),
        }
    }
}

/// 250 ms, 500 ms, 1 s… plus up to 50 % jitter, so many clients do not retry in step.
fn backoff(attempt: u32) -> Duration {
    let base = 250u64 << (attempt - 1).min(6);
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
    Duration::from_millis(base + u64::from(nanos) % (base / 2 + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A bank on 127.0.0.1:0 that answers each request with the next `(status, Retry-After)`
    /// and then stops; joining it tells how many requests it answered.
    fn scripted(replies: Vec<(u16, Option<&'static str>)>) -> (String, std::thread::JoinHandle<usize>) {
        let server = tiny_http::Server::http("127.0.0.1:0").unwrap();
        let url = format!("http://{}/page", server.server_addr().to_ip().unwrap());
        let bank = std::thread::spawn(move || {
            let mut answered = 0;
            for (status, retry_after) in replies {
                // Bounded, so a client that stops early cannot hang the test.
                let Ok(Some(request)) = server.recv_timeout(Duration::from_secs(10)) else { break };
                let mut response = tiny_http::Response::from_string("{}").with_status_code(status);
                if let Some(secs) = retry_after {
                    response.add_header(tiny_http::Header::from_bytes("Retry-After", secs).unwrap());
                }
                request.respond(response).unwrap();
                answered += 1;
            }
            answered
        });
        (url, bank)
    }

    /// `send` against `replies`: its result, how often `before` ran, how many requests the bank saw.
    fn run(replies: Vec<(u16, Option<&'static str>)>) -> (anyhow::Result<Response>, u32, usize) {
        let (url, bank) = scripted(replies);
        let http = crate::context::http_client().unwrap();
        let mut attempts = 0;
        let result = send(|| http.get(&url), &url, "is the scripted bank up?", &mut || {
            attempts += 1;
            Ok(())
        });
        (result, attempts, bank.join().unwrap())
    }

    #[test]
    fn a_rate_limit_and_a_server_error_are_retried_until_the_bank_answers() {
        let (result, attempts, answered) = run(vec![(429, Some("0")), (500, None), (200, None)]);
        assert_eq!(result.unwrap().status(), 200);
        assert_eq!((attempts, answered), (3, 3), "every attempt is counted before it is sent");
    }

    #[test]
    fn never_more_than_tries_attempts() {
        let (result, attempts, answered) = run(vec![(500, None); TRIES as usize]);
        // The last answer is handed back for the caller to report.
        assert_eq!(result.unwrap().status(), 500);
        assert_eq!((attempts, answered), (TRIES, TRIES as usize));
    }

    #[test]
    fn a_retry_after_beyond_the_cap_is_not_waited_out() {
        let (result, attempts, answered) = run(vec![(429, Some("3600"))]);
        let err = result.unwrap_err();
        let limited = err.downcast_ref::<ProviderError>();
        assert!(matches!(limited, Some(ProviderError::RateLimited { retry_after: Some(3600) })), "{err:#}");
        assert_eq!((attempts, answered), (1, 1));
    }

    #[test]
    fn backoff_doubles_with_at_most_half_again_as_jitter() {
        for (attempt, base) in [(1, 250), (2, 500), (3, 1000)] {
            let wait = backoff(attempt).as_millis();
            assert!((base..=base + base / 2).contains(&wait), "attempt {attempt}: {wait} ms");
        }
    }
}
