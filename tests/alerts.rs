//! `tally alerts`: each kind fires on its case and not on its near miss, the JSON shape, the
//! exit code (3 with alerts, 0 without), thresholds from `[alerts]`, and the one-line summary
//! after import and sync.

use serde_json::Value;

use crate::common::{Run, TestEnv};

/// Import CSV rows (date, amount, text) into account `name` (created in USD).
fn import(env: &TestEnv, name: &str, rows: &[(&str, &str, &str)]) -> Run {
    env.run(&["accounts", "add", name, "--currency", "USD"]);
    let mut csv = String::from("Date,Amount,Description\n");
    for (d, a, t) in rows {
        csv.push_str(&format!("{d},{a},{t}\n"));
    }
    std::fs::create_dir_all(env.home()).unwrap();
    let path = env.home().join(format!("{name}-{}.csv", rows.len()));
    std::fs::write(&path, csv).unwrap();
    env.run(&["import", path.to_str().unwrap(), "--account", name]).ok()
}

/// `tally alerts --format json ARGS`: the alerts, checking the exit code agrees with them.
fn alerts(env: &TestEnv, extra: &[&str]) -> Vec<Value> {
    let mut args = vec!["alerts", "--format", "json"];
    args.extend_from_slice(extra);
    let run = env.run(&args);
    let all = run.json().as_array().unwrap_or_else(|| panic!("not an array: {run:#?}")).clone();
    assert_eq!(run.code, if all.is_empty() { 0 } else { 3 }, "{run:#?}");
    assert!(!run.stderr.contains("error:"), "alerts are no error: {run:#?}");
    all
}

fn of_kind<'a>(all: &'a [Value], kind: &str) -> Vec<&'a Value> {
    all.iter().filter(|a| a["kind"] == kind).collect()
}

/// A corner shop at about 20.00, on irregular days (no series), with an older opening row.
const SHOP: &[(&str, &str, &str)] = &[
    ("2025-01-02", "-5.00", "OPENING PURCHASE"),
    ("2026-07-02", "-18.00", "CORNER SHOP 0042"),
    ("2026-07-19", "-20.00", "CORNER SHOP 0042"),
    ("2026-09-11", "-22.00", "CORNER SHOP 0042"),
    ("2026-10-02", "-20.00", "CORNER SHOP 0042"),
];

#[test]
fn a_charge_far_above_the_usual_is_unusual_one_slightly_above_is_not_and_config_moves_the_line() {
    let env = TestEnv::new();
    let mut rows = SHOP.to_vec();
    rows.push(("2026-11-10", "-59.00", "CORNER SHOP 0042"));
    import(&env, "Card", &rows);
    assert!(of_kind(&alerts(&env, &[]), "unusual").is_empty(), "59.00 is under 3 x 20.00");

    std::fs::write(env.home().join("config.toml"), "[alerts]\nunusual_factor = 2.5\n").unwrap();
    let all = alerts(&env, &[]);
    let unusual = of_kind(&all, "unusual");
    assert_eq!(unusual.len(), 1, "{all:#?}");
    assert_eq!(
        (&unusual[0]["date"], &unusual[0]["amount"], &unusual[0]["currency"]),
        (&"2026-11-10".into(), &"59.00".into(), &"USD".into())
    );
    let shown = env.run(&["config", "show"]).ok();
    assert!(
        shown.stdout.lines().any(|l| l.contains("alerts_unusual_factor") && l.contains("2.50")),
        "{}",
        shown.stdout
    );
    std::fs::write(env.home().join("config.toml"), "[alerts]\nunusual_factor = 0.5\n").unwrap();
    let refused = env.run(&["alerts"]).fails_with(2);
    assert!(refused.stderr.contains("unusual_factor"), "{}", refused.stderr);
}

