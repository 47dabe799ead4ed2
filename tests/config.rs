//! `tally config show`: every setting in effect, and where each came from (issue 8, item 13).

use crate::common::TestEnv;

#[test]
fn config_show_lists_every_setting_and_its_source() {
    let env = TestEnv::new();
    std::fs::create_dir_all(env.home()).unwrap();
    std::fs::write(env.home().join("config.toml"), "[sync]\nconsent_warn_days = 30\n").unwrap();
    let shown = env.command(&["config", "show", "--format", "json"]).env("TALLY_HTTP_TIMEOUT", "45").output().unwrap();
    let shown: serde_json::Value = serde_json::from_slice(&shown.stdout).unwrap();
    assert_eq!(shown["consent_warn_days"], 30);
    assert_eq!(shown["http_timeout_secs"], 45);
    let sources = &shown["sources"];
    assert_eq!(sources["consent_warn_days"], "file");
    assert_eq!(sources["http_timeout_secs"], "env");
    assert_eq!(sources["secrets_backend"], "env", "TALLY_SECRETS=file");
    assert_eq!(sources["sandbox_url"], "env", "TALLY_SANDBOX_URL");
    // Every setting shown says where it came from.
    for key in shown.as_object().unwrap().keys().filter(|k| *k != "sources") {
        assert!(sources.get(key).is_some(), "no source for {key}: {shown}");
    }

    // Without the file and the variable, the defaults, said to be defaults, in the table too.
    std::fs::remove_file(env.home().join("config.toml")).unwrap();
    let table = env.run(&["config", "show"]).ok().stdout;
    let line = |key: &str| table.lines().find(|l| l.contains(key)).unwrap_or_else(|| panic!("{key}:\n{table}"));
    assert!(line("consent_warn_days").contains("14") && line("consent_warn_days").contains("default"), "{table}");
    assert!(line("http_timeout_secs").contains("30") && line("http_timeout_secs").contains("default"), "{table}");
}
