//! Rendered manifests, through the binary: kustomize overlays (the real
//! `kubectl kustomize`), Helm charts (a stand-in `helm`, see
//! [`helm_stand_in`]), OpenShift Templates and OLM ClusterServiceVersions.
//! Each feature has a must-fire and a must-not-fire case.

use crate::support;

use crate::support::write;
use serde_json::Value;
use std::path::Path;
use std::process::Command;

/// Runs `prr check DIR --format json` with `PATH` = `path`; returns the findings.
fn check(dir: &Path, path: &str) -> Vec<Value> {
    let out = Command::new(env!("CARGO_BIN_EXE_prr"))
        .args(["check", "--format", "json"])
        .arg(dir)
        .env("PATH", path)
        .env("NO_COLOR", "1")
        .output()
        .expect("run prr");
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    v["findings"].as_array().cloned().unwrap_or_default()
}

fn of<'a>(fs: &'a [Value], rule: &str) -> Vec<&'a Value> {
    fs.iter().filter(|f| f["rule"] == rule).collect()
}

fn msg(f: &Value) -> &str {
    f["message"].as_str().unwrap_or("")
}

/// The system PATH without any folder holding `kubectl`, `kustomize` or `helm`.
fn bare_path() -> String {
    let tmp = std::env::temp_dir().join("prr-render-empty-bin");
    std::fs::create_dir_all(&tmp).unwrap();
    // `sh` and the commands of the helm stand-in, and git, live in /bin
    // and /usr/bin with kubectl: link the few commands needed into a
    // private folder.
    for t in ["git", "sh", "cat", "sed", "dirname"] {
        if let Ok(p) = which(t) {
            let _ = std::os::unix::fs::symlink(p, tmp.join(t));
        }
    }
    tmp.to_string_lossy().into_owned()
}

fn which(t: &str) -> Result<std::path::PathBuf, ()> {
    std::env::split_paths(&std::env::var_os("PATH").ok_or(())?)
        .map(|d| d.join(t))
        .find(|p| p.is_file())
        .ok_or(())
}

const BASE_DEPLOY: &str = "apiVersion: apps/v1
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
        image: registry.example/web:1.0
        ports: [{containerPort: 8080}]
        readinessProbe: {httpGet: {path: /, port: 8080}}
        livenessProbe: {httpGet: {path: /, port: 8080}}
        resources:
          requests: {cpu: 100m, memory: 64Mi}
          limits: {memory: 64Mi}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: worker
spec:
  replicas: 3
  selector:
    matchLabels: {app: worker}
  template:
    metadata:
      labels: {app: worker}
    spec:
      containers:
      - name: worker
        image: registry.example/worker:latest
        ports: [{containerPort: 9090}]
        readinessProbe: {httpGet: {path: /, port: 9090}}
        livenessProbe: {httpGet: {path: /, port: 9090}}
        resources:
          requests: {cpu: 100m, memory: 64Mi}
          limits: {memory: 64Mi}
";

/// A base with two Deployments, two overlays: `prod` patches `web` to 3
/// replicas, `staging` keeps the base's 1; `worker` is the same in both.
fn overlays() -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    let r = d.path();
    write(r, "deploy/base/deployment.yaml", BASE_DEPLOY);
    write(
        r,
        "deploy/base/kustomization.yaml",
        "resources: [deployment.yaml]\n",
    );
    write(
        r,
        "deploy/overlays/prod/kustomization.yaml",
        "resources: [../../base]\npatches:\n- path: replicas.yaml\n",
    );
    write(
        r,
        "deploy/overlays/prod/replicas.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {replicas: 3}\n",
    );
    write(
        r,
        "deploy/overlays/staging/kustomization.yaml",
        "resources: [../../base]\n",
    );
    d
}

