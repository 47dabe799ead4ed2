//! Currency conversion for `--convert-to`: exact decimal rates (a ratio of integers, never a
//! float), integer math, rounding half to even at the target currency's minor unit. A missing
//! rate is an error naming the pair and the day.

use std::collections::BTreeMap;

use anyhow::{Result, bail};
use chrono::NaiveDate;

use crate::error::UserError;
use crate::money::Currency;
use crate::store::{Db, rates};

/// What a converted report says about its figures.
pub const NOTE: &str = "converted at the rate in force on each month's last day (each balance's own day for net worth), \
                        rounded half to even to the target currency's minor unit";

/// An exact positive decimal as `numerator / denominator`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ratio {
    pub num: i128,
    pub den: i128,
}

impl Ratio {
    /// `1.08`, `0.9259`, `150`: digits with at most one point, above zero, at most 18 digits.
    pub fn parse(text: &str) -> Result<Ratio> {
        let text = text.trim();
        let (int, frac) = text.split_once('.').unwrap_or((text, ""));
        let digits = format!("{int}{frac}");
        if digits.is_empty() || digits.len() > 18 || !digits.chars().all(|c| c.is_ascii_digit()) {
            return Err(UserError::usage(format!("{text:?} is not a rate"))
                .hint("write a rate as a plain decimal number, such as 1.08 (at most 18 digits)")
                .into());
        }
        let num: i128 = digits.parse()?;
        if num == 0 {
            return Err(UserError::usage("a rate of zero converts nothing").hint("give a rate above 0").into());
        }
        Ok(Ratio { num, den: 10i128.pow(frac.len() as u32) })
    }

    fn inverse(self) -> Ratio {
        Ratio { num: self.den, den: self.num }
    }
}

/// `n / d` rounded half to even (`d > 0`).
pub fn div_half_even(n: i128, d: i128) -> i128 {
    let (q, r) = (n.div_euclid(d), n.rem_euclid(d));
    match (2 * r).cmp(&d) {
        std::cmp::Ordering::Less => q,
        std::cmp::Ordering::Greater => q + 1,
        std::cmp::Ordering::Equal => q + (q & 1),
    }
}

/// Converts amounts into one currency with the rates in the database, caching each lookup.
pub struct Converter<'a> {
    db: &'a Db,
    pub target: Currency,
    cache: BTreeMap<(String, NaiveDate), Ratio>,
}

impl std::fmt::Debug for Converter<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Converter").field("target", &self.target).finish()
    }
}

impl<'a> Converter<'a> {
    pub fn new(db: &'a Db, target: Currency) -> Converter<'a> {
        Converter { db, target, cache: BTreeMap::new() }
    }

    /// `minor` units of `from` on `day`, in the target's minor units.
    pub fn convert(&mut self, minor: i64, from: &str, day: NaiveDate) -> Result<i64> {
        if from == self.target.code() {
            return Ok(minor);
        }
        let source = Currency::parse(from)?;
        let rate = self.rate(from, day)?;
        let scale = |e: u8| 10i128.pow(u32::from(e));
        let n = i128::from(minor) * rate.num * scale(self.target.exponent());
        let d = rate.den * scale(source.exponent());
        match i64::try_from(div_half_even(n, d)) {
            Ok(v) => Ok(v),
            Err(_) => bail!("{minor} {from} converted to {} does not fit an amount", self.target),
        }
    }

    fn rate(&mut self, from: &str, day: NaiveDate) -> Result<Ratio> {
        let key = (from.to_string(), day);
        if let Some(r) = self.cache.get(&key) {
            return Ok(*r);
        }
        let to = self.target.code();
        let Some(found) = rates::on(self.db, from, to, day)? else {
            return Err(UserError::failure(format!("no {from}→{to} exchange rate for {day}"))
                .hint(format!(
                    "add one: `tally rates set {from} {to} RATE --date {day}` (or without --date for every day), \
                     or leave out --convert-to to see each currency apart"
                ))
                .into());
        };
        let ratio = Ratio::parse(&found.rate)?;
        let ratio = if found.base == from { ratio } else { ratio.inverse() };
        self.cache.insert(key, ratio);
        Ok(ratio)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounding_is_half_to_even() {
        assert_eq!(div_half_even(5, 2), 2);
        assert_eq!(div_half_even(7, 2), 4);
        assert_eq!(div_half_even(-5, 2), -2);
        assert_eq!(div_half_even(-7, 2), -4);
        assert_eq!(div_half_even(-8, 3), -3);
        assert_eq!(div_half_even(10, 3), 3);
    }

    #[test]
    fn rates_are_exact_decimals() {
        assert_eq!(Ratio::parse("1.08").unwrap(), Ratio { num: 108, den: 100 });
        assert_eq!(Ratio::parse("150").unwrap(), Ratio { num: 150, den: 1 });
        for bad in ["", "1,08", "-1", "0", "0.000", "1e3", "1.2.3", "1234567890123456789"] {
            assert!(Ratio::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn conversion_uses_the_rate_of_the_day_either_way_round() {
        let store = crate::store::Store::in_memory().unwrap();
        let db = store.db();
        let day = |s: &str| s.parse::<NaiveDate>().unwrap();
        let rate = |day, rate: &str| rates::Rate { base: "EUR".into(), quote: "USD".into(), day, rate: rate.into() };
        rates::set(db, &rate(None, "1.10")).unwrap();
        rates::set(db, &rate(Some(day("2026-10-01")), "1.08")).unwrap();
        let mut usd = Converter::new(db, Currency::parse("USD").unwrap());
        assert_eq!(usd.convert(1000, "EUR", day("2026-10-31")).unwrap(), 1080);
        assert_eq!(usd.convert(1000, "EUR", day("2026-09-30")).unwrap(), 1100, "the undated rate before");
        rates::set(db, &rates::Rate { base: "GBP".into(), quote: "USD".into(), day: None, rate: "1.5".into() })
            .unwrap();
        // 0.01 GBP is 0.015 USD and 0.03 GBP is 0.045: halves go to the even cent.
        assert_eq!(usd.convert(1, "GBP", day("2026-10-31")).unwrap(), 2);
        assert_eq!(usd.convert(3, "GBP", day("2026-10-31")).unwrap(), 4);
        assert_eq!(usd.convert(-1, "EUR", day("2026-10-31")).unwrap(), -1);
        let mut eur = Converter::new(db, Currency::parse("EUR").unwrap());
        assert_eq!(eur.convert(1080, "USD", day("2026-10-31")).unwrap(), 1000, "the inverse rate");
        let mut jpy = Converter::new(db, Currency::parse("JPY").unwrap());
        let err = jpy.convert(100, "EUR", day("2026-10-31")).unwrap_err().to_string();
        assert!(err.contains("EUR→JPY") && err.contains("2026-10-31"), "{err}");
    }
}
