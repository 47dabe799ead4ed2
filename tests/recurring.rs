//! `tally recurring`: subscriptions, bills and salary found in synced and imported rows, with
//! their flags; irregular payees and transfers are not series.

use serde_json::Value;

use crate::common::TestEnv;

fn import(env: &TestEnv, name: &str, rows: &[(String, String, String)]) {
    env.run(&["accounts", "add", name, "--currency", "USD"]).ok();
    let mut csv = csv::Writer::from_writer(Vec::new());
    csv.write_record(["Date", "Amount", "Description"]).unwrap();
    for (d, a, t) in rows {
        csv.write_record([d, a, t]).unwrap();
    }
    std::fs::create_dir_all(env.home()).unwrap();
    let path = env.home().join(format!("{name}.csv"));
    std::fs::write(&path, csv.into_inner().unwrap()).unwrap();
    env.run(&["import", path.to_str().unwrap(), "--account", name]).ok();
}

fn row(date: &str, amount: &str, text: &str) -> (String, String, String) {
    (date.into(), amount.into(), text.into())
}

fn recurring(env: &TestEnv, extra: &[&str]) -> Vec<Value> {
    let mut args = vec!["recurring", "--format", "json"];
    args.extend_from_slice(extra);
    env.run(&args).ok().json().as_array().unwrap().clone()
}

fn find<'a>(all: &'a [Value], payee: &str) -> Option<&'a Value> {
    all.iter().find(|s| s["payee"].as_str().is_some_and(|p| p.to_uppercase().starts_with(payee)))
}

#[test]
fn subscriptions_price_changes_yearly_charges_and_salary_but_not_an_irregular_shop() {
    let env = TestEnv::new();
    let mut card = vec![row("2024-10-01", "-5.00", "OPENING PURCHASE")];
    for m in 5..=10 {
        card.push(row(&format!("2026-{m:02}-07"), "-9.99", &format!("STREAMFLIX.COM {m:02}/26")));
    }
    card.push(row("2026-11-07", "-12.99", "STREAMFLIX.COM 11/26"));
    for d in ["2026-09-03", "2026-10-03", "2026-11-03"] {
        card.push(row(d, "-30.00", "GYMPASS #4411"));
    }
    card.push(row("2024-12-01", "-12.00", "DOMAINS INC RENEWAL"));
    card.push(row("2025-12-01", "-12.50", "DOMAINS INC RENEWAL"));
    for (d, a) in [
        ("2026-10-01", "-12.40"),
        ("2026-10-04", "-3.10"),
        ("2026-10-12", "-55.00"),
        ("2026-10-13", "-8.75"),
        ("2026-10-29", "-21.00"),
        ("2026-11-15", "-4.20"),
    ] {
        card.push(row(d, a, "CORNER SHOP 0042"));
    }
    import(&env, "Card", &card);
    let start: chrono::NaiveDate = "2026-07-10".parse().unwrap();
    let salary: Vec<_> =
        (0..10).map(|i| row(&(start + chrono::Days::new(14 * i)).to_string(), "2000.00", "ACME PAYROLL PPD")).collect();
    import(&env, "Checking", &salary);

    let all = recurring(&env, &[]);
    let streamflix = find(&all, "STREAMFLIX").expect("a monthly subscription");
    assert_eq!(
        (&streamflix["cadence"], &streamflix["typical_amount"], &streamflix["next_expected"], &streamflix["status"]),
        (&"monthly".into(), &"-9.99".into(), &"2026-12-07".into(), &"active".into())
    );
    assert_eq!(streamflix["flags"], "price change -9.99 -> -12.99");
    let gym = find(&all, "GYMPASS").expect("a new subscription");
    assert_eq!(gym["flags"], "new since 2026-09-03");
    let domains = find(&all, "DOMAINS").expect("a yearly charge seen twice");
    assert_eq!((&domains["cadence"], &domains["next_expected"]), (&"yearly".into(), &"2026-12-01".into()));
    let pay = find(&all, "ACME PAYROLL").expect("a biweekly salary");
    assert_eq!(
        (&pay["cadence"], &pay["kind"], &pay["typical_amount"], &pay["account"]),
        (&"biweekly".into(), &"income".into(), &"2000.00".into(), &"Checking".into())
    );
    assert!(find(&all, "CORNER SHOP").is_none(), "an irregular shop is no series: {all:#?}");
    assert_eq!(all.len(), 4, "{all:#?}");
}

#[test]
fn the_sandbox_bank_has_subscriptions_bills_and_a_twice_monthly_salary() {
    let env = TestEnv::new();
    env.linked_and_synced();
    let all = recurring(&env, &[]);
    let cadence = |payee: &str| find(&all, payee).map(|s| s["cadence"].as_str().unwrap().to_string());
    assert_eq!(cadence("NETFLIX").as_deref(), Some("monthly"));
    assert_eq!(cadence("SPOTIFY").as_deref(), Some("monthly"));
    assert_eq!(cadence("OAKWOOD").as_deref(), Some("monthly"));
    assert_eq!(cadence("ACME CORP PAYROLL").as_deref(), Some("semimonthly"));
    assert!(find(&all, "ONLINE TRANSFER").is_none(), "transfers are not series: {all:#?}");
    assert!(find(&all, "REWARDS VISA AUTOPAY").is_none(), "card payments are transfers");
    let table = env.run(&["recurring"]).ok().stdout;
    assert!(table.contains("NETFLIX") && table.contains("next expected"), "{table}");
}