/// Overlays are rendered with the real kustomize; findings point at the
/// base document's line and name the overlay; `worker`, identical in both
/// overlays, is reported once listing both; the patch file is neither a
/// loose object nor a "not rendered" notice, and the base is not also
/// checked loose.
#[test]
#[ignore = "needs kubectl kustomize"]
fn kustomize_overlays_are_rendered_and_mapped_back() {
    support::require_kubectl();
    let d = overlays();
    let fs = check(d.path(), &std::env::var("PATH").unwrap());
    let replicas = of(&fs, "rollout/replicas");
    // Must fire: staging runs web with 1 replica, at the base's line 6.
    let staging: Vec<_> = replicas
        .iter()
        .filter(|f| msg(f).contains("Deployment/web (overlay deploy/overlays/staging)"))
        .collect();
    assert_eq!(staging.len(), 1, "{fs:#?}");
    assert_eq!(staging[0]["path"], "deploy/base/deployment.yaml");
    assert_eq!(staging[0]["line"], 6);
    // Must not fire: prod's patch makes it 3; no loose (overlay-less) copy.
    assert!(
        !replicas.iter().any(|f| msg(f).contains("prod")),
        "{replicas:#?}"
    );
    assert!(
        fs.iter()
            .filter(|f| f["path"]
                .as_str()
                .unwrap_or("")
                .ends_with("deployment.yaml"))
            .all(|f| msg(f).contains("(overlay")),
        "a base object was also checked loose: {fs:#?}"
    );
    // One finding for the identical worker, listing both overlays.
    let latest = of(&fs, "rollout/image-pinned");
    assert_eq!(latest.len(), 1, "{latest:#?}");
    assert!(
        msg(latest[0])
            .contains("Deployment/worker (overlays deploy/overlays/prod, deploy/overlays/staging)"),
        "{}",
        msg(latest[0])
    );
    assert_eq!(latest[0]["line"], 37);
    assert!(of(&fs, "prr/skipped").is_empty(), "{fs:#?}");
    assert!(of(&fs, "prr/render").is_empty(), "{fs:#?}");
}

/// A render error is a finding at the kustomization file (a missing
/// resource); a remote base, and a base outside the repository, are refused
/// without running kustomize; the overlay that builds is still rendered.
#[test]
#[ignore = "needs kubectl kustomize"]
fn kustomize_render_errors_are_findings() {
    support::require_kubectl();
    let d = overlays();
    let r = d.path();
    write(
        r,
        "deploy/overlays/broken/kustomization.yaml",
        "resources:\n- ../../base\n- missing.yaml\n",
    );
    write(
        r,
        "deploy/overlays/remote/kustomization.yaml",
        "resources:\n- https://github.com/example/app//deploy?ref=v1\n",
    );
    write(
        r,
        "deploy/overlays/outside/kustomization.yaml",
        "resources:\n- ../../../../outside-the-repository\n",
    );
    let fs = check(r, &std::env::var("PATH").unwrap());
    let render = of(&fs, "prr/render");
    assert_eq!(render.len(), 3, "{render:#?}");
    let outside = render
        .iter()
        .find(|f| f["path"] == "deploy/overlays/outside/kustomization.yaml")
        .expect("outside overlay reported");
    assert!(
        msg(outside).contains("outside the repository"),
        "{}",
        msg(outside)
    );
    let broken = render
        .iter()
        .find(|f| f["path"] == "deploy/overlays/broken/kustomization.yaml")
        .expect("broken overlay reported");
    assert!(msg(broken).contains("does not build"), "{}", msg(broken));
    assert!(msg(broken).contains("missing.yaml"), "{}", msg(broken));
    assert!(!msg(broken).contains("../../"), "{}", msg(broken));
    let remote = render
        .iter()
        .find(|f| f["path"] == "deploy/overlays/remote/kustomization.yaml")
        .expect("remote overlay reported");
    assert_eq!(remote["line"], 2);
    assert!(msg(remote).contains("remote resource"), "{}", msg(remote));
    // Must still fire for the overlay that builds.
    assert!(
        of(&fs, "rollout/replicas")
            .iter()
            .any(|f| msg(f).contains("overlay deploy/overlays/staging")),
        "{fs:#?}"
    );
}

/// Without kustomize or kubectl: one notice per overlay saying what was not
/// checked and how to enable it; the loose files are checked as before.
#[test]
fn without_kustomize_one_notice_per_overlay() {
    let d = overlays();
    let fs = check(d.path(), &bare_path());
    let notes: Vec<_> = of(&fs, "prr/skipped")
        .into_iter()
        .filter(|f| msg(f).contains("not rendered"))
        .collect();
    let paths: Vec<_> = notes.iter().map(|f| f["path"].as_str().unwrap()).collect();
    assert_eq!(
        paths,
        [
            "deploy/overlays/prod/kustomization.yaml",
            "deploy/overlays/staging/kustomization.yaml"
        ],
        "{fs:#?}"
    );
    assert!(
        msg(notes[0]).contains("Install kustomize"),
        "{}",
        msg(notes[0])
    );
    // Loose base still checked (no overlay in the message).
    assert!(
        of(&fs, "rollout/replicas")
            .iter()
            .any(|f| msg(f).starts_with("replicas: 1 on Deployment/web —")),
        "{fs:#?}"
    );
}

