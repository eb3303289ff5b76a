//! Tests of the `rollout/…` checks.

use crate::testutil;

const KS: &str = "kube-score/score/testdata/";
const ARGO: &str = "argo-rollouts/examples/";

/// A throw-away repository holding copies of fixtures from
/// tests/fixtures/rollout (each under its file name).
fn case(files: &[&str]) -> tempfile::TempDir {
    let owned: Vec<(String, String)> = files
        .iter()
        .map(|f| {
            let body = std::fs::read_to_string(testutil::fixtures().join("rollout").join(f))
                .expect("fixture");
            let name = f.rsplit('/').next().unwrap_or(f).to_string();
            (name, body)
        })
        .collect();
    let refs: Vec<(&str, &str)> = owned
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    testutil::repo(&refs)
}

/// (path, line, column) of the findings of `rule` over `files`.
fn at(files: &[&str], rule: &str) -> Vec<(String, u32, u32)> {
    let dir = case(files);
    testutil::findings(dir.path(), rule)
        .into_iter()
        .map(|f| (f.path, f.line, f.column))
        .collect()
}

fn msgs(files: &[&str], rule: &str) -> Vec<String> {
    let dir = case(files);
    testutil::findings(dir.path(), rule)
        .into_iter()
        .map(|f| f.message)
        .collect()
}

fn p(path: &str, line: u32, column: u32) -> (String, u32, u32) {
    (path.to_string(), line, column)
}

fn ks(name: &str) -> String {
    format!("{KS}{name}.yaml")
}

#[test]
fn replicas() {
    let r = "rollout/replicas";
    // HPA minReplicas 1 (autoscaling/v2), no spec.replicas: the HPA is reported.
    assert_eq!(
        at(&[&ks("hpa-min-replicas-nok")], r),
        vec![p("hpa-min-replicas-nok.yaml", 11, 16)]
    );
    assert_eq!(at(&[&ks("hpa-min-replicas-ok")], r), vec![]);
    // HPA (autoscaling/v1) minReplicas 1, and replicas: 123 set beside it.
    assert_eq!(
        at(&[&ks("deployment-with-hpa-has-replicas")], r),
        vec![
            p("deployment-with-hpa-has-replicas.yaml", 11, 16),
            p("deployment-with-hpa-has-replicas.yaml", 27, 13)
        ]
    );
    assert_eq!(
        at(&[&ks("deployment-with-hpa-not-has-replicas")], r),
        vec![p("deployment-with-hpa-not-has-replicas.yaml", 11, 16)]
    );
    // No replicas and no HPA: 1 pod, reported at the object.
    assert_eq!(
        at(&[&ks("service-target-deployment-strategy-not-set")], r),
        vec![p("service-target-deployment-strategy-not-set.yaml", 1, 1)]
    );
    assert_eq!(at(&[&ks("service-target-deployment")], r), vec![]);
    // Flagger podinfo: HPA minReplicas 2 targets the Deployment.
    assert_eq!(
        at(
            &[
                "flagger/kustomize/podinfo/deployment.yaml",
                "flagger/kustomize/podinfo/hpa.yaml"
            ],
            r
        ),
        vec![]
    );
    assert!(msgs(&[&ks("hpa-min-replicas-nok")], r)[0].contains("minReplicas: 1"));
}

#[test]
fn argo_workload_ref() {
    let f = &[&format!("{ARGO}workload-ref/workload-ref.yaml")[..]];
    // The referenced Deployment has replicas: 0 by design: not reported;
    // the Rollout has 5 and a canary with a pause step.
    assert_eq!(at(f, "rollout/replicas"), vec![]);
    assert_eq!(at(f, "rollout/strategy"), vec![]);
    assert_eq!(at(f, "rollout/selector-match"), vec![]);
    // Container checks read the Deployment's template, once.
    let probes = testutil::findings(case(f).path(), "rollout/readiness-probe");
    assert_eq!(probes.len(), 1);
    assert_eq!(
        (probes[0].path.as_str(), probes[0].line),
        ("workload-ref.yaml", 16)
    );
    assert!(
        probes[0].message.contains(
            "Rollout/rollout-ref-deployment (template from Deployment/rollout-ref-deployment)"
        ),
        "{}",
        probes[0].message
    );
    // The PDB check is about the Rollout (line 23), not the Deployment.
    assert_eq!(at(f, "rollout/pdb"), vec![p("workload-ref.yaml", 23, 1)]);
}

