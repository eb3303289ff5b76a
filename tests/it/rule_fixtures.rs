//! One `pass/`/`fail/` fixture folder per rule, found automatically.
//!
//! `tests/rules/<family>-<name>/` holds two small repositories: on `fail/`
//! `prr check --no-budget` reports at least one unsuppressed finding of the
//! rule `<family>/<name>`, on `pass/` (the same repository corrected) none at
//! all. The findings of the rule on `fail/` are snapshotted (insta) beside
//! the fixture, so a change in what a rule says is reviewed. A folder holding
//! a `SKIP` file instead says why the rule cannot be exercised offline and
//! which test covers it.
//!
//! The rule list comes from the binary (`prr rules --json`), so a rule added
//! without a fixture folder fails here, by name, as does a folder that names
//! no rule. Every folder runs, and every failure is reported together.
//!
//! Needs the binary (run through [`support::prr_command`]), `serde_json` and
//! `insta` only.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

use serde_json::{Value, json};

use crate::support;

/// prr's own findings that `prr rules` does not list (they have no rule
/// file: the run reports them about itself), but that a fixture can provoke.
/// Their folders are required like a rule's.
const OWN_FINDINGS: &[&str] = &[
    "prr/config",
    "prr/parse-error",
    "prr/render",
    "prr/suppression-expired",
    "prr/suppression-invalid",
    "prr/suppression-unused",
    "prr/templated",
];

/// A fixture folder's outcome: its snapshot, `None` when skipped, or what is wrong.
type Outcome = (String, Result<Option<Value>, String>);

fn fixtures_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/rules")
}

/// The binary as CI runs it ([`support::prr_command`]), with the GitHub
/// variables that could change a verdict removed too.
fn prr() -> Command {
    let mut c = support::prr_command(&fixtures_root(), &[]);
    for var in [
        "GITHUB_TOKEN",
        "GITHUB_EVENT_PATH",
        "GITHUB_EVENT_NAME",
        "GITHUB_OUTPUT",
    ] {
        c.env_remove(var);
    }
    c
}

