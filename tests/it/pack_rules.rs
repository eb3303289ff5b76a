//! The PRR checklist rules of the `recommended` pack: `prr/oncall`,
//! `runbook/escalation`, `prr/dashboards`, `rollout/autoscaling`,
//! `rollout/secret-env`, `prr/load-test`, `prr/dependency-scanning`,
//! `rollout/backup`. Each ships `level: off`; these tests turn one on in a
//! throw-away repository's prr.yaml and run the real `prr` binary
//! (`--format json`), asserting rule, path, line and what the message says
//! is missing. Fixtures: tests/fixtures/packs (see its PROVENANCE.md).

use crate::support::{prr_output, root, tempdir_with};
use std::path::Path;

/// The new rules and their files.
const RULES: &[(&str, &str)] = &[
    ("prr/oncall", "prr-oncall.yaml"),
    ("runbook/escalation", "runbook-escalation.yaml"),
    ("prr/dashboards", "prr-dashboards.yaml"),
    ("rollout/autoscaling", "rollout-autoscaling.yaml"),
    ("rollout/secret-env", "rollout-secret-env.yaml"),
    ("prr/load-test", "prr-load-test.yaml"),
    ("prr/dependency-scanning", "prr-dependency-scanning.yaml"),
    ("rollout/backup", "rollout-backup.yaml"),
];

/// A fixture of tests/fixtures/packs.
fn fixture(rel: &str) -> String {
    let p = root().join("tests/fixtures/packs").join(rel);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// [`tempdir_with`] typed for `String` bodies (`.into()`).
fn repo(files: &[(&str, String)]) -> tempfile::TempDir {
    tempdir_with(files)
}

/// `prr check . --format json`: the exit code and the report.
fn check(dir: &Path) -> (Option<i32>, serde_json::Value) {
    let o = prr_output(dir, &["check", ".", "--format", "json"]);
    let v = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\n{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        )
    });
    (o.status.code(), v)
}

