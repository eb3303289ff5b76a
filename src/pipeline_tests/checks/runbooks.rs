//! Tests of the `runbook/…` checks.

use crate::testutil::{findings, fixtures, repo};

const ALERT_WITH: &str = "groups:\n- name: g\n  rules:\n  - alert: HighErrors\n    expr: up == 0\n    labels: {severity: critical}\n    annotations:\n      runbook_url: ../runbooks/high-errors.md\n";
const ALERT_WITHOUT: &str = "groups:\n- name: g\n  rules:\n  - alert: HighErrors\n    expr: up == 0\n    labels: {severity: critical}\n";
const FULL_RUNBOOK: &str = "# HighErrors\n\n## What it means\n\n## How to investigate\n\n## Remediation\n\n## Who to call\n";

#[test]
fn present_per_service() {
    let dir = repo(&[("deploy/alerts.yaml", ALERT_WITHOUT)]);
    let fs = findings(dir.path(), "runbook/present");
    assert_eq!(fs.len(), 1);
    assert_eq!((fs[0].path.as_str(), fs[0].line), ("deploy/alerts.yaml", 4));
    assert!(
        fs[0].message.contains("1 alert but no runbook"),
        "{}",
        fs[0].message
    );
    // A runbook file in the service, or a link from an alert, is enough.
    let dir = repo(&[
        ("deploy/alerts.yaml", ALERT_WITHOUT),
        ("runbooks/other.md", FULL_RUNBOOK),
    ]);
    assert!(findings(dir.path(), "runbook/present").is_empty());
    let dir = repo(&[("deploy/alerts.yaml", ALERT_WITH)]);
    assert!(findings(dir.path(), "runbook/present").is_empty());
    // With services, each is judged on its own paths.
    let cfg = "services:\n- name: a\n  paths: [\"a/**\"]\n- name: b\n  paths: [\"b/**\"]\n";
    let dir = repo(&[
        ("prr.yaml", cfg),
        ("a/alerts.yaml", ALERT_WITHOUT),
        ("a/runbooks/x.md", FULL_RUNBOOK),
        ("b/alerts.yaml", ALERT_WITHOUT),
    ]);
    let fs = findings(dir.path(), "runbook/present");
    assert_eq!(fs.len(), 1);
    assert_eq!(
        (fs[0].path.as_str(), fs[0].service.as_deref()),
        ("b/alerts.yaml", Some("b"))
    );
}

#[test]
fn a_table_runbook_has_its_columns_as_sections() {
    // One row per alert, as a mixin generates it: Summary/Description
    // give the meaning; nothing says how to diagnose or mitigate.
    let table = "# Alerts\n\n## shop\n\n|Name|Summary|Description|Severity|\n|---|---|---|---|\n|ShopDown|Shop is down.|No shop pod is up.|critical|\n";
    let dir = repo(&[("runbooks/runbook.md", table)]);
    let fs = findings(dir.path(), "runbook/sections");
    let missing: Vec<bool> = fs
        .iter()
        .map(|f| f.message.contains("no meaning"))
        .collect();
    assert_eq!(missing, vec![false, false], "{fs:#?}");
    assert!(fs[0].message.contains("no diagnosis"), "{}", fs[0].message);
    // Must fire: columns that do not give the meaning.
    let bare = table.replace("|Summary|Description|", "|Expr|For|");
    let dir = repo(&[("runbooks/runbook.md", bare.as_str())]);
    let fs = findings(dir.path(), "runbook/sections");
    assert!(
        fs.iter().any(|f| f.message.contains("no meaning")),
        "{fs:#?}"
    );
    // A table inside a code block is not one.
    let fenced = format!("# Alerts\n\n```\n{}```\n", &table[9..]);
    let dir = repo(&[("runbooks/runbook.md", fenced.as_str())]);
    let fs = findings(dir.path(), "runbook/sections");
    assert!(
        fs.iter().any(|f| f.message.contains("no meaning")),
        "{fs:#?}"
    );
}

