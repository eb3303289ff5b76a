//! kustomize overlays: find the root kustomizations, build each with
//! `kustomize build` or `kubectl kustomize`, and map the rendered objects
//! back to their source documents.
//!
//! A root is a `Kustomization` (not a `Component`) whose folder no other
//! kustomization of the repository names in `resources`, `bases` or
//! `components`. Each root is built through a wrapper kustomization in a
//! temporary folder (`resources: [<root>]`, `buildMetadata:
//! [originAnnotations]`): kustomize then writes, on every object, the file
//! it came from (`config.kubernetes.io/origin`), and that file's document
//! of the same kind and name gives the object's positions
//! ([`super::transplant`]). An object built by a generator points at the
//! kustomization that configures it.
//!
//! Objects of files that a rendered root reads (its origin files, and the
//! resource and patch files of every kustomization it reaches) are checked
//! through the render only. Objects identical in several overlays are one
//! object whose [`super::Origin`] lists the overlays.

use super::{Origin, RenderSource, RenderState, Rendered, SourceKind};
use crate::finding::{Finding, Level};
use crate::formats::k8s::K8sObject;
use crate::formats::k8s::kustomize::{is_kustomization, resolve};
use crate::inventory::SourceFile;
use crate::yaml::{Node, Pos, Value};

mod build;
pub use build::{Tool, tool};
use build::{batches, build_split};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// One kustomization of the repository.
#[derive(Debug)]
struct Kust {
    path: String,
    dir: String,
    pos: Pos,
    component: bool,
    /// `resources`/`bases`/`components` entries as written, with position.
    refs: Vec<(String, Pos)>,
    /// Patch files (resolved).
    patches: Vec<String>,
    /// Files its generators read (resolved; `key=path` entries by path).
    generated_from: Vec<String>,
    /// A URL in a field kustomize loads a file from (a patch, a generator
    /// source, a transformer, a replacement, …): kustomize would fetch it,
    /// also from `localhost`, which no proxy setting stops.
    fetches: Option<(String, Pos)>,
}

/// Fields whose values (or whose items' `path`) kustomize loads as files,
/// and may fetch when they are URLs.
const LOADED: &[(&str, Option<&str>)] = &[
    ("patches", Some("path")),
    ("patchesJson6902", Some("path")),
    ("patchesStrategicMerge", None),
    ("replacements", Some("path")),
    ("transformers", None),
    ("generators", None),
    ("validators", None),
    ("configurations", None),
    ("crds", None),
];

/// A URL with any `user:password@` part replaced by `…@`, for messages.
fn without_userinfo(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let end = rest.find('/').unwrap_or(rest.len());
    match rest[..end].rfind('@') {
        Some(at) => format!("{scheme}://…@{}", &rest[at + 1..]),
        None => url.to_string(),
    }
}

/// The first URL-like value among the files a kustomization loads
/// ([`LOADED`], generator `files`/`envs`/`env`, `openapi.path`).
fn fetched_url(doc: &Node) -> Option<(String, Pos)> {
    let url = |n: &Node| -> Option<(String, Pos)> {
        let s = n.as_str()?;
        let file = s.rsplit_once('=').map_or(s, |(_, f)| f);
        is_remote(file).then(|| (without_userinfo(file), n.pos))
    };
    for (key, field) in LOADED {
        for item in doc.get(key).map(Node::items).unwrap_or_default() {
            let n = match field {
                Some(f) => item.get(f),
                None => Some(item),
            };
            if let Some(hit) = n.and_then(url) {
                return Some(hit);
            }
        }
    }
    for key in ["configMapGenerator", "secretGenerator"] {
        for g in doc.get(key).map(Node::items).unwrap_or_default() {
            for field in ["files", "envs"] {
                for n in g.get(field).map(Node::items).unwrap_or_default() {
                    if let Some(hit) = url(n) {
                        return Some(hit);
                    }
                }
            }
            if let Some(hit) = g.get("env").and_then(url) {
                return Some(hit);
            }
        }
    }
    doc.path("openapi.path").and_then(url)
}

