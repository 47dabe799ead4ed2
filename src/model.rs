//! Domain types shared by providers, importers and the reconciler. Wire formats stop before here:
//! a provider or importer only turns its payloads into these.

use chrono::{DateTime, NaiveDate, Utc};

use crate::money::Currency;

/// A stored or typed value that names no variant of a `text_enum!`: an error, never a panic.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} {value:?} (expected one of: {})", .expected.join(", "))]
pub struct UnknownValue {
    pub what: &'static str,
    pub value: String,
    pub expected: &'static [&'static str],
}

/// An enum stored and printed as fixed snake_case text: `as_str`, `parse` (an unknown value is an
/// [`UnknownValue`] error), `Display`, `FromStr` and `Serialize` as that text. The store gives
/// each one `ToSql`/`FromSql` (`store::values`).
macro_rules! text_enum {
    ($(#[$meta:meta])* $name:ident, $what:literal {
        $($(#[$vmeta:meta])* $variant:ident => $text:literal),+ $(,)?
    }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vmeta])* $variant),+
        }

        impl $name {
            /// Every variant, in declaration order.
            pub const ALL: &[$name] = &[$($name::$variant),+];
            const TEXTS: &[&str] = &[$($text),+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }

            pub fn parse(s: &str) -> Result<$name, UnknownValue> {
                match s {
                    $($text => Ok($name::$variant),)+
                    _ => Err(UnknownValue { what: $what, value: s.to_string(), expected: $name::TEXTS }),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = UnknownValue;
            fn from_str(s: &str) -> Result<$name, UnknownValue> {
                $name::parse(s)
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }
    };
}

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
    /// The provider's own category code, mapped onto our tree by that provider's map (`categorize::map_for`).
    pub provider_category: Option<String>,
}

text_enum! {
    /// The kinds of account tally knows. The default (as for `accounts add`) is checking.
    #[derive(Default)]
    AccountKind, "account kind" {
        #[default]
        Checking => "checking",
        Savings => "savings",
        Credit => "credit",
        Loan => "loan",
        Investment => "investment",
        Other => "other",
    }
}

text_enum! {
    /// Where a stored transaction stands upstream. The default, posted, is there for row types
    /// that derive `Default` (an empty listing's CSV header comes from a default row).
    #[derive(Default)]
    TxStatus, "transaction status" {
        /// Authorized, not yet booked; a posted row may take it over.
        Pending => "pending",
        #[default]
        Posted => "posted",
        /// Gone upstream (or a pending row that expired): kept, but out of every listing and report.
        Removed => "removed",
    }
}

text_enum! {
    /// Who decided a transaction's category. Precedence: user > rule > learned > provider
    /// ([`CategorySource::may_replace`]).
    CategorySource, "category source" {
        User => "user",
        Rule => "rule",
        Learned => "learned",
        Provider => "provider",
    }
}

impl CategorySource {
    /// Higher wins: the one place the precedence user > rule > learned > provider is written.
    pub fn rank(self) -> u8 {
        match self {
            CategorySource::Provider => 0,
            CategorySource::Learned => 1,
            CategorySource::Rule => 2,
            CategorySource::User => 3,
        }
    }

    /// Whether a new decision from `self` replaces the one stored (made by `stored`, if any).
    /// A lower source never overrides a higher one; an equal one does, so a re-run of the rules
    /// (or a fixed provider map) updates its own earlier decisions. Only the user overrides the user.
    pub fn may_replace(self, stored: Option<CategorySource>) -> bool {
        stored.is_none_or(|s| self.rank() >= s.rank())
    }

    /// Whether a decision is the user's own word (their choice or their rule), which rebuilding
    /// rows from raw records must keep rather than derive again.
    pub fn is_users_word(self) -> bool {
        self.rank() >= CategorySource::Rule.rank()
    }
}

text_enum! {
    /// What a category counts as: spending, earning, or money moving between one's own accounts
    /// (left out of both).
    CategoryKind, "category kind" {
        Expense => "expense",
        Income => "income",
        Transfer => "transfer",
    }
}

text_enum! {
    /// Where a pair of rows stands as a transfer between one's own accounts (`transfers`).
    TransferStatus, "transfer status" {
        /// Found by detection, confident enough to count: both rows are marked.
        Detected => "detected",
        /// Found, not confident enough to count until the user confirms it: rows unmarked.
        Suggested => "suggested",
        /// The user said it is a transfer: both rows are marked, and stay so.
        Confirmed => "confirmed",
        /// The user said it is not: rows unmarked, and detection never pairs them again.
        Rejected => "rejected",
    }
}

text_enum! {
    /// A connection's consent, as far as tally knows. A new connection is active (the default).
    #[derive(Default)]
    ConnectionStatus, "connection status" {
        #[default]
        Active => "active",
        /// The provider refused the consent (expired, revoked there): `link --relink` renews it.
        NeedsRelink => "needs_relink",
        /// Unlinked by the user; the data is kept, nothing syncs.
        Revoked => "revoked",
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_enum_round_trips_through_its_text_and_refuses_unknown_text() {
        fn check<T: Copy + PartialEq + std::fmt::Debug + std::fmt::Display + std::str::FromStr<Err = UnknownValue>>(
            all: &[T],
            what: &str,
        ) {
            for v in all {
                assert_eq!(v.to_string().parse::<T>(), Ok(*v));
            }
            let err = "Pending ".parse::<T>().unwrap_err();
            assert_eq!(err.value, "Pending ");
            assert!(err.to_string().starts_with(&format!("unknown {what} \"Pending \"")), "{err}");
        }
        check(AccountKind::ALL, "account kind");
        check(TxStatus::ALL, "transaction status");
        check(CategorySource::ALL, "category source");
        check(ConnectionStatus::ALL, "connection status");
        check(CategoryKind::ALL, "category kind");
        check(TransferStatus::ALL, "transfer status");
        assert_eq!(TxStatus::parse("removed"), Ok(TxStatus::Removed));
        assert_eq!(ConnectionStatus::NeedsRelink.as_str(), "needs_relink");
        assert_eq!(serde_json::to_value(CategorySource::Learned).unwrap(), "learned");
        let err = CategorySource::parse("bank").unwrap_err().to_string();
        assert_eq!(err, "unknown category source \"bank\" (expected one of: user, rule, learned, provider)");
    }

    #[test]
    fn the_user_is_never_overridden_and_higher_sources_win() {
        use CategorySource::*;
        for new in [Rule, Learned, Provider] {
            assert!(!new.may_replace(Some(User)), "{new} must not replace a user choice");
        }
        assert!(User.may_replace(Some(User)), "the user may change their mind");
        for stored in [Learned, Provider] {
            assert!(Rule.may_replace(Some(stored)), "a rule replaces {stored}");
        }
        assert!(Learned.may_replace(Some(Provider)));
        assert!(!Learned.may_replace(Some(Rule)));
        assert!(!Provider.may_replace(Some(Learned)) && !Provider.may_replace(Some(Rule)));
        for s in CategorySource::ALL {
            assert!(s.may_replace(Some(*s)), "a re-run of {s} updates its own decision");
            assert!(s.may_replace(None), "{s} fills an empty category");
        }
        assert_eq!(CategorySource::ALL.iter().filter(|s| s.is_users_word()).count(), 2);
        assert!(User.is_users_word() && Rule.is_users_word() && !Learned.is_users_word());
    }
}
