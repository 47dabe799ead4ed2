//! GoCardless' consent step: the institution (`GET /institutions/?country=XX`, `--bank` or a
//! picker), an end-user agreement with the institution's own maximum history and access days,
//! a requisition (redirect + a unique reference) whose link the user opens anywhere (shown
//! with a QR code), and its status polled until `LN` (linked), or until a status that ends
//! it, or the time-out. Every documented status has its sentence.

use std::time::Instant;

use anyhow::Result;
use serde_json::json;

use super::api::{Auth, Method};
use super::wire::{Agreement, Institution, Requisition};
use super::{GoCardless, Stored};
use crate::consent::Conversation;
use crate::error::UserError;
use crate::providers::grants::{ACCOUNTS_BALANCES_TRANSACTIONS, Grants, Validity};
use crate::providers::{LinkOptions, Linked, ProviderError};
use crate::secrets::random_hex;

/// What a requisition status means for the wait.
#[derive(Debug, PartialEq, Eq)]
pub enum Status {
    /// Still under way: say this and poll again.
    Waiting(&'static str),
    Linked,
    /// Over without a link: why, and what to do.
    Ended(&'static str, &'static str),
}

const AGAIN: &str = "run `tally link gocardless` again";

/// The requisition statuses of the spec's `StatusEnum`, each explained.
pub fn status(code: &str) -> Status {
    match code {
        "CR" => Status::Waiting("created: open the link to start"),
        "GC" => Status::Waiting("giving consent at GoCardless"),
        "UA" => Status::Waiting("signing in at the bank"),
        "ID" => Status::Waiting("identity checked, continuing at the bank"),
        "SA" => Status::Waiting("selecting accounts at the bank"),
        "GA" => Status::Waiting("granting access to the accounts"),
        "LN" => Status::Linked,
        "RJ" => Status::Ended(
            "the bank rejected the consent (sign-in failed, or access was refused)",
            "run `tally link gocardless` again and complete the bank's sign-in",
        ),
        "EX" => Status::Ended("the requisition expired before it was completed", AGAIN),
        "SU" => Status::Ended(
            "GoCardless suspended the requisition after repeated errors at the bank",
            "run `tally link gocardless` again later; if it keeps happening, the bank's connection is down",
        ),
        "ER" => Status::Ended("the bank or GoCardless reported an error during the consent", AGAIN),
        _ => Status::Waiting("in a state tally does not know yet"),
    }
}

impl GoCardless {
    fn institution(
        &self,
        auth: &mut Auth,
        conversation: &mut dyn Conversation,
        options: &LinkOptions,
    ) -> Result<Institution> {
        let country = options.country.as_deref().map(str::trim).unwrap_or_default().to_uppercase();
        if country.len() != 2 || !country.chars().all(|c| c.is_ascii_alphabetic()) {
            return Err(UserError::usage("GoCardless lists banks by country: pass --country XX")
                .hint("the two-letter code of your bank's country, e.g. --country DE or --country GB")
                .into());
        }
        let (answer, _, _) = self.api.call(
            auth,
            Method::Get,
            "/api/v2/institutions/",
            &[("country", &country)],
            None,
            &mut || Ok(()),
        )?;
        let banks: Vec<Institution> = serde_json::from_value(answer)
            .map_err(|e| ProviderError::Malformed(format!("GoCardless /api/v2/institutions/: {e}")))?;
        if banks.is_empty() {
            return Err(UserError::usage(format!("GoCardless lists no banks in {country}"))
                .hint("check the country code (ISO 3166, e.g. DE, GB, SE)")
                .into());
        }
        let index = match options.bank.as_deref() {
            Some(wanted) => pick(&banks, wanted, &country)?,
            None => {
                let names: Vec<String> = banks.iter().map(|b| b.name.clone()).collect();
                conversation.choose("your bank", &names, "pass --bank NAME (as GoCardless lists it)")?
            }
        };
        Ok(banks[index].clone())
    }

