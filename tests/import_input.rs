//! `tally import` inputs that are not plain small files: stdin (`-`), a pipe, process
//! substitution, a FIFO, a directory, a CSV with rows longer than the detection head, and a
//! CSV with a header and no rows; and what `-q` leaves of the summary.

use std::io::Write as _;
use std::process::Stdio;
use std::sync::mpsc;
use std::time::Duration;

use crate::common::{Run, TestEnv};

const CSV: &str =
    "Date,Description,Amount\n2026-11-02,Coffee,-4.50\n2026-11-03,Salary,2500.00\n2026-11-04,Rent,-1200.00\n";

/// Wait for `child`, at most a minute (a hang is a failure, not a stuck test run).
fn finish(child: std::process::Child) -> Run {
    let pid = child.id();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || tx.send(child.wait_with_output()));
    let out = match rx.recv_timeout(Duration::from_secs(60)) {
        Ok(out) => out.unwrap(),
        Err(_) => {
            // SAFETY: kill(2) on the pid of a child this test spawned and has not reaped.
            #[allow(unsafe_code)]
            unsafe {
                libc::kill(pid as i32, libc::SIGKILL)
            };
            panic!("tally hung reading its input");
        }
    };
    Run {
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
        code: out.status.code().unwrap_or(-1),
    }
}

fn descriptions(env: &TestEnv) -> Vec<String> {
    let json = env.run(&["tx", "list", "--format", "json"]).ok().json();
    let mut d: Vec<String> =
        json.as_array().unwrap().iter().map(|t| t["description"].as_str().unwrap().to_string()).collect();
    d.sort();
    d
}

#[test]
fn a_csv_piped_into_stdin_imports() {
    let env = TestEnv::new();
    let args = ["import", "-", "--create-account", "--currency", "USD", "--format", "json"];
    let mut child =
        env.command(&args).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || stdin.write_all(CSV.as_bytes()));
    let run = finish(child).ok();
    writer.join().unwrap().unwrap();
    let summary = &run.json()[0];
    assert_eq!((summary["file"].as_str(), summary["new"].as_u64()), (Some("stdin"), Some(3)), "{run:#?}");
    assert_eq!(descriptions(&env), ["Coffee", "Rent", "Salary"]);
}

#[test]
fn process_substitution_and_a_fifo_import() {
    let env = TestEnv::new();
    env.run(&["accounts", "add", "Cash", "--currency", "USD"]).ok();
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("in.csv");
    std::fs::write(&csv, CSV).unwrap();
    let script = format!("exec \"$0\" import <(cat '{}') --account Cash --format json", csv.display());
    let child = env
        .command_for("bash")
        .args(["-c", &script, env!("CARGO_BIN_EXE_tally")])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let run = finish(child).ok();
    assert_eq!(run.json()[0]["new"], 3, "{run:#?}");

    let fifo = dir.path().join("statement.fifo");
    let c_path = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    // SAFETY: mkfifo(3) with a valid NUL-terminated path.
    #[allow(unsafe_code)]
    let made = unsafe { libc::mkfifo(c_path.as_ptr(), 0o600) };
    assert_eq!(made, 0, "mkfifo");
    let more = format!("{CSV}2026-11-05,Tea,-3.20\n");
    let writer = {
        let fifo = fifo.clone();
        // Opening a FIFO for writing waits for its reader: tally.
        std::thread::spawn(move || std::fs::OpenOptions::new().write(true).open(fifo)?.write_all(more.as_bytes()))
    };
    let args = ["import", fifo.to_str().unwrap(), "--account", "Cash", "--format", "json"];
    let child = env.command(&args).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let run = finish(child).ok();
    writer.join().unwrap().unwrap();
    assert_eq!(run.json()[0]["new"], 1, "Tea is new; the rest matched: {run:#?}");
    assert_eq!(descriptions(&env), ["Coffee", "Rent", "Salary", "Tea"]);
}

#[test]
fn rows_longer_than_the_detection_head_still_import() {
    let env = TestEnv::new();
    let dir = tempfile::tempdir().unwrap();
    let long = "x".repeat(100_000);
    let csv = format!("Date,Description,Amount\n2026-11-02,{long},-4.50\n2026-11-03,Salary,2500.00\n");
    let path = dir.path().join("long.csv");
    std::fs::write(&path, csv).unwrap();
    let run = env.run(&["import", path.to_str().unwrap(), "--create-account", "--currency", "USD", "--format", "json"]);
    assert_eq!(run.ok().json()[0]["new"], 2);
    let lengths: Vec<usize> = descriptions(&env).iter().map(String::len).collect();
    assert_eq!(lengths, [6, 100_000], "Salary, and the long description kept whole");
}

#[test]
fn a_header_without_rows_imports_nothing_and_says_so() {
    let env = TestEnv::new();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("november.csv");
    std::fs::write(&path, "Date,Description,Amount\n").unwrap();
    let run = env.run(&["import", path.to_str().unwrap(), "--format", "json"]).ok();
    assert!(run.stderr.contains("november.csv has no rows: nothing to import"), "{run:#?}");
    assert_eq!(run.json()[0]["status"], "no rows");
    let no_account = !env.db().exists() || env.query::<i64>("SELECT count(*) FROM account") == 0;
    assert!(no_account, "no account asked for or made");
    // The same with a profile and an account to import into.
    env.run(&["accounts", "add", "Cash", "--currency", "USD"]).ok();
    let run = env.run(&["import", path.to_str().unwrap(), "--account", "Cash", "--profile", "us-checking"]);
    assert!(run.stderr.contains("no column \"Posting Date\""), "a header that does not fit still says so: {run:#?}");
    let run = env.run(&["import", path.to_str().unwrap(), "--account", "Cash"]).ok();
    assert!(run.stderr.contains("has no rows"), "{run:#?}");
}

#[test]
fn a_directory_and_an_unknown_kind_of_file_say_what_to_do() {
    let env = TestEnv::new();
    let dir = tempfile::tempdir().unwrap();
    let shown = dir.path().display().to_string();
    let run = env.run(&["import", &shown]).fails_with(1);
    assert!(run.stderr.contains(&format!("{shown} is a directory")), "{}", run.stderr);
    assert!(
        run.stderr.contains(&format!("hint: import the files in it: `tally import {shown}/*.csv`")),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("os error"), "{}", run.stderr);

    let garbage = dir.path().join("garbage.bin");
    std::fs::write(&garbage, [0u8, 159, 146, 150, 0, 1]).unwrap();
    let run = env.run(&["import", garbage.to_str().unwrap()]).fails_with(1);
    assert!(run.stderr.contains("say which with --file-format"), "{}", run.stderr);
}

#[test]
fn quiet_prints_only_the_data_asked_for_and_errors() {
    let env = TestEnv::new();
    let csv = crate::import::fixture("us-checking.csv");
    let run = env.run(&["import", "-q", &csv, "--profile", "us-checking", "--create-account"]).ok();
    assert_eq!((run.stdout.as_str(), run.stderr.as_str()), ("", ""), "no summary table with -q");
    let run = env
        .run(&["import", "-q", &csv, "--profile", "us-checking", "--account", "us-checking", "--format", "json"])
        .ok();
    assert_eq!(run.json()[0]["unchanged"], 4, "as JSON the summary is the data asked for");
    assert!(run.stderr.is_empty(), "{}", run.stderr);
    let run = env.run(&["import", "-q", "/nonexistent/statement.csv"]).fails_with(1);
    assert!(run.stdout.is_empty() && run.stderr.contains("cannot open"), "{run:#?}");
}
