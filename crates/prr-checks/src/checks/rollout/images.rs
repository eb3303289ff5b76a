//! Image references that a tool replaces before anything runs: they are
//! placeholders, not `:latest`.
//!
//! - Skaffold: every `build.artifacts[].image` (also under `profiles[]`) of a
//!   `skaffold/*` `Config` in the repository is built and substituted, with
//!   an immutable tag, into the manifests Skaffold deploys.
//! - Kustomize: an `images:` entry (`name`, `newName`, `newTag`, `digest`) of
//!   any kustomization in the repository rewrites images of that name; it
//!   pins them when it sets a `newTag` other than `latest` or a `digest`,
//!   sets `latest` with `newTag: latest`, and keeps the manifest's own tag
//!   when it sets only `newName`.
//! - OpenShift: `ImageStream` objects (the `image-references` file of a
//!   release payload) whose `spec.tags[].from.name` names the image: the
//!   release tooling substitutes it.

use crate::checks::Context;
use crate::formats::k8s::kustomize;
use crate::yaml::Node;

/// Who replaces an image reference, and whether that pins it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Override {
    /// Replaced by a tool with a pinned reference: not a finding.
    Pinned,
    /// A kustomize `images:` entry that sets `newTag: latest`; the text
    /// says so and where, for the message. (An entry with only `newName`
    /// keeps the manifest's tag: no override for this check.)
    Unpinned(String),
}

/// The image name without tag or digest (`registry:5000/a/b:1` →
/// `registry:5000/a/b`).
pub fn image_name(image: &str) -> &str {
    let name = image.split('@').next().unwrap_or(image);
    match name.rsplit_once('/') {
        Some((head, last)) => {
            let last_len = last.split(':').next().unwrap_or(last).len();
            &name[..head.len() + 1 + last_len]
        }
        None => name.split(':').next().unwrap_or(name),
    }
}

/// The image overrides of a repository, collected once per run.
#[derive(Debug, Default)]
pub struct Overrides {
    /// Image names replaced with a pinned reference.
    pinned: std::collections::BTreeSet<String>,
    /// Image names a kustomize override leaves unpinned: per image, each
    /// kustomization's folder and what it sets.
    unpinned: std::collections::BTreeMap<String, Vec<(String, String)>>,
}

impl Overrides {
    /// Reads the Skaffold configs, kustomizations and ImageStreams of the
    /// repository.
    pub fn collect(ctx: &Context) -> Overrides {
        let mut o = Overrides::default();
        for f in &ctx.inventory.files {
            for doc in &f.docs {
                o.read(&f.path, doc);
            }
        }
        o.unpinned.retain(|k, _| !o.pinned.contains(k));
        o
    }

    fn read(&mut self, path: &str, doc: &Node) {
        let api = doc.get("apiVersion").and_then(Node::as_str).unwrap_or("");
        let kind = doc.get("kind").and_then(Node::as_str);
        if api.starts_with("skaffold/") && kind == Some("Config") {
            let mut builds: Vec<&Node> = doc.get("build").into_iter().collect();
            for p in doc.get("profiles").map(Node::items).unwrap_or_default() {
                builds.extend(p.get("build"));
            }
            for b in builds {
                for a in b.get("artifacts").map(Node::items).unwrap_or_default() {
                    if let Some(i) = a.get("image").and_then(Node::as_str) {
                        self.pinned.insert(i.to_string());
                    }
                }
            }
        }
        if kind == Some("ImageStream") && api.starts_with("image.openshift.io/") {
            for t in doc.path("spec.tags").map(Node::items).unwrap_or_default() {
                if let Some(n) = t.path("from.name").and_then(Node::as_str) {
                    self.pinned.insert(image_name(n).to_string());
                }
            }
        }
        if !kustomize::is_kustomization(path, doc) {
            return;
        }
        for entry in doc.get("images").map(Node::items).unwrap_or_default() {
            let Some(name) = entry.get("name").and_then(Node::as_str) else {
                continue;
            };
            let tag = entry.get("newTag").and_then(Node::scalar_text);
            let digest = entry
                .get("digest")
                .and_then(Node::as_str)
                .filter(|d| !d.is_empty());
            match (tag.as_deref(), digest) {
                (_, Some(_)) => {
                    self.pinned.insert(name.to_string());
                }
                (Some(t), _) if !t.is_empty() && t != "latest" => {
                    self.pinned.insert(name.to_string());
                }
                (Some(t), _) if !t.is_empty() => {
                    let dir = path.rsplit_once('/').map_or("", |(d, _)| d).to_string();
                    self.unpinned.entry(name.to_string()).or_default().push((
                        dir,
                        format!(
                            "kustomize rewrites it, and the images: override in {path} sets newTag: {t}"
                        ),
                    ));
                }
                // Only a new name: the manifest's own tag is kept, so the
                // manifest's reference is what to judge.
                _ => {}
            }
        }
    }

    /// How `image`, written in the manifest at `path`, is overridden in
    /// this repository, if at all. Of several kustomizations that set
    /// `newTag: latest` for the image, the message names the nearest one:
    /// the deepest whose folder encloses `path`, else the one sharing the
    /// longest folder prefix with it (a sibling's override rewrites only
    /// what that kustomization includes).
    pub fn lookup(&self, image: &str, path: &str) -> Option<Override> {
        let name = image_name(image);
        if self.pinned.contains(name) {
            return Some(Override::Pinned);
        }
        let shared = |dir: &str| {
            dir.split('/')
                .zip(path.split('/'))
                .take_while(|(a, b)| a == b)
                .count()
        };
        let encloses = |dir: &str| dir.is_empty() || path.starts_with(&format!("{dir}/"));
        self.unpinned
            .get(name)?
            .iter()
            .max_by_key(|(dir, _)| (encloses(dir), shared(dir), std::cmp::Reverse(dir.len())))
            .map(|(_, m)| Override::Unpinned(m.clone()))
    }
}

#[cfg(test)]
mod tests {
    use super::{Override, Overrides, image_name};

    #[test]
    fn the_nearest_enclosing_override_is_named() {
        let mut o = Overrides::default();
        let k = |images: &str| -> crate::yaml::Node {
            crate::yaml::parse_documents(&format!(
                "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nimages:\n{images}"
            ))
            .expect("yaml")
            .remove(0)
        };
        let latest = k("- {name: quay.io/argoproj/argocd, newTag: latest}\n");
        o.read("manifests/base/commit-server/kustomization.yaml", &latest);
        o.read("manifests/base/kustomization.yaml", &latest);
        o.read("manifests/ha/base/kustomization.yaml", &latest);
        let at = |path: &str| match o.lookup("quay.io/argoproj/argocd:v2", path) {
            Some(Override::Unpinned(m)) => m,
            other => panic!("{other:?}"),
        };
        assert!(
            at("manifests/base/server/deploy.yaml").contains("manifests/base/kustomization.yaml")
        );
        assert!(
            at("manifests/base/commit-server/deploy.yaml")
                .contains("manifests/base/commit-server/kustomization.yaml")
        );
        assert!(
            at("manifests/ha/base/redis-ha/chart/upstream.yaml")
                .contains("manifests/ha/base/kustomization.yaml")
        );
    }

    #[test]
    fn names() {
        assert_eq!(image_name("contacts"), "contacts");
        assert_eq!(image_name("controller:latest"), "controller");
        assert_eq!(image_name("registry:5000/a/b:1"), "registry:5000/a/b");
        assert_eq!(image_name("quay.io/a/b@sha256:00"), "quay.io/a/b");
    }
}
