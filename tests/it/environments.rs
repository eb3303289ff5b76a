//! Deploy environments decide where a finding gates (issue 12: "every
//! error is a claim an SRE would sign"). Each "does not gate" case is paired
//! with the case that must still gate.
//!
//! Fixtures are written inline: a Deployment with one replica, no requests
//! and a `:latest` image (three production-only rules) and no readiness
//! probe (a rule that holds everywhere).

use crate::support;

use crate::support::{prr, write};

const WEB: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: nginx:latest
        ports: [{containerPort: 80}]
";

const PRODUCTION_ONLY: &[&str] = &[
    "rollout/replicas",
    "rollout/resources",
    "rollout/image-pinned",
];

/// `(rule, suppressed, reason)` of the unsuppressed-or-suppressed errors and
/// warnings of a report.
fn gating(report: &serde_json::Value) -> Vec<(String, bool, String)> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["level"] == "error" || f["level"] == "warning")
        .map(|f| {
            (
                f["rule"].as_str().unwrap_or_default().to_string(),
                f["suppressed"].as_bool().unwrap_or(false),
                f["suppression"]["reason"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
            )
        })
        .collect()
}

fn gates(report: &serde_json::Value, rule: &str) -> bool {
    gating(report).iter().any(|(r, s, _)| r == rule && !s)
}

fn notices(report: &serde_json::Value) -> Vec<String> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["rule"] == "prr/environment")
        .map(|f| f["message"].as_str().unwrap_or_default().to_string())
        .collect()
}

#[test]
fn production_only_rules_do_not_gate_where_production_is_unknown() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "manifests/web.yaml", WEB);
    let (code, r, out) = prr(d.path(), &["check", ".", "--format", "json"]);
    for rule in PRODUCTION_ONLY {
        assert!(!gates(&r, rule), "{rule} gated: {out}");
        assert!(
            gating(&r).iter().any(|(x, s, why)| x == rule
                && *s
                && why.contains("not known to run in production")),
            "{rule} is kept, suppressed with its reason: {out}"
        );
    }
    // A missing readiness probe is a problem wherever the pod serves.
    assert!(gates(&r, "rollout/readiness-probe"), "{out}");
    assert_eq!(code, 1);
    let n = notices(&r);
    assert_eq!(n.len(), 1, "{n:?}");
    assert!(
        n[0].contains("rollout/replicas 1") && n[0].contains("production:"),
        "the notice counts them by rule and says how to gate: {}",
        n[0]
    );
    // --include-non-production gates them all.
    let (_, r, out) = prr(
        d.path(),
        &["check", ".", "--format", "json", "--include-non-production"],
    );
    for rule in PRODUCTION_ONLY {
        assert!(
            gates(&r, rule),
            "{rule} with --include-non-production: {out}"
        );
    }
}

#[test]
fn production_only_rules_gate_where_production_is_named_or_declared() {
    // A production folder, a production namespace, prr.yaml `production:`,
    // a declared service: each says the object runs in production.
    let named_folder = tempfile::tempdir().unwrap();
    write(named_folder.path(), "deploy/production/web.yaml", WEB);
    let namespace = tempfile::tempdir().unwrap();
    write(
        namespace.path(),
        "manifests/web.yaml",
        WEB.replace("  name: web\n", "  name: web\n  namespace: shop-prod\n"),
    );
    let globs = tempfile::tempdir().unwrap();
    write(globs.path(), "manifests/web.yaml", WEB);
    write(globs.path(), "prr.yaml", "production: [\"manifests/**\"]\n");
    let service = tempfile::tempdir().unwrap();
    write(service.path(), "manifests/web.yaml", WEB);
    write(
        service.path(),
        "prr.yaml",
        "services:\n  - name: web\n    paths: [\"manifests/**\"]\n    tier: important\n",
    );
    for (what, d) in [
        ("production folder", &named_folder),
        ("production namespace", &namespace),
        ("production: glob", &globs),
        ("declared service", &service),
    ] {
        let (code, r, out) = prr(d.path(), &["check", ".", "--format", "json"]);
        for rule in PRODUCTION_ONLY {
            assert!(gates(&r, rule), "{what}: {rule} must gate: {out}");
        }
        assert_eq!(code, 1, "{what}");
        assert!(notices(&r).is_empty(), "{what}: {:?}", notices(&r));
    }
}

