//! Files tally writes are its user's alone: 0700 directories, 0600 database, WAL, SHM, secrets
//! and `--output` exports; an existing database others can read gets a warning and a doctor row.

use std::os::unix::fs::{MetadataExt as _, PermissionsExt as _};
use std::path::Path;

use crate::common::TestEnv;

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())).mode() & 0o777
}

#[test]
fn every_file_is_private_to_its_owner() {
    let env = TestEnv::new();
    env.linked_and_synced();
    let export = env.home().join("out.csv");
    env.run(&["export", "csv", "--output", export.to_str().unwrap()]).ok();
    // A reader keeps the WAL and SHM files open while we look at them.
    let store = env.store();
    store.db().execute_batch("PRAGMA wal_checkpoint(PASSIVE);").ok();
    assert_eq!(mode(&env.home()), 0o700, "the data directory");
    let db = env.db();
    for path in [db.clone(), db.with_extension("db-wal"), db.with_extension("db-shm")] {
        if path.exists() || !path.to_string_lossy().ends_with("-shm") {
            assert_eq!(mode(&path), 0o600, "{}", path.display());
        }
    }
    assert_eq!(mode(&env.home().join("secrets.toml")), 0o600);
    assert_eq!(mode(&export), 0o600);
    drop(store);
}

#[test]
fn a_database_others_can_read_is_a_warning_and_a_doctor_row() {
    let env = TestEnv::new();
    env.linked_and_synced();
    std::fs::set_permissions(env.db(), std::fs::Permissions::from_mode(0o644)).unwrap();
    let run = env.run(&["accounts"]).ok();
    assert!(run.stderr.contains("readable by other users (mode 644)"), "{}", run.stderr);
    assert!(run.stderr.contains("chmod 600"), "{}", run.stderr);
    let rows = env.run(&["doctor", "--format", "json"]).ok().json();
    let row = rows.as_array().unwrap().iter().find(|r| r["check"] == "permissions").expect("a permissions row");
    assert_eq!(row["status"], "warn");
    assert_eq!(row["hint"], format!("chmod 600 {}", env.db().display()));

    std::fs::set_permissions(env.db(), std::fs::Permissions::from_mode(0o600)).unwrap();
    let run = env.run(&["accounts"]).ok();
    assert!(!run.stderr.contains("readable by other users"), "{}", run.stderr);
}
