//! Issue 12's rollout patterns: each false alarm stays gone (must-not-fire)
//! and the rule still fires where it should (must-fire).

use crate::finding::Finding;
use crate::testutil;

/// Every file under tests/fixtures/rollout/`dir`, as (relative path, text).
fn tree(dir: &str) -> Vec<(String, String)> {
    fn walk(root: &std::path::Path, at: &std::path::Path, out: &mut Vec<(String, String)>) {
        for e in std::fs::read_dir(at).expect("fixture dir").flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(root, &p, out);
            } else {
                let rel = p.strip_prefix(root).expect("prefix").to_string_lossy();
                out.push((rel.into_owned(), std::fs::read_to_string(&p).expect("read")));
            }
        }
    }
    let root = testutil::fixtures().join("rollout").join(dir);
    let mut out = Vec::new();
    walk(&root, &root, &mut out);
    out
}

fn run(files: &[(String, String)], rule: &str) -> Vec<Finding> {
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let dir = testutil::repo(&refs);
    testutil::findings(dir.path(), rule)
}

fn rollout(f: &[Finding]) -> Vec<&Finding> {
    f.iter()
        .filter(|f| f.rule.starts_with("rollout/"))
        .collect()
}

#[test]
fn kustomize_patches_are_not_objects() {
    let files = tree("otel-operator");
    let all = run(&files, "");
    let patch = "config/default/manager_webhook_patch.yaml";
    assert!(
        rollout(&all).iter().all(|f| f.path != patch),
        "{:?}",
        rollout(&all)
    );
    // Counted, not dropped: a notice on the kustomization names the file.
    let note = all
        .iter()
        .find(|f| f.rule == "prr/skipped" && f.path == "config/default/kustomization.yaml")
        .expect("notice");
    assert!(note.message.contains(patch), "{}", note.message);
    assert_eq!(note.level, crate::finding::Level::Notice);
    // Must fire: the base Deployment is still checked (replicas: 1).
    assert!(
        all.iter()
            .any(|f| f.rule == "rollout/replicas" && f.path == "config/manager/manager.yaml")
    );
    // Must fire: the same file with no kustomization naming it is an object.
    let alone: Vec<(String, String)> = files.into_iter().filter(|(p, _)| p == patch).collect();
    assert!(
        run(&alone, "rollout/selector-match")
            .iter()
            .any(|f| f.message.contains("no spec.selector"))
    );
}

#[test]
fn patch_directives_mark_a_patch_anywhere() {
    let del = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n$patch: delete\n";
    let f = run(&[("drop.yaml".into(), del.into())], "");
    assert!(rollout(&f).is_empty(), "{f:?}");
    assert!(
        f.iter()
            .any(|f| f.rule == "prr/skipped" && f.path == "drop.yaml")
    );
    let obj = del.replace("$patch: delete\n", "");
    let f = run(&[("obj.yaml".into(), obj)], "rollout/replicas");
    assert_eq!(f.len(), 1);
}

#[test]
fn operator_pods_give_services_endpoints() {
    let r = "rollout/selector-match";
    let files = tree("prometheus-operator/thanos");
    assert_eq!(run(&files, r), vec![]);
    // Must fire: without the Prometheus resource the Service selects nothing.
    let other = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: o}\nspec:\n  selector: {matchLabels: {app: o}}\n  template:\n    metadata: {labels: {app: o}}\n    spec: {containers: [{name: c, image: 'x:1'}]}\n";
    let mut svc: Vec<(String, String)> = files
        .into_iter()
        .filter(|(p, _)| p.ends_with("prometheus-service.yaml"))
        .collect();
    svc.push(("other.yaml".into(), other.into()));
    assert_eq!(run(&svc, r).len(), 1);
    // A CSV's deployments, and StatefulSet per-pod labels.
    let csv = "apiVersion: operators.coreos.com/v1alpha1\nkind: ClusterServiceVersion\nmetadata: {name: op.v1}\nspec:\n  install:\n    spec:\n      deployments:\n      - name: op\n        spec:\n          selector: {matchLabels: {app: op}}\n          template:\n            metadata: {labels: {app: op}}\n            spec: {containers: [{name: c, image: 'x:1'}]}\n---\napiVersion: v1\nkind: Service\nmetadata: {name: op}\nspec: {selector: {app: op}, ports: [{port: 80}]}\n";
    assert_eq!(run(&[("csv.yaml".into(), csv.into())], r), vec![]);
    let sts = "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: redis}\nspec:\n  replicas: 3\n  selector: {matchLabels: {app: redis}}\n  template:\n    metadata: {labels: {app: redis}}\n    spec: {containers: [{name: c, image: 'x:1'}]}\n---\napiVersion: v1\nkind: Service\nmetadata: {name: redis-2}\nspec: {selector: {app: redis, statefulset.kubernetes.io/pod-name: redis-2}}\n";
    assert_eq!(run(&[("s.yaml".into(), sts.into())], r), vec![]);
    // Must fire: ordinal 3 does not exist at 3 replicas.
    let gone = sts.replace("pod-name: redis-2", "pod-name: redis-3");
    assert_eq!(run(&[("s.yaml".into(), gone)], r).len(), 1);
}

