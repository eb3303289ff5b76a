//! Pods that operators create from custom resources in the repository, so a
//! Service selecting them has endpoints although no workload manifest has
//! their labels.
//!
//! Label sets, as the operators write them:
//! - prometheus-operator `Prometheus` (pkg/prometheus/server/statefulset.go,
//!   `podSelectorLabels`): `app.kubernetes.io/name: prometheus`,
//!   `app.kubernetes.io/managed-by: prometheus-operator`,
//!   `app.kubernetes.io/instance: <name>`, `prometheus: <name>`,
//!   `operator.prometheus.io/name: <name>`, `operator.prometheus.io/shard:
//!   <0..shards-1>`, on top of `spec.podMetadata.labels`.
//! - `Alertmanager` (pkg/alertmanager/statefulset.go): `app.kubernetes.io/name:
//!   alertmanager`, `app.kubernetes.io/managed-by: prometheus-operator`,
//!   `app.kubernetes.io/instance: <name>`, `alertmanager: <name>`, on top of
//!   `spec.podMetadata.labels`.
//! - `ThanosRuler` (pkg/thanos/statefulset.go): `app.kubernetes.io/name:
//!   thanos-ruler`, `app.kubernetes.io/managed-by: prometheus-operator`,
//!   `app.kubernetes.io/instance: <name>`, `thanos-ruler: <name>`, on top of
//!   `spec.podMetadata.labels`.
//! - OLM `ClusterServiceVersion`: each `spec.install.spec.deployments[]`
//!   becomes a Deployment in the namespace the operator is installed into;
//!   its pods carry `spec.template.metadata.labels`.

use crate::formats::k8s::{K8sObject, labels};
use crate::yaml::Node;

/// Pods an operator creates: the custom resource that asks for them (its
/// namespace is theirs; `None` when unknown, as for OLM installs) and the
/// label sets they can carry.
pub struct OperatorPods<'a> {
    /// The pods' namespace, when known.
    pub namespace: Option<&'a str>,
    /// Every label set the pods can carry.
    pub label_sets: Vec<Vec<(String, String)>>,
}

/// Most shards considered for a sharded `Prometheus`.
const MAX_SHARDS: i64 = 64;

/// The operator-created pods of `objects`.
pub fn operator_pods(objects: &[K8sObject]) -> Vec<OperatorPods<'_>> {
    let mut out = Vec::new();
    for o in objects {
        let kind = o.kind.as_str();
        if o.group() == "monitoring.coreos.com"
            && matches!(kind, "Prometheus" | "Alertmanager" | "ThanosRuler")
        {
            let (app, key) = match kind {
                "Prometheus" => ("prometheus", "prometheus"),
                "Alertmanager" => ("alertmanager", "alertmanager"),
                _ => ("thanos-ruler", "thanos-ruler"),
            };
            let mut base = labels(o.node.path("spec.podMetadata.labels"));
            let mut set = |k: &str, v: &str| {
                base.retain(|(bk, _)| bk != k);
                base.push((k.to_string(), v.to_string()));
            };
            set("app.kubernetes.io/name", app);
            set("app.kubernetes.io/managed-by", "prometheus-operator");
            set("app.kubernetes.io/instance", &o.name);
            set(key, &o.name);
            let label_sets = if kind == "Prometheus" {
                let shards = o
                    .node
                    .path("spec.shards")
                    .and_then(Node::as_i64)
                    .unwrap_or(1)
                    .clamp(1, MAX_SHARDS);
                (0..shards)
                    .map(|i| {
                        let mut s = base.clone();
                        s.push(("operator.prometheus.io/name".into(), o.name.clone()));
                        s.push(("operator.prometheus.io/shard".into(), i.to_string()));
                        s
                    })
                    .collect()
            } else {
                vec![base]
            };
            out.push(OperatorPods {
                namespace: o.namespace.as_deref(),
                label_sets,
            });
        } else if o.group() == "operators.coreos.com" && kind == "ClusterServiceVersion" {
            let label_sets = o
                .node
                .path("spec.install.spec.deployments")
                .map(Node::items)
                .unwrap_or_default()
                .iter()
                .map(|d| labels(d.path("spec.template.metadata.labels")))
                .filter(|l| !l.is_empty())
                .collect();
            out.push(OperatorPods {
                namespace: None,
                label_sets,
            });
        }
    }
    out
}

impl OperatorPods<'_> {
    /// Whether these pods can be in the namespace of `service`.
    pub fn near(&self, service: &K8sObject) -> bool {
        match (self.namespace, service.namespace.as_deref()) {
            (Some(a), Some(b)) => a == b,
            _ => true,
        }
    }
}
