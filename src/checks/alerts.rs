//! Prometheus alerting-rule checks (`alerts/…`).
//!
//! They read [`crate::formats::prometheus_rules`] models of plain rule files
//! and `PrometheusRule` objects. `alerts/parse` re-implements the validation
//! of Prometheus' `rulefmt` package (`model/rulefmt/rulefmt.go`), the code
//! `promtool check rules` and the Prometheus Operator run, so a file that
//! Prometheus would refuse fails here first, at the offending line. The other
//! checks assume the structure is sound and skip what they cannot read.

use super::Context;
use crate::finding::Finding;
use crate::formats::prometheus_rules::{Dialect, PromRule, RuleFile, RuleGroup, Text};
use crate::formats::runbook::Runbook;
use crate::rules::Rule;
use crate::yaml::{Node, Pos, Value};
use regex::Regex;
use serde::{Deserialize, Deserializer};
use std::collections::{BTreeMap, HashMap};
use std::sync::LazyLock;

// ---------------------------------------------------------------------------
// Shared helpers (also used by `runbooks.rs`).

/// Every rule with the file and group it belongs to.
pub(crate) fn all_rules<'a>(
    ctx: &'a Context,
) -> impl Iterator<Item = (&'a RuleFile, &'a RuleGroup, &'a PromRule)> {
    ctx.inventory.rule_files.iter().flat_map(|f| {
        f.groups
            .iter()
            .flat_map(move |g| g.rules.iter().map(move |r| (f, g, r)))
    })
}

/// Every alerting rule (a non-empty `alert:`) with its file and group.
pub(crate) fn alerts<'a>(
    ctx: &'a Context,
) -> impl Iterator<Item = (&'a RuleFile, &'a RuleGroup, &'a PromRule)> {
    all_rules(ctx).filter(|(_, _, r)| r.alert.as_ref().is_some_and(|a| !a.value.is_empty()))
}

/// The value of label `name` on a rule, falling back to the group's
/// `labels:` (Prometheus adds group labels to every rule; rule labels win).
pub(crate) fn label_value(group: &RuleGroup, rule: &PromRule, name: &str) -> Option<Text> {
    if let Some(v) = rule.label(name) {
        return Some(v.clone());
    }
    let labels = group.node.get("labels")?;
    let v = labels.get(name)?;
    let k = labels.key(name)?;
    Some(Text {
        value: v.scalar_text().unwrap_or_default(),
        pos: if v.pos.line == 0 { k.pos } else { v.pos },
        key_pos: k.pos,
    })
}

/// The first non-empty annotation among `names` (in that order).
pub(crate) fn first_annotation<'a>(
    rule: &'a PromRule,
    names: &'a [String],
) -> Option<(&'a str, &'a Text)> {
    names.iter().find_map(|n| {
        rule.annotation(n)
            .filter(|t| !t.value.trim().is_empty())
            .map(|t| (n.as_str(), t))
    })
}

/// Where a rule's name is written (`alert:` / `record:` value), or the rule
/// start.
pub(crate) fn name_pos(rule: &PromRule) -> Pos {
    rule.alert
        .as_ref()
        .or(rule.record.as_ref())
        .map_or(rule.pos, |t| t.pos)
}

/// Where a runbook link points, after resolution against the repository.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Link {
    /// A repository path (normalised, no leading `/`) and the `#anchor`, if any.
    Repo {
        /// Repository-relative path.
        path: String,
        /// The fragment without `#`.
        anchor: Option<String>,
    },
    /// A templated link (`…/runbooks/{{ $labels.x }}.md`): only the folder
    /// before the first `{{` is known (repository-relative, may be empty = root).
    RepoFolder(String),
    /// The link climbs above the repository root with `..` (also written
    /// `%2e%2e`, or with `\` or `%2F` as separators).
    Escapes,
    /// A `file:` URL: a path on someone's machine, never a file of the
    /// repository (and never read).
    FileUrl,
    /// An external URL not under a configured base URL, or a templated link
    /// whose known part says nothing: not checked.
    External,
}

/// Resolves a runbook link written in the rule file at `rule_path`.
///
/// Relative paths are relative to the rule file's folder; a leading `/`
/// makes them repository-root-relative. URLs (`scheme://…`, `//host/…`) are
/// mapped through `base_urls` (URL prefix → repository folder, longest
/// prefix wins); `file:` URLs are [`Link::FileUrl`], other URLs
/// [`Link::External`]. Resolution is textual: the result is a path inside
/// the repository or a verdict, and nothing outside the repository root is
/// ever read or stat'ed (absolute paths are root-relative, `..` above the
/// root is [`Link::Escapes`], symbolic links are not in the inventory).
pub(crate) fn resolve_link(
    rule_path: &str,
    link: &str,
    base_urls: &BTreeMap<String, String>,
) -> Link {
    let link = link.trim();
    // A template or variable (`{{ $labels.x }}`, `[[ .RunbookURL ]]`,
    // `${VAR}`) is an unresolved value: only the fixed folder before it
    // can be checked.
    if let Some(i) = crate::formats::template::first_placeholder(link) {
        let known = &link[..i];
        if known.contains(['#', '?']) {
            return Link::External;
        }
        let Some(slash) = known.rfind('/') else {
            return Link::External;
        };
        return match resolve_link(rule_path, &known[..=slash], base_urls) {
            Link::Repo { path, .. } => Link::RepoFolder(path),
            other => other,
        };
    }
    let (rest, anchor) = match link.split_once('#') {
        Some((r, a)) => (r, Some(a.to_string()).filter(|a| !a.is_empty())),
        None => (link, None),
    };
    let rest = rest.split('?').next().unwrap_or(rest);
    let is_file_url = rest
        .get(..5)
        .is_some_and(|s| s.eq_ignore_ascii_case("file:"));
    let is_url = rest.contains("://")
        || rest.starts_with("//")
        || rest.starts_with("mailto:")
        || is_file_url;
    let (base, rel): (String, String) = if is_url {
        let Some((prefix, folder)) = base_urls
            .iter()
            .filter(|(prefix, _)| {
                // Whole path segments only: `…/main` must not match `…/mainline/x`.
                rest.strip_prefix(prefix.as_str())
                    .is_some_and(|r| prefix.ends_with('/') || r.is_empty() || r.starts_with('/'))
            })
            .max_by_key(|(prefix, _)| prefix.len())
        else {
            return if is_file_url {
                Link::FileUrl
            } else {
                Link::External
            };
        };
        (folder.clone(), rest[prefix.len()..].to_string())
    } else if let Some(abs) = rest.strip_prefix('/') {
        (String::new(), abs.to_string())
    } else {
        let dir = rule_path.rsplit_once('/').map_or("", |(d, _)| d);
        (dir.to_string(), rest.to_string())
    };
    // `base` is a repository folder; the link's own segments are decoded
    // first, so `%2e%2e` climbs like `..`, and `%2F` and `\` separate.
    let segments = base.split('/').map(str::to_string).chain(
        rel.split('/')
            .map(percent_decode)
            .flat_map(|s| s.split(['/', '\\']).map(str::to_string).collect::<Vec<_>>()),
    );
    let mut parts: Vec<String> = Vec::new();
    for seg in segments {
        match seg.as_str() {
            "" | "." => {}
            ".." => {
                if parts.pop().is_none() {
                    return Link::Escapes;
                }
            }
            _ => parts.push(seg),
        }
    }
    Link::Repo {
        path: parts.join("/"),
        anchor,
    }
}

/// Decodes `%XX` escapes (UTF-8); malformed escapes are kept as written.
fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && let Some(h) = b.get(i + 1..i + 3)
            && let Ok(hex) = std::str::from_utf8(h)
            && let Ok(v) = u8::from_str_radix(hex, 16)
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Whether some file of the inventory lives under folder `dir` (`""` = root).
pub(crate) fn folder_exists(ctx: &Context, dir: &str) -> bool {
    if dir.is_empty() {
        return true;
    }
    let prefix = format!("{}/", dir.trim_end_matches('/'));
    let files = &ctx.inventory.files;
    let i = files.partition_point(|f| f.path.as_str() < prefix.as_str());
    files.get(i).is_some_and(|f| f.path.starts_with(&prefix))
}

