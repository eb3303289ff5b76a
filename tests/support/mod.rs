//! Helpers shared by the integration tests (`mod support;`).

pub mod servers;

use std::path::Path;
use std::process::Command;

/// Runs `git ARGS` in `dir`, isolated from the machine's identity and
/// signing settings and from a `GIT_DIR` set by a hook, asserts success and
/// returns the trimmed stdout.
#[allow(dead_code)]
pub fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args([
            "-c",
            "user.name=prr test",
            "-c",
            "user.email=prr@example.invalid",
            "-c",
            "commit.gpgsign=false",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .current_dir(dir)
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .output()
        .expect("run git");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// Asserts that each of `tools` runs (`TOOL --version`); otherwise fails the
/// test with what is missing and the command that installs it. Tests that
/// need an external tool are also `#[ignore = "needs …"]`, so a plain
/// `cargo test` lists them as ignored (visibly, with what they need) and
/// `cargo test -- --include-ignored` (the README's and CI's command) runs
/// them: a missing tool is then a failure, never a silent pass.
#[allow(dead_code)]
pub fn require_tools(tools: &[&str], install: &str) {
    let missing: Vec<&str> = tools
        .iter()
        .copied()
        .filter(|t| {
            !Command::new(t)
                .arg("--version")
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .status()
                .is_ok_and(|s| s.success())
        })
        .collect();
    assert!(
        missing.is_empty(),
        "this test needs {} (not found on PATH): install with `{install}`, or run plain `cargo test` to skip it (listed as ignored)",
        missing.join(", ")
    );
}
