//! `checks::rollout::standalone` on whole runs of the pipeline.
use crate::testutil::{findings, repo};

fn lines(files: &[(&str, &str)], rule: &str) -> Vec<(String, u32)> {
    let dir = repo(files);
    findings(dir.path(), rule)
        .into_iter()
        .map(|f| (f.path, f.line))
        .collect()
}

const PDB: &str = "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: { name: web }\nspec:\n  VALUE\n  selector:\n    matchLabels: { app: web }\n";

#[test]
fn a_lone_budget_that_blocks_at_any_scale_fires() {
    for value in [
        "maxUnavailable: 0",
        "maxUnavailable: \"0%\"",
        "minAvailable: \"100%\"",
    ] {
        let pdb = PDB.replace("VALUE", value);
        assert_eq!(
            lines(&[("pdb.yaml", &pdb)], "rollout/pdb"),
            [("pdb.yaml".to_string(), 5)],
            "{value}"
        );
    }
}

#[test]
fn a_lone_budget_that_depends_on_scale_does_not_fire() {
    for value in [
        "maxUnavailable: 1",
        "minAvailable: 2",
        "minAvailable: \"50%\"",
    ] {
        let pdb = PDB.replace("VALUE", value);
        assert!(
            lines(&[("pdb.yaml", &pdb)], "rollout/pdb").is_empty(),
            "{value}"
        );
    }
}

const HPA: &str = "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: { name: web }\nspec:\n  scaleTargetRef: { apiVersion: apps/v1, kind: Deployment, name: web }\n  MIN\n  maxReplicas: 10\n";

#[test]
fn a_lone_autoscaler_below_two_fires_and_at_two_does_not() {
    let one = HPA.replace("MIN", "minReplicas: 1");
    assert_eq!(
        lines(&[("hpa.yaml", &one)], "rollout/replicas"),
        [("hpa.yaml".to_string(), 6)]
    );
    let absent = HPA.replace("  MIN\n", "");
    assert_eq!(
        lines(&[("hpa.yaml", &absent)], "rollout/replicas"),
        [("hpa.yaml".to_string(), 1)]
    );
    let two = HPA.replace("MIN", "minReplicas: 2");
    assert!(lines(&[("hpa.yaml", &two)], "rollout/replicas").is_empty());
}

#[test]
fn an_autoscaler_whose_target_is_here_is_reported_once() {
    let one = HPA.replace("MIN", "minReplicas: 1");
    let deploy = "apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: web }\nspec:\n  selector: { matchLabels: { app: web } }\n  template:\n    metadata: { labels: { app: web } }\n    spec:\n      containers: [{ name: web, image: web:1.0, ports: [{ containerPort: 80 }] }]\n";
    let got = lines(
        &[("hpa.yaml", &one), ("deploy.yaml", deploy)],
        "rollout/replicas",
    );
    assert_eq!(
        got.iter().filter(|(p, _)| p == "hpa.yaml").count(),
        1,
        "{got:?}"
    );
}

#[test]
fn apps_kinds_under_the_core_group_are_schema_findings() {
    let bad = "apiVersion: v1\nkind: Deployment\nmetadata: { name: web }\nspec: {}\n";
    assert_eq!(
        lines(&[("d.yaml", bad)], "rollout/schema"),
        [("d.yaml".to_string(), 1)]
    );
    for good in [
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: web }\n",
        "apiVersion: example.com/v1\nkind: Deployment\nmetadata: { name: web }\n",
        "apiVersion: v1\nkind: Service\nmetadata: { name: web }\n",
    ] {
        assert!(
            lines(&[("d.yaml", good)], "rollout/schema").is_empty(),
            "{good}"
        );
    }
}
