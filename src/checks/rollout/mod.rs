//! Rollout-safety checks (`rollout/…`) over Kubernetes Deployments, StatefulSets, Argo Rollouts and Flagger Canaries.
//!
//! Scope, by check:
//! - replicas, PodDisruptionBudget: Deployments (`apps`, `extensions`),
//!   StatefulSets and Argo `Rollout`s. A Deployment that a Rollout names in
//!   `spec.workloadRef` is scaled to 0 by design and only lends its pod
//!   template: the Rollout is checked instead.
//! - strategy: Deployments, Argo `Rollout`s and Flagger `Canary`s (a
//!   Deployment that a Canary targets is rolled out by Flagger: the Canary's
//!   analysis is checked instead of the Deployment's strategy).
//! - probes: long-running pods — Pods, Deployments, StatefulSets, DaemonSets,
//!   ReplicaSets, ReplicationControllers, Rollouts (not Jobs and CronJobs,
//!   which run to completion and receive no traffic).
//! - resources, image pinning: every pod owner, Jobs and CronJobs included.
//! - selector match: workloads with `spec.selector`, and Services.
//!
//! A Rollout with `workloadRef` is checked on the referenced Deployment's
//! pod template; positions then point into the Deployment's manifest.
//!
//! Namespaces: two objects are compared only when their namespaces can be
//! equal — equal, or either unset (kustomize and `kubectl -n` set it later).

use super::Context;
use crate::finding::Finding;
use crate::formats::k8s::{K8sObject, LabelSelector, Workload, workloads};
use crate::rules::Rule;
use crate::yaml::{Node, Pos};
use serde::Deserialize;

mod images;
mod operators;
mod standalone;
pub use standalone::{Schema, schema};
mod volumes;

/// Deployments, StatefulSets and Rollouts: the kinds with replicas, a
/// PodDisruptionBudget and (but StatefulSets) a rollout strategy.
fn is_replicated(o: &K8sObject) -> bool {
    o.is_deployment() || o.is(&["apps"], "StatefulSet") || o.is_argo_rollout()
}

fn is_long_running(o: &K8sObject) -> bool {
    !matches!(o.kind.as_str(), "Job" | "CronJob")
}

/// A HorizontalPodAutoscaler (any `autoscaling` version) that targets `w`:
/// same kind and name in `spec.scaleTargetRef`, same namespace.
fn hpa_for<'a>(ctx: &'a Context, w: &K8sObject) -> Option<&'a K8sObject> {
    // Overlays reuse names (`bases/frontend/hpa.yaml`, `secure/frontend/
    // hpa.yaml`): of the HPAs naming the workload, the nearest one — the
    // longest shared folder prefix — is the one deployed with it.
    let shared = |h: &K8sObject| {
        h.path
            .split('/')
            .zip(w.path.split('/'))
            .take_while(|(a, b)| a == b)
            .count()
    };
    ctx.inventory
        .objects
        .iter()
        .filter(|h| {
            is_autoscaler(h)
                && h.same_target(w)
                && h.node
                    .path("spec.scaleTargetRef.kind")
                    .and_then(Node::as_str)
                    // KEDA's scaleTargetRef.kind defaults to Deployment.
                    .or(h.is(&["keda.sh"], "ScaledObject").then_some("Deployment"))
                    == Some(w.kind.as_str())
                && h.node
                    .path("spec.scaleTargetRef.name")
                    .and_then(Node::scalar_text)
                    .as_deref()
                    == Some(w.name.as_str())
        })
        .max_by_key(|h| (shared(h), std::cmp::Reverse(h.path.clone())))
}

/// A HorizontalPodAutoscaler (any `autoscaling` version) or a KEDA
/// `ScaledObject` (`keda.sh`), which creates and drives one.
fn is_autoscaler(h: &K8sObject) -> bool {
    h.is(&["autoscaling"], "HorizontalPodAutoscaler") || h.is(&["keda.sh"], "ScaledObject")
}

/// An autoscaler's lower bound: its node (when written), the value and
/// the key's name — HPA `minReplicas` (default 1), KEDA `minReplicaCount`
/// (default 0: scale to zero).
fn autoscaler_min(h: &K8sObject) -> (Option<&Node>, i64, &'static str) {
    let (key, default) = if h.is(&["keda.sh"], "ScaledObject") {
        ("minReplicaCount", 0)
    } else {
        ("minReplicas", 1)
    };
    let node = h.node.get("spec").and_then(|s| s.get(key));
    (node, node.and_then(Node::as_i64).unwrap_or(default), key)
}

/// The lowest number of pods the workload runs: its autoscaler's lower
/// bound ([`autoscaler_min`]) when one manages it, else `spec.replicas`
/// (default 1).
fn effective_replicas(ctx: &Context, w: &K8sObject) -> i64 {
    // Kubernetes counts are int32 ≥ 0; clamp whatever the file says so the
    // arithmetic below can neither overflow nor go negative.
    let n = match hpa_for(ctx, w) {
        // An unresolved lower bound (`${{MIN}}` without a value) is unknown:
        // no claim about "one pod" may rest on it, so it counts as many.
        Some(h) => match autoscaler_min(h) {
            (Some(node), _, _) if node.as_i64().is_none() => i64::from(i32::MAX),
            (_, min, _) => min,
        },
        None => w
            .node
            .path("spec.replicas")
            .and_then(Node::as_i64)
            .unwrap_or(1),
    };
    n.clamp(0, i64::from(i32::MAX))
}

