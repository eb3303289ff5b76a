//! `rollout.pdb` (rule `rollout/pdb`): a replicated workload has a
//! PodDisruptionBudget that allows a disruption.

use super::common::{effective_replicas, replicated, two};
use super::standalone;
use crate::checks::{Context, Sink};
use crate::formats::k8s::{K8sObject, LabelSelector};
use crate::yaml::{Node, Pos};
use serde::Deserialize;

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
pub fn pdb(ctx: &Context, p: &Pdb, sink: &mut Sink) {
    let _ = p;
    let pdbs: Vec<&K8sObject> = ctx
        .inventory
        .objects
        .iter()
        .filter(|o| o.is(&["policy"], "PodDisruptionBudget"))
        .collect();
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
            sink.report(
                &w.obj.path,
                w.obj.pos,
                format!(
                    "no PodDisruptionBudget selects the pods of {} (labels: {}) — a node drain or cluster upgrade may evict all of them at once; add one with maxUnavailable: 1",
                    w.display_name(),
                    if shown.is_empty() { "none".to_string() } else { shown.join(", ") }
                ),
            );
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
            sink.report(
                &b.path,
                pos,
                format!(
                    "{} {what} with {replicas} replica(s) of {} allows no voluntary disruption — node drains and cluster upgrades block on it; use maxUnavailable: 1 (or minAvailable below the replica count)",
                    b.display_name(),
                    w.display_name()
                ),
            );
        }
    }
    sink.extend(standalone::lone_pdbs(ctx, sink));
}
