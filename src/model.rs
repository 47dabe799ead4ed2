//! Domain types shared by providers, importers and the reconciler. Wire formats stop before here:
//! a provider or importer only turns its payloads into these.

use chrono::{DateTime, NaiveDate, Utc};

use crate::money::Currency;

/// One transaction as a provider or a file states it, before reconciliation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTransaction {
    /// The provider's id, unique within the account.
    pub external_id: String,
    /// For a posted transaction: the id of the pending one it replaces, when the provider says.
    pub pending_external_id: Option<String>,
    pub booked_date: NaiveDate,
    pub value_date: Option<NaiveDate>,
    /// Minor units; negative is money out.
    pub amount: i64,
    pub currency: Currency,
    pub payee: Option<String>,
    pub description: String,
    pub pending: bool,
    /// The provider's own category code, mapped onto our tree by `categorize::provider`.
    pub provider_category: Option<String>,
}

/// The kinds of account tally knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum AccountKind {
    Checking,
    Savings,
    Credit,
    Loan,
    Investment,
    Other,
}

impl AccountKind {
    pub fn as_str(self) -> &'static str {
        match self {
            AccountKind::Checking => "checking",
            AccountKind::Savings => "savings",
            AccountKind::Credit => "credit",
            AccountKind::Loan => "loan",
            AccountKind::Investment => "investment",
            AccountKind::Other => "other",
        }
    }
}

/// An account as a provider describes it.
#[derive(Debug, Clone)]
pub struct RemoteAccount {
    pub external_id: String,
    /// Stable across re-consent: IBAN, or mask + name + institution.
    pub identity: String,
    pub name: String,
    pub official_name: Option<String>,
    pub kind: AccountKind,
    pub currency: Currency,
    pub mask: Option<String>,
    pub balance_current: Option<i64>,
    pub balance_available: Option<i64>,
    pub balance_as_of: DateTime<Utc>,
}

/// One upstream change to apply to the store.
#[derive(Debug, Clone)]
pub enum Change {
    /// Added or modified upstream: insert, or update in place.
    Upsert(NewTransaction),
    /// Gone upstream: keep the row, mark it removed.
    Remove { external_id: String },
}

/// A change for one account, with the payload it came from (kept as a raw record).
#[derive(Debug, Clone)]
pub struct AccountChange {
    pub account_external_id: String,
    pub change: Change,
    pub raw: String,
}

/// The longest name (account, connection) tally keeps, in characters: long enough for any
/// real bank's product name, short enough that a listing stays a listing.
pub const MAX_NAME_CHARS: usize = 100;

/// A name a person gives: trimmed, not empty, not absurdly long, no control characters.
pub fn check_name(what: &str, name: &str) -> anyhow::Result<String> {
    let name = name.trim();
    let hint = format!("give {what} a name of 1 to {MAX_NAME_CHARS} characters");
    if name.is_empty() {
        return crate::error::usage(format!("{what} name cannot be empty"), hint);
    }
    let len = name.chars().count();
    if len > MAX_NAME_CHARS {
        return crate::error::usage(
            format!("{what} name is {len} characters long; the limit is {MAX_NAME_CHARS}"),
            hint,
        );
    }
    if name.chars().any(char::is_control) {
        return crate::error::usage(format!("{what} name contains control characters"), hint);
    }
    Ok(name.to_string())
}

/// A name from a bank or a file, cut to [`MAX_NAME_CHARS`] (nobody can be asked to fix it).
pub fn clip_name(name: &str) -> String {
    let name = name.trim();
    if name.chars().count() <= MAX_NAME_CHARS {
        return name.to_string();
    }
    let mut clipped: String = name.chars().take(MAX_NAME_CHARS - 1).collect();
    clipped.push('…');
    clipped
}