/// The workloads in the scope of replicas / PDB checks.
fn replicated<'a>(ctx: &'a Context) -> impl Iterator<Item = Workload<'a>> {
    workloads(&ctx.inventory.objects)
        .into_iter()
        .filter(|w| is_replicated(w.obj) && w.referenced_by.is_none())
}

/// Parameters of `rollout.replicas`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Replicas {
    /// The minimum number of pods (default 2).
    #[serde(default = "two")]
    pub min: i64,
    /// Also report `spec.replicas` set on a workload an HPA scales (every
    /// `kubectl apply` then resets the autoscaler's choice). Default true.
    #[serde(default = "yes")]
    pub flag_replicas_with_hpa: bool,
    /// Also require the pods to be spread across zones: a
    /// `topologySpreadConstraints` entry or a pod anti-affinity term with
    /// `topologyKey: topology.kubernetes.io/zone`.
    #[serde(default)]
    pub zones: bool,
}

/// Whether the pod template spreads the pods across zones.
fn spread_across_zones(o: &K8sObject) -> bool {
    const ZONE: &str = "topology.kubernetes.io/zone";
    let Some(spec) = o.node.path("spec.template.spec") else {
        return false;
    };
    let spread = spec
        .get("topologySpreadConstraints")
        .map(Node::items)
        .unwrap_or_default()
        .iter()
        .any(|c| c.get("topologyKey").and_then(Node::as_str) == Some(ZONE));
    let anti = spec
        .path("affinity.podAntiAffinity")
        .map(|a| {
            let req = a
                .get("requiredDuringSchedulingIgnoredDuringExecution")
                .map(Node::items)
                .unwrap_or_default();
            let pref = a
                .get("preferredDuringSchedulingIgnoredDuringExecution")
                .map(Node::items)
                .unwrap_or_default();
            req.iter()
                .chain(pref.iter().filter_map(|p| p.get("podAffinityTerm")))
                .any(|t| t.get("topologyKey").and_then(Node::as_str) == Some(ZONE))
        })
        .unwrap_or(false);
    spread || anti
}

fn two() -> i64 {
    2
}

fn yes() -> bool {
    true
}

/// Runs `rollout.replicas`.
pub fn replicas(ctx: &Context, rule: &Rule, p: &Replicas) -> Vec<Finding> {
    let mut out = Vec::new();
    for w in replicated(ctx) {
        let o = w.obj;
        if p.zones && !spread_across_zones(o) {
            out.push(Finding::new(
                &rule.id,
                &o.path,
                o.pos,
                format!(
                    "{} does not spread its pods across zones — add a topologySpreadConstraints entry (or a pod anti-affinity term) with topologyKey: topology.kubernetes.io/zone so one zone's outage leaves replicas running",
                    o.display_name()
                ),
            ));
        }
        let spec_replicas = o.node.path("spec.replicas");
        if let Some(h) = hpa_for(ctx, o) {
            let (min_node, min, key) = autoscaler_min(h);
            // A parameter the file does not resolve (`${{MIN}}` of a
            // Template) is an unknown value, not the default.
            let unknown = min_node.is_some_and(|n| n.as_i64().is_none());
            if min < p.min && !unknown {
                let what = match min_node {
                    Some(_) => format!("{key}: {min}"),
                    None => format!("no {key} (default {min})"),
                };
                out.push(Finding::new(
                    &rule.id,
                    &h.path,
                    min_node.map_or(h.pos, |n| n.pos),
                    format!(
                        "{} has {what}: it may scale {} down to {min} pod(s) — set {key}: {} or more so a node drain or a crash keeps the service up",
                        h.display_name(),
                        o.display_name(),
                        p.min
                    ),
                ));
            }
            if p.flag_replicas_with_hpa
                && let Some(r) = spec_replicas
            {
                out.push(Finding::new(
                    &rule.id,
                    &o.path,
                    r.pos,
                    format!(
                        "replicas: {} is set on {} while {} scales it — every apply resets the autoscaler's count; remove spec.replicas",
                        r.scalar_text().unwrap_or_default(),
                        o.display_name(),
                        h.display_name()
                    ),
                ));
            }
            continue;
        }
        // An unresolved parameter (`${{REPLICAS}}` without a value) is unknown.
        if spec_replicas
            .and_then(Node::as_str)
            .is_some_and(|s| s.contains("${"))
        {
            continue;
        }
        let count = match spec_replicas {
            Some(r) => r.as_i64(),
            None => Some(1),
        };
        if count.is_some_and(|n| n >= p.min) {
            continue;
        }
        let at = spec_replicas.map_or(o.pos, |r| r.pos);
        // A workload that declares it runs one pod at a time, or keeps its
        // data in per-pod volumes, is not fixed by a bigger number: say what
        // is true (it goes down on a drain) without advice that would harm.
        if let Some(why) = singleton_reason(ctx, o)
            && count.is_some_and(|n| n <= 1)
        {
            out.push(
                Finding::new(
                    &rule.id,
                    &o.path,
                    at,
                    format!(
                        "{} runs 1 pod and {why}, so it cannot simply be scaled out: a node drain or a crash takes it down until it is rescheduled — make it highly available (replication, leader election) or accept the downtime (`# prr:ignore rollout/replicas -- reason`)",
                        o.display_name()
                    ),
                )
                .with_level(crate::finding::Level::Warning),
            );
            continue;
        }
        out.push(Finding::new(
            &rule.id,
            &o.path,
            at,
            match spec_replicas {
                Some(r) => format!(
                    "replicas: {} on {} — run at least {} replicas (or an HPA with minReplicas ≥ {}) so a node drain or a crash keeps the service up",
                    r.scalar_text().unwrap_or_else(|| r.type_name().to_string()),
                    o.display_name(),
                    p.min,
                    p.min
                ),
                None => format!(
                    "{} sets no replicas, so it runs 1 pod (the Kubernetes default) — set replicas: {} or more (or add an HPA with minReplicas ≥ {})",
                    o.display_name(),
                    p.min,
                    p.min
                ),
            },
        ));
    }
    out.extend(standalone::lone_hpas(ctx, rule, p.min));
    out
}

