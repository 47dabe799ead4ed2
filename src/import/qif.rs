//! QIF (Quicken Interchange Format): `!Account` blocks name accounts, `!Type:Bank`,
//! `!Type:CCard`, `!Type:Cash` and `!Type:Oth A|L` sections hold records ending in `^`.
//! Splits (`S`, `E`, `$`) are kept in the raw record; the row carries the total. Dates come
//! as `11/02/2026`, `11/2/26`, `11/ 2'26` (an apostrophe means 20xx) or `02.11.2026`; whether
//! the day or the month comes first is decided for the whole file, and asked for
//! (`--date-order`) when the file cannot tell.

use anyhow::{Context as _, Result, anyhow, bail};
use chrono::NaiveDate;
use sha2::{Digest as _, Sha256};

use super::number::Column;
use super::profile::DateOrder;
use super::replay::Reader;
use super::{AccountHint, Balance, Importer, Row, RowStream, Statement};
use crate::model::{AccountKind, NewTransaction};
use crate::money::Currency;

/// A record as written, before the currency is known.
#[derive(Debug, Clone)]
struct Record {
    line: usize,
    date: (u32, u32, i32),
    /// `2026-11-02`: already (day, month, year), whatever the file's order.
    iso: bool,
    amount: String,
    payee: Option<String>,
    memo: Option<String>,
    number: Option<String>,
    category: Option<String>,
    raw: String,
}

/// One account's records.
#[derive(Debug)]
pub struct Account {
    hint: AccountHint,
    label: String,
    records: Vec<Record>,
    /// The file's decimal separator, decided once from all its amounts.
    decimal: Option<char>,
    /// The file's date order: day first unless its dates say month first.
    day_first: bool,
}

/// The cash sections tally imports; any other section's records are skipped with a note.
/// An investment section (`invst`) gives its cash movements (see [`invst_cash`]).
const CASH: [&str; 6] = ["bank", "ccard", "cash", "oth a", "oth l", "invst"];

/// Marks a stored investment record, whose amount is signed by its action on reading.
const INVST_MARK: &str = "!Type:Invst\n";

/// The cash an investment record moves in its own account, as a signed amount text, or
/// `None` when it moves none there. Buys and expenses are money out; sales, dividends,
/// interest, capital gains and returns of capital are money in (the `T`/`U` total, commission
/// included); `XIn`/`XOut` and contributions/withdrawals move cash in or out; `Cash` is signed as
/// written. Reinvestments, share transfers and splits move no cash, and the `…X` actions
/// (`BuyX`, `DivX`) take or pay their cash in another account, whose own records carry it.
fn invst_cash(action: &str, total: &str) -> Option<String> {
    let unsigned = total.trim().trim_start_matches(['-', '+']).trim();
    let a = action.trim().to_ascii_lowercase();
    let out = match a.as_str() {
        "buy" | "miscexp" | "margint" | "xout" | "withdrwx" | "shtsell" => true,
        "sell" | "div" | "intinc" | "cglong" | "cgmid" | "cgshort" | "rtrncap" | "miscinc" | "xin" | "contribx"
        | "cvrshrt" => false,
        "cash" => return Some(total.trim().to_string()),
        _ => return None,
    };
    Some(if out { format!("-{unsigned}") } else { unsigned.to_string() })
}

/// An investment record's fields as a cash record: `T` signed by the action, the security as
/// the payee when there is none, the action and quantity in the memo. `None`: no cash here.
fn invst_fields(fields: &[(char, String, usize)]) -> Option<Vec<(char, String, usize)>> {
    let get = |c: char| fields.iter().find(|(k, _, _)| *k == c).map(|(_, v, _)| v.as_str()).filter(|v| !v.is_empty());
    let action = get('N').unwrap_or("");
    let total = get('T').or_else(|| get('U'))?;
    let amount = invst_cash(action, total)?;
    let line = fields.first().map_or(0, |(_, _, l)| *l);
    let security = get('Y');
    let what = [Some(action), get('Q'), security].into_iter().flatten().collect::<Vec<_>>().join(" ");
    let memo = get('M').map_or(what.clone(), |m| format!("{what}: {m}"));
    let mut out: Vec<(char, String, usize)> =
        fields.iter().filter(|(k, _, _)| !matches!(k, 'T' | 'U' | 'N' | 'M' | 'P')).cloned().collect();
    out.push(('T', amount, line));
    out.push(('M', memo, line));
    if let Some(p) = get('P').or(security) {
        out.push(('P', p.to_string(), line));
    }
    Some(out)
}