    /// The consent flow behind `Provider::link`. `auth` holds the credentials (and gains tokens).
    pub(super) fn consent(
        &self,
        mut auth: Auth,
        conversation: &mut dyn Conversation,
        options: &LinkOptions,
    ) -> Result<Linked> {
        let bank = self.institution(&mut auth, conversation, options)?;
        let (history, access) = (bank.history_days(), bank.access_days());
        let scopes = ["balances", "details", "transactions"];
        let grants = Grants::new(
            format!("{} through GoCardless", bank.name),
            ACCOUNTS_BALANCES_TRANSACTIONS,
            &scopes,
            Validity::days_from(self.env.now, i64::from(access)),
        );
        let body = json!({
            "institution_id": bank.id,
            "max_historical_days": history,
            "access_valid_for_days": access,
            "access_scope": scopes,
        });
        let (answer, _, _) =
            self.api.call(&mut auth, Method::Post, "/api/v2/agreements/enduser/", &[], Some(&body), &mut || Ok(()))?;
        let agreement: Agreement = serde_json::from_value(answer)
            .map_err(|e| ProviderError::Malformed(format!("GoCardless agreement: {e}")))?;
        let body = json!({
            "redirect": self.settings.redirect_url,
            "institution_id": bank.id,
            "agreement": agreement.id,
            "reference": format!("tally-{}", random_hex()?),
        });
        let (answer, _, _) =
            self.api.call(&mut auth, Method::Post, "/api/v2/requisitions/", &[], Some(&body), &mut || Ok(()))?;
        let requisition: Requisition = serde_json::from_value(answer)
            .map_err(|e| ProviderError::Malformed(format!("GoCardless requisition: {e}")))?;
        let link = requisition
            .link
            .clone()
            .filter(|l| !l.is_empty())
            .ok_or_else(|| ProviderError::Malformed("GoCardless requisition: no link".into()))?;
        grants.tell(conversation);
        conversation.say(&format!(
            "Open this link on any device (your phone can scan the code) to consent at {}. \
             Afterwards the bank sends you to {}; that page need not load: tally checks the consent itself.",
            bank.name, self.settings.redirect_url
        ));
        conversation.show_url(&link, true);
        conversation.open_browser(&link);
        let waited = self.wait(&mut auth, &requisition.id, conversation, options);
        let accounts = match waited {
            Ok(accounts) => accounts,
            Err(e) => {
                // Leave nothing behind at GoCardless: the requisition and its agreement go.
                self.delete_requisition(&mut auth, &requisition.id);
                return Err(e);
            }
        };
        let history = agreement.max_historical_days.unwrap_or(history);
        let days = agreement.access_valid_for_days.unwrap_or(access);
        let expires = self.env.now + chrono::Duration::days(i64::from(days));
        let stored = Stored {
            auth,
            requisition_id: requisition.id,
            max_historical_days: history,
            consent_expires_at: Some(expires),
            accounts,
            details: Default::default(),
        };
        conversation.say("GoCardless linked the bank; its keys and tokens are kept in the secret store.");
        Ok(Linked {
            secret: stored.to_secret(),
            institution: crate::model::clip_name(&bank.name),
            consent_expires_at: Some(expires),
        })
    }

    /// Poll the requisition until it is linked (its accounts), ends, or time runs out.
    fn wait(
        &self,
        auth: &mut Auth,
        id: &str,
        conversation: &mut dyn Conversation,
        options: &LinkOptions,
    ) -> Result<Vec<String>> {
        let path = format!("/api/v2/requisitions/{id}/");
        let started = Instant::now();
        let mut last = String::new();
        loop {
            let (answer, _, _) = self.api.call(auth, Method::Get, &path, &[], None, &mut || Ok(()))?;
            let r: Requisition = serde_json::from_value(answer)
                .map_err(|e| ProviderError::Malformed(format!("GoCardless requisition: {e}")))?;
            let code = r.status.unwrap_or_default();
            match status(&code) {
                Status::Linked if r.accounts.is_empty() => {
                    return Err(UserError::failure("the consent covers no accounts; nothing was linked")
                        .hint("run `tally link gocardless` again and select at least one account at the bank")
                        .into());
                }
                Status::Linked => return Ok(r.accounts),
                Status::Ended(why, hint) => {
                    return Err(UserError::failure(format!(
                        "the link did not finish: {why} ({code}); nothing was linked"
                    ))
                    .hint(hint)
                    .into());
                }
                Status::Waiting(what) => {
                    if code != last {
                        let left = options.timeout.saturating_sub(started.elapsed()).as_secs();
                        conversation.polling(&format!("Waiting for the consent: {what} ({code}; {left} s left)…"));
                        last = code.clone();
                    }
                }
            }
            if started.elapsed() >= options.timeout {
                return Err(UserError::failure(format!(
                    "the consent was not finished within {} s (still {code}); nothing was linked",
                    options.timeout.as_secs()
                ))
                .hint("run `tally link gocardless` again, and pass --timeout SECS to wait longer")
                .into());
            }
            std::thread::sleep(self.settings.poll.min(options.timeout.saturating_sub(started.elapsed())));
        }
    }

