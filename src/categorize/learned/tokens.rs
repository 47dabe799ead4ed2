//! What the learned model sees of a row: words of its payee and description with the bank's
//! noise taken out (store numbers `#1234`, card digits, reference codes such as `*2K3L`, a city
//! and state tail, processor prefixes such as `SQ *`), a merchant key (`BLUE BOTTLE` out of
//! `SQ *BLUE BOTTLE`), the sign, a size bucket and the account. Counting and scoring them is
//! the model's part (`super`).

/// Card processors and payment apps that put themselves before the merchant: `SQ *BLUE BOTTLE`.
const PROCESSORS: &[&str] = &["sq", "tst", "pp", "paypal", "sp", "py", "pos", "ckcd", "in", "dd", "fs", "pmt"];

/// Words that say how a row was paid, not who was paid.
const NOISE: &[&str] = &[
    "pos",
    "debit",
    "credit",
    "purchase",
    "card",
    "checkcard",
    "visa",
    "mastercard",
    "ach",
    "ppd",
    "web",
    "id",
    "co",
    "inc",
    "llc",
    "ltd",
    "the",
    "www",
    "com",
    "net",
    "org",
    "recurring",
    "authorized",
    "on",
    "pending",
    "xx",
    "xxxx",
    "sq",
    "tst",
    "pp",
];

/// US states and Canadian provinces: a bank puts one at the end after the city.
const REGIONS: &[&str] = &[
    "al", "ak", "az", "ar", "ca", "co", "ct", "de", "dc", "fl", "ga", "hi", "id", "il", "in", "ia", "ks", "ky", "la",
    "me", "md", "ma", "mi", "mn", "ms", "mo", "mt", "ne", "nv", "nh", "nj", "nm", "ny", "nc", "nd", "oh", "ok", "or",
    "pa", "ri", "sc", "sd", "tn", "tx", "ut", "vt", "va", "wa", "wv", "wi", "wy", "on", "qc", "bc", "ab", "mb", "ns",
];

/// Lowercase words of `text`, split at anything but letters and digits.
fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_lowercase).collect()
}

/// Whether a word is a number, a card mask (`XXXX5521`) or a reference (`2K3L`).
fn is_number(word: &str) -> bool {
    word.chars().any(|c| c.is_ascii_digit()) || word.to_lowercase().starts_with("xx")
}

/// The bank's tail taken off: numbers and card masks at the end, then a state or province
/// code with the city before it (`... SEATTLE WA XXXX5521`).
fn without_tail(mut words: Vec<String>) -> Vec<String> {
    while words.last().is_some_and(|w| is_number(w)) {
        words.pop();
    }
    if words.len() > 2 && words.last().is_some_and(|w| REGIONS.contains(&w.to_lowercase().as_str())) {
        words.truncate(words.len() - 2);
    }
    words
}

/// Words worth learning from: no digits (store numbers, card digits, references), not a
/// single letter, not payment noise, and no trailing state code with the city before it.
pub fn clean_words(text: &str) -> Vec<String> {
    let mut all = without_tail(words(text));
    all.retain(|w| w.len() > 1 && !is_number(w) && !NOISE.contains(&w.as_str()));
    all
}

/// Who was paid, as a bank's line names them: `STARBUCKS #1234 SEATTLE WA` is `starbucks`,
/// `SQ *BLUE BOTTLE` is `blue bottle`, `AMZN Mktp US*2K3L` is `amzn mktp us`. At most three
/// words after any leading noise and numbers, stopping at the first store number or
/// reference. Empty when nothing is left.
pub fn merchant(text: &str) -> String {
    let text = match text.split_once('*') {
        Some((before, after)) if PROCESSORS.contains(&before.trim().to_lowercase().as_str()) => after,
        Some((before, _)) if !before.trim().is_empty() => before,
        _ => text,
    };
    let raw = without_tail(text.split_whitespace().map(str::to_string).collect());
    let mut out: Vec<String> = Vec::new();
    for raw in raw {
        if raw.starts_with('#') || is_number(&raw) {
            if out.is_empty() {
                continue;
            }
            break;
        }
        out.extend(words(&raw).into_iter().filter(|w| !NOISE.contains(&w.as_str()) && w.len() > 1));
        if out.len() >= 3 {
            break;
        }
    }
    out.truncate(3);
    out.join(" ")
}