/// What a skipped section holds, for the note.
fn skipped_what(section: &str) -> String {
    match section {
        "cat" => "category list entries (!Type:Cat)".into(),
        "class" => "class list entries (!Type:Class)".into(),
        "memorized" => "memorized transactions (!Type:Memorized)".into(),
        "security" | "prices" => format!("security list entries (!Type:{section})"),
        "invst" => "investment records that move no cash in their account (!Type:Invst: reinvestments, \
                    share transfers, splits, and BuyX/SellX/DivX whose cash is in another account)"
            .into(),
        other => format!("records of a section tally does not know (!Type:{other})"),
    }
}

/// Read the file's accounts and records, deciding the date order. `notes` gets what was
/// skipped (category lists, memorized items, investment sections).
pub fn parse(label: &str, bytes: &[u8], order: Option<DateOrder>, notes: &mut Vec<String>) -> Result<Vec<Account>> {
    let mut skipped: Vec<(String, usize)> = Vec::new();
    let text = super::text::Encoding::detect(bytes).decode(super::text::strip_bom(bytes)).into_owned();
    let mut accounts: Vec<Account> = Vec::new();
    let mut section: Option<String> = None;
    let mut in_account_list = false;
    let mut fields: Vec<(char, String, usize)> = Vec::new();
    let mut raw = String::new();
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() {
            continue;
        }
        if let Some(header) = line.strip_prefix('!') {
            let header = header.trim();
            let lower = header.to_ascii_lowercase();
            if lower == "account" {
                in_account_list = true;
            } else if let Some(t) = lower.strip_prefix("type:") {
                in_account_list = false;
                section = Some(t.trim().to_string());
                if accounts.is_empty() && CASH.contains(&t.trim()) {
                    accounts.push(Account {
                        hint: hint(None, t),
                        label: label.to_string(),
                        records: Vec::new(),
                        decimal: None,
                        day_first: true,
                    });
                }
            }
            fields.clear();
            raw.clear();
            continue;
        }
        raw.push_str(line);
        raw.push('\n');
        if line.starts_with('^') {
            let record = std::mem::take(&mut fields);
            if in_account_list {
                let name = record.iter().find(|(c, _, _)| *c == 'N').map(|(_, v, _)| v.clone());
                let kind = record.iter().find(|(c, _, _)| *c == 'T').map_or("bank", |(_, v, _)| v.as_str());
                accounts.push(Account {
                    hint: hint(name.as_deref(), &kind.to_ascii_lowercase()),
                    label: label.to_string(),
                    records: Vec::new(),
                    decimal: None,
                    day_first: true,
                });
            } else if section.as_deref().is_none_or(|s| CASH.contains(&s)) {
                if section.is_none() {
                    // No header at all (some apps write none): a bank account's records.
                    notes.push(format!("{label} has no !Type header: its records are read as a bank account"));
                    section = Some("bank".into());
                    if accounts.is_empty() {
                        accounts.push(Account {
                            hint: hint(None, "bank"),
                            label: label.to_string(),
                            records: Vec::new(),
                            decimal: None,
                            day_first: true,
                        });
                    }
                }
                let at = record.first().map_or(n, |(_, _, l)| *l);
                let (record, raw) = if section.as_deref() == Some("invst") {
                    let Some(cash) = invst_fields(&record) else {
                        match skipped.iter_mut().find(|(name, _)| name == "invst") {
                            Some((_, count)) => *count += 1,
                            None => skipped.push(("invst".into(), 1)),
                        }
                        raw.clear();
                        continue;
                    };
                    (cash, format!("{INVST_MARK}{}", std::mem::take(&mut raw)))
                } else {
                    (record, std::mem::take(&mut raw))
                };
                let rec = record_of(&record, raw).map_err(|e| anyhow!("{label}:{at}: {e}"))?;
                accounts.last_mut().context("a record before any !Type header")?.records.push(rec);
            } else if let Some(s) = section.as_deref().filter(|_| !record.is_empty()) {
                match skipped.iter_mut().find(|(name, _)| name == s) {
                    Some((_, count)) => *count += 1,
                    None => skipped.push((s.to_string(), 1)),
                }
            }
            raw.clear();
            continue;
        }
        let mut chars = line.chars();
        let code = chars.next().expect("not empty");
        fields.push((code, chars.as_str().trim().to_string(), n));
    }
    for (section, count) in &skipped {
        notes.push(format!("{label}: skipped {count} {}", skipped_what(section)));
    }
    if accounts.iter().all(|a| a.records.is_empty()) {
        let also = if skipped.is_empty() { String::new() } else { format!("; {}", notes.join("; ")) };
        bail!("{label}: no bank or credit-card transactions (QIF records end with ^){also}");
    }
    let dmy = decide_order(&accounts, order, label)?;
    for a in &mut accounts {
        for r in &mut a.records {
            if !dmy && !r.iso {
                r.date = (r.date.1, r.date.0, r.date.2);
            }
        }
    }
    // Check every date now, so a bad one names its line before anything is imported.
    for a in &accounts {
        for r in &a.records {
            to_date(r.date).map_err(|e| anyhow!("{label}:{}: {e}", r.line))?;
        }
    }
    // QIF is written for people (`T-1,850.00`): one number style for the whole file.
    let amounts = accounts.iter().flat_map(|a| a.records.iter().map(|r| r.amount.as_str()));
    let decimal = super::number::detect(amounts).map(|(d, _)| d);
    Ok(accounts
        .into_iter()
        .filter(|a| !a.records.is_empty())
        .map(|a| Account { decimal, day_first: dmy, ..a })
        .collect())
}

