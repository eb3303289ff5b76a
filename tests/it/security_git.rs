//! Git as an attack surface (issue 17, items 1, 2 and 7), replayed through
//! the real `prr` binary in throw-away repositories:
//!
//! 1. a pull request commits a folder shaped like a bare repository whose
//!    `config` sets `core.fsmonitor`: no prr command may run it;
//! 2. `.ignore`, `.gitignore` and `.git/info/exclude` never hide a committed
//!    file from the gate;
//! 3. `secrets --changed-since`/`--staged` find secrets whatever the file's
//!    attributes (`-diff`), its name (C-quoted by git) or the user's diff
//!    configuration (`diff.noprefix`, `diff.mnemonicPrefix`, colour, …).
//!
//! Secrets here are fake, visibly so (gitleaks' test strings, as in
//! tests/it/secrets.rs).

use crate::support;

use crate::support::{prr, prr_env, write};

use serde_json::Value;
use std::path::Path;
use std::process::Command;

const AWS: &str = "AKIALALEMEL33243OLIA";
const GH: &str = "ghp_ph96tgc94ne8e3qkvxj3e2ejicia8tp3ue74";

/// Sorted, unique paths of the secret findings (`secrets/*`) of a JSON report.
fn secrets(v: &Value) -> Vec<String> {
    let mut out: Vec<String> = v["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| {
            f["rule"]
                .as_str()
                .is_some_and(|r| r.starts_with("secrets/"))
        })
        .map(|f| f["path"].as_str().unwrap_or_default().to_string())
        .collect();
    out.sort();
    out.dedup();
    out
}

/// A repository in `<tmp>/repo` with `main` holding one harmless file, on a
/// new branch `pr`.
fn repo(tmp: &Path) -> std::path::PathBuf {
    let d = tmp.join("repo");
    std::fs::create_dir_all(&d).expect("mkdir");
    support::git(&d, &["init", "-q"]);
    support::git(&d, &["config", "user.name", "prr test"]);
    support::git(&d, &["config", "user.email", "prr@example.invalid"]);
    write(&d, "svc/app.yaml", "replicas: 2\n");
    support::git(&d, &["add", "-A"]);
    support::git(&d, &["commit", "-q", "-m", "base"]);
    support::git(&d, &["checkout", "-q", "-b", "pr"]);
    d
}

// ---- 1. command execution through an embedded repository ----------------

#[test]
fn an_embedded_repository_never_runs_its_fsmonitor() {
    let tmp = tempfile::tempdir().expect("tmp");
    let d = repo(tmp.path());
    let marker = tmp.path().join("fsmonitor-ran");
    // A donor repository with a `main` commit gives the fake repository
    // real objects and refs, so `main` resolves inside it.
    let donor = tmp.path().join("donor");
    std::fs::create_dir_all(&donor).expect("mkdir");
    support::git(&donor, &["init", "-q"]);
    support::git(
        &donor,
        &["commit", "-q", "--allow-empty", "-m", "donor commit"],
    );
    let copy = Command::new("cp")
        .arg("-R")
        .args(["HEAD", "objects", "refs"].map(|p| donor.join(".git").join(p)))
        .arg(d.join("svc"))
        .status()
        .expect("cp");
    assert!(copy.success());
    write(
        &d,
        "svc/config",
        format!(
            "[core]\n\trepositoryformatversion = 0\n\tbare = false\n\tworktree = .\n\tfsmonitor = \"touch '{}'; false\"\n",
            marker.display()
        ),
    );
    write(&d, "svc/slo.yaml", "x: 1\n");
    support::git(&d, &["add", "-A"]);
    support::git(&d, &["commit", "-q", "-m", "add an embedded repository"]);
    write(&d, "svc/staged.yaml", "y: 1\n");
    support::git(&d, &["add", "svc/staged.yaml"]);

    // The fixture is potent: plain git discovery in that folder runs it.
    let _ = Command::new("git")
        .args(["-c", "safe.bareRepository=all", "status", "--porcelain"])
        .current_dir(d.join("svc"))
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .output();
    assert!(
        marker.exists(),
        "the fsmonitor fixture should fire under plain git"
    );
    std::fs::remove_file(&marker).expect("rm marker");

    for args in [
        &["check", "svc", "--changed-since", "main"][..],
        &["secrets", "svc", "--staged"],
        &["budget", "svc", "--changed-since", "main"],
        &[
            "check",
            "svc",
            "--changed-since",
            "main",
            "--policy-from",
            "main",
        ],
        &["secrets", "svc", "--changed-since", "main"],
        &["check", "svc"],
    ] {
        let (code, _, out) = prr(&d, args);
        assert!(
            !marker.exists(),
            "prr {args:?} ran the fsmonitor command:\n{out}"
        );
        assert_ne!(code, 101, "prr {args:?} panicked:\n{out}");
    }
    // The scoped check itself works on the real repository.
    let (code, v, out) = prr(
        &d,
        &["check", "svc", "--changed-since", "main", "-f", "json"],
    );
    assert!(matches!(code, 0 | 1), "{out}");
    assert!(v.is_object(), "{out}");

    // Started inside the embedded repository: refused, nothing run.
    let (code, _, out) = prr(&d.join("svc"), &["secrets", ".", "--staged"]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("safe.bareRepository"), "{out}");
    assert!(!marker.exists(), "started inside it:\n{out}");
}

