//! What a CSV column is for, told by its header (in the languages banks export in) or, when
//! the header says nothing tally knows, by what the column holds. Choosing among the
//! candidates and writing the profile is `profile`'s.

use super::profile::{DATE_FORMATS, Profile, read_date};

/// Whether a type column's `value` says money out (`Some(true)`), in (`Some(false)`), or neither.
pub fn debit(value: &str) -> Option<bool> {
    let v = value.trim().to_lowercase();
    match v.as_str() {
        "debit" | "dr" | "d" | "af" | "s" | "soll" | "débit" | "cargo" | "obciążenie" | "withdrawal" | "db" => {
            Some(true)
        }
        "credit" | "cr" | "c" | "bij" | "h" | "haben" | "crédit" | "abono" | "uznanie" | "deposit" => Some(false),
        _ => None,
    }
}

/// Header names per role, in the languages banks export in (lower case; an exact match wins
/// over a header that contains the name).
pub(super) const DATE_NAMES: &[&str] = &[
    "date",
    "buchungstag",
    "buchungsdatum",
    "booking date",
    "posting date",
    "transaction date",
    "date opération",
    "date de l'opération",
    "date operation",
    "fecha operación",
    "fecha",
    "data operacji",
    "data księgowania",
    "transactiedatum",
    "operacijos data",
    "data",
    "datum",
    "posted",
];
/// Dates that are not the booking: the value (interest) date, a settlement or dispute date.
pub(super) const OTHER_DATE_NAMES: &[&str] = &[
    "valuta",
    "wertstellung",
    "value date",
    "valeur",
    "fecha valor",
    "waluty",
    "rentedatum",
    "settle",
    "dispute",
    "vertė",
];
pub(super) const AMOUNT_NAMES: &[&str] =
    &["amount", "betrag", "umsatz", "montant", "importe", "bedrag", "kwota", "suma", "bedrag (eur)", "value"];
pub(super) const DEBIT_NAMES: &[&str] =
    &["debit", "débit", "soll", "withdrawal", "ausgang", "cargo", "uznania", "obciążenia"];
pub(super) const CREDIT_NAMES: &[&str] = &["credit", "crédit", "haben", "deposit", "eingang", "abono"];
pub(super) const TYPE_NAMES: &[&str] =
    &["af bij", "debit/credit", "credit/debit", "soll/haben", "dr/cr", "cr/dr", "type", "typ"];
pub(super) const DESCRIPTION_NAMES: &[&str] = &[
    "description",
    "verwendungszweck",
    "libellé",
    "libelle",
    "concepto",
    "mededelingen",
    "omschrijving",
    "opis",
    "tytuł",
    "paskirtis",
    "memo",
    "details",
    "buchungstext",
    "text",
    "narrative",
];
pub(super) const ACCOUNT_NAMES: &[&str] =
    &["account", "account name", "konto", "compte", "cuenta", "rachunek", "sąskaita"];
pub(super) const CATEGORY_NAMES: &[&str] =
    &["category", "kategorie", "catégorie", "categorie", "categoría", "categoria", "kategoria", "kategorija"];
pub(super) const PAYEE_NAMES: &[&str] = &[
    "payee",
    "beguenstigter",
    "empfänger",
    "auftraggeber",
    "merchant",
    "bénéficiaire",
    "beneficiario",
    "naam / omschrijving",
    "kontrahent",
    "odbiorca",
    "gavėjas",
    "name",
];

pub(super) fn find(headers: &[String], names: &[&str]) -> Option<String> {
    let lower: Vec<String> = headers.iter().map(|h| h.trim().to_lowercase()).collect();
    names.iter().find_map(|n| lower.iter().position(|h| h == n)).map(|i| headers[i].trim().to_string()).or_else(|| {
        names.iter().find_map(|n| lower.iter().position(|h| h.contains(n))).map(|i| headers[i].trim().to_string())
    })
}

/// The header that is exactly one of `names` (lower case), if any.
pub(super) fn exact(headers: &[String], names: &[&str]) -> Option<String> {
    let lower: Vec<String> = headers.iter().map(|h| h.trim().to_lowercase()).collect();
    names.iter().find_map(|n| lower.iter().position(|h| h == n)).map(|i| headers[i].trim().to_string())
}

/// Each column and what the profile reads it as: `columns: "Date" date, "Memo" not read`.
pub fn roles(headers: &[String], p: &Profile) -> String {
    let named = [
        (Some(&p.date_column), "date"),
        (p.amount_column.as_ref(), "amount"),
        (p.debit_column.as_ref(), "debit"),
        (p.credit_column.as_ref(), "credit"),
        (Some(&p.description_column), "description"),
        (p.payee_column.as_ref(), "payee"),
        (p.id_column.as_ref(), "bank id"),
        (p.currency_column.as_ref(), "currency"),
        (p.type_column.as_ref(), "debit/credit type"),
        (p.category_column.as_ref(), "category (kept as the imported label)"),
        (p.account_column.as_ref(), "account (each row goes to the tally account it names)"),
    ];
    let each: Vec<String> = headers
        .iter()
        .map(|h| {
            let h = h.trim();
            let what: Vec<&str> = named.iter().filter(|(c, _)| c.is_some_and(|c| c == h)).map(|(_, r)| *r).collect();
            let what = if what.is_empty() { "not read".to_string() } else { what.join(" and ") };
            format!("{h:?} {what}")
        })
        .collect();
    format!("columns: {}", each.join(", "))
}

/// A field that reads as a date in a format tally knows.
pub(super) fn is_date(field: &str) -> bool {
    let f = field.trim();
    f.chars().any(|c| c.is_ascii_digit()) && DATE_FORMATS.iter().any(|(format, _)| read_date(f, format).is_some())
}

/// A field that reads as an amount in some style (`-12,50`, `$7.00`, `12.00 DR`) and is not
/// a date or a long number such as an account or card number.
pub(super) fn is_amount(field: &str) -> bool {
    let w = crate::money::written(field);
    let digits = w.number.chars().filter(char::is_ascii_digit).count();
    (1..=15).contains(&digits)
        && !is_date(field)
        && w.number.chars().all(|c| c.is_ascii_digit() || matches!(c, '.' | ',' | ' ' | '\''))
        && (w.number.contains(['.', ',']) || w.negative || w.currency.is_some() || digits < 7)
}

/// Column roles read from the values when the header does not name them.
#[derive(Debug, Default)]
pub(super) struct Content {
    pub date: Option<usize>,
    pub amount: Option<usize>,
    pub description: Option<usize>,
}

/// The first column of dates, the first column of amounts (one with decimals or signs before
/// one of whole numbers), and the column with the longest text.
pub(super) fn by_content(data: &[Vec<String>], fields: usize) -> Content {
    let filled = |i: usize| data.iter().map(move |r| r[i].trim()).filter(|v| !v.is_empty());
    let all = |i: usize, f: fn(&str) -> bool| filled(i).count() > 0 && filled(i).all(f);
    let date = (0..fields).find(|&i| all(i, is_date));
    let amounts: Vec<usize> = (0..fields).filter(|&i| Some(i) != date && all(i, is_amount)).collect();
    let telling = |i: &&usize| filled(**i).any(|v| v.contains(['.', ',', '-', '(']));
    let amount = amounts.iter().find(telling).or(amounts.first()).copied();
    let description = (0..fields)
        .filter(|&i| Some(i) != date && Some(i) != amount && !all(i, is_amount))
        .max_by_key(|&i| filled(i).map(str::len).sum::<usize>());
    Content { date, amount, description }
}