fn hint(name: Option<&str>, kind: &str) -> AccountHint {
    let kind = match kind {
        "ccard" => AccountKind::Credit,
        "oth l" => AccountKind::Loan,
        "cash" | "oth a" => AccountKind::Other,
        "invst" | "port" | "401(k)/403(b)" => AccountKind::Investment,
        _ => AccountKind::Checking,
    };
    AccountHint {
        identity: name.map(|n| format!("qif:{n}")),
        name: name.map(str::to_string),
        kind: Some(kind),
        currency: None,
    }
}

/// `(first, second, year)` as written; the order is settled for the whole file later.
fn date_parts(s: &str) -> Result<(u32, u32, i32)> {
    let apostrophe = s.contains('\'');
    let cleaned: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    let parts: Vec<&str> = cleaned.split(['/', '.', '-', '\'']).filter(|p| !p.is_empty()).collect();
    let [a, b, c] = parts.as_slice() else { bail!("date {s:?} is not day, month and year") };
    let num = |p: &str| p.parse::<u32>().map_err(|_| anyhow!("date {s:?}"));
    if a.len() == 4 {
        return Ok((num(c)?, num(b)?, num(a)? as i32)); // ISO: year first; day-first after the swap below
    }
    let year = match (c.len(), num(c)?) {
        (4, y) => y as i32,
        (1 | 2, y) if apostrophe => 2000 + y as i32,
        (1 | 2, y) if y < 70 => 2000 + y as i32,
        (1 | 2, y) => 1900 + y as i32,
        _ => bail!("date {s:?} has a year of neither two nor four digits"),
    };
    Ok((num(a)?, num(b)?, year))
}

