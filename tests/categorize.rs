//! `tally tx categorize` and `tally categorize`: the user's choice, by id or by search, wins
//! over every layer and survives syncs, replays and re-runs; `categorize` re-derives the rest
//! and says what changed.

use crate::common::TestEnv;

fn show(env: &TestEnv, id: i64) -> serde_json::Value {
    env.run(&["tx", "show", &id.to_string(), "--format", "json"]).ok().json()
}

fn ids_matching(env: &TestEnv, description: &str) -> Vec<i64> {
    let rows = env.rows("SELECT id FROM \"transaction\" WHERE description = ?1 ORDER BY id", [description]);
    rows.iter().map(|id| id.parse().unwrap()).collect()
}

#[test]
fn the_users_choice_by_id_wins_and_survives_sync_replay_and_recategorize() {
    let env = TestEnv::new();
    env.linked_and_synced();
    let netflix = ids_matching(&env, "NETFLIX.COM");
    let (a, b) = (netflix[0], netflix[1]);
    assert_eq!(show(&env, a)["category_source"], "provider");
    // A replay rebuilds the rows under new ids: they are found again by the bank's ids.
    let external = |id: i64| show(&env, id)["external_id"].as_str().unwrap().to_string();
    let chosen = [external(a), external(b), external(netflix[2])];
    let id_of = |ext: &str| -> i64 {
        env.rows("SELECT id FROM \"transaction\" WHERE external_id = ?1", [ext])[0].parse().unwrap()
    };
    let run = env.run(&["tx", "categorize", &a.to_string(), &b.to_string(), "entertainment"]).ok();
    assert!(run.stderr.contains("Filed 2 transactions under Entertainment"), "{}", run.stderr);
    let check = |when: &str| {
        for ext in &chosen[..2] {
            let shown = show(&env, id_of(ext));
            assert_eq!(shown["category"], "Entertainment", "{when}: {shown}");
            assert_eq!(shown["category_source"], "user", "{when}: {shown}");
            assert!(shown["category_reason"].as_str().unwrap().starts_with("your choice"), "{when}: {shown}");
        }
        assert_eq!(show(&env, id_of(&chosen[2]))["category"], "Subscriptions:Streaming", "{when}: only those two");
    };
    check("right away");
    env.pass_days(3);
    env.run(&["sync"]).ok();
    check("after a sync");
    env.run(&["sync", "--replay"]).ok();
    check("after a replay");
    env.run(&["categorize"]).ok();
    check("after categorize");

    // The list carries who decided, in JSON and CSV.
    let listed = env.run(&["tx", "list", "--search", "netflix", "--format", "json"]).ok().json();
    let sources: Vec<&str> =
        listed.as_array().unwrap().iter().map(|r| r["category_source"].as_str().unwrap()).collect();
    assert_eq!(sources.iter().filter(|s| **s == "user").count(), 2, "{sources:?}");
    assert!(sources.iter().all(|s| ["user", "provider"].contains(s)), "{sources:?}");
}

#[test]
fn an_unknown_category_names_near_ones_and_create_adds_it() {
    let env = TestEnv::new();
    env.linked_and_synced();
    let id = ids_matching(&env, "NETFLIX.COM")[0].to_string();
    let run = env.run(&["tx", "categorize", &id, "Subscriptions:Streeming"]).fails_with(2);
    assert!(run.stderr.contains("no category named \"Subscriptions:Streeming\""), "{}", run.stderr);
    assert!(run.stderr.contains("did you mean Subscriptions:Streaming"), "{}", run.stderr);
    assert!(run.stderr.contains("--create"), "{}", run.stderr);
    assert_eq!(show(&env, id.parse().unwrap())["category_source"], "provider", "nothing changed");

    let run = env.run(&["tx", "categorize", &id, "Subscriptions:Video", "--create"]).ok();
    assert!(run.stderr.contains("Added category Subscriptions:Video"), "{}", run.stderr);
    assert_eq!(show(&env, id.parse().unwrap())["category"], "Subscriptions:Video");
    let all = env.run(&["categories", "--format", "json"]).ok().json();
    let video = all.as_array().unwrap().iter().find(|c| c["category"] == "Subscriptions:Video").unwrap();
    assert_eq!(video["kind"], "expense");
    assert_eq!(video["rows"], 1);

    for (args, says) in [
        (vec!["tx", "categorize", "Food"], "no transaction ids given"),
        (vec!["tx", "categorize", "12x", "Food"], "no transaction with id \"12x\""),
        (vec!["tx", "categorize", "999999", "Food"], "no transaction with id \"999999\""),
        (vec!["tx", "categorize", &id, "Food", "--search", "x"], "not both"),
    ] {
        let run = env.run(&args).fails_with(2);
        assert!(run.stderr.contains(says), "{args:?}: {}", run.stderr);
    }
}

