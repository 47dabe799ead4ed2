//! How sure a pair of rows is a transfer, and why, in words: the amounts already match
//! (opposite, same currency, two accounts); what moves the confidence is the days between
//! them, the words the bank used, and whether another row could have been the other leg.
//! Words that say "refund", or a merchant both rows name, rule a pair out.

use crate::model::AccountKind;
use crate::store::transfers::Leg;

/// Words a bank uses for money moved between accounts (upper case; matched as words).
const TRANSFER_WORDS: &[&str] = &[
    "TRANSFER",
    "TRANSFERS",
    "XFER",
    "TRF",
    "TFR",
    "PAYMENT",
    "AUTOPAY",
    "THANK",
    "SAVINGS",
    "CHECKING",
    "DEPOSIT",
    "WITHDRAWAL",
    "SWEEP",
    "UMBUCHUNG",
    "VIREMENT",
    "OVERBOEKING",
];

/// Words that make a credit a merchant's refund rather than one's own money arriving.
const REFUND_WORDS: &[&str] =
    &["REFUND", "REFUNDED", "RETURN", "RETURNED", "REVERSAL", "REVERSED", "CHARGEBACK", "CASHBACK", "RMA"];

/// Words too common to name a merchant that both rows share.
const COMMON: &[&str] = &["THE", "AND", "FOR", "FROM", "ONLINE", "POS", "CARD", "DEBIT", "CREDIT", "PURCHASE", "BANK"];

/// Other rows that could have been either leg, as near in time as the chosen one.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Rivals {
    /// Rivals in the same accounts as the chosen legs: which one pairs with which changes
    /// nothing the reports show (two equal transfers on one day).
    pub alike: usize,
    /// Rivals in other accounts: the money may have gone somewhere else.
    pub elsewhere: usize,
}

fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_uppercase).collect()
}

fn says(words: &[String], list: &[&str]) -> bool {
    words.iter().any(|w| list.contains(&w.as_str()))
}

/// Why `from` (money out) and `to` (money in) cannot be a transfer, if they cannot.
pub fn ruled_out(from: &Leg, to: &Leg) -> Option<&'static str> {
    let (a, b) = (words(&from.text), words(&to.text));
    if says(&a, REFUND_WORDS) || says(&b, REFUND_WORDS) {
        return Some("a refund");
    }
    let hinted = says(&a, TRANSFER_WORDS) || says(&b, TRANSFER_WORDS) || is_card(to);
    let merchant = |w: &String| w.len() >= 3 && w.chars().all(char::is_alphabetic) && !COMMON.contains(&w.as_str());
    if !hinted && a.iter().filter(|w| merchant(w)).any(|w| b.contains(w)) {
        return Some("a purchase and its refund (both name the same merchant)");
    }
    None
}

fn is_card(to: &Leg) -> bool {
    matches!(to.account_kind, AccountKind::Credit | AccountKind::Loan)
}

/// The confidence (percent) that the pair is a transfer, and the reason in words.
pub fn score(from: &Leg, to: &Leg, from_account: &str, to_account: &str, rivals: Rivals) -> (u8, String) {
    let days = (to.date - from.date).num_days().unsigned_abs();
    let mut confidence: i64 = 95 - 5 * days as i64;
    let mut why = vec![if is_card(to) {
        format!("a payment from {from_account} to card {to_account}")
    } else {
        format!("from {from_account} to {to_account}")
    }];
    why.push(match days {
        0 => "the same day".to_string(),
        1 => "a day apart".to_string(),
        n => format!("{n} days apart"),
    });
    let hinted = says(&words(&from.text), TRANSFER_WORDS) || says(&words(&to.text), TRANSFER_WORDS);
    if !hinted && !is_card(to) {
        confidence -= 20;
        why.push("no words of a transfer".into());
    }
    if rivals.elsewhere > 0 {
        confidence -= 40;
        why.push(format!("{} other row(s) in other accounts could be the other side", rivals.elsewhere));
    } else if rivals.alike > 0 {
        confidence -= 10;
        why.push(format!("one of {} equal transfers between these accounts", rivals.alike + 1));
    }
    (confidence.clamp(1, 99) as u8, why.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::TxStatus;

    fn leg(kind: AccountKind, day: u32, amount: i64, text: &str) -> Leg {
        Leg {
            id: i64::from(day),
            account_id: 1,
            account_kind: kind,
            external_id: "x".into(),
            date: chrono::NaiveDate::from_ymd_opt(2026, 11, day).unwrap(),
            amount,
            currency: "USD".into(),
            text: text.into(),
            status: TxStatus::Posted,
            transfer_id: None,
        }
    }

    #[test]
    fn days_words_and_rivals_lower_the_confidence() {
        let out = leg(AccountKind::Checking, 2, -50000, "ONLINE TRANSFER TO SAVINGS");
        let same_day = leg(AccountKind::Savings, 2, 50000, "ONLINE TRANSFER FROM CHECKING");
        let later = leg(AccountKind::Savings, 5, 50000, "DEP");
        let (sure, why) = score(&out, &same_day, "Checking", "Savings", Rivals::default());
        assert_eq!((sure, why.as_str()), (95, "from Checking to Savings, the same day"));
        let (c, _) = score(&out, &later, "Checking", "Savings", Rivals::default());
        assert_eq!(c, 80, "three days apart");
        let plain = leg(AccountKind::Checking, 2, -50000, "DEBIT 0042");
        let (c, why) = score(&plain, &later, "Checking", "Savings", Rivals::default());
        assert_eq!(c, 60, "{why}");
        let (c, why) = score(&out, &same_day, "Checking", "Savings", Rivals { alike: 1, elsewhere: 0 });
        assert_eq!((c, why.contains("one of 2 equal transfers")), (85, true));
        let (c, _) = score(&out, &same_day, "Checking", "Savings", Rivals { alike: 0, elsewhere: 1 });
        assert_eq!(c, 55);
        let card = leg(AccountKind::Credit, 2, 50000, "THANKS");
        let (c, why) = score(&plain, &card, "Checking", "Visa", Rivals::default());
        assert_eq!((c, why.starts_with("a payment from Checking to card Visa")), (95, true));
    }

    #[test]
    fn refunds_and_a_shared_merchant_rule_a_pair_out() {
        let buy = leg(AccountKind::Checking, 3, -45_00, "AMAZON MKTPLACE PMTS");
        let refund = leg(AccountKind::Savings, 4, 45_00, "AMAZON REFUND");
        assert_eq!(ruled_out(&buy, &refund), Some("a refund"));
        let back = leg(AccountKind::Savings, 4, 45_00, "AMAZON.COM");
        assert!(ruled_out(&buy, &back).unwrap().contains("same merchant"));
        let moved = leg(AccountKind::Savings, 4, 45_00, "TRANSFER FROM CHECKING");
        assert_eq!(ruled_out(&buy, &moved), None);
    }
}