#[test]
fn image_placeholders_are_not_latest() {
    let r = "rollout/image-pinned";
    let dep = |image: &str| {
        format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: contacts}}\nspec:\n  replicas: 2\n  selector: {{matchLabels: {{app: c}}}}\n  template:\n    metadata: {{labels: {{app: c}}}}\n    spec: {{containers: [{{name: c, image: '{image}'}}]}}\n"
        )
    };
    // Must fire: a bare name means :latest.
    let f = run(&[("k8s/d.yaml".into(), dep("contacts"))], r);
    assert_eq!(f.len(), 1);
    assert!(f[0].message.contains("has no tag"), "{}", f[0].message);
    // Skaffold builds and tags it.
    let skaffold = "apiVersion: skaffold/v4beta1\nkind: Config\nbuild:\n  artifacts:\n  - image: contacts\n    context: .\n";
    let f = run(
        &[
            ("k8s/d.yaml".into(), dep("contacts")),
            ("src/skaffold.yaml".into(), skaffold.into()),
        ],
        r,
    );
    assert_eq!(f, vec![]);
    // Kustomize images: a pinned newTag passes; newTag latest is named.
    let kust = |tag: &str| {
        format!(
            "resources: [d.yaml]\nimages:\n- name: controller\n  newName: ghcr.io/o/op\n  newTag: {tag}\n"
        )
    };
    let with = |tag: &str| {
        run(
            &[
                ("k8s/d.yaml".into(), dep("controller")),
                ("k8s/kustomization.yaml".into(), kust(tag)),
            ],
            r,
        )
    };
    assert_eq!(with("v1.2.3"), vec![]);
    let f = with("latest");
    assert_eq!(f.len(), 1);
    // Loose (no kustomize on PATH): the override is named; rendered: the
    // overlay's resulting image is judged.
    assert!(
        f[0].message.contains("newTag: latest")
            || f[0].message.contains("`ghcr.io/o/op:latest`")
                && f[0].message.contains("(overlay k8s)"),
        "{}",
        f[0].message
    );
    // A newName alone keeps the manifest's tag: judged as written.
    let rename = "resources: [d.yaml]\nimages:\n- name: redis\n  newName: public.ecr.aws/docker/library/redis\n";
    let f = run(
        &[
            ("k8s/d.yaml".into(), dep("redis:8.1")),
            ("k8s/kustomization.yaml".into(), rename.into()),
        ],
        r,
    );
    assert_eq!(f, vec![]);
    // An empty image is filled in by an operator: never ":latest".
    let f = run(&[("k8s/d.yaml".into(), dep(""))], r);
    assert!(f.iter().all(|f| !f.message.contains("latest")), "{f:?}");
    assert_eq!(f, vec![]);
}