#[test]
fn findings_of_non_production_environments_are_counted_not_gated() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "deploy/staging/web.yaml", WEB);
    let (code, r, out) = prr(d.path(), &["check", ".", "--format", "json"]);
    assert_eq!(code, 0, "nothing of staging gates: {out}");
    assert!(
        gating(&r)
            .iter()
            .any(|(x, s, why)| x == "rollout/readiness-probe"
                && *s
                && why.contains("non-production environment (`staging`)")),
        "{out}"
    );
    let n = notices(&r);
    assert_eq!(n.len(), 1, "{n:?}");
    assert!(n[0].contains("`staging`"), "{}", n[0]);
    // A namespace that names production wins over nothing, a folder that
    // names staging loses to a production namespace.
    write(
        d.path(),
        "deploy/staging/web.yaml",
        WEB.replace(
            "  name: web\n",
            "  name: web\n  namespace: shop-production\n",
        ),
    );
    let (code, r, out) = prr(d.path(), &["check", ".", "--format", "json"]);
    assert_eq!(code, 1, "{out}");
    assert!(gates(&r, "rollout/readiness-probe"), "{out}");
}

#[test]
fn secrets_gate_in_every_environment() {
    let d = tempfile::tempdir().unwrap();
    // A GitHub token shape (gitleaks' github-pat), built at run time so
    // that this source file holds none.
    let token = format!("ghp_{}", "ZjFGqq7j5QT0PFF9gaHCyrrBcHWX5bGUuXBm");
    write(
        d.path(),
        "deploy/staging/config.yaml",
        format!(
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: c}}\ndata:\n  token: {token}\n"
        ),
    );
    let (code, r, out) = prr(d.path(), &["check", ".", "--format", "json"]);
    assert_eq!(code, 1, "{out}");
    assert!(
        gating(&r)
            .iter()
            .any(|(x, s, _)| x.starts_with("secrets/") && !s),
        "{out}"
    );
}

/// A kustomize base with a `dev` and a `production` overlay in their own
/// namespaces.
fn overlays(d: &std::path::Path, production_kustomization: &str) {
    write(d, "k8s/base/web.yaml", WEB);
    write(d, "k8s/base/kustomization.yaml", "resources: [web.yaml]\n");
    write(
        d,
        "k8s/overlays/dev/kustomization.yaml",
        "namespace: shop-dev\nresources: [../../base]\n",
    );
    write(
        d,
        "k8s/overlays/production/kustomization.yaml",
        production_kustomization,
    );
}

/// Where the production overlay scales the base to 3, only the `dev` copy
/// runs one replica: that finding names the dev overlay and does not gate,
/// although the production copy starts at the same base line.
#[test]
#[ignore = "needs kubectl kustomize"]
fn a_finding_of_one_overlay_takes_that_overlays_environment() {
    support::require_kubectl();
    let d = tempfile::tempdir().unwrap();
    overlays(
        d.path(),
        "namespace: shop-prod\nresources: [../../base]\nreplicas: [{name: web, count: 3}]\n",
    );
    let (_, r, out) = prr(d.path(), &["check", ".", "--format", "json"]);
    let replicas: Vec<_> = gating(&r)
        .into_iter()
        .filter(|(x, _, _)| x == "rollout/replicas")
        .collect();
    assert_eq!(replicas.len(), 1, "{out}");
    assert!(
        replicas[0].1 && replicas[0].2.contains("`dev`"),
        "{replicas:?}"
    );
    // Must gate: the production overlay keeps one replica.
    overlays(d.path(), "namespace: shop-prod\nresources: [../../base]\n");
    let (code, r, out) = prr(d.path(), &["check", ".", "--format", "json"]);
    assert!(gates(&r, "rollout/replicas"), "{out}");
    assert_eq!(code, 1);
}

