//! Objects judged on their own (issue 13, item 10): a PodDisruptionBudget
//! or HorizontalPodAutoscaler whose workload is not in the repository (it
//! may come from a chart or another repository) is still checked for what
//! it says by itself, and an `apps` workload under an apiVersion the API
//! does not serve is a finding rather than silently skipped.
//!
//! The reference cases are Polaris' (`pdbDisruptionsIsZero`: a budget with
//! `maxUnavailable: 0` or `minAvailable: 100%` never allows an eviction;
//! `hpaMinAvailability`: `minReplicas` below 2) and the Kubernetes API's
//! group/version table (`apps/v1` since 1.9; the `extensions/v1beta1`,
//! `apps/v1beta1` and `apps/v1beta2` forms, removed in 1.16, are still read
//! by prr).

use super::common::replicated;
use crate::checks::{Context, Sink};
use crate::finding::Finding;
use crate::formats::k8s::{K8sObject, LabelSelector};
use crate::yaml::Node;
use serde::Deserialize;

/// Whether `pdb` selects the pods of some replicated workload of the
/// repository (same rule as `rollout.pdb`).
fn selects_a_workload(ctx: &Context, pdb: &K8sObject) -> bool {
    let Some(sel) = pdb.node.path("spec.selector") else {
        return false;
    };
    let sel = LabelSelector::from_node(sel);
    replicated(ctx).any(|w| {
        pdb.same_namespace(w.obj)
            && if sel.is_empty() {
                pdb.api_version == "policy/v1"
            } else {
                sel.matches(&w.pod_labels())
            }
    })
}

/// The `maxUnavailable: 0` / `"0%"` or `minAvailable: "100%"` node of a
/// budget: what makes it block every eviction whatever the replica count.
fn blocks_at_any_scale(pdb: &K8sObject) -> Option<&Node> {
    let spec = pdb.node.get("spec")?;
    let is = |n: &Node, want: f64| {
        let pct = n
            .as_str()
            .map(str::trim)
            .and_then(|s| s.strip_suffix('%'))
            .and_then(|s| s.trim().parse::<f64>().ok());
        match (pct, n.as_i64()) {
            (Some(p), _) => p == want,
            (None, Some(i)) => want == 0.0 && i == 0,
            _ => false,
        }
    };
    if let Some(n) = spec.get("maxUnavailable") {
        return is(n, 0.0).then_some(n);
    }
    spec.get("minAvailable").filter(|n| is(n, 100.0))
}

/// `rollout.pdb` for budgets that select no workload of the repository:
/// one that allows no voluntary disruption at any scale is a finding at
/// the value that says so.
pub(super) fn lone_pdbs(ctx: &Context, sink: &Sink) -> Vec<Finding> {
    ctx.inventory
        .objects
        .iter()
        .filter(|o| o.is(&["policy"], "PodDisruptionBudget"))
        .filter(|b| !selects_a_workload(ctx, b))
        .filter_map(|b| {
            let n = blocks_at_any_scale(b)?;
            let key = if b.node.path("spec.maxUnavailable").is_some() {
                "maxUnavailable"
            } else {
                "minAvailable"
            };
            Some(sink.finding(
                &b.path,
                n.pos,
                format!(
                    "{} {key}: {} allows no voluntary disruption at any replica count — node drains and cluster upgrades block on every pod it selects (its workload is not in this repository, so this holds whatever runs it); use maxUnavailable: 1",
                    b.display_name(),
                    n.scalar_text().unwrap_or_default()
                ),
            ))
        })
        .collect()
}

/// `rollout.replicas` for autoscalers whose target is nowhere in the
/// repository (no object of that kind and name in a namespace that can be
/// the same; one in another deploy tree is not scaled by this HPA, but it
/// is there, so the claim "not in this repository" would be false): `minReplicas` below `min` (absent = 1, the API default) is
/// a finding at the value (or the object).
pub(super) fn lone_hpas(ctx: &Context, sink: &Sink, min: i64) -> Vec<Finding> {
    let objects = &ctx.inventory.objects;
    objects
        .iter()
        .filter(|h| h.is(&["autoscaling"], "HorizontalPodAutoscaler"))
        .filter(|h| {
            let kind = h.node.path("spec.scaleTargetRef.kind").and_then(Node::as_str);
            let name = h
                .node
                .path("spec.scaleTargetRef.name")
                .and_then(Node::scalar_text);
            !objects.iter().any(|o| {
                Some(o.kind.as_str()) == kind
                    && Some(o.name.as_str()) == name.as_deref()
                    && h.same_namespace(o)
            })
        })
        .filter_map(|h| {
            let node = h.node.path("spec.minReplicas");
            let value = node.and_then(Node::as_i64).unwrap_or(1);
            (value < min).then(|| {
                let what = match node {
                    Some(_) => format!("minReplicas: {value}"),
                    None => "no minReplicas (default 1)".to_string(),
                };
                sink.finding(
                    &h.path,
                    node.map_or(h.pos, |n| n.pos),
                    format!(
                        "{} has {what}: it may scale its target down to {value} pod(s) — set minReplicas: {min} or more so a node drain or a crash keeps the service up (its target is not in this repository; this holds whatever it scales)",
                        h.display_name()
                    ),
                )
            })
        })
        .collect()
}

/// Parameters of `rollout.schema` (none).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Schema {}

/// The API groups that serve each workload kind prr checks.
const SERVED: &[(&str, &[&str])] = &[
    ("Deployment", &["apps", "extensions"]),
    ("StatefulSet", &["apps"]),
    ("DaemonSet", &["apps", "extensions"]),
    ("ReplicaSet", &["apps", "extensions"]),
    ("PodDisruptionBudget", &["policy"]),
    ("HorizontalPodAutoscaler", &["autoscaling"]),
];

/// Runs `rollout.schema`: a workload kind under an apiVersion whose group
/// does not serve it (`apiVersion: v1` on a Deployment) is refused by the
/// API server and was skipped by every other rollout check.
pub fn schema(ctx: &Context, _p: &Schema, sink: &mut Sink) {
    for o in &ctx.inventory.objects {
        let Some((_, groups)) = SERVED.iter().find(|(k, _)| *k == o.kind) else {
            continue;
        };
        // A group with a dot is a custom resource's (`example.com/v1`
        // `Deployment`): another API, not a misspelt built-in one.
        if groups.contains(&o.group()) || o.group().contains('.') {
            continue;
        }
        let at = o.node.get("apiVersion").map_or(o.pos, |n| n.pos);
        let good = format!("{}/v1", groups[0]);
        sink.report(
            &o.path,
            at,
            format!(
                "{} is under `apiVersion: {}`, which does not serve kind {} — the API server refuses it (no matches for kind), and prr's other rollout checks cannot read it; use `apiVersion: {good}`",
                o.display_name(),
                o.api_version,
                o.kind
            ),
        );
    }
}