#[test]
fn recreate_is_right_for_pods_that_cannot_run_twice() {
    let r = "rollout/strategy";
    let minio = tree("kube-thanos");
    assert_eq!(run(&minio, r), vec![]);
    // Must fire: RollingUpdate with the ReadWriteOnce claim.
    let rolling: Vec<(String, String)> = minio
        .iter()
        .map(|(p, b)| {
            (
                p.clone(),
                b.replace("type: Recreate", "type: RollingUpdate"),
            )
        })
        .collect();
    let f = run(&rolling, r);
    assert_eq!(f.len(), 1, "{f:?}");
    assert!(f[0].message.contains("ReadWriteOnce"), "{}", f[0].message);
    // The claim not in the repository: said so.
    let no_pvc: Vec<(String, String)> = rolling
        .into_iter()
        .filter(|(p, _)| p.ends_with("minio-deployment.yaml"))
        .collect();
    let f = run(&no_pvc, r);
    assert!(
        f[0].message.contains("not in this repository"),
        "{}",
        f[0].message
    );
    // A ReadWriteMany claim lets pods run side by side: Recreate is then
    // downtime again (at 2 replicas).
    let rwx: Vec<(String, String)> = minio
        .iter()
        .map(|(p, b)| {
            (
                p.clone(),
                b.replace("- ReadWriteOnce", "- ReadWriteMany")
                    .replace("spec:\n  selector:", "spec:\n  replicas: 2\n  selector:"),
            )
        })
        .collect();
    let f = run(&rwx, r);
    assert_eq!(f.len(), 1, "{f:?}");
    assert!(f[0].message.contains("Recreate"), "{}", f[0].message);
    // hostPort with the default (surging) RollingUpdate.
    let f = run(&tree("podinfo-secure"), r);
    assert_eq!(f.len(), 1, "{f:?}");
    assert!(f[0].message.contains("hostPort 80"), "{}", f[0].message);
}

#[test]
fn probes_same_handler_longer_liveness_and_sidecars() {
    let live = "rollout/liveness-probe";
    let ready = "rollout/readiness-probe";
    let pod = |live_extra: &str, sidecar_ports: &str| {
        format!(
            "apiVersion: v1\nkind: Pod\nmetadata: {{name: p}}\nspec:\n  containers:\n  - name: app\n    image: 'a:1'\n    ports: [{{containerPort: 8080}}]\n    readinessProbe: {{httpGet: {{path: /healthz, port: 8080}}}}\n    livenessProbe: {{httpGet: {{path: /healthz, port: 8080}}{live_extra}}}\n  - name: reloader\n    image: 'r:1'\n{sidecar_ports}"
        )
    };
    // Same handler, higher failureThreshold: the recommended pattern.
    let f = run(&[("p.yaml".into(), pod(", failureThreshold: 6", ""))], live);
    assert_eq!(f, vec![]);
    let f = run(&[("p.yaml".into(), pod(", periodSeconds: 30", ""))], live);
    assert_eq!(f, vec![]);
    // Must fire: truly identical (defaults filled in).
    let f = run(&[("p.yaml".into(), pod(", failureThreshold: 3", ""))], live);
    assert_eq!(f.len(), 1);
    assert!(!f[0].message.starts_with("warning"), "{}", f[0].message);
    // The port-less sidecar needs no probes of its own.
    assert_eq!(
        run(
            &[("p.yaml".into(), pod(", failureThreshold: 6", ""))],
            ready
        ),
        vec![]
    );
    // Must fire: a sidecar that serves a port is a serving container.
    let served = pod(
        ", failureThreshold: 6",
        "    ports: [{containerPort: 9090}]\n",
    );
    let f = run(&[("p.yaml".into(), served.clone())], ready);
    assert_eq!(f.len(), 1);
    assert_eq!(run(&[("p.yaml".into(), served)], live).len(), 1);
    // Must fire: the only container, port-less or not, needs its probes.
    let single = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - {name: worker, image: 'w:1'}\n";
    assert_eq!(run(&[("p.yaml".into(), single.into())], ready).len(), 1);
}

