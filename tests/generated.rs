//! completions/ and man/ are generated from the CLI definition; this keeps them fresh.
//! `TALLY_BLESS=1 cargo test generated` rewrites them.

use std::path::Path;

#[test]
fn completions_and_man_pages_match_the_cli() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let bless = std::env::var_os("TALLY_BLESS").is_some();
    let mut stale = Vec::new();
    for (path, bytes) in tally::commands::generate::render().unwrap() {
        let full = root.join(&path);
        if bless {
            std::fs::create_dir_all(full.parent().unwrap()).unwrap();
            std::fs::write(&full, &bytes).unwrap();
        } else if std::fs::read(&full).ok().as_deref() != Some(bytes.as_slice()) {
            stale.push(path.display().to_string());
        }
    }
    assert!(stale.is_empty(), "stale generated files (run `TALLY_BLESS=1 cargo test generated`): {stale:?}");
}

#[test]
fn hidden_commands_stay_out_of_completions_and_man_pages() {
    let files = tally::commands::generate::render().unwrap();
    let bash = &files.iter().find(|(p, _)| p.ends_with("tally.bash")).unwrap().1;
    assert!(!String::from_utf8_lossy(bash).contains("generate"));
    assert!(
        files.iter().all(|(p, _)| !p.to_string_lossy().contains("generate") && !p.to_string_lossy().contains("help"))
    );
    assert!(files.iter().any(|(p, _)| p.ends_with("tally-tx-list.1")));
}