#[test]
fn argo_workload_ref_names_repeat_across_files() {
    // Both examples define Deployment + Rollout `rollout-ref-deployment`:
    // each Rollout takes the Deployment of its own file.
    let files = [
        &format!("{ARGO}workload-ref/workload-ref.yaml")[..],
        &format!("{ARGO}rollout-template-ref.yaml")[..],
    ];
    assert_eq!(at(&files, "rollout/replicas"), vec![]);
}

#[test]
fn argo_experiment_steps_and_services() {
    // Experiment steps with analyses, or without a duration, gate the rollout.
    for ok in [
        "rollout-experiment-step",
        "rollout-canary-preview",
        "rollout-baseline-vs-canary",
    ] {
        assert_eq!(
            at(&[&format!("{ARGO}{ok}.yaml")], "rollout/strategy"),
            vec![],
            "{ok}"
        );
    }
    // The preview Service selects the experiment template's pods.
    assert_eq!(
        at(
            &[&format!("{ARGO}rollout-canary-preview.yaml")],
            "rollout/selector-match"
        ),
        vec![]
    );
}

#[test]
fn probes() {
    let (ready, live) = ("rollout/readiness-probe", "rollout/liveness-probe");
    let missing = ks("pod-probes-all-missing");
    assert_eq!(
        at(&[&missing], ready),
        vec![p("pod-probes-all-missing.yaml", 9, 11)]
    );
    assert_eq!(
        at(&[&missing], live),
        vec![p("pod-probes-all-missing.yaml", 9, 11)]
    );
    assert_eq!(at(&[&ks("pod-probes-both")], ready), vec![]);
    assert_eq!(at(&[&ks("pod-probes-both")], live), vec![]);
    assert_eq!(at(&[&ks("pod-probes-missing-live")], ready), vec![]);
    assert_eq!(
        at(&[&ks("pod-probes-missing-live")], live),
        vec![p("pod-probes-missing-live.yaml", 9, 11)]
    );
    // Identical readiness and liveness: a warning on the livenessProbe key.
    assert_eq!(
        at(&[&ks("pod-probes-identical-http")], live),
        vec![p("pod-probes-identical-http.yaml", 15, 5)]
    );
    let m = &msgs(&[&ks("pod-probes-identical-http")], live)[0];
    assert!(!m.starts_with("warning") && m.contains("identical"), "{m}");
    // Init containers need no probes.
    assert_eq!(
        at(&[&ks("pod-probes-on-different-containers-init")], ready),
        vec![]
    );
    // Flagger's podinfo has exec probes on both.
    assert_eq!(
        at(&["flagger/kustomize/podinfo/deployment.yaml"], ready),
        vec![]
    );
    assert_eq!(
        at(&["flagger/kustomize/podinfo/deployment.yaml"], live),
        vec![]
    );
}

#[test]
fn resources() {
    let r = "rollout/resources";
    assert_eq!(
        at(&[&ks("pod-test-resources-none")], r),
        vec![p("pod-test-resources-none.yaml", 7, 11)]
    );
    let m = &msgs(&[&ks("pod-test-resources-none")], r)[0];
    assert!(m.contains("sets no requests.cpu, requests.memory —"), "{m}");
    assert!(!m.contains("limit"), "{m}");
    // The memory limit is rollout/memory-limit's, at its own level.
    let m = &msgs(&[&ks("pod-test-resources-none")], "rollout/memory-limit");
    assert_eq!(m.len(), 1);
    assert!(
        m[0].contains("sets no limits.memory —") && !m[0].contains("requests"),
        "{}",
        m[0]
    );
    // No CPU limit: passes by default (CPU limits throttle)…
    let nocpu = ks("pod-test-resources-limits-and-requests-no-cpu-limit");
    assert_eq!(at(&[&nocpu], r), vec![]);
    // …and fails when a team requires CPU limits.
    let dir = case(&[&nocpu]);
    std::fs::write(
        dir.path().join("prr.yaml"),
        "rules:\n  rollout/resources:\n    with: { require-cpu-limit: true }\n",
    )
    .expect("write");
    let f = testutil::findings(dir.path(), r);
    assert_eq!(f.len(), 1);
    assert_eq!((f[0].line, f[0].column), (9, 5));
    assert!(f[0].message.contains("no limits.cpu"), "{}", f[0].message);
    // Only limits: requests default to the limits.
    assert_eq!(at(&[&ks("pod-test-resources-only-limits")], r), vec![]);
    assert_eq!(at(&[&ks("all-ok")], r), vec![]);
    assert_eq!(
        at(&["flagger/kustomize/podinfo/deployment.yaml"], r),
        vec![]
    );
}

