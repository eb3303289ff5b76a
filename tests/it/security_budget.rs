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

use crate::support;

use crate::support::{prr, write};
use serde_json::Value;
use std::path::Path;

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
        format!(
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

// ---------------------------------------------------------------------------
// The SLO definition swaps, against a real Prometheus
// ---------------------------------------------------------------------------

/// The data's end and the pinned evaluation time: 2024-01-31T00:00:00Z.
const T_END: i64 = 1_706_659_200;
const DAY: i64 = 86_400;

/// 30 days of `http_requests_total` every 5 minutes: 500 good requests per
/// step, and 5 errors per step until 10 days before the end, none after.
/// Error ratio over 30 days: 28 800 / 4 348 800 ≈ 0.66 % (objective 0.999:
/// exhausted, objective 0.9: healthy); over the last 7 days: 0.
fn openmetrics() -> String {
    use std::fmt::Write as _;
    let mut s = String::from("# HELP http_requests Requests.\n# TYPE http_requests counter\n");
    for code in ["200", "500"] {
        let mut v: u64 = 0;
        let mut t = T_END - 30 * DAY;
        while t <= T_END {
            let _ = writeln!(s, "http_requests_total{{code=\"{code}\"}} {v} {t}");
            v += match code {
                "200" => 500,
                _ if t < T_END - 10 * DAY => 5,
                _ => 0,
            };
            t += 300;
        }
    }
    s.push_str("# EOF\n");
    s
}

const GOOD: &str = r#"sum(rate(http_requests_total{code="200"}[5m]))"#;
const TOTAL: &str = "sum(rate(http_requests_total[5m]))";

/// An OpenSLO SLO of `pay`, good/total ratio.
fn openslo(target: &str, window: &str, good: &str) -> String {
    format!(
        "apiVersion: openslo/v1\nkind: SLO\nmetadata:\n  name: availability\nspec:\n  service: pay\n  budgetingMethod: Occurrences\n  timeWindow:\n    - duration: {window}\n      isRolling: true\n  indicator:\n    metadata:\n      name: pay-success\n    spec:\n      ratioMetric:\n        counter: true\n        good:\n          metricSource:\n            type: Prometheus\n            spec:\n              query: '{good}'\n        total:\n          metricSource:\n            type: Prometheus\n            spec:\n              query: '{TOTAL}'\n  objectives:\n    - displayName: Payments succeed\n      target: {target}\n"
    )
}

/// Issue 17 item 3, the SLO definition: lowering the objective, shortening
/// the window or making the good-events query equal the total turns an
/// exhausted budget (computed by Prometheus from the SLI queries) into a
/// pass when the change is judged by its own files; with `--policy-from`
/// the base's definition is read, the block stays, and the notice names
/// the old and new values.
#[test]
#[ignore = "needs prometheus and promtool (bash .ci/install-prometheus.sh); run with --include-ignored"]
fn a_changed_slo_definition_does_not_lift_the_block() {
    support::require_tools(
        &["prometheus", "promtool"],
        "bash .ci/install-prometheus.sh",
    );
    let prom = support::servers::start_prometheus(&openmetrics());
    let tmp = tempfile::tempdir().expect("tmp");
    let d = tmp.path();
    support::git(d, &["init", "-q"]);
    write(
        d,
        "prr.yaml",
        format!(
            "services:\n  - name: pay\n    paths: [\"pay/**\"]\nbudget:\n  providers:\n    prom: {{ type: prometheus, url: \"http://127.0.0.1:{}\", eval-time: \"{T_END}\" }}\n  policy:\n    max-age: 0\nrules:\n  prr/codeowners: {{ level: \"off\" }}\n  alerts/burn-rate: {{ level: \"off\" }}\n",
            prom.port
        ),
    );
    write(d, "pay/slo.yaml", openslo("0.999", "30d", GOOD));
    commit(d, "base");
    support::git(d, &["branch", "base"]);
    let (code, v, out) = prr(d, &["check", ".", "-f", "json"]);
    assert_eq!(code, 1, "{out}");
    assert_eq!(budget_of(&v, "pay")["state"], "exhausted", "{out}");

    let good = format!("`{GOOD}`");
    let attacks = [
        (
            "lowered-objective",
            openslo("0.9", "30d", GOOD),
            "objective 0.999 → 0.9".to_string(),
        ),
        (
            "shorter-window",
            openslo("0.999", "7d", GOOD),
            "window 30d → 7d".to_string(),
        ),
        (
            "good-is-total",
            openslo("0.999", "30d", TOTAL),
            format!("good query changed: {good} → `{TOTAL}`"),
        ),
    ];
    for (branch, slo, values) in attacks {
        support::git(d, &["checkout", "-q", "-b", branch, "base"]);
        write(d, "pay/slo.yaml", &slo);
        commit(d, branch);
        // Judged by its own definition, the spent budget passes.
        let (code, v, out) = prr(d, &["check", ".", "-f", "json"]);
        assert_eq!(code, 0, "{branch}, the attack: {out}");
        assert_eq!(budget_of(&v, "pay")["state"], "healthy", "{branch}: {out}");
        // Judged by the base's definition, it stays blocked.
        let (code, v, out) = prr(d, &["check", ".", "-f", "json", "--policy-from", "base"]);
        assert_eq!(code, 1, "{branch}: {out}");
        let pay = budget_of(&v, "pay");
        assert_eq!(
            (
                pay["state"].as_str(),
                pay["decision"].as_str(),
                pay["window_seconds"].as_f64()
            ),
            (Some("exhausted"), Some("block"), Some(2_592_000.0)),
            "{branch}: {pay:#}"
        );
        assert_eq!(
            changed_notes(&v),
            [format!(
                "pay/slo.yaml: this change edits the definition of SLO `availability` of `pay`: {values}; its budget is read with the definition at base (pay/slo.yaml), the edit applies once merged"
            )],
            "{branch}"
        );
    }

    // A new SLO has no definition at base: read with the change's own,
    // and said so; the base's SLO is still read with the base's.
    support::git(d, &["checkout", "-q", "-b", "new-slo", "base"]);
    let mut second = openslo("0.5", "7d", GOOD).replace("name: availability", "name: lenient");
    second.insert_str(0, "---\n");
    std::fs::write(
        d.join("pay/slo.yaml"),
        openslo("0.9", "30d", GOOD) + &second,
    )
    .expect("write");
    commit(d, "new-slo");
    let (code, v, out) = prr(d, &["check", ".", "-f", "json", "--policy-from", "base"]);
    assert_eq!(code, 1, "{out}");
    let entries: Vec<(&str, &str)> = v["budget"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|b| {
            (
                b["slo"].as_str().unwrap_or(""),
                b["state"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        entries,
        [("availability", "exhausted"), ("lenient", "healthy")],
        "{out}"
    );
    let notes = changed_notes(&v);
    assert_eq!(notes.len(), 2, "{notes:#?}");
    assert!(
        notes[1].starts_with(
            "pay/slo.yaml: new SLO, definition from the change: base does not define SLO `lenient` of `pay`, so its budget is read with this change's definition (objective 0.5, window 7d, OpenSLO, SLI good, total)"
        ),
        "{notes:#?}"
    );
}

/// Every SLO format prr reads is policy under `--policy-from`: Sloth,
/// Pyrra and slo-generator definitions are read from the base too, and
/// each edit is named with its old and new values (the `file` provider
/// here: its readings do not depend on the definition, the notices do).
#[test]
fn every_slo_format_is_read_from_the_policy_revision() {
    let tmp = tempfile::tempdir().expect("tmp");
    let d = tmp.path();
    support::git(d, &["init", "-q"]);
    critical_pay(d, "");
    write(
        d,
        "budget.json",
        r#"{"readings": [
            {"service": "pay", "slo": "requests", "remaining": 0.9},
            {"service": "pay", "slo": "pay-latency", "remaining": 0.9},
            {"service": "pay", "slo": "pay-freshness", "remaining": 0.9},
            {"service": "pay", "slo": "availability", "remaining": 0.9}]}"#,
    );
    let sloth = |objective: &str| {
        format!(
            "version: prometheus/v1\nservice: pay\nslos:\n  - name: requests\n    objective: {objective}\n    sli:\n      events:\n        error_query: sum(rate(http_requests_total{{code=\"500\"}}[{{{{.window}}}}]))\n        total_query: sum(rate(http_requests_total[{{{{.window}}}}]))\n    alerting:\n      page_alert: {{ disable: true }}\n      ticket_alert: {{ disable: true }}\n"
        )
    };
    let pyrra = |window: &str| {
        format!(
            "apiVersion: pyrra.dev/v1alpha1\nkind: ServiceLevelObjective\nmetadata:\n  name: pay-latency\n  labels: {{ service: pay }}\nspec:\n  target: \"99.5\"\n  window: {window}\n  indicator:\n    ratio:\n      errors: {{ metric: 'http_requests_total{{code=\"500\"}}' }}\n      total: {{ metric: http_requests_total }}\n"
        )
    };
    let slo_generator = |goal: &str| {
        format!(
            "apiVersion: sre.google.com/v2\nkind: ServiceLevelObjective\nmetadata:\n  name: pay-freshness\n  labels: {{ service_name: pay }}\nspec:\n  goal: {goal}\n  backend: prometheus\n  method: good_bad_ratio\n  service_level_indicator:\n    filter_good: 'up{{job=\"pay\"}}'\n    filter_valid: 'up'\n"
        )
    };
    write(d, "pay/sloth.yaml", sloth("99.9"));
    write(d, "pay/pyrra.yaml", pyrra("28d"));
    write(d, "pay/slo-generator.yaml", slo_generator("0.999"));
    commit(d, "base");
    support::git(d, &["branch", "base"]);
    write(d, "pay/sloth.yaml", sloth("90"));
    write(d, "pay/pyrra.yaml", pyrra("1d"));
    write(d, "pay/slo-generator.yaml", slo_generator("0.5"));
    commit(d, "relax every SLO");
    let (_, v, out) = prr(d, &["check", ".", "-f", "json", "--policy-from", "base"]);
    let notes = changed_notes(&v);
    let want = [
        "pay/pyrra.yaml: this change edits the definition of SLO `pay-latency` of `pay`: window 28d → 1d;",
        "pay/slo-generator.yaml: this change edits the definition of SLO `pay-freshness` of `pay`: objective 0.999 → 0.5;",
        "pay/sloth.yaml: this change edits the definition of SLO `requests` of `pay`: objective 99.9 → 90;",
    ];
    assert_eq!(notes.len(), want.len(), "{notes:#?}\n{out}");
    for (n, w) in notes.iter().zip(want) {
        assert!(n.starts_with(w), "{n}\nwanted: {w}");
    }
}
