//! Helpers shared by the integration tests (`mod support;`).

use std::path::Path;
use std::process::Command;

/// Runs `git ARGS` in `dir`, isolated from the machine's identity and
/// signing settings and from a `GIT_DIR` set by a hook, asserts success and
/// returns the trimmed stdout.
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
