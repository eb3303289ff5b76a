//! One kustomization read: its folder, the kustomizations and files it
//! names, its patches, the files its generators read, and a URL it would
//! fetch.

use super::dir_name;
use super::remote::{fetched_url, is_remote, without_userinfo};
use crate::formats::k8s::kustomize::resolve;
use crate::yaml::{Node, Pos};

/// One kustomization of the repository.
#[derive(Debug)]
pub(super) struct Kust {
    pub(super) path: String,
    pub(super) dir: String,
    pub(super) pos: Pos,
    pub(super) component: bool,
    /// `resources`/`bases`/`components` entries as written, with position.
    pub(super) refs: Vec<(String, Pos)>,
    /// Patch files (resolved).
    pub(super) patches: Vec<String>,
    /// Files its generators read (resolved; `key=path` entries by path).
    pub(super) generated_from: Vec<String>,
    /// A URL in a field kustomize loads a file from (a patch, a generator
    /// source, a transformer, a replacement, …): kustomize would fetch it,
    /// also from `localhost`, which no proxy setting stops.
    pub(super) fetches: Option<(String, Pos)>,
}

pub(super) fn read(path: &str, doc: &Node) -> Kust {
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

/// Why root `i` is not run at all: it reaches a remote resource or one
/// outside the repository (see the module docs of [`crate::inventory::render`]).
pub(super) fn refuse(kusts: &[Kust], i: usize, reached: &[usize]) -> Option<(String, Pos, String)> {
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
