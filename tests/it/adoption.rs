//! Adoption on a legacy repository (50 services): hundreds of findings in several
//! families, one `prr baseline`, and from then on only new problems fail —
//! also after every line of the old files moved.

use crate::support::prr_output;
use serde_json::Value;
use std::path::Path;

fn check(root: &Path) -> (i32, Value) {
    let out = prr_output(root, &["check", ".", "--format", "json"]);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!("{e}: {}", String::from_utf8_lossy(&out.stderr));
    });
    (out.status.code().unwrap_or(-1), v)
}

/// A Deployment with most of what the rollout rules ask for missing.
fn bad_deployment(i: usize) -> String {
    format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app-{i}\nspec:\n  replicas: 1\n  strategy: {{ type: Recreate }}\n  selector:\n    matchLabels: {{ app: app-{i} }}\n  template:\n    metadata:\n      labels: {{ app: app-{i} }}\n    spec:\n      containers:\n        - name: app\n          image: nginx:latest\n"
    )
}

/// Alerts without severity, runbook or `for:`.
fn bad_alerts(i: usize) -> String {
    format!(
        "groups:\n  - name: g{i}\n    rules:\n      - alert: Down{i}\n        expr: up{{job=\"app-{i}\"}} == 0\n      - alert: Cpu{i}\n        expr: rate(process_cpu_seconds_total{{job=\"app-{i}\"}}[5m]) > 0.9\n"
    )
}

#[test]
fn a_legacy_repository_adopts_with_one_baseline_and_then_fails_only_on_new_problems() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    // The services deploy to production: the production-only rules gate.
    std::fs::write(root.join("prr.yaml"), "production: [\"**\"]\n").unwrap();
    for i in 0..50 {
        let d = root.join(format!("svc{i}"));
        std::fs::create_dir_all(&d).unwrap();
        std::fs::write(d.join("deploy.yaml"), bad_deployment(i)).unwrap();
        std::fs::write(d.join("alerts.yaml"), bad_alerts(i)).unwrap();
    }
    let (code, before) = check(root);
    assert_eq!(code, 1);
    let errors = before["summary"]["errors"].as_u64().unwrap();
    let warnings = before["summary"]["warnings"].as_u64().unwrap();
    assert!(
        errors + warnings >= 300,
        "{errors} errors, {warnings} warnings"
    );
    let families: std::collections::BTreeSet<&str> = before["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["rule"].as_str()?.split('/').next())
        .collect();
    for fam in ["alerts", "rollout", "runbook", "slo"] {
        assert!(families.contains(fam), "{families:?}");
    }

    // One command adopts it.
    let out = prr_output(root, &["baseline", "."]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(root.join(".prr/baseline.json").is_file());
    let (code, after) = check(root);
    assert_eq!(code, 0, "{:#}", after["summary"]);
    assert_eq!(after["summary"]["errors"], 0);
    assert_eq!(
        after["summary"]["suppressed"].as_u64().unwrap(),
        errors + warnings,
        "every old error and warning is suppressed, none lost"
    );

    // Lines move (a header comment on every file): still nothing new.
    for i in 0..50 {
        for f in ["deploy.yaml", "alerts.yaml"] {
            let p = root.join(format!("svc{i}/{f}"));
            let old = std::fs::read_to_string(&p).unwrap();
            std::fs::write(&p, format!("# owned by team {i}\n# (moved)\n{old}")).unwrap();
        }
    }
    let (code, moved) = check(root);
    assert_eq!(code, 0, "{:#}", moved["summary"]);

    // A new problem fails, and only it is reported unsuppressed.
    std::fs::create_dir_all(root.join("svc-new")).unwrap();
    std::fs::write(root.join("svc-new/deploy.yaml"), bad_deployment(99)).unwrap();
    let (code, new) = check(root);
    assert_eq!(code, 1);
    let open: Vec<&str> = new["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["suppressed"] == false && f["level"] == "error")
        .filter_map(|f| f["path"].as_str())
        .collect();
    assert!(!open.is_empty());
    assert!(open.iter().all(|p| *p == "svc-new/deploy.yaml"), "{open:?}");

    // Fixing old problems leaves stale entries, which are reported.
    std::fs::remove_dir_all(root.join("svc-new")).unwrap();
    std::fs::remove_dir_all(root.join("svc0")).unwrap();
    let (code, fixed) = check(root);
    assert_eq!(code, 0);
    let stale = fixed["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "prr/baseline-stale")
        .expect("a prr/baseline-stale notice");
    assert_eq!(stale["level"], "notice");
}