#[test]
fn pdb() {
    let r = "rollout/pdb";
    // minAvailable: 2 with 1 replica (none set): blocks every eviction.
    let m = ks("deployment-poddisruptionbudget-v1-matches");
    assert_eq!(
        at(&[&m], r),
        vec![p("deployment-poddisruptionbudget-v1-matches.yaml", 6, 17)]
    );
    assert!(msgs(&[&m], r)[0].contains("minAvailable: 2 with 1 replica(s)"));
    // The same budget passes for 3 replicas.
    let body =
        std::fs::read_to_string(testutil::fixtures().join("rollout").join(&m)).expect("fixture");
    let dir = testutil::repo(&[(
        "d.yaml",
        &body.replace("spec:\n  template:", "spec:\n  replicas: 3\n  template:"),
    )]);
    assert_eq!(testutil::findings(dir.path(), r), vec![]);
    // No budget selects the pods of a single replica: a budget would
    // protect nothing there (rollout/replicas reports the one pod)…
    assert_eq!(
        at(&[&ks("deployment-poddisruptionbudget-v1-no-match")], r),
        vec![]
    );
    assert_eq!(
        at(
            &[&ks("deployment-poddisruptionbudget-v1-different-namespace")],
            r
        ),
        vec![]
    );
    // …at 3 replicas it is reported at the Deployment.
    for (f, line) in [
        ("deployment-poddisruptionbudget-v1-no-match", 11),
        ("deployment-poddisruptionbudget-v1-different-namespace", 34),
    ] {
        let body = std::fs::read_to_string(testutil::fixtures().join("rollout").join(ks(f)))
            .expect("fixture");
        let body = body.replace("spec:\n  template:", "spec:\n  replicas: 3\n  template:");
        let dir = testutil::repo(&[("d.yaml", &body)]);
        let got: Vec<u32> = testutil::findings(dir.path(), r)
            .iter()
            .map(|f| f.line)
            .collect();
        assert_eq!(got, vec![line], "{f}");
    }
    // Neither field: minAvailable 1 of 1 replica blocks.
    assert_eq!(
        at(&[&ks("deployment-poddisruptionbudget-v1-no-policy")], r),
        vec![p("deployment-poddisruptionbudget-v1-no-policy.yaml", 1, 1)]
    );
    // matchExpressions In: selects (and blocks, minAvailable 2), or not.
    assert_eq!(
        at(
            &[&ks(
                "deployment-poddisruptionbudget-v1beta1-expression-matches"
            )],
            r
        ),
        vec![p(
            "deployment-poddisruptionbudget-v1beta1-expression-matches.yaml",
            6,
            17
        )]
    );
    assert_eq!(
        at(
            &[&ks(
                "deployment-poddisruptionbudget-v1beta1-expression-no-match"
            )],
            r
        ),
        vec![]
    );
    // Percentages, NotIn / Exists / DoesNotExist, and the HPA's floor.
    let dep = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  replicas: 4\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web, tier: front}}\n    spec: {containers: [{name: c, image: 'x:1'}]}\n";
    let pdb = |spec: &str| {
        format!(
            "{dep}---\napiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {{name: b}}\nspec: {spec}\n"
        )
    };
    for (spec, findings) in [
        (
            "{maxUnavailable: 1, selector: {matchLabels: {app: web}}}",
            0,
        ),
        (
            "{maxUnavailable: '25%', selector: {matchLabels: {app: web}}}",
            0,
        ),
        (
            "{maxUnavailable: 0, selector: {matchLabels: {app: web}}}",
            1,
        ),
        (
            "{minAvailable: '100%', selector: {matchLabels: {app: web}}}",
            1,
        ),
        (
            "{minAvailable: '75%', selector: {matchLabels: {app: web}}}",
            0,
        ),
        ("{minAvailable: 4, selector: {matchLabels: {app: web}}}", 1),
        (
            "{maxUnavailable: 1, selector: {matchExpressions: [{key: tier, operator: NotIn, values: [back]}, {key: app, operator: Exists}, {key: canary, operator: DoesNotExist}]}}",
            0,
        ),
        (
            "{maxUnavailable: 1, selector: {matchExpressions: [{key: tier, operator: NotIn, values: [front]}]}}",
            1,
        ),
        ("{maxUnavailable: 1, selector: {}}", 0),
    ] {
        let dir = testutil::repo(&[("a.yaml", &pdb(spec))]);
        assert_eq!(testutil::findings(dir.path(), r).len(), findings, "{spec}");
    }
}

