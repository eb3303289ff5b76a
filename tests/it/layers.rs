//! Layered config (`extends:`), tiers and the service catalog, through the
//! `prr` binary on small repositories written into temp folders: one
//! organisation file gives two services of different tiers different
//! requirements; errors point at the layer that wrote the value; `prr
//! config --resolved` shows where each value came from; the shipped
//! examples and packs validate against `prr schema`.

use crate::support;

use crate::support::{prr_output, write_files};
use serde_json::Value;
use std::path::Path;

fn json_check(root: &Path) -> (i32, Value) {
    let out = prr_output(root, &["check", ".", "--format", "json"]);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().unwrap_or(-1), v)
}

/// (rule, level, service) of the unsuppressed findings.
fn found(v: &Value) -> Vec<(String, String, String)> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["suppressed"] == false)
        .map(|f| {
            (
                f["rule"].as_str().unwrap_or("").to_string(),
                f["level"].as_str().unwrap_or("").to_string(),
                f["service"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

/// A Deployment with 2 replicas, probes, resources and a pinned image, not
/// spread across zones, with a PodDisruptionBudget: it passes the default
/// rollout rules.
fn deployment(name: &str) -> String {
    format!(
        r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
spec:
  replicas: 2
  selector:
    matchLabels: {{ app: {name} }}
  template:
    metadata:
      labels: {{ app: {name} }}
    spec:
      containers:
        - name: app
          image: ghcr.io/acme/{name}@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
          readinessProbe: {{ httpGet: {{ path: /ready, port: 8080 }} }}
          livenessProbe: {{ httpGet: {{ path: /live, port: 8080 }} }}
          resources:
            requests: {{ cpu: 100m, memory: 128Mi }}
            limits: {{ memory: 256Mi }}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {name}
spec:
  maxUnavailable: 1
  selector:
    matchLabels: {{ app: {name} }}
"#
    )
}

const ORG: &str = r#"# The platform team's policy, shared by every repository.
tiers:
  critical:
    rules:
      rollout/replicas: { with: { min: 3, zones: true } }
  experimental:
    max-level: warning
rules:
  prr/codeowners: { level: off }
  slo/present: { level: off }
  runbook/present: { level: off }
"#;

#[test]
fn one_org_file_gives_two_tiers_different_requirements() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write_files(
        root,
        &[
            ("platform/prr-org.yaml", ORG),
            (
                "prr.yaml",
                "extends: [./platform/prr-org.yaml]\nservices:\n  - name: pay\n    paths: [\"pay/**\"]\n    tier: critical\n  - name: lab\n    paths: [\"lab/**\"]\n    tier: experimental\n",
            ),
            ("pay/deploy.yaml", &deployment("pay")),
            ("lab/deploy.yaml", &deployment("lab")),
        ],
    );
    let (code, v) = json_check(root);
    let f = found(&v);
    let replicas: Vec<_> = f.iter().filter(|x| x.0 == "rollout/replicas").collect();
    // The critical service needs 3 replicas across zones: two findings, errors.
    assert_eq!(
        replicas
            .iter()
            .filter(|x| x.2 == "pay" && x.1 == "error")
            .count(),
        2,
        "{f:?}"
    );
    // The experimental one keeps the rule's own parameters: 2 replicas pass.
    assert!(!replicas.iter().any(|x| x.2 == "lab"), "{f:?}");
    assert_eq!(code, 1, "{f:?}");
    let msgs: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x["rule"] == "rollout/replicas")
        .filter_map(|x| x["message"].as_str())
        .collect();
    assert!(
        msgs.iter().any(|m| m.contains("at least 3 replicas")),
        "{msgs:?}"
    );
    assert!(msgs.iter().any(|m| m.contains("across zones")), "{msgs:?}");
}

#[test]
fn experimental_tier_is_capped_at_warning() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    // rollout/replicas does not apply to experimental (applies-to); the
    // readiness probe rule does: without the probe it is an error-level rule.
    let bad = deployment("lab")
        .replace("replicas: 2", "replicas: 1")
        .replace(
            "          readinessProbe: { httpGet: { path: /ready, port: 8080 } }\n",
            "",
        );
    write_files(
        root,
        &[
            ("platform/prr-org.yaml", ORG),
            (
                "prr.yaml",
                "extends: ./platform/prr-org.yaml\nservices:\n  - name: lab\n    tier: experimental\n",
            ),
            ("deploy.yaml", &bad),
        ],
    );
    let (code, v) = json_check(root);
    let f = found(&v);
    let probe: Vec<_> = f
        .iter()
        .filter(|x| x.0 == "rollout/readiness-probe")
        .collect();
    assert_eq!(probe.len(), 1, "{f:?}");
    assert_eq!(probe[0].1, "warning", "{f:?}");
    assert_eq!(code, 0, "{f:?}");
    // The same repository as a standard service blocks on it.
    write_files(
        root,
        &[(
            "prr.yaml",
            "extends: ./platform/prr-org.yaml\nservices:\n  - name: lab\n    tier: standard\n",
        )],
    );
    let (code, v) = json_check(root);
    let f = found(&v);
    assert!(
        f.iter()
            .any(|x| x.0 == "rollout/readiness-probe" && x.1 == "error"),
        "{f:?}"
    );
    assert_eq!(code, 1);
}

#[test]
fn a_later_layer_changes_one_rule_and_keeps_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write_files(
        root,
        &[
            (
                "org.yaml",
                "rules:\n  alerts/severity-label: { level: warning, with: { allowed: [p1, p2] } }\n  alerts/for: { level: error }\n",
            ),
            (
                "prr.yaml",
                "extends: ./org.yaml\nrules:\n  alerts/severity-label: { level: error }\n",
            ),
        ],
    );
    let out = prr_output(root, &["rules", ".", "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let level = |id: &str| {
        v.as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == id)
            .map(|r| r["level"].as_str().unwrap_or("").to_string())
    };
    assert_eq!(level("alerts/severity-label").as_deref(), Some("error"));
    assert_eq!(level("alerts/for").as_deref(), Some("error"));
    // The org's parameters survive the level change: p1 passes, critical fails.
    write_files(
        root,
        &[(
            "alerts.yaml",
            "groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up == 0\n        for: 5m\n        labels: { severity: p1 }\n      - alert: B\n        expr: up == 0\n        for: 5m\n        labels: { severity: critical }\n",
        )],
    );
    let (_, v) = json_check(root);
    let sev: Vec<u64> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "alerts/severity-label")
        .filter_map(|f| f["line"].as_u64())
        .collect();
    assert_eq!(sev, [11], "{v:#}");
}