#[test]
fn a_folder_outside_the_checkout_prr_started_in_is_refused() {
    let tmp = tempfile::tempdir().expect("tmp");
    let d = repo(tmp.path());
    let other = tempfile::tempdir().expect("tmp");
    support::git(other.path(), &["init", "-q"]);
    let path = other.path().to_string_lossy().into_owned();
    for args in [
        &["check", &path, "--changed-since", "main"][..],
        &["secrets", &path, "--staged"],
    ] {
        let (code, _, out) = prr(&d, args);
        assert_eq!(code, 2, "prr {args:?}:\n{out}");
        assert!(
            out.contains("is outside the git checkout prr was started in"),
            "prr {args:?}:\n{out}"
        );
    }
}

// ---- 2. ignore files hiding committed files ----------------------------

#[test]
fn ignore_files_never_hide_committed_files() {
    let tmp = tempfile::tempdir().expect("tmp");
    let d = repo(tmp.path());
    write(&d, ".gitignore", "forced.env\nuntracked.env\n");
    support::git(&d, &["add", ".gitignore"]);
    support::git(&d, &["commit", "-q", "-m", "ignore rules on main"]);
    support::git(&d, &["branch", "-f", "main"]);
    // The change: a leak named by `.ignore`, one force-added past
    // `.gitignore`, one excluded by `.git/info/exclude` after it was added.
    write(&d, "leak.yaml", format!("token: {GH}\n"));
    write(&d, ".ignore", "leak.yaml\n");
    write(&d, "forced.env", format!("AWS_KEY={AWS}\n"));
    write(&d, "excluded.yaml", format!("token: {GH}\n"));
    support::git(&d, &["add", "leak.yaml", ".ignore", "excluded.yaml"]);
    support::git(&d, &["add", "-f", "forced.env"]);
    support::git(&d, &["commit", "-q", "-m", "hide a leak"]);
    write(&d, ".git/info/exclude", "excluded.yaml\n");
    // An untracked, ignored file: not required to be found.
    write(&d, "untracked.env", format!("AWS_KEY={AWS}\n"));

    let want = |v: &Value, out: &str| {
        let paths: Vec<String> = secrets(v)
            .into_iter()
            .filter(|p| p != "untracked.env")
            .collect();
        assert_eq!(
            paths,
            vec!["excluded.yaml", "forced.env", "leak.yaml"],
            "{out}"
        );
    };
    for args in [
        &[
            "check",
            ".",
            "--changed-since",
            "main",
            "--policy-from",
            "main",
            "-f",
            "json",
        ][..],
        &["check", ".", "-f", "json"],
        &["secrets", ".", "-f", "json"],
        &["secrets", ".", "--changed-since", "main", "-f", "json"],
    ] {
        let (code, v, out) = prr(&d, args);
        assert_eq!(code, 1, "prr {args:?}:\n{out}");
        want(&v, &out);
    }
    // A folder the checkout ignores as a whole (rendered output): checked
    // when named, its own ignore files honoured as outside git.
    write(&d, ".git/info/exclude", "excluded.yaml\nrendered/\n");
    write(&d, "rendered/out.yaml", format!("token: {GH}\n"));
    write(&d, "rendered/.ignore", "skipped.yaml\n");
    write(&d, "rendered/skipped.yaml", format!("token: {GH}\n"));
    let (code, v, out) = prr(&d, &["check", "rendered", "-f", "json"]);
    assert_eq!(code, 1, "{out}");
    assert_eq!(secrets(&v), vec!["out.yaml"], "{out}");
    // From a subfolder the same holds for its files.
    write(&d, "svc/.ignore", "key.yaml\n");
    write(&d, "svc/key.yaml", format!("token: {GH}\n"));
    support::git(&d, &["add", "svc"]);
    support::git(&d, &["commit", "-q", "-m", "more"]);
    let (code, v, out) = prr(&d, &["check", "svc", "-f", "json"]);
    assert_eq!(code, 1, "{out}");
    assert_eq!(secrets(&v), vec!["key.yaml"], "{out}");
}

