//! `checks::duplicate` on whole runs of the pipeline.
use crate::testutil::{findings, repo};

fn at(fs: &[crate::finding::Finding]) -> Vec<(String, u32)> {
    fs.iter().map(|f| (f.path.clone(), f.line)).collect()
}

const RULE: &str = "groups:\n- name: g\n  rules:\n  - alert: HighErrors\n    expr: job:errors:ratio_rate5m > 0.05\n    labels: {severity: page}\n";

#[test]
fn copies_per_deploy_target_are_not_duplicates() {
    // Per-environment folders: each is loaded by its own Prometheus.
    let dir = repo(&[
        ("rules/staging/app.yaml", RULE),
        ("rules/production/app.yaml", RULE),
    ]);
    assert!(findings(dir.path(), "alerts/duplicate").is_empty());
    // One folder, file names naming different environments.
    let dir = repo(&[
        ("rules/kubernetes-staging.yaml", RULE),
        ("rules/kubernetes-prod.yaml", RULE),
        ("rules/app_pre-prod.yaml", RULE),
    ]);
    assert!(findings(dir.path(), "alerts/duplicate").is_empty());
    // PrometheusRules in two namespaces, even in one folder.
    let obj = |ns: &str| {
        format!(
            "apiVersion: monitoring.coreos.com/v1\nkind: PrometheusRule\nmetadata: {{name: app-{ns}, namespace: {ns}}}\nspec:\n  groups:\n  - name: g\n    rules:\n    - alert: HighErrors\n      expr: job:errors:ratio_rate5m > 0.05\n"
        )
    };
    let (stage, prod) = (obj("stage"), obj("production"));
    let dir = repo(&[
        ("k8s/app-stage.yaml", &stage),
        ("k8s/app-production.yaml", &prod),
    ]);
    assert!(findings(dir.path(), "alerts/duplicate").is_empty());
}

#[test]
fn copies_in_one_evaluation_scope_are_duplicates() {
    // Two files of one folder: a `rule_files: [rules/*.yaml]` loads both.
    let dir = repo(&[("rules/a.yaml", RULE), ("rules/b.yaml", RULE)]);
    let fs = findings(dir.path(), "alerts/duplicate");
    assert_eq!(at(&fs), vec![("rules/b.yaml".to_string(), 4)]);
    assert!(
        fs[0].message.contains("rules/a.yaml:4 (folder `rules/`"),
        "{}",
        fs[0].message
    );
    // PrometheusRules of one namespace in two folders.
    let obj = |n: &str| {
        format!(
            "apiVersion: monitoring.coreos.com/v1\nkind: PrometheusRule\nmetadata: {{name: {n}, namespace: shop}}\nspec:\n  groups:\n  - name: g\n    rules:\n    - alert: HighErrors\n      expr: job:errors:ratio_rate5m > 0.05\n"
        )
    };
    let (a, b) = (obj("a"), obj("b"));
    let dir = repo(&[("x/a.yaml", &a), ("y/b.yaml", &b)]);
    let fs = findings(dir.path(), "alerts/duplicate");
    assert_eq!(at(&fs), vec![("y/b.yaml".to_string(), 8)]);
    assert!(
        fs[0].message.contains("namespace `shop`"),
        "{}",
        fs[0].message
    );
    // The scope is configurable: `file` accepts the two-file folder.
    let cfg = "rules:\n  alerts/duplicate:\n    with: {scope: file}\n";
    let dir = repo(&[
        ("rules/a.yaml", RULE),
        ("rules/b.yaml", RULE),
        ("prr.yaml", cfg),
    ]);
    assert!(findings(dir.path(), "alerts/duplicate").is_empty());
    // `repository` compares the per-environment copies too.
    let cfg = "rules:\n  alerts/duplicate:\n    with: {scope: repository}\n";
    let dir = repo(&[
        ("rules/staging/app.yaml", RULE),
        ("rules/production/app.yaml", RULE),
        ("prr.yaml", cfg),
    ]);
    assert_eq!(findings(dir.path(), "alerts/duplicate").len(), 1);
}