#[test]
fn errors_point_at_the_layer_that_wrote_the_value() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write_files(
        root,
        &[
            (
                "org/base.yaml",
                "# org\nrules:\n  alerts/nope: { level: error }\n",
            ),
            ("prr.yaml", "extends: ./org/base.yaml\n"),
        ],
    );
    let out = prr_output(root, &["check", "."]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("org/base.yaml:3"), "{err}");
    assert!(err.contains("alerts/nope"), "{err}");
    // A wrong key in the org file: its own line, not prr.yaml's.
    write_files(root, &[("org/base.yaml", "# org\n\nignroe: [x]\n")]);
    let out = prr_output(root, &["check", "."]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("org/base.yaml:3"), "{err}");
    assert!(err.contains("ignroe"), "{err}");
}

#[test]
fn config_resolved_names_each_values_layer_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write_files(
        root,
        &[
            (
                "org.yaml",
                "extends: recommended\nrules:\n  alerts/for: { level: error }\n",
            ),
            ("prr.yaml", "extends: ./org.yaml\nignore: [\"gen/**\"]\n"),
        ],
    );
    let out = prr_output(root, &["config", ".", "--resolved"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("1. builtin:recommended"), "{text}");
    assert!(text.contains("2. org.yaml"), "{text}");
    assert!(text.contains("3. prr.yaml"), "{text}");
    let line = |needle: &str| {
        text.lines()
            .find(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("{needle} in {text}"))
            .to_string()
    };
    assert!(line("\"alerts/for\"").ends_with("# org.yaml:3"), "{text}");
    assert!(line("\"gen/**\"").ends_with("# prr.yaml:2"), "{text}");
    assert!(
        line("progressive").contains("# builtin:recommended:"),
        "{text}"
    );
    let out = prr_output(root, &["config", "."]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("3 layers"));
}

#[test]
fn tier_budget_policy_inherits_the_global_policy() {
    let root = Path::new("/repo");
    let c = prr::config::Config::parse(
        "budget:\n  providers: { f: { type: file, path: b.json } }\n  policy: { warning: 0.6, critical: 0.3 }\ntiers:\n  critical:\n    budget-policy: { warning: 0.8 }\n",
        Path::new("/repo/prr.yaml"),
        root,
    )
    .unwrap();
    let p = c.tiers[&prr::config::Tier::Critical]
        .budget_policy
        .as_ref()
        .unwrap();
    assert_eq!((p.warning, p.critical), (0.8, 0.3));
    assert_eq!(c.budget.as_ref().unwrap().policy.warning, 0.6);
}