#[test]
fn strategy() {
    let r = "rollout/strategy";
    // Recreate at one replica: the singleton's downtime is
    // rollout/replicas' finding; at two replicas it is this rule's.
    assert_eq!(
        at(&[&ks("service-target-deployment-not-rolling")], r),
        vec![]
    );
    let body = std::fs::read_to_string(
        testutil::fixtures()
            .join("rollout")
            .join(ks("service-target-deployment-not-rolling")),
    )
    .expect("fixture");
    let dir = testutil::repo(&[(
        "d.yaml",
        &body.replace("spec:\n  template:", "spec:\n  replicas: 2\n  template:"),
    )]);
    let f = testutil::findings(dir.path(), r);
    assert_eq!(
        f.iter().map(|f| (f.line, f.column)).collect::<Vec<_>>(),
        vec![(16, 11)]
    );
    assert!(f[0].message.contains("Recreate"));
    assert_eq!(
        at(&[&ks("service-target-deployment-strategy-not-set")], r),
        vec![]
    );
    assert_eq!(at(&[&ks("service-target-deployment")], r), vec![]);
    // Argo: canary with pauses, analysis steps, background analysis, blueGreen.
    for ok in [
        "rollout-canary",
        "rollout-bluegreen",
        "rollout-analysis-step",
        "rollout-background-analysis",
    ] {
        assert_eq!(at(&[&format!("{ARGO}{ok}.yaml")], r), vec![], "{ok}");
    }
    // A canary without steps is a plain rolling update: no gate.
    assert_eq!(
        at(&[&format!("{ARGO}rollout-rolling-update.yaml")], r),
        vec![p("rollout-rolling-update.yaml", 27, 5)]
    );
    // Flagger: the Canary has metrics and a threshold; its target
    // Deployment's own strategy is Flagger's business.
    let flagger = [
        "flagger/kustomize/podinfo/deployment.yaml",
        "flagger/artifacts/examples/linkerd-canary.yaml",
    ];
    assert_eq!(at(&flagger, r), vec![]);
    let canary = std::fs::read_to_string(testutil::fixtures().join("rollout").join(flagger[1]))
        .expect("fixture");
    let no_metrics = canary.replace("    metrics:\n", "    unused:\n");
    let dir = testutil::repo(&[("c.yaml", &no_metrics)]);
    let f = testutil::findings(dir.path(), r);
    assert_eq!(f.iter().map(|f| f.line).collect::<Vec<_>>(), vec![24]);
    assert!(
        f[0].message.contains("no analysis with metrics"),
        "{}",
        f[0].message
    );
    // maxUnavailable 100 % takes everything down.
    let dep = std::fs::read_to_string(testutil::fixtures().join("rollout").join(flagger[0]))
        .expect("fixture");
    let dir = testutil::repo(&[(
        "d.yaml",
        &dep.replace("maxUnavailable: 1", "maxUnavailable: 100%")
            .replace("  minReadySeconds: 5\n", "  replicas: 2\n"),
    )]);
    assert_eq!(
        testutil::findings(dir.path(), r)
            .iter()
            .map(|f| f.line)
            .collect::<Vec<_>>(),
        vec![13]
    );
}

