//! `TestEnv`: runs the real `tally` binary with a clean environment (temporary home, pinned
//! clock, file secrets) against an in-process sandbox bank on 127.0.0.1:0. Also the one way
//! tests reach a database (through tally's store: `open_store`, `query`, `rows`), the fixture
//! databases of older versions (`fixture_db`) and insta's settings (`snapshot_settings`).
//! With `TALLY_TEST_ENCRYPT=1` every `TestEnv` starts with `tally init --encrypt`, so the whole
//! suite runs on an encrypted database (`.ci/run` does both).

use std::io::{BufRead as _, BufReader, Read as _};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use rusqlite::types::{FromSql, ValueRef};
use tally::sandbox::{self, Options, Sandbox, robot};
use tally::store::{OpenMode, OpenOptions, Store, cipher};

pub const NOW: &str = "2026-11-23T12:00:00Z";

pub struct TestEnv {
    dir: tempfile::TempDir,
    pub sandbox: Sandbox,
    /// tally's clock (`TALLY_NOW`), which `pass_days` moves with the bank's.
    now: std::cell::Cell<chrono::DateTime<chrono::Utc>>,
    /// Environment set for every later command (`set_env`), after the defaults.
    extra_env: std::cell::RefCell<Vec<(String, String)>>,
}

/// What a command printed and how it ended.
#[derive(Debug)]
pub struct Run {
    pub stdout: String,
    pub stderr: String,
    pub code: i32,
}

impl Run {
    /// Assert success and return self, showing everything the command said when it failed.
    #[track_caller]
    pub fn ok(self) -> Run {
        assert_eq!(self.code, 0, "expected success:\n{self:#?}");
        self
    }

    #[track_caller]
    pub fn fails_with(self, code: i32) -> Run {
        assert_eq!(self.code, code, "expected exit {code}:\n{self:#?}");
        assert!(self.stderr.contains("error:"), "no `error:` line:\n{self:#?}");
        self
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", self.stdout))
    }
}

impl TestEnv {
    pub fn new() -> TestEnv {
        TestEnv::with_scale(1)
    }

    /// No database yet, even on an encrypted run: for what tally does before there is one.
    pub fn without_database() -> TestEnv {
        TestEnv::make(1, false)
    }

    /// A bigger bank: `scale` sets of four accounts, each with two years of history.
    pub fn with_scale(scale: u32) -> TestEnv {
        TestEnv::make(scale, encrypted())
    }

    fn make(scale: u32, init_encrypted: bool) -> TestEnv {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let now = tally::config::parse_now(NOW).unwrap();
        let sandbox = sandbox::serve(listener, Options { seed: 42, scale, now: Some(now) }).unwrap();
        let env = TestEnv {
            dir: tempfile::tempdir().unwrap(),
            sandbox,
            now: std::cell::Cell::new(now),
            extra_env: Default::default(),
        };
        if init_encrypted {
            env.run(&["init", "--encrypt"]).ok();
        }
        env
    }

    /// Days pass for everyone: the bank's clock and tally's.
    pub fn pass_days(&self, days: i64) {
        self.sandbox.advance_days(days);
        self.now.set(self.now.get() + chrono::Duration::days(days));
    }

    pub fn home(&self) -> PathBuf {
        self.dir.path().join("home")
    }

    pub fn db(&self) -> PathBuf {
        self.home().join("tally.db")
    }

