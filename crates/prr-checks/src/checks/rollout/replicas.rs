//! `rollout.replicas` (rule `rollout/replicas`): a workload runs more than
//! one pod (or its autoscaler's floor does), spread across zones, unless it
//! is a single instance by design.

use super::common::{autoscaler_min, hpa_for, replicated, two, yes};
use super::{images, standalone, volumes};
use crate::checks::{Context, Sink};
use crate::formats::k8s::K8sObject;
use crate::yaml::Node;
use serde::Deserialize;

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

/// Runs `rollout.replicas`.
pub fn replicas(ctx: &Context, p: &Replicas, sink: &mut Sink) {
    for w in replicated(ctx) {
        let o = w.obj;
        if p.zones && !spread_across_zones(o) {
            sink.report(
                &o.path,
                o.pos,
                format!(
                    "{} does not spread its pods across zones — add a topologySpreadConstraints entry (or a pod anti-affinity term) with topologyKey: topology.kubernetes.io/zone so one zone's outage leaves replicas running",
                    o.display_name()
                ),
            );
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
                sink.report(
                    &h.path,
                    min_node.map_or(h.pos, |n| n.pos),
                    format!(
                        "{} has {what}: it may scale {} down to {min} pod(s) — set {key}: {} or more so a node drain or a crash keeps the service up",
                        h.display_name(),
                        o.display_name(),
                        p.min
                    ),
                );
            }
            if p.flag_replicas_with_hpa
                && let Some(r) = spec_replicas
            {
                sink.report(
                    &o.path,
                    r.pos,
                    format!(
                        "replicas: {} is set on {} while {} scales it — every apply resets the autoscaler's count; remove spec.replicas",
                        r.scalar_text().unwrap_or_default(),
                        o.display_name(),
                        h.display_name()
                    ),
                );
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
            sink.push(
                sink.finding(
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
        sink.report(
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
        );
    }
    sink.extend(standalone::lone_hpas(ctx, sink, p.min));
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
