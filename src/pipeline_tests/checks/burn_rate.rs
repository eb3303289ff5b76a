//! `checks::burn_rate` on whole runs of the pipeline.
#[test]
fn split_takes_the_larger_constant_as_the_factor() {
    let e = |q: &str| promql_parser::parser::parse(q).unwrap();
    assert_eq!(
        crate::checks::burn_rate::split(&e("(14.4 * 0.001)")),
        Some((14.4, 0.001))
    );
    assert_eq!(
        crate::checks::burn_rate::split(&e("0.001 * 6")),
        Some((6.0, 0.001))
    );
    // Sloth's 28-day slow ticket: a factor below 1.
    assert_eq!(
        crate::checks::burn_rate::split(&e("(0.9333 * 0.001)")),
        Some((0.9333, 0.001))
    );
    assert_eq!(crate::checks::burn_rate::split(&e("2 * 3")), None);
}

use crate::finding::Finding;
use crate::testutil::{findings, fixtures, repo};

const RULE: &str = "alerts/burn-rate";

fn fixture(rel: &str) -> String {
    std::fs::read_to_string(fixtures().join("slo").join(rel)).expect("fixture")
}

fn lines(f: &[Finding]) -> Vec<(String, u32)> {
    f.iter().map(|f| (f.path.clone(), f.line)).collect()
}

/// Sloth's getting-started example with both generated alerts disabled.
fn sloth_disabled() -> String {
    fixture("sloth/examples/getting-started.yml")
        .replace(
            "      page_alert:\n",
            "      page_alert:\n        disable: true\n",
        )
        .replace(
            "      ticket_alert:\n",
            "      ticket_alert:\n        disable: true\n",
        )
}

#[test]
fn sloth_generated_alerts() {
    let dir = repo(&[("slo.yml", &fixture("sloth/examples/getting-started.yml"))]);
    assert_eq!(findings(dir.path(), RULE), vec![]);
    let dir = repo(&[("slo.yml", &sloth_disabled())]);
    let f = findings(dir.path(), RULE);
    // Pointed at each `disable: true`.
    assert_eq!(
        lines(&f),
        vec![("slo.yml".to_string(), 24), ("slo.yml".to_string(), 29)]
    );
    assert!(
        f[0].message.contains("fast-burn (page)")
            && f[0].message.contains("page alert is disabled")
    );
    assert!(f[1].message.contains("slow-burn (ticket)"));
}

/// Sloth's real generated rules (`_gen/`) cover the SLO even when the
/// spec in the repository has its alerts switched off.
#[test]
fn sloth_gen_rules_count_as_coverage() {
    let dir = repo(&[
        ("slo.yml", &sloth_disabled()),
        (
            "_gen/getting-started.yml",
            &fixture("sloth/examples/_gen/getting-started.yml"),
        ),
    ]);
    assert_eq!(findings(dir.path(), RULE), vec![]);
    // The generated rules of another SLO do not.
    let dir = repo(&[
        ("slo.yml", &sloth_disabled()),
        (
            "_gen/home-wifi.yml",
            &fixture("sloth/examples/_gen/home-wifi.yml"),
        ),
    ]);
    assert_eq!(findings(dir.path(), RULE).len(), 2);
}

/// All Sloth examples with their `_gen` output: only the SLOs whose
/// alerts Sloth does not generate (no-alerts.yml, and the OpenSLO
/// inputs, which Sloth reads without alerts) are reported, and no
/// generated threshold is inconsistent with its objective.
#[test]
fn sloth_examples_and_pyrra() {
    let f = findings(&fixtures().join("slo/sloth/examples"), RULE);
    let mut files: Vec<&str> = f.iter().map(|f| f.path.as_str()).collect();
    files.dedup();
    assert_eq!(
        files,
        vec![
            "no-alerts.yml",
            "openslo-getting-started.yml",
            "openslo-kubernetes-apiserver.yml"
        ]
    );
    assert_eq!(f.len(), 10, "{f:?}");
    assert!(f.iter().all(|f| f.message.contains("has no multi-window")));
    // Pyrra generates burn-rate alerts for every SLO.
    assert_eq!(findings(&fixtures().join("slo/pyrra"), RULE), vec![]);
}

#[test]
fn pyrra_disabled() {
    let slo = "apiVersion: pyrra.dev/v1alpha1\nkind: ServiceLevelObjective\nmetadata: {name: api-errors}\nspec:\n  target: \"99\"\n  window: 4w\n  alerting:\n    disabled: true\n  indicator:\n    ratio:\n      errors: {metric: 'http_requests_total{code=~\"5..\"}'}\n      total: {metric: http_requests_total}\n";
    let dir = repo(&[("slo.yaml", slo)]);
    let f = findings(dir.path(), RULE);
    assert_eq!(
        lines(&f),
        vec![("slo.yaml".to_string(), 8), ("slo.yaml".to_string(), 8)]
    );
    assert!(f[0].message.contains("generated alerts are disabled"));
}

