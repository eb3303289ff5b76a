//! Prometheus rule files (`groups:` at the top, the format of Prometheus'
//! `rulefmt`) and `monitoring.coreos.com/v1` `PrometheusRule` objects (the
//! same groups under `spec.groups`). Also recognised: the files of
//! `mimirtool` / `cortextool` / `lokitool` (`namespace:` next to `groups:`),
//! Loki ruler files (the same format, LogQL in `expr:`, see
//! [`crate::formats::logql`]), and `promtool test rules` unit-test files
//! (`rule_files:` + `tests:`), which are not rule files.
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
    /// object that sets one (the Prometheus Operator loads a namespace's
    /// rules together).
    pub object_namespace: Option<String>,
    /// Where the groups list (or the object) starts.
    pub pos: Pos,
    /// The groups, in order.
    pub groups: Vec<RuleGroup>,
    /// The node holding `groups` (the document, or `spec`), for structural checks.
    pub node: Node,
    /// The `namespace:` of a `mimirtool` / `cortextool` / `lokitool` rule
    /// file (`namespace:` + `groups:` at the top), the ruler namespace the
    /// tool loads the groups into; `None` for other files.
    pub namespace: Option<Text>,
    /// The query language of the `expr:`s: Loki when any expression is
    /// LogQL by its syntax ([`crate::formats::logql::is_logql`]).
    pub dialect: Dialect,
}

/// The query language of a rule file's expressions.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Dialect {
    /// PromQL (Prometheus, Thanos, Mimir, Cortex rulers).
    #[default]
    PromQL,
    /// LogQL (Grafana Loki's ruler): not parsed as PromQL.
    LogQL,
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
/// `groups` key and no `apiVersion`), including the `namespace:` + `groups:`
/// files of `mimirtool` / `cortextool` / `lokitool`.
pub fn is_rule_file(doc: &Node) -> bool {
    doc.is_map() && doc.get("groups").is_some() && doc.get("apiVersion").is_none()
}

/// Whether a YAML document is a `promtool test rules` unit-test file: a
/// mapping with `tests:` and `rule_files:` (or `evaluation_interval:`), no
/// `groups:`, `apiVersion:` or `kind:`.
pub fn is_promtool_test(doc: &Node) -> bool {
    doc.is_map()
        && doc.get("tests").is_some()
        && (doc.get("rule_files").is_some() || doc.get("evaluation_interval").is_some())
        && doc.get("groups").is_none()
        && doc.get("apiVersion").is_none()
        && doc.get("kind").is_none()
}

/// A `promtool test rules` unit-test file.
#[derive(Clone, Debug)]
pub struct PromtoolTest {
    /// Repository-relative path.
    pub path: String,
    /// The `rule_files:` entries (paths or globs, relative to the test
    /// file's folder, as promtool resolves them).
    pub rule_files: Vec<Text>,
    /// How many `tests:` entries it has.
    pub tests: usize,
}

impl PromtoolTest {
    /// Builds the model of a document [`is_promtool_test`] accepted.
    pub fn from_document(path: &str, doc: &Node) -> PromtoolTest {
        let rule_files = doc
            .get("rule_files")
            .map(|r| {
                r.items()
                    .iter()
                    .filter_map(|n| {
                        n.scalar_text().map(|value| Text {
                            value,
                            pos: n.pos,
                            key_pos: n.pos,
                        })
                    })
                    .collect()
            })
            .unwrap_or_default();
        PromtoolTest {
            path: path.to_string(),
            rule_files,
            tests: doc.get("tests").map_or(0, |t| t.items().len()),
        }
    }