#[test]
fn catalog_files_declare_services_and_tiers() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write_files(
        root,
        &[
            (
                "prr.yaml",
                "tiers:\n  critical:\n    rules:\n      rollout/replicas: { with: { min: 3 } }\n",
            ),
            (
                "pay/catalog-info.yaml",
                "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: pay\n  annotations:\n    prr.dev/tier: critical\nspec:\n  owner: team-pay\n  lifecycle: production\n",
            ),
            ("pay/deploy.yaml", &deployment("pay")),
            ("web/service.yaml", "name: web\ntier: standard\n"),
            ("web/deploy.yaml", &deployment("web")),
        ],
    );
    let (_, v) = json_check(root);
    let f = found(&v);
    let replicas: Vec<_> = f.iter().filter(|x| x.0 == "rollout/replicas").collect();
    assert_eq!(replicas.len(), 1, "{f:?}");
    assert_eq!(replicas[0].2, "pay");
}

#[test]
fn shipped_configs_packs_and_rules_validate_against_prr_schema() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let schema = |kind: &str| -> Value {
        let out = prr_output(repo, &["schema", kind]);
        assert!(out.status.success());
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let config = jsonschema::validator_for(&schema("config")).unwrap();
    let rule = jsonschema::validator_for(&schema("rule")).unwrap();
    let as_json = |p: &Path| -> Value {
        let text = std::fs::read_to_string(p).unwrap();
        prr::yaml::parse_documents(&text)
            .unwrap()
            .first()
            .map(|n| n.to_json())
            .unwrap_or(Value::Null)
    };
    let mut configs = vec![
        repo.join("examples/checkout/prr.yaml"),
        repo.join("examples/legacy/prr.yaml"),
    ];
    for e in std::fs::read_dir(repo.join("rules/packs")).unwrap() {
        configs.push(e.unwrap().path());
    }
    for p in &configs {
        let v = as_json(p);
        let errors: Vec<String> = config.iter_errors(&v).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{}: {errors:?}", p.display());
    }
    let mut n = 0;
    for e in std::fs::read_dir(repo.join("rules")).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "yaml") {
            let v = as_json(&p);
            let errors: Vec<String> = rule.iter_errors(&v).map(|e| e.to_string()).collect();
            assert!(errors.is_empty(), "{}: {errors:?}", p.display());
            n += 1;
        }
    }
    assert!(n >= 30, "{n} rule files");
    // And the schema rejects what prr rejects: an unknown key, a bad tier.
    let bad = serde_json::json!({"servics": []});
    assert!(!config.is_valid(&bad));
    let bad = serde_json::json!({"services": [{"name": "a", "tier": "platinum"}]});
    assert!(!config.is_valid(&bad));
    let bad = serde_json::json!({"id": "a/b", "title": "t", "level": "error", "check": "no.such", "help": "h"});
    assert!(!rule.is_valid(&bad));
}

#[test]
fn an_org_files_suppression_is_reported_at_its_own_line() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write_files(
        root,
        &[
            (
                "policy/org.yaml",
                "# org\nsuppressions:\n  - rule: rollout/*\n    reason: migration window\n    until: 2020-01-31\n",
            ),
            (
                "prr.yaml",
                "extends: ./policy/org.yaml\nsuppressions:\n  - { rule: slo/present, reason: no SLO yet }\n",
            ),
        ],
    );
    let (_, v) = json_check(root);
    let meta: Vec<(String, String, u64)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| {
            f["rule"]
                .as_str()
                .is_some_and(|r| r.starts_with("prr/suppression"))
        })
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["path"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
            )
        })
        .collect();
    assert!(
        meta.contains(&(
            "prr/suppression-expired".into(),
            "policy/org.yaml".into(),
            3
        )),
        "{meta:?}"
    );
    // Both layers' entries are in force: the repository's own accepts slo/present.
    let slo = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "slo/present")
        .expect("slo/present");
    assert_eq!(slo["suppressed"], true);
    assert_eq!(slo["suppression"]["source"], "prr.yaml:3");
}

const PAY_CATALOG: &str = "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: pay\n  annotations:\n    prr.dev/tier: critical\nspec:\n  owner: team-pay\n";

/// A repository whose only service comes from a catalog file, committed.
fn catalog_repo(root: &Path) {
    write_files(
        root,
        &[
            (
                "prr.yaml",
                "tiers:\n  critical:\n    rules:\n      rollout/replicas: { with: { min: 3 } }\n  experimental:\n    max-level: warning\n",
            ),
            ("pay/catalog-info.yaml", PAY_CATALOG),
            ("pay/deploy.yaml", &deployment("pay")),
        ],
    );
    support::git(root, &["init", "-q", "-b", "main"]);
    support::git(root, &["add", "-A"]);
    support::git(root, &["commit", "-q", "-m", "base"]);
}

