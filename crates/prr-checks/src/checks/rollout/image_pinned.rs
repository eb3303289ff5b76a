//! `rollout.image-pinned` (rule `rollout/image-pinned`): container images
//! are pinned to a tag or digest, not `latest`.

use super::common::container_name;
use super::images;
use crate::checks::{Context, Sink};
use crate::formats::k8s::workloads;
use serde::Deserialize;

/// Parameters of `rollout.image-pinned`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ImagePinned {
    /// Require a digest (`@sha256:…`), not only a tag. Default false.
    #[serde(default)]
    pub require_digest: bool,
}

/// The tag of an image reference (`None` when untagged). A `:` before the
/// last `/` belongs to a registry port (`registry:5000/app`).
fn image_tag(image: &str) -> Option<&str> {
    let name = image.split('@').next().unwrap_or(image);
    let last = name.rsplit('/').next().unwrap_or(name);
    last.split_once(':').map(|(_, t)| t)
}

/// Runs `rollout.image-pinned`.
pub fn image_pinned(ctx: &Context, p: &ImagePinned, sink: &mut Sink) {
    let overrides = images::Overrides::collect(ctx);
    for w in workloads(&ctx.inventory.objects) {
        if w.referenced_by.is_some() {
            continue;
        }
        for c in w.containers().iter().chain(w.init_containers()) {
            let Some(img) = c.get("image") else { continue };
            let Some(image) = img.as_str() else { continue };
            // An empty image is filled in by an operator or an admission
            // webhook: there is no reference here to pin.
            // An unresolved parameter (`${IMAGE}:${TAG}` of an OpenShift
            // Template, envsubst) is an unknown value, not `:latest`.
            if image.trim().is_empty() || image.contains("${") {
                continue;
            }
            let digest = image.contains("@sha256:");
            // A rendered object's override is in its overlay's chain: look
            // it up from the overlay, not from the base file it maps to.
            let seen_from = w
                .template_obj
                .origin
                .as_ref()
                .filter(|o| o.via == "overlay")
                .and_then(|o| o.sources.first())
                .map_or_else(
                    || w.template_obj.path.clone(),
                    |d| format!("{d}/kustomization.yaml"),
                );
            let replaced = overrides.lookup(image, &seen_from);
            let problem = if replaced == Some(images::Override::Pinned) {
                None
            } else if let Some(images::Override::Unpinned(how)) = replaced {
                Some(format!(
                    "is not pinned: {how} — pin a version tag or a digest there"
                ))
            } else if p.require_digest && !digest {
                Some("is not pinned by digest — a tag can be moved; use image@sha256:…".to_string())
            } else if digest || image.contains('@') {
                None
            } else {
                match image_tag(image) {
                    None => Some(
                        "has no tag, so it means :latest — pin a version tag or a digest"
                            .to_string(),
                    ),
                    Some("latest") => {
                        Some("uses :latest — pin a version tag or a digest".to_string())
                    }
                    Some(_) => None,
                }
            };
            if let Some(problem) = problem {
                sink.report(
                    &w.template_obj.path,
                    img.pos,
                    format!(
                        "image `{image}` of container `{}` in {} {problem}, so a restart or rollback can run different code than was reviewed",
                        container_name(c),
                        w.display_name()
                    ),
                );
            }
        }
    }
}
