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