#[test]
fn one_replica_one_finding() {
    let dep = |replicas: u32, mu: u32| {
        format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: web}}\nspec:\n  replicas: {replicas}\n  strategy: {{rollingUpdate: {{maxUnavailable: {mu}}}}}\n  selector: {{matchLabels: {{app: web}}}}\n  template:\n    metadata: {{labels: {{app: web}}}}\n    spec: {{containers: [{{name: c, image: 'x:1'}}]}}\n"
        )
    };
    let f = run(&[("d.yaml".into(), dep(1, 1))], "");
    let rules: Vec<&str> = rollout(&f)
        .iter()
        .map(|f| f.rule.as_str())
        .filter(|r| matches!(*r, "rollout/replicas" | "rollout/pdb" | "rollout/strategy"))
        .collect();
    assert_eq!(rules, vec!["rollout/replicas"]);
    // Must fire at 2 replicas: no PDB, and maxUnavailable 2 takes both down.
    let f = run(&[("d.yaml".into(), dep(2, 2))], "");
    let mut rules: Vec<&str> = rollout(&f)
        .iter()
        .map(|f| f.rule.as_str())
        .filter(|r| matches!(*r, "rollout/replicas" | "rollout/pdb" | "rollout/strategy"))
        .collect();
    rules.sort();
    assert_eq!(rules, vec!["rollout/pdb", "rollout/strategy"]);
}

#[test]
fn init_containers_need_no_requests_app_containers_do() {
    // An init container without requests leaves the pod's request as the
    // app containers' sum: no finding on it. The app container without
    // requests is still one.
    let dep = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: a}\nspec:\n  replicas: 2\n  selector: {matchLabels: {app: a}}\n  template:\n    metadata: {labels: {app: a}}\n    spec:\n      initContainers:\n      - {name: migrate, image: 'a:1'}\n      containers:\n      - name: app\n        image: 'a:1'\n        resources: {requests: {cpu: 100m, memory: 64Mi}, limits: {memory: 64Mi}}\n      - {name: side, image: 'b:1'}\n";
    let fs = run(
        &[("d.yaml".to_string(), dep.to_string())],
        "rollout/resources",
    );
    assert_eq!(fs.len(), 1, "{fs:#?}");
    assert!(
        fs[0].message.contains("container `side`"),
        "{}",
        fs[0].message
    );
    let fs = run(
        &[("d.yaml".to_string(), dep.to_string())],
        "rollout/memory-limit",
    );
    assert_eq!(fs.len(), 1, "{fs:#?}");
    assert!(
        fs[0].message.contains("container `side`"),
        "{}",
        fs[0].message
    );
}

