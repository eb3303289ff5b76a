//! Kubernetes objects: any YAML document (or `kind: List` item) with
//! `apiVersion` and `kind`.

use crate::yaml::{Node, Pos};

/// One Kubernetes object from a manifest file.
#[derive(Clone, Debug)]
pub struct K8sObject {
    /// Repository-relative path of the manifest.
    pub path: String,
    /// `apiVersion`, e.g. `apps/v1`, `argoproj.io/v1alpha1`.
    pub api_version: String,
    /// `kind`, e.g. `Deployment`, `Rollout`, `Canary`, `PodDisruptionBudget`.
    pub kind: String,
    /// `metadata.name` (empty when missing; Helm-free manifests always have one).
    pub name: String,
    /// `metadata.namespace`, if set.
    pub namespace: Option<String>,
    /// Where the object starts.
    pub pos: Pos,
    /// The whole object.
    pub node: Node,
}

impl K8sObject {
    /// Builds the view when `node` has string `apiVersion` and `kind`.
    pub fn from_node(path: &str, node: &Node) -> Option<K8sObject> {
        let api_version = node.get("apiVersion")?.as_str()?.to_string();
        let kind = node.get("kind")?.as_str()?.to_string();
        let name = node
            .path("metadata.name")
            .and_then(Node::scalar_text)
            .unwrap_or_default();
        let namespace = node
            .path("metadata.namespace")
            .and_then(Node::as_str)
            .map(str::to_string);
        Some(K8sObject {
            path: path.to_string(),
            api_version,
            kind,
            name,
            namespace,
            pos: node.pos,
            node: node.clone(),
        })
    }

    /// The API group (`apps` for `apps/v1`, empty for the core group `v1`).
    pub fn group(&self) -> &str {
        self.api_version.rsplit_once('/').map_or("", |(g, _)| g)
    }

    /// `Kind/name`, for messages.
    pub fn display_name(&self) -> String {
        format!("{}/{}", self.kind, self.name)
    }
}