/// Why `o` is a single instance by design, for `rollout/replicas`: a
/// Deployment or StatefulSet whose pods cannot run side by side (one
/// ReadWriteOnce claim they all mount, a hostPort:
/// [`volumes::exclusive_reason`]), a StatefulSet with
/// `volumeClaimTemplates` (each pod its own data: more replicas help only
/// if the software replicates it), a workload no container of which
/// declares a port (a controller, worker or client), or one running a
/// stock data-store image. `Recreate` alone is not such a sign: it
/// is also chosen for apps that must not run two versions at once, which
/// can still run two pods of one version.
fn singleton_reason(ctx: &Context, o: &K8sObject) -> Option<String> {
    // A Deployment, or a StatefulSet whose pods all mount one claim (not
    // per-pod `volumeClaimTemplates`): a ReadWriteOnce claim or a hostPort
    // keeps a second pod from running beside the first.
    if (o.is_deployment() || o.is(&["apps"], "StatefulSet"))
        && let Some(r) = volumes::exclusive_reason(ctx, o)
    {
        return Some(r);
    }
    if o.is(&["apps"], "StatefulSet")
        && o.node
            .path("spec.volumeClaimTemplates")
            .is_some_and(|v| !v.items().is_empty())
    {
        return Some(
            "keeps its data in per-pod volumes (volumeClaimTemplates): more replicas help only if the software replicates that data".to_string(),
        );
    }
    let spec = o.pod_template().and_then(|t| t.path("spec"))?;
    let containers = spec.get("containers").map(Node::items).unwrap_or_default();
    for c in containers {
        let Some(image) = c.get("image").and_then(Node::scalar_text) else {
            continue;
        };
        if let Some(store) = data_store(&image) {
            return Some(format!(
                "runs a data store ({store}): a second replica is a second, independent {store}, so availability needs {store}'s own replication (or an operator that sets it up)"
            ));
        }
    }
    // A controller, worker or client: no container declares a port and no
    // Service selects its pods, so no traffic waits on it; a second replica only helps when the software
    // shares work or elects a leader (a second copy of a controller without
    // leader election reconciles everything twice).
    let pod_labels =
        crate::formats::k8s::labels(o.pod_template().and_then(|t| t.path("metadata.labels")));
    let selected_by_service = ctx.inventory.objects.iter().any(|svc| {
        svc.is(&[""], "Service") && svc.same_target(o) && {
            let sel = crate::formats::k8s::labels(svc.node.path("spec.selector"));
            !sel.is_empty() && sel.iter().all(|kv| pod_labels.contains(kv))
        }
    });
    if !containers.is_empty()
        && !selected_by_service
        && containers
            .iter()
            .all(|c| c.get("ports").is_none_or(|p| p.items().is_empty()))
    {
        return Some(
            "serves no traffic (no container declares a port and no Service selects it: a controller, worker or client; a second replica helps only if it shares work or elects a leader)".to_string(),
        );
    }
    None
}

/// Data stores whose replicas do not share data by themselves: a second
/// pod of the stock image is a second, independent store. Matched on the
/// image's last path segment without tag or digest.
const DATA_STORES: &[&str] = &[
    "postgres",
    "postgresql",
    "mysql",
    "mariadb",
    "mongo",
    "mongodb",
    "redis",
    "valkey",
    "memcached",
    "kafka",
    "zookeeper",
    "opensearch",
    "elasticsearch",
    "cassandra",
    "rabbitmq",
    "minio",
    "clickhouse",
    "influxdb",
];

/// The data store an image runs (`docker.io/library/postgres:16` →
/// `postgres`, `bitnami/redis@sha256:…` → `redis`), if it is one of
/// [`DATA_STORES`].
fn data_store(image: &str) -> Option<&'static str> {
    let name = images::image_name(image);
    let repo = name.rsplit('/').next().unwrap_or(name).to_ascii_lowercase();
    DATA_STORES.iter().find(|s| **s == repo).copied()
}

/// Which probe `rollout.probe` requires.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ProbeKind {
    /// `readinessProbe`.
    #[default]
    Readiness,
    /// `livenessProbe`.
    Liveness,
}

/// Parameters of `rollout.probe`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Probe {
    /// `readiness` or `liveness`.
    #[serde(default)]
    pub probe: ProbeKind,
    /// With `probe: liveness`: also report a livenessProbe identical to the
    /// readinessProbe (same handler). Default false.
    #[serde(default)]
    pub flag_identical: bool,
    /// The most a missing probe is reported at (default `error`: the rule's
    /// level). `rollout/liveness-probe` sets `notice`: a liveness probe is
    /// optional practice — the Kubernetes documentation says a process that
    /// exits on its own when it fails does not need one — so its absence is
    /// shown, not gated, while an identical pair stays at the rule's level.
    #[serde(default = "error_level")]
    pub missing_level: crate::finding::Level,
}

fn error_level() -> crate::finding::Level {
    crate::finding::Level::Error
}

