//! How a file writes its amounts, decided once for a column (CSV) or a file (QIF), never per
//! value: `1,234` is 1234 in a column that writes `2,500.00` and 1.234 in one that writes
//! `12,50`. The style is detected from the sample a profile is detected from; a column that
//! the sample leaves undecided (whole numbers only) is decided by the first value that shows
//! its decimal separator, and from then on every value must agree or the file fails there.
//! The money rules themselves (grouping in threes, no extra decimals) are `money`'s.

use anyhow::{Result, anyhow};

use crate::error::UserError;
use crate::money::{Currency, Shows, SignMark, parse_styled, shows, written};

/// The decimal separator a set of written amounts shows, if any of them shows one, and the
/// value that showed it. Conflicting values are left for reading to report where they are.
pub fn detect<'a>(values: impl IntoIterator<Item = &'a str>) -> Option<(char, &'a str)> {
    values.into_iter().find_map(|v| match shows(v, None) {
        Shows::Decimal(d) => Some((d, v)),
        Shows::Nothing | Shows::Either => None,
    })
}

/// A sentence for `--inspect` and the notes: which style was chosen and why.
pub fn describe(decided: Option<(char, &str)>) -> String {
    match decided {
        Some((d, v)) => {
            let group = if d == ',' { '.' } else { ',' };
            format!("amounts use {d:?} for decimals and {group:?} (or a space) for thousands, as {v:?} shows")
        }
        None => "no amount in the sample shows its decimal separator; the first one that does decides, \
                 and the import stops at one that could be read either way"
            .to_string(),
    }
}

/// How the sample's amounts are dressed, for `--inspect`: `; written with "$"; negatives as
/// (…)`, or nothing when they are plain numbers.
pub fn shapes<'a>(values: impl IntoIterator<Item = &'a str>) -> String {
    let mut marks: Vec<String> = Vec::new();
    let mut signs: Vec<&str> = Vec::new();
    for v in values {
        let w = written(v);
        if let Some(c) = w.currency.filter(|c| !marks.contains(c)) {
            marks.push(c);
        }
        let sign = match w.sign {
            SignMark::Leading => continue,
            SignMark::Trailing => "negatives with the sign after (12.00-)",
            SignMark::Parentheses => "negatives in parentheses",
            SignMark::DebitCredit => "a CR/DR mark after the number (DR is money out)",
        };
        if !signs.contains(&sign) {
            signs.push(sign);
        }
    }
    let mut out = String::new();
    if !marks.is_empty() {
        out.push_str(&format!(
            "; written with {}",
            marks.iter().map(|m| format!("{m:?}")).collect::<Vec<_>>().join(", ")
        ));
    }
    for s in signs {
        out.push_str("; ");
        out.push_str(s);
    }
    out
}

/// Reads a column's amounts one after another, holding its decimal separator once known.
#[derive(Debug, Clone)]
pub struct Column {
    decimal: Option<char>,
    /// Why: the value that decided, or `the profile`.
    decided_by: String,
}

impl Column {
    /// A column whose separator is known (`Some`) or still to be seen (`None`).
    pub fn new(decimal: Option<char>) -> Column {
        Column { decimal, decided_by: "the profile".into() }
    }

    pub fn decimal(&self) -> Option<char> {
        self.decimal
    }

    /// The amount `text` in minor units of `currency`, in the column's style.
    pub fn parse(&mut self, text: &str, currency: Currency) -> Result<i64> {
        if self.decimal.is_none() {
            match shows(text, Some(currency.exponent())) {
                Shows::Decimal(d) => {
                    self.decimal = Some(d);
                    self.decided_by = format!("{text:?}");
                }
                Shows::Nothing => return parse_styled(text, '.', currency),
                Shows::Either => {
                    let sep = if text.contains('.') { '.' } else { ',' };
                    return Err(UserError::failure(format!(
                        "amount {text:?} could be a whole number or have three decimals, and no amount \
                         before it shows which of '.' and ',' is the decimal separator"
                    ))
                    .hint(format!(
                        "pin it in a CSV profile (`decimal = \"{sep}\"` or `decimal = \"{}\"`); \
                         `tally import --inspect FILE` prints one to start from",
                        if sep == '.' { ',' } else { '.' }
                    ))
                    .into());
                }
            }
        }
        let decimal = self.decimal.expect("decided above");
        parse_styled(text, decimal, currency).map_err(|e| {
            if matches!(shows(text, None), Shows::Decimal(d) if d != decimal) {
                anyhow!("amount {text:?} does not use {decimal:?} for decimals as {} does", self.decided_by)
            } else {
                anyhow!("amount {text:?}: {e}")
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cur(code: &str) -> Currency {
        Currency::parse(code).unwrap()
    }

    #[test]
    fn one_style_for_the_whole_column() {
        assert_eq!(detect(["-5", "1,234", "2,500.00"]), Some(('.', "2,500.00")));
        assert_eq!(detect(["-5", "1,234", "12,50"]), Some((',', "12,50")));
        assert_eq!(detect(["-5", "1,234"]), None, "1,234 alone decides nothing");

        let mut usd = Column::new(Some('.'));
        assert_eq!(usd.parse("1,234", cur("USD")).unwrap(), 123400);
        let mut eur = Column::new(Some(','));
        assert!(eur.parse("1,234", cur("EUR")).unwrap_err().to_string().contains("more decimals than EUR"));
        assert_eq!(Column::new(Some(',')).parse("1,234", cur("KWD")).unwrap(), 1234);
    }

    #[test]
    fn an_undecided_column_is_decided_by_its_first_telling_value() {
        let mut c = Column::new(None);
        assert_eq!(c.parse("-12", cur("EUR")).unwrap(), -1200);
        assert_eq!(c.parse("12,50", cur("EUR")).unwrap(), 1250);
        assert_eq!(c.decimal(), Some(','));
        let err = c.parse("2,500.00", cur("EUR")).unwrap_err().to_string();
        assert!(err.contains("does not use ',' for decimals as \"12,50\" does"), "{err}");
        // Three digits after a lone separator: only the currency can settle it.
        assert_eq!(Column::new(None).parse("1,500", cur("JPY")).unwrap(), 1500);
        let err = Column::new(None).parse("1,234", cur("KWD")).unwrap_err();
        assert!(crate::error::user_error(&err).and_then(|u| u.hint.as_deref()).unwrap().contains("decimal ="));
    }
}