/// The file a repository link names: the file itself, or for a folder its
/// `README.md` (what GitHub shows), or `None` when neither exists. A folder
/// without README resolves to the folder path itself.
pub(crate) fn target_file(ctx: &Context, path: &str) -> Option<String> {
    if !path.is_empty() && ctx.inventory.file(path).is_some() {
        return Some(path.to_string());
    }
    if folder_exists(ctx, path) {
        let readme = if path.is_empty() {
            "README.md".to_string()
        } else {
            format!("{path}/README.md")
        };
        return Some(if ctx.inventory.file(&readme).is_some() {
            readme
        } else {
            path.to_string()
        });
    }
    None
}

fn is_markdown(path: &str) -> bool {
    let l = path.to_ascii_lowercase();
    l.ends_with(".md") || l.ends_with(".markdown")
}

fn default_severity_label() -> String {
    "severity".to_string()
}

fn default_runbook_annotations() -> Vec<String> {
    vec!["runbook_url".to_string(), "runbook".to_string()]
}

/// A Prometheus duration given as a rule parameter (`5m`), in seconds.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DurationParam {
    /// Seconds.
    pub seconds: f64,
}

impl<'de> Deserialize<'de> for DurationParam {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        if !is_prometheus_duration(&s) {
            return Err(serde::de::Error::custom(format!(
                "`{s}` is not a Prometheus duration (e.g. 2m, 5m, 1h30m)"
            )));
        }
        crate::formats::parse_duration(&s)
            .map(|seconds| DurationParam { seconds })
            .ok_or_else(|| serde::de::Error::custom(format!("`{s}` is not a duration")))
    }
}

/// Whether `s` is a duration Prometheus accepts (`model.ParseDuration`):
/// units y, w, d, h, m, s, ms, each at most once and in that order, or `0`.
pub fn is_prometheus_duration(s: &str) -> bool {
    static RE: LazyLock<Option<Regex>> = LazyLock::new(|| {
        Regex::new(r"^(?:[0-9]+y)?(?:[0-9]+w)?(?:[0-9]+d)?(?:[0-9]+h)?(?:[0-9]+m)?(?:[0-9]+s)?(?:[0-9]+ms)?$").ok()
    });
    s == "0" || (!s.is_empty() && RE.as_ref().is_some_and(|r| r.is_match(s)))
}

// ---------------------------------------------------------------------------
// alerts/parse

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
pub fn parse(ctx: &Context, rule: &Rule, p: &Parse) -> Vec<Finding> {
    let mut out = Vec::new();
    for rf in &ctx.inventory.rule_files {
        let mut v = Validator {
            rule_id: &rule.id,
            path: &rf.path,
            scheme: p.name_validation,
            logql: rf.dialect == Dialect::LogQL,
            out: &mut out,
        };
        v.file(rf);
    }
    // `promtool test rules` fails on a unit-test file whose rule file is gone.
    let inv = &ctx.inventory;
    let exists =
        |p: &str| inv.file(p).is_some() || std::fs::symlink_metadata(inv.root.join(p)).is_ok();
    for t in &inv.promtool_tests {
        for (entry, rel) in t.missing_rule_files(exists) {
            out.push(Finding::new(&rule.id, &t.path, entry.pos, format!(
                "promtool unit test names rule file `{}` ({rel}), which does not exist: `promtool test rules` fails on this file",
                entry.value
            )));
        }
    }
    out
}

struct Validator<'a> {
    rule_id: &'a str,
    path: &'a str,
    scheme: NameValidation,
    /// A Loki rule file: `expr:` is LogQL, not parsed as PromQL.
    logql: bool,
    out: &'a mut Vec<Finding>,
}

impl Validator<'_> {
    fn push(&mut self, pos: Pos, msg: String) {
        self.out
            .push(Finding::new(self.rule_id, self.path, pos, msg));
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

// ---------------------------------------------------------------------------
// alerts/severity-label

/// Parameters of `alerts.severity-label`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct SeverityLabel {
    /// The label name (default `severity`).
    #[serde(default = "default_severity_label")]
    pub label: String,
    /// Allowed values, compared exactly (Alertmanager routes match
    /// exactly). Unset (the default): the values the repository's alerts
    /// use, less slips of a more common value (see [`super::severity`]).
    /// Empty: any value.
    #[serde(default)]
    pub allowed: Option<Vec<String>>,
}

/// The values of the two common schemes (`critical / warning / info`,
/// `page / ticket`): a repository using only these gets no notice about
/// its vocabulary.
const COMMON_SEVERITIES: &[&str] = &["critical", "warning", "info", "page", "ticket"];

/// Runs `alerts.severity-label`.
pub fn severity_label(ctx: &Context, rule: &Rule, p: &SeverityLabel) -> Vec<Finding> {
    let mut out = Vec::new();
    let vocab = super::severity::Vocabulary::of(ctx, &p.label);
    let configured = p.allowed.as_ref();
    // Without `allowed`, the values the Alertmanager routes match on.
    let routed = match configured {
        None => super::route::routed_values(ctx, &p.label),
        Some(_) => None,
    };
    // Missing labels matter when the list is configured or when the
    // repository routes on the label (routes match it, most alerts carry it).
    let require = configured.is_some() || routed.is_some() || vocab.routes_on_label();
    let shown = match (configured, &routed) {
        (Some(a), _) if !a.is_empty() => a.join("|"),
        (None, Some((values, _))) if !values.is_empty() => values.join("|"),
        _ => {
            let mut v: Vec<(&String, &usize)> = vocab.counts.iter().collect();
            v.sort_by(|a, b| b.1.cmp(a.1));
            v.iter()
                .take(4)
                .map(|(k, _)| k.as_str())
                .collect::<Vec<_>>()
                .join("|")
        }
    };
    let mut non_production: BTreeMap<&'static str, usize> = BTreeMap::new();
    for (f, g, r) in alerts(ctx) {
        match label_value(g, r, &p.label) {
            // A rule of a non-production environment left without a
            // severity: counted in one notice, not reported one by one
            // (unless prr.yaml sets `allowed`).
            None if require
                && configured.is_none()
                && let Some(env) =
                    super::environment::non_production(&f.path, f.object_namespace.as_deref()) =>
            {
                *non_production.entry(env).or_default() += 1;
            }
            None if require => {
                let at = r.node.key("labels").map_or(name_pos(r), |k| k.pos);
                let why = if configured.is_some() {
                    "prr.yaml requires it".to_string()
                } else if let Some((_, sites)) = &routed {
                    format!(
                        "the Alertmanager routes ({sites}) match on it, so this alert goes to the default receiver"
                    )
                } else {
                    format!(
                        "{} of this repository's {} alerts carry it, so its routing depends on it and this alert goes to the default receiver",
                        vocab.labelled, vocab.alerts
                    )
                };
                out.push(Finding::new(
                    &rule.id,
                    &f.path,
                    at,
                    format!(
                        "alert `{}` has no `{}` label: {why}; add `{}: <{shown}>` under `labels:`",
                        r.name(),
                        p.label,
                        p.label,
                    ),
                ));
            }
            None => {}
            Some(v) => {
                let value = v.value.trim();
                let shown_value = if value.is_empty() { "\"\"" } else { value };
                let problem = match configured {
                    Some(a) if !a.is_empty() && !a.iter().any(|x| x == &v.value) => {
                        let hint = a
                            .iter()
                            .find(|x| x.eq_ignore_ascii_case(value))
                            .map(|x| format!(" (did you mean `{x}`? values are case-sensitive)"))
                            .unwrap_or_default();
                        Some(format!("{hint}: use one of {} so Alertmanager routes it", a.join(", ")))
                    }
                    Some(_) => None,
                    None if routed.is_some() => {
                        let (values, sites) = routed.as_ref().map(|(v, s)| (v.join(", "), s.as_str())).unwrap_or_default();
                        (!super::route::value_routed(ctx, &p.label, value)).then(|| {
                            format!(
                                ", which no route of the Alertmanager configuration ({sites}) matches{}: Alertmanager sends it to the default receiver; use a value the routes match",
                                if values.is_empty() { String::new() } else { format!(" (they match {values})") }
                            )
                        })
                    }
                    None => vocab.slip_of(value).map(|common| {
                        format!(
                            ", which looks like a slip of `{common}` ({} alerts here use it; values are compared exactly, so routes on `{common}` miss this one): use `{common}`, or list both in the rule's `allowed`",
                            vocab.counts.get(common).copied().unwrap_or(0)
                        )
                    }),
                };
                if let Some(problem) = problem {
                    out.push(Finding::new(
                        &rule.id,
                        &f.path,
                        v.pos,
                        format!(
                            "alert `{}` has `{}: {shown_value}`{problem}",
                            r.name(),
                            p.label
                        ),
                    ));
                }
            }
        }
    }
    if !non_production.is_empty() {
        let (total, by) = crate::finding::tally(non_production.iter().map(|(e, n)| (*e, *n)));
        out.push(
            Finding::new(
                &rule.id,
                "",
                Pos::default(),
                format!(
                    "{total} alert{} of non-production environments ({}) carry no `{}` label: not reported one by one; set `allowed` in prr.yaml to require it everywhere",
                    if total == 1 { "" } else { "s" },
                    by,
                    p.label
                ),
            )
            .with_level(crate::finding::Level::Notice),
        );
    }
    if configured.is_none() && routed.is_none() && !vocab.counts.is_empty() {
        let own = vocab
            .counts
            .keys()
            .any(|k| !COMMON_SEVERITIES.contains(&k.as_str()));
        if own || !require {
            let routing = if require {
                String::new()
            } else {
                format!(
                    "; only {} of {} alerts carry the label, so a missing one is not reported",
                    vocab.labelled, vocab.alerts
                )
            };
            out.push(
                Finding::new(
                    &rule.id,
                    "",
                    Pos::default(),
                    format!(
                        "`{}` values taken from this repository's alerts (no Alertmanager routing read, no `allowed` list): {}{routing}. Set `allowed` in prr.yaml to enforce a list",
                        p.label,
                        vocab.summary(8)
                    ),
                )
                .with_level(crate::finding::Level::Notice),
            );
        }
    }
    out
}