/// A probe's handler (what it runs), for comparison: `exec`, `httpGet`,
/// `tcpSocket` or `grpc`.
fn probe_handler(probe: &Node) -> Option<serde_json::Value> {
    ["exec", "httpGet", "tcpSocket", "grpc"]
        .iter()
        .find_map(|k| probe.get(k).map(|h| serde_json::json!({ *k: h.to_json() })))
}

/// A probe's timing with the Kubernetes defaults filled in:
/// (initialDelaySeconds 0, periodSeconds 10, timeoutSeconds 1,
/// successThreshold 1, failureThreshold 3).
fn probe_timing(probe: &Node) -> [i64; 5] {
    let f = |k: &str, d: i64| probe.get(k).and_then(Node::as_i64).unwrap_or(d);
    [
        f("initialDelaySeconds", 0),
        f("periodSeconds", 10),
        f("timeoutSeconds", 1),
        f("successThreshold", 1),
        f("failureThreshold", 3),
    ]
}

/// A sidecar for the readiness and liveness checks: a container without
/// `ports`, in a pod with another container, when another container has the
/// probe. Pod readiness is the AND of its containers' readiness, and a
/// container without a readinessProbe counts as ready once started: the
/// serving container's probe gates the traffic. A sidecar that serves
/// nothing keeps no traffic when it hangs, which is what liveness is
/// about here; its own failure modes (a stuck config reloader) need its
/// metrics, not a restart loop.
fn is_sidecar(c: &Node, all: &[Node], key: &str) -> bool {
    all.len() > 1
        && c.get("ports").is_none_or(|p| p.items().is_empty())
        && all
            .iter()
            .any(|o| !std::ptr::eq(o, c) && o.get(key).is_some())
}

fn container_name(c: &Node) -> String {
    c.get("name")
        .and_then(Node::scalar_text)
        .unwrap_or_else(|| "?".to_string())
}

/// Runs `rollout.probe`.
pub fn probe(ctx: &Context, rule: &Rule, p: &Probe) -> Vec<Finding> {
    let key = match p.probe {
        ProbeKind::Readiness => "readinessProbe",
        ProbeKind::Liveness => "livenessProbe",
    };
    // What the missing probe costs, true to the container: one that
    // serves (ports) gets traffic; one with a readiness probe is taken out
    // of traffic when stuck, but not restarted; a worker serves nothing.
    let why = |c: &Node| -> &'static str {
        let serves = c.get("ports").is_some_and(|p| !p.items().is_empty());
        let ready = c.get("readinessProbe").is_some();
        match (p.probe, serves, ready) {
            (ProbeKind::Readiness, true, _) => {
                "without it, pods receive traffic before they can serve and a rolling update continues past pods that never become ready"
            }
            (ProbeKind::Readiness, false, _) => {
                "without it, a pod counts as available as soon as it starts, so a rolling update continues past pods that never work"
            }
            (ProbeKind::Liveness, _, true) => {
                "without it, a deadlocked process is taken out of traffic by its readinessProbe but never restarted: the pod stays unready, its capacity lost, until someone deletes it"
            }
            (ProbeKind::Liveness, true, false) => {
                "without it, a deadlocked process keeps its pod and its share of traffic until someone restarts it"
            }
            (ProbeKind::Liveness, false, false) => {
                "without it, a deadlocked process keeps its pod, doing no work, until someone restarts it"
            }
        }
    };
    let mut out = Vec::new();
    for w in workloads(&ctx.inventory.objects) {
        if !is_long_running(w.obj) || w.referenced_by.is_some() {
            continue;
        }
        let all = w.containers();
        for c in all {
            let name = container_name(c);
            match c.get(key) {
                None if is_sidecar(c, all, key) => {}
                None => out.push(
                    Finding::new(
                        &rule.id,
                        &w.template_obj.path,
                        c.get("name").map_or(c.pos, |n| n.pos),
                        format!(
                            "container `{name}` of {} has no {key}: {}",
                            w.display_name(),
                            why(c)
                        ),
                    )
                    .with_level(p.missing_level),
                ),
                Some(probe) if p.flag_identical && p.probe == ProbeKind::Liveness => {
                    let ready_probe = c.get("readinessProbe");
                    let ready = ready_probe.and_then(probe_handler);
                    if ready.is_some()
                        && ready == probe_handler(probe)
                        && ready_probe.map(probe_timing) == Some(probe_timing(probe))
                    {
                        out.push(Finding::new(
                            &rule.id,
                            &w.template_obj.path,
                            c.key(key).map_or(probe.pos, |k| k.pos),
                            format!(
                                "container `{name}` of {} has a livenessProbe identical to its readinessProbe (same handler and timing) — when the check fails, every pod is taken out of traffic and restarted at the same moment; give liveness a higher failureThreshold (or a longer period) so it only fires when the process stays stuck, or check only that the process is alive (e.g. /livez)",
                                w.display_name()
                            ),
                        ));
                    }
                }
                Some(_) => {}
            }
        }
    }
    out
}

/// Parameters of `rollout.resources`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Resources {
    /// Require `requests.cpu` and `requests.memory` (default true; a set
    /// limit counts, Kubernetes then defaults the request to it). Rule
    /// `rollout/memory-limit` runs this check with `false` to report only
    /// limits, at its own level.
    #[serde(default = "yes")]
    pub require_requests: bool,
    /// Require `limits.cpu` (default false: CPU limits throttle).
    #[serde(default)]
    pub require_cpu_limit: bool,
    /// Require `limits.memory` (default true).
    #[serde(default = "yes")]
    pub require_memory_limit: bool,
    /// Also check init containers (default false: they run before the app
    /// containers and a pod's effective request is the larger of the app
    /// containers' sum and the largest init container's, so a missing
    /// init request does not change scheduling).
    #[serde(default)]
    pub init_containers: bool,
}

