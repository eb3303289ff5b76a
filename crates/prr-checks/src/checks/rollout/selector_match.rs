//! `rollout.selector-match` (rule `rollout/selector-match`): selectors of
//! workloads and Services match the pods they are meant to.

use super::common::yes;
use super::operators;
use crate::checks::{Context, Sink};
use crate::formats::k8s::{K8sObject, LabelSelector, Workload, workloads};
use crate::yaml::Node;
use serde::Deserialize;

/// Parameters of `rollout.selector-match`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct SelectorMatch {
    /// Also report Services whose selector matches no workload (default true).
    #[serde(default = "yes")]
    pub services: bool,
}

/// API versions where `spec.selector` defaults to the template's labels.
fn selector_defaults(o: &K8sObject) -> bool {
    matches!(
        o.api_version.as_str(),
        "extensions/v1beta1" | "apps/v1beta1"
    )
}

/// Runs `rollout.selector-match`.
pub fn selector_match(ctx: &Context, p: &SelectorMatch, sink: &mut Sink) {
    let all = workloads(&ctx.inventory.objects);
    for w in &all {
        let o = w.obj;
        if matches!(o.kind.as_str(), "Pod" | "CronJob" | "Job") || w.template.is_none() {
            continue;
        }
        // A Rollout that takes its template and selector from a Deployment
        // (`workloadRef`) is covered by the Deployment's own check.
        let borrowed = !std::ptr::eq(w.obj, w.template_obj);
        if borrowed && o.node.path("spec.selector").is_none() {
            continue;
        }
        let labels = w.pod_labels();
        match w.selector() {
            None if selector_defaults(o) => {}
            None => sink.report(
                &o.path,
                o.node.key("spec").map_or(o.pos, |k| k.pos),
                format!(
                    "{} has no spec.selector — {} requires one (matchLabels equal to the pod template's labels), so the API rejects it",
                    w.display_name(),
                    o.api_version
                ),
            ),
            Some(node) => {
                let sel = LabelSelector::from_node(node);
                if sel.is_empty() {
                    sink.report(
                        &o.path,
                        node.pos,
                        format!(
                            "spec.selector of {} is empty — the API rejects an empty workload selector; use matchLabels equal to the pod template's labels",
                            w.display_name()
                        ),
                    );
                } else if !sel.matches(&labels) {
                    let shown: Vec<String> = labels.iter().map(|(k, v)| format!("{k}={v}")).collect();
                    sink.report(
                        &o.path,
                        node.pos,
                        format!(
                            "spec.selector ({}) of {} does not select its own pod template (labels: {}) — the API rejects it; make the template's labels include the selector's",
                            sel.display(),
                            w.display_name(),
                            if shown.is_empty() { "none".to_string() } else { shown.join(", ") }
                        ),
                    );
                }
            }
        }
    }
    let operated = operators::operator_pods(&ctx.inventory.objects);
    if !p.services || (all.is_empty() && operated.is_empty()) {
        return;
    }
    // Each workload's pod label sets once (a StatefulSet has one per
    // ordinal), not once per Service.
    let pod_labels: Vec<(&Workload, Vec<_>)> = all
        .iter()
        .filter(|w| w.referenced_by.is_none())
        .map(|w| (w, w.pod_label_sets()))
        .collect();
    for s in ctx
        .inventory
        .objects
        .iter()
        .filter(|o| o.is(&[""], "Service"))
    {
        if s.node.path("spec.type").and_then(Node::as_str) == Some("ExternalName") {
            continue;
        }
        let Some(node) = s.node.path("spec.selector") else {
            continue;
        };
        let sel = LabelSelector::from_map(node);
        if sel.is_empty() {
            continue;
        }
        let selected = pod_labels
            .iter()
            .filter(|(w, _)| w.obj.same_namespace(s))
            .any(|(_, sets)| sets.iter().any(|l| sel.matches(l)))
            || operated
                .iter()
                .filter(|op| op.near(s))
                .any(|op| op.label_sets.iter().any(|l| sel.matches(l)));
        if !selected {
            sink.report(
                &s.path,
                node.pos,
                format!(
                    "{} selects {} but no workload or operator resource (Prometheus, Alertmanager, ThanosRuler, ClusterServiceVersion) in this repository has pods with these labels — the Service has no endpoints; fix the selector or the pod template's labels",
                    s.display_name(),
                    sel.display()
                ),
            );
        }
    }
}