fn to_date((day, month, year): (u32, u32, i32)) -> Result<NaiveDate> {
    NaiveDate::from_ymd_opt(year, month, day).ok_or_else(|| anyhow!("{day:02}/{month:02}/{year} is not a date"))
}

/// True for day-first. ISO dates are stored day-first already, so they say nothing.
fn decide_order(accounts: &[Account], order: Option<DateOrder>, label: &str) -> Result<bool> {
    let dates: Vec<(u32, u32)> =
        accounts.iter().flat_map(|a| a.records.iter().filter(|r| !r.iso).map(|r| (r.date.0, r.date.1))).collect();
    let day_first = dates.iter().any(|(a, _)| *a > 12);
    let month_first = dates.iter().any(|(_, b)| *b > 12);
    match (day_first, month_first, order) {
        (true, true, _) => bail!("{label}: its dates mix day-first and month-first"),
        (true, false, Some(DateOrder::Mdy)) | (false, true, Some(DateOrder::Dmy)) => {
            bail!("{label}: its dates contradict --date-order")
        }
        (true, false, _) => Ok(true),
        (false, true, _) => Ok(false),
        (false, false, Some(o)) => Ok(o == DateOrder::Dmy),
        (false, false, None) if dates.iter().all(|(a, b)| a == b) => Ok(true),
        (false, false, None) => {
            let example = accounts
                .iter()
                .flat_map(|a| &a.records)
                .find(|r| !r.iso)
                .map_or(String::new(), |r| format!("{:02}/{:02}/{}", r.date.0, r.date.1, r.date.2));
            Err(super::ImportError::ambiguous_dates(&format!("{label}: its dates"), &example))
        }
    }
}

fn record_of(fields: &[(char, String, usize)], raw: String) -> Result<Record> {
    let get = |c: char| fields.iter().find(|(k, _, _)| *k == c).map(|(_, v, _)| v.clone()).filter(|v| !v.is_empty());
    let date_text = get('D').context("a record without a date (D)")?;
    let date = date_parts(&date_text)?;
    let iso = date_text.trim().split(['-', '/', '.']).next().is_some_and(|y| y.len() == 4);
    let amount = get('T').or_else(|| get('U')).context("a record without an amount (T)")?;
    Ok(Record {
        line: fields.first().map_or(0, |(_, _, l)| *l),
        date,
        iso,
        amount,
        payee: get('P'),
        memo: get('M'),
        number: get('N'),
        category: get('L'),
        raw,
    })
}

/// A QIF file, parsed whole.
pub struct Qif {
    accounts: Vec<Account>,
    notes: Vec<String>,
}

impl Qif {
    /// The QIF file called `label`, all of it in `bytes`.
    pub fn read(label: &str, bytes: &[u8], order: Option<DateOrder>) -> Result<Qif> {
        let mut notes = Vec::new();
        let accounts = parse(label, bytes, order, &mut notes)?;
        Ok(Qif { accounts, notes })
    }
}

impl Importer for Qif {
    fn name(&self) -> &'static str {
        "qif"
    }

    fn statements(&self) -> Vec<(AccountHint, Option<Balance>)> {
        self.accounts.iter().map(|a| (a.hint.clone(), None)).collect()
    }

    fn warnings(&self) -> Vec<String> {
        self.notes.clone()
    }

    /// The account's rows, in the currency of the account they go into.
    fn rows(&mut self, index: usize, currency: Currency) -> Result<Box<dyn RowStream + '_>> {
        let account = &mut self.accounts[index];
        let mut resume = Resume::new(account.decimal);
        let rows: Vec<Result<Row>> = std::mem::take(&mut account.records)
            .into_iter()
            .map(|r| {
                let at = format!("{}:{}", account.label, r.line);
                row(r, currency, &mut resume, at)
            })
            .collect();
        let reader = Reader::Qif { day_first: account.day_first, decimal: account.decimal };
        let mut statement =
            Statement { account: account.hint.clone(), balance: None, rows: Box::new(rows.into_iter()) };
        Ok(super::listed(&mut statement, reader))
    }
}

