//! Prometheus rule files (`groups:` at the top, the format of Prometheus'
//! `rulefmt`) and `monitoring.coreos.com/v1` `PrometheusRule` objects (the
//! same groups under `spec.groups`).
//!
//! This module only maps the YAML onto a model with positions; validation
//! (the rules `rulefmt` enforces, PromQL parsing) is the `alerts/parse` check.

use crate::yaml::{Node, Pos};

/// A string value with its position.
#[derive(Clone, Debug, PartialEq)]
pub struct Text {
    /// The value (scalars rendered as text).
    pub value: String,
    /// Where the value starts.
    pub pos: Pos,
    /// Where its key starts (the line annotations point at for missing values).
    pub key_pos: Pos,
}

/// A file (or `PrometheusRule` object) holding rule groups.
#[derive(Clone, Debug)]
pub struct RuleFile {
    /// Repository-relative path.
    pub path: String,
    /// `Some(name)` when it is a `PrometheusRule` object.
    pub object_name: Option<String>,
    /// The object's `metadata.namespace`, when it is a `PrometheusRule`
    /// object that sets one.
    pub namespace: Option<String>,
    /// Where the groups list (or the object) starts.
    pub pos: Pos,
    /// The groups, in order.
    pub groups: Vec<RuleGroup>,
    /// The node holding `groups` (the document, or `spec`), for structural checks.
    pub node: Node,
}

/// A rule group.
#[derive(Clone, Debug)]
pub struct RuleGroup {
    /// `name` (`None` when missing).
    pub name: Option<Text>,
    /// Where the group starts.
    pub pos: Pos,
    /// `interval`, if set.
    pub interval: Option<Text>,
    /// The rules.
    pub rules: Vec<PromRule>,
    /// The raw group node.
    pub node: Node,
}

/// An alerting or recording rule.
#[derive(Clone, Debug)]
pub struct PromRule {
    /// Where the rule starts.
    pub pos: Pos,
    /// `alert:` name.
    pub alert: Option<Text>,
    /// `record:` name.
    pub record: Option<Text>,
    /// `expr:` PromQL.
    pub expr: Option<Text>,
    /// `for:` duration.
    pub r#for: Option<Text>,
    /// `keep_firing_for:` duration.
    pub keep_firing_for: Option<Text>,
    /// `labels:` in order.
    pub labels: Vec<(Text, Text)>,
    /// `annotations:` in order.
    pub annotations: Vec<(Text, Text)>,
    /// The raw rule node (for unknown-field and type checks).
    pub node: Node,
}

impl PromRule {
    /// The value of label `name`.
    pub fn label(&self, name: &str) -> Option<&Text> {
        self.labels
            .iter()
            .find(|(k, _)| k.value == name)
            .map(|(_, v)| v)
    }

    /// The value of annotation `name`.
    pub fn annotation(&self, name: &str) -> Option<&Text> {
        self.annotations
            .iter()
            .find(|(k, _)| k.value == name)
            .map(|(_, v)| v)
    }

    /// The alert or record name, for messages.
    pub fn name(&self) -> &str {
        self.alert
            .as_ref()
            .or(self.record.as_ref())
            .map_or("<unnamed>", |t| t.value.as_str())
    }
}

fn text(parent: &Node, key: &str) -> Option<Text> {
    let v = parent.get(key)?;
    let k = parent.key(key)?;
    Some(Text {
        value: v.scalar_text().unwrap_or_default(),
        pos: if v.pos.line == 0 { k.pos } else { v.pos },
        key_pos: k.pos,
    })
}

fn pairs(parent: &Node, key: &str) -> Vec<(Text, Text)> {
    let Some(m) = parent.get(key) else {
        return Vec::new();
    };
    m.entries()
        .iter()
        .map(|(k, v)| {
            (
                Text {
                    value: k.name.clone(),
                    pos: k.pos,
                    key_pos: k.pos,
                },
                Text {
                    value: v.scalar_text().unwrap_or_default(),
                    pos: if v.pos.line == 0 { k.pos } else { v.pos },
                    key_pos: k.pos,
                },
            )
        })
        .collect()
}

