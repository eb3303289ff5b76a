//! The inventory walk on whole runs (classification, rule formats,
//! templated files).

use crate::finding::Finding;
use std::path::PathBuf;

fn rule_formats() -> PathBuf {
    crate::testutil::fixtures().join("alerts/rule-formats")
}

fn of<'a>(fs: &'a [Finding], rule: &str, path: &str) -> Vec<&'a Finding> {
    fs.iter()
        .filter(|f| f.rule == rule && f.path.ends_with(path))
        .collect()
}

/// Issue 12 pattern 9: Loki ruler files (solanyn/home-ops) are rule
/// files whose `expr:` is LogQL; not invalid PromQL, but counted.
#[test]
fn loki_rule_files_are_not_promql() {
    let fs = crate::testutil::findings(&rule_formats().join("home-ops"), "");
    for f in ["autobrr/lokirule.yaml", "zigbee/lokirule.yaml"] {
        assert!(of(&fs, "alerts/parse", f).is_empty(), "{f}: {fs:#?}");
        let notes = of(&fs, "prr/skipped", f);
        assert_eq!(notes.len(), 1, "{f}: {fs:#?}");
        assert!(
            notes[0].message.contains("1 `expr:` value(s) are LogQL"),
            "{}",
            notes[0].message
        );
        assert_eq!(notes[0].line, 7, "the first `expr:` value");
        // The checks that do not read the expression still run.
        assert_eq!(of(&fs, "alerts/runbook-annotation", f).len(), 1, "{f}");
    }
    // The PromQL sibling is still a Prometheus rule file.
    assert!(of(&fs, "prr/skipped", "autobrr/prometheusrule.yaml").is_empty());
    assert_eq!(
        of(
            &fs,
            "alerts/runbook-annotation",
            "autobrr/prometheusrule.yaml"
        )
        .len(),
        1
    );
}

/// The paired true positives: a broken LogQL expression, and a broken
/// PromQL expression next to Loki files, are still `alerts/parse` errors.
#[test]
fn broken_logql_and_promql_still_fail() {
    let dir = crate::testutil::repo(&[
        (
            "loki.yaml",
            "groups:\n- name: g\n  rules:\n  - alert: A\n    expr: sum(count_over_time({app=\"x\"} |= \"err\" [5m]) > 0\n",
        ),
        (
            "prom.yaml",
            "groups:\n- name: g\n  rules:\n  - alert: B\n    expr: sum(rate(x[5m]) > 0\n",
        ),
    ]);
    let fs = crate::testutil::findings(dir.path(), "alerts/parse");
    let got: Vec<_> = fs
        .iter()
        .map(|f| (f.path.as_str(), f.line, f.message.as_str()))
        .collect();
    assert_eq!(got.len(), 2, "{got:#?}");
    assert_eq!((got[0].0, got[0].1), ("loki.yaml", 5));
    assert!(
        got[0].2.contains("not valid LogQL: `(` is not closed"),
        "{}",
        got[0].2
    );
    assert_eq!((got[1].0, got[1].1), ("prom.yaml", 5));
    assert!(got[1].2.contains("not valid PromQL"), "{}", got[1].2);
}

/// `mimirtool` / `cortextool` / `lokitool` files: `namespace:` next to
/// `groups:` is their format, not an unknown field; the rules are still
/// checked as Prometheus rules.
#[test]
fn tool_namespace_files_are_rule_files() {
    let dir = crate::testutil::repo(&[
        (
            "mimir/ok.yaml",
            "namespace: team-a\ngroups:\n- name: g\n  rules:\n  - record: job:up:sum\n    expr: sum by (job) (up)\n",
        ),
        (
            "mimir/bad.yaml",
            "namespace: team-b\nnamspace: typo\ngroups:\n- name: g\n  rules:\n  - alert: A\n    expr: up ==\n",
        ),
    ]);
    let fs = crate::testutil::findings(dir.path(), "alerts/parse");
    let got: Vec<_> = fs.iter().map(|f| (f.path.as_str(), f.line)).collect();
    assert_eq!(
        got,
        vec![("mimir/bad.yaml", 2), ("mimir/bad.yaml", 7)],
        "{fs:#?}"
    );
    assert!(
        fs[0].message.contains("unknown field `namspace`"),
        "{}",
        fs[0].message
    );
}

/// Issue 12 pattern 11: promtool unit-test files (thanos, wikimedia)
/// are neither rule files nor parse errors; a rule file they name that
/// does not exist is a finding (promtool fails on it).
#[test]
fn promtool_tests_are_recognised() {
    for (dir, test, n) in [
        ("thanos", "tests.yaml", 2),
        ("wikimedia", "apt_test.yaml", 1),
    ] {
        let root = rule_formats().join(dir);
        let inv =
            crate::inventory::scan(&root, &crate::config::Config::default_for(&root)).unwrap();
        assert!(inv.rule_files.iter().all(|r| r.path != test), "{dir}");
        let t: Vec<_> = inv
            .promtool_tests
            .iter()
            .filter(|t| t.path == test)
            .collect();
        assert_eq!(t.len(), 1, "{dir}");
        assert_eq!(t[0].rule_files.len(), n);
        let fs = crate::testutil::findings(&root, "");
        assert!(
            fs.iter().all(|f| f.path != test),
            "nothing reported on {test}: {:#?}",
            fs.iter().filter(|f| f.path == test).collect::<Vec<_>>()
        );
    }
    let dir = crate::testutil::repo(&[
        ("rules/a.yaml", "groups: []\n"),
        (
            "rules/a_test.yaml",
            "rule_files:\n  - a.yaml\n  - b.yaml\nevaluation_interval: 1m\ntests: []\n",
        ),
    ]);
    let fs = crate::testutil::findings(dir.path(), "alerts/parse");
    let got: Vec<_> = fs.iter().map(|f| (f.path.as_str(), f.line)).collect();
    assert_eq!(got, vec![("rules/a_test.yaml", 3)], "{fs:#?}");
    assert!(
        fs[0]
            .message
            .contains("`b.yaml` (rules/b.yaml), which does not exist"),
        "{}",
        fs[0].message
    );
}
