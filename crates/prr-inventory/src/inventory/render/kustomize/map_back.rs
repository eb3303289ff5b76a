//! Rendered objects mapped back to their source: the origin annotation names
//! the file, and that file's document of the same kind and name gives the
//! positions.

use super::dir_name;
use super::kustomization::Kust;
use crate::formats::k8s::K8sObject;
use crate::inventory::SourceFile;
use crate::inventory::render::Origin;
use crate::yaml::{Node, Pos, Value};
use std::path::Path;

/// Turns one rendered document into an object at its source: the origin
/// annotation names the file, the file's document of the same kind and
/// name gives the positions. The annotations prr added are removed.
pub(super) fn map_back(
    mut doc: Node,
    root: &Path,
    base: &Path,
    k: &Kust,
    files: &[SourceFile],
) -> Option<K8sObject> {
    let origin = take_origin(&mut doc);
    let origin_doc = origin
        .as_deref()
        .and_then(|t| crate::yaml::parse_documents(t).ok())
        .and_then(|mut d| (!d.is_empty()).then(|| d.remove(0)));
    let rel_of =
        |p: &str| -> Option<String> { crate::inventory::render::inside(root, &base.join(p)) };
    let from_file = origin_doc
        .as_ref()
        .and_then(|o| o.get("path").and_then(Node::as_str))
        .and_then(rel_of);
    let configured_in = origin_doc
        .as_ref()
        .and_then(|o| o.get("configuredIn").and_then(Node::as_str))
        .and_then(rel_of);
    let kind = doc
        .get("kind")
        .and_then(Node::as_str)
        .unwrap_or("")
        .to_string();
    let name = doc
        .path("metadata.name")
        .and_then(Node::scalar_text)
        .unwrap_or_default();
    let path = from_file
        .clone()
        .or(configured_in)
        .unwrap_or_else(|| k.path.clone());
    let file = files
        .binary_search_by(|f| f.path.as_str().cmp(&path))
        .ok()
        .map(|i| &files[i]);
    let same_kind: Vec<&Node> = file
        .map(|f| {
            f.docs
                .iter()
                .filter(|d| d.get("kind").and_then(Node::as_str) == Some(kind.as_str()))
                .collect()
        })
        .unwrap_or_default();
    // The source document: the same name, else the longest source name the
    // rendered one contains (a `namePrefix`/`nameSuffix` adds to it:
    // `prod-api-worker` is `api-worker`, not `api`).
    let name_of = |d: &&Node| d.path("metadata.name").and_then(Node::scalar_text);
    let src = same_kind
        .iter()
        .find(|d| name_of(d).is_some_and(|n| n == name))
        .or_else(|| {
            same_kind
                .iter()
                .filter(|d| name_of(d).is_some_and(|n| !n.is_empty() && name.contains(&n)))
                .max_by_key(|d| name_of(d).map_or(0, |n| n.len()))
        })
        .or_else(|| (same_kind.len() == 1).then(|| &same_kind[0]))
        .copied();
    match (from_file.is_some(), src) {
        (true, Some(s)) => crate::inventory::render::transplant(&mut doc, s),
        _ => {
            let at = file
                .and_then(|f| f.docs.first())
                .map_or(Pos::line(1), |d| d.pos);
            let at = if from_file.is_none() {
                k_pos(file, k)
            } else {
                at
            };
            crate::inventory::render::positions::set_all(&mut doc, at);
        }
    }
    let mut obj = K8sObject::from_node(&path, &doc)?;
    obj.origin = Some(Origin {
        via: "overlay",
        sources: vec![dir_name(&k.dir)],
    });
    Some(obj)
}

/// Where a generated object points: its kustomization's first document.
fn k_pos(file: Option<&SourceFile>, k: &Kust) -> Pos {
    file.and_then(|f| f.docs.first()).map_or(k.pos, |d| d.pos)
}

/// Removes the `config.kubernetes.io/origin` annotation prr asked for
/// (and an annotations map left empty); returns its value.
fn take_origin(doc: &mut Node) -> Option<String> {
    let Value::Map(top) = &mut doc.value else {
        return None;
    };
    let (_, meta) = top.iter_mut().find(|(k, _)| k.name == "metadata")?;
    let Value::Map(meta) = &mut meta.value else {
        return None;
    };
    let ai = meta.iter().position(|(k, _)| k.name == "annotations")?;
    let mut origin = None;
    if let Value::Map(ann) = &mut meta[ai].1.value {
        ann.retain(|(k, v)| {
            if k.name == "config.kubernetes.io/origin" {
                origin = v.as_str().map(str::to_string);
                false
            } else {
                true
            }
        });
        if ann.is_empty() {
            meta.remove(ai);
        }
    }
    origin
}
