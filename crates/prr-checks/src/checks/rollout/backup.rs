//! `rollout.backup` (rule `rollout/backup`): stateful workloads are covered
//! by a Velero backup Schedule.

use super::common::yes;
use crate::checks::{Context, Sink};
use crate::formats::k8s::{K8sObject, LabelSelector, labels, workloads};
use crate::yaml::Node;
use serde::Deserialize;

/// Parameters of `rollout.backup`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Backup {
    /// Also check Deployments and Argo Rollouts that mount a
    /// PersistentVolumeClaim (default true); StatefulSets are always checked.
    #[serde(default = "yes")]
    pub deployments_with_pvc: bool,
}

/// Whether a Velero `Schedule` backs up `w` (pods with `pod_labels`):
/// not paused; `spec.template.includedNamespaces` empty, `*` or holding
/// the workload's namespace (any, when the workload sets none), which
/// `excludedNamespaces` does not exclude; `includedResources`, if set,
/// includes volumes (`*`, persistentvolumeclaims, persistentvolumes, pods)
/// and `excludedResources` does not exclude PVCs; `labelSelector` /
/// `orLabelSelectors`, if set, select the pod template's or the
/// workload's labels.
fn schedule_covers(s: &K8sObject, w: &K8sObject, pod_labels: &[(String, String)]) -> bool {
    let spec = s.node.get("spec");
    if spec.and_then(|sp| sp.get("paused")).and_then(Node::as_bool) == Some(true) {
        return false;
    }
    let t = spec.and_then(|sp| sp.get("template"));
    let list = |k: &str| -> Vec<String> {
        t.and_then(|t| t.get(k))
            .map(|l| l.items().iter().filter_map(Node::scalar_text).collect())
            .unwrap_or_default()
    };
    let included = list("includedNamespaces");
    let excluded = list("excludedNamespaces");
    let ns_ok = match &w.namespace {
        Some(ns) => {
            (included.is_empty() || included.iter().any(|i| i == "*" || i == ns))
                && !excluded.iter().any(|e| e == ns)
        }
        None => true,
    };
    let base = |r: &String| r.split('.').next().unwrap_or("").to_lowercase();
    let res_in = list("includedResources");
    let volumes = [
        "*",
        "persistentvolumeclaims",
        "pvc",
        "persistentvolumes",
        "pv",
        "pods",
    ];
    let res_ok = (res_in.is_empty() || res_in.iter().any(|r| volumes.contains(&base(r).as_str())))
        && !list("excludedResources")
            .iter()
            .any(|r| matches!(base(r).as_str(), "persistentvolumeclaims" | "pvc"));
    let own = labels(w.node.path("metadata.labels"));
    let sel_ok = |n: &Node| {
        let sel = LabelSelector::from_node(n);
        sel.is_empty() || sel.matches(pod_labels) || sel.matches(&own)
    };
    let selectors: Vec<&Node> = t
        .and_then(|t| t.get("labelSelector"))
        .into_iter()
        .chain(
            t.and_then(|t| t.get("orLabelSelectors"))
                .map_or(&[][..], Node::items),
        )
        .collect();
    let labels_ok = selectors.is_empty() || selectors.into_iter().any(sel_ok);
    ns_ok && res_ok && labels_ok
}

/// Runs `rollout.backup`: every StatefulSet (and, with
/// `deployments-with-pvc`, every Deployment or Rollout mounting a
/// PersistentVolumeClaim) is backed up by a Velero `Schedule`
/// (`velero.io/v1`). Finding at the workload.
pub fn backup(ctx: &Context, p: &Backup, sink: &mut Sink) {
    let objects = &ctx.inventory.objects;
    let schedules: Vec<&K8sObject> = objects
        .iter()
        .filter(|o| o.is(&["velero.io"], "Schedule"))
        .collect();
    for w in workloads(objects) {
        let o = w.obj;
        if w.referenced_by.is_some() {
            continue;
        }
        let sts = o.is(&["apps"], "StatefulSet");
        let pvc = p.deployments_with_pvc
            && (o.is_deployment() || o.is_argo_rollout())
            && w.pod_spec()
                .and_then(|s| s.get("volumes"))
                .is_some_and(|v| {
                    v.items()
                        .iter()
                        .any(|v| v.get("persistentVolumeClaim").is_some())
                });
        if !sts && !pvc {
            continue;
        }
        let pod_labels = w.pod_labels();
        if schedules.iter().any(|s| schedule_covers(s, o, &pod_labels)) {
            continue;
        }
        let ns = o
            .namespace
            .as_deref()
            .map_or(String::new(), |n| format!(" in namespace `{n}`"));
        let what = if sts {
            "keeps state"
        } else {
            "mounts a PersistentVolumeClaim"
        };
        sink.report(
            &o.path,
            o.pos,
            format!(
                "{}{ns} {what} but no Velero Schedule backs it up: a deleted volume or namespace loses its data for good — add a `velero.io/v1` Schedule (e.g. `schedule: \"0 3 * * *\"`) whose `template.includedNamespaces` holds its namespace and whose labelSelector, if any, selects its pods",
                o.display_name()
            ),
        );
    }
}
