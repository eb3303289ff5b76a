//! Running kustomize: the tool on PATH, batches of overlays built in one
//! run through wrapper kustomizations, and halving a batch that fails.

use crate::yaml::{Node, Value};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The kustomize command found on PATH: `kustomize build` or `kubectl
/// kustomize` (kubectl 1.21 or later embeds kustomize v4+).
#[derive(Clone, Debug)]
pub enum Tool {
    /// The standalone binary.
    Kustomize(PathBuf),
    /// `kubectl kustomize`.
    Kubectl(PathBuf),
}

/// The kustomize tool on PATH, once per process: `kustomize`, else a
/// `kubectl` whose `version --client` reports Kustomize v4 or later.
pub fn tool() -> Option<Tool> {
    static TOOL: OnceLock<Option<Tool>> = OnceLock::new();
    TOOL.get_or_init(|| {
        if let Some(k) = crate::inventory::render::find_on_path("kustomize") {
            return Some(Tool::Kustomize(k));
        }
        let kubectl = crate::inventory::render::find_on_path("kubectl")?;
        let mut c = Command::new(&kubectl);
        c.args(["version", "--client"]);
        let out =
            crate::inventory::render::run_bounded(c, crate::inventory::render::TIMEOUT, 64 * 1024)
                .ok()?;
        let v = out
            .lines()
            .find_map(|l| l.strip_prefix("Kustomize Version: v"))?;
        let major: u32 = v.split('.').next()?.parse().ok()?;
        (major >= 4).then_some(Tool::Kubectl(kubectl))
    })
    .clone()
}

/// Groups roots (indices into `reached`) into batches of roots that reach
/// no (non-component) kustomization in common, then cuts them so there are about as many
/// batches as worker threads.
pub(super) fn batches(todo: &[usize], reached: &[Vec<usize>]) -> Vec<Vec<usize>> {
    let mut groups: Vec<(Vec<usize>, BTreeSet<usize>)> = Vec::new();
    for &r in todo {
        let mine: BTreeSet<usize> = reached[r].iter().copied().collect();
        match groups.iter_mut().find(|(_, used)| used.is_disjoint(&mine)) {
            Some((g, used)) => {
                g.push(r);
                used.extend(mine);
            }
            None => groups.push((vec![r], mine)),
        }
    }
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 8);
    let size = todo.len().div_ceil(workers).max(1);
    groups
        .into_iter()
        .flat_map(|(g, _)| g.chunks(size).map(<[usize]>::to_vec).collect::<Vec<_>>())
        .collect()
}

/// Builds the overlays in `dirs` in one run; when that fails, halves and
/// retries, so each failing overlay ends up with its own error. One result
/// per dir, in order.
pub(super) fn build_split(
    tool: &Tool,
    root: &Path,
    dirs: &[&str],
) -> Vec<Result<(Vec<Node>, PathBuf), String>> {
    match build(tool, root, dirs) {
        Ok((mut per_dir, base)) => per_dir
            .drain(..)
            .map(|docs| Ok((docs, base.clone())))
            .collect(),
        Err(e) if dirs.len() == 1 => vec![Err(e)],
        Err(_) => {
            let (a, b) = dirs.split_at(dirs.len() / 2);
            let mut out = build_split(tool, root, a);
            out.extend(build_split(tool, root, b));
            out
        }
    }
}

/// The annotation that tells which overlay of a batch made an object.
const ROOT_ANNOTATION: &str = "prr.invalid/overlay";

/// Runs one build of the overlays in `dirs` (repository-relative) through
/// wrapper kustomizations in a temporary folder: one per overlay
/// (`resources: [<overlay>]`, `commonAnnotations` naming its index) under a
/// top one (`resources: [w0, w1, …]`, `buildMetadata: [originAnnotations]`).
/// Returns the documents per overlay and the top wrapper's folder (origin
/// paths are relative to it).
fn build(tool: &Tool, root: &Path, dirs: &[&str]) -> Result<(Vec<Vec<Node>>, PathBuf), String> {
    let tmp = tempfile::tempdir().map_err(|e| format!("no temporary folder: {e}"))?;
    let top = tmp.path().canonicalize().map_err(|e| e.to_string())?;
    let mut names = Vec::new();
    for (i, dir) in dirs.iter().enumerate() {
        let w = top.join(format!("w{i}"));
        std::fs::create_dir(&w).map_err(|e| format!("cannot write the wrapper: {e}"))?;
        let target = relative_path(&w, &root.join(dir));
        let body = format!(
            "resources:\n- {}\ncommonAnnotations:\n  {ROOT_ANNOTATION}: \"{i}\"\n",
            serde_json::Value::String(target)
        );
        std::fs::write(w.join("kustomization.yaml"), body)
            .map_err(|e| format!("cannot write the wrapper: {e}"))?;
        names.push(format!("w{i}"));
    }
    let body = format!(
        "resources: [{}]\nbuildMetadata: [originAnnotations]\n",
        names.join(", ")
    );
    std::fs::write(top.join("kustomization.yaml"), body)
        .map_err(|e| format!("cannot write the wrapper: {e}"))?;
    let mut c = match tool {
        Tool::Kustomize(p) => {
            let mut c = Command::new(p);
            c.arg("build");
            c
        }
        Tool::Kubectl(p) => {
            let mut c = Command::new(p);
            c.arg("kustomize");
            c
        }
    };
    c.arg(&top)
        .args(["--load-restrictor", "LoadRestrictionsRootOnly"])
        .current_dir(&top);
    let text = crate::inventory::render::run_bounded(
        c,
        crate::inventory::render::TIMEOUT,
        crate::inventory::render::MAX_OUTPUT_BYTES,
    )
    .map_err(|e| crate::inventory::render::shorten_error(&e, root, &top.join("w0")))?;
    let docs = crate::yaml::parse_documents(&text)
        .map_err(|e| format!("its rendered output does not parse ({})", e.message))?;
    let mut per_dir: Vec<Vec<Node>> = vec![Vec::new(); dirs.len()];
    for mut d in crate::inventory::flatten(docs) {
        let Some(i) = strip_annotation(&mut d, ROOT_ANNOTATION)
            .and_then(|v| v.parse::<usize>().ok())
            .filter(|i| *i < dirs.len())
        else {
            continue;
        };
        per_dir[i].push(d);
    }
    Ok((per_dir, top))
}

/// Removes `key` from every `annotations` map under `node` (the object's
/// and its pod template's: `commonAnnotations` writes both), dropping maps
/// left empty; returns the object's own value.
fn strip_annotation(node: &mut Node, key: &str) -> Option<String> {
    let mut found = None;
    if let Value::Map(entries) = &mut node.value {
        let mut empty = None;
        for (i, (k, v)) in entries.iter_mut().enumerate() {
            if k.name == "annotations"
                && let Value::Map(ann) = &mut v.value
            {
                if let Some(at) = ann.iter().position(|(ak, _)| ak.name == key) {
                    found = ann.remove(at).1.scalar_text();
                }
                if ann.is_empty() {
                    empty = Some(i);
                }
            } else {
                let inner = strip_annotation(v, key);
                if k.name == "metadata" && inner.is_some() {
                    found = inner;
                }
            }
        }
        if let Some(i) = empty {
            entries.remove(i);
        }
    } else if let Value::Seq(items) = &mut node.value {
        for i in items {
            strip_annotation(i, key);
        }
    }
    found
}

fn relative_path(from: &Path, to: &Path) -> String {
    crate::inventory::render::relative_from(from, to)
}