#[test]
fn the_json_shape_exit_code_and_the_summary_after_import() {
    let env = TestEnv::new();
    import(&env, "Card", SHOP);
    let quiet = env.run(&["alerts", "--format", "json"]).ok();
    assert_eq!(quiet.stdout.trim(), "[]");
    let cron = env.run(&["alerts", "-q"]).ok();
    assert_eq!((cron.stdout.as_str(), cron.stderr.as_str()), ("", ""), "cron mails nothing");

    let run = import(&env, "Card", &[("2026-11-10", "-75.00", "CORNER SHOP 0099")]);
    assert!(run.stderr.contains("1 alert: 1 unusual charge (tally alerts)"), "{}", run.stderr);
    let all = alerts(&env, &[]);
    assert_eq!(all.len(), 1, "{all:#?}");
    let a = all[0].as_object().unwrap();
    let keys: Vec<&str> = a.keys().map(String::as_str).collect();
    assert_eq!(keys, ["id", "kind", "date", "message", "amount", "currency", "transaction_ids"]);
    assert_eq!(a["kind"], "unusual");
    assert!(a["message"].as_str().unwrap().contains("CORNER SHOP 0099 charged 75.00 USD, usually 20.00 USD"), "{a:?}");
    let id = a["transaction_ids"][0].as_i64().unwrap();
    let amount: i64 = env.query(&format!("SELECT amount FROM \"transaction\" WHERE id = {id}"));
    assert_eq!(amount, -75_00);

    let table = env.run(&["alerts"]);
    assert_eq!(table.code, 3, "{table:#?}");
    assert!(table.stdout.contains("2026-11-10 CORNER SHOP 0099 75.00"), "{}", table.stdout);
    assert!(env.run(&["alerts", "--since", "2026-11-11"]).ok().stderr.contains("nothing to show"));

    let again = import(&env, "Card", &[("2026-11-12", "-3.00", "KIOSK")]);
    assert!(!again.stderr.contains("alert"), "the new row is in no alert: {}", again.stderr);
    let q = env.run(&["-q", "import", "--account", "Card", env.home().join("Card-1.csv").to_str().unwrap()]).ok();
    assert!(q.stderr.is_empty(), "{q:#?}");
}

#[test]
fn equal_charges_days_apart_are_a_duplicate_a_month_apart_or_a_refund_are_not() {
    let env = TestEnv::new();
    import(
        &env,
        "Card",
        &[
            ("2025-01-02", "-5.00", "OPENING PURCHASE"),
            ("2026-11-10", "-45.00", "HARDWARE STORE 12"),
            ("2026-11-11", "-45.00", "HARDWARE STORE 12"),
            ("2026-10-12", "-12.00", "BOOKSHOP"),
            ("2026-11-12", "-12.00", "BOOKSHOP"),
            ("2026-11-14", "-80.00", "SHOE SHOP"),
            ("2026-11-15", "80.00", "SHOE SHOP"),
        ],
    );
    let all = alerts(&env, &[]);
    let dups = of_kind(&all, "duplicate");
    assert_eq!(dups.len(), 1, "{all:#?}");
    assert_eq!((&dups[0]["date"], &dups[0]["amount"]), (&"2026-11-11".into(), &"45.00".into()));
    assert_eq!(dups[0]["transaction_ids"].as_array().unwrap().len(), 2);

    let id = dups[0]["id"].as_str().unwrap().to_string();

    std::fs::write(env.home().join("config.toml"), "[alerts]\nduplicate_days = 0\n").unwrap();
    assert!(of_kind(&alerts(&env, &[]), "duplicate").is_empty(), "a day apart is not the same day");
    std::fs::remove_file(env.home().join("config.toml")).unwrap();

    // Dismissed, it stays away until a third equal charge makes it another alert.
    let unknown = env.run(&["alerts", "dismiss", "0000beef"]).fails_with(2);
    assert!(unknown.stderr.contains("tally alerts"), "{}", unknown.stderr);
    let dismissed = env.run(&["alerts", "dismiss", &id]).ok();
    assert!(dismissed.stderr.contains("HARDWARE STORE 12: 2 charges of 45.00 USD"), "{}", dismissed.stderr);
    assert!(of_kind(&alerts(&env, &[]), "duplicate").is_empty());
    // (A charge a day or two later would be matched as the same row by the import: further on,
    // and a wider duplicate window.)
    std::fs::write(env.home().join("config.toml"), "[alerts]\nduplicate_days = 10\n").unwrap();
    let run = import(&env, "Card", &[("2026-11-20", "-45.00", "HARDWARE STORE 12")]);
    assert!(run.stderr.contains("1 alert: 1 possible duplicate charge (tally alerts)"), "{run:#?}");
    let again = alerts(&env, &[]);
    let dups = of_kind(&again, "duplicate");
    assert_eq!(dups.len(), 1, "{again:#?}");
    assert_ne!(dups[0]["id"], id.as_str());
    assert_eq!(dups[0]["transaction_ids"].as_array().unwrap().len(), 3);
}

