//! Money as integer minor units with a currency (ISO 4217, or a provider's custom unit such as
//! miles): parsing and formatting. No `f64`.

use std::fmt;

use anyhow::{Result, bail};
use sha2::{Digest, Sha256};

/// A currency code with its number of decimals: an ISO 4217 code, or a custom unit (points,
/// miles) whose code is `X` and seven more capital letters. ISO codes have three letters, so a
/// custom code never collides with one and never sums with money; letters only, so ledger,
/// hledger and beancount take it as a commodity unquoted.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct Currency {
    code: [u8; 8],
    len: u8,
    exponent: u8,
}

/// Letters in a custom unit's code, and its decimals: fixed, since the code alone must give
/// them back when read from the database, and two keep `100.23` (the protocol's own example).
const CUSTOM_LEN: usize = 8;
pub const CUSTOM_EXPONENT: u8 = 2;

impl Currency {
    /// Look up a code such as `EUR` (or a custom unit's `XABCDEFG`); unknown codes are an error.
    pub fn parse(code: &str) -> Result<Currency> {
        let code = code.trim().to_ascii_uppercase();
        if code.len() == CUSTOM_LEN && code.starts_with('X') && code.bytes().all(|b| b.is_ascii_uppercase()) {
            return Ok(Currency::from_bytes(code.as_bytes(), CUSTOM_EXPONENT));
        }
        let Some(iso) = iso_currency::Currency::from_code(&code) else {
            bail!("{code:?} is not an ISO 4217 currency code");
        };
        // Funds codes such as XAU have no exponent; treat them as whole units.
        let exponent = iso.exponent().unwrap_or(0) as u8;
        Ok(Currency::from_bytes(code.as_bytes(), exponent))
    }

    /// The custom unit named by `id` (a SimpleFIN currency URL, say): the same id always gives
    /// the same code, which keeps it across syncs, the database and replay.
    pub fn custom(id: &str) -> Currency {
        let hash = Sha256::digest(id.trim().as_bytes());
        let mut code = [b'X'; CUSTOM_LEN];
        for (slot, byte) in code[1..].iter_mut().zip(hash.iter()) {
            *slot = b'A' + byte % 26;
        }
        Currency::from_bytes(&code, CUSTOM_EXPONENT)
    }

    fn from_bytes(bytes: &[u8], exponent: u8) -> Currency {
        let mut code = [0; CUSTOM_LEN];
        code[..bytes.len()].copy_from_slice(bytes);
        Currency { code, len: bytes.len() as u8, exponent }
    }

    /// Whether this is a custom unit rather than an ISO 4217 currency.
    pub fn is_custom(&self) -> bool {
        self.len as usize == CUSTOM_LEN
    }

    pub fn code(&self) -> &str {
        std::str::from_utf8(&self.code[..self.len as usize]).expect("validated ASCII")
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

/// What one written amount says about which of `.` and `,` is its decimal separator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shows {
    /// This separator is the decimal one (`12,50`, `1.234,56`, `1,234,567`: `.`).
    Decimal(char),
    /// Nothing: no separator at all (`-12`, `1 234`).
    Nothing,
    /// A lone separator before three digits: `1,234` is 1234 or 1.234.
    Either,
}

/// What `input` says about its decimal separator. `exponent` (the currency's decimals), when
/// known, settles `1,234`: a currency with fewer than three decimals cannot mean 1.234.
pub fn shows(input: &str, exponent: Option<u8>) -> Shows {
    let (_, s) = unsign(input);
    let s = s.as_str();
    let (dots, commas) = (s.matches('.').count(), s.matches(',').count());
    let (sep, count) = match (dots, commas) {
        (0, 0) => return Shows::Nothing,
        (_, 0) => ('.', dots),
        (0, _) => (',', commas),
        _ => return Shows::Decimal(if s.rfind('.') > s.rfind(',') { '.' } else { ',' }),
    };
    let other = if sep == '.' { ',' } else { '.' };
    if count > 1 {
        return Shows::Decimal(other);
    }
    let (int, frac) = s.split_once(sep).expect("counted");
    let int = int.trim_matches(|c: char| c == ' ' || c == '\'');
    // `0.125` or `.125` cannot be grouping: a group never follows a lone zero.
    if frac.len() != 3 || int.is_empty() || int == "0" || int.contains([' ', '\'']) {
        return Shows::Decimal(sep);
    }
    match exponent {
        // Only one reading is an amount of this currency.
        Some(e) if e < 3 => Shows::Decimal(other),
        // Three decimals written with a point (`-12.345` KWD) are far likelier than a lone
        // point for thousands; a lone comma (`1,234`) is either, commonly.
        Some(_) if sep == '.' => Shows::Decimal('.'),
        _ => Shows::Either,
    }
}

/// How a written amount marks a negative.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignMark {
    /// No sign, or `-`/`+` in front: `-12.00`.
    Leading,
    /// `12.00-`, as many bank and SAP exports write it.
    Trailing,
    /// `(12.00)`, as accountants write it.
    Parentheses,
    /// `12.00 DR` / `12.00 CR`: debit is money out.
    DebitCredit,
}

