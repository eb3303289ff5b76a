//! The baseline through the binary (issue 15, items 2 and 3): it accepts
//! the repository's debt, never a budget decision or the readiness gate,
//! and a baseline just written is not stale.

use crate::support::{json, prr_output, write};

/// `pay` has an exhausted budget (file snapshot), a Deployment with debt
/// (no probes, one replica) and a `critical` tier whose minimum readiness
/// level it cannot meet.
fn repo() -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        "prr.yaml",
        "services:\n  - name: pay\n    tier: critical\n    paths: [\"pay/**\"]\n    budget: { slos: [{ name: availability }] }\nbudget:\n  providers:\n    snap: { type: file, path: budget.json }\n  policy: { max-age: 0 }\n",
    );
    write(
        d.path(),
        "budget.json",
        r#"{"readings": [{"service": "pay", "slo": "availability", "remaining": -0.2, "window": "30d"}]}"#,
    );
    write(
        d.path(),
        "pay/deploy.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: pay\nspec:\n  replicas: 1\n  selector:\n    matchLabels: { app: pay }\n  template:\n    metadata:\n      labels: { app: pay }\n    spec:\n      containers:\n        - name: pay\n          image: pay:latest\n          ports: [{ containerPort: 8080 }]\n",
    );
    d
}

/// Unsuppressed errors and warnings of rules starting with `prefix` (and
/// the `prr/baseline-stale` notice).
fn unsuppressed<'a>(r: &'a serde_json::Value, prefix: &str) -> Vec<&'a serde_json::Value> {
    r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| {
            f["rule"].as_str().unwrap().starts_with(prefix)
                && f["suppressed"] == false
                && (f["level"] != "notice" || prefix.starts_with("prr/baseline"))
        })
        .collect()
}

#[test]
fn a_baseline_never_accepts_a_budget_decision_or_the_readiness_gate() {
    let d = repo();
    let before = json(&prr_output(d.path(), &["check", ".", "-f", "json"]));
    assert!(
        !unsuppressed(&before, "budget/blocked").is_empty(),
        "{before:#}"
    );
    assert!(!unsuppressed(&before, "rollout/").is_empty(), "{before:#}");

    let o = prr_output(d.path(), &["baseline", "."]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let written = std::fs::read_to_string(d.path().join(".prr/baseline.json")).unwrap();
    assert!(
        written.contains("rollout/"),
        "the debt is recorded: {written}"
    );
    assert!(!written.contains("budget/"), "{written}");
    assert!(!written.contains("prr/min-level"), "{written}");

    // must fire: the exhausted budget still blocks.
    let o = prr_output(d.path(), &["check", ".", "-f", "json"]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "the budget decision is never baselined"
    );
    let after = json(&o);
    assert_eq!(after["result"], "fail");
    assert!(
        !unsuppressed(&after, "budget/blocked").is_empty(),
        "{after:#}"
    );
    // must not fire: the recorded debt is accepted, and a fresh baseline
    // has no stale entry.
    assert!(unsuppressed(&after, "rollout/").is_empty(), "{after:#}");
    assert!(
        unsuppressed(&after, "prr/baseline-stale").is_empty(),
        "{after:#}"
    );
    // The accepted debt still shows in the readiness score.
    let pay = &after["readiness"][0];
    let (with, without) = (
        pay["score"].as_u64().unwrap(),
        pay["score_without_baseline"].as_u64().expect("debt score"),
    );
    assert!(without < with, "{pay:#}");
    assert_eq!(before["readiness"][0]["score"].as_u64().unwrap(), without);
    let text = String::from_utf8_lossy(&prr_output(d.path(), &["check", "."]).stdout).into_owned();
    assert!(
        text.contains(&format!("pay: {without}/100 ({with} with the baseline)")),
        "{text}"
    );
}

#[test]
fn an_old_baseline_holding_a_budget_decision_is_stale_and_rewritten() {
    let d = repo();
    write(
        d.path(),
        ".prr/baseline.json",
        r#"{"version": 1, "findings": [{"rule": "budget/blocked", "path": "prr.yaml", "fingerprint": "00"}]}"#,
    );
    let r = json(&prr_output(d.path(), &["check", ".", "-f", "json"]));
    let stale = unsuppressed(&r, "prr/baseline-stale");
    assert_eq!(stale.len(), 1, "{r:#}");
    assert!(
        stale[0]["message"]
            .as_str()
            .unwrap()
            .contains("budget/blocked")
    );
    assert_eq!(
        prr_output(d.path(), &["baseline", "."]).status.code(),
        Some(0)
    );
    let r = json(&prr_output(d.path(), &["check", ".", "-f", "json"]));
    assert!(unsuppressed(&r, "prr/baseline-stale").is_empty(), "{r:#}");
}