/// A CAMT.052 report of one entry (`PDNG` pending or `BOOK` posted) in the Tagesgeld account.
fn camt(env: &TestEnv, name: &str, status: &str, date: &str, reference: &str) -> Run {
    let xml = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.052.001.08"><BkToCstmrAcctRpt>
<GrpHdr><MsgId>{reference}</MsgId><CreDtTm>{date}T12:00:00+01:00</CreDtTm></GrpHdr>
<Rpt><Id>{reference}</Id><Acct><Id><Othr><Id>0532013000</Id></Othr></Id><Ccy>EUR</Ccy><Nm>Tagesgeld</Nm></Acct>
<Ntry><Amt Ccy="EUR">45.00</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts><Cd>{status}</Cd></Sts>
<BookgDt><Dt>{date}</Dt></BookgDt><AcctSvcrRef>{reference}</AcctSvcrRef>
<AddtlNtryInf>BAUMARKT HARDWARE</AddtlNtryInf></Ntry></Rpt></BkToCstmrAcctRpt></Document>"#
    );
    std::fs::create_dir_all(env.home()).unwrap();
    let path = env.home().join(name);
    std::fs::write(&path, xml).unwrap();
    env.run(&["import", path.to_str().unwrap(), "--create-account"]).ok()
}

#[test]
fn a_pending_row_and_its_posted_row_are_not_a_duplicate() {
    let env = TestEnv::new();
    camt(&env, "pending.xml", "PDNG", "2026-11-20", "R-1");
    camt(&env, "posted.xml", "BOOK", "2026-11-21", "R-2");
    // The import linked the posted row to its pending one (which is no longer live), so the
    // purchase is one row; a pending row that stayed live is never a posted one's duplicate
    // either (alerts::charges' unit test).
    let live: i64 = env.query("SELECT count(*) FROM \"transaction\" WHERE status != 'removed'");
    assert_eq!(live, 1);
    let all = alerts(&env, &[]);
    assert!(of_kind(&all, "duplicate").is_empty(), "{all:#?}");
}

#[test]
fn a_price_increase_and_a_new_subscription_come_from_recurring() {
    let env = TestEnv::new();
    let mut rows = vec![("2025-01-02", "-5.00", "OPENING PURCHASE")];
    for d in ["2026-07-07", "2026-08-07", "2026-09-07", "2026-10-07"] {
        rows.push((d, "-9.99", "STREAMFLIX.COM"));
    }
    rows.push(("2026-11-07", "-12.99", "STREAMFLIX.COM"));
    for d in ["2026-09-03", "2026-10-03", "2026-11-03"] {
        rows.push((d, "-30.00", "GYMPASS"));
    }
    for d in ["2026-07-15", "2026-08-15", "2026-09-15", "2026-10-15"] {
        rows.push((d, "-20.00", "PHONE CO"));
    }
    rows.push(("2026-11-15", "-15.00", "PHONE CO"));
    import(&env, "Card", &rows);
    let all = alerts(&env, &[]);
    let price = of_kind(&all, "price_change");
    assert_eq!(price.len(), 1, "a price drop is no alert: {all:#?}");
    assert_eq!((&price[0]["amount"], &price[0]["date"]), (&"12.99".into(), &"2026-11-07".into()));
    assert_eq!(price[0]["transaction_ids"].as_array().unwrap().len(), 2, "the steady one and the new one");
    let new = of_kind(&all, "new_recurring");
    assert_eq!(new.len(), 1, "{all:#?}");
    assert!(new[0]["message"].as_str().unwrap().contains("GYMPASS"), "{:?}", new[0]);
    assert_eq!(new[0]["transaction_ids"].as_array().unwrap().len(), 3);
}

