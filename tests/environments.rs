//! Deploy environments decide where a finding gates (issue 12: "every
//! error is a claim an SRE would sign"). Each "does not gate" case is paired
//! with the case that must still gate.
//!
//! Fixtures are written inline: a Deployment with one replica, no requests
//! and a `:latest` image (three production-only rules) and no readiness
//! probe (a rule that holds everywhere).

mod support;

use support::{prr, write};

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
        &WEB.replace("  name: web\n", "  name: web\n  namespace: shop-prod\n"),
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
        &WEB.replace(
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
        &format!(
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