/// A written amount taken apart: its sign, the currency written beside it, and the number.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Written {
    pub negative: bool,
    pub sign: SignMark,
    /// `$`, `€`, `USD`: as written, before or after the number.
    pub currency: Option<String>,
    /// Digits and separators only, blanks (also no-break spaces) as a plain space.
    pub number: String,
}

/// Symbols a bank writes beside an amount; the codes are any three capital letters.
const SYMBOLS: &[&str] = &["US$", "$", "€", "£", "¥", "₹", "zł", "kr", "Fr."];

/// A currency symbol or code at the start (`$7`, `USD 5.00`) or end (`12,50 €`) of `s`.
fn currency_mark(s: &str) -> Option<(String, &str)> {
    let code = |t: &str| t.len() == 3 && t.bytes().all(|b| b.is_ascii_uppercase());
    for sym in SYMBOLS {
        if let Some(rest) = s.strip_prefix(sym) {
            return Some((sym.to_string(), rest));
        }
        if let Some(rest) = s.strip_suffix(sym) {
            return Some((sym.to_string(), rest));
        }
    }
    if let (Some(head), Some(rest)) = (s.get(..3), s.get(3..))
        && code(head)
        && rest.starts_with(|c: char| c == ' ' || c.is_ascii_digit() || c == '-')
    {
        return Some((head.to_string(), rest));
    }
    let n = s.len();
    if let (Some(tail), Some(rest)) = (s.get(n.saturating_sub(3)..), s.get(..n.saturating_sub(3)))
        && n > 3
        && code(tail)
        && rest.ends_with(|c: char| c == ' ' || c.is_ascii_digit())
    {
        return Some((tail.to_string(), rest));
    }
    None
}

/// Take `input` apart: at most one sign mark and one currency mark, in either order
/// (`-$7.00`, `$-7.00`, `($7.00)`, `12,50 €`, `USD 5.00`, `12.00-`, `12.00 DR`).
pub fn written(input: &str) -> Written {
    let spaced = input.trim().replace(['\u{a0}', '\u{202f}'], " ");
    let mut rest = spaced.as_str();
    let (mut sign, mut negative, mut currency) = (None, false, None);
    for _ in 0..3 {
        let t = rest.trim();
        rest = t;
        if sign.is_none() {
            let before_mark = |r: &str| r.ends_with(|c: char| c.is_ascii_digit() || c == ' ');
            let found = if let Some(inner) = t.strip_prefix('(').and_then(|r| r.strip_suffix(')')) {
                Some((SignMark::Parentheses, true, inner))
            } else if let Some(r) = t.strip_prefix('-') {
                Some((SignMark::Leading, true, r))
            } else if let Some(r) = t.strip_prefix('+') {
                Some((SignMark::Leading, false, r))
            } else if let Some(r) = t.strip_suffix('-').filter(|r| before_mark(r)) {
                Some((SignMark::Trailing, true, r))
            } else if let Some(r) = t.strip_suffix('+').filter(|r| before_mark(r)) {
                Some((SignMark::Trailing, false, r))
            } else if let Some(r) = t.strip_suffix(['R', 'r']) {
                if let Some(r) = r.strip_suffix(['D', 'd']).filter(|r| before_mark(r)) {
                    Some((SignMark::DebitCredit, true, r))
                } else {
                    r.strip_suffix(['C', 'c']).filter(|r| before_mark(r)).map(|r| (SignMark::DebitCredit, false, r))
                }
            } else {
                None
            };
            if let Some((mark, neg, r)) = found {
                (sign, negative, rest) = (Some(mark), neg, r);
                continue;
            }
        }
        if currency.is_none()
            && let Some((mark, r)) = currency_mark(t)
        {
            (currency, rest) = (Some(mark), r);
            continue;
        }
        break;
    }
    Written { negative, sign: sign.unwrap_or(SignMark::Leading), currency, number: rest.trim().to_string() }
}