/// Runs `rollout.resources`.
pub fn resources(ctx: &Context, rule: &Rule, p: &Resources) -> Vec<Finding> {
    let mut out = Vec::new();
    for w in workloads(&ctx.inventory.objects) {
        if w.referenced_by.is_some() {
            continue;
        }
        let init: &[Node] = if p.init_containers {
            w.init_containers()
        } else {
            &[]
        };
        for c in w.containers().iter().chain(init) {
            let res = c.get("resources");
            let has = |path: &str| {
                res.and_then(|r| r.path(path))
                    .is_some_and(|v| v.scalar_text().is_some_and(|t| !t.trim().is_empty()))
            };
            let mut missing = Vec::new();
            // Kubernetes defaults a missing request to the limit.
            let mut why = Vec::new();
            if p.require_requests {
                for r in ["cpu", "memory"] {
                    if !has(&format!("requests.{r}")) && !has(&format!("limits.{r}")) {
                        missing.push(format!("requests.{r}"));
                    }
                }
                if !missing.is_empty() {
                    why.push("without requests the scheduler places it blind and overpacks nodes (and it is evicted first under pressure)");
                }
            }
            if p.require_memory_limit && !has("limits.memory") {
                missing.push("limits.memory".to_string());
                why.push("without a memory limit one leaking container can starve its neighbours on the node");
            }
            if p.require_cpu_limit && !has("limits.cpu") {
                missing.push("limits.cpu".to_string());
                why.push("your policy requires CPU limits");
            }
            if missing.is_empty() {
                continue;
            }
            let pos = c
                .key("resources")
                .map(|k| k.pos)
                .or_else(|| c.get("name").map(|n| n.pos))
                .unwrap_or(c.pos);
            out.push(Finding::new(
                &rule.id,
                &w.template_obj.path,
                pos,
                format!(
                    "container `{}` of {} sets no {} — {}",
                    container_name(c),
                    w.display_name(),
                    missing.join(", "),
                    why.join("; ")
                ),
            ));
        }
    }
    out
}

/// Parameters of `rollout.pdb`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Pdb {
    /// A missing budget is reported from this many effective replicas on
    /// (default 2: at one replica a budget protects nothing, and the single
    /// replica is `rollout/replicas`' finding). `1` asks for a budget on
    /// every workload, ready for when it scales.
    #[serde(default = "two")]
    pub min_replicas: i64,
}

/// How many of `replicas` pods a PDB lets be evicted at once, and the node
/// that says so (`minAvailable`/`maxUnavailable` value). Percentages are
/// scaled and rounded up as the disruption controller does
/// (`GetScaledValueFromIntOrPercent(…, roundUp = true)`); neither field
/// means `minAvailable: 1`.
fn allowed_disruptions(pdb: &K8sObject, replicas: i64) -> (i64, Pos, String) {
    let spec = pdb.node.get("spec");
    let field = |k: &str| spec.and_then(|s| s.get(k));
    let scaled = |n: &Node| -> Option<i64> {
        match n.as_str().map(str::trim) {
            Some(s) if s.ends_with('%') => {
                let pct: f64 = s.trim_end_matches('%').trim().parse().ok()?;
                Some(((replicas as f64) * pct / 100.0).ceil() as i64)
            }
            _ => n.as_i64(),
        }
    };
    let text = |k: &str, n: &Node| format!("{k}: {}", n.scalar_text().unwrap_or_default());
    if let Some(n) = field("maxUnavailable") {
        return (
            scaled(n).unwrap_or(0).clamp(0, replicas.max(0)),
            n.pos,
            text("maxUnavailable", n),
        );
    }
    if let Some(n) = field("minAvailable") {
        let min = scaled(n).unwrap_or(replicas);
        return (
            replicas.saturating_sub(min).max(0),
            n.pos,
            text("minAvailable", n),
        );
    }
    (
        replicas.saturating_sub(1).max(0),
        pdb.pos,
        "no minAvailable or maxUnavailable (minAvailable: 1)".to_string(),
    )
}

/// Runs `rollout.pdb`.
pub fn pdb(ctx: &Context, rule: &Rule, p: &Pdb) -> Vec<Finding> {
    let _ = p;
    let pdbs: Vec<&K8sObject> = ctx
        .inventory
        .objects
        .iter()
        .filter(|o| o.is(&["policy"], "PodDisruptionBudget"))
        .collect();
    let mut out = Vec::new();
    for w in replicated(ctx) {
        let labels = w.pod_labels();
        let matching: Vec<&K8sObject> = pdbs
            .iter()
            .copied()
            .filter(|b| b.same_namespace(w.obj))
            .filter(|b| {
                let Some(sel) = b.node.path("spec.selector") else {
                    return false;
                };
                let sel = LabelSelector::from_node(sel);
                // policy/v1: an empty selector selects every pod; v1beta1: none.
                if sel.is_empty() {
                    return b.api_version == "policy/v1";
                }
                sel.matches(&labels)
            })
            .collect();
        let replicas = effective_replicas(ctx, w.obj);
        if matching.is_empty() {
            // At one replica a budget protects nothing (any budget that
            // allows a drain allows evicting the only pod): the single
            // replica is rollout/replicas' finding, not this one's.
            if replicas < p.min_replicas {
                continue;
            }
            let shown: Vec<String> = labels.iter().map(|(k, v)| format!("{k}={v}")).collect();
            out.push(Finding::new(
                &rule.id,
                &w.obj.path,
                w.obj.pos,
                format!(
                    "no PodDisruptionBudget selects the pods of {} (labels: {}) — a node drain or cluster upgrade may evict all of them at once; add one with maxUnavailable: 1",
                    w.display_name(),
                    if shown.is_empty() { "none".to_string() } else { shown.join(", ") }
                ),
            ));
            continue;
        }
        let verdicts: Vec<(i64, Pos, String, &K8sObject)> = matching
            .iter()
            .map(|b| {
                let (n, pos, what) = allowed_disruptions(b, replicas);
                (n, pos, what, *b)
            })
            .collect();
        if verdicts.iter().any(|(n, ..)| *n > 0) {
            continue;
        }
        for (_, pos, what, b) in verdicts {
            out.push(Finding::new(
                &rule.id,
                &b.path,
                pos,
                format!(
                    "{} {what} with {replicas} replica(s) of {} allows no voluntary disruption — node drains and cluster upgrades block on it; use maxUnavailable: 1 (or minAvailable below the replica count)",
                    b.display_name(),
                    w.display_name()
                ),
            ));
        }
    }
    out.extend(standalone::lone_pdbs(ctx, rule));
    out
}

