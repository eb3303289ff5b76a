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

/// Fails the test unless `kubectl` (1.21 or later: it bundles kustomize v4+)
/// runs; tests that call it are `#[ignore = "needs kubectl kustomize"]`.
#[allow(dead_code)]
pub fn require_kubectl() {
    let ok = Command::new("kubectl")
        .args(["version", "--client"])
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        ok,
        "this test needs kubectl 1.21 or later (kustomize v4+) on PATH; run plain `cargo test` to skip it"
    );
}

/// Writes `body` to `dir/rel`, creating folders.
#[allow(dead_code)]
pub fn write(dir: &Path, rel: &str, body: &str) {
    write_bytes(dir, rel, body.as_bytes());
}

/// Writes `body` to `dir/rel`, creating folders.
#[allow(dead_code)]
pub fn write_bytes(dir: &Path, rel: &str, body: &[u8]) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
    std::fs::write(p, body).expect("write");
}

/// Runs the `prr` binary with `args` in `dir` (as a CI step would: no
/// GitHub environment, no colour, no inherited `GIT_DIR`) and returns the
/// exit code, stdout parsed as JSON (`Null` when it is not JSON) and
/// stdout followed by stderr.
#[allow(dead_code)]
pub fn prr(dir: &Path, args: &[&str]) -> (i32, serde_json::Value, String) {
    prr_env(dir, args, &[])
}

/// [`prr`] with `env` added to the environment.
#[allow(dead_code)]
pub fn prr_env(
    dir: &Path,
    args: &[&str],
    env: &[(&str, &Path)],
) -> (i32, serde_json::Value, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_prr"));
    cmd.args(args)
        .current_dir(dir)
        .env_remove("GITHUB_ACTIONS")
        .env_remove("GITHUB_STEP_SUMMARY")
        .env_remove("GITHUB_HEAD_REF")
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .env("NO_COLOR", "1");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("run prr");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let v = serde_json::from_str(&stdout).unwrap_or(serde_json::Value::Null);
    let all = stdout + &String::from_utf8_lossy(&out.stderr);
    (out.status.code().unwrap_or(-1), v, all)
}

/// The findings of rule `rule` in a JSON report, as `(path, line, message)`.
#[allow(dead_code)]
pub fn findings_of(report: &serde_json::Value, rule: &str) -> Vec<(String, u64, String)> {
    report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["rule"] == rule)
        .map(|f| {
            (
                f["path"].as_str().unwrap_or_default().to_string(),
                f["line"].as_u64().unwrap_or(0),
                f["message"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}