/// A production overlay that does not build (here: it lists a file that is
/// not there) leaves its base checked loose, and the base still deploys to
/// production: its findings gate (a pull request cannot break the overlay to
/// silence them). The `prr/render` warning says what did not build.
#[test]
#[ignore = "needs kubectl kustomize"]
fn a_production_overlay_that_does_not_build_still_gates_its_base() {
    support::require_kubectl();
    let d = tempfile::tempdir().unwrap();
    overlays(
        d.path(),
        "namespace: shop-prod\nresources: [../../base, missing.yaml]\n",
    );
    let (code, r, out) = prr(d.path(), &["check", ".", "--format", "json"]);
    assert!(gates(&r, "rollout/replicas"), "{out}");
    assert!(gates(&r, "prr/render"), "{out}");
    assert_eq!(code, 1);
}

const RULE_DOC: &str = "apiVersion: monitoring.coreos.com/v1
kind: PrometheusRule
metadata: {name: shop, namespace: NS}
spec:
  groups:
  - name: shop
    rules:
    - alert: ShopDown
      expr: sum(up{job=\"shop\"}) == 0
      for: 5m
      labels: {severity: SEVERITY}
      annotations:
        summary: shop {{ $labels.instance }} is down
";

/// A file holding the `-dev` and the `-prod` copy of a PrometheusRule: each
/// document has its own environment (`alerts/template-labels` reports the
/// `$labels.instance` that `sum` drops in both).
#[test]
fn each_rule_document_has_its_own_namespace() {
    let d = tempfile::tempdir().unwrap();
    let doc = |ns: &str| RULE_DOC.replace("NS", ns).replace("SEVERITY", "warning");
    write(
        d.path(),
        "monitoring/rules.yaml",
        format!("{}---\n{}", doc("shop-dev"), doc("shop-prod")),
    );
    let (_, r, out) = prr(d.path(), &["check", ".", "--format", "json"]);
    let labels: Vec<_> = gating(&r)
        .into_iter()
        .filter(|(x, _, _)| x == "alerts/template-labels")
        .map(|(_, s, _)| s)
        .collect();
    assert_eq!(
        labels,
        vec![true, false],
        "dev set aside, prod gates: {out}"
    );
}

/// An alert that pages someone runs in production, wherever its file is:
/// its missing runbook gates even in a `-dev` namespace.
#[test]
fn a_paging_alert_without_a_runbook_gates_in_any_environment() {
    let d = tempfile::tempdir().unwrap();
    let page = RULE_DOC
        .replace("NS", "shop-dev")
        .replace("SEVERITY", "critical")
        .replace("shop {{ $labels.instance }} is down", "shop is down");
    write(d.path(), "monitoring/rules.yaml", &page);
    write(
        d.path(),
        "alertmanager/alertmanager.yml",
        "route:\n  receiver: chat\n  routes: [{matchers: [severity=critical], receiver: pager}]\nreceivers:\n- name: chat\n  slack_configs: [{channel: '#alerts'}]\n- name: pager\n  pagerduty_configs: [{routing_key_file: /k}]\n",
    );
    let (code, r, out) = prr(d.path(), &["check", ".", "--format", "json"]);
    assert!(gates(&r, "alerts/runbook-annotation"), "{out}");
    assert_eq!(code, 1);
    // Must not gate: the same alert routed to chat only, in a `-dev`
    // namespace.
    write(
        d.path(),
        "monitoring/rules.yaml",
        page.replace("severity: critical", "severity: warning"),
    );
    let (_, r, out) = prr(d.path(), &["check", ".", "--format", "json"]);
    assert!(!gates(&r, "alerts/runbook-annotation"), "{out}");
}