/// Whether a `resources` entry is remote (kustomize would fetch it).
fn is_remote(r: &str) -> bool {
    r.contains("://")
        || r.starts_with("git@")
        || r.starts_with("github.com/")
        || r.starts_with("gitlab.com/")
        || r.starts_with("bitbucket.org/")
        || r.contains("?ref=")
        || r.contains(".git//")
}

fn read(path: &str, doc: &Node) -> Kust {
    let dir = path.rsplit_once('/').map_or("", |(d, _)| d).to_string();
    let mut refs = Vec::new();
    for key in ["resources", "bases", "components"] {
        for n in doc.get(key).map(Node::items).unwrap_or_default() {
            if let Some(s) = n.as_str() {
                refs.push((s.to_string(), n.pos));
            }
        }
    }
    let mut patches = Vec::new();
    for key in ["patches", "patchesJson6902"] {
        for p in doc.get(key).map(Node::items).unwrap_or_default() {
            if let Some(s) = p
                .get("path")
                .and_then(Node::as_str)
                .and_then(|s| resolve(&dir, s))
            {
                patches.push(s);
            }
        }
    }
    for p in doc
        .get("patchesStrategicMerge")
        .map(Node::items)
        .unwrap_or_default()
    {
        if let Some(s) = p.as_str().and_then(|s| resolve(&dir, s)) {
            patches.push(s);
        }
    }
    let mut generated_from = Vec::new();
    for key in ["configMapGenerator", "secretGenerator"] {
        for g in doc.get(key).map(Node::items).unwrap_or_default() {
            let mut names: Vec<&str> = Vec::new();
            for field in ["files", "envs"] {
                names.extend(
                    g.get(field)
                        .map(Node::items)
                        .unwrap_or_default()
                        .iter()
                        .filter_map(Node::as_str),
                );
            }
            names.extend(g.get("env").and_then(Node::as_str));
            for n in names {
                let file = n.rsplit_once('=').map_or(n, |(_, f)| f);
                if let Some(f) = resolve(&dir, file) {
                    generated_from.push(f);
                }
            }
        }
    }
    Kust {
        fetches: fetched_url(doc),
        generated_from,
        path: path.to_string(),
        dir,
        pos: doc.pos,
        component: doc.get("kind").and_then(Node::as_str) == Some("Component"),
        refs,
        patches,
    }
}

