//! Objects inside other objects: OpenShift `Template`s and OLM
//! `ClusterServiceVersion`s.
//!
//! - An OpenShift Template (`kind: Template`, `apiVersion:
//!   template.openshift.io/v1` or the legacy `v1`) holds its objects in
//!   `objects:`; each is checked like a loose manifest, positions inside the
//!   template's file. Parameter references (`${NAME}` inside a string,
//!   `${{NAME}}` for a non-string value) take the parameter's `value:` when
//!   it has one (as `oc process` does without `-p`); otherwise they stay as
//!   written and are unknown values (an image `${IMAGE}:${IMAGE_TAG}` has an
//!   unknown tag, not `:latest`). Generated values (`generate: expression`)
//!   are unknown too. Source: the OpenShift Template API reference
//!   (template.openshift.io/v1, `Parameter`).
//! - An OLM ClusterServiceVersion (`operators.coreos.com/*`) installs the
//!   Deployments of `spec.install.spec.deployments[]` (`name`, `label`,
//!   `spec`): each becomes a `Deployment` at the position of its entry, so
//!   the bundle's Services and PodDisruptionBudgets resolve against it.

use super::K8sObject;
use crate::yaml::{Key, Node, Pos, Value};
use std::collections::BTreeMap;

/// Whether `doc` is an OpenShift Template with an `objects:` list.
pub fn is_template(doc: &Node) -> bool {
    doc.get("kind").and_then(Node::as_str) == Some("Template")
        && matches!(
            doc.get("apiVersion").and_then(Node::as_str),
            Some("template.openshift.io/v1" | "v1")
        )
        && doc.get("objects").is_some_and(|o| !o.items().is_empty())
}

/// The objects of a Template (see the module docs), parameters applied.
pub fn template_objects(path: &str, doc: &Node) -> Vec<K8sObject> {
    template_nodes(doc)
        .iter()
        .filter_map(|o| K8sObject::from_node(path, o))
        .collect()
}

/// The documents of a Template's `objects:`, parameters applied (any kind:
/// rule objects and SLOs among them are read as such).
pub fn template_nodes(doc: &Node) -> Vec<Node> {
    let params: BTreeMap<String, String> = doc
        .get("parameters")
        .map(Node::items)
        .unwrap_or_default()
        .iter()
        .filter_map(|p| {
            let name = p.get("name").and_then(Node::scalar_text)?;
            let value = p.get("value").and_then(Node::scalar_text)?;
            Some((name, value))
        })
        .collect();
    doc.get("objects")
        .map(Node::items)
        .unwrap_or_default()
        .iter()
        .scan(GROWTH_BUDGET, |budget, o| {
            let mut o = o.clone();
            substitute(&mut o, &params, budget);
            Some(o)
        })
        .collect()
}

/// How many bytes parameter values may add to one Template in all: a
/// parameter referenced many times cannot grow a 10 MiB file into
/// gigabytes. References past the budget stay as written (unknown values).
const GROWTH_BUDGET: usize = 16 * 1024 * 1024;

/// Applies parameter values to every string scalar under `node`, within
/// `budget` bytes of growth (spent as values are inserted).
fn substitute(node: &mut Node, params: &BTreeMap<String, String>, budget: &mut usize) {
    match &mut node.value {
        Value::Str(s) if s.contains("${") => {
            // A whole `${{NAME}}` is a typed value.
            if let Some(name) = s.strip_prefix("${{").and_then(|r| r.strip_suffix("}}"))
                && let Some(v) = params.get(name)
            {
                node.value = typed(v);
                return;
            }
            let replaced = replace(s, params);
            let growth = replaced.len().saturating_sub(s.len());
            if growth <= *budget {
                *budget -= growth;
                *s = replaced;
            }
        }
        Value::Map(entries) => entries
            .iter_mut()
            .for_each(|(_, v)| substitute(v, params, budget)),
        Value::Seq(items) => items.iter_mut().for_each(|i| substitute(i, params, budget)),
        _ => {}
    }
}

/// `v` as the YAML scalar it spells (integer, boolean, else string).
fn typed(v: &str) -> Value {
    if let Ok(i) = v.trim().parse::<i64>() {
        Value::Int(i)
    } else if let Ok(b) = v.trim().parse::<bool>() {
        Value::Bool(b)
    } else {
        Value::Str(v.to_string())
    }
}

