//! SLO formats on whole runs: an SLO under the wrong apiVersion group is a
//! schema finding.

use crate::testutil::{findings, repo};

const PYRRA_SPEC: &str = "kind: ServiceLevelObjective
metadata:
  name: api-errors
  labels:
    service: api
spec:
  target: \"99.5\"
  window: 4w
  indicator:
    ratio:
      errors:
        metric: http_requests_total{code=~\"5..\"}
      total:
        metric: http_requests_total
";

#[test]
fn a_pyrra_slo_without_its_group_is_a_schema_finding_at_the_api_version_line() {
    let dir = repo(&[(
        "slos/api.yaml",
        &format!("apiVersion: v1alpha1\n{PYRRA_SPEC}"),
    )]);
    let schema = findings(dir.path(), "slo/schema");
    assert_eq!(schema.len(), 1, "{schema:?}");
    assert_eq!(schema[0].line, 1);
    assert!(
        schema[0]
            .message
            .contains("`apiVersion: v1alpha1` is not Pyrra's")
            && schema[0].message.contains("pyrra.dev/v1alpha1"),
        "{}",
        schema[0].message
    );
    // Read as the SLO it is: no "no SLO" for its service.
    let run = crate::testutil::check_run(dir.path());
    assert!(
        run.findings
            .iter()
            .all(|f| !f.message.to_lowercase().contains("no slo")),
        "{:?}",
        run.findings
    );
}

#[test]
fn a_pyrra_slo_under_pyrra_dev_has_no_api_version_finding() {
    let dir = repo(&[(
        "slos/api.yaml",
        &format!("apiVersion: pyrra.dev/v1alpha1\n{PYRRA_SPEC}"),
    )]);
    assert!(findings(dir.path(), "slo/schema").is_empty());
}

#[test]
fn an_unrelated_service_level_objective_kind_is_not_an_slo() {
    let dir = repo(&[(
        "other.yaml",
        "apiVersion: example.com/v1\nkind: ServiceLevelObjective\nmetadata:\n  name: x\nspec:\n  owner: me\n",
    )]);
    assert!(findings(dir.path(), "slo/schema").is_empty());
}