/// Renders every root kustomization among `files` (repository root
/// `root`, files sorted by path).
pub fn render_all(root: &Path, files: &[SourceFile]) -> Rendered {
    let mut out = Rendered::default();
    let kusts: Vec<Kust> = files
        .iter()
        .flat_map(|f| {
            f.docs
                .iter()
                .filter(|d| is_kustomization(&f.path, d))
                .take(1)
                .map(|d| read(&f.path, d))
        })
        .collect();
    if kusts.is_empty() {
        return out;
    }
    let by_dir: BTreeMap<&str, usize> = kusts
        .iter()
        .enumerate()
        .map(|(i, k)| (k.dir.as_str(), i))
        .collect();
    // Which kustomizations each one reaches directly.
    let edges: Vec<Vec<usize>> = kusts
        .iter()
        .map(|k| {
            k.refs
                .iter()
                .filter_map(|(r, _)| resolve(&k.dir, r))
                .filter_map(|p| by_dir.get(p.as_str()).copied())
                .collect()
        })
        .collect();
    let referenced: BTreeSet<usize> = edges.iter().flatten().copied().collect();
    let roots: Vec<usize> = (0..kusts.len())
        .filter(|i| !referenced.contains(i) && !kusts[*i].component)
        .collect();
    let reach = |start: usize| -> Vec<usize> {
        let mut seen = BTreeSet::from([start]);
        let mut stack = vec![start];
        while let Some(i) = stack.pop() {
            for &j in &edges[i] {
                if seen.insert(j) {
                    stack.push(j);
                }
            }
        }
        seen.into_iter().collect()
    };
    let Some(tool) = tool() else {
        for &i in &roots {
            let k = &kusts[i];
            out.problems.push(
                Finding::new(
                    "prr/skipped",
                    &k.path,
                    k.pos,
                    format!(
                        "kustomize overlay `{}` not rendered: no `kustomize` (v4 or later) and no `kubectl` (1.21 or later) on PATH, so what it deploys (its patches, namespace, images, replicas) is not checked; its files are checked as loose manifests. Install kustomize (https://kubectl.docs.kubernetes.io/installation/kustomize/) or kubectl to check the rendered overlay",
                        dir_name(&k.dir)
                    ),
                )
                .with_level(Level::Notice),
            );
            let reaches = reach(i).iter().map(|&j| kusts[j].dir.clone()).collect();
            out.sources
                .push(source(k, RenderState::NotRendered, 0, reaches));
        }
        return out;
    };
    let root_canon = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let reached: Vec<Vec<usize>> = roots.iter().map(|&i| reach(i)).collect();
    // Refused before running: remote bases, bases outside the repository.
    let mut results: Vec<Option<RootResult>> = roots
        .iter()
        .zip(&reached)
        .map(|(&i, reached)| refuse(&kusts, i, reached).map(Err))
        .collect();
    let refused: Vec<bool> = results.iter().map(Option::is_some).collect();
    // The kustomization folders each root reaches, kept for the roots that
    // end up not rendered (their files deploy through them all the same).
    let reached_dirs: Vec<Vec<String>> = reached
        .iter()
        .map(|r| r.iter().map(|&j| kusts[j].dir.clone()).collect())
        .collect();
    // The rest is built in batches (one kustomize run renders several
    // overlays; kubectl starts slowly): overlays sharing no kustomization
    // go together (so no object is there twice), a batch that fails is
    // split until the failing overlay is alone (its own error).
    let todo: Vec<usize> = (0..roots.len()).filter(|r| results[*r].is_none()).collect();
    // Components mostly patch (they rarely add objects): sharing one is no
    // reason to split; a conflict is found by the halving below.
    let bases: Vec<Vec<usize>> = reached
        .iter()
        .map(|r| r.iter().copied().filter(|&j| !kusts[j].component).collect())
        .collect();
    // An overlay that reads a file the repository does not have will fail:
    // it is built alone (a failure in a batch costs halvings).
    let present: BTreeSet<&str> = files
        .iter()
        .flat_map(|f| {
            let p = f.path.as_str();
            std::iter::once(p).chain(p.match_indices('/').map(move |(i, _)| &p[..i]))
        })
        .collect();
    let missing = |r: usize| {
        reached[r].iter().any(|&j| {
            let k = &kusts[j];
            k.refs
                .iter()
                .filter_map(|(s, _)| resolve(&k.dir, s))
                .chain(k.patches.iter().cloned())
                .chain(k.generated_from.iter().cloned())
                .any(|p| !present.contains(p.as_str()))
        })
    };
    let (alone, todo): (Vec<usize>, Vec<usize>) = todo.into_iter().partition(|&r| missing(r));
    let mut batches = batches(&todo, &bases);
    batches.extend(alone.into_iter().map(|r| vec![r]));
    let built = crate::par::map_ordered(&batches, |batch| {
        let dirs: Vec<&str> = batch
            .iter()
            .map(|&r| kusts[roots[r]].dir.as_str())
            .collect();
        build_split(&tool, &root_canon, &dirs)
            .into_iter()
            .zip(batch.iter().copied())
            .map(|(res, r)| {
                let k = &kusts[roots[r]];
                (
                    r,
                    res.map_err(|e| {
                        (
                            k.path.clone(),
                            k.pos,
                            format!(
                                "kustomize overlay `{}` does not build, so what it deploys is not checked (its files are checked as loose manifests): {e}",
                                dir_name(&k.dir)
                            ),
                        )
                    }),
                )
            })
            .collect::<Vec<_>>()
    });
    for (r, res) in built.into_iter().flatten() {
        results[r] = Some(res);
    }
    let results: Vec<Result<Built, RenderError>> = results
        .into_iter()
        .zip(reached)
        .map(|(res, reached)| {
            res.unwrap_or_else(|| Err((String::new(), Pos::default(), "not built".into())))
                .map(|(docs, base)| (docs, base, reached))
        })
        .collect();
    // Identical objects across overlays merge: key → index in `merged`.
    let mut merged: Vec<K8sObject> = Vec::new();
    let mut index: BTreeMap<String, usize> = BTreeMap::new();
    let mut counts: Vec<usize> = vec![0; roots.len()];
    let mut states = Vec::new();
    for (ri, res) in results.into_iter().enumerate() {
        let k = &kusts[roots[ri]];
        match res {
            // Refused before running (a remote base, a file outside the
            // repository): a limit of prr's offline render, not a defect of
            // the repository — a notice; its files are still checked loose
            // and the coverage block counts it as not rendered.
            Err((path, pos, msg)) if refused[ri] => {
                out.problems
                    .push(Finding::new("prr/render", &path, pos, msg).with_level(Level::Notice));
                states.push(RenderState::NotRendered);
            }
            Err((path, pos, msg)) => {
                out.problems
                    .push(Finding::new("prr/render", &path, pos, msg).with_level(Level::Warning));
                states.push(RenderState::Failed);
            }
            Ok((docs, base, reached)) => {
                states.push(RenderState::Rendered);
                for j in reached {
                    let r = &kusts[j];
                    out.covered_kustomizations.insert(r.path.clone());
                    out.covered_files.extend(r.patches.iter().cloned());
                    out.covered_files.extend(
                        r.refs
                            .iter()
                            .filter_map(|(s, _)| resolve(&r.dir, s))
                            .filter(|p| !by_dir.contains_key(p.as_str())),
                    );
                }
                for doc in crate::inventory::flatten(docs) {
                    let Some(obj) = map_back(doc, &root_canon, &base, k, files) else {
                        continue;
                    };
                    out.covered_files.insert(obj.path.clone());
                    let key = format!(
                        "{}\u{0}{}",
                        obj.path,
                        serde_json::to_string(&obj.node.to_json()).unwrap_or_default()
                    );
                    counts[ri] += 1;
                    match index.get(&key) {
                        Some(&m) => {
                            if let Some(o) = merged[m].origin.as_mut() {
                                o.sources.push(dir_name(&k.dir));
                            }
                        }
                        None => {
                            index.insert(key, merged.len());
                            merged.push(obj);
                        }
                    }
                }
            }
        }
    }
    for (ri, state) in states.into_iter().enumerate() {
        let reaches = match state {
            RenderState::Rendered => Vec::new(),
            _ => reached_dirs[ri].clone(),
        };
        out.sources
            .push(source(&kusts[roots[ri]], state, counts[ri], reaches));
    }
    out.objects = merged;
    out
}

