//! `rollout.strategy` (rule `rollout/strategy`): Deployments, Argo Rollouts
//! and Flagger Canaries roll out without downtime.

use super::common::{effective_replicas, replicated};
use super::volumes;
use crate::checks::{Context, Sink};
use crate::finding::Finding;
use crate::formats::k8s::K8sObject;
use crate::yaml::Node;
use serde::Deserialize;

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
pub fn strategy(ctx: &Context, p: &Strategy, sink: &mut Sink) {
    for w in replicated(ctx) {
        let o = w.obj;
        if o.is_deployment() {
            if flagger_canary_for(ctx, o).is_some() {
                continue;
            }
            if p.progressive {
                sink.report(
                    &o.path,
                    o.pos,
                    format!(
                        "{} rolls out with a plain rolling update, and this service's tier requires a canary or blue-green rollout — use an Argo Rollout (spec.strategy.canary or blueGreen) or a Flagger Canary targeting it",
                        o.display_name()
                    ),
                );
                continue;
            }
            sink.extend(deployment_strategy(ctx, sink, o));
        } else if o.is_argo_rollout() {
            sink.extend(argo_strategy(sink, o));
        }
    }
    for c in ctx
        .inventory
        .objects
        .iter()
        .filter(|c| c.is(&["flagger.app"], "Canary"))
    {
        sink.extend(flagger_strategy(sink, c));
    }
}

fn deployment_strategy(ctx: &Context, sink: &Sink, o: &K8sObject) -> Option<Finding> {
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
        return Some(sink.finding(
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
        return Some(sink.finding(
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
        sink.finding(
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

fn argo_strategy(sink: &Sink, o: &K8sObject) -> Option<Finding> {
    let strategy = o.node.path("spec.strategy");
    if strategy.and_then(|s| s.get("blueGreen")).is_some() {
        return None;
    }
    let Some(canary) = strategy.and_then(|s| s.get("canary")) else {
        return Some(sink.finding(
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
    Some(sink.finding(
        &o.path,
        key,
        format!(
            "canary strategy of {} has no pause or analysis step and no background analysis — the new version reaches 100 % without any gate; add steps such as `- setWeight: 20` then `- pause: {{duration: 10m}}` or an `analysis`",
            o.display_name()
        ),
    ))
}

fn flagger_strategy(sink: &Sink, c: &K8sObject) -> Option<Finding> {
    let spec = c.node.get("spec");
    if let Some(skip) = spec.and_then(|s| s.get("skipAnalysis"))
        && skip.as_bool() == Some(true)
    {
        return Some(sink.finding(
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
    Some(sink.finding(
        &c.path,
        pos,
        format!(
            "{} has no analysis with {missing} — Flagger then cannot roll back a bad version; set spec.analysis.metrics (e.g. request-success-rate) and spec.analysis.threshold",
            c.display_name()
        ),
    ))
}
