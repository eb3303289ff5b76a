//! Routing an alert's labels through the tree as Alertmanager's dispatcher
//! does (`dispatch.Route.Match`): a route matches when all its matchers
//! match (an absent label has the empty value); its children are tried in
//! order, the first that matches stops the search unless it has
//! `continue: true`; when no child matches, the route itself is the match.
//! A route without `receiver` inherits its parent's. The receivers come out
//! in the order Alertmanager notifies them (`amtool config routes test`
//! prints the same list).

use super::AmConfig;
use super::config::Route;
use crate::formats::prometheus_rules::{PromRule, RuleFile, RuleGroup};
use crate::yaml::Pos;
use std::collections::BTreeMap;

/// Where an alert ends up: one matching leaf of the tree.
#[derive(Clone, Debug, PartialEq)]
pub struct Reached {
    /// The receiver (own or inherited).
    pub receiver: String,
    /// The route that matched.
    pub pos: Pos,
    /// `true` when this is the root route: no route matched, the alert
    /// fell through to the default receiver.
    pub root: bool,
}

/// The routes `labels` reaches, in notification order.
pub fn route(root: &Route, labels: &BTreeMap<String, String>) -> Vec<Reached> {
    let mut out = Vec::new();
    walk(root, "", labels, true, &mut out);
    out
}

fn walk(
    r: &Route,
    parent: &str,
    labels: &BTreeMap<String, String>,
    root: bool,
    out: &mut Vec<Reached>,
) -> bool {
    let matched = r
        .matchers
        .iter()
        .all(|m| m.matches(labels.get(&m.name).map_or("", String::as_str)));
    if !matched {
        return false;
    }
    let receiver = r.receiver.as_deref().unwrap_or(parent);
    let mut any = false;
    for c in &r.routes {
        if walk(c, receiver, labels, false, out) {
            any = true;
            if !c.cont {
                break;
            }
        }
    }
    if !any {
        out.push(Reached {
            receiver: receiver.to_string(),
            pos: r.pos,
            root,
        });
    }
    true
}

/// Whether any route of the tree matches on label `label`.
pub fn routes_on(root: &Route, label: &str) -> bool {
    root.matchers.iter().any(|m| m.name == label) || root.routes.iter().any(|c| routes_on(c, label))
}

/// The label names any route of the tree matches on, sorted and unique.
pub fn matched_labels(root: &Route, out: &mut std::collections::BTreeSet<String>) {
    out.extend(root.matchers.iter().map(|m| m.name.clone()));
    for c in &root.routes {
        matched_labels(c, out);
    }
}

/// Every value routes select label `label` by: `=` values and the plain
/// alternatives of `=~` expressions (see [`super::matcher::Matcher::selected_values`]).
pub fn values_routed_on(root: &Route, label: &str, out: &mut Vec<String>) {
    for m in root.matchers.iter().filter(|m| m.name == label) {
        for v in m.selected_values() {
            if !out.contains(&v) {
                out.push(v);
            }
        }
    }
    for c in &root.routes {
        values_routed_on(c, label, out);
    }
}

/// One alerting rule routed through one configuration.
#[derive(Clone, Debug, serde::Serialize)]
pub struct AlertRoute {
    /// The alert name.
    pub alert: String,
    /// The rule file (repository-relative).
    pub path: String,
    /// The line of the rule.
    pub line: u32,
    /// The labels routed: the rule's static labels (group labels under
    /// rule labels) and `alertname`.
    pub labels: BTreeMap<String, String>,
    /// The receivers, in notification order.
    pub receivers: Vec<String>,
    /// The configuration used (`path:line`).
    pub config: String,
}

/// An alert's static labels: group `labels:`, the rule's `labels:` over
/// them, and `alertname`. Values are taken as written (a templated value
/// such as `{{ $labels.team }}` is routed as that text).
pub fn static_labels(g: &RuleGroup, r: &PromRule) -> BTreeMap<String, String> {
    let mut labels = BTreeMap::new();
    for (k, v) in g
        .node
        .get("labels")
        .map(|n| n.entries())
        .unwrap_or_default()
    {
        labels.insert(k.name.clone(), v.scalar_text().unwrap_or_default());
    }
    for (k, v) in &r.labels {
        labels.insert(k.value.clone(), v.value.clone());
    }
    if let Some(a) = &r.alert {
        labels.insert("alertname".to_string(), a.value.clone());
    }
    labels
}

/// Every alert of `alerts` (the repository's alerting rules with their file
/// and group, in rule-file order) routed through every configuration with
/// a routing tree, in rule-file order then configuration order.
pub fn all<'a>(
    alerts: impl IntoIterator<Item = (&'a RuleFile, &'a RuleGroup, &'a PromRule)>,
    configs: &[AmConfig],
) -> Vec<AlertRoute> {
    let mut out = Vec::new();
    for (f, g, r) in alerts {
        let labels = static_labels(g, r);
        for c in configs {
            let Some(root) = &c.route else { continue };
            out.push(AlertRoute {
                alert: r.name().to_string(),
                path: f.path.clone(),
                line: r.pos.line,
                labels: labels.clone(),
                receivers: route(root, &labels)
                    .into_iter()
                    .map(|x| x.receiver)
                    .collect(),
                config: c.site(),
            });
        }
    }
    out
}

/// The routing tree as an `alertmanager.yml` (receivers without their
/// integrations), e.g. to hand merged `AlertmanagerConfig` objects to
/// `amtool config routes test`.
pub fn to_alertmanager_yml(c: &AmConfig) -> String {
    fn emit(r: &Route, indent: usize, out: &mut String) {
        let pad = " ".repeat(indent);
        if let Some(rc) = &r.receiver {
            out.push_str(&format!("{pad}receiver: {}\n", json(rc)));
        }
        if !r.matchers.is_empty() {
            out.push_str(&format!("{pad}matchers:\n"));
            for m in &r.matchers {
                out.push_str(&format!("{pad}- {}\n", json(&m.render())));
            }
        }
        if r.cont {
            out.push_str(&format!("{pad}continue: true\n"));
        }
        if !r.routes.is_empty() {
            out.push_str(&format!("{pad}routes:\n"));
            for c in &r.routes {
                let mut child = String::new();
                emit(c, indent + 2, &mut child);
                match child.strip_prefix(&format!("{pad}  ")) {
                    Some(rest) => out.push_str(&format!("{pad}- {rest}")),
                    None => out.push_str(&format!("{pad}- {{}}\n")),
                }
            }
        }
    }
    fn json(s: &str) -> String {
        serde_json::to_string(s).unwrap_or_default()
    }
    let mut out = String::from("route:\n");
    if let Some(r) = &c.route {
        emit(r, 2, &mut out);
    }
    out.push_str("receivers:\n");
    for r in &c.receivers {
        out.push_str(&format!("- name: {}\n", json(&r.name)));
    }
    out
}