// ---------------------------------------------------------------------------
// alerts/runbook-annotation

/// Parameters of `alerts.required-annotation`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RequiredAnnotation {
    /// The annotation every alert needs (default `runbook_url`).
    #[serde(default = "default_annotation")]
    pub annotation: String,
    /// Other annotation names that satisfy it (default `[runbook]`).
    #[serde(default = "default_also_accept")]
    pub also_accept: Vec<String>,
    /// The severity label (default `severity`).
    #[serde(default = "default_severity_label")]
    pub label: String,
    /// Severity values that page (see [`super::severity::Paging`]). A
    /// missing annotation on a paging alert is reported at the rule's
    /// level; on any other alert at most as a warning.
    #[serde(default)]
    pub page_severities: Option<Vec<String>>,
    /// Also report non-paging alerts of non-production environments (a
    /// `-dev`/`-staging`/`-uat` namespace or folder, see
    /// [`super::environment`]); default false: they are counted in one
    /// notice.
    #[serde(default)]
    pub non_production_environments: bool,
}

fn default_annotation() -> String {
    "runbook_url".to_string()
}

fn default_also_accept() -> Vec<String> {
    vec!["runbook".to_string()]
}

/// Runs `alerts.required-annotation`: every alert has a non-empty
/// `annotation` (or one of `also-accept`).
pub fn required_annotation(ctx: &Context, rule: &Rule, p: &RequiredAnnotation) -> Vec<Finding> {
    let mut names = vec![p.annotation.clone()];
    names.extend(p.also_accept.iter().cloned());
    let mut out = Vec::new();
    let paging = super::severity::Paging::resolve(ctx, &p.label, p.page_severities.as_deref());
    let mut skipped: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut unpaged = 0usize;
    for (f, g, r) in alerts(ctx) {
        if first_annotation(r, &names).is_some() {
            continue;
        }
        let pages = paging.pages(ctx, g, r, &p.label);
        if pages.is_none()
            && !p.non_production_environments
            && let Some(env) =
                super::environment::non_production(&f.path, f.object_namespace.as_deref())
        {
            *skipped.entry(env).or_default() += 1;
            continue;
        }
        // The repository's own Alertmanager pages nobody (a homelab, a
        // chat-only setup): a runbook link is advice, counted in one notice.
        if pages.is_none() && paging.no_pager_in.is_some() {
            unpaged += 1;
            continue;
        }
        let empty = names.iter().find_map(|n| r.annotation(n).map(|t| (n, t)));
        let (pos, what) = match empty {
            Some((n, t)) => (t.pos, format!("has an empty `{n}` annotation")),
            None => (
                r.node.key("annotations").map_or(name_pos(r), |k| k.pos),
                format!("has no `{}` annotation", p.annotation),
            ),
        };
        let (who, why, level) = match &pages {
            Some(sev) => (
                "whoever is paged needs",
                format!(" ({})", paging.why(&p.label, sev)),
                crate::finding::Level::Error,
            ),
            None => (
                "whoever handles it needs",
                String::new(),
                crate::finding::Level::Warning,
            ),
        };
        let finding = Finding::new(
            &rule.id,
            &f.path,
            pos,
            format!(
                "alert `{}` {what}: {who} a link to what to do; add `{}: <link to the runbook>` under `annotations:`{why}",
                r.name(),
                p.annotation
            ),
        )
        .with_level(level);
        // An alert that pages someone runs in production, wherever it is.
        out.push(if pages.is_some() {
            finding.in_production()
        } else {
            finding
        });
    }
    if let (true, Some(at)) = (unpaged > 0, &paging.no_pager_in) {
        out.push(
            Finding::new(
                &rule.id,
                at,
                Pos::default(),
                format!(
                    "{unpaged} alert{} without a `{}` annotation {} not reported one by one: none of them pages anyone, because the repository's Alertmanager configuration (here) has no receiver that can page (PagerDuty, Opsgenie, VictorOps, Pushover, SNS, webhook); a runbook link still helps whoever reads the notification. Set `page-severities` if alerts page another way",
                    if unpaged == 1 { "" } else { "s" },
                    p.annotation,
                    if unpaged == 1 { "is" } else { "are" },
                ),
            )
            .with_level(crate::finding::Level::Notice),
        );
    }
    if !skipped.is_empty() {
        let (total, by) = crate::finding::tally(skipped.iter().map(|(e, n)| (*e, *n)));
        out.push(
            Finding::new(
                &rule.id,
                "",
                Pos::default(),
                format!(
                    "{total} non-paging alert{} of non-production environments ({}) {} no `{}` annotation: not reported, a runbook is for production response; set `non-production-environments: true` to report them",
                    if total == 1 { "" } else { "s" },
                    by,
                    if total == 1 { "has" } else { "have" },
                    p.annotation
                ),
            )
            .with_level(crate::finding::Level::Notice),
        );
    }
    out
}

// ---------------------------------------------------------------------------
// alerts/runbook-resolves

/// Parameters of `alerts.runbook-resolves`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RunbookResolves {
    /// Annotations holding runbook links (default `[runbook_url, runbook]`).
    #[serde(default = "default_runbook_annotations")]
    pub annotations: Vec<String>,
    /// URL prefix → repository folder (`""` = root), for links to this
    /// repository's hosted files, e.g.
    /// `"https://github.com/acme/shop/blob/main/": ""`.
    #[serde(default)]
    pub base_urls: BTreeMap<String, String>,
}

/// Runs `alerts.runbook-resolves`.
pub fn runbook_resolves(ctx: &Context, rule: &Rule, p: &RunbookResolves) -> Vec<Finding> {
    let mut out = Vec::new();
    for (f, _, r) in alerts(ctx) {
        for name in &p.annotations {
            let Some(t) = r.annotation(name) else {
                continue;
            };
            let link = t.value.trim();
            if link.is_empty() {
                continue;
            }
            if let Some(problem) = check_link(ctx, &f.path, link, &p.base_urls) {
                out.push(Finding::new(
                    &rule.id,
                    &f.path,
                    t.pos,
                    format!("alert `{}`: {name} `{link}` {problem}", r.name()),
                ));
            }
        }
    }
    out
}

/// Whether a runbook value is a placeholder rather than a link: no `/`,
/// `.` or `#`, and a placeholder word (`TODO`, `TBD`, `TBA`, `FIXME`,
/// `XXX`, `none`) or a phrase with spaces (`Need to add one`).
fn is_placeholder_text(link: &str) -> bool {
    const WORDS: &[&str] = &["todo", "tbd", "tba", "fixme", "xxx", "none", "placeholder"];
    !link.contains(['/', '.', '#'])
        && (link.contains(' ')
            || link
                .split(|c: char| !c.is_alphanumeric())
                .any(|w| WORDS.contains(&w.to_lowercase().as_str())))
}