#[test]
fn single_instances_by_design_are_told_the_truth() {
    // A StatefulSet with per-pod volumes at one replica: a warning that
    // does not advise `replicas: 2` (two independent databases).
    let db = "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: db}\nspec:\n  replicas: 1\n  serviceName: db\n  selector: {matchLabels: {app: db}}\n  template:\n    metadata: {labels: {app: db}}\n    spec:\n      containers: [{name: pg, image: 'postgres:16'}]\n  volumeClaimTemplates:\n  - metadata: {name: data}\n    spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}\n";
    let fs = run(
        &[("db.yaml".to_string(), db.to_string())],
        "rollout/replicas",
    );
    assert_eq!(fs.len(), 1, "{fs:#?}");
    assert_eq!(fs[0].level, crate::finding::Level::Warning);
    assert!(
        fs[0].message.contains("cannot simply be scaled out"),
        "{}",
        fs[0].message
    );
    assert!(!fs[0].message.contains("replicas: 2"), "{}", fs[0].message);
    // A Deployment on a ReadWriteOnce claim: the same.
    let rwo = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: minio}\nspec:\n  replicas: 1\n  strategy: {type: Recreate}\n  selector: {matchLabels: {app: minio}}\n  template:\n    metadata: {labels: {app: minio}}\n    spec:\n      containers: [{name: c, image: 'c:1'}]\n      volumes: [{name: d, persistentVolumeClaim: {claimName: data}}]\n---\napiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: data}\nspec: {accessModes: [ReadWriteOnce]}\n";
    let fs = run(
        &[("m.yaml".to_string(), rwo.to_string())],
        "rollout/replicas",
    );
    assert_eq!(fs.len(), 1, "{fs:#?}");
    assert!(fs[0].message.contains("ReadWriteOnce"), "{}", fs[0].message);
    assert_eq!(fs[0].level, crate::finding::Level::Warning);
    // A StatefulSet whose pods all mount that one claim (podinfo's database
    // primary): the same.
    let sts = rwo
        .replace("kind: Deployment", "kind: StatefulSet")
        .replace("  strategy: {type: Recreate}\n", "  serviceName: minio\n");
    let fs = run(&[("s.yaml".to_string(), sts.clone())], "rollout/replicas");
    assert_eq!(fs.len(), 1, "{fs:#?}");
    assert!(fs[0].message.contains("ReadWriteOnce"), "{}", fs[0].message);
    assert_eq!(fs[0].level, crate::finding::Level::Warning);
    // Must fire as an error: the claim is ReadWriteMany, pods (of a server)
    // can share it.
    let fs = run(
        &[(
            "s.yaml".to_string(),
            sts.replace("[ReadWriteOnce]", "[ReadWriteMany]").replace(
                "image: 'c:1'}",
                "image: 'c:1', ports: [{containerPort: 9000}]}",
            ),
        )],
        "rollout/replicas",
    );
    assert_eq!(fs.len(), 1, "{fs:#?}");
    assert_eq!(fs[0].level, crate::finding::Level::Error);
    // A stock database image in a Deployment: the same, naming the store.
    let pg = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: postgresql}\nspec:\n  replicas: 1\n  selector: {matchLabels: {app: pg}}\n  template:\n    metadata: {labels: {app: pg}}\n    spec:\n      containers: [{name: pg, image: 'docker.io/library/postgres:17.6'}]\n";
    let fs = run(
        &[("pg.yaml".to_string(), pg.to_string())],
        "rollout/replicas",
    );
    assert_eq!(fs.len(), 1, "{fs:#?}");
    assert!(
        fs[0].message.contains("data store (postgres)"),
        "{}",
        fs[0].message
    );
    assert_eq!(fs[0].level, crate::finding::Level::Warning);
    let web = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: ctl}\nspec:\n  replicas: 1\n  strategy: {type: Recreate}\n  selector: {matchLabels: {app: ctl}}\n  template:\n    metadata: {labels: {app: ctl}}\n    spec:\n      containers: [{name: c, image: 'c:1', ports: [{containerPort: 8080}]}]\n".to_string();
    // A controller or worker (no container declares a port): the same
    // true warning, no `replicas: 2` advice.
    let worker = web.replace(", ports: [{containerPort: 8080}]", "");
    let fs = run(
        &[("w.yaml".to_string(), worker.clone())],
        "rollout/replicas",
    );
    assert_eq!(fs.len(), 1, "{fs:#?}");
    assert!(
        fs[0].message.contains("serves no traffic"),
        "{}",
        fs[0].message
    );
    assert_eq!(fs[0].level, crate::finding::Level::Warning);
    // A stateless server at one replica — Recreate or not — is still an
    // error that advises more replicas.
    let fs = run(&[("web.yaml".to_string(), web)], "rollout/replicas");
    assert_eq!(fs.len(), 1, "{fs:#?}");
    assert_eq!(fs[0].level, crate::finding::Level::Error);
    assert!(
        fs[0].message.contains("run at least 2 replicas"),
        "{}",
        fs[0].message
    );
}

#[test]
fn probe_messages_fit_the_container() {
    // A worker (no ports): no claim about traffic.
    let worker = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: w}\nspec:\n  replicas: 2\n  selector: {matchLabels: {app: w}}\n  template:\n    metadata: {labels: {app: w}}\n    spec:\n      containers: [{name: consumer, image: 'w:1'}]\n";
    let fs = run(
        &[("w.yaml".to_string(), worker.to_string())],
        "rollout/readiness-probe",
    );
    assert_eq!(fs.len(), 1, "{fs:#?}");
    assert!(!fs[0].message.contains("traffic"), "{}", fs[0].message);
    assert!(
        fs[0].message.contains("rolling update"),
        "{}",
        fs[0].message
    );
    // A server with a readiness probe and no liveness probe: taken out of
    // traffic, never restarted.
    let web = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  replicas: 2\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers:\n      - name: web\n        image: 'web:1'\n        ports: [{containerPort: 8080}]\n        readinessProbe: {httpGet: {path: /ready, port: 8080}}\n";
    let fs = run(
        &[("web.yaml".to_string(), web.to_string())],
        "rollout/liveness-probe",
    );
    assert_eq!(fs.len(), 1, "{fs:#?}");
    assert!(
        fs[0].message.contains("never restarted"),
        "{}",
        fs[0].message
    );
    // Without either: the server keeps its share of traffic.
    let bare = web.replace(
        "        readinessProbe: {httpGet: {path: /ready, port: 8080}}\n",
        "",
    );
    let fs = run(&[("web.yaml".to_string(), bare)], "rollout/liveness-probe");
    assert!(
        fs[0].message.contains("share of traffic"),
        "{}",
        fs[0].message
    );
}

