//! Issue 17: the error-budget gate cannot be moved by the change it judges.
//!
//! - item 3: with `--policy-from REF` the SLO definitions the budget phase
//!   reads (objective, window, SLI queries) and the `file` provider's
//!   snapshot come from REF; the change's edits to them are reported as
//!   `prr/policy-changed` with the old and new values and not applied;
//! - the `Change-Type: security` trailer (written by the change's author)
//!   grants nothing unless the policy lists it, and then names the author.
//!
//! Every test replays the attack through the binary in a real git
//! repository.

mod support;

use serde_json::Value;
use std::path::Path;
use std::process::Command;

fn write(dir: &Path, rel: &str, body: &str) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
    std::fs::write(p, body).expect("write");
}

fn prr(dir: &Path, args: &[&str]) -> (i32, Value, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_prr"))
        .args(args)
        .current_dir(dir)
        .env_remove("GITHUB_ACTIONS")
        .env_remove("GITHUB_HEAD_REF")
        .env("NO_COLOR", "1")
        .output()
        .expect("run prr");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let v = serde_json::from_str(&stdout).unwrap_or(Value::Null);
    (
        out.status.code().unwrap_or(-1),
        v,
        stdout + &String::from_utf8_lossy(&out.stderr),
    )
}

fn findings<'a>(v: &'a Value, rule: &str) -> Vec<&'a Value> {
    v["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["rule"] == rule)
        .collect()
}

fn budget_of<'a>(v: &'a Value, service: &str) -> &'a Value {
    v["budget"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|b| b["service"] == service)
        .unwrap_or_else(|| panic!("no budget entry for {service}: {v:#}"))
}

fn commit(d: &Path, msg: &str) {
    support::git(d, &["add", "-A"]);
    support::git(d, &["commit", "-q", "-m", msg]);
}

/// `pay` with 10 % of its budget left (critical: blocked) in a snapshot.
fn critical_pay(d: &Path, exceptions: &str) {
    write(
        d,
        "prr.yaml",
        &format!(
            "services:\n  - name: pay\n    paths: [\"pay/**\"]\n    budget: {{ slos: [{{ name: availability }}] }}\nbudget:\n  providers:\n    snap: {{ type: file, path: budget.json }}\n  policy:\n    max-age: 0\n{exceptions}rules:\n  slo/present: {{ level: \"off\" }}\n  prr/codeowners: {{ level: \"off\" }}\n"
        ),
    );
    write(
        d,
        "budget.json",
        r#"{"readings": [{"service": "pay", "slo": "availability", "remaining": 0.1, "window": "30d"}]}"#,
    );
    write(d, "pay/README.md", "pay\n");
}

/// The trailer is the change author's own word: by default it lifts
/// nothing (it used to lift even an exhausted budget); listed in the
/// policy it is an exception recorded with the commit's author.
#[test]
fn a_commit_trailer_grants_nothing_unless_the_policy_lists_it() {
    let tmp = tempfile::tempdir().expect("tmp");
    let d = tmp.path();
    support::git(d, &["init", "-q"]);
    critical_pay(d, "");
    commit(d, "fix: urgent\n\nChange-Type: security");
    let (code, v, out) = prr(d, &["check", ".", "-f", "json"]);
    assert_eq!(code, 1, "{out}");
    let pay = budget_of(&v, "pay");
    assert_eq!(pay["decision"], "block", "{out}");
    assert!(pay["exception"].is_null(), "{out}");
    assert!(findings(&v, "budget/exception").is_empty(), "{out}");

    // Opted in: an exception, with the commit's author on record.
    critical_pay(
        d,
        "    exceptions:\n      - { trailer: \"Change-Type: security\", allow: [critical, exhausted] }\n",
    );
    commit(
        d,
        "fix: urgent, policy lists the trailer\n\nChange-Type: security",
    );
    let (code, v, out) = prr(d, &["check", ".", "-f", "json"]);
    assert_eq!(code, 0, "{out}");
    let pay = budget_of(&v, "pay");
    assert_eq!(pay["decision"], "warn", "{out}");
    assert_eq!(pay["exception"]["kind"], "trailer");
    assert_eq!(
        pay["exception"]["applied_by"],
        "prr test <prr@example.invalid> (commit author)"
    );
    let x = findings(&v, "budget/exception");
    assert_eq!(x.len(), 1, "{out}");
    let msg = x[0]["message"].as_str().unwrap_or_default();
    assert!(
        msg.contains("trailer `Change-Type: security`, applied by prr test <prr@example.invalid> (commit author)"),
        "{msg}"
    );
}

