//! Unit tests: every dialect read from the bundled fixtures.

use super::*;
use crate::config::Config;

fn scan(dir: &str) -> Vec<SloSpec> {
    let root = crate::testutil::fixtures().join("slo").join(dir);
    crate::inventory::scan(&root, &Config::default_for(&root))
        .expect("scan")
        .slos
}

fn named<'a>(slos: &'a [SloSpec], name: &str) -> &'a SloSpec {
    slos.iter().find(|s| s.name == name).expect(name)
}

#[test]
fn openslo_examples() {
    let slos = scan("openslo");
    // v1: one SLO (slis.yaml holds only `kind: SLI`); v1alpha: two.
    assert_eq!(slos.len(), 3);
    assert!(slos.iter().all(|s| s.schema_issues.is_empty()), "{slos:?}");
    let web = named(&slos, "web-availability");
    assert_eq!(web.path, "pkg/openslo/v1/examples/slos.yaml");
    assert_eq!(web.service.as_deref(), Some("web"));
    assert_eq!(web.objective.as_ref().map(|o| o.ratio), Some(0.995));
    assert_eq!(web.objective.as_ref().map(|o| o.pos.line), Some(41));
    assert_eq!(web.window.as_ref().and_then(|w| w.seconds), Some(604_800.0));
    let roles: Vec<_> = web
        .sli
        .iter()
        .map(|q| (q.role.as_str(), q.language.as_str(), q.pos.line))
        .collect();
    assert_eq!(roles, vec![("good", "promql", 25), ("total", "promql", 30)]);
    assert_eq!(web.category, SliCategory::Availability);
    let th = named(&slos, "web-latency-threshold");
    assert_eq!(th.category, SliCategory::Latency);
    assert_eq!(th.window.as_ref().map(|w| w.raw.as_str()), Some("1 Week"));
    let dd = named(&slos, "web-availability-ratio");
    assert!(dd.sli.iter().all(|q| q.language == "datadog"));
}

#[test]
fn pyrra_examples() {
    let slos = scan("pyrra");
    assert_eq!(slos.len(), 14);
    assert!(
        slos.iter()
            .all(|s| s.format == SloFormat::Pyrra && s.schema_issues.is_empty())
    );
    assert!(
        slos.iter()
            .all(|s| s.generates_page_alert && s.generates_ticket_alert)
    );
    assert!(
        slos.iter()
            .all(|s| s.window.as_ref().and_then(|w| w.seconds) == Some(14.0 * 86_400.0))
    );
    let lat = named(&slos, "apiserver-read-cluster-latency");
    let o = lat.objective.as_ref().expect("objective");
    assert_eq!((o.raw.as_str(), o.ratio, o.pos.line), ("99", 0.99, 17));
    assert_eq!(lat.category, SliCategory::Latency);
    let dns = named(&slos, "coredns-response-errors");
    assert!((dns.objective.as_ref().map_or(0.0, |o| o.ratio) - 0.9999).abs() < 1e-12);
    assert_eq!(dns.category, SliCategory::Availability);
    let latency = slos
        .iter()
        .filter(|s| s.category == SliCategory::Latency)
        .count();
    assert_eq!(latency, 3);
}

#[test]
fn slo_generator_samples() {
    let slos = scan("slo-generator");
    assert_eq!(slos.len(), 4);
    assert!(
        slos.iter()
            .all(|s| s.schema_issues.is_empty() && s.service.as_deref() == Some("prom"))
    );
    let lat = slos
        .iter()
        .filter(|s| s.category == SliCategory::Latency)
        .count();
    assert_eq!(lat, 2, "distribution_cut and the `le=` query_sli");
    assert!(slos.iter().all(|s| s.window.is_none() && !s.window_in_file));
    assert!(
        slos.iter()
            .any(|s| s.objective.as_ref().map(|o| o.ratio) == Some(0.9999))
    );
}

#[test]
fn sloth_examples() {
    let slos = scan("sloth/examples");
    assert_eq!(slos.len(), 27);
    assert!(slos.iter().all(|s| s.schema_issues.is_empty()), "{slos:?}");
    let na = named(&slos, "http-availability");
    assert!(!na.generates_page_alert && !na.generates_ticket_alert);
    assert_eq!(
        na.alerts_disabled_at
            .iter()
            .map(|(k, p)| (k.as_str(), p.line))
            .collect::<Vec<_>>(),
        vec![("page", 27), ("ticket", 29)]
    );
    let lat = slos
        .iter()
        .find(|s| s.name == "requests-latency")
        .expect("latency");
    assert_eq!(lat.category, SliCategory::Latency);
    // OpenSLO objectives read through Sloth are named `<name>-<index>`.
    assert!(slos.iter().any(|s| s.name == "requests-latency-openslo-1"));
    let gs = slos
        .iter()
        .find(|s| s.path == "getting-started.yml")
        .expect("getting started");
    assert_eq!(
        (gs.objective.as_ref().map(|o| o.raw.as_str()), gs.sli.len()),
        (Some("99.9"), 2)
    );
}

#[test]
fn indicator_ref_resolves_across_files() {
    let dir = crate::testutil::repo(&[
        (
            "slis/sli.yaml",
            "apiVersion: openslo/v1\nkind: SLI\nmetadata: {name: checkout-errors}\nspec:\n  ratioMetric:\n    counter: true\n    bad:\n      metricSource:\n        type: Prometheus\n        spec: {query: 'sum(rate(http_requests_total{code=~\"5..\"}[5m]))'}\n    total:\n      metricSource:\n        type: Prometheus\n        spec: {query: 'sum(rate(http_requests_total[5m]))'}\n",
        ),
        (
            "slos/slo.yaml",
            "apiVersion: openslo/v1\nkind: SLO\nmetadata: {name: checkout-availability}\nspec:\n  service: checkout\n  indicatorRef: checkout-errors\n  timeWindow: [{duration: 28d, isRolling: true}]\n  budgetingMethod: Occurrences\n  objectives: [{targetPercent: 99.5}]\n---\napiVersion: openslo/v1\nkind: SLO\nmetadata: {name: dangling}\nspec:\n  service: checkout\n  indicatorRef: nope\n  timeWindow: [{duration: 28d}]\n  objectives: [{target: 0.99}]\n",
        ),
    ]);
    let slos = crate::inventory::scan(dir.path(), &Config::default_for(dir.path()))
        .expect("scan")
        .slos;
    let ok = named(&slos, "checkout-availability");
    assert_eq!(ok.sli.len(), 2);
    assert_eq!(ok.sli[0].role, "bad");
    assert!((ok.objective.as_ref().map_or(0.0, |o| o.ratio) - 0.995).abs() < 1e-12);
    assert!(ok.schema_issues.is_empty());
    let bad = named(&slos, "dangling");
    assert_eq!(bad.schema_issues.len(), 1);
    assert_eq!(bad.schema_issues[0].0.line, 16);
    assert!(bad.schema_issues[0].1.contains("`indicatorRef: nope`"));
}

#[test]
fn names_and_templates() {
    assert!(valid_sloth_name("svc01") && valid_sloth_name("my.svc_a-b"));
    assert!(!valid_sloth_name("") && !valid_sloth_name("-a") && !valid_sloth_name("a b"));
    assert!(has_window_template("x[{{ .window }}]") && !has_window_template("x[5m]"));
    assert_eq!(
        render_query_template("rate(x[{{.window}}]) / rate(y[window])", "5m"),
        "rate(x[5m]) / rate(y[5m])"
    );
}