#[test]
fn sections_inline() {
    let partial = "---\ntitle: x\n---\n# HighErrors\n\n## Meaning\n";
    let dir = repo(&[
        ("runbooks/full.md", FULL_RUNBOOK),
        ("runbooks/partial.md", partial),
        ("runbooks/README.md", "# Index\n"),
    ]);
    let fs = findings(dir.path(), "runbook/sections");
    let got: Vec<(&str, u32, bool)> = fs
        .iter()
        .map(|f| (f.path.as_str(), f.line, f.message.contains("no diagnosis")))
        .collect();
    assert_eq!(
        got,
        vec![
            ("runbooks/partial.md", 4, true),
            ("runbooks/partial.md", 4, false)
        ]
    );
    assert!(
        fs[1].message.contains("no mitigation section"),
        "{}",
        fs[1].message
    );
    let cfg = "rules:\n  runbook/sections:\n    with:\n      sections: [{name: rollback, headings: [rollback]}]\n";
    let dir = repo(&[("runbooks/full.md", FULL_RUNBOOK), ("prr.yaml", cfg)]);
    let fs = findings(dir.path(), "runbook/sections");
    assert_eq!(fs.len(), 1);
    assert!(
        fs[0].message.contains("no rollback section"),
        "{}",
        fs[0].message
    );
}

#[test]
fn prometheus_operator_runbooks_lack_few_sections() {
    let root = fixtures().join("runbooks/prometheus-operator");
    let all = findings(&root, "runbook/sections");
    let runbooks = crate::analyze(&root, None).unwrap().inventory.runbooks;
    assert_eq!(runbooks.len(), 117, "Markdown files under content/runbooks");
    let per = |section: &str| {
        all.iter()
            .filter(|f| f.message.contains(&format!("no {section} section")))
            .count()
    };
    // 108 runbooks once the 9 `_index.md` section indexes are excluded;
    // figures checked against a grep of the headings. Missing besides
    // escalation: meaning in NodeRAIDDiskFailure (a pointer page) and
    // Prometheus{Duplicate,OutOfOrder}Timestamps; diagnosis also in
    // KubeAPIErrorBudgetBurn; mitigation also in
    // PrometheusOperatorNodeLookupErrors.
    // Escalation is `runbook/escalation`'s, not a default section.
    assert_eq!(per("escalation"), 0);
    assert_eq!(per("meaning / impact"), 3);
    assert_eq!(per("diagnosis"), 4);
    assert_eq!(per("mitigation"), 5);
    assert_eq!(all.len(), 3 + 4 + 5);
    let raid: Vec<_> = all
        .iter()
        .filter(|f| f.path.ends_with("node/NodeRAIDDiskFailure.md"))
        .collect();
    assert_eq!(raid.len(), 3);
    assert_eq!(raid[0].line, 6, "first heading, after the front matter");
    assert!(!all.iter().any(|f| f.path.ends_with("_index.md")));
    // No alerts in that repository: nothing can be judged orphaned.
    assert!(findings(&root, "runbook/orphan").is_empty());
}

#[test]
fn orphans() {
    let dir = repo(&[
        ("deploy/alerts.yaml", ALERT_WITH),
        ("runbooks/high-errors.md", FULL_RUNBOOK),
        ("runbooks/disk-full.md", "# Disk full\n"),
        ("runbooks/README.md", "# Index\n"),
    ]);
    let fs = findings(dir.path(), "runbook/orphan");
    assert_eq!(fs.len(), 1);
    assert_eq!(
        (fs[0].path.as_str(), fs[0].line),
        ("runbooks/disk-full.md", 1)
    );
    // Named after an alert (file stem), though not linked: not orphaned.
    let dir = repo(&[
        ("deploy/alerts.yaml", ALERT_WITHOUT),
        ("runbooks/High-Errors.md", "# x\n"),
    ]);
    assert!(findings(dir.path(), "runbook/orphan").is_empty());
}