#[test]
fn a_budget_that_expected_charges_take_over_is_an_alert_one_with_room_is_not() {
    let env = TestEnv::new();
    import(
        &env,
        "Card",
        &[
            ("2025-01-02", "-5.00", "OPENING PURCHASE"),
            ("2026-11-05", "-412.00", "SUPERMARKET"),
            ("2026-11-09", "-30.00", "SUPERMARKET"),
        ],
    );
    env.run(&["rules", "add", "--description-contains", "SUPERMARKET", "--category", "Food:Groceries"]).ok();
    env.run(&["categorize"]).ok();
    env.run(&["budget", "set", "Food:Groceries", "450"]).ok();
    let all = alerts(&env, &[]);
    assert!(of_kind(&all, "budget").is_empty(), "442.00 of 450.00 leaves room: {all:#?}");
    env.run(&["budget", "set", "Food:Groceries", "400"]).ok();
    let all = alerts(&env, &[]);
    let budget = of_kind(&all, "budget");
    assert_eq!(budget.len(), 1, "{all:#?}");
    assert_eq!(budget[0]["amount"], "42.00");
    assert_eq!(budget[0]["transaction_ids"].as_array().unwrap().len(), 2);
    assert!(
        budget[0]["message"].as_str().unwrap().starts_with("Food:Groceries: 442.00 USD of 400.00 USD spent"),
        "{:?}",
        budget[0]
    );
}

#[test]
fn a_recurring_charge_still_expected_this_month_can_take_a_budget_over() {
    let env = TestEnv::new();
    let mut rows = vec![("2025-01-02", "-5.00", "OPENING PURCHASE"), ("2026-11-05", "-90.00", "POWER CO")];
    for d in ["2026-07-28", "2026-08-28", "2026-09-28", "2026-10-28"] {
        rows.push((d, "-20.00", "PHONE CO"));
    }
    import(&env, "Card", &rows);
    for text in ["POWER CO", "PHONE CO"] {
        env.run(&["rules", "add", "--description-contains", text, "--category", "Housing:Utilities"]).ok();
    }
    env.run(&["categorize"]).ok();
    env.run(&["budget", "set", "Housing:Utilities", "110"]).ok();
    assert!(of_kind(&alerts(&env, &[]), "budget").is_empty(), "90.00 spent and 20.00 expected fit 110.00");
    env.run(&["budget", "set", "Housing:Utilities", "100"]).ok();
    let all = alerts(&env, &[]);
    let budget = of_kind(&all, "budget");
    assert_eq!(budget.len(), 1, "{all:#?}");
    assert_eq!(budget[0]["amount"], "10.00");
    assert_eq!(
        budget[0]["message"],
        "Housing:Utilities: 90.00 USD of 100.00 USD spent, 20.00 USD expected: would go over by 10.00 USD"
    );
}

#[test]
fn the_summary_after_sync_counts_alerts_on_the_rows_it_added_but_not_with_q_or_json() {
    let env = TestEnv::new();
    env.link();
    env.run(&["budget", "set", "Food", "10", "--currency", "USD"]).ok();
    let json = env.run(&["sync", "--format", "json"]).ok();
    assert!(!json.stderr.contains("alert"), "{json:#?}");
    env.pass_days(3);
    let quiet = env.run(&["sync", "-q"]).ok();
    assert!(!quiet.stderr.contains("alert"), "{quiet:#?}");
    env.pass_days(3);
    let sync = env.run(&["sync"]).ok();
    assert!(sync.stderr.contains("1 alert: 1 budget over or about to overflow (tally alerts)"), "{sync:#?}");
    let again = env.run(&["sync"]).ok();
    assert!(!again.stderr.contains("alert"), "nothing new, nothing said: {again:#?}");
    let all = alerts(&env, &[]);
    assert_eq!(all.iter().map(|a| a["kind"].as_str().unwrap()).collect::<Vec<_>>(), ["budget"], "{all:#?}");
}

#[test]
fn a_consent_ending_within_consent_days_is_an_alert_a_later_one_is_not() {
    let env = TestEnv::new();
    env.link();
    let at = |now: &str| {
        let out = env.command(&["alerts", "--format", "json"]).env("TALLY_NOW", now).output().unwrap();
        let all: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
        (out.status.code(), all)
    };
    assert_eq!(at("2027-05-10T12:00:00Z"), (Some(0), vec![]), "12 days left, over the 7 of the default");
    let (code, all) = at("2027-05-17T12:00:00Z");
    assert_eq!((code, all.len(), &all[0]["kind"]), (Some(3), 1, &"consent".into()), "{all:#?}");
    assert!(all[0]["message"].as_str().unwrap().contains("sandbox: its consent ends in 5 days"), "{all:#?}");
    assert_eq!((&all[0]["amount"], &all[0]["transaction_ids"]), (&Value::Null, &serde_json::json!([])));
    std::fs::write(env.home().join("config.toml"), "[alerts]\nconsent_days = 14\n").unwrap();
    assert_eq!(at("2027-05-10T12:00:00Z").0, Some(3));
}