fn source(k: &Kust, state: RenderState, objects: usize, reaches: Vec<String>) -> RenderSource {
    RenderSource {
        kind: SourceKind::Kustomization,
        path: k.path.clone(),
        state,
        objects,
        templates: 0,
        reaches,
    }
}

/// The folder's name for messages (`.` for the repository root).
fn dir_name(dir: &str) -> String {
    if dir.is_empty() {
        ".".into()
    } else {
        dir.to_string()
    }
}

/// A render error: the file, position and message of its finding.
type RenderError = (String, Pos, String);

/// A built root: its documents, the folder its origin paths are relative
/// to, and the kustomizations it reaches.
type Built = (Vec<Node>, PathBuf, Vec<usize>);

/// The outcome of one root: its rendered documents and the folder origin
/// paths are relative to, or the error.
type RootResult = Result<(Vec<Node>, PathBuf), RenderError>;

/// Why root `i` is not run at all: it reaches a remote resource or one
/// outside the repository (see the module docs of [`super`]).
fn refuse(kusts: &[Kust], i: usize, reached: &[usize]) -> Option<(String, Pos, String)> {
    if let Some((k, (url, pos))) = reached
        .iter()
        .find_map(|&j| kusts[j].fetches.as_ref().map(|f| (&kusts[j], f)))
    {
        return Some((
            k.path.clone(),
            *pos,
            format!(
                "kustomize overlay `{}` not rendered: it loads `{}`, which kustomize would fetch (prr renders without network); render it in a job that may, or keep the file in the repository",
                dir_name(&kusts[i].dir),
                without_userinfo(url)
            ),
        ));
    }
    let (k, r, pos) = reached.iter().find_map(|&j| {
        let k = &kusts[j];
        k.refs
            .iter()
            .find(|(r, _)| is_remote(r) || resolve(&k.dir, r).is_none())
            .map(|(r, p)| (k, r, *p))
    })?;
    let why = if is_remote(r) {
        format!(
            "it reaches the remote resource `{}`, and prr does not fetch remote bases (no network); render it in a job that may, or vendor the base into the repository",
            without_userinfo(r)
        )
    } else {
        format!("it reaches `{r}`, outside the repository, which prr does not read")
    };
    Some((
        k.path.clone(),
        pos,
        format!(
            "kustomize overlay `{}` not rendered: {why}",
            dir_name(&kusts[i].dir)
        ),
    ))
}