/// `None` when the link resolves (or is not checkable), else what is wrong.
fn check_link(
    ctx: &Context,
    rule_path: &str,
    link: &str,
    base_urls: &BTreeMap<String, String>,
) -> Option<String> {
    match resolve_link(rule_path, &ctx.own_link(link), base_urls) {
        Link::External => None,
        Link::Escapes => Some("climbs above the repository root: link to a runbook inside the repository".to_string()),
        Link::FileUrl => Some("is a `file:` URL, a path on one machine that does not resolve in the repository: link to a runbook inside the repository (a relative path, or a URL under `base-urls`)".to_string()),
        Link::RepoFolder(dir) => (!folder_exists(ctx, &dir)).then(|| {
            format!("is templated and its fixed part names folder `{dir}/`, which has no files in the repository")
        }),
        Link::Repo { path, anchor } => {
            let Some(target) = target_file(ctx, &path) else {
                if is_placeholder_text(link) {
                    return Some(
                        "is a placeholder, not a link: whoever handles the alert has no runbook; write one and link it"
                            .to_string(),
                    );
                }
                return Some(format!(
                    "does not resolve: no file `{path}` in the repository (relative links are resolved from the rule file's folder, `/…` from the repository root); fix the link or add the runbook"
                ));
            };
            let anchor = anchor?;
            if !is_markdown(&target) {
                return None;
            }
            let text = ctx.inventory.text(&target)?;
            let rb = Runbook::parse(&target, text);
            let want = anchor.to_lowercase();
            let found = rb.headings.iter().any(|h| h.anchor == want)
                || text.contains(&format!("id=\"{anchor}\""))
                || text.contains(&format!("name=\"{anchor}\""));
            if found {
                return None;
            }
            let known: Vec<String> = rb.headings.iter().take(10).map(|h| format!("#{}", h.anchor)).collect();
            Some(format!(
                "points at heading `#{anchor}`, which `{target}` does not have ({}); fix the anchor or add the heading",
                if known.is_empty() {
                    "it has no headings".to_string()
                } else {
                    format!("its anchors: {}", known.join(", "))
                }
            ))
        }
    }
}

// ---------------------------------------------------------------------------
// alerts/for

/// Parameters of `alerts.for`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ForDuration {
    /// Minimum `for:` of a paging alert (default `2m`: at least two
    /// evaluations at Prometheus' default 1m interval, so one bad scrape or
    /// a restart does not page).
    #[serde(default = "default_min_for")]
    pub min: DurationParam,
    /// The severity label (default `severity`).
    #[serde(default = "default_severity_label")]
    pub label: String,
    /// Severity values that page (case-insensitive). Unset (the default):
    /// inferred from the repository's severity scheme (see
    /// [`super::severity::Paging`]).
    #[serde(default)]
    pub page_severities: Option<Vec<String>>,
    /// Skip multi-window burn-rate alerts (an `and` of two different rate
    /// windows): their short window already filters blips (Google SRE
    /// Workbook ch. 5), and generators such as Sloth set no `for:`.
    #[serde(default = "default_true")]
    pub exempt_multi_window: bool,
}

fn default_min_for() -> DurationParam {
    DurationParam { seconds: 120.0 }
}

fn default_true() -> bool {
    true
}

/// Facts about a PromQL expression gathered from its AST.
#[derive(Default)]
struct ExprFacts {
    /// Metric names (selector names and `__name__="…"` matchers).
    metrics: Vec<String>,
    /// Distinct windows: range selector durations (seconds) and
    /// `…rate5m`-style suffixes of recording-rule names.
    windows: Vec<String>,
    /// Whether an `and` operator appears.
    has_and: bool,
}

impl promql_parser::util::ExprVisitor for ExprFacts {
    type Error = std::convert::Infallible;

    fn pre_visit(&mut self, e: &promql_parser::parser::Expr) -> Result<bool, Self::Error> {
        use promql_parser::parser::Expr;
        let vs = match e {
            Expr::VectorSelector(vs) => Some(vs),
            Expr::MatrixSelector(ms) => {
                let w = format!("{}s", ms.range.as_secs());
                if !self.windows.contains(&w) {
                    self.windows.push(w);
                }
                Some(&ms.vs)
            }
            Expr::Binary(b) => {
                if b.op.to_string() == "and" {
                    self.has_and = true;
                }
                None
            }
            _ => None,
        };
        if let Some(vs) = vs {
            let name = vs.name.clone().or_else(|| {
                vs.matchers
                    .matchers
                    .iter()
                    .find(|m| m.name == "__name__" && m.op.to_string() == "=")
                    .map(|m| m.value.clone())
            });
            if let Some(n) = name {
                static WIN: LazyLock<Option<Regex>> = LazyLock::new(|| {
                    Regex::new(r"(?:rate|ratio|burnrate|window)_?([0-9]+[smhdwy])$").ok()
                });
                if let Some(c) = WIN
                    .as_ref()
                    .and_then(|re| re.captures(&n))
                    .and_then(|c| c.get(1))
                    && let Some(secs) = crate::formats::parse_duration(c.as_str())
                {
                    let w = format!("{secs}s");
                    if !self.windows.contains(&w) {
                        self.windows.push(w);
                    }
                }
                if !self.metrics.contains(&n) {
                    self.metrics.push(n);
                }
            }
        }
        Ok(true)
    }
}

/// Whether `expr` is a fast-burn (page) multi-window burn-rate condition:
/// an `and` of conditions over at least two windows, the longest at most
/// 6 h (Google SRE Workbook ch. 5; see [`super::burn_rate`]).
pub(crate) fn fast_burn(expr: &str) -> bool {
    let Some(f) = expr_facts(expr) else {
        return false;
    };
    let secs: Vec<f64> = f
        .windows
        .iter()
        .filter_map(|w| crate::formats::parse_duration(w))
        .collect();
    f.has_and && secs.len() >= 2 && secs.iter().all(|s| *s <= 6.0 * 3600.0)
}

fn expr_facts(expr: &str) -> Option<ExprFacts> {
    let ast = crate::formats::promql::parse(expr).ok()?;
    let mut facts = ExprFacts::default();
    let _ = promql_parser::util::walk_expr(&mut facts, &ast);
    Some(facts)
}

/// Runs `alerts.for`.
pub fn for_duration(ctx: &Context, rule: &Rule, p: &ForDuration) -> Vec<Finding> {
    let mut out = Vec::new();
    let min_text = format_secs(p.min.seconds);
    let paging = super::severity::Paging::resolve(ctx, &p.label, p.page_severities.as_deref());
    if let Some(at) = &paging.no_pager_in {
        out.push(
            Finding::new(
                &rule.id,
                at,
                Pos::default(),
                "no alert is judged as paging: the repository's Alertmanager configuration (this file and any others) has no receiver that can page (PagerDuty, Opsgenie, VictorOps, Pushover, SNS, webhook); set `page-severities` if alerts page another way",
            )
            .with_level(crate::finding::Level::Notice),
        );
    }
    for (f, g, r) in alerts(ctx) {
        let Some(sev) = paging.pages(ctx, g, r, &p.label) else {
            continue;
        };
        let why = paging.why(&p.label, &sev);
        if p.exempt_multi_window
            && let Some(facts) = r.expr.as_ref().and_then(|e| expr_facts(&e.value))
            && facts.has_and
            && facts.windows.len() >= 2
        {
            continue;
        }
        match &r.r#for {
            None => out.push(Finding::new(
                &rule.id,
                &f.path,
                name_pos(r),
                format!(
                    "paging alert `{}` has no `for:`: it pages on a single evaluation (one bad scrape, a restart); add `for: {min_text}` or more ({why})",
                    r.name()
                ),
            )),
            Some(t) => {
                let Some(secs) = crate::formats::parse_duration(&t.value) else { continue };
                if secs < p.min.seconds {
                    out.push(Finding::new(
                        &rule.id,
                        &f.path,
                        t.pos,
                        format!(
                            "paging alert `{}` has `for: {}`: shorter than {min_text}, it pages on blips; set `for: {min_text}` or more ({why})",
                            r.name(),
                            t.value
                        ),
                    ));
                }
            }
        }
    }
    out
}

/// Seconds as a Prometheus duration (`120` → `2m`).
fn format_secs(secs: f64) -> String {
    let s = secs.round() as u64;
    if s == 0 {
        "0s".to_string()
    } else if s.is_multiple_of(3600) {
        format!("{}h", s / 3600)
    } else if s.is_multiple_of(60) {
        format!("{}m", s / 60)
    } else {
        format!("{s}s")
    }
}

// ---------------------------------------------------------------------------
// alerts/cause-based-page

