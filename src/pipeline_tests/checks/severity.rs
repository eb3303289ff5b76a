//! `checks::severity` on whole runs of the pipeline.
use crate::checks::severity::*;

fn vocab(pairs: &[(&str, usize)]) -> Vocabulary {
    Vocabulary {
        counts: pairs.iter().map(|(k, n)| (k.to_string(), *n)).collect(),
        labelled: pairs.iter().map(|(_, n)| n).sum(),
        alerts: pairs.iter().map(|(_, n)| n).sum(),
    }
}

#[test]
fn alertmanager_without_a_pager_means_nothing_pages() {
    use crate::testutil::{findings, repo};
    let rules = "groups:\n- name: g\n  rules:\n  - alert: Down\n    expr: up == 0\n    labels: {severity: critical}\n";
    let slack = "route: {receiver: chat}\nreceivers:\n- name: chat\n  slack_configs: [{channel: '#alerts'}]\n";
    let dir = repo(&[("rules.yaml", rules), ("alertmanager.yml", slack)]);
    let fs = findings(dir.path(), "alerts/for");
    assert_eq!(fs.len(), 1, "{fs:#?}");
    assert_eq!(fs[0].level, crate::finding::Level::Notice);
    assert_eq!(fs[0].path, "alertmanager.yml");
    // A PagerDuty receiver the alert does not reach: the routes decide,
    // `critical` alone does not page.
    let pd = format!("{slack}- name: pager\n  pagerduty_configs: [{{routing_key_file: /k}}]\n");
    let dir = repo(&[("rules.yaml", rules), ("alertmanager.yml", &pd)]);
    assert_eq!(findings(dir.path(), "alerts/for"), vec![]);
    // Routed to it: it pages, and the message says why.
    let routed = pd.replace(
        "route: {receiver: chat}",
        "route:\n  receiver: chat\n  routes: [{matchers: [severity=critical], receiver: pager}]",
    );
    let dir = repo(&[("rules.yaml", rules), ("alertmanager.yml", &routed)]);
    let fs = findings(dir.path(), "alerts/for");
    assert_eq!(fs.len(), 1, "{fs:#?}");
    assert!(
        fs[0].message.contains(
            "Alertmanager routes it to receiver `pager` (pagerduty_configs) of alertmanager.yml:1"
        ),
        "{}",
        fs[0].message
    );
    // A webhook receiver pages only when prr.yaml lists it.
    let hook = routed.replace(
        "pagerduty_configs: [{routing_key_file: /k}]",
        "webhook_configs: [{url: 'https://x.invalid/'}]",
    );
    let dir = repo(&[("rules.yaml", rules), ("alertmanager.yml", &hook)]);
    assert_eq!(findings(dir.path(), "alerts/for"), vec![]);
    let dir = repo(&[
        ("rules.yaml", rules),
        ("alertmanager.yml", &hook),
        ("prr.yaml", "paging-receivers: [pager]\n"),
    ]);
    assert_eq!(findings(dir.path(), "alerts/for").len(), 1);
    // Alertmanager's own test data is not this repository's routing.
    let dir = repo(&[("rules.yaml", rules), ("testdata/alertmanager.yml", slack)]);
    assert_eq!(findings(dir.path(), "alerts/for").len(), 1);
}

#[test]
fn slips_of_common_values_are_found() {
    let v = vocab(&[
        ("critical", 40),
        ("Critical", 1),
        ("critcal", 1),
        ("warning", 30),
    ]);
    assert_eq!(v.slip_of("Critical"), Some("critical"));
    assert_eq!(v.slip_of("critcal"), Some("critical"));
    assert_eq!(v.slip_of("warning"), None);
}

#[test]
fn distinct_schemes_are_not_slips() {
    // Priorities and per-team values are a vocabulary, not typos.
    let v = vocab(&[
        ("p1", 30),
        ("p2", 2),
        ("sev1", 9),
        ("sev3", 1),
        ("team-a", 3),
    ]);
    assert_eq!(v.slip_of("p2"), None);
    assert_eq!(v.slip_of("sev3"), None);
    let v = vocab(&[
        ("datahub_prod", 26),
        ("datahub_dev", 26),
        ("high", 30),
        ("medium", 20),
    ]);
    assert_eq!(v.slip_of("datahub_dev"), None);
    assert_eq!(v.slip_of("medium"), None);
    // A rare value close to a common one but not three times rarer.
    let v = vocab(&[("warn", 2), ("want", 1)]);
    assert_eq!(v.slip_of("want"), None);
}
