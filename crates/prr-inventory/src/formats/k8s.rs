//! Kubernetes objects: any YAML document (or `kind: List` item) with
//! `apiVersion` and `kind`.

use crate::yaml::{Node, Pos};

pub mod kustomize;
pub mod openshift;

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
    /// For an object of a render (kustomize overlay, Helm chart): the
    /// overlays or charts it comes from; `None` for a loose manifest.
    pub origin: Option<crate::formats::rendered::Origin>,
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
            origin: None,
        })
    }

    /// The API group (`apps` for `apps/v1`, empty for the core group `v1`).
    pub fn group(&self) -> &str {
        self.api_version.rsplit_once('/').map_or("", |(g, _)| g)
    }

    /// `Kind/name`, for messages; for a rendered object followed by the
    /// overlays or charts it comes from (`Deployment/web (overlay
    /// deploy/prod)`).
    pub fn display_name(&self) -> String {
        let from = self
            .origin
            .as_ref()
            .map(crate::formats::rendered::Origin::describe)
            .unwrap_or_default();
        format!("{}/{}{from}", self.kind, self.name)
    }
}

/// Kinds whose objects carry a pod template (or are a pod).
pub const POD_OWNER_KINDS: &[&str] = &[
    "Pod",
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "ReplicaSet",
    "ReplicationController",
    "Job",
    "CronJob",
    "Rollout",
];

impl K8sObject {
    /// Whether the object is `kind` in one of the API `groups` (`""` is the
    /// core group). Versions are ignored: `apps/v1`, `apps/v1beta2` and
    /// `extensions/v1beta1` Deployments are all Deployments.
    pub fn is(&self, groups: &[&str], kind: &str) -> bool {
        self.kind == kind && groups.contains(&self.group())
    }

    /// A Deployment (`apps` or the old `extensions` group).
    pub fn is_deployment(&self) -> bool {
        self.is(&["apps", "extensions"], "Deployment")
    }

    /// An Argo Rollouts `Rollout` (`argoproj.io`).
    pub fn is_argo_rollout(&self) -> bool {
        self.is(&["argoproj.io"], "Rollout")
    }

    /// An object with pods: a Pod, or a workload kind of [`POD_OWNER_KINDS`]
    /// in its usual group (so a CRD that reuses a kind name is not one).
    pub fn is_pod_owner(&self) -> bool {
        match self.kind.as_str() {
            "Pod" | "ReplicationController" => self.group().is_empty(),
            "Deployment" | "ReplicaSet" | "DaemonSet" => {
                self.is(&["apps", "extensions"], &self.kind)
            }
            "StatefulSet" => self.is(&["apps"], "StatefulSet"),
            "Job" | "CronJob" => self.is(&["batch"], &self.kind),
            "Rollout" => self.is_argo_rollout(),
            _ => false,
        }
    }

    /// The pod template (`metadata` + `spec` of the pods): `spec.template`,
    /// `spec.jobTemplate.spec.template` for a CronJob, the object itself for
    /// a Pod. `None` when absent (a Rollout with `workloadRef`: see
    /// [`workloads`]).
    pub fn pod_template(&self) -> Option<&Node> {
        match self.kind.as_str() {
            "Pod" => Some(&self.node),
            "CronJob" => self.node.path("spec.jobTemplate.spec.template"),
            _ => self.node.path("spec.template"),
        }
    }

    /// Whether two objects can be in the same namespace: equal namespaces,
    /// or either unset (a manifest without `metadata.namespace` lands in the
    /// namespace it is applied to, e.g. by kustomize or `kubectl -n`).
    pub fn same_namespace(&self, other: &K8sObject) -> bool {
        // Two renders (overlays, charts) with nothing in common are
        // separate deployments even when namespaces are unset.
        if let (Some(a), Some(b)) = (&self.origin, &other.origin)
            && !a.sources.iter().any(|s| b.sources.contains(s))
        {
            return false;
        }
        match (&self.namespace, &other.namespace) {
            (Some(a), Some(b)) => a == b,
            _ => true,
        }
    }

