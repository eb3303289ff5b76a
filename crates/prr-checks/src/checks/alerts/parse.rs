//! `alerts.parse` (rule `alerts/parse`): what Prometheus' `rulefmt` rejects,
//! at the offending line.

use super::params::is_prometheus_duration;
use crate::checks::{Context, Sink};
use crate::formats::prometheus_rules::{Dialect, RuleFile};
use crate::yaml::{Node, Pos, Value};
use serde::Deserialize;
use std::collections::HashMap;

/// How label, annotation and metric names are validated.
#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq, Eq)]
pub enum NameValidation {
    /// Prometheus 3 default: any non-empty UTF-8 name.
    #[default]
    #[serde(rename = "utf-8")]
    Utf8,
    /// Prometheus 2 (and `--name-validation-scheme=legacy`): labels
    /// `[a-zA-Z_][a-zA-Z0-9_]*`, metric names `[a-zA-Z_:][a-zA-Z0-9_:]*`.
    #[serde(rename = "legacy")]
    Legacy,
}

/// Parameters of `alerts.parse`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Parse {
    /// `utf-8` (default, Prometheus 3) or `legacy` (Prometheus 2 names).
    #[serde(default)]
    pub name_validation: NameValidation,
}

const GROUP_FIELDS: &[&str] = &[
    "name",
    "interval",
    "limit",
    "rules",
    "query_offset",
    "labels",
];
/// Thanos Ruler's field, accepted by the `PrometheusRule` CRD.
const CRD_GROUP_FIELDS: &[&str] = &["partial_response_strategy"];
const RULE_FIELDS: &[&str] = &[
    "record",
    "alert",
    "expr",
    "for",
    "keep_firing_for",
    "labels",
    "annotations",
];

fn valid_label_name(name: &str, scheme: NameValidation) -> bool {
    match scheme {
        NameValidation::Utf8 => !name.is_empty(),
        NameValidation::Legacy => {
            let mut c = name.chars();
            c.next()
                .is_some_and(|f| f.is_ascii_alphabetic() || f == '_')
                && c.all(|ch| ch.is_ascii_alphanumeric() || ch == '_')
        }
    }
}

fn valid_metric_name(name: &str, scheme: NameValidation) -> bool {
    match scheme {
        NameValidation::Utf8 => !name.is_empty(),
        NameValidation::Legacy => {
            let mut c = name.chars();
            c.next()
                .is_some_and(|f| f.is_ascii_alphabetic() || f == '_' || f == ':')
                && c.all(|ch| ch.is_ascii_alphanumeric() || ch == '_' || ch == ':')
        }
    }
}

fn is_scalar(n: &Node) -> bool {
    !matches!(n.value, Value::Seq(_) | Value::Map(_))
}

/// Runs `alerts.parse`: what Prometheus' `rulefmt` rejects.
pub fn parse(ctx: &Context, p: &Parse, sink: &mut Sink) {
    for rf in &ctx.inventory.rule_files {
        let mut v = Validator {
            path: &rf.path,
            scheme: p.name_validation,
            logql: rf.dialect == Dialect::LogQL,
            sink: &mut *sink,
        };
        v.file(rf);
    }
    // `promtool test rules` fails on a unit-test file whose rule file is gone.
    let inv = &ctx.inventory;
    let exists =
        |p: &str| inv.file(p).is_some() || std::fs::symlink_metadata(inv.root.join(p)).is_ok();
    for t in &inv.promtool_tests {
        for (entry, rel) in t.missing_rule_files(exists) {
            sink.report(&t.path, entry.pos, format!(
                "promtool unit test names rule file `{}` ({rel}), which does not exist: `promtool test rules` fails on this file",
                entry.value
            ));
        }
    }
}

struct Validator<'a, 'r> {
    path: &'a str,
    scheme: NameValidation,
    /// A Loki rule file: `expr:` is LogQL, not parsed as PromQL.
    logql: bool,
    sink: &'a mut Sink<'r>,
}

impl Validator<'_, '_> {
    fn push(&mut self, pos: Pos, msg: String) {
        self.sink.push(self.sink.finding(self.path, pos, msg));
    }

    fn unknown_keys(&mut self, node: &Node, allowed: &[&str], extra: &[&str], what: &str) {
        for (k, _) in node.entries() {
            if !allowed.contains(&k.name.as_str()) && !extra.contains(&k.name.as_str()) {
                let hint = closest(&k.name, allowed)
                    .map(|c| format!(" (did you mean `{c}`?)"))
                    .unwrap_or_default();
                self.push(
                    k.pos,
                    format!(
                        "unknown field `{}` in {what}{hint}: Prometheus refuses the file; allowed fields are {}",
                        k.name,
                        allowed.join(", ")
                    ),
                );
            }
        }
    }