    /// Best effort: a requisition that will not be used is deleted with its agreement.
    pub(super) fn delete_requisition(&self, auth: &mut Auth, id: &str) {
        let path = format!("/api/v2/requisitions/{id}/");
        if let Err(e) = self.api.call(auth, Method::Delete, &path, &[], None, &mut || Ok(())) {
            tracing::debug!("could not delete the unused requisition: {e:#}");
        }
    }
}

/// The bank named `wanted` (its name in any case, or its GoCardless id), else the one whose
/// name contains it, else an error naming some that come close.
fn pick(banks: &[Institution], wanted: &str, country: &str) -> Result<usize> {
    let w = wanted.trim().to_lowercase();
    if let Some(i) = banks.iter().position(|b| b.name.to_lowercase() == w || b.id.to_lowercase() == w) {
        return Ok(i);
    }
    let containing: Vec<usize> = (0..banks.len()).filter(|&i| banks[i].name.to_lowercase().contains(&w)).collect();
    if let [only] = containing.as_slice() {
        return Ok(*only);
    }
    let first = w.split_whitespace().next().unwrap_or("");
    let mut close: Vec<String> = containing.iter().map(|&i| format!("{:?}", banks[i].name)).collect();
    if close.is_empty() {
        close = banks
            .iter()
            .filter(|b| !first.is_empty() && b.name.to_lowercase().contains(&first[..first.len().min(3)]))
            .map(|b| format!("{:?}", b.name))
            .collect();
    }
    let hint = if close.is_empty() {
        "run without --bank on a terminal to pick from the list".to_string()
    } else {
        format!(
            "did you mean {}? pass one of them with --bank",
            close.into_iter().take(5).collect::<Vec<_>>().join(", ")
        )
    };
    let what = if containing.len() > 1 { "more than one bank matches" } else { "no bank matches" };
    Err(UserError::usage(format!("GoCardless lists {what} {wanted:?} in {country}")).hint(hint).into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_documented_status_has_its_outcome() {
        for code in ["CR", "GC", "UA", "ID", "SA", "GA"] {
            assert!(matches!(status(code), Status::Waiting(_)), "{code}");
        }
        assert_eq!(status("LN"), Status::Linked);
        for code in ["RJ", "EX", "SU", "ER"] {
            assert!(matches!(status(code), Status::Ended(..)), "{code}");
        }
    }

    #[test]
    fn a_bank_is_found_by_name_or_id_or_a_unique_part() {
        let bank = |id: &str, name: &str| Institution {
            id: id.into(),
            name: name.into(),
            transaction_total_days: None,
            max_access_valid_for_days: None,
        };
        let banks = [bank("N26_NTSBDEB1", "N26 Bank"), bank("DKB_BYLADEM1", "DKB"), bank("DB_X", "Deutsche Bank")];
        assert_eq!(pick(&banks, "n26 bank", "DE").unwrap(), 0);
        assert_eq!(pick(&banks, "DKB_BYLADEM1", "DE").unwrap(), 1);
        assert_eq!(pick(&banks, "deutsche", "DE").unwrap(), 2);
        let err = pick(&banks, "bank", "DE").unwrap_err();
        assert!(format!("{err:#}").contains("more than one"), "{err:#}");
        assert!(pick(&banks, "Revolut", "DE").is_err());
    }
}