/// Parameters of `alerts.cause-based-page`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct CauseBasedPage {
    /// The severity label (default `severity`).
    #[serde(default = "default_severity_label")]
    pub label: String,
    /// Severity values that page (case-insensitive). Unset (the default):
    /// inferred from the repository's severity scheme (see
    /// [`super::severity::Paging`]).
    #[serde(default)]
    pub page_severities: Option<Vec<String>>,
    /// Regexes over metric names that measure resources (causes) rather
    /// than what users see. Default: `cpu`, `memory`, `mem`, `disk`,
    /// `filesystem`, `fs`, `swap`, `load1/5/15` as a `_`/`:`-separated word
    /// (node_cpu_seconds_total, container_memory_working_set_bytes,
    /// node_filesystem_avail_bytes, node_load1, process_cpu_seconds_total).
    #[serde(default = "default_cause_patterns")]
    pub cause_metrics: Vec<RegexParam>,
    /// Regexes over metric names that are never causes even when they
    /// match `cause-metrics`: errors and failures (default `error`, `fail`:
    /// `node_filesystem_device_error` is a fault, not usage).
    #[serde(default = "default_not_cause_patterns")]
    pub not_cause_metrics: Vec<RegexParam>,
}

fn default_not_cause_patterns() -> Vec<RegexParam> {
    RegexParam::list(&[r"(?i)(error|fail)"])
}

/// A regular expression given as a rule parameter, compiled (and so
/// validated) when the rule is loaded.
#[derive(Clone, Debug)]
pub struct RegexParam(pub Regex);

impl RegexParam {
    fn list(src: &[&str]) -> Vec<RegexParam> {
        src.iter()
            .filter_map(|s| Regex::new(s).ok().map(RegexParam))
            .collect()
    }
}

impl<'de> Deserialize<'de> for RegexParam {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Regex::new(&s)
            .map(RegexParam)
            .map_err(|e| serde::de::Error::custom(format!("invalid regex `{s}`: {e}")))
    }
}

fn default_cause_patterns() -> Vec<RegexParam> {
    RegexParam::list(&[
        r"(?i)(^|[_:])(cpu|memory|mem|disk|filesystem|fs|swap|load1|load5|load15)([_:]|$)",
    ])
}

