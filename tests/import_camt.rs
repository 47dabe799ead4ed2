//! `tally import` of CAMT.054 notifications and of the zips of CAMT files banks ship (issue
//! 14 item 6): each zip member read as a file, the zip all or nothing, bombs refused.

use std::io::Write as _;

use crate::common::TestEnv;
use crate::import::fixture;
use crate::import_shapes::dated_amounts;

fn pairs(want: &[(&str, &str)]) -> Vec<(String, String)> {
    want.iter().map(|(d, a)| (d.to_string(), a.to_string())).collect()
}

#[test]
fn a_camt_054_notification_imports_its_entries() {
    let env = TestEnv::new();
    let run = env.run(&["import", &fixture("notification.camt054.xml"), "--create-account", "--format", "json"]).ok();
    assert_eq!(run.json()[0]["new"], 2, "{}", run.stdout);
    let account = run.json()[0]["account"].as_str().unwrap().to_string();
    assert_eq!(dated_amounts(&env, &account), pairs(&[("2026-11-02", "1250.00"), ("2026-11-03", "-64.90")]));
    let listed = env.run(&["tx", "list", "--account", &account, "--format", "json"]).ok().json();
    assert!(listed.to_string().contains("Arbeitgeber AG"), "{listed}");
    let again = env.run(&["import", &fixture("notification.camt054.xml"), "--format", "json"]).ok();
    assert_eq!((again.json()[0]["new"].as_u64(), again.json()[0]["unchanged"].as_u64()), (Some(0), Some(2)));
}

#[test]
fn a_zip_of_camt_files_imports_each_member_as_a_file() {
    let env = TestEnv::new();
    let zip = fixture("camt-month.zip");
    let inspect = env.run(&["import", "--inspect", &zip]).ok();
    assert!(inspect.stderr.contains("a zip of camt files (2 statements)"), "{}", inspect.stderr);
    let run = env.run(&["import", &zip, "--create-account", "--format", "json"]).ok();
    let rows = run.json();
    let news: Vec<u64> = rows.as_array().unwrap().iter().map(|r| r["new"].as_u64().unwrap()).collect();
    assert_eq!(news, [4, 2], "the statement's four rows, the notification's two; the macOS fork is skipped");
    let again = env.run(&["import", &zip, "--format", "json"]).ok();
    assert!(again.json().as_array().unwrap().iter().all(|r| r["new"] == 0), "{}", again.stdout);
}

/// A zip of `(name, body)` members, deflated.
fn zip_of(path: &std::path::Path, members: &[(&str, &[u8])]) {
    let mut out = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    for (name, body) in members {
        out.start_file(*name, zip::write::SimpleFileOptions::default()).unwrap();
        out.write_all(body).unwrap();
    }
    out.finish().unwrap();
}

#[test]
fn a_zip_with_a_broken_member_imports_nothing_and_names_the_member() {
    let env = TestEnv::new();
    env.run(&["accounts", "add", "Cash", "--currency", "EUR"]).ok();
    let dir = tempfile::tempdir().unwrap();
    let good = std::fs::read(fixture("notification.camt054.xml")).unwrap();
    let cut = &good[..good.len() / 2];
    let path = dir.path().join("bank.zip");
    zip_of(&path, &[("a.xml", &good), ("b.xml", cut)]);
    let run = env.run(&["import", path.to_str().unwrap(), "--create-account"]).fails_with(1);
    assert!(run.stderr.contains("bank.zip/b.xml"), "{}", run.stderr);
    let accounts = env.run(&["accounts", "--format", "json"]).ok().json();
    assert_eq!(accounts.as_array().unwrap().len(), 1, "the good member's account is not kept either: {accounts}");

    // A member that unpacks past the bound is refused before it is parsed.
    let bomb = dir.path().join("bomb.zip");
    let mut out = zip::ZipWriter::new(std::fs::File::create(&bomb).unwrap());
    out.start_file("huge.xml", zip::write::SimpleFileOptions::default()).unwrap();
    let mib = vec![b' '; 1 << 20];
    for _ in 0..65 {
        out.write_all(&mib).unwrap();
    }
    out.finish().unwrap();
    assert!(std::fs::metadata(&bomb).unwrap().len() < 1 << 20);
    let run = env.run(&["import", bomb.to_str().unwrap(), "--create-account"]).fails_with(1);
    assert!(run.stderr.contains("huge.xml: it unpacks to more than 64 MiB"), "{}", run.stderr);
    assert!(run.stderr.contains("hint: unpack it"), "{}", run.stderr);
}