const CHART_DEPLOY: &str = r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "web.fullname" . }}
spec:
  {{- if not .Values.autoscaling.enabled }}
  replicas: {{ .Values.replicaCount }}
  {{- end }}
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
        - name: web
          image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"
          ports:
            - containerPort: 8080
          readinessProbe: {httpGet: {path: /, port: 8080}}
          livenessProbe: {httpGet: {path: /, port: 8080}}
          resources:
            {{- toYaml .Values.resources | nindent 12 }}
"#;

/// A chart with one Deployment template and a helper.
fn chart() -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    let r = d.path();
    write(
        r,
        "charts/web/Chart.yaml",
        "apiVersion: v2\nname: web\nversion: 0.1.0\n",
    );
    write(r, "charts/web/values.yaml", "replicaCount: 1\n");
    write(r, "charts/web/templates/deployment.yaml", CHART_DEPLOY);
    write(
        r,
        "charts/web/templates/_helpers.tpl",
        "{{- define \"web.fullname\" -}}web{{- end }}\n",
    );
    d
}

/// A stand-in for `helm` (helm cannot be installed on our machines): a
/// shell script that prints what `helm template web charts/web` prints for
/// [`chart`] — helm's documented output format, a `---` line then a
/// `# Source: <chart>/templates/<file>` comment before each document —
/// with `replicas` taken from the `--values` file when one is given
/// (`replicaCount: N`), else 1. It also records its arguments.
fn helm_stand_in(dir: &Path) -> String {
    let bin = dir.join("stand-in-bin");
    std::fs::create_dir_all(&bin).unwrap();
    let script = r#"#!/bin/sh
# Stand-in for helm: prints `helm template` output (helm's documented format).
echo "$@" > "$(dirname "$0")/args"
replicas=1
while [ $# -gt 0 ]; do
  case "$1" in
    --values=*) replicas=$(sed -n 's/^replicaCount: //p' "${1#--values=}") ;;
  esac
  shift
done
cat <<EOF
---
# Source: web/templates/deployment.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: $replicas
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
        - name: web
          image: "registry.example/web:1.0"
          ports:
            - containerPort: 8080
          readinessProbe: {httpGet: {path: /, port: 8080}}
          livenessProbe: {httpGet: {path: /, port: 8080}}
          resources:
            limits:
              memory: 64Mi
            requests:
              cpu: 100m
              memory: 64Mi
EOF
"#;
    let p = bin.join("helm");
    std::fs::write(&p, script).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
    format!("{}:{}", bin.display(), bare_path())
}

/// With `helm` on PATH (a stand-in, see [`helm_stand_in`]) the chart is
/// rendered: the finding is at the template file's `replicas:` line and
/// names the chart; with a values file from prr.yaml giving 3 replicas it
/// does not fire, and the values file was passed to helm.
#[test]
fn helm_charts_are_rendered_with_a_stand_in_helm() {
    let d = chart();
    let tools = tempfile::tempdir().unwrap();
    let path = helm_stand_in(tools.path());
    let fs = check(d.path(), &path);
    let r = of(&fs, "rollout/replicas");
    assert_eq!(r.len(), 1, "{fs:#?}");
    assert_eq!(r[0]["path"], "charts/web/templates/deployment.yaml");
    assert_eq!(r[0]["line"], 7);
    assert!(
        msg(r[0]).contains("Deployment/web (chart charts/web)"),
        "{}",
        msg(r[0])
    );
    assert!(of(&fs, "prr/templated").is_empty(), "{fs:#?}");
    assert!(of(&fs, "prr/skipped").is_empty(), "{fs:#?}");
    // Must not fire with the production values.
    write(d.path(), "charts/web/values-prod.yaml", "replicaCount: 3\n");
    write(
        d.path(),
        "prr.yaml",
        "render:\n  charts:\n    charts/web:\n      values: [values-prod.yaml]\n      release: shop\n      namespace: prod\n",
    );
    let fs = check(d.path(), &path);
    assert!(of(&fs, "rollout/replicas").is_empty(), "{fs:#?}");
    let args = std::fs::read_to_string(tools.path().join("stand-in-bin/args")).unwrap();
    // Options first as `--opt=value`, then `--`, then the release and the
    // chart (a copy holding its regular files only).
    assert!(
        args.starts_with("template --namespace=prod --values="),
        "{args}"
    );
    assert!(
        args.contains("charts/web/values-prod.yaml -- shop "),
        "{args}"
    );
}

