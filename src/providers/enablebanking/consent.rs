//! Enable Banking's consent step: the bank (`GET /aspsps` by country, `--bank` or a picker),
//! `POST /auth` with a random `state` and the bank's longest consent, the user's trip to the
//! bank (the HTTPS address they land on is pasted back, or a loopback redirect registered with
//! the application is received), the `state` check, and `POST /sessions`.

use anyhow::{Context as _, Result};
use serde::Deserialize;
use serde_json::json;

use super::api::{App, Method};
use super::{EnableBanking, Stored, wire};
use crate::consent::Conversation;
use crate::error::UserError;
use crate::providers::grants::{ACCOUNTS_BALANCES_TRANSACTIONS, Grants, Validity};
use crate::providers::{LinkOptions, Linked, ProviderError};
use crate::secrets::{SecretString, random_hex};

impl EnableBanking {
    fn choose_bank(
        &self,
        app: &App,
        conversation: &mut dyn Conversation,
        options: &LinkOptions,
    ) -> Result<(String, String, i64)> {
        let country = options.country.as_deref().map(str::trim).unwrap_or_default().to_uppercase();
        if country.len() != 2 || !country.chars().all(|c| c.is_ascii_alphabetic()) {
            return Err(UserError::usage("Enable Banking lists banks by country: pass --country XX")
                .hint("the two-letter code of your bank's country, e.g. --country FI or --country DE")
                .into());
        }
        let query = [("country", country.as_str()), ("psu_type", "personal"), ("service", "AIS")];
        let answer = self.api.call(app, Method::Get, "/aspsps", &query, None, &mut || Ok(()))?;
        let banks: Vec<Bank> = serde_json::from_value(answer.get("aspsps").cloned().unwrap_or_default())
            .map_err(|e| ProviderError::Malformed(format!("/aspsps: {e}")))?;
        if banks.is_empty() {
            return Err(UserError::usage(format!("Enable Banking lists no banks in {country}"))
                .hint("check the country code (ISO 3166, e.g. FI, DE, SE)")
                .into());
        }
        let names: Vec<String> = banks.iter().map(|b| b.name.clone()).collect();
        let index = match options.bank.as_deref() {
            Some(wanted) => pick_bank(&names, wanted, &country)?,
            None => conversation.choose("your bank", &names, "pass --bank NAME")?,
        };
        let bank = &banks[index];
        Ok((
            bank.name.clone(),
            bank.country.clone().unwrap_or(country),
            bank.maximum_consent_validity.unwrap_or(90 * 86400),
        ))
    }

    fn redirect_url(&self, app: &App) -> Result<String> {
        if let Some(url) = &self.settings.redirect_url {
            return Ok(url.clone());
        }
        let answer = self.api.call(app, Method::Get, "/application", &[], None, &mut || Ok(()))?;
        answer.get("redirect_urls").and_then(|u| u.get(0)).and_then(|u| u.as_str()).map(str::to_string).ok_or_else(
            || {
                UserError::usage("the Enable Banking application has no redirect URL registered")
                    .hint("add one (HTTPS) to the application, or set [providers.enablebanking] redirect_url")
                    .into()
            },
        )
    }