/// Parameters of `rollout.strategy`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Strategy {
    /// Require a progressive delivery strategy (Argo Rollouts canary or
    /// blueGreen, or a Flagger Canary): a plain Deployment's rolling update
    /// is then a finding (the critical tier's requirement in the
    /// `recommended` pack).
    #[serde(default)]
    pub progressive: bool,
}

/// A Flagger `Canary` that targets `o` (`spec.targetRef` kind and name).
fn flagger_canary_for<'a>(ctx: &'a Context, o: &K8sObject) -> Option<&'a K8sObject> {
    ctx.inventory.objects.iter().find(|c| {
        c.is(&["flagger.app"], "Canary")
            && c.same_namespace(o)
            && c.node
                .path("spec.targetRef.kind")
                .and_then(Node::as_str)
                .unwrap_or("Deployment")
                == o.kind
            && c.node
                .path("spec.targetRef.name")
                .and_then(Node::scalar_text)
                .as_deref()
                == Some(o.name.as_str())
    })
}

/// Runs `rollout.strategy`.
pub fn strategy(ctx: &Context, rule: &Rule, p: &Strategy) -> Vec<Finding> {
    let mut out = Vec::new();
    for w in replicated(ctx) {
        let o = w.obj;
        if o.is_deployment() {
            if flagger_canary_for(ctx, o).is_some() {
                continue;
            }
            if p.progressive {
                out.push(Finding::new(
                    &rule.id,
                    &o.path,
                    o.pos,
                    format!(
                        "{} rolls out with a plain rolling update, and this service's tier requires a canary or blue-green rollout — use an Argo Rollout (spec.strategy.canary or blueGreen) or a Flagger Canary targeting it",
                        o.display_name()
                    ),
                ));
                continue;
            }
            out.extend(deployment_strategy(ctx, rule, o));
        } else if o.is_argo_rollout() {
            out.extend(argo_strategy(rule, o));
        }
    }
    for c in ctx
        .inventory
        .objects
        .iter()
        .filter(|c| c.is(&["flagger.app"], "Canary"))
    {
        out.extend(flagger_strategy(rule, c));
    }
    out
}

fn deployment_strategy(ctx: &Context, rule: &Rule, o: &K8sObject) -> Option<Finding> {
    let strategy = o.node.path("spec.strategy");
    let ty = strategy.and_then(|s| s.get("type"));
    let exclusive = volumes::exclusive_reason(ctx, o);
    if let Some(t) = ty
        && t.as_str() == Some("Recreate")
    {
        // Two pods cannot run side by side: Recreate is the right choice.
        // At one pod, Recreate is how a singleton that must never run twice
        // (in-memory store, no leader election) rolls out; its downtime is
        // the single replica's, which rollout/replicas reports.
        if exclusive.is_some() || effective_replicas(ctx, o) < 2 {
            return None;
        }
        return Some(Finding::new(
            &rule.id,
            &o.path,
            t.pos,
            format!(
                "{} uses strategy type: Recreate — every rollout stops all pods before starting new ones (downtime); use RollingUpdate with maxUnavailable below the replica count",
                o.display_name()
            ),
        ));
    }
    if let Some(why) = exclusive
        && volumes::surges(o)
    {
        let (pos, how) = match ty {
            Some(t) => (t.pos, "uses a RollingUpdate"),
            None => (
                o.pos,
                "sets no strategy, so it uses a RollingUpdate (the default)",
            ),
        };
        return Some(Finding::new(
            &rule.id,
            &o.path,
            pos,
            format!(
                "{} {why} and {how} that starts the new pod before the old one stops — the new pod cannot get the volume or port while the old one holds it, so the rollout can stall; use strategy type: Recreate (or rollingUpdate.maxSurge: 0)",
                o.display_name()
            ),
        ));
    }
    let mu = strategy.and_then(|s| s.path("rollingUpdate.maxUnavailable"))?;
    let replicas = effective_replicas(ctx, o);
    // At one replica every rolling update has all pods down at some point
    // unless it surges: that is rollout/replicas' finding, not a second one.
    if replicas < 2 {
        return None;
    }
    let all = match mu.as_str().map(str::trim) {
        Some(s) if s.ends_with('%') => s
            .trim_end_matches('%')
            .trim()
            .parse::<f64>()
            .is_ok_and(|v| v >= 100.0),
        _ => mu.as_i64().is_some_and(|n| n >= replicas.max(1)),
    };
    all.then(|| {
        Finding::new(
            &rule.id,
            &o.path,
            mu.pos,
            format!(
                "maxUnavailable: {} lets a rolling update of {} take all {replicas} pod(s) down at once — use at most replicas − 1 (e.g. 25% or 1)",
                mu.scalar_text().unwrap_or_default(),
                o.display_name()
            ),
        )
    })
}