/// A repository-chosen name is never read as a helm option: a chart folder
/// named `--post-renderer=sh` renders as `release-name`, after `--`.
#[test]
fn a_chart_name_never_becomes_a_helm_option() {
    let d = tempfile::tempdir().unwrap();
    let r = d.path();
    let dir = "deploy/--post-renderer=sh";
    write(
        r,
        &format!("{dir}/Chart.yaml"),
        "apiVersion: v2\nname: web\nversion: 0.1.0\n",
    );
    write(r, &format!("{dir}/values.yaml"), "replicaCount: 1\n");
    write(r, &format!("{dir}/templates/deployment.yaml"), CHART_DEPLOY);
    let tools = tempfile::tempdir().unwrap();
    let path = helm_stand_in(tools.path());
    check(r, &path);
    let args = std::fs::read_to_string(tools.path().join("stand-in-bin/args")).unwrap();
    assert!(
        args.starts_with("template --namespace=default -- release-name "),
        "{args}"
    );
    assert!(!args.contains("--post-renderer"), "{args}");
}

/// Without helm: one notice per chart with the number of templates, not
/// one `prr/templated` notice per template file.
#[test]
fn without_helm_one_notice_per_chart() {
    let d = chart();
    write(
        d.path(),
        "charts/web/templates/service.yaml",
        "kind: Service\nmetadata: {name: {{ .Release.Name }}}\n",
    );
    let fs = check(d.path(), &bare_path());
    assert!(of(&fs, "prr/templated").is_empty(), "{fs:#?}");
    let notes = of(&fs, "prr/skipped");
    assert_eq!(notes.len(), 1, "{fs:#?}");
    assert_eq!(notes[0]["path"], "charts/web/Chart.yaml");
    assert!(
        msg(notes[0]).contains("its 2 template(s) are not checked"),
        "{}",
        msg(notes[0])
    );
    assert!(msg(notes[0]).contains("Install helm"), "{}", msg(notes[0]));
}

/// OpenShift Templates: objects are checked at their lines in the
/// template; `${{REPLICAS}}` takes the parameter's value; an image made of
/// parameters without values has an unknown tag (not `:latest`), while a
/// literal `:latest` still fires.
#[test]
fn openshift_template_objects_are_checked() {
    let d = tempfile::tempdir().unwrap();
    let r = d.path();
    write(
        r,
        "openshift/app.yaml",
        "apiVersion: template.openshift.io/v1
kind: Template
metadata:
  name: app
parameters:
- name: REPLICAS
  value: '1'
- name: IMAGE
- name: IMAGE_TAG
objects:
- apiVersion: apps/v1
  kind: Deployment
  metadata:
    name: api
  spec:
    replicas: ${{REPLICAS}}
    selector:
      matchLabels: {app: api}
    template:
      metadata:
        labels: {app: api}
      spec:
        containers:
        - name: api
          image: ${IMAGE}:${IMAGE_TAG}
          ports: [{containerPort: 8080}]
        - name: sidecar
          image: quay.io/example/proxy:latest
",
    );
    let fs = check(r, &bare_path());
    let rep = of(&fs, "rollout/replicas");
    assert_eq!(rep.len(), 1, "{fs:#?}");
    assert_eq!(
        (rep[0]["path"].as_str(), rep[0]["line"].as_u64()),
        (Some("openshift/app.yaml"), Some(16))
    );
    assert!(
        msg(rep[0]).starts_with("replicas: 1 on Deployment/api"),
        "{}",
        msg(rep[0])
    );
    let img = of(&fs, "rollout/image-pinned");
    assert_eq!(img.len(), 1, "{img:#?}");
    assert!(
        msg(img[0]).contains("quay.io/example/proxy:latest"),
        "{}",
        msg(img[0])
    );
    // Must not fire: with 3 replicas as the parameter's value.
    let text = std::fs::read_to_string(r.join("openshift/app.yaml")).unwrap();
    write(
        r,
        "openshift/app.yaml",
        text.replace("value: '1'", "value: '3'"),
    );
    assert!(of(&check(r, &bare_path()), "rollout/replicas").is_empty());
}

