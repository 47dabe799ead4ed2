//! OFX and QFX: 1.x (SGML: leaf tags left open, a `KEY:VALUE` header, any charset) and 2.x
//! (XML). One small tokenizer reads both: a leaf element closes at the next tag. Bank,
//! credit-card and investment-cash statements (`invest`: trades as the cash they move); several
//! in one file; the ledger balance.

mod invest;

use anyhow::{Context as _, Result, anyhow, bail};
use chrono::NaiveDate;
use sha2::Digest as _;

use self::invest::Securities;
use super::replay::Reader;
use super::text::Encoding;
use super::{AccountHint, Balance, Importer, Row, RowStream, Statement};
use crate::model::{AccountKind, NewTransaction};
use crate::money::{Currency, parse_strict};

#[derive(Debug, Default, Clone)]
struct Element {
    name: String,
    text: Option<String>,
    children: Vec<Element>,
}

impl Element {
    fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }
    fn text_of(&self, name: &str) -> Option<&str> {
        self.child(name).and_then(|c| c.text.as_deref())
    }
    /// Every descendant named `name`, depth first.
    fn all<'a>(&'a self, name: &str, out: &mut Vec<&'a Element>) {
        for c in &self.children {
            if c.name == name {
                out.push(c);
            }
            c.all(name, out);
        }
    }
}

/// Decode the file: the SGML header's CHARSET or the XML declaration, else detect.
fn decode(bytes: &[u8]) -> String {
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(512)]).to_ascii_uppercase();
    let encoding = if head.contains("CHARSET:1252") || head.contains("WINDOWS-1252") || head.contains("ISO-8859-1") {
        Encoding::Cp1252
    } else {
        Encoding::detect(bytes)
    };
    encoding.decode(super::text::strip_bom(bytes)).into_owned()
}

fn unescape(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let entity = rest.find(';').filter(|&e| e <= 8).map(|e| &rest[1..e]);
        let decoded = match entity {
            Some("amp") => Some('&'),
            Some("lt") => Some('<'),
            Some("gt") => Some('>'),
            Some("quot") => Some('"'),
            Some("apos") => Some('\''),
            Some(e) if e.starts_with("#x") => u32::from_str_radix(&e[2..], 16).ok().and_then(char::from_u32),
            Some(e) if e.starts_with('#') => e[1..].parse().ok().and_then(char::from_u32),
            _ => None,
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &rest[entity.expect("matched").len() + 2..];
            }
            // A bare `&`, as real bank files have: keep it.
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Parse the body into an element tree rooted at a synthetic document element.
fn parse(text: &str) -> Result<Element> {
    let body = text.find("<OFX>").or_else(|| text.to_ascii_uppercase().find("<OFX>")).context("no <OFX> element")?;
    let mut stack: Vec<Element> = vec![Element { name: String::new(), ..Default::default() }];
    let mut rest = &text[body..];
    // Close the top element into its parent.
    fn close(stack: &mut Vec<Element>) {
        if stack.len() > 1 {
            let done = stack.pop().expect("len > 1");
            stack.last_mut().expect("root").children.push(done);
        }
    }
    let mut closed = false;
    while let Some(open) = rest.find('<') {
        let text_part = rest[..open].trim();
        if !text_part.is_empty() {
            stack.last_mut().expect("root").text = Some(unescape(text_part));
        }
        let Some(end) = rest[open..].find('>') else { bail!("a tag is not closed (truncated file?)") };
        let tag = rest[open + 1..open + end].trim();
        rest = &rest[open + end + 1..];
        if tag.starts_with('?') || tag.starts_with('!') {
            continue;
        }
        if let Some(name) = tag.strip_prefix('/') {
            let name = name.trim().to_ascii_uppercase();
            closed |= name == "OFX";
            if stack.iter().any(|e| e.name == name) {
                while stack.last().is_some_and(|e| e.name != name) {
                    close(&mut stack);
                }
                close(&mut stack);
            }
            continue;
        }
        // A leaf with text and no closing tag (SGML) ends where the next tag begins.
        if stack.last().is_some_and(|e| e.text.is_some() && e.children.is_empty()) {
            close(&mut stack);
        }
        let name = tag.split_whitespace().next().unwrap_or("").trim_end_matches('/').to_ascii_uppercase();
        if name.is_empty() {
            bail!("an empty tag <>");
        }
        stack.push(Element { name, ..Default::default() });
        if stack.len() > crate::import::MAX_DEPTH {
            bail!("elements nested more than {} deep: not a bank statement", crate::import::MAX_DEPTH);
        }
        if tag.ends_with('/') {
            close(&mut stack);
        }
    }
    while stack.len() > 1 {
        close(&mut stack);
    }
    let root = stack.pop().expect("root");
    if root.child("OFX").is_none() {
        bail!("no <OFX> element");
    }
    if !closed {
        bail!("the file ends before </OFX>: it looks cut short (download it again)");
    }
    Ok(root)
}

/// `20261102`, `20261102120000`, `20261102120000.000[-5:EST]`: the date as the bank wrote it.
fn date(s: &str) -> Result<NaiveDate> {
    let digits = s.get(..8).filter(|d| d.bytes().all(|b| b.is_ascii_digit())).ok_or_else(|| anyhow!("date {s:?}"))?;
    NaiveDate::parse_from_str(digits, "%Y%m%d").map_err(|_| anyhow!("date {s:?}"))
}

/// An OFX file, parsed whole.
pub struct Ofx {
    statements: Vec<Statement<'static>>,
    warnings: Vec<String>,
}

impl Ofx {
    /// The OFX file called `label`, all of it in `bytes`.
    pub fn read(label: &str, bytes: &[u8]) -> Result<Ofx> {
        let mut warnings = Vec::new();
        let statements = read(label, bytes, &mut warnings)?;
        Ok(Ofx { statements, warnings })
    }
}

impl Importer for Ofx {
    fn name(&self) -> &'static str {
        "ofx"
    }

    fn statements(&self) -> Vec<(AccountHint, Option<Balance>)> {
        self.statements.iter().map(|s| (s.account.clone(), s.balance.clone())).collect()
    }

    fn warnings(&self) -> Vec<String> {
        self.warnings.clone()
    }

    fn rows(&mut self, index: usize, _currency: Currency) -> Result<Box<dyn RowStream + '_>> {
        Ok(super::listed(&mut self.statements[index], Reader::Ofx))
    }
}