#[test]
fn image_pinned() {
    let r = "rollout/image-pinned";
    assert_eq!(
        at(&[&ks("pod-image-tag-latest")], r),
        vec![p("pod-image-tag-latest.yaml", 8, 12)]
    );
    assert_eq!(
        at(&[&ks("pod-image-pullpolicy-undefined-no-tag")], r),
        vec![p("pod-image-pullpolicy-undefined-no-tag.yaml", 8, 12)]
    );
    assert_eq!(at(&[&ks("pod-image-tag-fixed")], r), vec![]);
    assert_eq!(
        at(&["flagger/kustomize/podinfo/deployment.yaml"], r),
        vec![]
    );
    // Init containers count; a registry port is not a tag.
    let pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec:\n  initContainers:\n  - {name: i, image: 'registry:5000/tools'}\n  containers:\n  - {name: c, image: 'ghcr.io/a/b@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef'}\n  - {name: d, image: 'ghcr.io/a/b:1.2'}\n";
    let dir = testutil::repo(&[("pod.yaml", pod)]);
    let f = testutil::findings(dir.path(), r);
    assert_eq!(
        f.iter().map(|f| (f.line, f.column)).collect::<Vec<_>>(),
        vec![(6, 22)]
    );
    std::fs::write(
        dir.path().join("prr.yaml"),
        "rules:\n  rollout/image-pinned:\n    with: { require-digest: true }\n",
    )
    .expect("write");
    let f = testutil::findings(dir.path(), r);
    assert_eq!(f.iter().map(|f| f.line).collect::<Vec<_>>(), vec![6, 9]);
}

#[test]
fn selector_match() {
    let r = "rollout/selector-match";
    // selector app=foo, template app=bar.
    assert_eq!(
        at(&[&ks("statefulset-different-labels")], r),
        vec![p("statefulset-different-labels.yaml", 7, 5)]
    );
    // apps/v1 without a selector is rejected; extensions/v1beta1 defaults it.
    assert_eq!(
        at(&[&ks("service-target-deployment")], r),
        vec![p("service-target-deployment.yaml", 5, 1)]
    );
    assert_eq!(at(&[&ks("deployment-extensions-v1beta1")], r), vec![]);
    // A Service that selects no pods (plus the Deployment's missing selector).
    assert_eq!(
        at(&[&ks("service-not-target-deployment")], r),
        vec![
            p("service-not-target-deployment.yaml", 5, 1),
            p("service-not-target-deployment.yaml", 21, 5)
        ]
    );
    // Argo blue-green: both Services select the Rollout's pods.
    assert_eq!(at(&[&format!("{ARGO}rollout-bluegreen.yaml")], r), vec![]);
    assert_eq!(at(&[&ks("pod-probes-both")], r), vec![]);
}

#[test]
fn malformed_input_does_not_panic() {
    let junk = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\nspec:\n  replicas: many\n  strategy: {type: 3, rollingUpdate: {maxUnavailable: [1]}}\n  selector: {matchExpressions: [{key: a, operator: Weird}], matchLabels: [1]}\n  template: {metadata: {labels: []}, spec: {containers: [{name: [], image: 7, resources: 3, livenessProbe: 1}, 5]}}\n---\napiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: b}\nspec: {minAvailable: 'x%', selector: {matchExpressions: 3}}\n---\napiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: h}\nspec: {scaleTargetRef: 5}\n---\napiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata: {name: r}\nspec: {workloadRef: {name: x}, strategy: {canary: {steps: 5}}}\n---\napiVersion: flagger.app/v1beta1\nkind: Canary\nmetadata: {name: c}\nspec: {analysis: 1}\n";
    let dir = testutil::repo(&[("junk.yaml", junk)]);
    let f = testutil::findings(dir.path(), "");
    // Deployment/x is Rollout/r's workloadRef: r is the one checked.
    assert!(
        f.iter()
            .any(|f| f.rule == "rollout/replicas" && f.line == 20),
        "{f:?}"
    );
    assert!(
        !f.iter()
            .any(|f| f.rule == "rollout/replicas" && f.line == 5),
        "{f:?}"
    );
    let sel: Vec<u32> = f
        .iter()
        .filter(|f| f.rule == "rollout/selector-match")
        .map(|f| f.line)
        .collect();
    assert_eq!(sel, vec![7]);
}
