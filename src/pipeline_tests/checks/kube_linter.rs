//! `suppress::kube_linter` on whole runs of the pipeline.
use crate::testutil::repo;

const DEPLOY: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: worker
  annotations:
    ANNOTATION
spec:
  replicas: 1
  selector: { matchLabels: { app: worker } }
  template:
    metadata: { labels: { app: worker } }
    spec:
      containers:
        - name: w
          image: w:1.0
          ports: [{ containerPort: 8080 }]
---
apiVersion: v1
kind: Service
metadata: { name: worker }
spec:
  selector: { app: worker }
  ports: [{ port: 80 }]
";

fn readiness(annotation: &str) -> Vec<crate::finding::Finding> {
    let dir = repo(&[("w.yaml", &DEPLOY.replace("ANNOTATION", annotation))]);
    crate::testutil::check_run(dir.path())
        .findings
        .into_iter()
        .filter(|f| f.rule == "rollout/readiness-probe")
        .collect()
}

#[test]
fn a_kube_linter_ignore_with_a_reason_suppresses_the_same_claim() {
    let fs = readiness(
        "ignore-check.kube-linter.io/no-readiness-probe: \"integrations are not getting traffic\"",
    );
    assert_eq!(fs.len(), 1, "{fs:?}");
    assert!(fs[0].suppressed);
    let s = fs[0].suppression.as_ref().expect("suppression");
    assert!(s.reason.contains("not getting traffic"), "{}", s.reason);
    assert_eq!(s.source, "w.yaml:6");
}

#[test]
fn another_check_or_another_object_leaves_the_finding() {
    // Must fire: the annotation names a check of another meaning.
    let fs = readiness("ignore-check.kube-linter.io/unset-cpu-requirements: \"no cpu limits\"");
    assert_eq!(fs.len(), 1, "{fs:?}");
    assert!(!fs[0].suppressed);
    let fs = readiness("example.com/note: \"x\"");
    assert!(fs.iter().all(|f| !f.suppressed), "{fs:?}");
}
