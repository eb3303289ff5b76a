//! `checks::route` on whole runs of the pipeline.
use crate::finding::Level;
use crate::testutil::{findings, repo};

/// A fast-burn SLO alert (5m and 1h windows) and a plain one.
const RULES: &str = "groups:
- name: slo
  rules:
  - alert: CheckoutBurn
    expr: job:errors:ratio_rate5m > 14.4 * 0.001 and job:errors:ratio_rate1h > 14.4 * 0.001
    labels: {severity: critical}
  - alert: DiskFull
    expr: node_filesystem_avail_bytes < 1
    labels: {severity: crit}
";

fn am(page_receiver: &str) -> String {
    format!(
        "route:
  receiver: chat
  routes:
  - matchers: [severity=\"critical\"]
    receiver: {page_receiver}
  - matchers: [severity=\"warning\"]
    receiver: chat
receivers:
- name: chat
  slack_configs: [{{channel: '#a', api_url: 'https://hooks.slack.invalid/x'}}]
- name: pager
  pagerduty_configs: [{{routing_key: k}}]
- name: \"null\"
"
    )
}

/// prometheus-operator's AlertmanagerConfig routes all match
/// `namespace`, which a PrometheusRule's alerts get from their series,
/// not from the rule: where such an alert goes is decided at alert
/// time, so no "nobody is notified" claim is made (the reviewer's case:
/// a fast burn in `shop` routed to PagerDuty by the operator's tree).
#[test]
fn routing_on_a_label_the_rule_does_not_set_makes_no_claim() {
    let operator = "apiVersion: monitoring.coreos.com/v1alpha1
kind: AlertmanagerConfig
metadata: {name: shop, namespace: shop}
spec:
  route:
    receiver: pager
    matchers: [{name: severity, value: critical}]
  receivers:
  - name: pager
    pagerdutyConfigs: [{routingKey: {name: pd, key: k}}]
";
    let dir = repo(&[("rules.yaml", RULES), ("amc.yaml", operator)]);
    let fs = findings(dir.path(), "alerts/route");
    assert!(fs.iter().all(|f| f.level != Level::Error), "{fs:?}");
    // Must fire: the same blackhole routing with only rule labels.
    let dir = repo(&[("rules.yaml", RULES), ("alertmanager.yml", &am("\"null\""))]);
    assert!(
        findings(dir.path(), "alerts/route")
            .iter()
            .any(|f| f.level == Level::Error)
    );
}

#[test]
fn a_page_alert_routed_to_a_blackhole_is_an_error() {
    let dir = repo(&[("rules.yaml", RULES), ("alertmanager.yml", &am("\"null\""))]);
    let fs: Vec<_> = findings(dir.path(), "alerts/route")
        .into_iter()
        .filter(|f| f.level == Level::Error)
        .collect();
    assert_eq!(fs.len(), 1, "{fs:#?}");
    assert_eq!((fs[0].path.as_str(), fs[0].line), ("rules.yaml", 4));
    assert!(
        fs[0].message.contains("paging alert `CheckoutBurn` (a fast-burn SLO alert) reaches only `null` in alertmanager.yml:1"),
        "{}",
        fs[0].message
    );
    // Routed to the pager: no error.
    let dir = repo(&[("rules.yaml", RULES), ("alertmanager.yml", &am("pager"))]);
    let errors = findings(dir.path(), "alerts/route")
        .into_iter()
        .filter(|f| f.level == Level::Error)
        .count();
    assert_eq!(errors, 0);
}

#[test]
fn page_severities_mark_alerts_meant_to_page() {
    let rules = "groups:\n- name: g\n  rules:\n  - alert: Down\n    expr: up == 0\n    labels: {severity: critical}\n";
    let dir = repo(&[("rules.yaml", rules), ("alertmanager.yml", &am("\"null\""))]);
    assert_eq!(findings(dir.path(), "alerts/route"), vec![]);
    let cfg = "rules:\n  alerts/route: {with: {page-severities: [critical]}}\n";
    let dir = repo(&[
        ("rules.yaml", rules),
        ("alertmanager.yml", &am("\"null\"")),
        ("prr.yaml", cfg),
    ]);
    let fs = findings(dir.path(), "alerts/route");
    assert_eq!(fs.len(), 1, "{fs:#?}");
    assert!(
        fs[0]
            .message
            .contains("severity=critical, in page-severities")
    );
}

#[test]
fn falling_through_to_the_root_when_routes_match_severity_is_a_warning() {
    let dir = repo(&[("rules.yaml", RULES), ("alertmanager.yml", &am("pager"))]);
    let fs = findings(dir.path(), "alerts/route");
    assert_eq!(fs.len(), 1, "{fs:#?}");
    assert_eq!(fs[0].level, Level::Warning);
    assert_eq!(fs[0].line, 9, "at the severity value");
    assert!(
        fs[0]
            .message
            .contains("alert `DiskFull` falls through to the root receiver `chat`")
    );
    assert!(
        fs[0]
            .message
            .contains("no route matches its labels (`severity: crit`, …)")
    );
    // A tree that does not route on severity: no warning.
    let by_team = am("pager")
        .replace("severity=\"critical\"", "team=\"a\"")
        .replace("severity=\"warning\"", "team=\"b\"");
    let dir = repo(&[("rules.yaml", RULES), ("alertmanager.yml", &by_team)]);
    assert_eq!(findings(dir.path(), "alerts/route"), vec![]);
}

#[test]
fn severity_values_come_from_the_routes() {
    // `crit` is used once, `critical` once: the vocabulary alone would
    // accept both; the routes match `critical` and `warning` only.
    let dir = repo(&[("rules.yaml", RULES), ("alertmanager.yml", &am("pager"))]);
    let fs = findings(dir.path(), "alerts/severity-label");
    assert_eq!(fs.len(), 1, "{fs:#?}");
    assert_eq!(fs[0].line, 9);
    assert!(
        fs[0].message.contains("`severity: crit`, which no route of the Alertmanager configuration (alertmanager.yml:1) matches (they match critical, warning)"),
        "{}",
        fs[0].message
    );
    // Without the Alertmanager configuration: no finding on `crit`.
    let dir = repo(&[("rules.yaml", RULES)]);
    let fs: Vec<_> = findings(dir.path(), "alerts/severity-label")
        .into_iter()
        .filter(|f| f.line == 9)
        .collect();
    assert_eq!(fs, vec![]);
}

#[test]
fn configuration_problems_are_findings_at_their_line() {
    let bad = am("pagr");
    let dir = repo(&[("rules.yaml", RULES), ("alertmanager.yml", &bad)]);
    let fs = findings(dir.path(), "alerts/alertmanager-config");
    assert_eq!(fs.len(), 1, "{fs:#?}");
    assert_eq!(
        (fs[0].path.as_str(), fs[0].line, fs[0].level),
        ("alertmanager.yml", 5, Level::Error)
    );
    assert!(
        fs[0]
            .message
            .ends_with("undefined receiver \"pagr\" used in route"),
        "{}",
        fs[0].message
    );
    let dir = repo(&[("rules.yaml", RULES), ("alertmanager.yml", &am("pager"))]);
    assert_eq!(findings(dir.path(), "alerts/alertmanager-config"), vec![]);
    // Not YAML of the right shape at all: no crash, no configuration.
    let dir = repo(&[("alertmanager.yml", "route: [1, 2]\nreceivers: 3\n")]);
    assert_eq!(findings(dir.path(), "alerts/alertmanager-config"), vec![]);
    let dir = repo(&[(
        "alertmanager.yml",
        "route: {receiver: x, routes: 3, matchers: 5}\nreceivers: [1, {name: x}]\n",
    )]);
    let fs = findings(dir.path(), "alerts/alertmanager-config");
    assert!(
        fs.iter()
            .any(|f| f.message.contains("a receiver must be a mapping")),
        "{fs:#?}"
    );
}