    /// The `rule_files:` entries that name no file, with the
    /// repository-relative path each resolves to. `exists` answers for a
    /// repository-relative path. Entries promtool resolves outside what
    /// prr may look at are not judged: absolute paths, paths that climb
    /// above the repository root, and globs (`*`, `?`, `[`).
    pub fn missing_rule_files(&self, exists: impl Fn(&str) -> bool) -> Vec<(&Text, String)> {
        let dir = self.path.rsplit_once('/').map_or("", |(d, _)| d);
        self.rule_files
            .iter()
            .filter(|t| !t.value.starts_with('/') && !t.value.contains(['*', '?', '[']))
            .filter_map(|t| {
                let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
                for seg in t.value.split('/') {
                    match seg {
                        "" | "." => {}
                        ".." => {
                            parts.pop()?;
                        }
                        s => parts.push(s),
                    }
                }
                let rel = parts.join("/");
                (!rel.is_empty() && !exists(&rel)).then_some((t, rel))
            })
            .collect()
    }
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
        let groups: Vec<RuleGroup> = holder
            .get("groups")
            .map(|g| g.items().iter().map(RuleGroup::from_node).collect())
            .unwrap_or_default();
        let object_namespace = object_name
            .as_ref()
            .and_then(|_| doc.path("metadata.namespace"))
            .and_then(Node::scalar_text)
            .filter(|n| !n.is_empty());
        let namespace = if object_name.is_none() {
            text(doc, "namespace")
        } else {
            None
        };
        let logql = groups
            .iter()
            .flat_map(|g| g.rules.iter())
            .filter_map(|r| r.expr.as_ref())
            .any(|e| crate::formats::logql::is_logql(&e.value));
        RuleFile {
            path: path.to_string(),
            object_name,
            object_namespace,
            pos: doc.pos,
            groups,
            node: holder.clone(),
            namespace,
            dialect: if logql {
                Dialect::LogQL
            } else {
                Dialect::PromQL
            },
        }
    }

    /// The `expr:`s of a LogQL file (the first one's position and how
    /// many), for the notice that they are not checked.
    pub fn logql_exprs(&self) -> Option<(Pos, usize)> {
        if self.dialect != Dialect::LogQL {
            return None;
        }
        let exprs: Vec<&Text> = self.rules().filter_map(|r| r.expr.as_ref()).collect();
        Some((exprs.first().map_or(self.pos, |e| e.pos), exprs.len()))
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
        assert_eq!((f.dialect, f.namespace.is_none()), (Dialect::PromQL, true));
    }

    #[test]
    fn tool_namespaces_loki_files_and_promtool_tests() {
        // mimirtool / cortextool: a rule file with its ruler namespace.
        let d = parse_documents(
            "namespace: team-a\ngroups:\n- name: g\n  rules:\n  - alert: A\n    expr: up == 0\n",
        )
        .unwrap();
        assert!(is_rule_file(&d[0]) && !is_promtool_test(&d[0]));
        let f = RuleFile::from_document("m.yaml", &d[0]);
        assert_eq!(
            f.namespace.as_ref().map(|n| n.value.as_str()),
            Some("team-a")
        );
        assert_eq!(f.dialect, Dialect::PromQL);
        assert_eq!(f.logql_exprs().map(|(_, n)| n), None);
        // Loki: LogQL in expr.
        let d = parse_documents(
            "groups:\n- name: g\n  rules:\n  - alert: A\n    expr: sum(count_over_time({app=\"x\"} |= \"err\" [5m])) > 0\n  - alert: B\n    expr: count_over_time({app=\"x\"}[5m]) > 0\n",
        )
        .unwrap();
        let f = RuleFile::from_document("l.yaml", &d[0]);
        assert_eq!(f.dialect, Dialect::LogQL);
        assert_eq!(f.logql_exprs().map(|(p, n)| (p.line, n)), Some((5, 2)));
        // promtool unit tests are not rule files.
        let d = parse_documents(
            "rule_files:\n  - apt.yaml\nevaluation_interval: 1m\ntests:\n- interval: 1m\n  input_series: []\n",
        )
        .unwrap();
        assert!(is_promtool_test(&d[0]) && !is_rule_file(&d[0]));
        let t = PromtoolTest::from_document("apt_test.yaml", &d[0]);
        assert_eq!(
            (
                t.rule_files[0].value.as_str(),
                t.rule_files[0].pos.line,
                t.tests
            ),
            ("apt.yaml", 2, 1)
        );
        let t = PromtoolTest {
            path: "team/x_test.yaml".into(),
            rule_files: [
                "x.yaml",
                "../shared/y.yaml",
                "gone.yaml",
                "/abs.yaml",
                "*.yaml",
                "../../../up.yaml",
            ]
            .iter()
            .map(|v| Text {
                value: v.to_string(),
                pos: Pos::line(1),
                key_pos: Pos::line(1),
            })
            .collect(),
            tests: 1,
        };
        let have = ["team/x.yaml", "shared/y.yaml"];
        let missing: Vec<String> = t
            .missing_rule_files(|p| have.contains(&p))
            .into_iter()
            .map(|(_, p)| p)
            .collect();
        assert_eq!(missing, vec!["team/gone.yaml"]);
    }
}