/// Turns one rendered document into an object at its source: the origin
/// annotation names the file, the file's document of the same kind and
/// name gives the positions. The annotations prr added are removed.
fn map_back(
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
    let rel_of = |p: &str| -> Option<String> { super::inside(root, &base.join(p)) };
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
        (true, Some(s)) => super::transplant(&mut doc, s),
        _ => {
            let at = file
                .and_then(|f| f.docs.first())
                .map_or(Pos::line(1), |d| d.pos);
            let at = if from_file.is_none() {
                k_pos(file, k)
            } else {
                at
            };
            super::positions::set_all(&mut doc, at);
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

#[cfg(test)]
mod tests {

    #[test]
    fn urls_in_messages_lose_their_credentials() {
        assert_eq!(
            super::without_userinfo("https://user:ghp_x@github.com/a/b//k8s?ref=v1"),
            "https://…@github.com/a/b//k8s?ref=v1"
        );
        assert_eq!(
            super::without_userinfo("https://github.com/a/b?ref=v1@x"),
            "https://github.com/a/b?ref=v1@x"
        );
        assert_eq!(super::without_userinfo("github.com/a/b"), "github.com/a/b");
    }

    use super::*;

    #[test]
    fn remote_references() {
        assert!(is_remote("https://github.com/x/y//base?ref=v1"));
        assert!(is_remote("github.com/x/y/base?ref=v1"));
        assert!(is_remote("git@github.com:x/y.git"));
        assert!(!is_remote("../base"));
        assert!(!is_remote("deployment.yaml"));
    }
}

#[cfg(test)]
mod fetch_tests {
    use super::fetched_url;

    fn doc(text: &str) -> crate::yaml::Node {
        crate::yaml::parse_documents(text).expect("yaml").remove(0)
    }

    /// kustomize fetches a URL in a patch, a generator source or a
    /// replacement, also from localhost (no proxy stops that): such an
    /// overlay is refused; local files and URLs in annotations are not.
    #[test]
    fn urls_kustomize_would_load_are_found() {
        for text in [
            "patches:\n- path: http://127.0.0.1:18777/p.yaml\n",
            "configMapGenerator:\n- name: x\n  files: [x=http://127.0.0.1:18777/p.yaml]\n",
            "replacements:\n- path: https://user:secret@example.com/r.yaml\n",
            "transformers: [https://example.com/t.yaml]\n",
        ] {
            let (url, _) = fetched_url(&doc(text)).expect(text);
            assert!(!url.contains("secret"), "{url}");
        }
        for text in [
            "patches:\n- path: patch.yaml\n",
            "commonAnnotations:\n  docs: https://example.com/runbook\n",
            "configMapGenerator:\n- name: x\n  files: [x=local.txt]\n",
        ] {
            assert!(fetched_url(&doc(text)).is_none(), "{text}");
        }
    }
}
