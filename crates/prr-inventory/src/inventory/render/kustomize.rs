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

use super::{RenderSource, RenderState, Rendered, SourceKind};
use crate::finding::{Finding, Level};
use crate::formats::k8s::K8sObject;
use crate::formats::k8s::kustomize::{is_kustomization, resolve};
use crate::inventory::SourceFile;
use crate::yaml::{Node, Pos};

mod build;
mod kustomization;
mod map_back;
mod remote;

pub use build::{Tool, tool};
use build::{batches, build_split};
use kustomization::refuse;
use kustomization::{Kust, read};
use map_back::map_back;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

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
