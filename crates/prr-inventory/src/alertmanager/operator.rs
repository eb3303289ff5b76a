//! prometheus-operator `AlertmanagerConfig` objects (`monitoring.coreos.com`
//! v1alpha1 / v1beta1) as the operator merges them into Alertmanager's
//! configuration (`pkg/alertmanager/amcfg.go`):
//!
//! - the root route is the operator's default (receiver `"null"`, which has
//!   no integration) — the base configuration of the `Alertmanager`
//!   resource is not in the object and is not read from elsewhere;
//! - each object's `spec.route` becomes a child of the root, in order of
//!   namespace then name, with `continue: true` and a first matcher
//!   `namespace="<metadata.namespace>"` (the default `OnNamespace`
//!   strategy). An object without `metadata.namespace` (set at deploy time
//!   by kustomize or Flux) gets no namespace matcher: it is read as if the
//!   alerts came from its own namespace;
//! - receiver names become `<namespace>/<name>/<receiver>` (`<name>/<receiver>`
//!   without a namespace).

use super::config::{Origin, Reader, Receiver, Route, integrations};
use super::matcher::{MatchOp, Matcher};
use crate::formats::k8s::K8sObject;
use crate::yaml::Node;
use std::collections::BTreeSet;

/// The operator's name for receiver `r` of object `o`.
fn prefixed(o: &K8sObject, r: &str) -> String {
    match &o.namespace {
        Some(ns) => format!("{ns}/{}/{r}", o.name),
        None => format!("{}/{r}", o.name),
    }
}

/// The merged routing tree, receivers and problems of the objects.
pub(crate) fn read(objects: &[&K8sObject]) -> (Route, Vec<Receiver>, Vec<super::config::Problem>) {
    let mut objs: Vec<&&K8sObject> = objects.iter().collect();
    objs.sort_by(|a, b| (&a.namespace, &a.name).cmp(&(&b.namespace, &b.name)));
    let mut rd = Reader::new(Origin::default());
    let mut receivers = vec![Receiver {
        name: "null".to_string(),
        pos: objs.first().map(|o| o.pos).unwrap_or_default(),
        integrations: Vec::new(),
    }];
    let mut root = Route {
        pos: objs.first().map(|o| o.pos).unwrap_or_default(),
        receiver: Some("null".to_string()),
        ..Route::default()
    };
    for o in objs {
        let spec = o.node.get("spec").unwrap_or(Node::null());
        let own: Vec<Receiver> = spec
            .get("receivers")
            .map(Node::items)
            .unwrap_or_default()
            .iter()
            .filter_map(|r| {
                let name = r.get("name").and_then(Node::scalar_text)?;
                Some(Receiver {
                    name: prefixed(o, &name),
                    pos: r.pos,
                    integrations: integrations(r, |k| k.ends_with("Configs")),
                })
            })
            .collect();
        let Some(route) = spec.get("route").filter(|r| r.is_map()) else {
            receivers.extend(own);
            continue;
        };
        let mut top = amc_route(&mut rd, o, route);
        top.cont = true;
        if let Some(ns) = &o.namespace
            && let Ok(m) = Matcher::new("namespace", MatchOp::Equal, ns)
        {
            top.matchers.insert(0, m);
        }
        root.routes.push(top);
        receivers.extend(own);
    }
    rd.check_references(&receivers, &BTreeSet::new());
    // Time intervals of AlertmanagerConfig objects are not cross-checked.
    rd.problems
        .retain(|p| !p.message.starts_with("undefined time interval"));
    (root, receivers, rd.problems)
}

/// A route of an `AlertmanagerConfig` (camelCase keys, matcher objects).
fn amc_route(rd: &mut Reader, o: &K8sObject, node: &Node) -> Route {
    let mut r = Route {
        pos: node.pos,
        ..Route::default()
    };
    if let Some(v) = node
        .get("receiver")
        .and_then(Node::scalar_text)
        .filter(|s| !s.is_empty())
    {
        let name = prefixed(o, &v);
        rd.used_receivers.push((
            name.clone(),
            node.get("receiver").map(|n| n.pos).unwrap_or(node.pos),
        ));
        r.receiver = Some(name);
    }
    for m in node.get("matchers").map(Node::items).unwrap_or_default() {
        let name = m
            .get("name")
            .and_then(Node::scalar_text)
            .unwrap_or_default();
        let value = m
            .get("value")
            .and_then(Node::scalar_text)
            .unwrap_or_default();
        let regex = m.get("regex").and_then(Node::as_bool).unwrap_or(false);
        let op = match m.get("matchType").and_then(Node::scalar_text) {
            Some(t) => match MatchOp::parse(&t) {
                Some(op) => op,
                None => {
                    rd.problem(
                        m.pos,
                        format!("invalid matchType {t:?}: one of =, !=, =~, !~"),
                    );
                    continue;
                }
            },
            None if regex => MatchOp::Regex,
            None => MatchOp::Equal,
        };
        if name.is_empty() {
            rd.problem(m.pos, "matcher without a name");
            continue;
        }
        match Matcher::new(&name, op, &value) {
            Ok(mm) => r.matchers.push(mm),
            Err(e) => rd.problem(m.pos, e),
        }
    }
    r.cont = node
        .get("continue")
        .and_then(Node::as_bool)
        .unwrap_or(false);
    for c in node.get("routes").map(Node::items).unwrap_or_default() {
        r.routes.push(amc_route(rd, o, c));
    }
    r
}