    /// Whether two objects can belong to one deployment: the same
    /// namespace when both name one; otherwise files of one folder tree —
    /// one's folder is the other's, an ancestor of it, or a sibling under
    /// the same parent (`extras/x/manifests/` and `extras/x/hpa/` deploy
    /// together) — but not of separate trees (`kubernetes-manifests/` and
    /// `extras/hpa/`, `deploy/webapp/frontend/` and `deploy/bases/frontend/`
    /// are separate deploy targets that reuse names).
    pub fn same_target(&self, other: &K8sObject) -> bool {
        // Objects of renders deploy together when a render made both.
        if self.origin.is_some() && other.origin.is_some() {
            return self.same_namespace(other);
        }
        match (&self.namespace, &other.namespace) {
            (Some(a), Some(b)) => a == b,
            _ => {
                let dirs = |p: &str| -> Vec<String> {
                    let mut v: Vec<String> = p.split('/').map(str::to_string).collect();
                    v.pop();
                    v
                };
                let (a, b) = (dirs(&self.path), dirs(&other.path));
                if a.is_empty() || b.is_empty() {
                    return true;
                }
                let shared = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
                shared >= 1 && shared + 1 >= a.len().min(b.len())
            }
        }
    }
}

/// `metadata.labels` (or any string map) as (key, value) pairs; non-string
/// scalar values are rendered as text (`version: 1` → `"1"`).
pub fn labels(map: Option<&Node>) -> Vec<(String, String)> {
    map.map(|m| {
        m.entries()
            .iter()
            .filter_map(|(k, v)| v.scalar_text().map(|v| (k.name.clone(), v)))
            .collect()
    })
    .unwrap_or_default()
}

/// One `matchExpressions` requirement.
#[derive(Clone, Debug, PartialEq)]
pub struct Requirement {
    /// Label key.
    pub key: String,
    /// `In`, `NotIn`, `Exists`, `DoesNotExist` (anything else never matches).
    pub operator: String,
    /// Values for `In` / `NotIn`.
    pub values: Vec<String>,
}

/// A Kubernetes label selector (`matchLabels` + `matchExpressions`, ANDed),
/// or a Service's plain equality map.
#[derive(Clone, Debug, PartialEq)]
pub struct LabelSelector {
    /// Equality requirements.
    pub match_labels: Vec<(String, String)>,
    /// Set-based requirements.
    pub expressions: Vec<Requirement>,
    /// Where the selector is written.
    pub pos: Pos,
}

impl LabelSelector {
    /// Reads a `LabelSelector` (`{matchLabels, matchExpressions}`).
    pub fn from_node(node: &Node) -> LabelSelector {
        let expressions = node
            .get("matchExpressions")
            .map(|e| {
                e.items()
                    .iter()
                    .map(|r| Requirement {
                        key: r.get("key").and_then(Node::scalar_text).unwrap_or_default(),
                        operator: r
                            .get("operator")
                            .and_then(Node::scalar_text)
                            .unwrap_or_default(),
                        values: r
                            .get("values")
                            .map(|v| v.items().iter().filter_map(Node::scalar_text).collect())
                            .unwrap_or_default(),
                    })
                    .collect()
            })
            .unwrap_or_default();
        LabelSelector {
            match_labels: labels(node.get("matchLabels")),
            expressions,
            pos: node.pos,
        }
    }

    /// Reads a Service's `spec.selector` (a plain label map).
    pub fn from_map(node: &Node) -> LabelSelector {
        LabelSelector {
            match_labels: labels(Some(node)),
            expressions: Vec::new(),
            pos: node.pos,
        }
    }

    /// No requirement at all (selects every pod, or is rejected, depending
    /// on the API).
    pub fn is_empty(&self) -> bool {
        self.match_labels.is_empty() && self.expressions.is_empty()
    }

    /// Whether a pod with `labels` is selected (every requirement holds).
    pub fn matches(&self, labels: &[(String, String)]) -> bool {
        let get = |k: &str| {
            labels
                .iter()
                .find(|(lk, _)| lk == k)
                .map(|(_, v)| v.as_str())
        };
        self.match_labels
            .iter()
            .all(|(k, v)| get(k) == Some(v.as_str()))
            && self.expressions.iter().all(|r| match r.operator.as_str() {
                "In" => get(&r.key).is_some_and(|v| r.values.iter().any(|x| x == v)),
                "NotIn" => get(&r.key).is_none_or(|v| !r.values.iter().any(|x| x == v)),
                "Exists" => get(&r.key).is_some(),
                "DoesNotExist" => get(&r.key).is_none(),
                _ => false,
            })
    }