fn changed_notes(v: &Value) -> Vec<String> {
    findings(v, "prr/policy-changed")
        .iter()
        .map(|f| {
            format!(
                "{}: {}",
                f["path"].as_str().unwrap_or(""),
                f["message"].as_str().unwrap_or("")
            )
        })
        .collect()
}

/// Issue 17 item 3, the `file` provider: a change that rewrites the
/// snapshot from "10 % left" to "90 % left" passes its own gate; judged
/// with `--policy-from` the readings come from the base revision.
#[test]
fn an_edited_budget_snapshot_does_not_lift_the_block() {
    let tmp = tempfile::tempdir().expect("tmp");
    let d = tmp.path();
    support::git(d, &["init", "-q"]);
    critical_pay(d, "");
    commit(d, "base");
    support::git(d, &["branch", "base"]);
    write(
        d,
        "budget.json",
        r#"{"readings": [{"service": "pay", "slo": "availability", "remaining": 0.9, "window": "30d"}]}"#,
    );
    write(d, "pay/README.md", "pay, changed\n");
    commit(d, "all is well");

    let (code, v, out) = prr(d, &["check", ".", "-f", "json"]);
    assert_eq!(code, 0, "the attack, judged by its own data: {out}");
    assert_eq!(budget_of(&v, "pay")["remaining"], 0.9);

    let (code, v, out) = prr(d, &["check", ".", "-f", "json", "--policy-from", "base"]);
    assert_eq!(code, 1, "{out}");
    let pay = budget_of(&v, "pay");
    assert_eq!(
        (pay["decision"].as_str(), pay["remaining"].as_f64()),
        (Some("block"), Some(0.1))
    );
    assert_eq!(
        pay["provenance"]["source"], "budget.json at base",
        "{pay:#}"
    );
    let notes = changed_notes(&v);
    assert_eq!(notes.len(), 1, "{notes:#?}");
    assert!(
        notes[0].starts_with("budget.json: this change edits the budget data budget.json (provider `snap`): readings are taken from base")
            && notes[0].ends_with("pay/availability: remaining 0.1 → 0.9"),
        "{notes:#?}"
    );
    let used = findings(&v, "prr/policy-from");
    assert!(
        used[0]["message"]
            .as_str()
            .unwrap_or("")
            .contains("prr.yaml, budget.json"),
        "{used:#?}"
    );
}

/// A snapshot the base does not have: committed by the change, it is not
/// policy (unknown, `on-error: fail-closed` blocks); untracked (written by
/// the CI job), it is read from the working tree and said so.
#[test]
fn a_snapshot_the_base_lacks_is_unknown_unless_untracked() {
    let tmp = tempfile::tempdir().expect("tmp");
    let d = tmp.path();
    support::git(d, &["init", "-q"]);
    critical_pay(d, "");
    std::fs::remove_file(d.join("budget.json")).expect("rm");
    commit(d, "base without data");
    support::git(d, &["branch", "base"]);
    let healthy = r#"{"readings": [{"service": "pay", "slo": "availability", "remaining": 0.9}]}"#;

    // Untracked: the job's own data.
    write(d, "budget.json", healthy);
    let (code, v, out) = prr(d, &["check", ".", "-f", "json", "--policy-from", "base"]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(budget_of(&v, "pay")["remaining"], 0.9);
    let notes: Vec<&str> = findings(&v, "prr/policy-from")
        .iter()
        .filter_map(|f| f["message"].as_str())
        .collect();
    assert!(
        notes
            .iter()
            .any(|m| m.contains("budget data budget.json (provider `snap`) is not in git")),
        "{notes:#?}"
    );

    // Committed by the change: no trusted data.
    commit(d, "bring my own data");
    let (code, v, out) = prr(d, &["check", ".", "-f", "json", "--policy-from", "base"]);
    assert_eq!(code, 1, "{out}");
    let pay = budget_of(&v, "pay");
    assert_eq!(
        (pay["state"].as_str(), pay["decision"].as_str()),
        (Some("unknown"), Some("block"))
    );
    assert!(
        pay["error"]
            .as_str()
            .unwrap_or("")
            .contains("no such file at the policy revision"),
        "{pay:#}"
    );
    assert!(
        changed_notes(&v)
            .iter()
            .any(|n| n.contains("this change adds the budget data budget.json")),
        "{out}"
    );
}
