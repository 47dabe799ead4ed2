//! OFX files as banks really send them (issue 14 item 5): transactions without a FITID, two
//! that share one, and responses that hold no statement at all.

use crate::common::TestEnv;
use crate::import::fixture;

#[test]
fn missing_and_repeated_fitids_keep_every_transaction_once() {
    let env = TestEnv::new();
    let ofx = fixture("no-fitid.ofx");
    let run = env.run(&["import", &ofx, "--create-account", "--format", "json"]).ok();
    assert_eq!(run.json()[0]["new"], 5, "two identical fares without FITID and two rows sharing DUP-1");
    assert!(
        run.stderr.contains("STMTTRN[4]: FITID \"DUP-1\" is used by STMTTRN[3] too; both are kept"),
        "{}",
        run.stderr
    );
    let again = env.run(&["import", &ofx, "--format", "json"]).ok();
    assert_eq!((again.json()[0]["new"].as_u64(), again.json()[0]["unchanged"].as_u64()), (Some(0), Some(5)));
    let listed = env.run(&["tx", "list", "--format", "json"]).ok().json();
    let fares = listed.as_array().unwrap().iter().filter(|t| t["payee"] == "METRO CARD").count();
    assert_eq!(fares, 2);
}

#[test]
fn a_response_without_a_statement_says_what_it_is() {
    let env = TestEnv::new();
    let run = env.run(&["import", &fixture("error-response.ofx"), "--create-account"]).fails_with(1);
    assert!(
        run.stderr.contains(
            "the bank answered with an error instead of a statement (status 2000, ERROR: \
             \"Statement download is not available for this account\")"
        ),
        "{}",
        run.stderr
    );
    let run = env.run(&["import", &fixture("account-list.ofx"), "--create-account"]).fails_with(1);
    assert!(run.stderr.contains("this is an account list (ACCTINFORS), not a statement"), "{}", run.stderr);
}

#[test]
fn investment_amounts_past_the_cent_are_rounded_and_said_so() {
    let env = TestEnv::new();
    let qfx = fixture("fractional-cents.qfx");
    let run = env.run(&["import", &qfx, "--create-account", "--format", "json"]).ok();
    assert_eq!(run.json()[0]["new"], 3, "{}", run.stderr);
    assert!(run.stderr.contains("2 amount(s) have more decimals than USD has"), "{}", run.stderr);
    assert!(run.stderr.contains("the cash balance 412.3406 is rounded"), "{}", run.stderr);
    let account = run.json()[0]["account"].as_str().unwrap().to_string();
    let listed = env.run(&["tx", "list", "--account", &account, "--format", "json"]).ok().json();
    let mut amounts: Vec<&str> = listed.as_array().unwrap().iter().map(|t| t["amount"].as_str().unwrap()).collect();
    amounts.sort();
    assert_eq!(amounts, ["-0.01", "12.35", "400.00"], "half away from zero");
    env.run(&["sync", "--replay", "--format", "json"]).ok();
    assert_eq!(env.run(&["tx", "list", "--account", &account, "--format", "json"]).ok().json(), listed);
}

#[test]
fn a_brokerage_statement_imports_the_cash_its_trades_move_settled_to_its_cash_balance() {
    // A statement whose cash carried a fraction of a cent before it began (1000.0037): trades
    // with four-decimal totals, a dividend, a reinvestment (no cash) and a fee.
    let env = TestEnv::new();
    let qfx = fixture("brokerage-trades.qfx");
    let run = env.run(&["import", &qfx, "--create-account", "--format", "json"]).ok();
    assert_eq!(run.json()[0]["new"], 7, "two bank rows, five trades; the reinvestment moves no cash: {}", run.stderr);
    assert!(run.stderr.contains("1 investment transaction(s) move no cash"), "{}", run.stderr);
    assert!(run.stderr.contains("5 amount(s) have more decimals than USD has"), "{}", run.stderr);
    let account = run.json()[0]["account"].as_str().unwrap().to_string();
    let listed = env.run(&["tx", "list", "--account", &account, "--format", "json"]).ok().json();
    let rows = listed.as_array().unwrap();
    let amount_of = |memo: &str| {
        let row = rows
            .iter()
            .find(|t| t["description"].as_str().unwrap().contains(memo))
            .unwrap_or_else(|| panic!("{memo}: {listed}"));
        row["amount"].as_str().unwrap().to_string()
    };
    // Row by row, -490.2468 would round to -490.25; the running balance (1127.0329 -> 636.7861,
    // i.e. 1127.03 -> 636.79) says the broker took 490.24.
    assert_eq!(amount_of("BUYSTOCK 2 VTI @ 245.1234"), "-490.24");
    assert_eq!(amount_of("YOU BOUGHT VANGUARD"), "-372.97");
    assert_eq!(amount_of("YOU SOLD"), "250.01");
    assert_eq!(amount_of("ADR FEE"), "-0.44");
    let sold = rows.iter().find(|t| t["description"] == "YOU SOLD").unwrap();
    assert_eq!(sold["payee"], "Vanguard Total Stock Market ETF", "named from the SECLIST");
    // The rows add up to the rounded closing cash (788.23) less the rounded opening (1000.00).
    let total: i64 = rows.iter().map(|t| t["amount"].as_str().unwrap().replace('.', "").parse::<i64>().unwrap()).sum();
    assert_eq!(total, 78823 - 100000);
    let shown = env.run(&["accounts", "show", &account, "--format", "json"]).ok().json();
    assert!(shown.to_string().contains("788.23"), "{shown}");
    // The same file again adds nothing; a replay rebuilds the same rows.
    let again = env.run(&["import", &qfx, "--format", "json"]).ok();
    assert_eq!((again.json()[0]["new"].as_u64(), again.json()[0]["unchanged"].as_u64()), (Some(0), Some(7)));
    env.run(&["sync", "--replay", "--format", "json"]).ok();
    assert_eq!(env.run(&["tx", "list", "--account", &account, "--format", "json"]).ok().json(), listed);
}
