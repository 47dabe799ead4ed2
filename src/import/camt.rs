//! ISO 20022 CAMT.053 (statements), CAMT.052 (intraday reports) and CAMT.054 (debit/credit
//! notifications, which carry entries and no balances), any version (namespaces
//! are ignored, element names are not). An entry is one row, or one row per transaction in
//! a batched entry (`TxDtls`); remittance information becomes the description; booking and
//! value dates are kept apart. Opening plus entries must equal the closing balance, or the
//! statement carries a warning.

use anyhow::{Context as _, Result, anyhow, bail};
use chrono::NaiveDate;
use quick_xml::events::Event;
use sha2::{Digest as _, Sha256};

use super::replay::Reader;
use super::{AccountHint, Balance, Importer, Row, RowStream, Statement};
use crate::model::{AccountKind, NewTransaction};
use crate::money::{Currency, format_amount, parse_decimal};

#[derive(Debug, Default)]
struct Node {
    name: String,
    attrs: Vec<(String, String)>,
    text: String,
    children: Vec<Node>,
}

impl Node {
    fn child(&self, name: &str) -> Option<&Node> {
        self.children.iter().find(|c| c.name == name)
    }
    fn children<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Node> {
        self.children.iter().filter(move |c| c.name == name)
    }
    /// The node at a `/`-separated path below this one.
    fn at(&self, path: &str) -> Option<&Node> {
        path.split('/').try_fold(self, |n, part| n.child(part))
    }
    fn text_at(&self, path: &str) -> Option<&str> {
        self.at(path).map(|n| n.text.trim()).filter(|t| !t.is_empty())
    }
    fn attr(&self, name: &str) -> Option<&str> {
        self.attrs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}

fn entity(name: &str) -> Option<char> {
    match name {
        "amp" => Some('&'),
        "lt" => Some('<'),
        "gt" => Some('>'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        n if n.starts_with("#x") => u32::from_str_radix(&n[2..], 16).ok().and_then(char::from_u32),
        n if n.starts_with('#') => n[1..].parse().ok().and_then(char::from_u32),
        _ => None,
    }
}

fn node_of(e: &quick_xml::events::BytesStart<'_>) -> Node {
    let mut node = Node { name: e.local_name().as_ref().to_string(), ..Default::default() };
    for a in e.attributes().flatten() {
        let value = a.normalized_value(quick_xml::XmlVersion::default()).map(|v| v.into_owned()).unwrap_or_default();
        node.attrs.push((a.key.local_name().as_ref().to_string(), value));
    }
    node
}

fn parse(text: &str) -> Result<Node> {
    let mut reader = quick_xml::Reader::from_str(text);
    let mut stack = vec![Node::default()];
    loop {
        let event = reader.read_event().map_err(|e| anyhow!("XML error at byte {}: {e}", reader.buffer_position()))?;
        match event {
            Event::Start(e) => {
                stack.push(node_of(&e));
                if stack.len() > crate::import::MAX_DEPTH {
                    bail!("elements nested more than {} deep: not a bank statement", crate::import::MAX_DEPTH);
                }
            }
            Event::Empty(e) => {
                let node = node_of(&e);
                stack.last_mut().expect("root").children.push(node);
            }
            Event::End(_) => {
                if stack.len() < 2 {
                    bail!("a closing tag without its opening tag");
                }
                let done = stack.pop().expect("len >= 2");
                stack.last_mut().expect("root").children.push(done);
            }
            Event::Text(t) => stack.last_mut().expect("root").text.push_str(&t.xml10_content()),
            Event::CData(t) => stack.last_mut().expect("root").text.push_str(&t.xml10_content()),
            Event::GeneralRef(r) => {
                let name = r.into_inner();
                let c = entity(&name).ok_or_else(|| anyhow!("unknown entity &{name};"))?;
                stack.last_mut().expect("root").text.push(c);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if stack.len() != 1 {
        bail!("the file ends inside <{}>: it looks cut short", stack.last().map_or("", |n| n.name.as_str()));
    }
    Ok(stack.pop().expect("root"))
}

/// `2026-11-02` or `2026-11-02T10:00:00+01:00` under `Dt` or `DtTm`.
fn date_in(node: Option<&Node>) -> Option<NaiveDate> {
    let n = node?;
    let text = n.text_at("Dt").or_else(|| n.text_at("DtTm"))?;
    text.get(..10)?.parse().ok()
}

/// A signed amount from an `Amt` with its `Ccy`, and the credit/debit indicator beside it.
fn amount(parent: &Node, amt: &Node, indicator: Option<&str>, fallback: Currency, at: &str) -> Result<(i64, Currency)> {
    let currency = match amt.attr("Ccy") {
        Some(c) => Currency::parse(c).map_err(|e| anyhow!("{at}: {e}"))?,
        None => fallback,
    };
    let value = parse_decimal(amt.text.trim(), currency).map_err(|e| anyhow!("{at}/Amt: {e}"))?;
    let sign = match indicator.or_else(|| parent.text_at("CdtDbtInd")) {
        Some("CRDT") => 1,
        Some("DBIT") => -1,
        other => bail!("{at}/CdtDbtInd: {other:?} is neither CRDT nor DBIT"),
    };
    Ok((sign * value.abs(), currency))
}

/// A CAMT file, parsed whole.
pub struct Camt {
    statements: Vec<Statement<'static>>,
    warnings: Vec<String>,
}

impl Camt {
    /// The CAMT file called `label`, all of it in `bytes`.
    pub fn read(label: &str, bytes: &[u8]) -> Result<Camt> {
        let (statements, warnings) = read(label, bytes)?;
        Ok(Camt { statements, warnings })
    }
}

impl Importer for Camt {
    fn name(&self) -> &'static str {
        "camt"
    }

    fn statements(&self) -> Vec<(AccountHint, Option<Balance>)> {
        self.statements.iter().map(|s| (s.account.clone(), s.balance.clone())).collect()
    }

    fn warnings(&self) -> Vec<String> {
        self.warnings.clone()
    }

    fn rows(&mut self, index: usize, _currency: Currency) -> Result<Box<dyn RowStream + '_>> {
        Ok(super::listed(&mut self.statements[index], Reader::Camt))
    }
}

/// The statements (053 `Stmt`), reports (052 `Rpt`) or notifications (054 `Ntfctn`) in a CAMT file, parsed whole, and any
/// warnings (balances that do not reconcile).
pub fn read(label: &str, bytes: &[u8]) -> Result<(Vec<Statement<'static>>, Vec<String>)> {
    let text = super::text::Encoding::detect(bytes).decode(super::text::strip_bom(bytes)).into_owned();
    let root = parse(&text).map_err(|e| anyhow!("{label}: not a readable CAMT file: {e}"))?;
    let document = root.child("Document").context(format!("{label}: no <Document> element"))?;
    let (container, item) =
        [("BkToCstmrStmt", "Stmt"), ("BkToCstmrAcctRpt", "Rpt"), ("BkToCstmrDbtCdtNtfctn", "Ntfctn")]
            .into_iter()
            .find_map(|(name, item)| document.child(name).map(|c| (c, item)))
            .with_context(|| {
                format!("{label}: neither a CAMT.053 statement, a CAMT.052 report nor a CAMT.054 notification")
            })?;
    let mut statements = Vec::new();
    let mut warnings = Vec::new();
    for (i, stmt) in container.children(item).enumerate() {
        let at = format!("{label}: {item}[{}]", i + 1);
        let (statement, warning) = statement(stmt, &at)?;
        statements.push(statement);
        warnings.extend(warning);
    }
    if statements.is_empty() {
        bail!("{label}: the file holds no {item}");
    }
    Ok((statements, warnings))
}

fn statement(stmt: &Node, at: &str) -> Result<(Statement<'static>, Option<String>)> {
    let acct = stmt.child("Acct").with_context(|| format!("{at}: no <Acct>"))?;
    let iban = acct.text_at("Id/IBAN");
    let other = acct.text_at("Id/Othr/Id");
    let currency = Currency::parse(acct.text_at("Ccy").unwrap_or("EUR")).map_err(|e| anyhow!("{at}/Acct/Ccy: {e}"))?;
    let identity = iban.map(|i| format!("iban:{}", i.replace(' ', ""))).or(other.map(|o| format!("camt:{o}")));
    let name = acct.text_at("Nm").map(str::to_string).or_else(|| iban.or(other).map(|id| format!("Account {id}")));
    let account = AccountHint { identity, name, kind: Some(AccountKind::Checking), currency: Some(currency) };

    // Balances: opening (OPBD, or PRCD) and closing (CLBD).
    let balance_of = |code: &str| -> Result<Option<(i64, Option<NaiveDate>)>> {
        let Some(b) = stmt.children("Bal").find(|b| b.text_at("Tp/CdOrPrtry/Cd") == Some(code)) else {
            return Ok(None);
        };
        let amt = b.child("Amt").with_context(|| format!("{at}/Bal[{code}]: no <Amt>"))?;
        Ok(Some((amount(b, amt, None, currency, &format!("{at}/Bal[{code}]"))?.0, date_in(b.child("Dt")))))
    };
    let opening = balance_of("OPBD")?.or(balance_of("PRCD")?);
    let closing = balance_of("CLBD")?;

    let mut rows = Vec::new();
    let mut seen = std::collections::HashMap::<String, u32>::new();
    let mut booked_sum = 0i64;
    for (n, entry) in stmt.children("Ntry").enumerate() {
        let here = format!("{at}/Ntry[{}]", n + 1);
        let (booked, entry_rows) = entry_rows(entry, currency, &here, &mut seen)?;
        // Saturating: absurd amounts then simply fail the balance check below.
        booked_sum = booked_sum.saturating_add(booked);
        rows.extend(entry_rows.into_iter().map(Ok));
    }
    let warning = match (opening, closing) {
        (Some((open, _)), Some((close, _))) if open.saturating_add(booked_sum) != close => Some(format!(
            "{at}: the balances do not reconcile: opening {} + booked entries {} = {}, but the closing balance is {}",
            format_amount(open, currency),
            format_amount(booked_sum, currency),
            format_amount(open.saturating_add(booked_sum), currency),
            format_amount(close, currency)
        )),
        _ => None,
    };
    // The closing balance is dated by its own date, else by the end of the statement's period.
    let period_end = stmt.text_at("FrToDt/ToDtTm").and_then(|t| t.get(..10)?.parse::<NaiveDate>().ok());
    let balance = closing.and_then(|(amount, day)| {
        day.or(period_end).map(|d| Balance { amount, as_of: d.and_hms_opt(0, 0, 0).expect("midnight").and_utc() })
    });
    Ok((Statement { account, balance, rows: Box::new(rows.into_iter()) }, warning))
}

/// An entry's rows (one, or one per transaction of a batch) and what it adds to the booked
/// balance. Each row's raw text is its index in the entry and the entry's XML.
fn entry_rows(
    entry: &Node,
    currency: Currency,
    here: &str,
    seen: &mut std::collections::HashMap<String, u32>,
) -> Result<(i64, Vec<Row>)> {
    let xml = to_xml(entry);
    let mut rows = Vec::new();
    let amt = entry.child("Amt").with_context(|| format!("{here}: no <Amt>"))?;
    let (entry_amount, entry_currency) = amount(entry, amt, None, currency, here)?;
    let status = entry.text_at("Sts").or_else(|| entry.text_at("Sts/Cd")).unwrap_or("BOOK");
    let pending = status == "PDNG";
    let booked_amount = if pending { 0 } else { entry_amount };
    let booked = date_in(entry.child("BookgDt"))
        .or_else(|| date_in(entry.child("ValDt")))
        .with_context(|| format!("{here}: no <BookgDt>"))?;
    let valued = date_in(entry.child("ValDt")).filter(|d| *d != booked);
    let reversal = entry.text_at("RvslInd") == Some("true");
    let details: Vec<&Node> = entry.child("NtryDtls").map(|d| d.children("TxDtls").collect()).unwrap_or_default();
    // A batch: one row per transaction when each names its amount; else the entry as one row.
    let parts: Vec<(Option<&Node>, i64)> = if details.len() > 1 && details.iter().all(|d| tx_amount(d).is_some()) {
        details
            .iter()
            .map(|d| {
                let (amt, ind) = tx_amount(d).expect("checked");
                amount(d, amt, ind.or(entry.text_at("CdtDbtInd")), entry_currency, here).map(|(a, _)| (Some(*d), a))
            })
            .collect::<Result<_>>()?
    } else {
        vec![(details.first().copied(), entry_amount)]
    };
    for (k, (tx, value)) in parts.into_iter().enumerate() {
        let info = tx.map(remittance).unwrap_or_default();
        let description = [info.as_str(), entry.text_at("AddtlNtryInf").unwrap_or("")]
            .into_iter()
            .find(|s| !s.is_empty())
            .unwrap_or("")
            .to_string();
        let description = if reversal { format!("REVERSAL {description}").trim_end().to_string() } else { description };
        let payee = tx.and_then(|t| {
            let party = if value < 0 { "RltdPties/Cdtr" } else { "RltdPties/Dbtr" };
            t.text_at(&format!("{party}/Nm")).or_else(|| t.text_at(&format!("{party}/Pty/Nm")))
        });
        let reference = tx
            .and_then(|t| t.text_at("Refs/AcctSvcrRef").or(t.text_at("Refs/TxId")).or(t.text_at("Refs/EndToEndId")))
            .filter(|r| *r != "NOTPROVIDED")
            .or(entry.text_at("AcctSvcrRef").filter(|_| k == 0 || tx.is_none()))
            .or(entry.text_at("NtryRef").filter(|_| k == 0));
        let external_id = match reference {
            Some(r) => format!("camt:{r}"),
            None => {
                let key = format!("{booked}|{value}|{description}");
                let n = seen.entry(key.clone()).or_insert(0);
                *n += 1;
                format!("camt:{booked}:{}#{n}", &format!("{:x}", Sha256::digest(key.as_bytes()))[..16])
            }
        };
        let location =
            if tx.is_some() && details.len() > 1 { format!("{here}/TxDtls[{}]", k + 1) } else { here.to_string() };
        rows.push(Row {
            raw: format!("{k} {xml}"),
            location,
            account: None,
            tx: NewTransaction {
                external_id,
                pending_external_id: None,
                booked_date: booked,
                value_date: valued,
                amount: value,
                currency: entry_currency,
                payee: payee.map(str::to_string),
                description,
                pending,
                provider_category: None,
            },
        });
    }
    Ok((booked_amount, rows))
}

/// What reading carries from entry to entry: occurrences of each id-less row's key, and the
/// rows of the entry read last (a batch's rows are stored one per line, each with the entry).
#[derive(Debug, Default)]
pub struct Resume {
    seen: std::collections::HashMap<String, u32>,
    last: Vec<NewTransaction>,
}

/// A stored row (`k <Ntry>…</Ntry>`) read again: the entry is read at its first row.
pub fn reread(raw: &str, currency: Currency, resume: &mut Resume) -> Result<NewTransaction> {
    let (k, xml) = raw.split_once(' ').context("a stored CAMT row without its entry")?;
    let k: usize = k.parse().context("a stored CAMT row without its index")?;
    if k == 0 {
        let root = parse(xml)?;
        let entry = root.child("Ntry").context("no <Ntry> in a stored row")?;
        resume.last =
            entry_rows(entry, currency, "stored entry", &mut resume.seen)?.1.into_iter().map(|r| r.tx).collect();
    }
    resume.last.get(k).cloned().context("a stored CAMT row beyond its entry's rows")
}

/// A node back as XML (namespaces dropped, as reading drops them).
fn to_xml(n: &Node) -> String {
    let esc = |t: &str| t.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;");
    let mut out = format!("<{}", n.name);
    for (k, v) in &n.attrs {
        out.push_str(&format!(" {k}=\"{}\"", esc(v)));
    }
    out.push('>');
    out.push_str(&esc(&n.text));
    for c in &n.children {
        out.push_str(&to_xml(c));
    }
    out.push_str(&format!("</{}>", n.name));
    out
}

/// A transaction's own amount (`Amt`, or `AmtDtls/TxAmt/Amt`) and indicator, if it has one.
fn tx_amount(tx: &Node) -> Option<(&Node, Option<&str>)> {
    tx.child("Amt").or_else(|| tx.at("AmtDtls/TxAmt/Amt")).map(|a| (a, tx.text_at("CdtDbtInd")))
}

/// Unstructured remittance lines, joined; or the structured creditor reference.
fn remittance(tx: &Node) -> String {
    let Some(info) = tx.child("RmtInf") else { return String::new() };
    let lines: Vec<&str> = info.children("Ustrd").map(|u| u.text.trim()).filter(|t| !t.is_empty()).collect();
    if !lines.is_empty() {
        return lines.join(" ");
    }
    info.text_at("Strd/CdtrRefInf/Ref").unwrap_or("").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cut_file_and_unknown_entities_are_errors() {
        assert!(parse("<Document><BkToCstmrStmt>").unwrap_err().to_string().contains("cut short"));
        assert!(parse("<a>x &nope; y</a>").is_err());
        let n = parse("<a:Doc xmlns:a=\"u\"><a:B Ccy=\"EUR\">1 &amp; 2</a:B></a:Doc>").unwrap();
        let b = n.at("Doc/B").unwrap();
        assert_eq!((b.text.as_str(), b.attr("Ccy")), ("1 & 2", Some("EUR")));
    }

    proptest::proptest! {
        #[test]
        fn never_panics_on_arbitrary_text(s in ".*") {
            let _ = parse(&s);
            let _ = parse(&format!("<Document><BkToCstmrStmt><Stmt>{s}"));
        }
    }
}