/// The rule ids the binary knows, built-in and gitleaks pack alike (listed
/// from an empty folder so that no prr.yaml adds team rules).
fn rule_ids() -> BTreeSet<String> {
    let empty = tempfile::tempdir().expect("temp dir");
    let out = prr()
        .args(["rules", "--json"])
        .arg(empty.path())
        .output()
        .expect("run prr rules");
    assert!(
        out.status.success(),
        "prr rules --json: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rules: Value = serde_json::from_slice(&out.stdout).expect("prr rules --json is JSON");
    rules
        .as_array()
        .expect("an array of rules")
        .iter()
        .map(|r| r["id"].as_str().expect("a rule id").to_string())
        .collect()
}

fn folder_name(id: &str) -> String {
    id.replacen('/', "-", 1)
}

/// `prr check DIR --no-budget --format json`: the findings, or why there are none.
///
/// The `budget/…` rules are the budget phase's, so their fixtures run with
/// it (they read a `file` provider: still offline). A fixture folder's
/// `ARGS` file adds arguments, one a line (`--label hotfix`).
fn findings(dir: &Path, id: &str, extra: &[String]) -> Result<Vec<Value>, String> {
    let mut cmd = prr();
    cmd.arg("check")
        .arg(dir)
        .args(["--format", "json", "--color", "never"]);
    if !id.starts_with("budget/") {
        cmd.arg("--no-budget");
    }
    let out = cmd
        .args(extra)
        .output()
        .map_err(|e| format!("cannot run prr: {e}"))?;
    if !matches!(out.status.code(), Some(0 | 1)) {
        return Err(format!(
            "exit {:?}: {}",
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    let report: Value =
        serde_json::from_slice(&out.stdout).map_err(|e| format!("the report is not JSON ({e})"))?;
    Ok(report["findings"].as_array().cloned().unwrap_or_default())
}

fn of_rule<'a>(findings: &'a [Value], id: &str) -> Vec<&'a Value> {
    findings.iter().filter(|f| f["rule"] == id).collect()
}

fn describe(findings: &[&Value]) -> String {
    findings
        .iter()
        .map(|f| {
            format!(
                "\n    {}:{} {} (suppressed: {}) {}",
                f["path"].as_str().unwrap_or(""),
                f["line"],
                f["level"].as_str().unwrap_or(""),
                f["suppressed"],
                f["message"].as_str().unwrap_or("")
            )
        })
        .collect()
}

/// Runs one fixture folder: its snapshot value, or what is wrong with it.
fn run_fixture(dir: &Path, id: &str) -> Result<Value, String> {
    let (fail, pass) = (dir.join("fail"), dir.join("pass"));
    if !fail.is_dir() || !pass.is_dir() {
        return Err("needs both fail/ and pass/ (or a SKIP file saying why not)".into());
    }
    let extra: Vec<String> = match std::fs::read_to_string(dir.join("ARGS")) {
        Ok(text) => text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(String::from)
            .collect(),
        Err(_) => Vec::new(),
    };
    let mut problems = Vec::new();
    let fail_findings = findings(&fail, id, &extra).map_err(|e| format!("fail/: {e}"))?;
    let reported: Vec<&Value> = of_rule(&fail_findings, id)
        .into_iter()
        .filter(|f| f["suppressed"] == false && f["level"] != "off")
        .collect();
    if reported.is_empty() {
        problems.push(format!(
            "fail/: no unsuppressed finding of {id}{}",
            describe(&of_rule(&fail_findings, id))
        ));
    }
    match findings(&pass, id, &extra) {
        Err(e) => problems.push(format!("pass/: {e}")),
        Ok(pass_findings) => {
            let left = of_rule(&pass_findings, id);
            if !left.is_empty() {
                problems.push(format!("pass/: {id} still reported:{}", describe(&left)));
            }
        }
    }
    if !problems.is_empty() {
        return Err(problems.join("\n  "));
    }
    // Paths in the report are relative to the checked folder already; the
    // message is scrubbed of the absolute path in case one names it.
    let abs = fail.to_string_lossy().into_owned();
    Ok(Value::Array(
        reported
            .iter()
            .map(|f| {
                json!({
                    "rule": f["rule"],
                    "level": f["level"],
                    "path": f["path"],
                    "line": f["line"],
                    "message": f["message"].as_str().unwrap_or("").replace(&abs, "<fail>"),
                })
            })
            .collect(),
    ))
}

#[test]
fn every_rule_has_a_pass_and_a_fail_fixture() {
    let root = fixtures_root();
    let mut ids = rule_ids();
    ids.extend(OWN_FINDINGS.iter().map(|s| s.to_string()));
    let by_folder: BTreeMap<String, String> =
        ids.iter().map(|id| (folder_name(id), id.clone())).collect();
    let folders: BTreeSet<String> = std::fs::read_dir(&root)
        .expect("tests/rules")
        .map(|e| e.expect("entry"))
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();

    let mut failures: Vec<String> = Vec::new();
    let missing: Vec<&String> = by_folder
        .iter()
        .filter(|(folder, _)| !folders.contains(*folder))
        .map(|(_, id)| id)
        .collect();
    if !missing.is_empty() {
        failures.push(format!(
            "{} rule(s) without a fixture folder tests/rules/<family>-<name>/: {missing:?}",
            missing.len()
        ));
    }
    let unknown: Vec<&String> = folders
        .iter()
        .filter(|f| !by_folder.contains_key(*f))
        .collect();
    if !unknown.is_empty() {
        failures.push(format!("fixture folder(s) naming no rule: {unknown:?}"));
    }

    // Run the folders on a few threads: each prr run is a process of its own.
    let todo: Vec<(&String, &String)> = by_folder
        .iter()
        .filter(|(folder, _)| folders.contains(*folder))
        .collect();
    let next = Mutex::new(todo.iter());
    let results: Mutex<Vec<Outcome>> = Mutex::new(Vec::new());
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get().min(4));
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| {
                loop {
                    let Some((folder, id)) = next.lock().unwrap().next() else {
                        break;
                    };
                    let dir = root.join(folder);
                    let skip = dir.join("SKIP");
                    let result = if skip.is_file() {
                        match std::fs::read_to_string(&skip) {
                            Ok(why) if !why.trim().is_empty() => Ok(None),
                            _ => Err("SKIP must say why, and which test covers the rule".into()),
                        }
                    } else {
                        run_fixture(&dir, id).map(Some)
                    };
                    results.lock().unwrap().push((folder.to_string(), result));
                }
            });
        }
    });
    let mut results = results.into_inner().unwrap();
    results.sort_by(|a, b| a.0.cmp(&b.0));

    let (mut ran, mut skipped) = (0, 0);
    for (folder, result) in results {
        match result {
            Err(e) => failures.push(format!("tests/rules/{folder}:\n  {e}")),
            Ok(None) => skipped += 1,
            Ok(Some(snapshot)) => {
                ran += 1;
                let mut settings = insta::Settings::clone_current();
                settings.set_snapshot_path(root.join(&folder));
                settings.set_prepend_module_to_snapshot(false);
                settings.set_omit_expression(true);
                let name = folder.clone();
                let checked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    settings.bind(|| insta::assert_json_snapshot!(name, snapshot));
                }));
                if checked.is_err() {
                    failures.push(format!(
                        "tests/rules/{folder}: the findings differ from {folder}.snap"
                    ));
                }
            }
        }
    }
    eprintln!("rule fixtures: {ran} run, {skipped} skipped");
    assert!(
        failures.is_empty(),
        "{} problem(s):\n{}",
        failures.len(),
        failures.join("\n")
    );
}
