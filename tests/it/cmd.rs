//! CLI cases as files (issue 18 item 5): each `tests/cmd/<case>.toml` runs
//! the `prr` binary with its arguments, and trycmd compares the exit code,
//! stdout and stderr with `<case>.stdout` and `<case>.stderr` beside it
//! (`...` and `[..]` elide what may change). A new case is a new file, no
//! Rust; tests/cmd/README.md says how to write one and how to update the
//! expected output (`TRYCMD=overwrite`).

use crate::support::root;

#[test]
fn cli_cases() {
    trycmd::TestCases::new()
        .register_bin("prr", std::path::Path::new(env!("CARGO_BIN_EXE_prr")))
        // As `support::prr_command`: a CI step outside GitHub Actions, no colour.
        .env("NO_COLOR", "1")
        .env("GITHUB_ACTIONS", "false")
        .env("GITHUB_STEP_SUMMARY", "")
        .env("GITHUB_HEAD_REF", "")
        .env("PRR_TIMINGS", "0")
        .case(root().join("tests/cmd/*.toml"));
}