fn replicas_levels(v: &Value) -> Vec<(String, String)> {
    found(v)
        .into_iter()
        .filter(|x| x.0 == "rollout/replicas")
        .map(|x| (x.1, x.2))
        .collect()
}

#[test]
fn a_scoped_run_reads_the_whole_catalog() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    catalog_repo(root);
    // The change touches the Deployment only, not the catalog file.
    let d = deployment("pay").replace("cpu: 100m", "cpu: 200m");
    write_files(root, &[("pay/deploy.yaml", &d)]);
    let out = prr_output(
        root,
        &["check", ".", "--changed-since", "main", "--format", "json"],
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        replicas_levels(&v),
        [("error".to_string(), "pay".to_string())],
        "{:#}",
        v["findings"]
    );
}

#[test]
fn a_change_cannot_lower_its_own_tier_through_the_catalog() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    catalog_repo(root);
    let lowered = PAY_CATALOG.replace("critical", "experimental");
    write_files(root, &[("pay/catalog-info.yaml", &lowered)]);
    // Without --policy-from the working tree's tier applies: capped.
    let out = prr_output(root, &["check", ".", "--format", "json"]);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(0), "{:#}", v["findings"]);
    // With it, the base revision's tier holds, and the edit is named.
    let out = prr_output(
        root,
        &["check", ".", "--policy-from", "main", "--format", "json"],
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        replicas_levels(&v),
        [("error".to_string(), "pay".to_string())]
    );
    assert!(
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["rule"] == "prr/policy-changed" && f["path"] == "pay/catalog-info.yaml"),
        "{:#}",
        v["findings"]
    );
}

#[test]
fn max_level_caps_findings_no_rule_made() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write_files(
        root,
        &[
            (
                "prr.yaml",
                "services:\n  - { name: lab, paths: [\"lab/**\"], tier: experimental }\n  - { name: web, paths: [\"web/**\"] }\ntiers:\n  experimental: { max-level: warning }\nrules:\n  slo/present: { level: off }\n  prr/codeowners: { level: off }\n",
            ),
            ("lab/broken.yaml", "a: [1, 2\n"),
        ],
    );
    let (code, v) = json_check(root);
    let parse: Vec<_> = found(&v)
        .into_iter()
        .filter(|x| x.0 == "prr/parse-error")
        .collect();
    assert_eq!(
        parse,
        [(
            "prr/parse-error".to_string(),
            "warning".to_string(),
            "lab".to_string()
        )]
    );
    assert_eq!(code, 0);
    write_files(root, &[("web/broken.yaml", "a: [1, 2\n")]);
    let (code, _) = json_check(root);
    assert_eq!(code, 1, "the standard service's parse error still blocks");
}

#[test]
fn the_readiness_score_counts_rules_as_they_apply_to_each_tier() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write_files(
        root,
        &[
            (
                "prr.yaml",
                "extends: [recommended]\nservices:\n  - { name: pay, paths: [\"pay/**\"], tier: critical }\n  - { name: web, paths: [\"web/**\"], tier: standard }\ntiers:\n  standard:\n    rules:\n      prr/min-level: { level: off }\n",
            ),
            ("pay/deploy.yaml", &deployment("pay")),
            ("web/deploy.yaml", &deployment("web")),
        ],
    );
    let (_, v) = json_check(root);
    let area = |svc: &str| -> Value {
        v["readiness"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["service"] == svc)
            .map(|r| r["areas"]["alerts"].clone())
            .unwrap_or(Value::Null)
    };
    // prr/dashboards is a notice in general and an error for critical
    // services: it counts (and fails) in pay's score only.
    let failing = |a: &Value| -> Vec<String> {
        a["failing"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|x| x.as_str().map(str::to_string))
            .collect()
    };
    assert!(
        failing(&area("pay")).contains(&"prr/dashboards".to_string()),
        "{:#}",
        v["readiness"]
    );
    assert!(
        !failing(&area("web")).contains(&"prr/dashboards".to_string()),
        "{:#}",
        v["readiness"]
    );
    // prr/min-level is off for the standard tier: no requirement, no finding.
    let web = v["readiness"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["service"] == "web")
        .unwrap();
    assert!(web["required"].is_null(), "{web:#}");
    assert!(
        !found(&v)
            .iter()
            .any(|x| x.0 == "prr/min-level" && x.2 == "web")
    );
}