/// What reading carries from record to record: occurrences of each row's key, the number style.
#[derive(Debug, Clone)]
pub struct Resume {
    seen: std::collections::HashMap<String, u32>,
    style: Column,
}

impl Resume {
    pub fn new(decimal: Option<char>) -> Resume {
        Resume { seen: Default::default(), style: Column::new(decimal) }
    }
}

/// A stored record (its lines, `^` included) read again.
pub fn reread(raw: &str, day_first: bool, currency: Currency, resume: &mut Resume) -> Result<NewTransaction> {
    let (invst, body) = match raw.strip_prefix(INVST_MARK) {
        Some(body) => (true, body),
        None => (false, raw),
    };
    let fields: Vec<(char, String, usize)> = body
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('^'))
        .enumerate()
        .map(|(i, l)| {
            let mut chars = l.chars();
            let code = chars.next().expect("not empty");
            (code, chars.as_str().trim().to_string(), i + 1)
        })
        .collect();
    let fields =
        if invst { invst_fields(&fields).context("a stored investment record that moves no cash")? } else { fields };
    let mut record = record_of(&fields, raw.to_string())?;
    if !day_first && !record.iso {
        record.date = (record.date.1, record.date.0, record.date.2);
    }
    Ok(row(record, currency, resume, "stored record".into())?.tx)
}

/// A record as a row, in the currency of the account it goes into.
fn row(r: Record, currency: Currency, resume: &mut Resume, at: String) -> Result<Row> {
    let amount = resume.style.parse(&r.amount, currency).map_err(|e| super::at(e, &at))?;
    let date = to_date(r.date).map_err(|e| anyhow!("{at}: {e}"))?;
    let description = r.memo.clone().or(r.payee.clone()).unwrap_or_default();
    let key = format!(
        "{date}|{amount}|{}|{}|{}",
        r.payee.as_deref().unwrap_or(""),
        description,
        r.number.as_deref().unwrap_or("")
    );
    let n = resume.seen.entry(key.clone()).or_insert(0);
    *n += 1;
    Ok(Row {
        tx: NewTransaction {
            external_id: format!("qif:{date}:{}#{n}", &format!("{:x}", Sha256::digest(key.as_bytes()))[..16]),
            pending_external_id: None,
            booked_date: date,
            value_date: None,
            amount,
            currency,
            payee: r.payee,
            description,
            pending: false,
            provider_category: r.category,
        },
        raw: r.raw,
        location: at,
        account: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_in_their_many_spellings() {
        assert_eq!(date_parts("11/02/2026").unwrap(), (11, 2, 2026));
        assert_eq!(date_parts("11/ 2'26").unwrap(), (11, 2, 2026));
        assert_eq!(date_parts("1/2' 5").unwrap(), (1, 2, 2005));
        assert_eq!(date_parts("02.11.98").unwrap(), (2, 11, 1998));
        assert_eq!(date_parts("2026-11-02").unwrap(), (2, 11, 2026));
        assert!(date_parts("yesterday").is_err());
        assert!(date_parts("1/2/2147483000").is_err(), "no overflow on an absurd year");
    }

    proptest::proptest! {
        #[test]
        fn never_panics_on_arbitrary_text(s in "(![A-Za-z: ]{0,12}\n)?([DTPMNLSE$^][^\n]{0,12}\n|D[0-9]{1,12}[/.'-][0-9]{1,12}[/.'-][0-9]{1,12}\n){0,30}") {
            for order in [None, Some(DateOrder::Dmy)] {
                if let Ok(mut qif) = Qif::read("x.qif", s.as_bytes(), order) {
                    for i in 0..qif.statements().len() {
                        let _ = qif.rows(i, Currency::parse("USD").unwrap()).unwrap().count();
                    }
                }
            }
        }
    }
}
