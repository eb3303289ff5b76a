//! `checks::rollout::standalone` on whole runs of the pipeline.
use crate::testutil::{findings, repo};

const DEPLOY: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: worker }\nspec:\n  selector: { matchLabels: { app: worker } }\n  template:\n    metadata: { labels: { app: worker } }\n    spec:\n      containers: [{ name: w, image: 'w:1.0', ports: [{ containerPort: 8080 }] }]\n";
const PDB: &str = "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: { name: worker }\nspec:\n  minAvailable: 1\n  selector: { matchLabels: { app: worker } }\n";
const KEDA: &str = "apiVersion: keda.sh/v1alpha1\nkind: ScaledObject\nmetadata: { name: worker }\nspec:\n  scaleTargetRef: { name: worker }\n  MIN\n  maxReplicaCount: 10\n";

/// qontract-reconcile's workers: a KEDA ScaledObject with
/// `minReplicaCount: 3` scales the Deployment, so it does not "run 1
/// pod" and its `minAvailable: 1` budget allows disruptions.
#[test]
fn a_keda_scaled_object_is_the_workloads_autoscaler() {
    let keda = KEDA.replace("MIN", "minReplicaCount: 3");
    let dir = repo(&[("w.yaml", DEPLOY), ("pdb.yaml", PDB), ("keda.yaml", &keda)]);
    assert!(findings(dir.path(), "rollout/replicas").is_empty());
    assert!(findings(dir.path(), "rollout/pdb").is_empty());
    // Must fire: KEDA's default lower bound is 0 (scale to zero).
    let keda = KEDA.replace("  MIN\n", "");
    let dir = repo(&[("w.yaml", DEPLOY), ("keda.yaml", &keda)]);
    let fs = findings(dir.path(), "rollout/replicas");
    assert_eq!(fs.len(), 1, "{fs:?}");
    assert_eq!(fs[0].path, "keda.yaml");
    assert!(
        fs[0].message.contains("no minReplicaCount (default 0)"),
        "{}",
        fs[0].message
    );
}