/// A stored `<STMTTRN>` read again.
pub fn reread(raw: &str, currency: Currency) -> Result<NewTransaction> {
    let root = parse(&format!("<OFX>{raw}</OFX>"))?;
    let t = root.child("OFX").and_then(|o| o.child("STMTTRN")).context("no <STMTTRN> in a stored row")?;
    row(t, currency)
}

/// The statements in an OFX file; rows are parsed up front (OFX files are small).
pub fn read(label: &str, bytes: &[u8], warnings: &mut Vec<String>) -> Result<Vec<Statement<'static>>> {
    let root = parse(&decode(bytes)).map_err(|e| anyhow!("{label}: not a readable OFX file: {e}"))?;
    let securities = invest::securities(&root);
    let mut statements = Vec::new();
    for (aggregate, from, kind) in [
        ("STMTRS", "BANKACCTFROM", None),
        ("CCSTMTRS", "CCACCTFROM", Some(AccountKind::Credit)),
        ("INVSTMTRS", "INVACCTFROM", Some(AccountKind::Investment)),
    ] {
        let mut found = Vec::new();
        root.all(aggregate, &mut found);
        for (n, stmt) in found.into_iter().enumerate() {
            let place = format!("{label}: {aggregate}[{}]", n + 1);
            statements.push(statement(stmt, from, kind, &securities, &place, warnings)?);
        }
    }
    if statements.is_empty() {
        bail!("{label}: {}; there is nothing to import", what_instead(&root));
    }
    Ok(statements)
}

/// What an OFX response without a statement is, with the bank's status message if it has one.
fn what_instead(root: &Element) -> String {
    let mut statuses = Vec::new();
    root.all("STATUS", &mut statuses);
    let failed = statuses.iter().find(|s| s.text_of("CODE").is_some_and(|c| c.trim() != "0"));
    if let Some(s) = failed {
        let code = s.text_of("CODE").unwrap_or("?");
        let message = s.text_of("MESSAGE").map_or(String::new(), |m| format!(": {m:?}"));
        let severity = s.text_of("SEVERITY").unwrap_or("ERROR");
        return format!("the bank answered with an error instead of a statement (status {code}, {severity}{message})");
    }
    let has = |name: &str| {
        let mut found = Vec::new();
        root.all(name, &mut found);
        !found.is_empty()
    };
    let what = if has("ACCTINFORS") {
        "an account list (ACCTINFORS), not a statement"
    } else if ["INTRARS", "INTERRS", "WIRERS", "XFERPRCSTS", "INTRASYNCRS"].iter().any(|n| has(n)) {
        "a transfer confirmation, not a statement"
    } else if has("SONRS") {
        "a sign-on response only, with no statement in it"
    } else {
        "an OFX file with no bank, credit-card or investment statement"
    };
    let note =
        statuses.iter().find_map(|s| s.text_of("MESSAGE")).map_or(String::new(), |m| format!(" (the bank says {m:?})"));
    format!("this is {what}{note}")
}