#[test]
fn same_alert_identity_with_another_expression_is_a_duplicate() {
    let rules = "groups:\n- name: g\n  rules:\n  - alert: HighErrors\n    expr: job:errors:ratio_rate5m > 0.05\n    labels: {severity: page}\n  - alert: HighErrors\n    expr: job:errors:ratio_rate1h > 0.01\n    labels: {severity: page}\n  - alert: HighErrors\n    expr: job:errors:ratio_rate6h > 0.01\n    labels: {severity: ticket}\n";
    let dir = repo(&[("a.yaml", rules)]);
    let fs = findings(dir.path(), "alerts/duplicate");
    assert_eq!(at(&fs), vec![("a.yaml".to_string(), 7)]);
    assert!(
        fs[0].message.contains("a different expression"),
        "{}",
        fs[0].message
    );
    // Comments in a multi-line expression do not hide the selectors.
    let commented = "groups:\n- name: g\n  rules:\n  - alert: Drop\n    expr: |\n      # main\n      rate(x{svc=\"a\"}[5m]) < 1\n  - alert: Drop\n    expr: |\n      # analytics\n      rate(x{svc=\"b\"}[5m]) < 1\n";
    let dir = repo(&[("a.yaml", commented)]);
    assert!(findings(dir.path(), "alerts/duplicate").is_empty());
    // label_replace setting a label to different values: told apart.
    let relabelled = "groups:\n- name: g\n  rules:\n  - alert: Regression\n    expr: label_replace(sum(rate(x[5m])) > 1, \"bucket\", \"p75\", \"\", \"\")\n  - alert: Regression\n    expr: label_replace(sum(rate(y[5m])) > 1, \"bucket\", \"p95\", \"\", \"\")\n";
    let dir = repo(&[("a.yaml", relabelled)]);
    assert!(findings(dir.path(), "alerts/duplicate").is_empty());
    // The same alert per instance: different `pod` series, told apart.
    let per_pod = "groups:\n- name: g\n  rules:\n  - alert: PodCrashLooping\n    expr: kube_pod_container_status_restarts_total{pod=~\"a-.*\"} > 3\n    labels: {severity: team-a}\n  - alert: PodCrashLooping\n    expr: kube_pod_container_status_restarts_total{pod=~\"b-.*\"} > 3\n    labels: {severity: team-a}\n";
    let dir = repo(&[("a.yaml", per_pod)]);
    assert!(findings(dir.path(), "alerts/duplicate").is_empty());
    // Aggregated away, the per-pod constraint no longer tells them apart.
    let summed = per_pod
        .replace("kube_pod", "sum(kube_pod")
        .replace("} > 3", "}) > 3");
    let dir = repo(&[("a.yaml", &summed)]);
    assert_eq!(findings(dir.path(), "alerts/duplicate").len(), 1);
}

#[test]
fn recording_rules_over_disjoint_series_are_not_duplicates() {
    let ok = "groups:\n- name: g\n  rules:\n  - record: code:http_requests:rate5m\n    expr: sum by (code) (rate(http_requests_total{code=~\"2..\"}[5m]))\n  - record: code:http_requests:rate5m\n    expr: sum by (code) (rate(http_requests_total{code=~\"5..\"}[5m]))\n";
    let dir = repo(&[("a.yaml", ok)]);
    assert!(findings(dir.path(), "alerts/duplicate").is_empty());
    // Overlapping matchers prove nothing: `!=` on both sides, a regex
    // that also matches the other's values.
    for (a, b) in [
        ("code!=\"500\"", "code!=\"404\""),
        ("code=~\"2..\"", "code=~\"2..|5..\""),
        ("code=~\".*\"", "code=\"200\""),
        ("code=\"2.0\"", "code=~\"2..\""),
    ] {
        let rules = format!(
            "groups:\n- name: g\n  rules:\n  - record: code:r:rate5m\n    expr: sum by (code) (rate(r{{{a}}}[5m]))\n  - record: code:r:rate5m\n    expr: sum by (code) (rate(r{{{b}}}[5m]))\n"
        );
        let dir = repo(&[("a.yaml", &rules)]);
        assert_eq!(
            findings(dir.path(), "alerts/duplicate").len(),
            1,
            "{a} vs {b}"
        );
    }
    // One side a literal: decided exactly against the other's matcher.
    for (a, b) in [
        ("proxy!~\"(mysql|trove-api)\"", "proxy=\"trove-api\""),
        ("op=~\"(run|stop)_sandbox\"", "op=\"list_images\""),
        ("op!=\"list_images\"", "op=\"list_images\""),
        ("cluster=~\"logging-.+\"", "cluster=\"jumbo\""),
        ("instance=~\"dse-k8s-.*\"", "instance!~\"dse-k8s.*\""),
    ] {
        let rules = format!(
            "groups:\n- name: g\n  rules:\n  - alert: Slow\n    expr: x{{{a}}} > 1\n  - alert: Slow\n    expr: x{{{b}}} > 3\n"
        );
        let dir = repo(&[("a.yaml", &rules)]);
        assert!(
            findings(dir.path(), "alerts/duplicate").is_empty(),
            "{a} vs {b}"
        );
    }
    // A third copy is compared with every earlier definition: the
    // exact copy of the second is reported even though the first is
    // disjoint from it.
    let three = format!(
        "{ok}  - record: code:http_requests:rate5m\n    expr: sum by (code) (rate(http_requests_total{{code=~\"5..\"}}[5m]))\n"
    );
    let dir = repo(&[("a.yaml", &three)]);
    let fs = findings(dir.path(), "alerts/duplicate");
    assert_eq!(fs.len(), 1, "{fs:#?}");
    assert!(
        fs[0].message.contains("a.yaml:6 with the same expression"),
        "{}",
        fs[0].message
    );
    // The label is aggregated away: both write the one series `{}`.
    let clash = "groups:\n- name: g\n  rules:\n  - record: http_requests:rate5m\n    expr: sum(rate(http_requests_total{code=~\"2..\"}[5m]))\n  - record: http_requests:rate5m\n    expr: sum(rate(http_requests_total{code=~\"5..\"}[5m]))\n";
    let dir = repo(&[("a.yaml", clash)]);
    let fs = findings(dir.path(), "alerts/duplicate");
    assert_eq!(at(&fs), vec![("a.yaml".to_string(), 6)]);
    assert!(fs[0].message.contains("samples clash"), "{}", fs[0].message);
}