    /// `tally ARGS` with a clean environment.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = self.command_for(env!("CARGO_BIN_EXE_tally"));
        cmd.args(args);
        cmd
    }

    /// Any program, with the same clean environment `tally` gets.
    pub fn command_for(&self, program: &str) -> Command {
        let mut cmd = Command::new(program);
        cmd.env_clear()
            .env("HOME", self.dir.path())
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("TALLY_HOME", self.home())
            .env("TALLY_NOW", self.now.get().to_rfc3339())
            .env("TALLY_SANDBOX_URL", self.sandbox.url())
            .env("TALLY_SECRETS", "file")
            .env("NO_COLOR", "1")
            .env("COLUMNS", "200")
            .envs(self.extra_env.borrow().iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null());
        cmd
    }

    /// Every later command runs with `name=value` (a secret store other than the plaintext file).
    pub fn set_env(&self, name: &str, value: &str) {
        self.extra_env.borrow_mut().push((name.to_string(), value.to_string()));
    }

    pub fn run(&self, args: &[&str]) -> Run {
        let out = self.command(args).output().unwrap();
        Run {
            stdout: String::from_utf8(out.stdout).unwrap(),
            stderr: String::from_utf8(out.stderr).unwrap(),
            code: out.status.code().unwrap_or(-1),
        }
    }

    /// `tally link sandbox --all --no-browser ARGS`, with `browser` playing the user once
    /// the consent URL is printed.
    pub fn link_with(&self, args: &[&str], browser: impl FnOnce(&str)) -> Run {
        let mut all = vec!["link", "sandbox", "--all", "--no-browser", "--timeout", "20"];
        all.extend_from_slice(args);
        self.run_consenting(&all, browser)
    }

    /// Run `tally ARGS`; once it prints a consent URL, `browser` plays the user.
    pub fn run_consenting(&self, args: &[&str], browser: impl FnOnce(&str)) -> Run {
        let mut child = self.command(args).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
        let mut stderr = BufReader::new(child.stderr.take().unwrap());
        let mut seen = String::new();
        let mut url = None;
        while url.is_none() {
            let mut line = String::new();
            if stderr.read_line(&mut line).unwrap() == 0 {
                break; // the command ended before printing a URL
            }
            seen.push_str(&line);
            url = line.split_whitespace().find(|w| w.contains("/authorize?")).map(str::to_string);
        }
        if let Some(url) = url {
            browser(&url);
        }
        stderr.read_to_string(&mut seen).unwrap();
        let mut stdout = String::new();
        child.stdout.take().unwrap().read_to_string(&mut stdout).unwrap();
        let status = child.wait().unwrap();
        Run { stdout, stderr: seen, code: status.code().unwrap_or(-1) }
    }

    /// Link the sandbox as a user who approves everything.
    pub fn link(&self) -> Run {
        self.link_with(&[], approve).ok()
    }

    /// Link, then sync once.
    pub fn linked_and_synced(&self) -> Run {
        self.link();
        self.run(&["sync"]).ok()
    }

    /// What a command showed, for a snapshot: stdout, then stderr and the exit code when they
    /// say anything, with what differs between runs (the sandbox's port, the temporary home)
    /// replaced by placeholders.
    pub fn shown(&self, run: &Run) -> String {
        let mut text = run.stdout.clone();
        if !run.stderr.is_empty() {
            text.push_str(&format!("----- stderr -----\n{}", run.stderr));
        }
        if run.code != 0 {
            text.push_str(&format!("----- exit {} -----\n", run.code));
        }
        text.replace(self.sandbox.url(), "[SANDBOX]").replace(self.dir.path().to_str().unwrap(), "[TEMP]")
    }

    /// The database, opened through tally's store.
    pub fn store(&self) -> Store {
        open_store(&self.db())
    }

    /// The first column of the first row of `sql` (read-only checks).
    pub fn query<T: FromSql>(&self, sql: &str) -> T {
        query(&self.db(), sql)
    }

    /// Every row of `sql`, see [`rows`].
    pub fn rows(&self, sql: &str, params: impl rusqlite::Params) -> Vec<String> {
        rows(&self.db(), sql, params)
    }

    /// Change rows behind tally's logic (not its store), as a buggy older tally might have:
    /// for tests that damage data on purpose and check tally repairs it.
    pub fn damage(&self, sql: &str) {
        self.store().db().execute_batch(sql).unwrap_or_else(|e| panic!("cannot run {sql}: {e}"));
    }
}

/// What a table held: its columns and its rows (`rowid` first, then those columns, as [`rows`]
/// prints them).
#[derive(Debug)]
pub struct TableRows {
    pub table: String,
    pub columns: Vec<String>,
    pub rows: Vec<String>,
}

/// Write `path` from `tests/fixtures/db/schema_vN.sql`, a dump of the database tally left at
/// schema version N, and return what every table held. The one bare connection of the tests:
/// this database is made as an older tally made it, before the store under test ever sees it.
pub fn fixture_db(version: i64, path: &Path) -> Vec<TableRows> {
    let dump = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("tests/fixtures/db/schema_v{version}.sql"));
    let sql = std::fs::read_to_string(&dump).unwrap_or_else(|e| panic!("{}: {e}", dump.display()));
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.execute_batch(&sql).unwrap_or_else(|e| panic!("{}: {e}", dump.display()));
    let found: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0)).unwrap();
    assert_eq!(found, version, "{} must set PRAGMA user_version", dump.display());
    let tables = rows_of(
        &conn,
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
           AND sql NOT LIKE 'CREATE VIRTUAL TABLE%' ORDER BY name",
        [],
    );
    tables
        .into_iter()
        .map(|table| {
            let mut columns = rows_of(&conn, &format!("SELECT name FROM pragma_table_info('{table}')"), []);
            // A WITHOUT ROWID table (a rollup, an FTS index) is known by its columns alone.
            if conn.prepare(&format!("SELECT rowid FROM \"{table}\"")).is_ok() {
                columns.insert(0, "rowid".into());
            }
            let rows = rows_of(&conn, &select_rows(&table, &columns), []);
            TableRows { table, columns, rows }
        })
        .collect()
}