/// The text a row is known by: its payee, else its description.
pub fn name_of<'a>(payee: Option<&'a str>, description: &'a str) -> &'a str {
    payee.filter(|p| !p.trim().is_empty()).unwrap_or(description)
}

/// How big an amount is, in a few steps of the major unit (a coffee, a meal, groceries, a bill, rent).
fn bucket(amount: i64, exponent: u8) -> u8 {
    let major = amount.unsigned_abs() / 10u64.pow(u32::from(exponent));
    match major {
        0..5 => 0,
        5..20 => 1,
        20..60 => 2,
        60..200 => 3,
        200..1000 => 4,
        _ => 5,
    }
}

/// What the model knows about a row, as feature names: `m:` merchant key, `w:` words, `s:`
/// sign and size, `a:` account. Each feature once.
pub fn features(account_id: i64, amount: i64, exponent: u8, payee: Option<&str>, description: &str) -> Vec<String> {
    let mut out = Vec::with_capacity(12);
    let key = merchant(name_of(payee, description));
    if !key.is_empty() {
        out.push(format!("m:{key}"));
    }
    for word in payee.map(clean_words).unwrap_or_default().into_iter().chain(clean_words(description)) {
        let feature = format!("w:{word}");
        if !out.contains(&feature) {
            out.push(feature);
        }
    }
    let sign = if amount < 0 { "out" } else { "in" };
    out.push(format!("s:{sign}"));
    out.push(format!("s:{sign}{}", bucket(amount, exponent)));
    out.push(format!("a:{account_id}"));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merchant_keys_drop_the_banks_noise() {
        assert_eq!(merchant("STARBUCKS #1234 SEATTLE WA"), "starbucks");
        assert_eq!(merchant("SQ *BLUE BOTTLE"), "blue bottle");
        assert_eq!(merchant("AMZN Mktp US*2K3L"), "amzn mktp us");
        assert_eq!(merchant("UBER *TRIP HELP.UBER.COM"), "uber");
        assert_eq!(merchant("NETFLIX.COM"), "netflix");
        assert_eq!(merchant("WHOLEFDS MKT 10234 SEATTLE WA"), "wholefds mkt");
        assert_eq!(merchant("BLUE BOTTLE OAKLAND CA"), "blue bottle");
        assert_eq!(merchant("POS DEBIT 4411"), "");
        assert_eq!(merchant("CHECKCARD 0412 SAFEWAY #1444 PORTLAND OR XXXX5521"), "safeway");
        assert_eq!(merchant("POS DEBIT LUBUCK GROCERY 4668"), "lubuck grocery");
    }

    #[test]
    fn words_leave_out_numbers_cities_and_payment_noise() {
        assert_eq!(clean_words("STARBUCKS #1234 SEATTLE WA"), ["starbucks"]);
        assert_eq!(clean_words("CHECKCARD 0412 SAFEWAY 1444 XXXX5521"), ["safeway"]);
        assert_eq!(clean_words("AMZN Mktp US*2K3L"), ["amzn", "mktp", "us"]);
    }

    #[test]
    fn features_carry_sign_size_and_account() {
        let f = features(7, -4500, 2, None, "SQ *BLUE BOTTLE");
        assert_eq!(f, ["m:blue bottle", "w:blue", "w:bottle", "s:out", "s:out2", "a:7"]);
        assert!(features(7, 320_000, 2, Some("ACME PAYROLL"), "DIRECT DEP").contains(&"s:in5".to_string()));
    }
}
