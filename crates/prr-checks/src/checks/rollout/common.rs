//! What several `rollout/…` checks share: which workloads have replicas,
//! their autoscalers and lowest replica count, container names, parameter
//! defaults.

use crate::checks::Context;
use crate::formats::k8s::{K8sObject, Workload, workloads};
use crate::yaml::Node;

/// Deployments, StatefulSets and Rollouts: the kinds with replicas, a
/// PodDisruptionBudget and (but StatefulSets) a rollout strategy.
pub(super) fn is_replicated(o: &K8sObject) -> bool {
    o.is_deployment() || o.is(&["apps"], "StatefulSet") || o.is_argo_rollout()
}

pub(super) fn is_long_running(o: &K8sObject) -> bool {
    !matches!(o.kind.as_str(), "Job" | "CronJob")
}

/// A HorizontalPodAutoscaler (any `autoscaling` version) that targets `w`:
/// same kind and name in `spec.scaleTargetRef`, same namespace.
pub(super) fn hpa_for<'a>(ctx: &'a Context, w: &K8sObject) -> Option<&'a K8sObject> {
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
pub(super) fn is_autoscaler(h: &K8sObject) -> bool {
    h.is(&["autoscaling"], "HorizontalPodAutoscaler") || h.is(&["keda.sh"], "ScaledObject")
}

/// An autoscaler's lower bound: its node (when written), the value and
/// the key's name — HPA `minReplicas` (default 1), KEDA `minReplicaCount`
/// (default 0: scale to zero).
pub(super) fn autoscaler_min(h: &K8sObject) -> (Option<&Node>, i64, &'static str) {
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
pub(super) fn effective_replicas(ctx: &Context, w: &K8sObject) -> i64 {
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
pub(super) fn replicated<'a>(ctx: &'a Context) -> impl Iterator<Item = Workload<'a>> {
    workloads(&ctx.inventory.objects)
        .into_iter()
        .filter(|w| is_replicated(w.obj) && w.referenced_by.is_none())
}

pub(super) fn two() -> i64 {
    2
}

pub(super) fn yes() -> bool {
    true
}

pub(super) fn container_name(c: &Node) -> String {
    c.get("name")
        .and_then(Node::scalar_text)
        .unwrap_or_else(|| "?".to_string())
}