fn argo_strategy(rule: &Rule, o: &K8sObject) -> Option<Finding> {
    let strategy = o.node.path("spec.strategy");
    if strategy.and_then(|s| s.get("blueGreen")).is_some() {
        return None;
    }
    let Some(canary) = strategy.and_then(|s| s.get("canary")) else {
        return Some(Finding::new(
            &rule.id,
            &o.path,
            strategy.map_or(o.pos, |s| s.pos),
            format!(
                "{} has no canary or blueGreen strategy — define spec.strategy.canary with steps that pause or run an analysis, or spec.strategy.blueGreen",
                o.display_name()
            ),
        ));
    };
    // A gate: a pause, an analysis, or an experiment that runs analyses or
    // has no duration (the rollout then waits until the experiment is ended).
    let gated_step = canary.get("steps").is_some_and(|s| {
        s.items().iter().any(|step| {
            step.get("pause").is_some()
                || step.get("analysis").is_some()
                || step
                    .get("experiment")
                    .is_some_and(|e| e.get("analyses").is_some() || e.get("duration").is_none())
        })
    });
    if gated_step || canary.get("analysis").is_some() {
        return None;
    }
    let key = strategy
        .and_then(|s| s.key("canary"))
        .map_or(canary.pos, |k| k.pos);
    Some(Finding::new(
        &rule.id,
        &o.path,
        key,
        format!(
            "canary strategy of {} has no pause or analysis step and no background analysis — the new version reaches 100 % without any gate; add steps such as `- setWeight: 20` then `- pause: {{duration: 10m}}` or an `analysis`",
            o.display_name()
        ),
    ))
}

fn flagger_strategy(rule: &Rule, c: &K8sObject) -> Option<Finding> {
    let spec = c.node.get("spec");
    if let Some(skip) = spec.and_then(|s| s.get("skipAnalysis"))
        && skip.as_bool() == Some(true)
    {
        return Some(Finding::new(
            &rule.id,
            &c.path,
            skip.pos,
            format!(
                "{} has skipAnalysis: true — Flagger promotes every new version without checking its metrics; remove it",
                c.display_name()
            ),
        ));
    }
    let (key, analysis) = ["analysis", "canaryAnalysis"]
        .iter()
        .find_map(|k| spec.and_then(|s| s.get(k)).map(|a| (*k, a)))
        .unzip();
    let has_metrics = analysis
        .and_then(|a| a.get("metrics"))
        .is_some_and(|m| !m.items().is_empty());
    let has_threshold = analysis
        .and_then(|a| a.get("threshold"))
        .and_then(Node::as_i64)
        .is_some_and(|t| t > 0);
    if has_metrics && has_threshold {
        return None;
    }
    let pos = match key {
        Some(k) => spec.and_then(|s| s.key(k)).map_or(c.pos, |k| k.pos),
        None => c.pos,
    };
    let missing = match (has_metrics, has_threshold) {
        (false, false) => "metrics and a threshold",
        (false, true) => "metrics",
        _ => "a threshold",
    };
    Some(Finding::new(
        &rule.id,
        &c.path,
        pos,
        format!(
            "{} has no analysis with {missing} — Flagger then cannot roll back a bad version; set spec.analysis.metrics (e.g. request-success-rate) and spec.analysis.threshold",
            c.display_name()
        ),
    ))
}

/// Parameters of `rollout.image-pinned`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ImagePinned {
    /// Require a digest (`@sha256:…`), not only a tag. Default false.
    #[serde(default)]
    pub require_digest: bool,
}

/// The tag of an image reference (`None` when untagged). A `:` before the
/// last `/` belongs to a registry port (`registry:5000/app`).
fn image_tag(image: &str) -> Option<&str> {
    let name = image.split('@').next().unwrap_or(image);
    let last = name.rsplit('/').next().unwrap_or(name);
    last.split_once(':').map(|(_, t)| t)
}

/// Runs `rollout.image-pinned`.
pub fn image_pinned(ctx: &Context, rule: &Rule, p: &ImagePinned) -> Vec<Finding> {
    let overrides = images::Overrides::collect(ctx);
    let mut out = Vec::new();
    for w in workloads(&ctx.inventory.objects) {
        if w.referenced_by.is_some() {
            continue;
        }
        for c in w.containers().iter().chain(w.init_containers()) {
            let Some(img) = c.get("image") else { continue };
            let Some(image) = img.as_str() else { continue };
            // An empty image is filled in by an operator or an admission
            // webhook: there is no reference here to pin.
            // An unresolved parameter (`${IMAGE}:${TAG}` of an OpenShift
            // Template, envsubst) is an unknown value, not `:latest`.
            if image.trim().is_empty() || image.contains("${") {
                continue;
            }
            let digest = image.contains("@sha256:");
            // A rendered object's override is in its overlay's chain: look
            // it up from the overlay, not from the base file it maps to.
            let seen_from = w
                .template_obj
                .origin
                .as_ref()
                .filter(|o| o.via == "overlay")
                .and_then(|o| o.sources.first())
                .map_or_else(
                    || w.template_obj.path.clone(),
                    |d| format!("{d}/kustomization.yaml"),
                );
            let replaced = overrides.lookup(image, &seen_from);
            let problem = if replaced == Some(images::Override::Pinned) {
                None
            } else if let Some(images::Override::Unpinned(how)) = replaced {
                Some(format!(
                    "is not pinned: {how} — pin a version tag or a digest there"
                ))
            } else if p.require_digest && !digest {
                Some("is not pinned by digest — a tag can be moved; use image@sha256:…".to_string())
            } else if digest || image.contains('@') {
                None
            } else {
                match image_tag(image) {
                    None => Some(
                        "has no tag, so it means :latest — pin a version tag or a digest"
                            .to_string(),
                    ),
                    Some("latest") => {
                        Some("uses :latest — pin a version tag or a digest".to_string())
                    }
                    Some(_) => None,
                }
            };
            if let Some(problem) = problem {
                out.push(Finding::new(
                    &rule.id,
                    &w.template_obj.path,
                    img.pos,
                    format!(
                        "image `{image}` of container `{}` in {} {problem}, so a restart or rollback can run different code than was reviewed",
                        container_name(c),
                        w.display_name()
                    ),
                ));
            }
        }
    }
    out
}