/// `SELECT COLUMNS FROM "TABLE" ORDER BY COLUMNS` (`rowid` first where the table has one).
pub fn select_rows(table: &str, columns: &[String]) -> String {
    let columns: Vec<String> =
        columns.iter().map(|c| if c == "rowid" { c.clone() } else { format!("\"{c}\"") }).collect();
    let order: Vec<String> = (1..=columns.len()).map(|i| i.to_string()).collect();
    format!("SELECT {} FROM \"{table}\" ORDER BY {}", columns.join(", "), order.join(", "))
}

/// insta's settings for every snapshot: files under tests/snapshots/, and no snapshot taken
/// on trust. insta already refuses to write under `CI`; here a missing or changed snapshot
/// fails the test everywhere (insta leaves a `.snap.new` beside it for `cargo insta review`).
pub fn snapshot_settings() -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/snapshots"));
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings
}

/// Whether this run of the suite puts every `TestEnv` on an encrypted database
/// (`TALLY_TEST_ENCRYPT=1`). Tests of what only a plain database shows check it.
pub fn encrypted() -> bool {
    std::env::var("TALLY_TEST_ENCRYPT").is_ok_and(|v| v == "1")
}

/// The key tally keeps for an encrypted database: in the file secret store beside it, as
/// `TestEnv` lays them out (`home/tally.db`, `home/secrets.toml`).
pub fn database_key(db: &Path) -> Option<tally::secrets::SecretString> {
    let secrets = db.parent()?.join("secrets.toml");
    let all: std::collections::BTreeMap<String, String> =
        toml::from_str(&std::fs::read_to_string(secrets).ok()?).ok()?;
    all.get(cipher::KEY_ENTRY).map(tally::secrets::SecretString::new)
}

/// The database at `path`, opened (and migrated) the way tally opens it. Every test reaches
/// the database through here, never with a bare `rusqlite::Connection`: what tests see is
/// what tally sees, and when `Store::open` takes a key this is the one call to change.
pub fn try_open_store(path: &Path) -> anyhow::Result<Store> {
    let key = match cipher::file_kind(path) {
        cipher::FileKind::Encrypted => database_key(path),
        _ => None,
    };
    Store::open_with(path, OpenOptions { mode: OpenMode::Existing, key: key.as_ref() })
}

pub fn open_store(path: &Path) -> Store {
    try_open_store(path).unwrap_or_else(|e| panic!("cannot open {}: {e:#}", path.display()))
}

pub fn try_query<T: FromSql>(db: &Path, sql: &str) -> anyhow::Result<T> {
    Ok(try_open_store(db)?.db().query_row(sql, [], |r| r.get(0))?)
}

pub fn query<T: FromSql>(db: &Path, sql: &str) -> T {
    try_query(db, sql).unwrap_or_else(|e| panic!("{sql}: {e:#}"))
}

/// Every row of `sql`, its columns joined with `|` (NULL as `NULL`): whole tables compare
/// as lists of lines, and a difference shows as a line.
pub fn rows(db: &Path, sql: &str, params: impl rusqlite::Params) -> Vec<String> {
    rows_of(open_store(db).db(), sql, params)
}

fn rows_of(conn: &rusqlite::Connection, sql: &str, params: impl rusqlite::Params) -> Vec<String> {
    let mut stmt = conn.prepare(sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
    let columns = stmt.column_count();
    let rows = stmt.query_map(params, |r| {
        let cells = (0..columns).map(|i| r.get_ref(i).map(cell)).collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(cells.join("|"))
    });
    rows.unwrap().map(Result::unwrap).collect()
}

fn cell(value: ValueRef<'_>) -> String {
    match value {
        ValueRef::Null => "NULL".into(),
        ValueRef::Integer(i) => i.to_string(),
        ValueRef::Real(f) => f.to_string(),
        ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned(),
        ValueRef::Blob(b) => format!("{b:?}"),
    }
}

/// Mark the database as written by another tally version. Writing `user_version` behind the
/// store's back is the point of the tests that use it (a newer database must be refused), so
/// it stays here, the one raw write besides `TestEnv::damage`.
pub fn set_schema_version(db: &Path, version: i64) {
    open_store(db).db().pragma_update(None, "user_version", version).unwrap();
}

/// Play a user who approves every account on the consent page.
pub fn approve(url: &str) {
    let http = tally::context::http_client().unwrap();
    let back = robot::consent(&http, url, robot::Decision::Approve).unwrap();
    robot::follow(&http, &back).unwrap();
}
