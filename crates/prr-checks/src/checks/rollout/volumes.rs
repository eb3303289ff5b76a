//! Pods that cannot run twice side by side: a Deployment whose pods mount a
//! ReadWriteOnce volume or bind a hostPort. For those, `Recreate` is the
//! right strategy and a surging RollingUpdate is the problem: the new pod
//! waits for the volume (attached to the old pod's node) or for a node with
//! the port free, while the old pod waits for the new one to become ready.

use crate::checks::Context;
use crate::formats::k8s::K8sObject;
use crate::yaml::Node;

/// Why two pods of `o` cannot run side by side, for messages; `None` when
/// they can. Reads the pod template's `persistentVolumeClaim` volumes (the
/// claim's `accessModes` when the PersistentVolumeClaim is in the
/// repository: ReadWriteOnce or ReadWriteOncePod are exclusive, ReadWriteMany
/// and ReadOnlyMany are not; a claim not in the repository is taken as
/// exclusive, the usual default, and the message says so) and the
/// containers' `ports[].hostPort`.
pub fn exclusive_reason(ctx: &Context, o: &K8sObject) -> Option<String> {
    let spec = o.node.path("spec.template.spec")?;
    for v in spec.get("volumes").map(Node::items).unwrap_or_default() {
        let Some(claim) = v
            .path("persistentVolumeClaim.claimName")
            .and_then(Node::scalar_text)
        else {
            continue;
        };
        let pvc = ctx.inventory.objects.iter().find(|p| {
            p.is(&[""], "PersistentVolumeClaim") && p.name == claim && p.same_namespace(o)
        });
        match pvc {
            Some(p) => {
                let modes: Vec<String> = p
                    .node
                    .path("spec.accessModes")
                    .map(Node::items)
                    .unwrap_or_default()
                    .iter()
                    .filter_map(Node::scalar_text)
                    .collect();
                if let Some(m) = modes
                    .iter()
                    .find(|m| matches!(m.as_str(), "ReadWriteOnce" | "ReadWriteOncePod"))
                {
                    return Some(format!(
                        "mounts PersistentVolumeClaim `{claim}` ({m}, {})",
                        p.path
                    ));
                }
            }
            None => {
                return Some(format!(
                    "mounts PersistentVolumeClaim `{claim}` (not in this repository; most claims are ReadWriteOnce)"
                ));
            }
        }
    }
    let containers = spec.get("containers").map(Node::items).unwrap_or_default();
    for c in containers {
        for port in c.get("ports").map(Node::items).unwrap_or_default() {
            if let Some(hp) = port.get("hostPort").and_then(Node::as_i64)
                && hp > 0
            {
                return Some(format!("binds hostPort {hp}"));
            }
        }
    }
    None
}

/// Whether the RollingUpdate of `o` starts a new pod before an old one is
/// gone: `maxSurge` unset (25 %, rounded up: at least 1) or not zero.
pub fn surges(o: &K8sObject) -> bool {
    match o.node.path("spec.strategy.rollingUpdate.maxSurge") {
        None => true,
        Some(n) => match n.as_str().map(str::trim) {
            Some(s) => s
                .trim_end_matches('%')
                .trim()
                .parse::<f64>()
                .is_ok_and(|v| v > 0.0),
            None => n.as_i64().is_none_or(|v| v > 0),
        },
    }
}
