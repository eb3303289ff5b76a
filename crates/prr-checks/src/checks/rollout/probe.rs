//! `rollout.probe` (rule `rollout/probe`): every long-running container has
//! the readiness (or liveness, startup) probe.

use super::common::{container_name, is_long_running};
use crate::checks::{Context, Sink};
use crate::formats::k8s::workloads;
use crate::yaml::Node;
use serde::Deserialize;

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

/// Runs `rollout.probe`.
pub fn probe(ctx: &Context, p: &Probe, sink: &mut Sink) {
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
    for w in workloads(&ctx.inventory.objects) {
        if !is_long_running(w.obj) || w.referenced_by.is_some() {
            continue;
        }
        let all = w.containers();
        for c in all {
            let name = container_name(c);
            match c.get(key) {
                None if is_sidecar(c, all, key) => {}
                None => sink.push(
                    sink.finding(
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
                        sink.report(
                            &w.template_obj.path,
                            c.key(key).map_or(probe.pos, |k| k.pos),
                            format!(
                                "container `{name}` of {} has a livenessProbe identical to its readinessProbe (same handler and timing) — when the check fails, every pod is taken out of traffic and restarted at the same moment; give liveness a higher failureThreshold (or a longer period) so it only fires when the process stays stuck, or check only that the process is alive (e.g. /livez)",
                                w.display_name()
                            ),
                        );
                    }
                }
                Some(_) => {}
            }
        }
    }
}