/// `${NAME}` and `${{NAME}}` in `s` replaced by known values. Stops
/// inserting values once the result would exceed `s` plus
/// [`GROWTH_BUDGET`] (the rest is kept as written).
fn replace(s: &str, params: &BTreeMap<String, String>) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    let limit = s.len().saturating_add(GROWTH_BUDGET);
    while let Some(at) = rest.find("${") {
        if out.len() > limit {
            break;
        }
        out.push_str(&rest[..at]);
        let tail = &rest[at..];
        let (open, close) = if tail.starts_with("${{") {
            (3, "}}")
        } else {
            (2, "}")
        };
        match tail[open..].find(close) {
            Some(end) => {
                let name = &tail[open..open + end];
                match params.get(name) {
                    Some(v) => out.push_str(v),
                    None => out.push_str(&tail[..open + end + close.len()]),
                }
                rest = &tail[open + end + close.len()..];
            }
            None => {
                out.push_str(tail);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// Whether `doc` is an OLM ClusterServiceVersion.
pub fn is_csv(doc: &Node) -> bool {
    doc.get("kind").and_then(Node::as_str) == Some("ClusterServiceVersion")
        && doc
            .get("apiVersion")
            .and_then(Node::as_str)
            .is_some_and(|a| a.starts_with("operators.coreos.com/"))
}

/// The Deployments a CSV installs (see the module docs).
pub fn csv_deployments(path: &str, doc: &Node) -> Vec<K8sObject> {
    let key = |name: &str, pos: Pos| Key {
        name: name.to_string(),
        pos,
    };
    let str_node = |s: &str, pos: Pos| Node {
        value: Value::Str(s.to_string()),
        pos,
    };
    doc.path("spec.install.spec.deployments")
        .map(Node::items)
        .unwrap_or_default()
        .iter()
        .filter_map(|d| {
            let name = d.get("name")?;
            let spec = d.get("spec")?;
            let mut meta = vec![(key("name", name.pos), name.clone())];
            if let Some(l) = d.get("label") {
                meta.push((key("labels", l.pos), l.clone()));
            }
            let node = Node {
                value: Value::Map(vec![
                    (key("apiVersion", d.pos), str_node("apps/v1", d.pos)),
                    (key("kind", d.pos), str_node("Deployment", d.pos)),
                    (
                        key("metadata", d.pos),
                        Node {
                            value: Value::Map(meta),
                            pos: d.pos,
                        },
                    ),
                    (key("spec", spec.pos), spec.clone()),
                ]),
                pos: d.pos,
            };
            K8sObject::from_node(path, &node)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters() {
        let p: BTreeMap<String, String> =
            [("A".into(), "1".into()), ("T".into(), "v2".into())].into();
        assert_eq!(replace("img:${T}", &p), "img:v2");
        assert_eq!(replace("${X}:${T}@${{A}}", &p), "${X}:v2@1");
        assert_eq!(replace("${broken", &p), "${broken");
    }

    #[test]
    fn parameter_expansion_is_bounded() {
        // 1 MiB value referenced 100 000 times: at most the budget is added.
        let mut p = BTreeMap::new();
        p.insert("X".to_string(), "a".repeat(1 << 20));
        let s = "${X}".repeat(100_000);
        let out = replace(&s, &p);
        assert!(
            out.len() <= s.len() + super::GROWTH_BUDGET + (1 << 20),
            "{}",
            out.len()
        );
    }

    #[test]
    fn template_objects_take_values() {
        let doc = crate::yaml::parse_documents(
            "apiVersion: template.openshift.io/v1\nkind: Template\nparameters:\n- {name: R, value: '3'}\n- {name: TAG}\nobjects:\n- apiVersion: apps/v1\n  kind: Deployment\n  metadata: {name: a}\n  spec:\n    replicas: ${{R}}\n    template:\n      spec:\n        containers:\n        - {name: c, image: 'x:${TAG}'}\n",
        )
        .unwrap()
        .remove(0);
        assert!(is_template(&doc));
        let o = template_objects("t.yaml", &doc);
        assert_eq!(o.len(), 1);
        assert_eq!(o[0].node.path("spec.replicas").unwrap().as_i64(), Some(3));
        assert_eq!(o[0].pos.line, 7);
        let c = &o[0]
            .node
            .path("spec.template.spec.containers")
            .unwrap()
            .items()[0];
        assert_eq!(c.get("image").unwrap().as_str(), Some("x:${TAG}"));
    }
}