    /// The consent flow behind `Provider::link`.
    /// A relink (`options.renew`) renews the consent at the bank and with the application it
    /// was made with, unless `--country`/`--bank` or the settings say otherwise.
    pub(super) fn consent(&self, conversation: &mut dyn Conversation, options: &LinkOptions) -> Result<Linked> {
        let previous = options.renew.as_ref().and_then(|s| Stored::read(s).ok());
        let mut options = options.clone();
        if let Some(p) = &previous {
            options.country = options.country.or_else(|| p.country.clone());
            options.bank = options.bank.or_else(|| p.bank.clone());
        }
        let app = match (self.settings.app(), &previous) {
            (Ok(app), _) => app,
            (Err(_), Some(p)) => p.app(),
            (Err(e), None) => return Err(e),
        };
        let (bank, country, max_secs) = self.choose_bank(&app, conversation, &options)?;
        let redirect_url = self.redirect_url(&app)?;
        // Bound before the consent starts: a busy port fails now, not after the user consented.
        let listener =
            loopback(&redirect_url).map(|(port, path)| crate::consent::Listener::bind_at(port, &path)).transpose()?;
        let state = random_hex()?;
        let valid_until = self.env.now + chrono::Duration::seconds(max_secs);
        let grants = Grants::new(
            format!("{bank} through Enable Banking"),
            ACCOUNTS_BALANCES_TRANSACTIONS,
            &[],
            Validity::Days { days: max_secs / 86_400, until: valid_until },
        );
        let body = json!({
            "access": { "valid_until": valid_until.to_rfc3339() },
            "aspsp": { "name": bank, "country": country },
            "state": state,
            "redirect_url": redirect_url,
            "psu_type": "personal",
        });
        let started = self.api.call(&app, Method::Post, "/auth", &[], Some(&body), &mut || Ok(()))?;
        let url = started
            .get("url")
            .and_then(|u| u.as_str())
            .ok_or_else(|| ProviderError::Malformed("/auth: no url".into()))?;
        grants.tell(conversation);
        let back = match listener {
            // A redirect tally can receive itself: no pasting.
            Some(listener) => {
                let callback = conversation.redirect(url, listener, options.timeout)?;
                ["state", "code", "error", "error_description"]
                    .iter()
                    .filter_map(|k| callback.get(k).map(|v| (k.to_string(), v.to_string())))
                    .collect()
            }
            None => {
                conversation.show_url(url, true);
                conversation.open_browser(url);
                conversation.say(&format!(
                    "After you consent, {bank} sends your browser to {redirect_url}. Copy that whole address from the address bar."
                ));
                let pasted = conversation.pasted_url("the address the bank sent you to")?;
                pasted.query_pairs().into_owned().collect::<std::collections::HashMap<String, String>>()
            }
        };
        let param = |k: &str| back.get(k).cloned();
        if let Some(error) = param("error") {
            let why = param("error_description").map(|d| format!(": {d}")).unwrap_or_default();
            return Err(UserError::failure(format!("the bank did not grant access ({error}{why})"))
                .hint("run `tally link enablebanking` again and approve the access at your bank")
                .into());
        }
        if param("state").as_deref() != Some(state.as_str()) {
            return Err(UserError::failure(
                "that address does not belong to this consent (its state does not match); nothing was linked",
            )
            .hint("paste the address the bank sent you to after this very `tally link`")
            .into());
        }
        let code = param("code").ok_or_else(|| {
            UserError::usage("that address carries no authorization code").hint("copy the whole address, query and all")
        })?;
        let session =
            self.api.call(&app, Method::Post, "/sessions", &[], Some(&json!({ "code": code })), &mut || Ok(()))?;
        let wire_session: SessionAnswer =
            serde_json::from_value(session).map_err(|e| ProviderError::Malformed(format!("/sessions: {e}")))?;
        let stored = Stored {
            app_id: app.id.clone(),
            key: app.key.expose().to_string(),
            session_id: wire_session.session_id,
            accounts: wire_session.accounts,
            bank: Some(bank.clone()),
            country: Some(country),
        };
        let secret = SecretString::new(serde_json::to_string(&stored).context("cannot keep the session")?);
        Ok(Linked {
            secret,
            institution: wire_session.aspsp.map_or(bank, |a| a.name),
            consent_expires_at: wire_session.access.and_then(|a| a.valid_until).or(Some(valid_until)),
        })
    }
}

#[derive(Debug, Deserialize)]
struct Bank {
    name: String,
    country: Option<String>,
    maximum_consent_validity: Option<i64>,
}

/// The bank named `wanted` (any case), else the one name that contains it, else an error
/// naming the closest.
fn pick_bank(names: &[String], wanted: &str, country: &str) -> Result<usize> {
    let wanted_lower = wanted.trim().to_lowercase();
    if let Some(i) = names.iter().position(|n| n.to_lowercase() == wanted_lower) {
        return Ok(i);
    }
    let containing: Vec<usize> =
        (0..names.len()).filter(|&i| names[i].to_lowercase().contains(&wanted_lower)).collect();
    if let [only] = containing.as_slice() {
        return Ok(*only);
    }
    let mut closest: Vec<&String> = names.iter().collect();
    closest.sort_by_key(|n| (!n.to_lowercase().contains(&wanted_lower), distance(&n.to_lowercase(), &wanted_lower)));
    let shown: Vec<String> = closest.iter().take(5).map(|n| format!("{n:?}")).collect();
    Err(UserError::usage(format!("Enable Banking lists no bank {wanted:?} in {country}"))
        .hint(format!("closest: {}; pass one of them with --bank", shown.join(", ")))
        .into())
}

/// Levenshtein distance, for "did you mean".
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

/// The port and path of a redirect URL on this machine's loopback (`http://127.0.0.1:PORT/...`
/// or `localhost`), which tally can receive itself; `None` for any other (HTTPS) URL.
fn loopback(redirect_url: &str) -> Option<(u16, String)> {
    let url = url::Url::parse(redirect_url).ok()?;
    let local = matches!(url.host_str(), Some("127.0.0.1" | "localhost"));
    (url.scheme() == "http" && local).then(|| (url.port_or_known_default().unwrap_or(80), url.path().to_string()))
}

#[derive(Deserialize)]
struct SessionAnswer {
    session_id: String,
    accounts: Vec<wire::Account>,
    aspsp: Option<Aspsp>,
    access: Option<Access>,
}

#[derive(Deserialize)]
struct Aspsp {
    name: String,
}

#[derive(Deserialize)]
struct Access {
    valid_until: Option<chrono::DateTime<chrono::Utc>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bank_is_found_in_any_case_or_the_closest_are_named() {
        let names: Vec<String> =
            ["Nordea", "Nordea Business", "OP", "S-Pankki"].iter().map(|s| s.to_string()).collect();
        assert_eq!(pick_bank(&names, "nordea", "FI").unwrap(), 0);
        assert_eq!(pick_bank(&names, "pankki", "FI").unwrap(), 3);
        let err = pick_bank(&names, "Nordia", "FI").unwrap_err();
        let hint = crate::error::user_error(&err).unwrap().hint.clone().unwrap();
        assert!(hint.starts_with("closest: \"Nordea\""), "{hint}");
    }
}