/// The GitHub Action's run step (action/run.sh, as tests/it/action.rs runs
/// it) on a pull_request event whose base is `base`, in `repo`; (exit
/// code, the JSON report it wrote, its stderr).
fn action_step(repo: &Path, base: &str) -> (i32, Value, String) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let runner = tempfile::tempdir().expect("tmp");
    let mut event: Value = serde_json::from_str(
        &std::fs::read_to_string(root.join("tests/fixtures/action/pull_request.labeled.json"))
            .expect("event fixture"),
    )
    .expect("event json");
    event["pull_request"]["base"]["sha"] = Value::String(base.to_string());
    let event_path = runner.path().join("event.json");
    std::fs::write(&event_path, event.to_string()).expect("write event");
    for f in ["output", "summary"] {
        std::fs::write(runner.path().join(f), "").expect("write");
    }
    let out = Command::new("bash")
        .arg(root.join("action/run.sh"))
        .current_dir(repo)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", runner.path())
        .env("NO_COLOR", "1")
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_ACTION_PATH", root)
        .env("GITHUB_EVENT_NAME", "pull_request")
        .env("GITHUB_EVENT_PATH", &event_path)
        .env("GITHUB_OUTPUT", runner.path().join("output"))
        .env("GITHUB_STEP_SUMMARY", runner.path().join("summary"))
        .env("PRR_BIN", env!("CARGO_BIN_EXE_prr"))
        .env("INPUT_MODE", "enforce")
        .env("INPUT_FORMATS", "json")
        .output()
        .expect("run the action step");
    let report = std::fs::read_to_string(repo.join("prr-report.json")).unwrap_or_default();
    (
        out.status.code().unwrap_or(-1),
        serde_json::from_str(&report).unwrap_or(Value::Null),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn the_action_finds_a_committed_file_hidden_by_an_ignore_file() {
    let tmp = tempfile::tempdir().expect("tmp");
    let d = repo(tmp.path());
    let base = support::git(&d, &["rev-parse", "main"]);
    write(&d, "leak.yaml", format!("token: {GH}\n"));
    write(&d, ".ignore", "leak.yaml\n");
    support::git(&d, &["add", "-A"]);
    support::git(&d, &["commit", "-q", "-m", "hide a leak"]);
    let (code, v, err) = action_step(&d, &base);
    assert_eq!(code, 1, "{err}");
    assert_eq!(secrets(&v), vec!["leak.yaml"], "{err}");
}

#[test]
fn outside_git_ignore_files_are_honoured() {
    let tmp = tempfile::tempdir().expect("tmp");
    let d = tmp.path();
    write(d, ".ignore", "skipped.yaml\n");
    write(d, "skipped.yaml", format!("token: {GH}\n"));
    write(d, "seen.yaml", format!("token: {GH}\n"));
    let (code, v, out) = prr(d, &["secrets", ".", "-f", "json"]);
    assert_eq!(code, 1, "{out}");
    assert_eq!(secrets(&v), vec!["seen.yaml"], "{out}");
}

// ---- 7. scoped secret scans and git's diff output ------------------------

/// Stages `files` (path, body) on the `pr` branch of a fresh repository
/// prepared by `setup`, then asserts `prr secrets --staged` and
/// `--changed-since main` report each path (with `env` for prr).
fn assert_scoped_scans_find(
    files: &[(&str, String)],
    setup: impl Fn(&Path, &Path),
    env_for: impl Fn(&Path) -> Vec<(&'static str, std::path::PathBuf)>,
) {
    let tmp = tempfile::tempdir().expect("tmp");
    let d = repo(tmp.path());
    setup(tmp.path(), &d);
    for (rel, body) in files {
        write(&d, rel, body);
    }
    support::git(&d, &["add", "-A"]);
    let env = env_for(tmp.path());
    let env: Vec<(&str, &Path)> = env.iter().map(|(k, v)| (*k, v.as_path())).collect();
    let mut want: Vec<String> = files
        .iter()
        .map(|(p, _)| p.to_string())
        .filter(|p| !p.ends_with(".gitattributes"))
        .collect();
    want.sort();
    for scope in [&["--staged"][..], &["--changed-since", "main"]] {
        let mut args = vec!["secrets", ".", "-f", "json"];
        args.extend_from_slice(scope);
        let (code, v, out) = prr_env(&d, &args, &env);
        assert_eq!(code, 1, "prr {args:?}:\n{out}");
        let got: Vec<String> = secrets(&v);
        assert_eq!(got, want, "prr {args:?}:\n{out}");
    }
}

fn no_setup(_: &Path, _: &Path) {}

fn no_env(_: &Path) -> Vec<(&'static str, std::path::PathBuf)> {
    Vec::new()
}

#[test]
fn a_diff_attribute_does_not_hide_a_secret() {
    assert_scoped_scans_find(
        &[
            (".gitattributes", "*.env -diff\nkeys.yaml binary\n".into()),
            ("leak.env", format!("AWS_KEY={AWS}\n")),
            ("keys.yaml", format!("token: {GH}\n")),
        ],
        no_setup,
        no_env,
    );
}

#[test]
fn quoted_file_names_do_not_hide_a_secret() {
    assert_scoped_scans_find(
        &[
            ("tab\there.env", format!("AWS_KEY={AWS}\n")),
            ("quote\"d.yaml", format!("token: {GH}\n")),
            ("back\\slash.yaml", format!("token: {GH}\n")),
            ("caf\u{e9} \u{1f511}.yaml", format!("token: {GH}\n")),
            ("dir with space/a b.env", format!("AWS_KEY={AWS}\n")),
            ("1:stage.yaml", format!("token: {GH}\n")),
        ],
        no_setup,
        no_env,
    );
}

#[test]
fn diff_noprefix_in_the_repository_config_does_not_hide_a_secret() {
    assert_scoped_scans_find(
        &[("leak.env", format!("AWS_KEY={AWS}\n"))],
        |_, d| {
            support::git(d, &["config", "diff.noprefix", "true"]);
            support::git(d, &["config", "color.diff", "always"]);
            support::git(d, &["config", "diff.relative", "true"]);
        },
        no_env,
    );
}

#[test]
fn diff_mnemonic_prefix_in_the_users_config_does_not_hide_a_secret() {
    assert_scoped_scans_find(
        &[("leak.env", format!("AWS_KEY={AWS}\n"))],
        |tmp, _| {
            write(
                &tmp.join("home"),
                ".gitconfig",
                "[diff]\n\tmnemonicPrefix = true\n\tdstPrefix = new/\n\texternal = false\n[color]\n\tui = always\n",
            );
        },
        |tmp| {
            vec![
                ("HOME", tmp.join("home")),
                ("XDG_CONFIG_HOME", tmp.join("home/.config")),
                ("GIT_CONFIG_GLOBAL", tmp.join("home/.gitconfig")),
            ]
        },
    );
}

#[test]
fn an_added_line_that_looks_like_a_file_header_does_not_hide_a_secret() {
    // `++ /dev/null` added as line 1 shows as `+++ /dev/null` in the patch;
    // the secret is in a later hunk of the same file.
    let tmp = tempfile::tempdir().expect("tmp");
    let d = repo(tmp.path());
    let old: String = (1..=20).map(|i| format!("line {i}\n")).collect();
    write(&d, "notes.txt", &old);
    support::git(&d, &["add", "-A"]);
    support::git(&d, &["commit", "-q", "-m", "notes"]);
    support::git(&d, &["branch", "-f", "main"]);
    let new = format!("++ /dev/null\n{old}AWS_KEY={AWS}\n");
    write(&d, "notes.txt", &new);
    support::git(&d, &["add", "-A"]);
    for scope in [&["--staged"][..], &["--changed-since", "main"]] {
        let mut args = vec!["secrets", ".", "-f", "json"];
        args.extend_from_slice(scope);
        let (code, v, out) = prr(&d, &args);
        assert_eq!(code, 1, "prr {args:?}:\n{out}");
        assert_eq!(secrets(&v), vec!["notes.txt"], "{out}");
    }
}