#[test]
fn hpas_of_another_deploy_target_and_switched_off_workloads() {
    let dep = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api}\nspec:\n  selector: {matchLabels: {app: api}}\n  template:\n    metadata: {labels: {app: api}}\n    spec:\n      containers: [{name: api, image: 'api:1'}]\n";
    let hpa = "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: api}\nspec:\n  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: api}\n  minReplicas: 1\n  maxReplicas: 5\n";
    // The HPA of another tree does not scale this Deployment: its own
    // missing replicas is the finding, not the other tree's HPA.
    let files = [
        ("manifests/api.yaml".to_string(), dep.to_string()),
        ("extras/hpa/api-hpa.yaml".to_string(), hpa.to_string()),
    ];
    let fs = run(&files, "rollout/replicas");
    let at: Vec<&str> = fs.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(at, vec!["manifests/api.yaml"], "{fs:#?}");
    // In one top-level tree (sibling folders) the HPA applies, and its
    // minReplicas: 1 is the finding.
    let files = [
        ("extras/x/manifests/api.yaml".to_string(), dep.to_string()),
        ("extras/x/hpa/api-hpa.yaml".to_string(), hpa.to_string()),
    ];
    let fs = run(&files, "rollout/replicas");
    let at: Vec<&str> = fs.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(at, vec!["extras/x/hpa/api-hpa.yaml"], "{fs:#?}");
    // Overlays reuse the HPA's name: the nearest one applies (here the
    // overlay's minReplicas: 1, not the base's 3).
    let base_hpa = hpa.replace("minReplicas: 1", "minReplicas: 3");
    let files = [
        ("deploy/bases/api/hpa.yaml".to_string(), base_hpa),
        (
            "deploy/secure/api/deployment.yaml".to_string(),
            dep.to_string(),
        ),
        ("deploy/secure/api/hpa.yaml".to_string(), hpa.to_string()),
    ];
    let fs = run(&files, "rollout/replicas");
    let at: Vec<&str> = fs.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(at, vec!["deploy/secure/api/hpa.yaml"], "{fs:#?}");
    // `replicas: 0` runs no pods: no pod findings at all.
    let off = dep.replace("spec:\n  selector", "spec:\n  replicas: 0\n  selector");
    let fs = run(&[("off.yaml".to_string(), off)], "");
    assert!(rollout(&fs).is_empty(), "{fs:#?}");
}

#[test]
fn a_workload_a_service_selects_serves_traffic_without_declared_ports() {
    // No containerPort, but a Service targets its pods: it serves traffic,
    // so one replica is the usual error with the usual advice.
    let dep = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api}\nspec:\n  replicas: 1\n  selector: {matchLabels: {app: api}}\n  template:\n    metadata: {labels: {app: api, tier: web}}\n    spec:\n      containers: [{name: api, image: 'api:1'}]\n";
    let svc = "apiVersion: v1\nkind: Service\nmetadata: {name: api}\nspec:\n  selector: {app: api}\n  ports: [{port: 80, targetPort: 8080}]\n";
    let files = [
        ("d.yaml".to_string(), dep.to_string()),
        ("svc.yaml".to_string(), svc.to_string()),
    ];
    let fs = run(&files, "rollout/replicas");
    assert_eq!(fs.len(), 1, "{fs:#?}");
    assert_eq!(fs[0].level, crate::finding::Level::Error);
    assert!(
        fs[0].message.contains("run at least 2 replicas"),
        "{}",
        fs[0].message
    );
    // Without the Service it serves nothing: the single-instance warning.
    let fs = run(&files[..1], "rollout/replicas");
    assert_eq!(fs[0].level, crate::finding::Level::Warning);
    assert!(
        fs[0].message.contains("serves no traffic"),
        "{}",
        fs[0].message
    );
}