/// Whether a YAML document is a plain Prometheus rule file (a mapping with a
/// `groups` key and no `apiVersion`).
pub fn is_rule_file(doc: &Node) -> bool {
    doc.is_map() && doc.get("groups").is_some() && doc.get("apiVersion").is_none()
}

/// Whether a document is a `PrometheusRule` object.
pub fn is_prometheus_rule_object(doc: &Node) -> bool {
    doc.get("kind").and_then(Node::as_str) == Some("PrometheusRule")
        && doc
            .get("apiVersion")
            .and_then(Node::as_str)
            .is_some_and(|v| v.starts_with("monitoring.coreos.com/"))
}

impl RuleFile {
    /// Builds the model for a rule file or `PrometheusRule` document.
    pub fn from_document(path: &str, doc: &Node) -> RuleFile {
        let (holder, object_name) = if is_prometheus_rule_object(doc) {
            let name = doc.path("metadata.name").and_then(Node::scalar_text);
            (
                doc.get("spec").unwrap_or(Node::null()),
                Some(name.unwrap_or_default()),
            )
        } else {
            (doc, None)
        };
        let groups = holder
            .get("groups")
            .map(|g| g.items().iter().map(RuleGroup::from_node).collect())
            .unwrap_or_default();
        let namespace = object_name
            .as_ref()
            .and_then(|_| doc.path("metadata.namespace"))
            .and_then(Node::scalar_text)
            .filter(|n| !n.is_empty());
        RuleFile {
            path: path.to_string(),
            object_name,
            namespace,
            pos: doc.pos,
            groups,
            node: holder.clone(),
        }
    }

    /// Every rule of every group.
    pub fn rules(&self) -> impl Iterator<Item = &PromRule> {
        self.groups.iter().flat_map(|g| g.rules.iter())
    }
}

impl RuleGroup {
    fn from_node(n: &Node) -> RuleGroup {
        RuleGroup {
            name: text(n, "name"),
            pos: n.pos,
            interval: text(n, "interval"),
            rules: n
                .get("rules")
                .map(|r| r.items().iter().map(PromRule::from_node).collect())
                .unwrap_or_default(),
            node: n.clone(),
        }
    }
}

impl PromRule {
    fn from_node(n: &Node) -> PromRule {
        PromRule {
            pos: n.pos,
            alert: text(n, "alert"),
            record: text(n, "record"),
            expr: text(n, "expr"),
            r#for: text(n, "for"),
            keep_firing_for: text(n, "keep_firing_for"),
            labels: pairs(n, "labels"),
            annotations: pairs(n, "annotations"),
            node: n.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::parse_documents;

    #[test]
    fn plain_and_crd() {
        let d = parse_documents(
            "groups:\n- name: g\n  rules:\n  - alert: A\n    expr: up == 0\n    for: 5m\n    labels: {severity: page}\n    annotations:\n      runbook_url: x.md\n",
        )
        .unwrap();
        assert!(is_rule_file(&d[0]));
        let f = RuleFile::from_document("a.yaml", &d[0]);
        let r = f.rules().next().unwrap();
        assert_eq!(r.name(), "A");
        assert_eq!(r.expr.as_ref().unwrap().pos.line, 5);
        assert_eq!(r.label("severity").unwrap().value, "page");
        assert_eq!(r.annotation("runbook_url").unwrap().pos.line, 9);

        let d = parse_documents(
            "apiVersion: monitoring.coreos.com/v1\nkind: PrometheusRule\nmetadata: {name: x}\nspec:\n  groups:\n  - name: g\n    rules:\n    - record: a:b\n      expr: sum(x)\n",
        )
        .unwrap();
        assert!(is_prometheus_rule_object(&d[0]));
        let f = RuleFile::from_document("b.yaml", &d[0]);
        assert_eq!(f.object_name.as_deref(), Some("x"));
        assert_eq!(
            f.rules().next().unwrap().record.as_ref().unwrap().value,
            "a:b"
        );
    }
}