const OPENSLO: &str = "apiVersion: openslo/v1\nkind: SLO\nmetadata: {name: checkout-availability}\nspec:\n  service: checkout\n  indicator:\n    metadata: {name: errors}\n    spec:\n      ratioMetric:\n        counter: true\n        bad:\n          metricSource:\n            type: Prometheus\n            spec: {query: 'sum(rate(http_requests_total{job=\"checkout\",code=~\"5..\"}[5m]))'}\n        total:\n          metricSource:\n            type: Prometheus\n            spec: {query: 'sum(rate(http_requests_total{job=\"checkout\"}[5m]))'}\n  timeWindow: [{duration: 30d, isRolling: true}]\n  budgetingMethod: Occurrences\n  objectives:\n    - target: 0.999\n";

/// A rule file with one alert per `(name, factor or threshold, long, short)`.
fn rules(alerts: &[(&str, &str, &str, &str)]) -> String {
    let mut s = String::from("groups:\n- name: checkout-slo\n  rules:\n");
    for (name, threshold, long, short) in alerts {
        let ratio = |w: &str| {
            format!(
                "sum(rate(http_requests_total{{job=\"checkout\",code=~\"5..\"}}[{w}])) / sum(rate(http_requests_total{{job=\"checkout\"}}[{w}]))"
            )
        };
        s.push_str(&format!(
            "  - alert: {name}\n    expr: |\n      ({} > {threshold})\n      and\n      ({} > {threshold})\n    labels: {{severity: page}}\n",
            ratio(long),
            ratio(short)
        ));
    }
    s
}

#[test]
fn hand_written_rules_for_openslo() {
    let good = rules(&[
        ("FastBurn", "(14.4 * (1 - 0.999))", "1h", "5m"),
        ("FastBurnSlow", "(6 * (1 - 0.999))", "6h", "30m"),
        ("SlowBurn", "0.003", "1d", "2h"),
        ("SlowBurnLong", "0.001", "3d", "6h"),
    ]);
    let dir = repo(&[("slo.yaml", OPENSLO), ("alerts.yaml", &good)]);
    assert_eq!(findings(dir.path(), RULE), vec![]);
    // Only the page alerts: the slow burn is missing, reported at the SLO.
    let page_only = rules(&[
        ("FastBurn", "(14.4 * (1 - 0.999))", "1h", "5m"),
        ("FastBurnSlow", "0.006", "6h", "30m"),
    ]);
    let dir = repo(&[("slo.yaml", OPENSLO), ("alerts.yaml", &page_only)]);
    let f = findings(dir.path(), RULE);
    assert_eq!(lines(&f), vec![("slo.yaml".to_string(), 1)]);
    assert!(
        f[0].message.contains("slow-burn (ticket)"),
        "{}",
        f[0].message
    );
    // Thresholds built for a 99 % objective: inconsistent, and no page coverage left.
    let wrong = rules(&[
        ("FastBurn", "(14.4 * 0.01)", "1h", "5m"),
        ("FastBurnSlow", "0.06", "6h", "30m"),
    ]);
    let dir = repo(&[
        ("slo.yaml", OPENSLO),
        ("alerts.yaml", &wrong),
        (
            "tickets.yaml",
            &rules(&[("SlowBurn", "(3 * 0.001)", "1d", "2h")]).replace("checkout-slo", "tickets"),
        ),
    ]);
    let f = findings(dir.path(), RULE);
    assert_eq!(
        lines(&f),
        vec![
            ("alerts.yaml".to_string(), 6),
            ("alerts.yaml".to_string(), 12),
            ("slo.yaml".to_string(), 1)
        ]
    );
    assert!(
        f[0].message
            .contains("14.4 × 0.01 = 0.144, but the budget is 0.001: use 14.4 × 0.001 = 0.0144"),
        "{}",
        f[0].message
    );
    assert!(
        f[1].message.contains("a burn rate of 60× the budget"),
        "{}",
        f[1].message
    );
    assert!(
        f[2].message.contains("fast-burn (page)"),
        "{}",
        f[2].message
    );
}

#[test]
fn single_window_and_unrelated_alerts() {
    let single = "groups:\n- name: g\n  rules:\n  - alert: ErrorsHigh\n    expr: sum(rate(http_requests_total{job=\"checkout\",code=~\"5..\"}[1h])) / sum(rate(http_requests_total{job=\"checkout\"}[1h])) > 0.0144\n  - alert: OtherService\n    expr: (sum(rate(other_total[1h])) > 0.0144) and (sum(rate(other_total[5m])) > 0.0144)\n";
    let dir = repo(&[("slo.yaml", OPENSLO), ("alerts.yaml", single)]);
    let f = findings(dir.path(), RULE);
    assert_eq!(f.len(), 2);
    assert!(
        f[0].message
            .contains("alert `ErrorsHigh` uses a single window"),
        "{}",
        f[0].message
    );
}
