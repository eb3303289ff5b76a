//! Kustomize patches: documents that change an object of a base, not
//! objects of their own.
//!
//! A strategic-merge patch looks like an object (`apiVersion`, `kind`,
//! `metadata.name`) but carries only the fields it changes: no selector, no
//! probes, no replicas. Checking it as an object reports what the base
//! already has ("no spec.selector, the API rejects it"), and a
//! `$patch: delete` document "runs 1 pod". Until overlays are rendered,
//! patches are set aside and counted in a `prr/skipped` notice so nothing is
//! lost silently.
//!
//! A document is a patch when
//! - its file is referenced from a kustomization (`kustomization.yaml`,
//!   `kind: Kustomization` or `kind: Component`) under `patches[].path`,
//!   `patchesStrategicMerge[]` or `patchesJson6902[].path` — and from no
//!   kustomization's `resources`/`bases`/`components` (a file used both ways
//!   is an object somewhere and stays checked); or
//! - it carries a strategic-merge directive anywhere (`$patch`,
//!   `$setElementOrder/…`, `$retainKeys`, `$deleteFromPrimitiveList/…`):
//!   the API server rejects those keys in an object, so such a document is a
//!   patch wherever it lives.

use super::K8sObject;
use crate::finding::{Finding, Level};
use crate::yaml::{Node, Pos, Value};
use std::collections::{BTreeMap, BTreeSet};

/// File names kustomize reads as a kustomization.
const KUSTOMIZATION_FILES: &[&str] = &["kustomization.yaml", "kustomization.yml", "Kustomization"];

/// One kustomization: its path, where its patch list starts, the patch
/// files it names and the resources it names (repository-relative,
/// normalised paths).
#[derive(Debug, Default)]
struct Kustomization {
    path: String,
    pos: Pos,
    patches: Vec<String>,
    resources: Vec<String>,
}

/// Whether `doc` in the file at `path` is a kustomization: a
/// `kustomize.config.k8s.io` `Kustomization`/`Component`, or a map in a file
/// named like one (old kustomizations carry no `kind`).
pub fn is_kustomization(path: &str, doc: &Node) -> bool {
    let api = doc.get("apiVersion").and_then(Node::as_str).unwrap_or("");
    let kind = doc.get("kind").and_then(Node::as_str);
    if api.starts_with("kustomize.config.k8s.io/") {
        return matches!(kind, Some("Kustomization" | "Component"));
    }
    let name = path.rsplit('/').next().unwrap_or(path);
    kind.is_none() && doc.is_map() && KUSTOMIZATION_FILES.contains(&name)
}

/// `rel` resolved against the folder `dir` (both repository-relative, `/`
/// separated), with `.` and `..` applied. `None` for an absolute path, a
/// URL, or one that leaves the repository.
pub(crate) fn resolve(dir: &str, rel: &str) -> Option<String> {
    let rel = rel.trim();
    if rel.is_empty() || rel.starts_with('/') || rel.contains("://") || rel.contains('\n') {
        return None;
    }
    let mut parts: Vec<&str> = dir.split('/').filter(|s| !s.is_empty()).collect();
    for seg in rel.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    Some(parts.join("/"))
}

fn read(path: &str, doc: &Node) -> Kustomization {
    let dir = path.rsplit_once('/').map_or("", |(d, _)| d);
    let mut k = Kustomization {
        path: path.to_string(),
        pos: doc.pos,
        ..Default::default()
    };
    let strings = |key: &str| -> Vec<String> {
        doc.get(key)
            .map(Node::items)
            .unwrap_or_default()
            .iter()
            .filter_map(Node::as_str)
            .filter_map(|s| resolve(dir, s))
            .collect()
    };
    let paths = |key: &str| -> Vec<String> {
        doc.get(key)
            .map(Node::items)
            .unwrap_or_default()
            .iter()
            .filter_map(|p| p.get("path").and_then(Node::as_str))
            .filter_map(|s| resolve(dir, s))
            .collect()
    };
    k.patches.extend(paths("patches"));
    k.patches.extend(strings("patchesStrategicMerge"));
    k.patches.extend(paths("patchesJson6902"));
    for key in ["patches", "patchesStrategicMerge", "patchesJson6902"] {
        if let Some(at) = doc.key(key) {
            k.pos = at.pos;
            break;
        }
    }
    for key in ["resources", "bases", "components"] {
        k.resources.extend(strings(key));
    }
    k
}

/// Whether any mapping key under `node` is a strategic-merge directive.
pub fn has_patch_directive(node: &Node) -> bool {
    match &node.value {
        Value::Map(entries) => entries.iter().any(|(k, v)| {
            let n = k.name.as_str();
            n == "$patch"
                || n == "$retainKeys"
                || n.starts_with("$setElementOrder/")
                || n.starts_with("$deleteFromPrimitiveList/")
                || has_patch_directive(v)
        }),
        Value::Seq(items) => items.iter().any(has_patch_directive),
        _ => false,
    }
}