fn statement(
    stmt: &Element,
    from: &str,
    kind: Option<AccountKind>,
    securities: &Securities,
    place: &str,
    warnings: &mut Vec<String>,
) -> Result<Statement<'static>> {
    let acct = stmt.child(from).with_context(|| format!("{place}: no <{from}>"))?;
    let acct_id = acct.text_of("ACCTID").with_context(|| format!("{place}: no <ACCTID>"))?;
    let bank = acct.text_of("BANKID").or_else(|| acct.text_of("BROKERID")).unwrap_or("");
    let currency = Currency::parse(stmt.text_of("CURDEF").unwrap_or("USD")).map_err(|e| anyhow!("{place}: {e}"))?;
    let kind = kind.unwrap_or(match acct.text_of("ACCTTYPE") {
        Some("SAVINGS") | Some("MONEYMRKT") => AccountKind::Savings,
        Some("CREDITLINE") => AccountKind::Credit,
        _ => AccountKind::Checking,
    });
    let last4: String = acct_id.chars().rev().take(4).collect::<Vec<_>>().into_iter().rev().collect();
    let account = AccountHint {
        identity: Some(format!("ofx:{bank}:{acct_id}")),
        name: Some(format!(
            "{} ····{last4}",
            acct.text_of("ACCTTYPE").map_or_else(
                || if kind == AccountKind::Credit { "Credit card".into() } else { "Investment".into() },
                title
            )
        )),
        kind: Some(kind),
        currency: Some(currency),
    };
    // The cash balance as written, which investment rows settle against (see `invest::settle`).
    let mut closing = None;
    let balance = match stmt.child("LEDGERBAL").or_else(|| stmt.child("INVBAL")) {
        Some(b) => {
            let amount = b.text_of("BALAMT").or_else(|| b.text_of("AVAILCASH"));
            // INVBAL has no date of its own: the statement's, else the end of its list.
            let as_of = [b.text_of("DTASOF"), stmt.text_of("DTASOF")]
                .into_iter()
                .chain(["BANKTRANLIST", "INVTRANLIST"].map(|l| stmt.child(l).and_then(|l| l.text_of("DTEND"))))
                .flatten()
                .find_map(|d| date(d).ok());
            let invest = kind == AccountKind::Investment;
            match (amount, as_of) {
                (Some(a), Some(d)) => Some(Balance {
                    amount: match ofx_amount(a, currency) {
                        Err(_) if invest && rounded(a, currency).is_some() => {
                            warnings
                                .push(format!("{place}: the cash balance {a} is rounded to {currency}'s minor unit"));
                            closing = Some(a);
                            rounded(a, currency).expect("checked")
                        }
                        Ok(amount) => {
                            closing = Some(a);
                            amount
                        }
                        Err(e) => bail!("{place}: balance: {e}"),
                    },
                    as_of: d.and_hms_opt(0, 0, 0).expect("midnight").and_utc(),
                }),
                _ => None,
            }
        }
        None => None,
    };
    let mut trns = Vec::new();
    stmt.all("STMTTRN", &mut trns);
    let mut trns: Vec<std::borrow::Cow<'_, Element>> = trns.into_iter().map(std::borrow::Cow::Borrowed).collect();
    if kind == AccountKind::Investment {
        let (trades, skipped) = invest::trades(stmt, securities);
        trns.extend(trades.into_iter().map(std::borrow::Cow::Owned));
        if skipped > 0 {
            warnings.push(format!(
                "{place}: {skipped} investment transaction(s) move no cash (reinvested income, splits, security \
                 transfers) and are not imported: tally keeps this account's cash, not its holdings"
            ));
        }
    }
    // Ids: the FITID; a second use of one in the statement gets `#2` (and a warning); a
    // transaction without one gets a digest of what it says, numbered by occurrence. Either
    // way the raw record keeps the id given (TALLY.ID), so a replay gives the same.
    let mut seen: std::collections::HashMap<String, (u32, usize)> = std::collections::HashMap::new();
    // A brokerage may write cash amounts to a fraction of a cent: each is settled as the broker's
    // cash balance implies (`invest::settle`), said so, and kept in the raw record as settled
    // (TALLY.AMOUNT), so a replay gives the same.
    let finer = |t: &Element| {
        t.text_of("TRNAMT").is_some_and(|a| ofx_amount(a, currency).is_err() && invest::exact(a).is_some())
    };
    let round = if kind == AccountKind::Investment { trns.iter().filter(|t| finer(t)).count() } else { 0 };
    if round > 0 {
        let amounts: Vec<_> = trns.iter().map(|t| (invest::posted(t), t.text_of("TRNAMT").unwrap_or("0"))).collect();
        if let Some(settled) = invest::settle(&amounts, closing, currency.exponent()) {
            for (t, cents) in trns.iter_mut().zip(settled) {
                if finer(t) {
                    t.to_mut().children.push(Element {
                        name: "TALLY.AMOUNT".into(),
                        text: Some(cents.to_string()),
                        children: vec![],
                    });
                }
            }
            warnings.push(format!(
                "{place}: {round} amount(s) have more decimals than {currency} has; each is rounded so the \
                 running cash balance stays in {currency}'s minor unit, as the broker's own cash balance implies"
            ));
        }
    }
    let rows: Vec<Result<Row>> = trns
        .iter()
        .map(|t| t.as_ref())
        .enumerate()
        .map(|(i, t)| {
            let at = format!("{place}/STMTTRN[{}]", i + 1);
            let mut tx = row(t, currency).map_err(|e| anyhow!("{at}: {e}"))?;
            let (n, first) = seen.entry(tx.external_id.clone()).or_insert((0, i + 1));
            *n += 1;
            let fitid = t.text_of("FITID").filter(|_| t.child("TALLY.ID").is_none());
            if let (Some(f), true) = (fitid, *n > 1) {
                warnings.push(format!(
                    "{at}: FITID {f:?} is used by STMTTRN[{first}] too; both are kept as separate transactions"
                ));
            }
            if t.child("TALLY.ID").is_some() || (fitid.is_some() && *n == 1) {
                return Ok(Row { raw: dump(t), location: at, tx, account: None });
            }
            tx.external_id = format!("{}#{n}", tx.external_id);
            Ok(Row { raw: dump_with_id(t, &tx.external_id), location: at, tx, account: None })
        })
        .collect();
    Ok(Statement { account, balance, rows: Box::new(rows.into_iter()) })
}