/// Whether the currency written beside an amount (`USD`, `€`) can be `currency`: a code must
/// be it; `$` and `¥` are several currencies' and say nothing.
fn same_currency(mark: &str, currency: Currency) -> bool {
    let code = match mark {
        "€" => "EUR",
        "£" => "GBP",
        "₹" => "INR",
        "zł" => "PLN",
        "US$" => "USD",
        m if m.len() == 3 && m.bytes().all(|b| b.is_ascii_uppercase()) => m,
        _ => return true,
    };
    code == currency.code()
}

/// Strip blanks, currency marks and a sign: whether it is negative, and the number.
fn unsign(input: &str) -> (bool, String) {
    let w = written(input);
    (w.negative, w.number)
}

/// Parse an amount written for people, whose decimal separator is `decimal` (`.` or `,`):
/// `1,234.56`, `1.234,56`, `1 234,56`, `1'234.56`, `-12`, `(12.00)`, with a currency beside
/// it (`-$7.00`, `12,50 €`, `USD 5.00`: a code must be `currency`) and a sign after it
/// (`12.00-`, `12.00 DR`, `12.00 CR`). Grouping must come in threes. More decimals than the currency has are refused unless they are zeros: an amount
/// is never rounded and never scaled.
pub fn parse_styled(input: &str, decimal: char, currency: Currency) -> Result<i64> {
    let w = written(input);
    if let Some(mark) = w.currency.as_deref().filter(|m| !same_currency(m, currency)) {
        bail!("{input:?} is written in {mark}, not {currency}");
    }
    let (negative, s) = (w.negative, w.number.as_str());
    if s.is_empty() || !s.chars().all(|c| c.is_ascii_digit() || matches!(c, '.' | ',' | ' ' | '\'')) {
        bail!("{input:?} is not an amount");
    }
    let (int_part, frac_part) = s.split_once(decimal).unwrap_or((s, ""));
    if !frac_part.chars().all(|c| c.is_ascii_digit()) {
        bail!("{input:?} is not an amount written with {decimal:?} as its decimal separator");
    }
    if !well_grouped(int_part) {
        bail!("{input:?} is not an amount (its digit groups are irregular)");
    }
    let int_digits: String = int_part.chars().filter(char::is_ascii_digit).collect();
    if int_digits.is_empty() && frac_part.is_empty() {
        bail!("{input:?} is not an amount");
    }
    to_minor(input, negative, &int_digits, frac_part, currency)
}

/// Parse an amount from a machine format (provider JSON, CAMT, OFX): an optional sign, digits,
/// and optionally `.` and more digits. Nothing else: no grouping, no guessing.
pub fn parse_decimal(input: &str, currency: Currency) -> Result<i64> {
    parse_strict(input, '.', currency)
}

/// [`parse_decimal`] with another decimal separator (OFX allows `,`).
pub fn parse_strict(input: &str, decimal: char, currency: Currency) -> Result<i64> {
    let s = input.trim();
    let (negative, s) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    let (int, frac) = s.split_once(decimal).unwrap_or((s, ""));
    let digits = |p: &str| p.chars().all(|c| c.is_ascii_digit());
    if !digits(int) || !digits(frac) || (int.is_empty() && frac.is_empty()) {
        bail!("{input:?} is not a decimal number (digits, optionally {decimal:?} and more digits)");
    }
    to_minor(input, negative, int, frac, currency)
}