    fn file(&mut self, rf: &RuleFile) {
        let holder = &rf.node;
        if rf.object_name.is_none() {
            let tool = if rf.namespace.is_some() {
                &["namespace"][..]
            } else {
                &[]
            };
            self.unknown_keys(holder, &["groups"], tool, "a rule file");
        }
        let Some(groups) = holder.get("groups") else {
            return;
        };
        match &groups.value {
            Value::Null => return,
            Value::Seq(_) => {}
            _ => {
                self.push(
                    groups.pos,
                    format!(
                        "`groups` must be a list of rule groups, found {}",
                        groups.type_name()
                    ),
                );
                return;
            }
        }
        let extra = if rf.object_name.is_some() {
            CRD_GROUP_FIELDS
        } else {
            &[]
        };
        let mut seen: HashMap<String, Pos> = HashMap::new();
        for g in groups.items() {
            self.group(g, extra, &mut seen);
        }
    }

    fn group(&mut self, g: &Node, extra: &[&str], seen: &mut HashMap<String, Pos>) {
        if !g.is_map() {
            self.push(
                g.pos,
                format!(
                    "a rule group must be a mapping with `name` and `rules`, found {}",
                    g.type_name()
                ),
            );
            return;
        }
        self.unknown_keys(g, GROUP_FIELDS, extra, "a rule group");
        match g.get("name") {
            Some(n) if !is_scalar(n) => {
                self.push(
                    n.pos,
                    format!("group `name` must be a string, found {}", n.type_name()),
                );
            }
            Some(n) if n.scalar_text().is_some_and(|s| !s.is_empty()) => {
                let name = n.scalar_text().unwrap_or_default();
                if let Some(first) = seen.get(&name) {
                    self.push(
                        n.pos,
                        format!(
                            "group name `{name}` is repeated in this file (first at line {}): group names must be unique per file",
                            first.line
                        ),
                    );
                } else {
                    seen.insert(name, n.pos);
                }
            }
            _ => self.push(
                g.pos,
                "rule group has no `name`: every group needs a non-empty name".to_string(),
            ),
        }
        for key in ["interval", "query_offset"] {
            if let Some(d) = g.get(key) {
                self.duration(d, key);
            }
        }
        if let Some(l) = g.get("limit")
            && !matches!(l.value, Value::Int(_) | Value::Null)
        {
            self.push(
                l.pos,
                format!("`limit` must be an integer, found {}", l.type_name()),
            );
        }
        if let Some(labels) = g.get("labels") {
            self.labels(labels, "label");
        }
        let Some(rules) = g.get("rules") else { return };
        match &rules.value {
            Value::Null => {}
            Value::Seq(items) => {
                for r in items {
                    self.rule(r);
                }
            }
            _ => self.push(
                rules.pos,
                format!(
                    "`rules` must be a list of rules, found {}",
                    rules.type_name()
                ),
            ),
        }
    }

    fn duration(&mut self, d: &Node, key: &str) {
        if d.is_null() {
            return;
        }
        match d.scalar_text() {
            Some(s) if is_prometheus_duration(&s) => {}
            Some(s) => self.push(
                d.pos,
                format!("`{key}: {s}` is not a Prometheus duration: write e.g. `30s`, `5m`, `1h30m` (units y w d h m s ms, largest first)"),
            ),
            None => self.push(d.pos, format!("`{key}` must be a duration, found {}", d.type_name())),
        }
    }

    /// Non-empty string value of `key` (`None` when missing, null or empty).
    fn name_field(&mut self, r: &Node, key: &str) -> Option<(String, Pos)> {
        let n = r.get(key)?;
        if !is_scalar(n) {
            self.push(
                n.pos,
                format!("`{key}` must be a string, found {}", n.type_name()),
            );
            return None;
        }
        n.scalar_text()
            .filter(|s| !s.is_empty())
            .map(|s| (s, n.pos))
    }