#[test]
fn a_search_files_many_rows_and_asks_above_twenty() {
    let env = TestEnv::new();
    env.linked_and_synced();
    let netflix = ids_matching(&env, "NETFLIX.COM");
    assert!(netflix.len() > 20, "enough rows to need a yes");
    let run = env.run(&["tx", "categorize", "--search", "netflix", "Entertainment"]).fails_with(2);
    assert!(run.stderr.contains(&format!("would file {} transactions", netflix.len())), "{}", run.stderr);
    assert!(run.stderr.contains("--yes"), "{}", run.stderr);
    assert_eq!(show(&env, netflix[0])["category_source"], "provider", "nothing changed without a yes");

    let run = env.run(&["tx", "categorize", "--search", "netflix", "Entertainment", "--yes"]).ok();
    assert!(
        run.stderr.contains(&format!("Filed {} transactions under Entertainment", netflix.len())),
        "{}",
        run.stderr
    );
    for id in &netflix {
        assert_eq!(show(&env, *id)["category_source"], "user");
    }
    // Again: nothing left to change, so no question either.
    let run = env.run(&["tx", "categorize", "--search", "netflix", "Entertainment"]).ok();
    assert!(run.stderr.contains(&format!("({} already were)", netflix.len())), "{}", run.stderr);
    let run = env.run(&["tx", "categorize", "--search", "no such shop", "Entertainment"]).ok();
    assert!(run.stderr.contains("nothing changed"), "{}", run.stderr);
}

#[test]
fn categorize_rederives_rows_without_a_users_choice_and_says_what_changed() {
    let env = TestEnv::new();
    env.linked_and_synced();
    let netflix = ids_matching(&env, "NETFLIX.COM");
    let mine = netflix[0];
    env.run(&["tx", "categorize", &mine.to_string(), "Shopping"]).ok();
    // Rows stored before a provider map knew their code, and one whose label means nothing to us.
    env.damage(
        "UPDATE \"transaction\" SET category_id = NULL, category_source = NULL, category_reason = NULL
         WHERE description = 'NETFLIX.COM' AND coalesce(category_source, '') != 'user';
         UPDATE \"transaction\" SET provider_category = 'SOMETHING_NEW' WHERE id = (SELECT max(id) FROM \"transaction\" WHERE description = 'GITHUB, INC.')",
    );
    let github: i64 = env.query("SELECT max(id) FROM \"transaction\" WHERE description = 'GITHUB, INC.'");
    let uncategorized = || -> i64 { env.query("SELECT count(*) FROM \"transaction\" WHERE category_id IS NULL") };
    let before = uncategorized();
    assert_eq!(before as usize, netflix.len() - 1);

    let dry = env.run(&["categorize", "--dry-run", "--format", "json"]).ok();
    assert!(dry.stderr.contains("dry run: nothing was saved"), "{}", dry.stderr);
    let counts = dry.json();
    let streaming = counts.as_array().unwrap().iter().find(|r| r["category"] == "Subscriptions:Streaming").unwrap();
    assert_eq!(streaming["rows"].as_u64().unwrap() as usize, netflix.len() - 1, "not the user's row: {counts}");
    assert_eq!(streaming["source"], "provider");
    let cleared = counts.as_array().unwrap().iter().find(|r| r["category"].is_null()).unwrap();
    assert_eq!(cleared["rows"], 1, "GITHUB's unknown code leaves it uncategorized: {counts}");
    assert_eq!(uncategorized(), before, "a dry run changes nothing");

    let listed = env.run(&["categorize", "--list", "--format", "json"]).ok().json();
    assert_eq!(listed.as_array().unwrap().len(), netflix.len());
    let row = listed.as_array().unwrap().iter().find(|r| r["id"] == github).unwrap();
    assert_eq!((row["from"].as_str(), row["to"].as_str()), (Some("Subscriptions:Software"), None));
    let shown = show(&env, github);
    assert!(shown["category"].is_null());
    assert!(shown["category_reason"].as_str().unwrap().contains("SOMETHING_NEW maps to none"), "{shown}");
    assert_eq!(show(&env, netflix[1])["category"], "Subscriptions:Streaming");
    let shown = show(&env, mine);
    assert_eq!((shown["category"].as_str(), shown["category_source"].as_str()), (Some("Shopping"), Some("user")));

    let again = env.run(&["categorize"]).ok();
    assert!(again.stderr.contains("0 of"), "a second run changes nothing: {}", again.stderr);
}

#[test]
fn sync_and_import_summaries_say_how_many_new_rows_were_categorized() {
    let env = TestEnv::new();
    env.link();
    let summary = env.run(&["sync", "--format", "json"]).ok().json();
    let accounts = summary["connections"][0]["accounts"].as_array().unwrap().clone();
    let (mut added, mut categorized) = (0, 0);
    for a in &accounts {
        let (n, c) = (a["added"].as_u64().unwrap(), a["categorized"].as_u64().unwrap());
        assert!(c <= n, "{a}");
        (added, categorized) = (added + n, categorized + c);
    }
    let stored: i64 =
        env.query("SELECT count(*) FROM \"transaction\" WHERE category_id IS NOT NULL AND status != 'removed'");
    assert!(categorized > 0 && categorized <= added, "{categorized} of {added}");
    assert_eq!(categorized as i64, stored, "every categorized row is counted, once");
    let table = env.run(&["sync", "--replay"]).ok().stdout;
    assert!(table.contains("categorized"), "{table}");

    // A statement file brings no category codes of a bank: its new rows land uncategorized.
    let file = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/import/us-checking.csv");
    let imported =
        env.run(&["import", file, "--profile", "us-checking", "--create-account", "--format", "json"]).ok().json();
    let row = &imported.as_array().unwrap()[0];
    assert!(row["new"].as_u64().unwrap() > 0, "{row}");
    assert_eq!(row["categorized"], 0, "{row}");
}