    /// `app=foo, tier in (a, b)`, for messages.
    pub fn display(&self) -> String {
        let mut parts: Vec<String> = self
            .match_labels
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        for r in &self.expressions {
            parts.push(match r.operator.as_str() {
                "In" => format!("{} in ({})", r.key, r.values.join(", ")),
                "NotIn" => format!("{} notin ({})", r.key, r.values.join(", ")),
                "Exists" => r.key.clone(),
                "DoesNotExist" => format!("!{}", r.key),
                op => format!("{} {op} ({})", r.key, r.values.join(", ")),
            });
        }
        parts.join(", ")
    }
}

/// Most StatefulSet ordinals given per-pod label sets.
const MAX_ORDINALS: i64 = 256;

/// A pod owner with its pod template resolved.
#[derive(Clone, Debug)]
pub struct Workload<'a> {
    /// The workload object (Deployment, Rollout, Pod, …).
    pub obj: &'a K8sObject,
    /// The object whose manifest holds the pod template: `obj` itself, or
    /// the Deployment an Argo `Rollout`'s `spec.workloadRef` names.
    pub template_obj: &'a K8sObject,
    /// The pod template (`metadata` + `spec`), when there is one.
    pub template: Option<&'a Node>,
    /// For a Deployment that a Rollout's `workloadRef` names: that Rollout.
    /// Such a Deployment is scaled to 0 by design and only lends its template.
    pub referenced_by: Option<&'a K8sObject>,
}

impl<'a> Workload<'a> {
    /// The pod `spec`.
    pub fn pod_spec(&self) -> Option<&'a Node> {
        self.template.and_then(|t| t.get("spec"))
    }

    /// The pod template's labels.
    pub fn pod_labels(&self) -> Vec<(String, String)> {
        labels(self.template.and_then(|t| t.path("metadata.labels")))
    }

    /// Every label set the workload's pods can carry: the template's, and
    /// for an Argo Rollout also with the ephemeral metadata of its canary /
    /// stable / active / preview pods and the labels of experiment-step
    /// templates (Services may select those); for a StatefulSet, also each
    /// pod's set with the labels the controller adds per ordinal.
    pub fn pod_label_sets(&self) -> Vec<Vec<(String, String)>> {
        let base = self.pod_labels();
        let mut sets = vec![base.clone()];
        if self.obj.is(&["apps"], "StatefulSet") {
            // The StatefulSet controller labels each pod with its name and
            // ordinal (`statefulset.kubernetes.io/pod-name`,
            // `apps.kubernetes.io/pod-index`): per-pod Services select them.
            let replicas = self
                .obj
                .node
                .path("spec.replicas")
                .and_then(Node::as_i64)
                .unwrap_or(1)
                .clamp(0, MAX_ORDINALS);
            for i in 0..replicas {
                let mut set = base.clone();
                set.push((
                    "statefulset.kubernetes.io/pod-name".into(),
                    format!("{}-{i}", self.obj.name),
                ));
                set.push(("apps.kubernetes.io/pod-index".into(), i.to_string()));
                sets.push(set);
            }
            return sets;
        }
        if !self.obj.is_argo_rollout() {
            return sets;
        }
        let strategy = self.obj.node.path("spec.strategy");
        let merged = |extra: &Node| {
            let mut set = base.clone();
            for (k, v) in labels(Some(extra)) {
                set.retain(|(bk, _)| *bk != k);
                set.push((k, v));
            }
            set
        };
        for m in [
            "canary.canaryMetadata.labels",
            "canary.stableMetadata.labels",
            "blueGreen.activeMetadata.labels",
            "blueGreen.previewMetadata.labels",
        ] {
            if let Some(l) = strategy.and_then(|s| s.path(m)) {
                sets.push(merged(l));
            }
        }
        let steps = strategy
            .and_then(|s| s.path("canary.steps"))
            .map_or(&[][..], Node::items);
        for step in steps {
            let templates = step
                .path("experiment.templates")
                .map_or(&[][..], Node::items);
            for t in templates {
                if let Some(l) = t.path("metadata.labels") {
                    sets.push(merged(l));
                }
            }
        }
        sets
    }

    /// The (non-init) containers.
    pub fn containers(&self) -> &'a [Node] {
        self.pod_spec()
            .and_then(|s| s.get("containers"))
            .map_or(&[], Node::items)
    }

    /// The init containers.
    pub fn init_containers(&self) -> &'a [Node] {
        self.pod_spec()
            .and_then(|s| s.get("initContainers"))
            .map_or(&[], Node::items)
    }

    /// `Kind/name`, plus the template's source for a Rollout with `workloadRef`.
    pub fn display_name(&self) -> String {
        if std::ptr::eq(self.obj, self.template_obj) {
            self.obj.display_name()
        } else {
            format!(
                "{} (template from {})",
                self.obj.display_name(),
                self.template_obj.display_name()
            )
        }
    }

    /// The workload's `spec.selector`, or for a Rollout with `workloadRef`
    /// and no selector of its own, the referenced Deployment's.
    pub fn selector(&self) -> Option<&'a Node> {
        self.obj
            .node
            .path("spec.selector")
            .or_else(|| self.template_obj.node.path("spec.selector"))
    }
}

