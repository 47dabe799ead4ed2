//! What a consent grants, said before the browser opens (issue 13, least privilege): the
//! access asked for (always read-only), the scopes as the request names them, and how long it
//! lasts. A provider builds its [`Grants`] from the very values it puts in its consent request,
//! so the words cannot drift from what is sent; [`Grants::tell`] is the one place that says it.

use chrono::{DateTime, Utc};

use crate::consent::Conversation;

/// How long a consent lasts, as the request asks for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Validity {
    /// A fixed number of days, ending at `until`.
    Days { days: i64, until: DateTime<Utc> },
    /// Until the user (or the bank) revokes it; `note` says what the provider adds, if anything.
    UntilRevoked { note: Option<&'static str> },
    /// The request names no length: the bank decides.
    BankDecides,
}

impl Validity {
    /// `days` from `now`.
    pub fn days_from(now: DateTime<Utc>, days: i64) -> Validity {
        Validity::Days { days, until: now + chrono::Duration::days(days) }
    }
}

/// What tally asks a provider for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grants {
    /// Who is asked, as the user knows them ("Enable Banking", "GoCardless for N26 Bank").
    pub asked: String,
    /// What may be read, in words ("accounts, balances and transactions").
    pub reads: &'static str,
    /// The scopes or products exactly as the request names them (none for a provider whose
    /// request names none).
    pub scopes: Vec<String>,
    pub valid: Validity,
}

/// The access every aggregator gives tally: read-only by design.
pub const ACCOUNTS_BALANCES_TRANSACTIONS: &str = "accounts, balances and transactions";

impl Grants {
    pub fn new(asked: impl Into<String>, reads: &'static str, scopes: &[&str], valid: Validity) -> Grants {
        Grants { asked: asked.into(), reads, scopes: scopes.iter().map(|s| s.to_string()).collect(), valid }
    }

    /// The sentence: "tally asks Enable Banking for: read accounts, balances and transactions
    /// (read-only), valid 180 days, until 2027-05-28."
    pub fn sentence(&self) -> String {
        let scopes = if self.scopes.is_empty() { String::new() } else { format!("; scope: {}", self.scopes.join(" ")) };
        let valid = match &self.valid {
            Validity::Days { days, until } => format!("valid {days} days, until {}", until.format("%Y-%m-%d")),
            Validity::UntilRevoked { note: None } => "valid until revoked (`tally connections unlink`)".into(),
            Validity::UntilRevoked { note: Some(note) } => {
                format!("valid until revoked (`tally connections unlink`; {note})")
            }
            Validity::BankDecides => "valid for as long as the bank allows (it may ask again)".into(),
        };
        format!("tally asks {} for: read {} (read-only{scopes}), {valid}.", self.asked, self.reads)
    }

    /// Say it, before the consent page is shown.
    pub fn tell(&self, conversation: &mut dyn Conversation) {
        conversation.say(&self.sentence());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn says_the_access_the_scopes_and_the_end() {
        let now = DateTime::parse_from_rfc3339("2026-11-30T06:00:00Z").unwrap().to_utc();
        let g = Grants::new("Enable Banking", ACCOUNTS_BALANCES_TRANSACTIONS, &[], Validity::days_from(now, 180));
        assert_eq!(
            g.sentence(),
            "tally asks Enable Banking for: read accounts, balances and transactions (read-only), valid 180 days, until 2027-05-29."
        );
        let g = Grants::new("Plaid", "transactions", &["transactions"], Validity::UntilRevoked { note: None });
        assert_eq!(
            g.sentence(),
            "tally asks Plaid for: read transactions (read-only; scope: transactions), valid until revoked (`tally connections unlink`)."
        );
    }
}