/// OLM: a ClusterServiceVersion's deployments are Deployments: a Service
/// of the bundle selecting their labels resolves (must not fire), one
/// selecting nothing still fires; the deployment itself is checked.
#[test]
fn olm_csv_deployments_are_workloads() {
    let d = tempfile::tempdir().unwrap();
    let r = d.path();
    write(
        r,
        "bundle/manifests/op.clusterserviceversion.yaml",
        "apiVersion: operators.coreos.com/v1alpha1
kind: ClusterServiceVersion
metadata:
  name: op.v1.0.0
spec:
  install:
    strategy: deployment
    spec:
      deployments:
      - name: op-controller
        label: {control-plane: controller-manager}
        spec:
          replicas: 1
          selector:
            matchLabels: {control-plane: controller-manager}
          template:
            metadata:
              labels: {control-plane: controller-manager}
            spec:
              containers:
              - name: manager
                image: quay.io/example/op:v1.0.0
                ports: [{containerPort: 8443}]
",
    );
    write(
        r,
        "bundle/manifests/metrics-service.yaml",
        "apiVersion: v1\nkind: Service\nmetadata: {name: op-metrics}\nspec:\n  selector: {control-plane: controller-manager}\n  ports: [{port: 8443}]\n",
    );
    write(
        r,
        "bundle/manifests/stray-service.yaml",
        "apiVersion: v1\nkind: Service\nmetadata: {name: stray}\nspec:\n  selector: {app: nothing}\n  ports: [{port: 80}]\n",
    );
    let fs = check(r, &bare_path());
    let sel = of(&fs, "rollout/selector-match");
    assert_eq!(sel.len(), 1, "{sel:#?}");
    assert_eq!(sel[0]["path"], "bundle/manifests/stray-service.yaml");
    let rep = of(&fs, "rollout/replicas");
    assert_eq!(rep.len(), 1, "{fs:#?}");
    assert_eq!(rep[0]["line"], 13);
    assert!(
        msg(rep[0]).contains("Deployment/op-controller"),
        "{}",
        msg(rep[0])
    );
}

/// The coverage block counts render sources by outcome (issue 13 item 11):
/// a chart not rendered (no helm) with its templates, an OpenShift Template
/// read with the objects it produced — in JSON and in the text report.
#[test]
fn coverage_counts_what_was_rendered_and_what_was_not() {
    let d = chart();
    write(
        d.path(),
        "openshift/app.yaml",
        "apiVersion: template.openshift.io/v1\nkind: Template\nmetadata:\n  name: app\nobjects:\n- apiVersion: v1\n  kind: Service\n  metadata: {name: app}\n  spec: {ports: [{port: 80}]}\n",
    );
    let run = |format: &str| {
        Command::new(env!("CARGO_BIN_EXE_prr"))
            .args(["check", "--format", format])
            .arg(d.path())
            .env("PATH", bare_path())
            .env("NO_COLOR", "1")
            .output()
            .expect("run prr")
    };
    let v: Value = serde_json::from_slice(&run("json").stdout).expect("json");
    let renders = &v["coverage"]["renders"];
    assert_eq!(renders["chart"]["not_rendered"], 1, "{renders}");
    assert_eq!(renders["chart"]["templates_not_rendered"], 1, "{renders}");
    assert_eq!(renders["OpenShift Template"]["rendered"], 1, "{renders}");
    assert_eq!(renders["OpenShift Template"]["objects"], 1, "{renders}");
    let text = String::from_utf8_lossy(&run("text").stdout).into_owned();
    assert!(
        text.contains("rendered     1 OpenShift Template → 1 object; not read: 1 chart not rendered (no tool, 1 template)"),
        "{text}"
    );
}