fn title(s: &str) -> String {
    let lower = s.to_lowercase();
    let mut c = lower.chars();
    c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
}

/// A transaction's id before numbering: the one tally stored, the FITID, else a digest of
/// what the transaction says (`ofx:~DATE:DIGEST`).
fn id_of(t: &Element, posted: NaiveDate) -> String {
    if let Some(id) = t.text_of("TALLY.ID") {
        return id.to_string();
    }
    if let Some(fitid) = t.text_of("FITID") {
        return format!("ofx:{fitid}");
    }
    let fields =
        ["TRNTYPE", "DTPOSTED", "TRNAMT", "NAME", "MEMO", "CHECKNUM", "REFNUM"].map(|f| t.text_of(f).unwrap_or(""));
    let digest = sha2::Sha256::digest(fields.join("|").as_bytes());
    let short = u64::from_be_bytes(digest[..8].try_into().expect("8 bytes"));
    format!("ofx:~{posted}:{short:016x}")
}

fn row(t: &Element, currency: Currency) -> Result<NewTransaction> {
    let amount = match t.text_of("TALLY.AMOUNT") {
        // An investment statement's amount as tally rounded it (see `rounded`).
        Some(kept) => kept.parse().map_err(|_| anyhow!("TALLY.AMOUNT {kept:?}"))?,
        None => {
            let amount_text = t.text_of("TRNAMT").context("no <TRNAMT>")?;
            ofx_amount(amount_text, currency).map_err(|e| anyhow!("TRNAMT: {e}"))?
        }
    };
    let posted = date(t.text_of("DTPOSTED").context("no <DTPOSTED>")?)?;
    let name = t.text_of("NAME").or_else(|| t.child("PAYEE").and_then(|p| p.text_of("NAME")));
    let memo = t.text_of("MEMO");
    Ok(NewTransaction {
        external_id: id_of(t, posted),
        pending_external_id: None,
        booked_date: posted,
        value_date: t.text_of("DTUSER").map(date).transpose()?.filter(|d| *d != posted),
        amount,
        currency,
        payee: name.map(str::to_string),
        description: memo.or(name).unwrap_or("").to_string(),
        pending: false,
        provider_category: None,
    })
}

