//! `tally accounts`: list, show, rename; names resolve or fail clearly.

use crate::common::TestEnv;

#[test]
fn lists_accounts_with_balances_in_every_format() {
    let env = TestEnv::new();
    env.linked_and_synced();
    let json = env.run(&["accounts", "--format", "json"]).ok().json();
    let accounts = json.as_array().unwrap();
    assert_eq!(accounts.len(), 4);
    let eur = accounts.iter().find(|a| a["currency"] == "EUR").unwrap();
    assert!(eur["balance"].as_str().unwrap().contains('.'), "decimal strings: {eur}");
    assert_eq!(eur["kind"], "checking");

    let csv = env.run(&["accounts", "--format", "csv"]).ok().stdout;
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let headers = reader.headers().unwrap().clone();
    assert_eq!(&headers[0], "id");
    assert_eq!(reader.records().count(), 4);

    let table = env.run(&["accounts"]).ok().stdout;
    assert!(table.contains("Everyday Checking") && table.contains("│"), "{table}");
}

#[test]
fn rename_then_resolve_by_the_new_name() {
    let env = TestEnv::new();
    env.link();
    env.run(&["accounts", "rename", "everyday checking", "Joint"]).ok();
    let shown = env.run(&["accounts", "show", "Joint", "--format", "json"]).ok().json();
    assert_eq!(shown["name"], "Joint");
    let by_id = env.run(&["accounts", "show", &shown["id"].to_string(), "--format", "json"]).ok().json();
    assert_eq!(by_id["name"], "Joint");
}

#[test]
fn an_unknown_account_is_a_usage_error_with_a_hint() {
    let env = TestEnv::new();
    env.link();
    let run = env.run(&["accounts", "show", "Nope"]).fails_with(2);
    assert!(run.stderr.contains("no account named \"Nope\""), "{}", run.stderr);
    assert!(run.stderr.contains("hint:"));
    env.run(&["tx", "list", "--account", "Nope"]).fails_with(2);
}

/// A statement file for the sandbox's Euro Account (found by its IBAN) closing at `closing`
/// on `day`, with no entries.
fn euro_statement(dir: &std::path::Path, name: &str, closing: &str, day: &str) -> String {
    let xml = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>
 <GrpHdr><MsgId>M</MsgId><CreDtTm>2026-11-20T06:00:00+01:00</CreDtTm></GrpHdr>
 <Stmt><Id>S</Id>
  <Acct><Id><IBAN>DE89 3704 0044 0532 0130 00</IBAN></Id><Ccy>EUR</Ccy></Acct>
  <Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">{closing}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>{day}</Dt></Dt></Bal>
 </Stmt></BkToCstmrStmt></Document>"#
    );
    let path = dir.join(name);
    std::fs::write(&path, xml).unwrap();
    path.display().to_string()
}

#[test]
fn a_statement_balance_sits_beside_the_live_one_and_never_replaces_it() {
    let env = TestEnv::new();
    env.linked_and_synced();
    let show = || env.run(&["accounts", "show", "Euro Account", "--format", "json"]).ok().json();
    let live = show();
    assert!(live["balance"].is_string() && live["available"].is_string(), "{live}");
    assert_eq!(live["statement_balance"], serde_json::Value::Null);

    // The statement that came with the issue: closing 775.55, dated a week after today.
    let run = env.run(&["import", &crate::import::fixture("statement.camt053.xml")]).ok();
    assert!(run.stderr.contains("dated 2026-11-30, after today (2026-11-23)"), "{}", run.stderr);
    let after = show();
    for key in ["balance", "available", "balance_as_of"] {
        assert_eq!(after[key], live[key], "the synced {key} stays: {after}");
    }
    assert_eq!(after["statement_balance"], "775.55");
    assert_eq!(after["statement_balance_as_of"], "2026-11-23T12:00:00Z", "never after now");

    // An older statement imported later changes nothing; a newer one replaces the figure.
    let dir = tempfile::tempdir().unwrap();
    env.run(&["import", &euro_statement(dir.path(), "october.xml", "500.00", "2026-10-31")]).ok();
    assert_eq!(show()["statement_balance"], "775.55");
    env.pass_days(10);
    env.run(&["import", &euro_statement(dir.path(), "december.xml", "812.34", "2026-12-01")]).ok();
    let newest = show();
    assert_eq!(newest["statement_balance"], "812.34");
    assert_eq!(newest["statement_balance_as_of"], "2026-12-01T00:00:00Z", "dated by the statement");
    assert_eq!(newest["balance"], live["balance"]);

    // `accounts show` lists both figures with their dates; the listing has them as columns.
    let table = env.run(&["accounts", "show", "Euro Account"]).ok().stdout;
    for text in
        ["balance as of", "statement balance ", "812.34", "2026-12-01T00:00:00Z", live["balance"].as_str().unwrap()]
    {
        assert!(table.contains(text), "{text:?} in:\n{table}");
    }
    let csv = env.run(&["accounts", "--format", "csv"]).ok().stdout;
    assert!(csv.lines().next().unwrap().contains("statement_balance,statement_balance_as_of"), "{csv}");
}

#[test]
fn an_account_only_files_feed_shows_its_statement_balance() {
    let env = TestEnv::new();
    let ofx = crate::import::fixture("bank-sgml.ofx");
    env.run(&["import", &ofx, "--create-account"]).ok();
    let json = env.run(&["accounts", "--format", "json"]).ok().json();
    let checking = json.as_array().unwrap().iter().find(|a| a["kind"] == "checking").unwrap().clone();
    // LEDGERBAL with its DTASOF: the balance, dated by the statement, and no "available".
    assert_eq!(checking["balance"], "4807.79");
    assert_eq!(checking["balance_as_of"], "2026-11-20T00:00:00Z");
    assert_eq!(checking["available"], serde_json::Value::Null);
    assert_eq!((checking["statement_balance"].as_str(), checking["connection"].as_str()), (Some("4807.79"), None));
}