/// (path, line, message) of the findings of `rule`, in report order.
fn hits(report: &serde_json::Value, rule: &str) -> Vec<(String, u64, String)> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["rule"] == rule)
        .map(|f| {
            (
                f["path"].as_str().unwrap_or_default().to_string(),
                f["line"].as_u64().unwrap_or_default(),
                f["message"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

/// Asserts the findings of `rule` are exactly at `expected` (path, line),
/// each message containing its text, and that they are errors.
fn assert_hits(report: &serde_json::Value, rule: &str, expected: &[(&str, u64, &str)]) {
    let got = hits(report, rule);
    let at: Vec<(&str, u64)> = got.iter().map(|(p, l, _)| (p.as_str(), *l)).collect();
    let want: Vec<(&str, u64)> = expected.iter().map(|(p, l, _)| (*p, *l)).collect();
    assert_eq!(at, want, "{rule}: {got:#?}");
    for ((_, _, msg), (_, _, text)) in got.iter().zip(expected) {
        assert!(msg.contains(text), "{rule}: `{msg}` lacks `{text}`");
    }
    for f in report["findings"].as_array().expect("findings") {
        if f["rule"] == rule {
            assert_eq!(f["level"], "error", "{f}");
        }
    }
}

// ---------------------------------------------------------------------------
// prr/oncall

#[test]
fn oncall_names_what_is_missing() {
    let d = repo(&[
        (
            "prr.yaml",
            "services:\n  - name: checkout\n    paths: [\"checkout/**\"]\n    owner: team-payments\n  - name: cart\n    paths: [\"cart/**\"]\n  - name: search\n    paths: [\"search/**\"]\n    owner: team-search\n    oncall: pagerduty:search-primary\nrules:\n  prr/oncall: { level: error }\n".into(),
        ),
        ("checkout/app.txt", "checkout\n".into()),
        ("cart/app.txt", "cart\n".into()),
        ("search/app.txt", "search\n".into()),
    ]);
    let (code, r) = check(d.path());
    assert_eq!(code, Some(1));
    assert_hits(
        &r,
        "prr/oncall",
        &[
            (
                "prr.yaml",
                2,
                "service `checkout` names no on-call rotation: nobody is paged",
            ),
            (
                "prr.yaml",
                5,
                "service `cart` names no owner and no on-call rotation",
            ),
        ],
    );
}

#[test]
fn oncall_accepts_codeowners_covering_every_file() {
    let d = repo(&[
        (
            "prr.yaml",
            "services:\n  - name: cart\n    paths: [\"cart/**\"]\n    oncall: \"#cart-oncall\"\n  - name: search\n    paths: [\"search/**\"]\n    oncall: \"#search-oncall\"\nrules:\n  prr/oncall: { level: error }\n".into(),
        ),
        (
            ".github/CODEOWNERS",
            "# owners\n/cart/ @acme/cart\n/cart/legacy/\n/search/ @acme/search # the search team\n".into(),
        ),
        ("cart/app.txt", "cart\n".into()),
        ("cart/legacy/old.txt", "old\n".into()),
        ("search/app.txt", "search\n".into()),
    ]);
    let (_, r) = check(d.path());
    // search is owned through CODEOWNERS; cart/legacy/ un-assigns a file of cart.
    assert_hits(
        &r,
        "prr/oncall",
        &[(
            "prr.yaml",
            2,
            "service `cart` names no owner (.github/CODEOWNERS names no owner for cart/legacy/old.txt)",
        )],
    );
}

// ---------------------------------------------------------------------------
// runbook/escalation

#[test]
fn escalation_sections_must_say_whom_to_page() {
    let d = repo(&[
        (
            "prr.yaml",
            "rules:\n  runbook/escalation: { level: error }\n".into(),
        ),
        (
            "runbooks/KubePodCrashLooping.md",
            fixture("prometheus-operator/content/runbooks/kubernetes/KubePodCrashLooping.md"),
        ),
        (
            "runbooks/checkout-latency.md",
            fixture("hand/runbook-escalation-empty.md"),
        ),
        (
            "runbooks/checkout-errors.md",
            fixture("hand/runbook-escalation-filled.md"),
        ),
    ]);
    let (_, r) = check(d.path());
    assert_hits(
        &r,
        "runbook/escalation",
        &[
            (
                "runbooks/KubePodCrashLooping.md",
                6,
                "runbook has no escalation section",
            ),
            (
                "runbooks/checkout-latency.md",
                11,
                "the escalation section `Escalation` is empty",
            ),
        ],
    );
}

// ---------------------------------------------------------------------------
// prr/dashboards

const DASHBOARD_SERVICES: &str = "services:\n  - name: rollouts\n    paths: [\"rollouts/**\"]\n  - name: checkout\n    paths: [\"checkout/**\"]\n  - name: cart\n    paths: [\"cart/**\"]\n  - name: search\n    paths: [\"search/**\"]\n";

#[test]
fn dashboards_name_the_missing_signals() {
    let d = repo(&[
        (
            "prr.yaml",
            format!("{DASHBOARD_SERVICES}rules:\n  prr/dashboards: {{ level: error }}\n"),
        ),
        (
            "rollouts/dashboard.json",
            fixture("argo-rollouts/examples/dashboard.json"),
        ),
        (
            "checkout/grafana/checkout.json",
            fixture("hand/golden-dashboard.json"),
        ),
        (
            "cart/dashboard-configmap.yaml",
            fixture("hand/dashboard-configmap.yaml"),
        ),
        ("search/README.md", "# search\n".into()),
    ]);
    let (_, r) = check(d.path());
    assert_hits(
        &r,
        "prr/dashboards",
        &[
            // The `cart.json:` key of the ConfigMap that holds the dashboard.
            // Its error query counts `cart_requests_total`, so traffic (the
            // keyword `requests`) is covered; saturation is not.
            (
                "cart/dashboard-configmap.yaml",
                9,
                "(cart/dashboard-configmap.yaml) show no saturation: add a panel",
            ),
            // In report order (by path): the service entry of `search`.
            ("prr.yaml", 8, "service `search` has no dashboard as code"),
            // The first `"panels"` of the Argo Rollouts dashboard.
            (
                "rollouts/dashboard.json",
                21,
                "the dashboards of service `rollouts` (rollouts/dashboard.json) show no traffic:",
            ),
        ],
    );
}

#[test]
fn dashboard_keywords_are_overridable() {
    let d = repo(&[
        (
            "prr.yaml",
            "rules:\n  prr/dashboards:\n    level: error\n    with:\n      signals:\n        latency: [_bucket]\n        traffic: [reconcile]\n        errors: [error]\n        saturation: [memory]\n".into(),
        ),
        (
            "rollouts/dashboard.json",
            fixture("argo-rollouts/examples/dashboard.json"),
        ),
    ]);
    let (_, r) = check(d.path());
    assert_hits(&r, "prr/dashboards", &[]);
    // The same dashboard with a keyword no panel has.
    std::fs::write(
        d.path().join("prr.yaml"),
        "rules:\n  prr/dashboards:\n    level: error\n    with:\n      signals:\n        queue-depth: [queue_depth]\n",
    )
    .expect("write");
    let (_, r) = check(d.path());
    assert_hits(
        &r,
        "prr/dashboards",
        &[("rollouts/dashboard.json", 21, "show no queue-depth:")],
    );
}

// ---------------------------------------------------------------------------
// rollout/autoscaling

const API_TWO_NAMESPACES: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\n  namespace: prod\nspec:\n  selector:\n    matchLabels: {app: api}\n  template:\n    metadata:\n      labels: {app: api}\n    spec:\n      containers:\n        - name: api\n          image: example/api:2.0.1\n---\napiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata:\n  name: api\n  namespace: staging\nspec:\n  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: api}\n  maxReplicas: 5\n";

#[test]
fn autoscaling_needs_an_hpa_or_scaledobject_in_the_namespace() {
    let d = repo(&[
        (
            "prr.yaml",
            "services:\n  - name: shop\n    paths: [\"**\"]\n    tier: critical\nrules:\n  rollout/autoscaling: { level: error }\n".into(),
        ),
        (
            "podinfo/deployment.yaml",
            fixture("flagger/kustomize/podinfo/deployment.yaml"),
        ),
        ("podinfo/hpa.yaml", fixture("flagger/kustomize/podinfo/hpa.yaml")),
        (
            "php/all.yaml",
            fixture("kube-score/score/testdata/hpa-autoscalingv2-targets-deployment.yaml"),
        ),
        ("worker/keda.yaml", fixture("hand/keda-scaledobject.yaml")),
        (
            "db/statefulset.yaml",
            fixture("kube-score/score/testdata/statefulset-test-resources.yaml"),
        ),
        ("api/api.yaml", API_TWO_NAMESPACES.into()),
    ]);
    let (_, r) = check(d.path());
    assert_hits(
        &r,
        "rollout/autoscaling",
        &[
            (
                "api/api.yaml",
                1,
                "Deployment/api is not scaled by a HorizontalPodAutoscaler or a KEDA ScaledObject",
            ),
            (
                "db/statefulset.yaml",
                1,
                "StatefulSet/statefulset-test-1 is not scaled",
            ),
        ],
    );
}

#[test]
fn autoscaling_applies_to_critical_services_only() {
    let sts = fixture("kube-score/score/testdata/statefulset-test-resources.yaml");
    let d = repo(&[
        (
            "prr.yaml",
            "services:\n  - name: top\n    paths: [\"top/**\"]\n    tier: critical\n  - name: side\n    paths: [\"side/**\"]\n    tier: standard\nrules:\n  rollout/autoscaling: { level: error }\n".into(),
        ),
        ("top/statefulset.yaml", sts.clone()),
        ("side/statefulset.yaml", sts),
    ]);
    let (_, r) = check(d.path());
    assert_hits(
        &r,
        "rollout/autoscaling",
        &[("top/statefulset.yaml", 1, "StatefulSet/statefulset-test-1")],
    );
}

// ---------------------------------------------------------------------------
// rollout/secret-env

/// Visibly fake secret values.
const FAKE_PASSWORD: &str = "fake-password-for-prr-tests-0001";
const FAKE_TOKEN: &str = "fake-token-for-prr-tests-0002";

fn secret_manifests() -> String {
    format!(
        "apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  selector:
    matchLabels: {{app: api}}
  template:
    metadata:
      labels: {{app: api}}
    spec:
      containers:
        - name: api
          image: example/api:2.0.1
          env:
            - name: DB_PASSWORD
              value: \"{FAKE_PASSWORD}\"
            - name: API_KEY
              valueFrom:
                secretKeyRef: {{name: api, key: api-key}}
            - name: TOKEN_REFRESH_ENABLED
              value: \"true\"
            - name: PASSWORD_COPY
              value: $(DB_PASSWORD)
            - name: LOG_LEVEL
              value: debug
            - name: CLIENT_SECRET
              value: \"\"
---
apiVersion: batch/v1
kind: CronJob
metadata:
  name: sync
spec:
  schedule: \"*/5 * * * *\"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          initContainers:
            - name: fetch
              image: example/fetch:1.0.0
              env:
                - {{name: github_token, value: {FAKE_TOKEN}}}
          containers:
            - name: sync
              image: example/sync:1.0.0
"
    )
}

#[test]
fn secret_env_reports_literal_values_without_printing_them() {
    let d = repo(&[
        (
            "prr.yaml",
            "rules:\n  rollout/secret-env: { level: error }\n".into(),
        ),
        ("deploy/app.yaml", secret_manifests()),
        (
            "deploy/pod.yaml",
            fixture("kube-score/score/testdata/pod-env-ok.yaml"),
        ),
    ]);
    let (_, r) = check(d.path());
    assert_hits(
        &r,
        "rollout/secret-env",
        &[
            (
                "deploy/app.yaml",
                17,
                "env `DB_PASSWORD` of container `api` in Deployment/api sets a literal value (not shown)",
            ),
            (
                "deploy/app.yaml",
                45,
                "env `github_token` of container `fetch` in CronJob/sync sets a literal value",
            ),
        ],
    );
    // The values appear in no report: not in JSON, not in the text report
    // (which shows source lines), not in SARIF.
    for format in ["json", "text", "sarif", "github"] {
        let o = prr_output(d.path(), &["check", ".", "--format", format]);
        let all = format!(
            "{}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
        assert!(all.contains("DB_PASSWORD"), "{format}: {all}");
        for secret in [FAKE_PASSWORD, FAKE_TOKEN] {
            assert!(!all.contains(secret), "{format} leaks {secret}: {all}");
        }
    }
}

#[test]
fn secret_env_names_are_overridable() {
    let d = repo(&[
        (
            "prr.yaml",
            "rules:\n  rollout/secret-env:\n    level: error\n    with: { names: \"^LOG_\" }\n"
                .into(),
        ),
        ("deploy/app.yaml", secret_manifests()),
    ]);
    let (_, r) = check(d.path());
    assert_hits(
        &r,
        "rollout/secret-env",
        &[("deploy/app.yaml", 26, "env `LOG_LEVEL` of container `api`")],
    );
    // A bad regex is a configuration error (exit 2), not a silent pass.
    std::fs::write(
        d.path().join("prr.yaml"),
        "rules:\n  rollout/secret-env:\n    level: error\n    with: { names: \"(\" }\n",
    )
    .expect("write");
    let o = prr_output(d.path(), &["check", "."]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("rollout/secret-env"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

// ---------------------------------------------------------------------------
// prr/load-test

#[test]
fn load_test_scripts_of_critical_services() {
    let d = repo(&[
        (
            "prr.yaml",
            "services:\n  - name: checkout\n    paths: [\"checkout/**\"]\n    tier: critical\n  - name: cart\n    paths: [\"cart/**\"]\n    tier: critical\n  - name: search\n    paths: [\"search/**\"]\n    tier: critical\n  - name: docs\n    paths: [\"docs/**\"]\n    tier: standard\nrules:\n  prr/load-test: { level: error }\n".into(),
        ),
        ("checkout/loadtest/checkout.js", fixture("hand/k6-checkout.js")),
        (
            "cart/perf/load.py",
            "from locust import HttpUser, task\n\n\nclass Shopper(HttpUser):\n    @task\n    def cart(self):\n        self.client.get(\"/cart\")\n".into(),
        ),
        (
            "search/server.js",
            "import http from 'http';\nhttp.createServer(() => {}).listen(8080);\n".into(),
        ),
        ("docs/index.md", "# docs\n".into()),
    ]);
    let (_, r) = check(d.path());
    assert_hits(
        &r,
        "prr/load-test",
        &[(
            "prr.yaml",
            8,
            "service `search` has no load-test script in its paths (k6, Locust, Gatling or JMeter)",
        )],
    );
}

// ---------------------------------------------------------------------------
// prr/dependency-scanning

#[test]
fn dependency_scanning_needs_dependabot_or_renovate() {
    let cfg = "rules:\n  prr/dependency-scanning: { level: error }\n";
    let d = repo(&[("prr.yaml", cfg.into())]);
    let (_, r) = check(d.path());
    assert_hits(
        &r,
        "prr/dependency-scanning",
        &[("", 0, "no Dependabot or Renovate configuration")],
    );
    for file in [".github/dependabot.yml", "renovate.json5", ".renovaterc"] {
        let d = repo(&[("prr.yaml", cfg.into()), (file, "{}\n".into())]);
        let (_, r) = check(d.path());
        assert_hits(&r, "prr/dependency-scanning", &[]);
    }
}

// ---------------------------------------------------------------------------
// rollout/backup

const UPLOADS: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: uploads\n  namespace: orders\nspec:\n  selector:\n    matchLabels: {app: uploads}\n  template:\n    metadata:\n      labels: {app: uploads}\n    spec:\n      containers:\n        - name: uploads\n          image: example/uploads:3.1.0\n      volumes:\n        - name: files\n          persistentVolumeClaim: {claimName: uploads}\n";

#[test]
fn backup_schedule_must_select_the_stateful_workload() {
    let d = repo(&[
        (
            "prr.yaml",
            "rules:\n  rollout/backup: { level: error }\n".into(),
        ),
        ("orders/db.yaml", fixture("hand/orders-db.yaml")),
        ("orders/uploads.yaml", UPLOADS.into()),
        ("velero/schedule.yaml", fixture("hand/velero-schedule.yaml")),
    ]);
    let (_, r) = check(d.path());
    // The schedule selects `tier: database` in `orders`: the database, not uploads.
    assert_hits(
        &r,
        "rollout/backup",
        &[(
            "orders/uploads.yaml",
            1,
            "Deployment/uploads in namespace `orders` mounts a PersistentVolumeClaim but no Velero Schedule backs it up",
        )],
    );
    // A schedule of another namespace covers neither.
    let other = fixture("hand/velero-schedule.yaml").replace("- orders", "- billing");
    std::fs::write(d.path().join("velero/schedule.yaml"), other).expect("write");
    let (_, r) = check(d.path());
    assert_hits(
        &r,
        "rollout/backup",
        &[
            (
                "orders/db.yaml",
                2,
                "StatefulSet/orders-db in namespace `orders` keeps state but no Velero Schedule backs it up",
            ),
            ("orders/uploads.yaml", 1, "Deployment/uploads"),
        ],
    );
}

#[test]
fn backup_ignores_paused_schedules() {
    let d = repo(&[
        ("prr.yaml", "rules:\n  rollout/backup: { level: error }\n".into()),
        (
            "db/statefulset.yaml",
            fixture("kube-score/score/testdata/statefulset-test-resources.yaml"),
        ),
        (
            "velero/all.yaml",
            "apiVersion: velero.io/v1\nkind: Schedule\nmetadata: {name: all, namespace: velero}\nspec:\n  schedule: \"@daily\"\n  paused: true\n  template: {}\n".into(),
        ),
    ]);
    let (_, r) = check(d.path());
    assert_hits(
        &r,
        "rollout/backup",
        &[(
            "db/statefulset.yaml",
            1,
            "StatefulSet/statefulset-test-1 keeps state but no Velero Schedule",
        )],
    );
    // Unpaused, the all-namespaces schedule covers it.
    std::fs::write(
        d.path().join("velero/all.yaml"),
        "apiVersion: velero.io/v1\nkind: Schedule\nmetadata: {name: all, namespace: velero}\nspec:\n  schedule: \"@daily\"\n  template: {}\n",
    )
    .expect("write");
    let (_, r) = check(d.path());
    assert_hits(&r, "rollout/backup", &[]);
}

// ---------------------------------------------------------------------------
// Defaults: every new rule is off, so default runs are unchanged.

#[test]
fn new_rules_ship_off_and_explain() {
    let d = tempfile::tempdir().expect("tempdir");
    let o = prr_output(d.path(), &["rules", "--json"]);
    assert_eq!(o.status.code(), Some(0));
    let listed: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    for (id, file) in RULES {
        let text = std::fs::read_to_string(root().join("rules").join(file)).expect("rule file");
        assert!(
            text.lines().any(|l| l == "level: off"),
            "{file} is not `level: off`"
        );
        assert!(text.lines().any(|l| l == format!("id: {id}")), "{file}");
        let entry = listed
            .as_array()
            .expect("array")
            .iter()
            .find(|r| r["id"] == *id)
            .unwrap_or_else(|| panic!("{id} not listed"));
        assert_eq!(entry["level"], "off", "{entry}");
        let o = prr_output(d.path(), &["explain", id]);
        assert_eq!(o.status.code(), Some(0), "explain {id}");
        let out = String::from_utf8_lossy(&o.stdout);
        assert!(out.starts_with(&format!("{id} — ")), "{out}");
        assert!(out.contains("Passes"), "{id}: {out}");
    }
}

#[test]
fn default_runs_do_not_report_the_new_rules() {
    // A repository that breaks every new rule, without prr.yaml.
    let d = repo(&[
        ("runbooks/x.md", fixture("hand/runbook-escalation-empty.md")),
        ("deploy/app.yaml", secret_manifests()),
        ("deploy/db.yaml", fixture("hand/orders-db.yaml")),
    ]);
    let (_, r) = check(d.path());
    for (id, _) in RULES {
        assert_eq!(hits(&r, id), vec![], "{id} runs by default");
    }
    // Turned on, the same repository reports them (so the check above can fail).
    std::fs::write(
        d.path().join("prr.yaml"),
        "services:\n  - name: x\n    paths: [\"**\"]\n    tier: critical\nrules:\n".to_string()
            + &RULES
                .iter()
                .map(|(id, _)| format!("  {id}: {{ level: error }}\n"))
                .collect::<String>(),
    )
    .expect("write");
    let (_, r) = check(d.path());
    for (id, _) in RULES {
        assert!(!hits(&r, id).is_empty(), "{id} reports nothing when on");
    }
}

#[test]
fn checkout_example_findings_are_unchanged() {
    // The reviewed snapshot of `prr check examples/checkout --format json`.
    let snap =
        std::fs::read_to_string(root().join("tests/it/snapshots/it__examples__checkout-json.snap"))
            .expect("snapshot");
    let json = snap
        .splitn(3, "---\n")
        .nth(2)
        .expect("insta snapshot header");
    let before: serde_json::Value = serde_json::from_str(json).expect("snapshot json");
    let o = prr_output(&root(), &["check", "examples/checkout", "--format", "json"]);
    assert_eq!(o.status.code(), Some(0));
    let now: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(now["findings"], before["findings"]);
    assert_eq!(now["summary"]["errors"], before["summary"]["errors"]);
    assert_eq!(now["summary"]["warnings"], before["summary"]["warnings"]);
}
