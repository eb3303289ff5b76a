//! Helpers shared by the integration tests (`use crate::support;`): one
//! copy of each instead of one per test file.

pub mod servers;

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The crate's root folder (`CARGO_MANIFEST_DIR`).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Reads `path` as text; a failure names the file.
pub fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

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

/// Asserts that each of `tools` runs (`TOOL --version`); otherwise fails the
/// test with what is missing and the command that installs it. Tests that
/// need an external tool are also `#[ignore = "needs …"]`, so a plain
/// `cargo test` lists them as ignored (visibly, with what they need) and
/// `cargo test -- --include-ignored` (the README's and CI's command) runs
/// them: a missing tool is then a failure, never a silent pass.
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

/// Writes `body` (text or bytes) to `dir/rel`, creating folders.
pub fn write(dir: &Path, rel: &str, body: impl AsRef<[u8]>) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
    std::fs::write(p, body).expect("write");
}

/// Writes each `(rel, body)` of `files` below `dir`, creating folders.
pub fn write_files<B: AsRef<[u8]>>(dir: &Path, files: &[(&str, B)]) {
    for (rel, body) in files {
        write(dir, rel, body);
    }
}

/// A throw-away folder holding `files` (`(rel, body)`).
pub fn tempdir_with<B: AsRef<[u8]>>(files: &[(&str, B)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    write_files(dir.path(), files);
    dir
}

/// The `prr` binary with `args`, to run in `dir` as a CI step would: no
/// GitHub Actions environment, no colour, no inherited `GIT_DIR`. Tests
/// add what they need (`.env(…)`) before running it.
pub fn prr_command(dir: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_prr"));
    cmd.args(args)
        .current_dir(dir)
        .env_remove("GITHUB_ACTIONS")
        .env_remove("GITHUB_STEP_SUMMARY")
        .env_remove("GITHUB_HEAD_REF")
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .env("NO_COLOR", "1");
    cmd
}

/// Runs [`prr_command`] and returns its output.
pub fn prr_output(dir: &Path, args: &[&str]) -> Output {
    prr_command(dir, args).output().expect("run prr")
}

/// [`prr_output`] with `env` added to the environment.
pub fn prr_output_env<V: AsRef<OsStr>>(dir: &Path, args: &[&str], env: &[(&str, V)]) -> Output {
    let mut cmd = prr_command(dir, args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("run prr")
}

/// Runs the `prr` binary with `args` in `dir` (see [`prr_command`]) and
/// returns the exit code, stdout parsed as JSON (`Null` when it is not
/// JSON) and stdout followed by stderr.
pub fn prr(dir: &Path, args: &[&str]) -> (i32, serde_json::Value, String) {
    prr_env::<&str>(dir, args, &[])
}

/// [`prr`] with `env` added to the environment.
pub fn prr_env<V: AsRef<OsStr>>(
    dir: &Path,
    args: &[&str],
    env: &[(&str, V)],
) -> (i32, serde_json::Value, String) {
    let out = prr_output_env(dir, args, env);
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let v = serde_json::from_str(&stdout).unwrap_or(serde_json::Value::Null);
    let all = stdout + &String::from_utf8_lossy(&out.stderr);
    (out.status.code().unwrap_or(-1), v, all)
}

/// The stdout of a run parsed as JSON; fails the test, showing stdout and
/// stderr, when it is not JSON.
pub fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        )
    })
}

/// The findings of rule `rule` in a JSON report, as `(path, line, message)`.
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
