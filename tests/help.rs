//! Snapshots (insta) of `--help`: the first thing a person reads, reviewed as a diff when it
//! changes (completions/ and man/ are checked by `generated.rs`; this is the terminal view).

use crate::common::TestEnv;

#[test]
fn help_texts() {
    let env = TestEnv::new();
    crate::common::snapshot_settings().bind(|| {
        for args in [&["--help"][..], &["sync", "--help"], &["tx", "list", "--help"], &["report", "spending", "--help"]]
        {
            let run = env.run(args).ok();
            let words: Vec<&str> = args.iter().copied().filter(|a| !a.starts_with('-')).collect();
            let name = format!("help_tally{}", words.iter().map(|w| format!("_{w}")).collect::<String>());
            insta::assert_snapshot!(name, env.shown(&run), &args.join(" "));
        }
    });
}
