//! Snapshots (insta) of the tables people read after a sync with a pinned clock: accounts,
//! transactions, the spending report, connections and the sync history. A change to any of
//! them shows up as a diff in review. Snapshots live in tests/snapshots/; a change is
//! accepted with `cargo insta review` (or `INSTA_UPDATE=always cargo test tables`), never
//! silently: see `crate::common::snapshot_settings`.

use crate::common::TestEnv;

#[test]
fn the_main_tables_after_a_sync() {
    let env = TestEnv::new();
    let sync = env.linked_and_synced();
    crate::common::snapshot_settings().bind(|| {
        insta::assert_snapshot!("table_sync", env.shown(&sync));
        for (name, args) in [
            ("table_accounts", &["accounts"][..]),
            ("table_tx_list", &["tx", "list", "--limit", "10"]),
            ("table_report_spending", &["report", "spending", "--from", "2026-10-01"]),
            ("table_connections", &["connections"]),
        ] {
            let run = env.run(args).ok();
            insta::assert_snapshot!(name, env.shown(&run), &args.join(" "));
        }
        // How long a sync took differs per run: only that column is masked.
        let history = env.run(&["sync", "--history", "--limit", "5"]).ok();
        let shown = mask_column(&env.shown(&history), "duration ms", "[ms]");
        insta::assert_snapshot!("table_sync_history", shown, "sync --history --limit 5");
    });
}

/// `table` with the cells of the column headed `header` replaced by `placeholder`, right
/// aligned in the same width (the header is wider than any value, so the layout holds).
fn mask_column(table: &str, header: &str, placeholder: &str) -> String {
    let cells = |line: &str| line.split(['│', '┆']).map(str::to_string).collect::<Vec<_>>();
    let column = table
        .lines()
        .find_map(|l| cells(l).iter().position(|c| c.trim() == header))
        .unwrap_or_else(|| panic!("no column {header:?} in:\n{table}"));
    let mut masked = String::new();
    for line in table.lines() {
        let mut parts = cells(line);
        let is_row = parts.len() > column + 1 && !parts[column].trim().is_empty() && parts[column].trim() != header;
        if is_row {
            let width = parts[column].chars().count() - 2;
            parts[column] = format!(" {placeholder:>width$} ");
            // Put the separators back: the outer ones are '│', the inner ones '┆'.
            let last = parts.len() - 1;
            let mut rebuilt = String::new();
            for (i, part) in parts.iter().enumerate() {
                rebuilt.push_str(part);
                if i < last {
                    rebuilt.push(if i == 0 || i + 1 == last { '│' } else { '┆' });
                }
            }
            masked.push_str(&rebuilt);
        } else {
            masked.push_str(line);
        }
        masked.push('\n');
    }
    masked
}
