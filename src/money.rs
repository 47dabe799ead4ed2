//! Money as integer minor units with an ISO 4217 currency: parsing and formatting. No `f64`.

use std::fmt;

use anyhow::{Result, bail};

/// An ISO 4217 currency code with its number of decimals.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct Currency {
    code: [u8; 3],
    exponent: u8,
}

impl Currency {
    /// Look up a code such as `EUR`; unknown codes are an error.
    pub fn parse(code: &str) -> Result<Currency> {
        let code = code.trim().to_ascii_uppercase();
        let Some(iso) = iso_currency::Currency::from_code(&code) else {
            bail!("{code:?} is not an ISO 4217 currency code");
        };
        let bytes: [u8; 3] = code.as_bytes().try_into().expect("ISO codes have three letters");
        // Funds codes such as XAU have no exponent; treat them as whole units.
        let exponent = iso.exponent().unwrap_or(0) as u8;
        Ok(Currency { code: bytes, exponent })
    }

    pub fn code(&self) -> &str {
        std::str::from_utf8(&self.code).expect("validated ASCII")
    }

    pub fn exponent(&self) -> u8 {
        self.exponent
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// Parse an amount into minor units of `currency`.
///
/// Accepts `1234.56`, `1,234.56`, `1.234,56`, `-12`, `+3`, `(12.00)` (negative) and
/// `12.5` (padded). More decimals than the currency has are refused unless they are zeros.
pub fn parse_amount(input: &str, currency: Currency) -> Result<i64> {
    let mut s = input.trim();
    let mut negative = false;
    if let Some(inner) = s.strip_prefix('(').and_then(|r| r.strip_suffix(')')) {
        negative = true;
        s = inner.trim();
    }
    if let Some(rest) = s.strip_prefix('-') {
        negative = !negative;
        s = rest;
    } else if let Some(rest) = s.strip_prefix('+') {
        s = rest;
    }
    if s.is_empty() || !s.chars().all(|c| c.is_ascii_digit() || c == '.' || c == ',') {
        bail!("{input:?} is not an amount");
    }
    let decimal = decimal_separator(s);
    let (int_part, frac_part) = match decimal.and_then(|d| s.rfind(d)) {
        Some(pos) => (&s[..pos], &s[pos + 1..]),
        None => (s, ""),
    };
    if !well_grouped(int_part, decimal) {
        bail!("{input:?} is not an amount (its digit groups are irregular)");
    }
    let int_digits: String = int_part.chars().filter(char::is_ascii_digit).collect();
    if int_digits.is_empty() && frac_part.is_empty() {
        bail!("{input:?} is not an amount");
    }
    if frac_part.contains(['.', ',']) {
        bail!("{input:?} has more than one decimal separator");
    }
    let exp = currency.exponent() as usize;
    let significant = frac_part.trim_end_matches('0');
    if significant.len() > exp {
        bail!("{input:?} has more decimals than {currency} allows ({exp})");
    }
    let frac: String = format!("{significant:0<exp$}");
    let digits = format!("{int_digits}{frac}");
    let value: i64 = digits
        .trim_start_matches('0')
        .parse::<i64>()
        .or_else(|e| if digits.trim_start_matches('0').is_empty() { Ok(0) } else { Err(e) })
        .map_err(|_| anyhow::anyhow!("{input:?} is too large an amount"))?;
    Ok(if negative { -value } else { value })
}

/// Which of `.` and `,` is the decimal separator, if any.
fn decimal_separator(s: &str) -> Option<char> {
    let (dots, commas) = (s.matches('.').count(), s.matches(',').count());
    match (dots, commas) {
        (0, 0) => None,
        (_, 0) | (0, _) => {
            let sep = if dots > 0 { '.' } else { ',' };
            let count = dots.max(commas);
            let after = s.len() - s.rfind(sep).expect("counted") - 1;
            // `1,234,567` or `1.234`: grouping. `12,34` or `12.5`: decimals.
            if count > 1 || after == 3 { None } else { Some(sep) }
        }
        _ => {
            let last_dot = s.rfind('.').expect("counted");
            let last_comma = s.rfind(',').expect("counted");
            Some(if last_dot > last_comma { '.' } else { ',' })
        }
    }
}

/// The whole-number part uses one grouping separator (the one that is not the decimal), in
/// groups of three after the first: `1,234,567` yes, `1.2.3` or `12,34,5` no.
fn well_grouped(int_part: &str, decimal: Option<char>) -> bool {
    let seps: Vec<char> = int_part.chars().filter(|c| !c.is_ascii_digit()).collect();
    let Some(&group) = seps.first() else {
        return true;
    };
    if Some(group) == decimal || seps.iter().any(|&c| c != group) {
        return false;
    }
    let mut groups = int_part.split(group);
    let first = groups.next().unwrap_or("");
    (1..=3).contains(&first.len()) && groups.all(|g| g.len() == 3)
}

/// `-1234.56`: the form scripts get (CSV, JSON), no grouping, always the currency's decimals.
pub fn format_amount(minor: i64, currency: Currency) -> String {
    let exp = currency.exponent() as u32;
    let sign = if minor < 0 { "-" } else { "" };
    let abs = minor.unsigned_abs();
    if exp == 0 {
        return format!("{sign}{abs}");
    }
    let scale = 10u64.pow(exp);
    format!("{sign}{}.{:0width$}", abs / scale, abs % scale, width = exp as usize)
}

/// `-1,234.56`: the form people read in tables.
pub fn format_grouped(minor: i64, currency: Currency) -> String {
    let plain = format_amount(minor, currency);
    let (sign, rest) = plain.split_at(if minor < 0 { 1 } else { 0 });
    let (int, frac) = rest.split_once('.').map_or((rest, None), |(i, f)| (i, Some(f)));
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    match frac {
        Some(f) => format!("{sign}{grouped}.{f}"),
        None => format!("{sign}{grouped}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usd() -> Currency {
        Currency::parse("usd").unwrap()
    }

    #[test]
    fn parses_the_documented_forms() {
        let cases = [
            ("1234.56", 123456),
            ("1,234.56", 123456),
            ("1.234,56", 123456),
            ("-12", -1200),
            ("+3", 300),
            ("(12.00)", -1200),
            ("12.5", 1250),
            ("12,34", 1234),
            ("1,234", 123400),
            // Three digits after a lone separator cannot be USD cents: it is grouping.
            ("12.345", 1234500),
            ("1.234.567", 123456700),
            ("0.07", 7),
            ("-0", 0),
            (".5", 50),
        ];
        for (input, want) in cases {
            assert_eq!(parse_amount(input, usd()).unwrap(), want, "{input}");
        }
    }

    #[test]
    fn refuses_garbage_and_extra_precision() {
        for input in [
            "12,34,5.00",
            "1,2345.00",
            ",5.00",
            "",
            "abc",
            "1.2.3,4,5",
            "12.3456",
            "--1",
            "1e5",
            "12.34.",
            "9999999999999999999999",
        ] {
            assert!(parse_amount(input, usd()).is_err(), "{input} should fail");
        }
        // Extra decimals are fine when they are zeros (and not three of them, which is grouping).
        assert_eq!(parse_amount("12.3400", usd()).unwrap(), 1234);
    }

    #[test]
    fn exponent_comes_from_the_currency() {
        let jpy = Currency::parse("JPY").unwrap();
        assert_eq!(parse_amount("1,500", jpy).unwrap(), 1500);
        assert!(parse_amount("15.5", jpy).is_err());
        assert_eq!(format_amount(1500, jpy), "1500");
        assert!(Currency::parse("ABC").is_err());
    }

    #[test]
    fn formats_for_scripts_and_people() {
        assert_eq!(format_amount(-123456, usd()), "-1234.56");
        assert_eq!(format_amount(5, usd()), "0.05");
        assert_eq!(format_grouped(-123456789, usd()), "-1,234,567.89");
        assert_eq!(format_grouped(99, usd()), "0.99");
    }

    proptest::proptest! {
        #[test]
        fn format_then_parse_round_trips(minor in -1_000_000_000_000i64..1_000_000_000_000) {
            proptest::prop_assert_eq!(parse_amount(&format_amount(minor, usd()), usd()).unwrap(), minor);
            proptest::prop_assert_eq!(parse_amount(&format_grouped(minor, usd()), usd()).unwrap(), minor);
        }

        #[test]
        fn never_panics(s in ".*") {
            let _ = parse_amount(&s, usd());
        }
    }
}
