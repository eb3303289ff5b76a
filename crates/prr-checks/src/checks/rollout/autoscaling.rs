//! `rollout.autoscaling` (rule `rollout/autoscaling`): a Deployment,
//! StatefulSet or Rollout has an autoscaler (HPA, KEDA ScaledObject).

use crate::checks::{Context, Sink};
use crate::formats::k8s::{K8sObject, workloads};
use crate::yaml::Node;
use serde::Deserialize;

/// Parameters of `rollout.autoscaling` (none).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Autoscaling {}

/// Whether an HPA (`autoscaling`, any version: `spec.scaleTargetRef` kind
/// and name) or a KEDA `ScaledObject` (`keda.sh`: `spec.scaleTargetRef.name`,
/// `kind` default `Deployment`) in the same namespace scales `w`.
fn autoscaled(objects: &[K8sObject], w: &K8sObject) -> bool {
    objects.iter().any(|a| {
        let default_kind = if a.is(&["autoscaling"], "HorizontalPodAutoscaler") {
            None
        } else if a.is(&["keda.sh"], "ScaledObject") {
            Some("Deployment")
        } else {
            return false;
        };
        let target = a.node.path("spec.scaleTargetRef");
        let kind = target
            .and_then(|t| t.get("kind"))
            .and_then(Node::as_str)
            .or(default_kind);
        let name = target
            .and_then(|t| t.get("name"))
            .and_then(Node::scalar_text);
        a.same_namespace(w) && kind == Some(w.kind.as_str()) && name.as_deref() == Some(&w.name)
    })
}

/// Runs `rollout.autoscaling`: every Deployment, StatefulSet and Argo
/// Rollout is scaled by an HPA or a KEDA ScaledObject (a Deployment that a
/// Rollout's `workloadRef` names is skipped: the Rollout is scaled).
/// Finding at the workload.
pub fn autoscaling(ctx: &Context, p: &Autoscaling, sink: &mut Sink) {
    let _ = p;
    let objects = &ctx.inventory.objects;
    for w in workloads(objects) {
        let o = w.obj;
        let scalable = o.is_deployment() || o.is(&["apps"], "StatefulSet") || o.is_argo_rollout();
        if !scalable || w.referenced_by.is_some() || autoscaled(objects, o) {
            continue;
        }
        sink.report(
            &o.path,
            o.pos,
            format!(
                "{} is not scaled by a HorizontalPodAutoscaler or a KEDA ScaledObject: a traffic peak meets a fixed replica count — add an HPA with `scaleTargetRef: {{apiVersion: {}, kind: {}, name: {}}}` in the same namespace",
                o.display_name(),
                o.api_version,
                o.kind,
                o.name
            ),
        );
    }
}