/// Runs `alerts.cause-based-page`: a paging alert whose expression reads
/// only resource metrics.
pub fn cause_based_page(ctx: &Context, rule: &Rule, p: &CauseBasedPage) -> Vec<Finding> {
    let is_cause = |m: &str| {
        p.cause_metrics.iter().any(|re| re.0.is_match(m))
            && !p.not_cause_metrics.iter().any(|re| re.0.is_match(m))
    };
    let mut out = Vec::new();
    let paging = super::severity::Paging::resolve(ctx, &p.label, p.page_severities.as_deref());
    for (f, g, r) in alerts(ctx) {
        let Some(sev) = paging.pages(ctx, g, r, &p.label) else {
            continue;
        };
        let Some(expr) = &r.expr else { continue };
        let Some(facts) = expr_facts(&expr.value) else {
            continue;
        };
        if facts.metrics.is_empty() || !facts.metrics.iter().all(|m| is_cause(m)) {
            continue;
        }
        out.push(Finding::new(
            &rule.id,
            &f.path,
            expr.pos,
            format!(
                "paging alert `{}` fires on resource usage ({}), a cause rather than a symptom: page on what users see (errors, latency, SLO burn rate) and send this one to a ticket ({})",
                r.name(),
                facts.metrics.join(", "),
                paging.why(&p.label, &sev)
            ),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{findings, fixtures, repo};

    fn lines(fs: &[Finding]) -> Vec<(String, u32)> {
        fs.iter().map(|f| (f.path.clone(), f.line)).collect()
    }

    #[test]
    fn durations_follow_prometheus() {
        for ok in ["0", "5m", "1h30m", "1y2w3d4h5m6s7ms", "90s"] {
            assert!(is_prometheus_duration(ok), "{ok}");
        }
        for bad in ["", "5", "30m1h", "1.5h", "-5m", "5 m", "5M"] {
            assert!(!is_prometheus_duration(bad), "{bad}");
        }
    }

    #[test]
    fn links_resolve_relative_absolute_and_base_urls() {
        let mut base = BTreeMap::new();
        base.insert(
            "https://github.com/acme/shop/blob/main/".to_string(),
            String::new(),
        );
        base.insert(
            "https://docs.acme.dev/rb/".to_string(),
            "docs/runbooks".to_string(),
        );
        let repo_link = |p: &str, a: Option<&str>| Link::Repo {
            path: p.to_string(),
            anchor: a.map(str::to_string),
        };
        assert_eq!(
            resolve_link("deploy/alerts.yaml", "../runbooks/x.md#impact", &base),
            repo_link("runbooks/x.md", Some("impact"))
        );
        assert_eq!(
            resolve_link("deploy/alerts.yaml", "/runbooks/x.md", &base),
            repo_link("runbooks/x.md", None)
        );
        assert_eq!(
            resolve_link(
                "a.yaml",
                "https://github.com/acme/shop/blob/main/rb/My%20Alert.md",
                &base
            ),
            repo_link("rb/My Alert.md", None)
        );
        assert_eq!(
            resolve_link("a.yaml", "https://docs.acme.dev/rb/x.md?plain=1", &base),
            repo_link("docs/runbooks/x.md", None)
        );
        assert_eq!(
            resolve_link(
                "a.yaml",
                "https://runbooks.prometheus-operator.dev/x",
                &base
            ),
            Link::External
        );
        assert_eq!(
            resolve_link("deploy/a.yaml", "../../x.md", &base),
            Link::Escapes
        );
        // Encoded or backslashed `..` climbs too; nothing is read to decide.
        for link in [
            "%2e%2e/%2E%2E/etc/passwd",
            "..%2f..%2fetc/passwd",
            "..\\..\\etc\\passwd",
        ] {
            assert_eq!(
                resolve_link("deploy/a.yaml", link, &base),
                Link::Escapes,
                "{link}"
            );
        }
        // `file:` URLs name a path on one machine, never the repository.
        for link in [
            "file:///etc/passwd",
            "FILE:/etc/passwd",
            "file://host/x.md#a",
        ] {
            assert_eq!(resolve_link("a.yaml", link, &base), Link::FileUrl, "{link}");
        }
        // A scheme-relative URL is external, not a root-relative path.
        assert_eq!(
            resolve_link("a.yaml", "//runbooks.example.com/x.md", &base),
            Link::External
        );
        // An absolute path is relative to the repository root.
        assert_eq!(
            resolve_link("deploy/a.yaml", "/etc/passwd", &base),
            repo_link("etc/passwd", None)
        );
        assert_eq!(
            resolve_link(
                "deploy/a.yaml",
                "runbooks/{{ $labels.alertname }}.md",
                &base
            ),
            Link::RepoFolder("deploy/runbooks".to_string())
        );
        assert_eq!(
            resolve_link("a.yaml", "{{ $labels.runbook }}", &base),
            Link::External
        );
        base.insert("https://wiki.acme.dev/ops".to_string(), "ops".to_string());
        assert_eq!(
            resolve_link("a.yaml", "https://wiki.acme.dev/ops/x.md", &base),
            repo_link("ops/x.md", None)
        );
        assert_eq!(
            resolve_link("a.yaml", "https://wiki.acme.dev/opsx/y.md", &base),
            Link::External
        );
    }

    const PROM_TESTDATA: &str = "alerts/prometheus-rulefmt/model/rulefmt/testdata";

    fn fixture_text(name: &str) -> String {
        std::fs::read_to_string(fixtures().join(PROM_TESTDATA).join(name)).expect("fixture")
    }

    fn fixture_repo(names: &[&str]) -> tempfile::TempDir {
        let texts: Vec<(String, String)> = names
            .iter()
            .map(|n| (n.to_string(), fixture_text(n)))
            .collect();
        let files: Vec<(&str, &str)> = texts
            .iter()
            .map(|(n, t)| (n.as_str(), t.as_str()))
            .collect();
        repo(&files)
    }

    #[test]
    fn prometheus_bad_fixtures_each_fail_at_the_right_line() {
        // (file, line of its one alerts/parse finding, text in the message)
        let cases = [
            (
                "bad_expr.bad.yaml",
                5,
                "not valid PromQL: expected type matrix in call to function 'rate'",
            ),
            (
                "bad_field.bad.yaml",
                8,
                "unknown field `annotation` in a rule (did you mean `annotations`?)",
            ),
            ("duplicate_grp.bad.yaml", 3, "group name `yolo` is repeated"),
            ("invalid_label_name.bad.yaml", 7, "`__name__` is reserved"),
            ("invalid_record_name.bad.yaml", 4, "braces"),
            ("no_rec_alert.bad.yaml", 4, "neither `alert:` nor `record:`"),
            ("noexpr.bad.yaml", 4, "no `expr:`"),
            (
                "record_and_alert.bad.yaml",
                4,
                "both `record: Hi` and `alert: Hello`",
            ),
            ("record_and_for.bad.yaml", 6, "`for` is not allowed"),
            (
                "record_and_keep_firing_for.bad.yaml",
                6,
                "`keep_firing_for` is not allowed",
            ),
        ];
        // The files are independent for alerts/parse: check them in one run.
        let names: Vec<&str> = cases.iter().map(|c| c.0).collect();
        let dir = fixture_repo(&names);
        let fs = findings(dir.path(), "alerts/parse");
        assert_eq!(fs.len(), cases.len(), "{fs:#?}");
        for (name, line, msg) in cases {
            let f: Vec<_> = fs.iter().filter(|f| f.path == name).collect();
            assert_eq!(f.len(), 1, "{name}: {f:#?}");
            assert_eq!(f[0].line, line, "{name}");
            assert!(f[0].message.contains(msg), "{name}: {}", f[0].message);
        }
    }

    #[test]
    fn prometheus_good_fixtures_pass() {
        let names = [
            "test.yaml",
            "test_aliases.yaml",
            "utf-8_annotation.good.yaml",
            "utf-8_lname.good.yaml",
            "legacy_validation_annotation.good.yaml",
            // Identical to utf-8_annotation.good.yaml: bad only under legacy
            // name validation (see the next test), good in Prometheus 3.
            "legacy_validation_annotation.bad.yaml",
        ];
        let dir = fixture_repo(&names);
        let all = findings(dir.path(), "");
        let parse: Vec<_> = all
            .iter()
            .filter(|f| f.rule == "alerts/parse" || f.rule == "prr/parse-error")
            .collect();
        assert!(parse.is_empty(), "{parse:#?}");
        // The merge key `<<: *highalert` was applied: HighAlert2 inherited its severity.
        assert!(
            !all.iter()
                .any(|f| f.rule == "alerts/severity-label" && f.path == "test_aliases.yaml"),
            "{all:#?}"
        );
    }

    #[test]
    fn legacy_name_validation_rejects_utf8_names() {
        let text = fixture_text("legacy_validation_annotation.bad.yaml");
        let cfg = "rules:\n  alerts/parse:\n    with: {name-validation: legacy}\n";
        let dir = repo(&[
            ("legacy_validation_annotation.bad.yaml", &text),
            ("prr.yaml", cfg),
        ]);
        let fs = findings(dir.path(), "alerts/parse");
        assert_eq!(
            lines(&fs),
            vec![("legacy_validation_annotation.bad.yaml".to_string(), 7)]
        );
        assert!(
            fs[0]
                .message
                .contains("invalid annotation name `ins-tance`"),
            "{}",
            fs[0].message
        );
        let good = fixture_text("legacy_validation_annotation.good.yaml");
        let dir = repo(&[("a.yaml", &good), ("prr.yaml", cfg)]);
        assert!(findings(dir.path(), "alerts/parse").is_empty());
    }

    #[test]
    fn parse_structure_errors_inline() {
        let rules = "groups:\n- name: g\n  interval: 1m30\n  limit: ten\n  rules:\n  - alert: A\n    expr: up ==\n    for: 5mins\n    labels: [severity]\n  - alert: B\n    expr: up == 0\n    annotations:\n      summary: [a, b]\n- just-a-string\n";
        let dir = repo(&[
            ("alerts.yaml", rules),
            ("x.yaml", "groups: {a: 1}\nextra: 1\n"),
        ]);
        let got: Vec<(String, u32)> = lines(&findings(dir.path(), "alerts/parse"));
        let want: Vec<(String, u32)> = [
            ("alerts.yaml", 3),
            ("alerts.yaml", 4),
            ("alerts.yaml", 7),
            ("alerts.yaml", 8),
            ("alerts.yaml", 9),
            ("alerts.yaml", 13),
            ("alerts.yaml", 14),
            ("x.yaml", 1),
            ("x.yaml", 2),
        ]
        .iter()
        .map(|(p, l)| (p.to_string(), *l))
        .collect();
        assert_eq!(got, want);
    }

    #[test]
    fn prometheus_rule_object_is_validated_too() {
        let obj = "apiVersion: monitoring.coreos.com/v1\nkind: PrometheusRule\nmetadata: {name: x}\nspec:\n  groups:\n  - name: g\n    partial_response_strategy: warn\n    rules:\n    - alert: A\n      expr: sum(rate(x[5m])\n";
        let dir = repo(&[("k8s/rules.yaml", obj)]);
        let fs = findings(dir.path(), "alerts/parse");
        assert_eq!(lines(&fs), vec![("k8s/rules.yaml".to_string(), 10)]);
    }

    const AWESOME: &str = "alerts/awesome-prometheus-alerts";

    /// Counts `alert:` rules the plain way: YAML parse of every fixture file.
    fn count_awesome_alerts() -> usize {
        let mut n = 0;
        let mut stack = vec![fixtures().join(AWESOME)];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(d).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    stack.push(p);
                } else if p.extension().is_some_and(|x| x == "yml" || x == "yaml") {
                    let docs = crate::yaml::parse_documents(&std::fs::read_to_string(&p).unwrap())
                        .unwrap();
                    for d in &docs {
                        for g in d.get("groups").map(|g| g.items()).unwrap_or_default() {
                            n += g
                                .get("rules")
                                .map(|r| {
                                    r.items()
                                        .iter()
                                        .filter(|r| r.get("alert").is_some())
                                        .count()
                                })
                                .unwrap_or(0);
                        }
                    }
                }
            }
        }
        n
    }

    #[test]
    fn awesome_prometheus_alerts_parse_and_lack_runbooks() {
        let total = count_awesome_alerts();
        assert_eq!(total, 144, "alerts in the copied fixture files");
        let all = findings(&fixtures().join(AWESOME), "");
        let count = |id: &str| all.iter().filter(|f| f.rule == id).count();
        assert_eq!(count("alerts/parse"), 0);
        assert_eq!(count("prr/parse-error"), 0);
        assert_eq!(count("alerts/runbook-annotation"), total);
        // Every alert has a severity among critical/warning/info.
        assert_eq!(count("alerts/severity-label"), 0);
    }

    #[test]
    fn duplicates_in_prometheus_test_file() {
        let dir = fixture_repo(&["test.yaml"]);
        let fs = findings(dir.path(), "alerts/duplicate");
        assert_eq!(
            lines(&fs),
            vec![
                ("test.yaml".to_string(), 26),
                ("test.yaml".to_string(), 40),
                ("test.yaml".to_string(), 55)
            ]
        );
        assert!(
            fs[0].message.contains("already defined at test.yaml:5"),
            "{}",
            fs[0].message
        );
        assert!(fs[0].message.contains("exact copy"), "{}", fs[0].message);
        // Same name, different labels: not a duplicate (Prometheus' own rules do this).
        let ok = "groups:\n- name: g\n  rules:\n  - alert: A\n    expr: up == 0\n    labels: {severity: page}\n  - alert: A\n    expr: up == 0\n    labels: {severity: ticket}\n  - record: r\n    expr: sum(up)\n";
        let dir = repo(&[("a.yaml", ok)]);
        assert!(findings(dir.path(), "alerts/duplicate").is_empty());
    }

    #[test]
    fn duplicate_recording_rule_across_files() {
        let a =
            "groups:\n- name: g\n  rules:\n  - record: job:up:sum\n    expr: sum by (job) (up)\n";
        let b = "groups:\n- name: h\n  rules:\n  - alert: X\n    expr: up == 0\n  - record: job:up:sum\n    expr: sum by (job) (up)\n";
        let dir = repo(&[("a.yaml", a), ("b.yaml", b)]);
        let fs = findings(dir.path(), "alerts/duplicate");
        assert_eq!(lines(&fs), vec![("b.yaml".to_string(), 6)]);
        assert!(fs[0].message.contains("a.yaml:4"), "{}", fs[0].message);
    }

    const SEV: &str = "groups:\n- name: g\n  rules:\n  - alert: NoSev\n    expr: up == 0\n  - alert: BadSev\n    expr: up == 0\n    labels:\n      severity: Critical\n  - alert: Good\n    expr: up == 0\n    labels: {severity: warning}\n- name: h\n  labels: {severity: page}\n  rules:\n  - alert: FromGroup\n    expr: up == 0\n";

    #[test]
    fn severity_label_missing_and_unknown() {
        // A configured list is enforced exactly, with a case hint.
        let cfg =
            "rules:\n  alerts/severity-label:\n    with: {allowed: [critical, warning, page]}\n";
        let dir = repo(&[("a.yaml", SEV), ("prr.yaml", cfg)]);
        let fs = findings(dir.path(), "alerts/severity-label");
        assert_eq!(
            lines(&fs),
            vec![("a.yaml".to_string(), 4), ("a.yaml".to_string(), 9)]
        );
        assert!(
            fs[1].message.contains("did you mean `critical`"),
            "{}",
            fs[1].message
        );
        let cfg = "rules:\n  alerts/severity-label:\n    with: {allowed: []}\n";
        let dir = repo(&[("a.yaml", SEV), ("prr.yaml", cfg)]);
        assert_eq!(
            lines(&findings(dir.path(), "alerts/severity-label")),
            vec![("a.yaml".to_string(), 4)]
        );
        // Without a list, the repository's own values are the vocabulary:
        // `Critical` is the only spelling here, so it is not a slip; the
        // missing label still is (3 of 4 alerts carry one).
        let dir = repo(&[("a.yaml", SEV)]);
        let fs = findings(dir.path(), "alerts/severity-label");
        assert_eq!(
            lines(&fs),
            vec![("".to_string(), 0), ("a.yaml".to_string(), 4)]
        );
        assert_eq!(fs[0].level, crate::finding::Level::Notice);
        assert!(fs[0].message.contains("Critical 1"), "{}", fs[0].message);
    }

    #[test]
    fn repository_severity_vocabulary_is_accepted() {
        let alert = |name: &str, sev: &str| {
            format!("  - alert: {name}\n    expr: up == 0\n    labels: {{severity: {sev}}}\n")
        };
        // One scheme used everywhere (`high`/`medium`), a dead man's switch
        // with `none`: no errors, one notice naming the vocabulary.
        let mut rules = String::from("groups:\n- name: g\n  rules:\n");
        for i in 0..6 {
            rules += &alert(&format!("H{i}"), "high");
            rules += &alert(&format!("M{i}"), "medium");
        }
        rules += &alert("Watchdog", "none");
        let dir = repo(&[("a.yaml", &rules)]);
        let fs = findings(dir.path(), "alerts/severity-label");
        assert_eq!(fs.len(), 1, "{fs:#?}");
        assert_eq!(fs[0].level, crate::finding::Level::Notice);
        assert!(
            fs[0].message.contains("high 6, medium 6, none 1"),
            "{}",
            fs[0].message
        );
        // A slip of a common value is still an error, at its line.
        rules += &alert("Typo", "hihg");
        rules += &alert("Case", "High");
        let dir = repo(&[("a.yaml", &rules)]);
        let fs: Vec<_> = findings(dir.path(), "alerts/severity-label")
            .into_iter()
            .filter(|f| f.level == crate::finding::Level::Error)
            .collect();
        assert_eq!(
            lines(&fs),
            vec![("a.yaml".to_string(), 45), ("a.yaml".to_string(), 48)]
        );
        assert!(
            fs[0].message.contains("slip of `high`"),
            "{}",
            fs[0].message
        );
        // A repository that does not route on severity: a missing label is
        // not reported.
        let few = "groups:\n- name: g\n  rules:\n  - alert: A\n    expr: up == 0\n    labels: {team: a}\n  - alert: B\n    expr: up == 0\n    labels: {team: b}\n  - alert: C\n    expr: up == 0\n    labels: {severity: warning}\n";
        // A non-production environment's alert without the label: counted.
        let mut dev = String::from("groups:\n- name: g\n  rules:\n");
        for i in 0..3 {
            dev += &alert(&format!("A{i}"), "team-a");
        }
        dev += "  - alert: NoSev\n    expr: up == 0\n";
        let dir = repo(&[
            ("ns/shop-dev/rules.yaml", &dev),
            ("ns/shop-prod/rules.yaml", &dev),
        ]);
        let fs = findings(dir.path(), "alerts/severity-label");
        let errors: Vec<_> = fs
            .iter()
            .filter(|f| f.level == crate::finding::Level::Error)
            .map(|f| f.path.as_str())
            .collect();
        assert_eq!(errors, vec!["ns/shop-prod/rules.yaml"], "{fs:#?}");
        assert!(
            fs.iter()
                .any(|f| f.message.contains("non-production environments (dev 1)"))
        );
        let dir = repo(&[("a.yaml", few)]);
        let errors = findings(dir.path(), "alerts/severity-label")
            .into_iter()
            .filter(|f| f.level == crate::finding::Level::Error)
            .count();
        assert_eq!(errors, 0);
    }

    #[test]
    fn runbook_annotation_required() {
        let rules = "groups:\n- name: g\n  rules:\n  - alert: A\n    expr: up == 0\n    annotations:\n      runbook_url: https://runbooks.acme.dev/a\n  - alert: B\n    expr: up == 0\n    annotations:\n      runbook: runbooks/b.md\n  - alert: C\n    expr: up == 0\n    annotations:\n      runbook_url: \"\"\n  - alert: D\n    expr: up == 0\n  - record: r\n    expr: sum(up)\n";
        let dir = repo(&[("a.yaml", rules)]);
        let fs = findings(dir.path(), "alerts/runbook-annotation");
        assert_eq!(
            lines(&fs),
            vec![("a.yaml".to_string(), 15), ("a.yaml".to_string(), 16)]
        );
        assert!(
            fs[0].message.contains("empty `runbook_url`"),
            "{}",
            fs[0].message
        );
    }

    #[test]
    fn non_paging_alerts_of_non_production_environments_are_counted() {
        let obj = |ns: &str| {
            format!(
                "apiVersion: monitoring.coreos.com/v1\nkind: PrometheusRule\nmetadata: {{name: r, namespace: {ns}}}\nspec:\n  groups:\n  - name: g\n    rules:\n    - alert: Quota\n      expr: up == 0\n      labels: {{severity: shop-channel}}\n"
            )
        };
        let (dev, prod) = (obj("shop-dev"), obj("shop-prod"));
        let dir = repo(&[
            ("ns/shop-dev/rules.yaml", &dev),
            ("ns/shop-prod/rules.yaml", &prod),
        ]);
        let fs = findings(dir.path(), "alerts/runbook-annotation");
        let shown: Vec<(String, u32, crate::finding::Level)> = fs
            .iter()
            .map(|f| (f.path.clone(), f.line, f.level))
            .collect();
        assert_eq!(
            shown,
            vec![
                ("".to_string(), 0, crate::finding::Level::Notice),
                (
                    "ns/shop-prod/rules.yaml".to_string(),
                    8,
                    crate::finding::Level::Warning
                ),
            ],
            "{fs:#?}"
        );
        assert!(fs[0].message.contains("(dev 1)"), "{}", fs[0].message);
        let cfg =
            "rules:\n  alerts/runbook-annotation:\n    with: {non-production-environments: true}\n";
        let dir = repo(&[
            ("ns/shop-dev/rules.yaml", &dev),
            ("ns/shop-prod/rules.yaml", &prod),
            ("prr.yaml", cfg),
        ]);
        assert_eq!(findings(dir.path(), "alerts/runbook-annotation").len(), 2);
    }

    #[test]
    fn alerts_that_page_nobody_are_counted_in_one_notice() {
        let rules = "groups:\n- name: g\n  rules:\n  - alert: Down\n    expr: up == 0\n    labels: {severity: critical}\n  - alert: Slow\n    expr: up == 0\n    labels: {severity: warning}\n";
        // Must not report one by one: the repository's Alertmanager has no
        // receiver that can page.
        let chat = "route: {receiver: chat}\nreceivers:\n- name: chat\n  slack_configs: [{channel: '#alerts'}]\n";
        let dir = repo(&[("rules.yaml", rules), ("alertmanager.yml", chat)]);
        let fs = findings(dir.path(), "alerts/runbook-annotation");
        assert_eq!(fs.len(), 1, "{fs:#?}");
        assert_eq!(fs[0].level, crate::finding::Level::Notice);
        assert_eq!(fs[0].path, "alertmanager.yml");
        assert!(
            fs[0].message.starts_with("2 alerts without"),
            "{}",
            fs[0].message
        );
        // Must fire: a PagerDuty route for critical makes `Down` page, and
        // `Slow` (routed to chat) is a warning of its own.
        let paged = "route:\n  receiver: chat\n  routes: [{matchers: [severity=critical], receiver: pager}]\nreceivers:\n- name: chat\n  slack_configs: [{channel: '#alerts'}]\n- name: pager\n  pagerduty_configs: [{routing_key_file: /k}]\n";
        let dir = repo(&[("rules.yaml", rules), ("alertmanager.yml", paged)]);
        let fs = findings(dir.path(), "alerts/runbook-annotation");
        let levels: Vec<_> = fs.iter().map(|f| (f.line, f.level)).collect();
        assert_eq!(
            levels,
            vec![
                (4, crate::finding::Level::Error),
                (7, crate::finding::Level::Warning)
            ],
            "{fs:#?}"
        );
    }

    #[test]
    fn runbook_links_resolve() {
        let rules = "groups:\n- name: g\n  rules:\n  - alert: Ok\n    expr: up == 0\n    annotations:\n      runbook_url: ../runbooks/high-errors.md#diagnosis\n  - alert: Missing\n    expr: up == 0\n    annotations:\n      runbook_url: ../runbooks/nope.md\n  - alert: BadAnchor\n    expr: up == 0\n    annotations:\n      runbook_url: /runbooks/high-errors.md#escalation\n  - alert: ViaBase\n    expr: up == 0\n    annotations:\n      runbook_url: https://github.com/acme/shop/blob/main/runbooks/high-errors.md#what-it-means\n  - alert: Escapes\n    expr: up == 0\n    annotations:\n      runbook_url: ../../../etc/passwd\n  - alert: External\n    expr: up == 0\n    annotations:\n      runbook_url: https://runbooks.prometheus-operator.dev/runbooks/x\n  - alert: Templated\n    expr: up == 0\n    annotations:\n      runbook_url: /missing/{{ $labels.alertname }}.md\n";
        let md = "# High errors\n\n## What it means\n\n## Diagnosis\n";
        let cfg = "rules:\n  alerts/runbook-resolves:\n    with:\n      base-urls: {\"https://github.com/acme/shop/blob/main/\": \"\"}\n";
        let dir = repo(&[
            ("deploy/alerts.yaml", rules),
            ("runbooks/high-errors.md", md),
            ("prr.yaml", cfg),
        ]);
        let fs = findings(dir.path(), "alerts/runbook-resolves");
        let l: Vec<u32> = fs.iter().map(|f| f.line).collect();
        assert_eq!(l, vec![11, 15, 23, 31], "{fs:#?}");
        // Other template delimiters are unresolved values too, not files.
        let vars = "groups:\n- name: g\n  rules:\n  - alert: A\n    expr: up == 0\n    annotations:\n      runbook_url: ${RUNBOOK_BASE}/a.md\n  - alert: B\n    expr: up == 0\n    annotations:\n      runbook_url: \"[[ .RunbookURL ]]\"\n";
        let d2 = repo(&[("deploy/alerts.yaml", vars)]);
        assert!(findings(d2.path(), "alerts/runbook-resolves").is_empty());
        assert!(
            fs[0].message.contains("no file `runbooks/nope.md`"),
            "{}",
            fs[0].message
        );
        assert!(
            fs[1].message.contains("#what-it-means, #diagnosis"),
            "{}",
            fs[1].message
        );
        assert!(
            fs[2].message.contains("repository root"),
            "{}",
            fs[2].message
        );
        assert!(
            fs[3].message.contains("folder `missing/`"),
            "{}",
            fs[3].message
        );
    }

    #[test]
    fn for_on_paging_alerts() {
        let rules = "groups:\n- name: g\n  rules:\n  - alert: NoFor\n    expr: up == 0\n    labels: {severity: critical}\n  - alert: Short\n    expr: up == 0\n    for: 30s\n    labels: {severity: page}\n  - alert: Fine\n    expr: up == 0\n    for: 5m\n    labels: {severity: critical}\n  - alert: Ticket\n    expr: up == 0\n    labels: {severity: warning}\n  - alert: BurnRate\n    expr: slo:sli_error:ratio_rate5m > (14.4 * 0.001) and slo:sli_error:ratio_rate1h > (14.4 * 0.001)\n    labels: {severity: critical}\n";
        // The repository uses `page`: that is what pages, not `critical`.
        let dir = repo(&[("a.yaml", rules)]);
        let fs = findings(dir.path(), "alerts/for");
        assert_eq!(lines(&fs), vec![("a.yaml".to_string(), 9)]);
        assert!(
            fs[0].message.contains("for: 30s") && fs[0].message.contains("2m"),
            "{}",
            fs[0].message
        );
        assert!(
            fs[0]
                .message
                .contains("inferred from this repository's severity values"),
            "{}",
            fs[0].message
        );
        // Configured paging values: both page, and the message says so.
        let cfg = "rules:\n  alerts/for:\n    with: {page-severities: [critical, page]}\n";
        let dir = repo(&[("a.yaml", rules), ("prr.yaml", cfg)]);
        let fs = findings(dir.path(), "alerts/for");
        assert_eq!(
            lines(&fs),
            vec![("a.yaml".to_string(), 4), ("a.yaml".to_string(), 9)]
        );
        assert!(
            fs[0].message.contains("in page-severities"),
            "{}",
            fs[0].message
        );
        let cfg =
            "rules:\n  alerts/for:\n    with: {min: 10m, page-severities: [critical, page]}\n";
        let dir = repo(&[("a.yaml", rules), ("prr.yaml", cfg)]);
        assert_eq!(findings(dir.path(), "alerts/for").len(), 3);
        // A critical/warning scheme without `page`: critical pages.
        let no_page = rules.replace("severity: page", "severity: critical");
        let dir = repo(&[("a.yaml", &no_page)]);
        assert_eq!(
            lines(&findings(dir.path(), "alerts/for")),
            vec![("a.yaml".to_string(), 4), ("a.yaml".to_string(), 9)]
        );
    }

    #[test]
    fn cause_based_pages() {
        let rules = "groups:\n- name: g\n  rules:\n  - alert: HostHighCpuLoad\n    expr: 1 - avg by (instance) (rate(node_cpu_seconds_total{mode=\"idle\"}[5m])) > 0.9\n    labels: {severity: critical}\n  - alert: DiskFull\n    expr: node_filesystem_avail_bytes / node_filesystem_size_bytes < 0.1\n    labels: {severity: warning}\n  - alert: HighErrors\n    expr: sum(rate(http_requests_total{code=~\"5..\"}[5m])) / sum(rate(http_requests_total[5m])) > 0.05\n    labels: {severity: critical}\n  - alert: Mem\n    expr: container_memory_working_set_bytes > 1e9\n    labels: {severity: page}\n";
        // `page` is used here, so it alone pages.
        let dir = repo(&[("a.yaml", rules)]);
        assert_eq!(
            lines(&findings(dir.path(), "alerts/cause-based-page")),
            vec![("a.yaml".to_string(), 14)]
        );
        let cfg =
            "rules:\n  alerts/cause-based-page:\n    with: {page-severities: [critical, page]}\n";
        let dir = repo(&[("a.yaml", rules), ("prr.yaml", cfg)]);
        let fs = findings(dir.path(), "alerts/cause-based-page");
        assert_eq!(
            lines(&fs),
            vec![("a.yaml".to_string(), 5), ("a.yaml".to_string(), 14)]
        );
        assert!(
            fs[0].message.contains("node_cpu_seconds_total"),
            "{}",
            fs[0].message
        );
    }

    #[test]
    fn cause_based_page_on_awesome_rules_and_params() {
        // Of the critical alerts in the real node-exporter rules, the disk
        // space and inode ones read only filesystem usage; the device-error
        // alert is a fault, not usage, and is not reported.
        let all = findings(&fixtures().join(AWESOME), "alerts/cause-based-page");
        let got: Vec<(&str, u32)> = all
            .iter()
            .map(|f| (f.path.rsplit('/').next().unwrap_or(""), f.line))
            .collect();
        assert_eq!(
            got,
            vec![("node-exporter.yml", 68), ("node-exporter.yml", 89)]
        );
        assert!(
            all[0].message.contains("HostOutOfDiskSpace"),
            "{}",
            all[0].message
        );
        // A bad regex is a configuration error at load time (exit 2), not a silent skip.
        let cfg = "rules:\n  alerts/cause-based-page:\n    with: {cause-metrics: [\"(\"]}\n";
        let dir = repo(&[("prr.yaml", cfg)]);
        let err = crate::analyze(dir.path(), None)
            .err()
            .map(|e| format!("{e:#}"))
            .unwrap_or_default();
        assert!(err.contains("invalid regex"), "{err}");
    }
}