/// Parameters of `rollout.selector-match`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct SelectorMatch {
    /// Also report Services whose selector matches no workload (default true).
    #[serde(default = "yes")]
    pub services: bool,
}

/// API versions where `spec.selector` defaults to the template's labels.
fn selector_defaults(o: &K8sObject) -> bool {
    matches!(
        o.api_version.as_str(),
        "extensions/v1beta1" | "apps/v1beta1"
    )
}

/// Runs `rollout.selector-match`.
pub fn selector_match(ctx: &Context, rule: &Rule, p: &SelectorMatch) -> Vec<Finding> {
    let mut out = Vec::new();
    let all = workloads(&ctx.inventory.objects);
    for w in &all {
        let o = w.obj;
        if matches!(o.kind.as_str(), "Pod" | "CronJob" | "Job") || w.template.is_none() {
            continue;
        }
        // A Rollout that takes its template and selector from a Deployment
        // (`workloadRef`) is covered by the Deployment's own check.
        let borrowed = !std::ptr::eq(w.obj, w.template_obj);
        if borrowed && o.node.path("spec.selector").is_none() {
            continue;
        }
        let labels = w.pod_labels();
        match w.selector() {
            None if selector_defaults(o) => {}
            None => out.push(Finding::new(
                &rule.id,
                &o.path,
                o.node.key("spec").map_or(o.pos, |k| k.pos),
                format!(
                    "{} has no spec.selector — {} requires one (matchLabels equal to the pod template's labels), so the API rejects it",
                    w.display_name(),
                    o.api_version
                ),
            )),
            Some(node) => {
                let sel = LabelSelector::from_node(node);
                if sel.is_empty() {
                    out.push(Finding::new(
                        &rule.id,
                        &o.path,
                        node.pos,
                        format!(
                            "spec.selector of {} is empty — the API rejects an empty workload selector; use matchLabels equal to the pod template's labels",
                            w.display_name()
                        ),
                    ));
                } else if !sel.matches(&labels) {
                    let shown: Vec<String> = labels.iter().map(|(k, v)| format!("{k}={v}")).collect();
                    out.push(Finding::new(
                        &rule.id,
                        &o.path,
                        node.pos,
                        format!(
                            "spec.selector ({}) of {} does not select its own pod template (labels: {}) — the API rejects it; make the template's labels include the selector's",
                            sel.display(),
                            w.display_name(),
                            if shown.is_empty() { "none".to_string() } else { shown.join(", ") }
                        ),
                    ));
                }
            }
        }
    }
    let operated = operators::operator_pods(&ctx.inventory.objects);
    if !p.services || (all.is_empty() && operated.is_empty()) {
        return out;
    }
    // Each workload's pod label sets once (a StatefulSet has one per
    // ordinal), not once per Service.
    let pod_labels: Vec<(&Workload, Vec<_>)> = all
        .iter()
        .filter(|w| w.referenced_by.is_none())
        .map(|w| (w, w.pod_label_sets()))
        .collect();
    for s in ctx
        .inventory
        .objects
        .iter()
        .filter(|o| o.is(&[""], "Service"))
    {
        if s.node.path("spec.type").and_then(Node::as_str) == Some("ExternalName") {
            continue;
        }
        let Some(node) = s.node.path("spec.selector") else {
            continue;
        };
        let sel = LabelSelector::from_map(node);
        if sel.is_empty() {
            continue;
        }
        let selected = pod_labels
            .iter()
            .filter(|(w, _)| w.obj.same_namespace(s))
            .any(|(_, sets)| sets.iter().any(|l| sel.matches(l)))
            || operated
                .iter()
                .filter(|op| op.near(s))
                .any(|op| op.label_sets.iter().any(|l| sel.matches(l)));
        if !selected {
            out.push(Finding::new(
                &rule.id,
                &s.path,
                node.pos,
                format!(
                    "{} selects {} but no workload or operator resource (Prometheus, Alertmanager, ThanosRuler, ClusterServiceVersion) in this repository has pods with these labels — the Service has no endpoints; fix the selector or the pod template's labels",
                    s.display_name(),
                    sel.display()
                ),
            ));
        }
    }
    out
}

#[cfg(test)]
mod precision_tests;

#[cfg(test)]
mod tests {
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
        let body = std::fs::read_to_string(testutil::fixtures().join("rollout").join(&m))
            .expect("fixture");
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
}
