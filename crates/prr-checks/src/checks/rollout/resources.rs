//! `rollout.resources` (rule `rollout/resources`): every container sets
//! resource requests and limits.

use super::common::{container_name, yes};
use crate::checks::{Context, Sink};
use crate::formats::k8s::workloads;
use crate::yaml::Node;
use serde::Deserialize;

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
pub fn resources(ctx: &Context, p: &Resources, sink: &mut Sink) {
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
            sink.report(
                &w.template_obj.path,
                pos,
                format!(
                    "container `{}` of {} sets no {} — {}",
                    container_name(c),
                    w.display_name(),
                    missing.join(", "),
                    why.join("; ")
                ),
            );
        }
    }
}