/// Whole and fractional digits to minor units, refusing precision the currency lacks.
fn to_minor(input: &str, negative: bool, int_digits: &str, frac: &str, currency: Currency) -> Result<i64> {
    let exp = currency.exponent() as usize;
    let significant = frac.trim_end_matches('0');
    if significant.len() > exp {
        bail!("{input:?} has more decimals than {currency} allows ({exp})");
    }
    let digits = format!("{int_digits}{significant:0<exp$}");
    let digits = digits.trim_start_matches('0');
    let value: i64 = if digits.is_empty() {
        0
    } else {
        digits.parse().map_err(|_| anyhow::anyhow!("{input:?} is too large an amount"))?
    };
    Ok(if negative { -value } else { value })
}

/// Parse one amount on its own, its style taken from itself and the currency: `1,234.56`,
/// `1.234,56`, `12,5`. A lone separator before three digits is grouping only when the currency
/// cannot have three decimals (`1,234` USD is 1234.00); with a currency that has three, a
/// point is the decimal one (`12.345` KWD is 12.345) and a comma is refused (`1,234` KWD). A file decides its style once for a whole column
/// instead (`import::number`).
pub fn parse_amount(input: &str, currency: Currency) -> Result<i64> {
    let decimal = match shows(input, Some(currency.exponent())) {
        Shows::Decimal(d) => d,
        Shows::Nothing => '.',
        Shows::Either => bail!("{input:?} could be a whole number or have three decimals"),
    };
    parse_styled(input, decimal, currency)
}