    fn rule(&mut self, r: &Node) {
        if !r.is_map() {
            self.push(
                r.pos,
                format!(
                    "a rule must be a mapping with `alert:` or `record:` and `expr:`, found {}",
                    r.type_name()
                ),
            );
            return;
        }
        self.unknown_keys(r, RULE_FIELDS, &[], "a rule");
        let record = self.name_field(r, "record");
        let alert = self.name_field(r, "alert");
        match (&record, &alert) {
            (Some((rec, pos)), Some((al, _))) => self.push(
                *pos,
                format!("rule has both `record: {rec}` and `alert: {al}`: a rule is either a recording rule or an alerting rule, set exactly one"),
            ),
            (None, None) => self.push(
                r.pos,
                "rule has neither `alert:` nor `record:`: name it with `alert:` (alerting rule) or `record:` (recording rule)".to_string(),
            ),
            _ => {}
        }
        match r.get("expr") {
            Some(e) if !is_scalar(e) => {
                self.push(
                    e.pos,
                    format!("`expr` must be a PromQL string, found {}", e.type_name()),
                );
            }
            Some(e) if e.scalar_text().is_some_and(|s| !s.trim().is_empty()) => {
                let q = e.scalar_text().unwrap_or_default();
                if self.logql {
                    if let Err(err) = crate::formats::logql::check_shape(&q) {
                        self.push(e.pos, format!("`expr` is not valid LogQL: {err}"));
                    }
                } else if let Err(err) = crate::formats::promql::parse(&q) {
                    let err = err.lines().next().unwrap_or("").trim().to_string();
                    self.push(e.pos, format!("`expr` is not valid PromQL: {err}"));
                }
            }
            Some(e) => self.push(
                if e.pos.line == 0 { r.pos } else { e.pos },
                "`expr` is empty: a rule needs a PromQL expression".to_string(),
            ),
            None => self.push(
                r.pos,
                "rule has no `expr:`: a rule needs a PromQL expression".to_string(),
            ),
        }
        for key in ["for", "keep_firing_for"] {
            let Some(d) = r.get(key) else { continue };
            self.duration(d, key);
            if let Some((rec, _)) = &record {
                let nonzero = d
                    .scalar_text()
                    .and_then(|s| crate::formats::parse_duration(&s))
                    .is_some_and(|s| s != 0.0);
                if nonzero && let Some(k) = r.key(key) {
                    self.push(
                        k.pos,
                        format!("`{key}` is not allowed in recording rule `{rec}`: only alerting rules wait or keep firing"),
                    );
                }
            }
        }
        if let Some((rec, pos)) = &record {
            if let Some(a) = r.get("annotations")
                && !a.entries().is_empty()
            {
                let at = r.key("annotations").map_or(a.pos, |k| k.pos);
                self.push(at, format!("`annotations` are not allowed in recording rule `{rec}`: only alerts carry annotations"));
            }
            if rec.contains(['{', '}']) {
                self.push(
                    *pos,
                    format!("recording rule name `{rec}` contains braces: label matchers belong in `expr`, labels in `labels:`"),
                );
            } else if !valid_metric_name(rec, self.scheme) {
                self.push(
                    *pos,
                    format!("`{rec}` is not a valid metric name for `record:` (use letters, digits, `_` and `:`, e.g. `job:http_requests:rate5m`)"),
                );
            }
        }
        if let Some(labels) = r.get("labels") {
            self.labels(labels, "label");
        }
        if let Some(ann) = r.get("annotations") {
            self.labels(ann, "annotation");
        }
    }

    /// `labels:` / `annotations:` maps: valid names, scalar values.
    fn labels(&mut self, m: &Node, what: &str) {
        match &m.value {
            Value::Null => return,
            Value::Map(_) => {}
            _ => {
                self.push(
                    m.pos,
                    format!(
                        "{what}s must be a mapping of names to strings, found {}",
                        m.type_name()
                    ),
                );
                return;
            }
        }
        for (k, v) in m.entries() {
            let reserved = what == "label" && k.name == "__name__";
            if reserved || !valid_label_name(&k.name, self.scheme) {
                let why = if reserved {
                    "`__name__` is reserved for the metric name".to_string()
                } else if k.name.is_empty() {
                    "names must not be empty".to_string()
                } else {
                    "with legacy name validation, names match [a-zA-Z_][a-zA-Z0-9_]*".to_string()
                };
                self.push(k.pos, format!("invalid {what} name `{}`: {why}", k.name));
            }
            if !is_scalar(v) {
                self.push(
                    v.pos,
                    format!(
                        "{what} `{}` must be a string, found {}",
                        k.name,
                        v.type_name()
                    ),
                );
            }
        }
    }
}

/// The allowed name closest to `name` (edit distance ≤ 2), for hints.
fn closest<'a>(name: &str, allowed: &[&'a str]) -> Option<&'a str> {
    allowed
        .iter()
        .map(|a| (strsim::levenshtein(name, a), *a))
        .filter(|(d, _)| *d <= 2)
        .min_by_key(|(d, _)| *d)
        .map(|(_, a)| a)
}
