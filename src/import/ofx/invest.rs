//! Investment statements' cash: trades, income and fees (`BUYSTOCK`, `SELLMF`, `INCOME`, …) read
//! as the cash they move, and amounts finer than the currency settled the way the broker's own
//! cash balance implies (the running balance rounded at every step, so the rows add up to it).
//!
//! tally keeps an investment account's cash, not its holdings: a trade is one cash row (its
//! `TOTAL`), named after the security. What moves no cash (reinvested income, splits, security
//! transfers, journal entries between sub-accounts) is left out, and the importer says how many.

use std::collections::HashMap;

use chrono::NaiveDate;

use super::{Element, date};

/// The trades that move cash: the aggregate, and the child holding `INVTRAN`/`TOTAL` when it is
/// not the aggregate itself (`INVBUY` / `INVSELL`).
const CASH: [(&str, Option<&str>); 14] = [
    ("BUYDEBT", Some("INVBUY")),
    ("BUYMF", Some("INVBUY")),
    ("BUYOPT", Some("INVBUY")),
    ("BUYOTHER", Some("INVBUY")),
    ("BUYSTOCK", Some("INVBUY")),
    ("SELLDEBT", Some("INVSELL")),
    ("SELLMF", Some("INVSELL")),
    ("SELLOPT", Some("INVSELL")),
    ("SELLOTHER", Some("INVSELL")),
    ("SELLSTOCK", Some("INVSELL")),
    ("INCOME", None),
    ("INVEXPENSE", None),
    ("MARGININTEREST", None),
    ("RETOFCAP", None),
];

/// What moves no cash in the account.
const NO_CASH: [&str; 6] = ["REINVEST", "SPLIT", "TRANSFER", "JRNLSEC", "JRNLFUND", "CLOSUREOPT"];

/// Each security's name and ticker by its id (`UNIQUEID`).
pub(super) type Securities = HashMap<String, (Option<String>, Option<String>)>;

/// The securities the file's `<SECLIST>` describes.
pub(super) fn securities(root: &Element) -> Securities {
    let mut infos = Vec::new();
    root.all("SECINFO", &mut infos);
    infos
        .into_iter()
        .filter_map(|info| {
            let id = info.child("SECID")?.text_of("UNIQUEID")?.to_string();
            Some((id, (info.text_of("SECNAME").map(str::to_string), info.text_of("TICKER").map(str::to_string))))
        })
        .collect()
}

/// The statement's trades as `<STMTTRN>`s (so ids, rounding, raw records and replay work as for
/// any cash row), each carrying the trade it came from as `<TALLY.TRADE>`; and how many
/// investment transactions were left out because they move no cash.
pub(super) fn trades(stmt: &Element, securities: &Securities) -> (Vec<Element>, usize) {
    let Some(list) = stmt.child("INVTRANLIST") else { return (Vec::new(), 0) };
    let mut rows = Vec::new();
    let mut skipped = 0;
    for entry in &list.children {
        if NO_CASH.contains(&entry.name.as_str()) {
            skipped += 1;
            continue;
        }
        let Some((_, inner)) = CASH.iter().find(|(name, _)| *name == entry.name) else { continue };
        let body = inner.and_then(|i| entry.child(i)).unwrap_or(entry);
        let Some(tran) = body.child("INVTRAN") else { continue };
        let security = body.child("SECID").and_then(|s| s.text_of("UNIQUEID"));
        let (name, ticker) = security.and_then(|s| securities.get(s)).cloned().unwrap_or_default();
        let label = ticker.or_else(|| security.map(str::to_string)).unwrap_or_default();
        let leaf = |name: &str, text: Option<&str>| {
            text.map(|t| Element { name: name.into(), text: Some(t.to_string()), children: vec![] })
        };
        let memo = tran.text_of("MEMO").map(str::to_string).unwrap_or_else(|| {
            let units = body.text_of("UNITS").map(|u| format!(" {u}")).unwrap_or_default();
            let price = body.text_of("UNITPRICE").map(|p| format!(" @ {p}")).unwrap_or_default();
            format!("{}{units} {label}{price}", entry.name).trim_end().to_string()
        });
        let children = [
            leaf("TRNTYPE", Some(&entry.name)),
            leaf("DTPOSTED", tran.text_of("DTTRADE")),
            leaf("DTUSER", tran.text_of("DTSETTLE")),
            leaf("TRNAMT", body.text_of("TOTAL")),
            leaf("FITID", tran.text_of("FITID")),
            leaf("NAME", name.as_deref().or(Some(label.as_str())).filter(|n| !n.is_empty())),
            leaf("MEMO", Some(&memo)),
            Some(Element { name: "TALLY.TRADE".into(), text: None, children: vec![entry.clone()] }),
        ];
        rows.push(Element { name: "STMTTRN".into(), text: None, children: children.into_iter().flatten().collect() });
    }
    (rows, skipped)
}