/// The whole-number part uses one grouping separator in groups of three after the first:
/// `1,234,567` yes, `1.2.3` or `12,34,5` no.
fn well_grouped(int_part: &str) -> bool {
    let seps: Vec<char> = int_part.chars().filter(|c| !c.is_ascii_digit()).collect();
    let Some(&group) = seps.first() else {
        return true;
    };
    if seps.iter().any(|&c| c != group) {
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
    fn currency_marks_and_signs_around_the_number() {
        let eur = Currency::parse("EUR").unwrap();
        let chf = Currency::parse("CHF").unwrap();
        let cases = [
            ("$1,234.56", '.', usd(), 123456),
            ("-$7.00", '.', usd(), -700),
            ("$-7.00", '.', usd(), -700),
            ("($7.00)", '.', usd(), -700),
            ("€ 12,50", ',', eur, 1250),
            ("12,50 €", ',', eur, 1250),
            ("-12,50\u{a0}€", ',', eur, -1250),
            ("1\u{a0}234,50", ',', eur, 123450),
            ("USD 5.00", '.', usd(), 500),
            ("5.00 USD", '.', usd(), 500),
            ("1'234.50", '.', chf, 123450),
            ("CHF -1'234.50", '.', chf, -123450),
            ("12.00-", '.', usd(), -1200),
            ("12.00 DR", '.', usd(), -1200),
            ("12.00CR", '.', usd(), 1200),
            ("1,234.00 cr", '.', usd(), 123400),
        ];
        for (input, decimal, currency, want) in cases {
            assert_eq!(parse_styled(input, decimal, currency).unwrap(), want, "{input}");
        }
        assert_eq!(written("($7.00)").sign, SignMark::Parentheses);
        assert_eq!(written("12.00-").sign, SignMark::Trailing);
        assert_eq!(written("12,50 €").currency.as_deref(), Some("€"));
        assert_eq!(shows("$1,234", None), Shows::Either);
        assert_eq!(shows("12,50 €", None), Shows::Decimal(','));
        // A code or an unambiguous symbol that is not the currency is an error, not ignored.
        let err = parse_styled("GBP 5.00", '.', usd()).unwrap_err().to_string();
        assert!(err.contains("written in GBP, not USD"), "{err}");
        assert!(parse_styled("€5.00", '.', usd()).is_err());
        for bad in ["--7", "-(7)", "$$7", "7 DR-", "DR", "$", "12.00 XR", "1e5 USD", "€R"] {
            assert!(parse_styled(bad, '.', usd()).is_err(), "{bad} should fail");
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
    fn three_decimals_are_read_as_decimals_where_the_currency_has_them() {
        let kwd = Currency::parse("KWD").unwrap();
        assert_eq!(parse_amount("-12.345", kwd).unwrap(), -12345);
        assert_eq!(parse_amount("1,234.500", kwd).unwrap(), 1234500);
        assert!(parse_amount("1,234", kwd).is_err(), "1234 or 1.234: not guessed");
        // A lone zero before the separator is never grouping: 0.125 USD is too precise.
        let err = parse_amount("-0.125", usd()).unwrap_err().to_string();
        assert!(err.contains("more decimals than USD allows"), "{err}");
        assert_eq!(shows("1,234", None), Shows::Either);
        assert_eq!(shows("1,234", Some(2)), Shows::Decimal('.'));
        assert_eq!(shows("-1.234,5", None), Shows::Decimal(','));
        assert_eq!(shows("(12)", None), Shows::Nothing);
    }

    #[test]
    fn styled_amounts_follow_the_style_they_are_given() {
        let eur = Currency::parse("EUR").unwrap();
        assert_eq!(parse_styled("1.234,56", ',', eur).unwrap(), 123456);
        assert_eq!(parse_styled("1 234,56", ',', eur).unwrap(), 123456);
        assert_eq!(parse_styled("1,234", '.', eur).unwrap(), 123400);
        assert!(parse_styled("1,234", ',', eur).unwrap_err().to_string().contains("more decimals"));
        assert!(parse_styled("1,234.56", ',', eur).is_err(), "the wrong style is an error, not a guess");
        assert!(parse_styled("12,34", '.', eur).is_err());
    }

    #[test]
    fn machine_amounts_are_strict() {
        let kwd = Currency::parse("KWD").unwrap();
        assert_eq!(parse_decimal("-12.345", kwd).unwrap(), -12345);
        assert_eq!(parse_decimal("+0.5", kwd).unwrap(), 500);
        assert_eq!(parse_decimal("1500.00", Currency::parse("JPY").unwrap()).unwrap(), 1500);
        assert_eq!(parse_strict("-12,50", ',', usd()).unwrap(), -1250);
        for bad in ["1,234.00", "1.234,00", "(12)", "12.", "", "-", "1e3", "- 1", "12.3.4"] {
            let bad_ok = bad == "12.";
            assert_eq!(parse_decimal(bad, usd()).is_ok(), bad_ok, "{bad}");
        }
        assert!(parse_decimal("-0.125", usd()).unwrap_err().to_string().contains("more decimals"));
    }

    #[test]
    fn exponent_comes_from_the_currency() {
        let jpy = Currency::parse("JPY").unwrap();
        assert_eq!(parse_amount("1,500", jpy).unwrap(), 1500);
        assert!(parse_amount("15.5", jpy).is_err());
        assert_eq!(format_amount(1500, jpy), "1500");
        assert!(Currency::parse("ABC").is_err());
        assert!(Currency::parse("XABCDEF").is_err() && Currency::parse("XABCDEF1").is_err());
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
            let _ = parse_decimal(&s, usd());
            let _ = parse_styled(&s, ',', usd());
        }
    }

    #[test]
    fn a_custom_unit_is_stable_apart_from_iso_and_read_back_from_its_code() {
        let miles = Currency::custom("https://www.example.com/flight-miles");
        assert_eq!(miles, Currency::custom("https://www.example.com/flight-miles"));
        assert_ne!(miles, Currency::custom("https://www.example.com/brownie-points"));
        assert!(miles.is_custom() && !usd().is_custom());
        assert_eq!(miles.code().len(), 8);
        assert!(miles.code().starts_with('X') && miles.code().bytes().all(|b| b.is_ascii_uppercase()));
        assert_eq!(Currency::parse(miles.code()).unwrap(), miles, "the stored code gives the unit back");
        assert_eq!(parse_decimal("100.23", miles).unwrap(), 10023);
        assert_eq!(format_amount(-50000, miles), "-500.00");
    }
}