/// An OFX amount: one decimal point, which the OFX specification lets be `.` or `,` (European
/// banks write `-12,50`); no grouping. Never a guess about thousands.
fn ofx_amount(text: &str, currency: Currency) -> Result<i64> {
    parse_strict(text, if text.contains(',') { ',' } else { '.' }, currency)
}

/// An amount with more decimals than `currency` has, as brokerages write prices and fractional
/// shares' cash (`12.3456`), rounded to the currency's minor unit by `invest::round`'s rule: the
/// unit the broker's own cash balance is kept in. `None` when it is not such an amount.
fn rounded(text: &str, currency: Currency) -> Option<i64> {
    if ofx_amount(text, currency).is_ok() {
        return None;
    }
    invest::round(invest::exact(text)?, currency.exponent())
}

/// [`dump`] with the id tally gave the transaction, for one whose FITID is missing or repeated.
fn dump_with_id(e: &Element, id: &str) -> String {
    let closing = format!("</{}>", e.name);
    let dumped = dump(e);
    let body = dumped.strip_suffix(&closing).unwrap_or(&dumped);
    format!(
        "{body}<TALLY.ID>{}</TALLY.ID>{closing}",
        id.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
    )
}

/// The element as `<TAG>value` lines: the raw record kept for replay and audit.
fn dump(e: &Element) -> String {
    let mut out = format!("<{}>", e.name);
    if let Some(t) = &e.text {
        out.push_str(&t.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;"));
    }
    for c in &e.children {
        out.push_str(&dump(c));
    }
    out.push_str(&format!("</{}>", e.name));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sgml_leaves_close_at_the_next_tag_and_entities_decode() {
        let root = parse("<OFX><A><B>one &amp; two<C>bare & amp</A><D>x</D></OFX>").unwrap();
        assert!(parse("<OFX><A><B>one</A>").unwrap_err().to_string().contains("cut short"));
        let ofx = root.child("OFX").unwrap();
        let a = ofx.child("A").unwrap();
        assert_eq!(a.text_of("B"), Some("one & two"));
        assert_eq!(a.text_of("C"), Some("bare & amp"));
        assert_eq!(ofx.text_of("D"), Some("x"));
    }

    #[test]
    fn dates_keep_the_banks_day_whatever_the_zone() {
        assert_eq!(date("20261102").unwrap(), NaiveDate::from_ymd_opt(2026, 11, 2).unwrap());
        assert_eq!(date("20261102233000.000[-5:EST]").unwrap(), NaiveDate::from_ymd_opt(2026, 11, 2).unwrap());
        assert!(date("2026-11").is_err());
    }

    #[test]
    fn ids_tally_gives_are_kept_in_the_raw_record_and_replay_the_same() {
        let file = "<OFX><STMTRS><CURDEF>USD<BANKACCTFROM><BANKID>1<ACCTID>2</BANKACCTFROM><BANKTRANLIST>\
                    <STMTTRN><DTPOSTED>20260105<TRNAMT>-2.50<NAME>FARE</STMTTRN>\
                    <STMTTRN><DTPOSTED>20260105<TRNAMT>-2.50<NAME>FARE</STMTTRN>\
                    <STMTTRN><DTPOSTED>20260106<TRNAMT>-1<FITID>A</STMTTRN>\
                    <STMTTRN><DTPOSTED>20260107<TRNAMT>-3<FITID>A</STMTTRN></BANKTRANLIST></STMTRS></OFX>";
        let mut ofx = Ofx::read("t.ofx", file.as_bytes()).unwrap();
        let usd = Currency::parse("USD").unwrap();
        let rows: Vec<Row> = ofx.rows(0, usd).unwrap().collect::<Result<_>>().unwrap();
        let ids: Vec<&str> = rows.iter().map(|r| r.tx.external_id.as_str()).collect();
        assert!(ids[0].starts_with("ofx:~2026-01-05:") && ids[0].ends_with("#1"), "{ids:?}");
        assert_eq!(ids[1], ids[0].replace("#1", "#2"));
        assert_eq!(&ids[2..], ["ofx:A", "ofx:A#2"]);
        assert_eq!(ofx.warnings().len(), 1);
        for r in &rows {
            assert_eq!(reread(&r.raw, usd).unwrap().external_id, r.tx.external_id, "{}", r.raw);
        }
    }

    proptest::proptest! {
        #[test]
        fn never_panics_on_arbitrary_text(s in ".*") {
            let _ = parse(&s);
            let _ = parse(&format!("<OFX>{s}"));
        }
    }
}