/// Removes kustomize patches from `objects` (see the module docs) and
/// returns one `prr/skipped` notice per kustomization whose patch files
/// held objects, plus one per other file whose documents carry `$patch`
/// directives. `files` are (repository-relative path, parsed documents).
pub fn set_aside_patches<'a>(
    files: impl IntoIterator<Item = (&'a str, &'a [Node])>,
    objects: &mut Vec<K8sObject>,
) -> Vec<Finding> {
    let kustomizations: Vec<Kustomization> = files
        .into_iter()
        .flat_map(|(path, docs)| {
            docs.iter()
                .filter(move |d| is_kustomization(path, d))
                .map(move |d| read(path, d))
        })
        .collect();
    let resources: BTreeSet<&str> = kustomizations
        .iter()
        .flat_map(|k| k.resources.iter().map(String::as_str))
        .collect();
    let patch_files: BTreeSet<&str> = kustomizations
        .iter()
        .flat_map(|k| k.patches.iter().map(String::as_str))
        .filter(|p| !resources.contains(p))
        .collect();
    // Per file set aside: how many documents.
    let mut by_file: BTreeMap<String, usize> = BTreeMap::new();
    let mut directive_files: BTreeMap<String, (Pos, usize)> = BTreeMap::new();
    objects.retain(|o| {
        if patch_files.contains(o.path.as_str()) {
            *by_file.entry(o.path.clone()).or_default() += 1;
            return false;
        }
        if has_patch_directive(&o.node) {
            directive_files
                .entry(o.path.clone())
                .or_insert((o.pos, 0))
                .1 += 1;
            return false;
        }
        true
    });
    let mut out = Vec::new();
    for k in &kustomizations {
        let mine: Vec<&str> = k
            .patches
            .iter()
            .map(String::as_str)
            .filter(|p| by_file.contains_key(*p))
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        if mine.is_empty() {
            continue;
        }
        let docs: usize = mine.iter().map(|p| by_file[*p]).sum();
        out.push(
            Finding::new(
                "prr/skipped",
                &k.path,
                k.pos,
                format!(
                    "kustomize patches: {} file(s) with {docs} document(s) not checked as objects (they change objects of a base; render the overlay, e.g. `kustomize build`, to check the result): {}",
                    mine.len(),
                    mine.join(", ")
                ),
            )
            .with_level(Level::Notice),
        );
    }
    for (path, (pos, n)) in directive_files {
        out.push(
            Finding::new(
                "prr/skipped",
                &path,
                pos,
                format!(
                    "{n} document(s) with strategic-merge directives (`$patch`, …) not checked as objects: they are patches, applied by kustomize to an object of a base"
                ),
            )
            .with_level(Level::Notice),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn objects(path: &str, text: &str) -> (Vec<Node>, Vec<K8sObject>) {
        let docs = crate::yaml::parse_documents(text).expect("yaml");
        let objs = docs
            .iter()
            .filter_map(|d| K8sObject::from_node(path, d))
            .collect();
        (docs, objs)
    }

    #[test]
    fn resolve_paths() {
        assert_eq!(resolve("a/b", "../c/d.yaml").as_deref(), Some("a/c/d.yaml"));
        assert_eq!(resolve("", "./x.yaml").as_deref(), Some("x.yaml"));
        assert_eq!(resolve("a", "../../x.yaml"), None);
        assert_eq!(resolve("a", "https://example.com/x.yaml"), None);
    }

    #[test]
    fn directives_anywhere() {
        let (_, o) = objects(
            "p.yaml",
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: a}\nspec:\n  template:\n    spec:\n      containers:\n      - {name: c, $patch: delete}\n",
        );
        assert!(has_patch_directive(&o[0].node));
        let (_, o) = objects(
            "d.yaml",
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: a, annotations: {x: $patch}}\n",
        );
        assert!(!has_patch_directive(&o[0].node));
    }

    #[test]
    fn a_file_used_as_a_resource_elsewhere_stays_an_object() {
        let dep = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: a}\n";
        let (kd, _) = objects("o/kustomization.yaml", "patches:\n- path: ../base/d.yaml\n");
        let (kr, _) = objects("r/kustomization.yaml", "resources: [../base/d.yaml]\n");
        let (_, mut objs) = objects("base/d.yaml", dep);
        let notes = set_aside_patches(
            [
                ("o/kustomization.yaml", &kd[..]),
                ("r/kustomization.yaml", &kr[..]),
            ],
            &mut objs,
        );
        assert_eq!(objs.len(), 1);
        assert!(notes.is_empty());
    }
}