/// Decimals an exact amount keeps: more than any broker writes.
const SCALE: u32 = 8;

/// An amount as written (`.` or `,` as the decimal point), exactly, in 10⁻⁸ units.
pub(super) fn exact(text: &str) -> Option<i128> {
    let t = text.trim();
    let (negative, t) = match t.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let (int, frac) = t.split_once(['.', ',']).unwrap_or((t, ""));
    let digits = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
    if !digits(int) || !digits(frac) || (int.is_empty() && frac.is_empty()) || int.len() > 20 {
        return None;
    }
    let frac = frac.trim_end_matches('0');
    if frac.len() > SCALE as usize {
        return None;
    }
    let whole: i128 = if int.is_empty() { 0 } else { int.parse().ok()? };
    let part: i128 = if frac.is_empty() { 0 } else { format!("{frac:0<8}").parse().ok()? };
    let value = whole.checked_mul(10i128.pow(SCALE))?.checked_add(part)?;
    Some(if negative { -value } else { value })
}

/// An exact amount in the currency's minor units, half a unit rounding up (towards +∞): the one
/// rule under which adding whole units never changes how a balance rounds.
pub(super) fn round(value: i128, exponent: u8) -> Option<i64> {
    let unit = 10i128.pow(SCALE.checked_sub(u32::from(exponent))?);
    i64::try_from((value + unit / 2).div_euclid(unit)).ok()
}

/// Each row's amount in minor units, as the broker's cash balance implies: start from the opening
/// cash (the closing balance less every row, or zero without one), walk the rows in date order,
/// round the running balance at every step and take each row as the step between two rounded
/// balances. Whole-unit amounts come out unchanged; fractions never pile up into a drift, and the
/// rows add up to the rounded closing balance. `None` when an amount is not a number.
pub(super) fn settle(rows: &[(Option<NaiveDate>, &str)], closing: Option<&str>, exponent: u8) -> Option<Vec<i64>> {
    let amounts: Vec<i128> = rows.iter().map(|(_, a)| exact(a)).collect::<Option<_>>()?;
    let total = amounts.iter().try_fold(0i128, |s, a| s.checked_add(*a))?;
    let opening = match closing {
        Some(c) => exact(c)?.checked_sub(total)?,
        None => 0,
    };
    let mut order: Vec<usize> = (0..rows.len()).collect();
    order.sort_by_key(|&i| rows[i].0);
    let mut settled = vec![0i64; rows.len()];
    let mut balance = opening;
    let mut rounded = round(balance, exponent)?;
    for i in order {
        balance = balance.checked_add(amounts[i])?;
        let next = round(balance, exponent)?;
        settled[i] = next.checked_sub(rounded)?;
        rounded = next;
    }
    Some(settled)
}

/// A row's date for [`settle`]'s order.
pub(super) fn posted(t: &Element) -> Option<NaiveDate> {
    t.text_of("DTPOSTED").and_then(|d| date(d).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(2026, 11, d)
    }

    #[test]
    fn fractions_settle_on_the_running_balance_not_row_by_row() {
        // Three half-cent dividends: row by row they would be 0.03, the broker's cash says 0.02.
        let rows = [(day(1), "0.005"), (day(2), "0.005"), (day(3), "0.005")];
        assert_eq!(settle(&rows, Some("0.015"), 2), Some(vec![1, 0, 1]));
        // Whole cents stay as written whatever fraction the balance carries.
        let rows = [(day(2), "-1234.5678"), (day(1), "100.00"), (day(3), "1.00")];
        let settled = settle(&rows, Some("-1133.5678"), 2).unwrap();
        assert_eq!(settled, vec![-123457, 10000, 100]);
        assert_eq!(settled.iter().sum::<i64>(), round(exact("-1133.5678").unwrap(), 2).unwrap());
        // A negative opening fraction: adding whole cents does not change how it rounds.
        let rows = [(day(1), "1.00")];
        assert_eq!(settle(&rows, Some("0.995"), 2), Some(vec![100]));
    }

    #[test]
    fn exact_amounts_read_both_decimal_points_and_refuse_text() {
        assert_eq!(exact("-12,3456"), Some(-1_234_560_000));
        assert_eq!(exact("+0.5"), Some(50_000_000));
        assert_eq!(exact("1.000000000"), Some(100_000_000));
        assert_eq!(exact("1.000000001"), None);
        assert_eq!(exact("1e3"), None);
        assert_eq!(exact(""), None);
        assert_eq!(round(exact("-0.005").unwrap(), 2), Some(0));
        assert_eq!(round(exact("0.005").unwrap(), 2), Some(1));
        assert_eq!(round(exact("12.3456").unwrap(), 0), Some(12));
    }
}
