//! Plaid Hosted Link, for a machine without a browser: `/link/token/create` with
//! `hosted_link: {}` gives a `hosted_link_url` the user opens anywhere (shown with a QR code
//! for a phone); `/link/token/get` is polled until the session's `public_token` appears (or
//! the session ends, or time runs out); `/item/public_token/exchange` turns it into the
//! Item's access token. Update mode (`link --relink`) passes the access token instead of
//! products and needs no exchange.

use std::time::{Duration, Instant};

use anyhow::Result;
use serde_json::json;

use super::api::{Api, Keys, Refusal};
use super::wire::{Exchanged, LinkSession, LinkTokenCreated, LinkTokenGot, sanitize};
use crate::consent::Conversation;
use crate::error::UserError;
use crate::providers::ProviderError;
use crate::providers::grants::{ACCOUNTS_BALANCES_TRANSACTIONS, Grants, Validity};

/// How a finished poll ended.
pub enum Outcome {
    /// A new Item: its public token and the institution's name.
    Added { public_token: String, institution: Option<String> },
    /// Update mode finished without an error.
    Updated,
}

/// The Plaid products tally asks for: transactions only (read-only; no Auth, no payments).
const PRODUCTS: [&str; 1] = ["transactions"];

/// What a link asks for, from the same [`PRODUCTS`] the request names. Update mode renews
/// the Item's consent with the products it already has.
fn grants() -> Grants {
    Grants::new(
        "Plaid",
        ACCOUNTS_BALANCES_TRANSACTIONS,
        &PRODUCTS,
        Validity::UntilRevoked { note: Some("banks in Europe ask again after 180 days") },
    )
}

/// The link token request. `country` is the bank's country (`--country`, default US).
fn create_body(keys: &Keys, country: &str, update: bool) -> serde_json::Value {
    let mut body = json!({
        "client_name": "tally",
        "language": "en",
        "country_codes": [country],
        "user": {"client_user_id": "tally-user"},
        "hosted_link": {},
    });
    if update {
        body["access_token"] = json!(keys.access_token);
    } else {
        body["products"] = json!(PRODUCTS);
        // The most history Plaid will fetch; the default is 90 days.
        body["transactions"] = json!({"days_requested": 730});
    }
    body
}

/// Run Hosted Link to the end: the public token of a new Item, or update mode's success.
/// Start a link session (update mode when `keys` has an access token).
pub fn create(api: &Api, keys: &Keys, country: &str) -> Result<Result<LinkTokenCreated, Refusal>> {
    let update = !keys.access_token.is_empty();
    api.call(keys, "/link/token/create", &create_body(keys, country, update), false, &mut || Ok(()))
}

/// Run the session `created` started to its end.
pub fn hosted_link(
    api: &Api,
    keys: &Keys,
    created: LinkTokenCreated,
    conversation: &mut dyn Conversation,
    timeout: Duration,
    poll: Duration,
) -> Result<Outcome> {
    let update = !keys.access_token.is_empty();
    let url = created.hosted_link_url.ok_or_else(|| {
        UserError::failure("Plaid did not return a Hosted Link URL")
            .hint("Hosted Link must be enabled for your Plaid account (ask Plaid support for Hosted Link access)")
    })?;
    grants().tell(conversation);
    conversation.say("Open this Plaid Link page on any device (your phone can scan the code) and link your bank:");
    conversation.show_url(&url, true);
    let started = Instant::now();
    let mut polls = 0u32;
    loop {
        let waited = started.elapsed();
        if waited >= timeout {
            return Err(UserError::failure(format!(
                "Plaid Link was not finished within {} s; nothing was linked",
                timeout.as_secs()
            ))
            .hint("run `tally link plaid` again, and pass --timeout SECS to wait longer")
            .into());
        }
        if polls.is_multiple_of(30) {
            conversation.polling(&format!(
                "Waiting for you to finish in Plaid Link ({} s left)…",
                (timeout - waited).as_secs()
            ));
        }
        polls += 1;
        let got: LinkTokenGot = api
            .call(keys, "/link/token/get", &json!({"link_token": created.link_token}), true, &mut || Ok(()))?
            .map_err(|r| r.into_error("to report on the link session"))?;
        for session in got.link_sessions.unwrap_or_default() {
            if let Some(outcome) = finished(session, update)? {
                return Ok(outcome);
            }
        }
        std::thread::sleep(poll.min(timeout.saturating_sub(started.elapsed())));
    }
}

/// What one session says: done, failed, or (`None`) still going.
fn finished(session: LinkSession, update: bool) -> Result<Option<Outcome>> {
    let added = session.results.and_then(|r| r.item_add_results.into_iter().next());
    if let Some(add) = added {
        let institution = add.institution.and_then(|i| i.name);
        return Ok(Some(Outcome::Added { public_token: add.public_token, institution }));
    }
    if let Some(s) = session.on_success {
        let institution = s.metadata.and_then(|m| m.institution).and_then(|i| i.name);
        return Ok(Some(Outcome::Added { public_token: s.public_token, institution }));
    }
    if let Some(error) = session.exit.and_then(|e| e.error) {
        let said = error.display_message.as_deref().unwrap_or(&error.error_message);
        return Err(UserError::failure(format!(
            "Plaid Link ended with {} ({}); nothing was linked",
            sanitize(&error.error_code),
            sanitize(said)
        ))
        .hint("run `tally link plaid` again")
        .into());
    }
    match session.finished_at {
        Some(_) if update => Ok(Some(Outcome::Updated)),
        Some(_) => Err(UserError::failure("you left Plaid Link without linking a bank; nothing was linked")
            .hint("run `tally link plaid` again")
            .into()),
        None => Ok(None),
    }
}

/// Exchange the one-time public token for the Item's access token.
pub fn exchange(api: &Api, keys: &Keys, public_token: &str) -> Result<Keys> {
    let got: Exchanged = api
        .call(keys, "/item/public_token/exchange", &json!({"public_token": public_token}), false, &mut || Ok(()))?
        .map_err(|r| r.into_error("the public token"))?;
    if got.access_token.is_empty() {
        return Err(ProviderError::Malformed("Plaid returned an empty access token".into()).into());
    }
    Ok(Keys { access_token: got.access_token, item_id: got.item_id, ..keys.clone() })
}