/// Every pod owner of `objects` ([`K8sObject::is_pod_owner`]), with Argo
/// Rollouts' `workloadRef` resolved to the named Deployment in the same
/// namespace.
pub fn workloads(objects: &[K8sObject]) -> Vec<Workload<'_>> {
    let refs: Vec<(&K8sObject, &K8sObject)> = objects
        .iter()
        .filter(|o| o.is_argo_rollout())
        .filter_map(|r| {
            let wr = r.node.path("spec.workloadRef")?;
            let kind = wr
                .get("kind")
                .and_then(Node::as_str)
                .unwrap_or("Deployment");
            let name = wr.get("name").and_then(Node::scalar_text)?;
            let candidates = || {
                objects.iter().filter(|d| {
                    d.kind == kind && d.is_pod_owner() && d.name == name && d.same_namespace(r)
                })
            };
            // Prefer the Deployment of the Rollout's own manifest when names repeat.
            let d = candidates()
                .find(|d| d.path == r.path)
                .or_else(|| candidates().next())?;
            Some((r, d))
        })
        .collect();
    objects
        .iter()
        .filter(|o| o.is_pod_owner())
        // `replicas: 0` runs no pods (a component switched off, or a
        // partial object an overlay scales down): nothing to judge, unless
        // an Argo Rollout takes its template (scaled to 0 by design).
        .filter(|o| {
            o.node.path("spec.replicas").and_then(Node::as_i64) != Some(0)
                || refs.iter().any(|(_, d)| std::ptr::eq(*d, *o))
        })
        .map(|o| {
            let target = refs
                .iter()
                .find(|(r, _)| std::ptr::eq(*r, o))
                .map(|(_, d)| *d);
            let referenced_by = refs
                .iter()
                .find(|(_, d)| std::ptr::eq(*d, o))
                .map(|(r, _)| *r);
            let template_obj = target.unwrap_or(o);
            let template = match target {
                Some(d) => d.pod_template(),
                None => o.pod_template(),
            };
            Workload {
                obj: o,
                template_obj,
                template,
                referenced_by,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_selector_semantics() {
        let docs = crate::yaml::parse_documents(
            "matchLabels: {app: web}\nmatchExpressions:\n- {key: tier, operator: In, values: [front, edge]}\n- {key: canary, operator: DoesNotExist}\n- {key: zone, operator: NotIn, values: [a]}\n- {key: app, operator: Exists}\n",
        )
        .expect("yaml");
        let sel = LabelSelector::from_node(&docs[0]);
        let l = |pairs: &[(&str, &str)]| -> Vec<(String, String)> {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        assert!(sel.matches(&l(&[("app", "web"), ("tier", "edge")])));
        assert!(!sel.matches(&l(&[("app", "web"), ("tier", "back")])));
        assert!(!sel.matches(&l(&[("app", "web"), ("tier", "front"), ("canary", "1")])));
        assert!(!sel.matches(&l(&[("app", "web"), ("tier", "front"), ("zone", "a")])));
        assert!(!sel.matches(&l(&[("tier", "front")])));
        assert_eq!(
            sel.display(),
            "app=web, tier in (front, edge), !canary, zone notin (a), app"
        );
    }
}
