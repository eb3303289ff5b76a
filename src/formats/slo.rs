//! SLO definitions, normalised across formats: OpenSLO (`openslo/v1`,
//! `openslo/v1alpha`), Sloth (`version: prometheus/v1` files and the
//! `sloth.slok.dev/v1` `PrometheusServiceLevel` CRD), Pyrra
//! (`pyrra.dev/v1alpha1` `ServiceLevelObjective`) and slo-generator
//! (`sre.google.com/v2` `ServiceLevelObjective`).

use crate::yaml::{Node, Pos};
use regex::Regex;
use std::collections::HashMap;
use std::sync::OnceLock;

/// Which format an SLO came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SloFormat {
    /// OpenSLO v1 or v1alpha.
    OpenSlo,
    /// Sloth `prometheus/v1` file.
    Sloth,
    /// Sloth `PrometheusServiceLevel` Kubernetes object.
    SlothCrd,
    /// Pyrra `ServiceLevelObjective`.
    Pyrra,
    /// Google slo-generator v2.
    SloGenerator,
}

impl SloFormat {
    /// The format's name as its project spells it, for messages.
    pub fn label(self) -> &'static str {
        match self {
            SloFormat::OpenSlo => "OpenSLO",
            SloFormat::Sloth => "Sloth",
            SloFormat::SlothCrd => "Sloth CRD",
            SloFormat::Pyrra => "Pyrra",
            SloFormat::SloGenerator => "slo-generator",
        }
    }
}

/// What an SLI measures, as far as can be told from the definition.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SliCategory {
    /// Success ratio of requests/events.
    Availability,
    /// Share of requests faster than a threshold.
    Latency,
    /// Anything else (freshness, correctness, …) or unknown.
    Other,
}

/// The objective: target as a ratio in (0, 1) — `0.999` for 99.9 %.
#[derive(Clone, Debug, PartialEq)]
pub struct Objective {
    /// Ratio 0–1 (converted from percent where the format uses percent).
    pub ratio: f64,
    /// The value as written (`99.9`, `"99.5"`, `0.999`).
    pub raw: String,
    /// Where it is written.
    pub pos: Pos,
}

/// The SLO time window.
#[derive(Clone, Debug, PartialEq)]
pub struct TimeWindow {
    /// As written (`30d`, `4w`).
    pub raw: String,
    /// Length in seconds, when it parses.
    pub seconds: Option<f64>,
    /// Where it is written.
    pub pos: Pos,
}

/// One PromQL (or other) query of an SLI.
#[derive(Clone, Debug, PartialEq)]
pub struct SliQuery {
    /// `errors`, `total`, `good`, `bad`, `raw` … as the format names it.
    pub role: String,
    /// The query text.
    pub query: String,
    /// Where it is written.
    pub pos: Pos,
    /// Query language: `promql` when the source is Prometheus-compatible.
    pub language: String,
}

/// One SLO, normalised.
#[derive(Clone, Debug)]
pub struct SloSpec {
    /// Source format.
    pub format: SloFormat,
    /// Repository-relative path.
    pub path: String,
    /// Where the SLO is declared.
    pub pos: Pos,
    /// Service the SLO belongs to (`service:` / `spec.service` / label), if stated.
    pub service: Option<String>,
    /// SLO name (for an OpenSLO SLO with several objectives: `name-<index>`,
    /// the name Sloth gives each objective).
    pub name: String,
    /// Objective, when present and numeric.
    pub objective: Option<Objective>,
    /// Time window, when present.
    pub window: Option<TimeWindow>,
    /// Whether the format carries the time window in the file (OpenSLO,
    /// Pyrra). Sloth takes it from `--default-slo-period` (30 days by
    /// default) and slo-generator from its error budget policy.
    pub window_in_file: bool,
    /// SLI queries.
    pub sli: Vec<SliQuery>,
    /// What the SLI measures.
    pub category: SliCategory,
    /// Whether the format will generate multi-window burn-rate alerts for it
    /// (Sloth with page/ticket alerts enabled, Pyrra always).
    pub generates_burn_rate_alerts: bool,
    /// The format generates the fast-burn (page) alert: Sloth `page_alert`
    /// not disabled, Pyrra unless alerting is disabled.
    pub generates_page_alert: bool,
    /// The format generates the slow-burn (ticket) alert: Sloth
    /// `ticket_alert` not disabled, Pyrra unless alerting is disabled.
    pub generates_ticket_alert: bool,
    /// Where generated alerts are switched off (`disable: true`,
    /// `alerting.disabled`), with the alert kind (`page`, `ticket`, `all`).
    pub alerts_disabled_at: Vec<(String, Pos)>,
    /// `true` when the document declares no usable SLO (an empty `slos:`
    /// list, an OpenSLO SLO without objectives): the entry only carries
    /// `schema_issues`, and every other check skips it.
    pub placeholder: bool,
    /// Required-field problems found while reading (for `slo/schema`).
    pub schema_issues: Vec<(Pos, String)>,
}

/// A YAML document recognised as an SLO definition, before extraction.
#[derive(Clone, Debug)]
pub struct SloDocument {
    /// Repository-relative path.
    pub path: String,
    /// Which format the document is in.
    pub format: SloFormat,
    /// The document.
    pub node: Node,
}

/// Recognises an SLO document by content (never by file name).
pub fn classify(doc: &Node) -> Option<SloFormat> {
    let api = doc.get("apiVersion").and_then(Node::as_str).unwrap_or("");
    let kind = doc.get("kind").and_then(Node::as_str).unwrap_or("");
    if api.starts_with("openslo/") {
        return Some(SloFormat::OpenSlo);
    }
    if api.starts_with("sloth.slok.dev/") && kind == "PrometheusServiceLevel" {
        return Some(SloFormat::SlothCrd);
    }
    if api.starts_with("pyrra.dev/") && kind == "ServiceLevelObjective" {
        return Some(SloFormat::Pyrra);
    }
    if api.starts_with("sre.google.com/") && kind == "ServiceLevelObjective" {
        return Some(SloFormat::SloGenerator);
    }
    if api.is_empty() && doc.get("version").and_then(Node::as_str) == Some("prometheus/v1") {
        return Some(SloFormat::Sloth);
    }
    // An SLO-shaped document under an unexpected apiVersion (`v1alpha1`
    // without its group, a typo in the group) is still that SLO: it is read
    // in the format its kind and spec say, and `expected_api_version`
    // turns the apiVersion into a schema finding, never "no SLO".
    let spec = doc.get("spec");
    let has = |k: &str| spec.and_then(|s| s.get(k)).is_some();
    match kind {
        "PrometheusServiceLevel" if has("slos") => Some(SloFormat::SlothCrd),
        "ServiceLevelObjective" if has("indicator") || has("target") && !has("goal") => {
            Some(SloFormat::Pyrra)
        }
        "ServiceLevelObjective" if has("goal") || has("service_level_indicator") => {
            Some(SloFormat::SloGenerator)
        }
        _ => None,
    }
}

/// The apiVersion group a Kubernetes-style SLO format is served under, or
/// `None` for formats without one (Sloth's plain file, OpenSLO, whose
/// version prefix is what recognises it).
fn expected_api_group(format: SloFormat) -> Option<&'static str> {
    match format {
        SloFormat::SlothCrd => Some("sloth.slok.dev/"),
        SloFormat::Pyrra => Some("pyrra.dev/"),
        SloFormat::SloGenerator => Some("sre.google.com/"),
        SloFormat::OpenSlo | SloFormat::Sloth => None,
    }
}

/// A schema issue at the `apiVersion` line when a document recognised by
/// its kind and spec carries an apiVersion outside its format's group
/// (Pyrra's CRD is `pyrra.dev/v1alpha1`; Kubernetes refuses
/// `apiVersion: v1alpha1`, so the SLO never reaches the cluster).
fn api_version_issue(d: &SloDocument) -> Option<(Pos, String)> {
    let group = expected_api_group(d.format)?;
    let node = d.node.get("apiVersion");
    let api = node.and_then(Node::as_str).unwrap_or("");
    if api.starts_with(group) {
        return None;
    }
    let kind = d.node.get("kind").and_then(Node::as_str).unwrap_or("");
    let shown = if api.is_empty() {
        "no `apiVersion`".to_string()
    } else {
        format!("`apiVersion: {api}`")
    };
    Some((
        node.map_or(d.node.pos, |n| n.pos),
        format!(
            "{shown} is not {name}'s: this {kind} is read as {name}, but the cluster serves it under `{group}…` (e.g. `{group}{version}`) and refuses it as written",
            name = d.format.label(),
            version = match d.format {
                SloFormat::SloGenerator => "v1",
                SloFormat::Pyrra => "v1alpha1",
                _ => "v1",
            },
        ),
    ))
}

/// Extracts every SLO from the recognised documents (all of a repository at
/// once, so OpenSLO `indicatorRef`s can resolve across files).
///
/// Never fails: what is missing or malformed becomes a `schema_issues`
/// entry (a document with no usable SLO yields one `placeholder` entry).
pub fn extract(docs: &[SloDocument]) -> Vec<SloSpec> {
    let kind_of = |d: &SloDocument| {
        d.node
            .get("kind")
            .and_then(Node::as_str)
            .map(str::to_string)
    };
    let name_of = |d: &SloDocument| d.node.path("metadata.name").and_then(Node::scalar_text);
    let mut slis: HashMap<String, &Node> = HashMap::new();
    let mut sources: HashMap<String, String> = HashMap::new();
    for d in docs.iter().filter(|d| d.format == SloFormat::OpenSlo) {
        let (Some(kind), Some(name)) = (kind_of(d), name_of(d)) else {
            continue;
        };
        match kind.as_str() {
            "SLI" => {
                slis.entry(name).or_insert(&d.node);
            }
            "DataSource" => {
                if let Some(t) = d.node.path("spec.type").and_then(Node::as_str) {
                    sources.entry(name).or_insert_with(|| t.to_string());
                }
            }
            _ => {}
        }
    }
    let refs = OpenSloRefs { slis, sources };
    let mut out = Vec::new();
    for d in docs {
        let first = out.len();
        extract_one(d, &refs, &mut out);
        if let Some(issue) = api_version_issue(d) {
            for s in &mut out[first..] {
                s.schema_issues.insert(0, issue.clone());
            }
        }
    }
    out
}

fn extract_one(d: &SloDocument, refs: &OpenSloRefs, out: &mut Vec<SloSpec>) {
    {
        match d.format {
            SloFormat::OpenSlo => {
                if d.node.get("kind").and_then(Node::as_str) == Some("SLO") {
                    openslo(d, refs, out);
                }
            }
            SloFormat::Sloth => sloth(d, &d.node, false, out),
            SloFormat::SlothCrd => {
                let spec = d.node.get("spec");
                match spec {
                    Some(spec) if spec.is_map() => sloth(d, spec, true, out),
                    _ => out.push(placeholder(d, d.node.pos, "", "`spec` is required")),
                }
            }
            SloFormat::Pyrra => out.push(pyrra(d)),
            SloFormat::SloGenerator => out.push(slo_generator(d)),
        }
    }
}

/// Sloth's name rule for SLO names, IDs and services (`conventions.NameRegexp`):
/// start and end with an alphanumeric, only alphanumerics, `.`, `_`, `-` inside.
pub fn valid_sloth_name(name: &str) -> bool {
    let b = name.as_bytes();
    let edge = |c: &u8| c.is_ascii_alphanumeric();
    b.len() >= 2
        && b.first().is_some_and(edge)
        && b.last().is_some_and(edge)
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b'-'))
}

/// A valid Prometheus label name (`[a-zA-Z_][a-zA-Z0-9_]*`), as Sloth requires
/// for its `labels:` keys.
pub fn valid_label_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Whether a query uses Sloth's `{{.window}}` template variable (spaces
/// allowed inside the braces, as Sloth's `TplSLIQueryWindowVarRegex`).
pub fn has_window_template(query: &str) -> bool {
    window_template_re().is_match(query)
}

fn window_template_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| Regex::new(r"\{\{ *\.window *\}\}").expect("constant regex"))
}

/// Replaces the window placeholders SLO tools put into SLI queries by a
/// concrete duration so the query parses as PromQL: Sloth's `{{.window}}`
/// and slo-generator's `[window]`.
pub fn render_query_template(query: &str, window: &str) -> String {
    let q = window_template_re().replace_all(query, window);
    q.replace("[window]", &format!("[{window}]"))
}

struct OpenSloRefs<'a> {
    slis: HashMap<String, &'a Node>,
    sources: HashMap<String, String>,
}

/// A value's position, or its key's when the value has none (an empty value).
/// Reads the objective under `key` into `s.objective` as a ratio 0–1,
/// dividing the written value by `scale` (100 for percent: Sloth's
/// `objective: 99.9`, Pyrra's `"99.5"`, OpenSLO's `targetPercent`; 1 for
/// ratios: OpenSLO's `target`, slo-generator's `goal`), or records a schema
/// issue: `missing` when the key is absent (at the parent), `wrong(value)`
/// when the value is not a number (at the value).
fn objective_at(
    parent: &Node,
    key: &str,
    scale: f64,
    s: &mut SloSpec,
    missing: &str,
    wrong: impl Fn(&Node) -> String,
) {
    match parent.get(key) {
        None => s.schema_issues.push((parent.pos, missing.to_string())),
        Some(v) => match v.as_f64() {
            Some(x) => {
                s.objective = Some(Objective {
                    ratio: x / scale,
                    raw: v.scalar_text().unwrap_or_default(),
                    pos: at(parent, key),
                })
            }
            None => s.schema_issues.push((at(parent, key), wrong(v))),
        },
    }
}

fn at(parent: &Node, key: &str) -> Pos {
    match (parent.get(key), parent.key(key)) {
        (Some(v), _) if v.pos.line > 0 => v.pos,
        (_, Some(k)) => k.pos,
        _ => parent.pos,
    }
}

/// A non-empty string value with its position.
fn text(parent: &Node, key: &str) -> Option<(String, Pos)> {
    let v = parent.get(key)?;
    let s = v.scalar_text()?;
    if s.trim().is_empty() {
        return None;
    }
    Some((s, at(parent, key)))
}

fn empty_spec(d: &SloDocument, pos: Pos, name: &str) -> SloSpec {
    SloSpec {
        format: d.format,
        path: d.path.clone(),
        pos,
        service: None,
        name: name.to_string(),
        objective: None,
        window: None,
        window_in_file: false,
        sli: Vec::new(),
        category: SliCategory::Other,
        generates_burn_rate_alerts: false,
        generates_page_alert: false,
        generates_ticket_alert: false,
        alerts_disabled_at: Vec::new(),
        placeholder: false,
        schema_issues: Vec::new(),
    }
}

fn placeholder(d: &SloDocument, pos: Pos, name: &str, issue: &str) -> SloSpec {
    let mut s = empty_spec(d, pos, name);
    s.placeholder = true;
    s.schema_issues.push((pos, issue.to_string()));
    s
}

/// Latency hints in a name or description.
fn mentions_latency(s: &str) -> bool {
    let s = s.to_ascii_lowercase();
    [
        "latency",
        "duration",
        "slow",
        "response-time",
        "response_time",
        "response time",
    ]
    .iter()
    .any(|w| s.contains(w))
}

/// A histogram-bucket SLI (`…_bucket{…le="0.25"…}`) measures latency.
fn is_bucket_query(q: &str) -> bool {
    q.contains("_bucket") && (q.contains("le=") || q.contains("le =") || q.contains("le=~"))
}

fn categorise(hints: &[&str], sli: &[SliQuery], default: SliCategory) -> SliCategory {
    if hints.iter().any(|h| mentions_latency(h)) || sli.iter().any(|q| is_bucket_query(&q.query)) {
        SliCategory::Latency
    } else {
        default
    }
}

fn query(role: &str, node: &Node, key: &str, language: &str) -> Option<SliQuery> {
    let (q, pos) = text(node, key)?;
    Some(SliQuery {
        role: role.to_string(),
        query: q,
        pos,
        language: language.to_string(),
    })
}

// ---------------------------------------------------------------- Sloth

/// A Sloth `prometheus/v1` file (`root` = the document) or the `spec` of a
/// `PrometheusServiceLevel` (`crd`: camelCase keys). Validation follows
/// Sloth's `validation.ValidateSLO`.
fn sloth(d: &SloDocument, root: &Node, crd: bool, out: &mut Vec<SloSpec>) {
    let key = |snake: &'static str, camel: &'static str| if crd { camel } else { snake };
    let prefix = if crd { "spec." } else { "" };
    let mut common: Vec<(Pos, String)> = Vec::new();
    let service = match root.get("service") {
        None => {
            common.push((
                root.pos,
                format!("`{prefix}service` is required: the service the SLOs belong to"),
            ));
            None
        }
        Some(v) => {
            let s = v.scalar_text().unwrap_or_default();
            if s.is_empty() {
                common.push((
                    at(root, "service"),
                    format!("`{prefix}service` is empty: name the service the SLOs belong to"),
                ));
            } else if !valid_sloth_name(&s) {
                common.push((
                    at(root, "service"),
                    format!(
                        "service `{s}` is not a valid Sloth name: it must start and end with a letter or digit and contain only letters, digits, `.`, `_` and `-`"
                    ),
                ));
            }
            if s.is_empty() { None } else { Some(s) }
        }
    };
    check_labels(root, &mut common);
    let slos = root.get("slos").map(Node::items).unwrap_or_default();
    if slos.is_empty() {
        let pos = if root.get("slos").is_some() {
            at(root, "slos")
        } else {
            root.pos
        };
        let mut p = placeholder(
            d,
            pos,
            "",
            &format!("`{prefix}slos` needs at least one SLO"),
        );
        p.service = service;
        p.schema_issues.extend(common);
        out.push(p);
        return;
    }
    for item in slos {
        let name = item
            .get("name")
            .and_then(Node::scalar_text)
            .unwrap_or_default();
        let mut s = empty_spec(d, item.pos, &name);
        s.service = service.clone();
        s.schema_issues.extend(common.iter().cloned());
        if item.get("name").is_none() {
            s.schema_issues
                .push((item.pos, "SLO `name` is required".to_string()));
        } else if !valid_sloth_name(&name) {
            s.schema_issues.push((
                at(item, "name"),
                format!("SLO name `{name}` is not a valid Sloth name: it must start and end with a letter or digit and contain only letters, digits, `.`, `_` and `-`"),
            ));
        }
        objective_at(
            item,
            "objective",
            100.0,
            &mut s,
            "`objective` is required (percent, e.g. 99.9)",
            |v| {
                format!(
                    "`objective` must be a number in percent (e.g. 99.9), found {}",
                    v.type_name()
                )
            },
        );
        check_labels(item, &mut s.schema_issues);
        let language = if uses_victoria_metrics(root) || uses_victoria_metrics(item) {
            "metricsql"
        } else {
            "promql"
        };
        sloth_sli(item, crd, language, &mut s);
        // Alerting.
        let alerting = item.get("alerting").unwrap_or(Node::null());
        let page = alerting
            .get(key("page_alert", "pageAlert"))
            .unwrap_or(Node::null());
        let ticket = alerting
            .get(key("ticket_alert", "ticketAlert"))
            .unwrap_or(Node::null());
        let disabled = |n: &Node| n.get("disable").and_then(Node::as_bool) == Some(true);
        s.generates_page_alert = !disabled(page);
        s.generates_ticket_alert = !disabled(ticket);
        s.generates_burn_rate_alerts = s.generates_page_alert && s.generates_ticket_alert;
        if disabled(page) {
            s.alerts_disabled_at
                .push(("page".to_string(), at(page, "disable")));
        }
        if disabled(ticket) {
            s.alerts_disabled_at
                .push(("ticket".to_string(), at(ticket, "disable")));
        }
        if (s.generates_page_alert || s.generates_ticket_alert) && text(alerting, "name").is_none()
        {
            let pos = if alerting.get("name").is_some() {
                at(alerting, "name")
            } else if item.get("alerting").is_some() {
                at(item, "alerting")
            } else {
                item.pos
            };
            s.schema_issues.push((
                pos,
                format!(
                    "`alerting.name` is required while the page or ticket alert is enabled (set it, or `{}: {{disable: true}}` and `{}: {{disable: true}}`)",
                    key("page_alert", "pageAlert"),
                    key("ticket_alert", "ticketAlert")
                ),
            ));
        }
        for n in [alerting, page, ticket] {
            check_labels(n, &mut s.schema_issues);
        }
        let desc = item.get("description").and_then(Node::as_str).unwrap_or("");
        let default = if s.sli.is_empty() && item.path("sli.plugin").is_none() {
            SliCategory::Other
        } else {
            SliCategory::Availability
        };
        let plugin_id = item
            .path("sli.plugin.id")
            .and_then(Node::as_str)
            .unwrap_or("");
        s.category = categorise(&[&name, desc, plugin_id], &s.sli, default);
        out.push(s);
    }
}

/// Sloth `labels:` keys must be Prometheus label names (not `__name__`).
fn check_labels(parent: &Node, issues: &mut Vec<(Pos, String)>) {
    let Some(labels) = parent.get("labels") else {
        return;
    };
    for (k, _) in labels.entries() {
        if !valid_label_name(&k.name) || k.name == "__name__" {
            issues.push((
                k.pos,
                format!(
                    "label name `{}` is not a valid Prometheus label name",
                    k.name
                ),
            ));
        }
    }
}

/// Whether a Sloth spec (or SLO) runs Sloth's VictoriaMetrics validation
/// plugin (`sloth.dev/contrib/validate_victoria_metrics/v1`): its queries are
/// then MetricsQL, not PromQL.
fn uses_victoria_metrics(n: &Node) -> bool {
    ["slo_plugins", "sloPlugins", "plugins"]
        .iter()
        .filter_map(|k| n.get(k))
        .flat_map(|p| p.get("chain").map(Node::items).unwrap_or_default())
        .filter_map(|p| p.get("id").and_then(Node::as_str))
        .any(|id| id.contains("victoria_metrics"))
}

fn sloth_sli(item: &Node, crd: bool, language: &str, s: &mut SloSpec) {
    let key = |snake: &'static str, camel: &'static str| if crd { camel } else { snake };
    let Some(sli) = item.get("sli") else {
        s.schema_issues.push((
            item.pos,
            "`sli` is required: `events`, `raw` or `plugin`".to_string(),
        ));
        return;
    };
    let kinds: Vec<&str> = ["events", "raw", "plugin"]
        .into_iter()
        .filter(|k| sli.get(k).is_some())
        .collect();
    if kinds.is_empty() {
        s.schema_issues.push((
            at(item, "sli"),
            "`sli` needs one SLI type: `events` (error and total queries), `raw` (an error ratio query) or `plugin`".to_string(),
        ));
        return;
    }
    if kinds.len() > 1 {
        s.schema_issues.push((
            at(item, "sli"),
            format!(
                "`sli` must have only one SLI type, found {}",
                kinds.join(", ")
            ),
        ));
    }
    let require = |s: &mut SloSpec, node: &Node, parent_key: &str, k: &str, role: &str| match query(
        role, node, k, language,
    ) {
        Some(q) => {
            if !has_window_template(&q.query) {
                s.schema_issues.push((q.pos, format!("`{k}` must use the `{{{{.window}}}}` template variable for the range (e.g. `rate(x[{{{{.window}}}}])`)")));
            }
            s.sli.push(q);
        }
        None => s.schema_issues.push((
            at(sli, parent_key),
            format!("`sli.{parent_key}.{k}` is required"),
        )),
    };
    if let Some(events) = sli.get("events") {
        let (e, t) = (
            key("error_query", "errorQuery"),
            key("total_query", "totalQuery"),
        );
        require(s, events, "events", e, "errors");
        require(s, events, "events", t, "total");
        if let (Some((eq, _)), Some((tq, tp))) = (text(events, e), text(events, t))
            && eq.trim() == tq.trim()
        {
            s.schema_issues.push((
                tp,
                format!("`{e}` and `{t}` are the same query: the error ratio would always be 1"),
            ));
        }
    }
    if let Some(raw) = sli.get("raw") {
        require(
            s,
            raw,
            "raw",
            key("error_ratio_query", "errorRatioQuery"),
            "error-ratio",
        );
    }
    if let Some(plugin) = sli.get("plugin")
        && text(plugin, "id").is_none()
    {
        s.schema_issues
            .push((at(sli, "plugin"), "`sli.plugin.id` is required".to_string()));
    }
}

// ---------------------------------------------------------------- OpenSLO

fn openslo(d: &SloDocument, refs: &OpenSloRefs, out: &mut Vec<SloSpec>) {
    let doc = &d.node;
    let v1alpha = doc.get("apiVersion").and_then(Node::as_str) == Some("openslo/v1alpha");
    let name = doc
        .path("metadata.name")
        .and_then(Node::scalar_text)
        .unwrap_or_default();
    let mut common = Vec::new();
    if name.is_empty() {
        common.push((
            doc.get("metadata").map_or(doc.pos, |m| m.pos),
            "`metadata.name` is required".to_string(),
        ));
    }
    let Some(spec) = doc.get("spec").filter(|s| s.is_map()) else {
        out.push(placeholder(d, doc.pos, &name, "`spec` is required"));
        return;
    };
    let service = text(spec, "service").map(|(s, _)| s);
    if service.is_none() {
        common.push((
            spec.pos,
            "`spec.service` is required: the service this SLO belongs to".to_string(),
        ));
    }
    let display = doc
        .path("metadata.displayName")
        .and_then(Node::as_str)
        .unwrap_or("");
    let description = spec.get("description").and_then(Node::as_str).unwrap_or("");
    // Time window.
    let window = if v1alpha {
        window_v1alpha(spec)
    } else {
        window_v1(spec)
    };
    let objectives = spec.get("objectives").map(Node::items).unwrap_or_default();
    if objectives.is_empty() {
        let pos = if spec.get("objectives").is_some() {
            at(spec, "objectives")
        } else {
            spec.pos
        };
        let mut p = placeholder(
            d,
            pos,
            &name,
            "`spec.objectives` needs at least one objective with a `target`",
        );
        p.service = service;
        p.schema_issues.extend(common);
        out.push(p);
        return;
    }
    let many = objectives.len() > 1;
    for (idx, obj) in objectives.iter().enumerate() {
        let slo_name = if many {
            format!("{name}-{idx}")
        } else {
            name.clone()
        };
        let mut s = empty_spec(d, if many { obj.pos } else { doc.pos }, &slo_name);
        s.service = service.clone();
        s.window = window.clone();
        s.window_in_file = true;
        s.schema_issues.extend(common.iter().cloned());
        // Objective: `target` (ratio) or `targetPercent` (v1).
        if obj.get("target").is_some() {
            objective_at(obj, "target", 1.0, &mut s, "", |v| {
                format!(
                    "`target` must be a ratio such as 0.999, found {}",
                    v.type_name()
                )
            });
        } else if obj.get("targetPercent").is_some() && !v1alpha {
            objective_at(obj, "targetPercent", 100.0, &mut s, "", |v| {
                format!(
                    "`targetPercent` must be a number such as 99.9, found {}",
                    v.type_name()
                )
            });
        } else {
            let which = if v1alpha {
                "`target` (a ratio such as 0.999)"
            } else {
                "`target` (ratio, e.g. 0.999) or `targetPercent` (e.g. 99.9)"
            };
            s.schema_issues
                .push((obj.pos, format!("objective needs {which}")));
        }
        let obj_name = obj.get("displayName").and_then(Node::as_str).unwrap_or("");
        let mut threshold = false;
        if v1alpha {
            threshold = openslo_v1alpha_sli(spec, obj, &mut s);
        } else {
            // Indicator: per objective (composite SLOs) or for the SLO.
            let holder = if obj.get("indicator").is_some() || obj.get("indicatorRef").is_some() {
                obj
            } else {
                spec
            };
            match resolve_indicator(holder, refs) {
                Ok(Some(ind)) => {
                    let ind_spec = ind.get("spec").unwrap_or(Node::null());
                    threshold = ind_spec.get("thresholdMetric").is_some();
                    openslo_v1_sli(ind_spec, refs, &mut s);
                    let ind_name = ind.path("metadata.name").and_then(Node::as_str).unwrap_or("");
                    let ind_desc = ind_spec.get("description").and_then(Node::as_str).unwrap_or("");
                    if mentions_latency(ind_name) || mentions_latency(ind_desc) {
                        threshold = true;
                    }
                }
                Ok(None) => s.schema_issues.push((
                    spec.pos,
                    "the SLO needs an SLI: `spec.indicator` (inline) or `spec.indicatorRef` (the name of a `kind: SLI`)".to_string(),
                )),
                Err((pos, msg)) => s.schema_issues.push((pos, msg)),
            }
        }
        if v1alpha && s.sli.iter().any(|q| has_window_template(&q.query)) {
            sloth_openslo_rules(spec, &mut s);
        }
        let default = if threshold {
            SliCategory::Latency
        } else {
            SliCategory::Availability
        };
        s.category = categorise(&[&name, display, description, obj_name], &s.sli, default);
        out.push(s);
    }
}

/// An OpenSLO v1alpha SLO whose queries use Sloth's `{{.window}}` is meant
/// for `sloth generate`, which accepts one time window counted in days
/// (Sloth's OpenSLO loader).
fn sloth_openslo_rules(spec: &Node, s: &mut SloSpec) {
    let windows = spec.get("timeWindows").map(Node::items).unwrap_or_default();
    if windows.len() > 1 {
        s.schema_issues.push((
            at(spec, "timeWindows"),
            "Sloth reads OpenSLO SLOs with a single time window only (this SLO uses Sloth's `{{.window}}`)".to_string(),
        ));
    }
    if let Some(w) = windows.first()
        && let Some(unit) = w.get("unit").and_then(Node::as_str)
        && !unit.eq_ignore_ascii_case("day")
    {
        s.schema_issues.push((
            at(w, "unit"),
            format!("Sloth reads only day-based OpenSLO time windows, found `unit: {unit}` (this SLO uses Sloth's `{{{{.window}}}}`)"),
        ));
    }
}

fn resolve_indicator<'a>(
    holder: &'a Node,
    refs: &OpenSloRefs<'a>,
) -> Result<Option<&'a Node>, (Pos, String)> {
    if let Some(ind) = holder.get("indicator") {
        return Ok(Some(ind));
    }
    let Some((r, pos)) = text(holder, "indicatorRef") else {
        return Ok(None);
    };
    match refs.slis.get(&r) {
        Some(n) => Ok(Some(*n)),
        None => Err((
            pos,
            format!("`indicatorRef: {r}` names no `kind: SLI` in the repository"),
        )),
    }
}

/// OpenSLO v1 `ratioMetric` / `thresholdMetric` queries.
fn openslo_v1_sli(ind_spec: &Node, refs: &OpenSloRefs, s: &mut SloSpec) {
    let mut push = |role: &str, metric: &Node| {
        let Some(src) = metric.get("metricSource") else {
            s.schema_issues
                .push((metric.pos, format!("`{role}.metricSource` is required")));
            return;
        };
        let ty = src
            .get("type")
            .and_then(Node::as_str)
            .map(str::to_string)
            .or_else(|| {
                src.get("metricSourceRef")
                    .and_then(Node::as_str)
                    .and_then(|r| refs.sources.get(r).cloned())
            })
            .unwrap_or_default();
        let language = language_of(&ty);
        let qspec = src.get("spec").unwrap_or(Node::null());
        if let Some(q) = query(role, qspec, "query", &language)
            .or_else(|| query(role, qspec, "promql", &language))
        {
            s.sli.push(q);
        }
    };
    if let Some(ratio) = ind_spec.get("ratioMetric") {
        let mut found = false;
        for role in ["good", "bad", "total", "raw"] {
            if let Some(m) = ratio.get(role) {
                found = true;
                push(role, m);
            }
        }
        let has = |k: &str| ratio.get(k).is_some();
        if !has("raw") && (!has("total") || !(has("good") || has("bad"))) {
            s.schema_issues.push((
                ratio.pos,
                "`ratioMetric` needs `total` and one of `good` or `bad` (or a `raw` ratio)"
                    .to_string(),
            ));
        }
        let _ = found;
    } else if let Some(th) = ind_spec.get("thresholdMetric") {
        push("threshold", th);
    } else {
        s.schema_issues.push((
            ind_spec.pos,
            "the SLI needs `ratioMetric` or `thresholdMetric`".to_string(),
        ));
    }
}

/// OpenSLO v1alpha: `objectives[].ratioMetrics` or `spec.indicator.thresholdMetric`.
/// Returns whether the SLI is a threshold metric.
fn openslo_v1alpha_sli(spec: &Node, obj: &Node, s: &mut SloSpec) -> bool {
    let push = |s: &mut SloSpec, role: &str, m: &Node| {
        let src = m.get("source").and_then(Node::as_str).unwrap_or("");
        if let Some(q) = query(role, m, "query", &language_of(src)) {
            s.sli.push(q);
        } else {
            s.schema_issues
                .push((m.pos, format!("`{role}.query` is required")));
        }
    };
    if let Some(ratio) = obj.get("ratioMetrics") {
        for role in ["good", "total"] {
            match ratio.get(role) {
                Some(m) => push(s, role, m),
                None => s
                    .schema_issues
                    .push((ratio.pos, format!("`ratioMetrics.{role}` is required"))),
            }
        }
        false
    } else if let Some(th) = spec.path("indicator.thresholdMetric") {
        push(s, "threshold", th);
        true
    } else {
        s.schema_issues.push((
            obj.pos,
            "objective needs `ratioMetrics` (or `spec.indicator.thresholdMetric`)".to_string(),
        ));
        false
    }
}

/// `promql` for Prometheus-compatible sources (Prometheus, Thanos, Cortex,
/// Mimir, VictoriaMetrics, Sloth), else the source type lowercased.
fn language_of(source: &str) -> String {
    let s = source.to_ascii_lowercase();
    let promql = [
        "prometheus",
        "sloth",
        "promql",
        "thanos",
        "cortex",
        "mimir",
        "victoriametrics",
        "amazonprometheus",
        "grafana",
    ];
    if promql.iter().any(|p| s == *p) {
        "promql".to_string()
    } else {
        s
    }
}

fn window_v1(spec: &Node) -> Option<TimeWindow> {
    let first = spec.get("timeWindow")?.items().first()?;
    let (raw, pos) = match text(first, "duration") {
        Some(t) => t,
        None => {
            return Some(TimeWindow {
                raw: String::new(),
                seconds: None,
                pos: first.pos,
            });
        }
    };
    Some(TimeWindow {
        seconds: super::parse_duration(&raw),
        raw,
        pos,
    })
}

fn window_v1alpha(spec: &Node) -> Option<TimeWindow> {
    let first = spec.get("timeWindows")?.items().first()?;
    let count = first.get("count").and_then(Node::as_f64);
    let unit = first.get("unit").and_then(Node::as_str).unwrap_or("");
    let per = match unit.to_ascii_lowercase().as_str() {
        "second" => Some(1.0),
        "minute" => Some(60.0),
        "hour" => Some(3600.0),
        "day" => Some(86_400.0),
        "week" => Some(604_800.0),
        "month" => Some(30.0 * 86_400.0),
        "quarter" => Some(90.0 * 86_400.0),
        "year" => Some(365.0 * 86_400.0),
        _ => None,
    };
    let raw = format!(
        "{} {}",
        first
            .get("count")
            .and_then(Node::scalar_text)
            .unwrap_or_default(),
        unit
    )
    .trim()
    .to_string();
    let pos = if first.get("count").is_some() {
        at(first, "count")
    } else {
        first.pos
    };
    Some(TimeWindow {
        raw,
        seconds: count.zip(per).map(|(c, p)| c * p),
        pos,
    })
}

// ---------------------------------------------------------------- Pyrra

fn pyrra(d: &SloDocument) -> SloSpec {
    let doc = &d.node;
    let name = doc
        .path("metadata.name")
        .and_then(Node::scalar_text)
        .unwrap_or_default();
    let mut s = empty_spec(d, doc.pos, &name);
    s.window_in_file = true;
    if name.is_empty() {
        s.schema_issues.push((
            doc.get("metadata").map_or(doc.pos, |m| m.pos),
            "`metadata.name` is required".to_string(),
        ));
    }
    s.service = doc
        .path("metadata.labels")
        .and_then(|l| {
            [
                "service",
                "app.kubernetes.io/part-of",
                "app.kubernetes.io/name",
            ]
            .iter()
            .find_map(|k| l.get(k))
        })
        .and_then(Node::scalar_text);
    let Some(spec) = doc.get("spec").filter(|s| s.is_map()) else {
        s.schema_issues
            .push((doc.pos, "`spec` is required".to_string()));
        s.placeholder = true;
        return s;
    };
    objective_at(
        spec,
        "target",
        100.0,
        &mut s,
        "`spec.target` is required (percent as a string, e.g. \"99.5\")",
        |v| {
            format!(
                "`spec.target` must be a percent such as \"99.5\", found `{}`",
                v.scalar_text().unwrap_or_else(|| v.type_name().to_string())
            )
        },
    );
    if let Some((raw, pos)) = text(spec, "window") {
        s.window = Some(TimeWindow {
            seconds: super::parse_duration(&raw),
            raw,
            pos,
        });
    }
    let ind = spec.get("indicator").unwrap_or(Node::null());
    let mut latency = false;
    let metric = |s: &mut SloSpec, parent: &Node, key: &str, role: &str| match parent
        .get(key)
        .and_then(|m| query(role, m, "metric", "promql"))
    {
        Some(q) => s.sli.push(q),
        None => s
            .schema_issues
            .push((parent.pos, format!("`{key}.metric` is required"))),
    };
    if let Some(r) = ind.get("ratio") {
        metric(&mut s, r, "errors", "errors");
        metric(&mut s, r, "total", "total");
    } else if let Some(l) = ind.get("latency") {
        latency = true;
        metric(&mut s, l, "success", "success");
        metric(&mut s, l, "total", "total");
    } else if let Some(l) = ind.get("latencyNative") {
        latency = true;
        metric(&mut s, l, "total", "total");
    } else if let Some(b) = ind.get("bool_gauge").or_else(|| ind.get("boolGauge")) {
        match query("bool-gauge", b, "metric", "promql") {
            Some(q) => s.sli.push(q),
            None => s
                .schema_issues
                .push((b.pos, "`bool_gauge.metric` is required".to_string())),
        }
    } else {
        let pos = if spec.get("indicator").is_some() {
            at(spec, "indicator")
        } else {
            spec.pos
        };
        s.schema_issues.push((
            pos,
            "`spec.indicator` needs `ratio`, `latency`, `latencyNative` or `bool_gauge`"
                .to_string(),
        ));
    }
    // Pyrra generates multi-window multi-burn-rate alerts unless switched off.
    let alerting = spec.get("alerting").unwrap_or(Node::null());
    let off = if alerting.get("disabled").and_then(Node::as_bool) == Some(true) {
        Some(at(alerting, "disabled"))
    } else if alerting.get("burnrates").and_then(Node::as_bool) == Some(false) {
        Some(at(alerting, "burnrates"))
    } else {
        None
    };
    match off {
        Some(pos) => s.alerts_disabled_at.push(("all".to_string(), pos)),
        None => {
            s.generates_page_alert = true;
            s.generates_ticket_alert = true;
            s.generates_burn_rate_alerts = true;
        }
    }
    let desc = spec.get("description").and_then(Node::as_str).unwrap_or("");
    let default = if latency {
        SliCategory::Latency
    } else {
        SliCategory::Availability
    };
    s.category = categorise(&[&name, desc], &s.sli, default);
    s
}

// ---------------------------------------------------------------- slo-generator

fn slo_generator(d: &SloDocument) -> SloSpec {
    let doc = &d.node;
    let name = doc
        .path("metadata.name")
        .and_then(Node::scalar_text)
        .unwrap_or_default();
    let mut s = empty_spec(d, doc.pos, &name);
    if name.is_empty() {
        s.schema_issues.push((
            doc.get("metadata").map_or(doc.pos, |m| m.pos),
            "`metadata.name` is required".to_string(),
        ));
    }
    s.service = doc
        .path("metadata.labels.service_name")
        .and_then(Node::scalar_text);
    let Some(spec) = doc.get("spec").filter(|s| s.is_map()) else {
        s.schema_issues
            .push((doc.pos, "`spec` is required".to_string()));
        s.placeholder = true;
        return s;
    };
    objective_at(
        spec,
        "goal",
        1.0,
        &mut s,
        "`spec.goal` is required (a ratio such as 0.999)",
        |v| {
            format!(
                "`spec.goal` must be a ratio such as 0.999, found {}",
                v.type_name()
            )
        },
    );
    let backend = text(spec, "backend").map(|(b, _)| b);
    if backend.is_none() {
        s.schema_issues.push((
            spec.pos,
            "`spec.backend` is required (e.g. prometheus)".to_string(),
        ));
    }
    let method = spec.get("method").and_then(Node::as_str).unwrap_or("");
    if method.is_empty() {
        s.schema_issues.push((
            spec.pos,
            "`spec.method` is required (good_bad_ratio, distribution_cut or query_sli)".to_string(),
        ));
    }
    let language = language_of(backend.as_deref().unwrap_or(""));
    match spec.get("service_level_indicator").filter(|n| n.is_map()) {
        None => s.schema_issues.push((
            spec.pos,
            "`spec.service_level_indicator` is required".to_string(),
        )),
        Some(sli) => {
            for (key, role) in [
                ("filter_good", "good"),
                ("filter_bad", "bad"),
                ("filter_valid", "valid"),
                ("expression", "expression"),
            ] {
                if let Some(q) = query(role, sli, key, &language) {
                    s.sli.push(q);
                }
            }
            if s.sli.is_empty() {
                s.schema_issues.push((sli.pos, "`service_level_indicator` needs `filter_good`/`filter_bad`/`filter_valid` or `expression`".to_string()));
            }
        }
    }
    let desc = spec.get("description").and_then(Node::as_str).unwrap_or("");
    let slo_label = doc
        .path("metadata.labels.slo_name")
        .and_then(Node::as_str)
        .unwrap_or("");
    let default = if method == "distribution_cut" {
        SliCategory::Latency
    } else {
        SliCategory::Availability
    };
    s.category = categorise(&[&name, desc, slo_label], &s.sli, default);
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    fn scan(dir: &str) -> Vec<SloSpec> {
        let root = crate::testutil::fixtures().join("slo").join(dir);
        crate::inventory::scan(&root, &Config::default_for(&root))
            .expect("scan")
            .slos
    }

    fn named<'a>(slos: &'a [SloSpec], name: &str) -> &'a SloSpec {
        slos.iter().find(|s| s.name == name).expect(name)
    }

    #[test]
    fn openslo_examples() {
        let slos = scan("openslo");
        // v1: one SLO (slis.yaml holds only `kind: SLI`); v1alpha: two.
        assert_eq!(slos.len(), 3);
        assert!(slos.iter().all(|s| s.schema_issues.is_empty()), "{slos:?}");
        let web = named(&slos, "web-availability");
        assert_eq!(web.path, "pkg/openslo/v1/examples/slos.yaml");
        assert_eq!(web.service.as_deref(), Some("web"));
        assert_eq!(web.objective.as_ref().map(|o| o.ratio), Some(0.995));
        assert_eq!(web.objective.as_ref().map(|o| o.pos.line), Some(41));
        assert_eq!(web.window.as_ref().and_then(|w| w.seconds), Some(604_800.0));
        let roles: Vec<_> = web
            .sli
            .iter()
            .map(|q| (q.role.as_str(), q.language.as_str(), q.pos.line))
            .collect();
        assert_eq!(roles, vec![("good", "promql", 25), ("total", "promql", 30)]);
        assert_eq!(web.category, SliCategory::Availability);
        let th = named(&slos, "web-latency-threshold");
        assert_eq!(th.category, SliCategory::Latency);
        assert_eq!(th.window.as_ref().map(|w| w.raw.as_str()), Some("1 Week"));
        let dd = named(&slos, "web-availability-ratio");
        assert!(dd.sli.iter().all(|q| q.language == "datadog"));
    }

    #[test]
    fn pyrra_examples() {
        let slos = scan("pyrra");
        assert_eq!(slos.len(), 14);
        assert!(
            slos.iter()
                .all(|s| s.format == SloFormat::Pyrra && s.schema_issues.is_empty())
        );
        assert!(
            slos.iter()
                .all(|s| s.generates_page_alert && s.generates_ticket_alert)
        );
        assert!(
            slos.iter()
                .all(|s| s.window.as_ref().and_then(|w| w.seconds) == Some(14.0 * 86_400.0))
        );
        let lat = named(&slos, "apiserver-read-cluster-latency");
        let o = lat.objective.as_ref().expect("objective");
        assert_eq!((o.raw.as_str(), o.ratio, o.pos.line), ("99", 0.99, 17));
        assert_eq!(lat.category, SliCategory::Latency);
        let dns = named(&slos, "coredns-response-errors");
        assert!((dns.objective.as_ref().map_or(0.0, |o| o.ratio) - 0.9999).abs() < 1e-12);
        assert_eq!(dns.category, SliCategory::Availability);
        let latency = slos
            .iter()
            .filter(|s| s.category == SliCategory::Latency)
            .count();
        assert_eq!(latency, 3);
    }

    #[test]
    fn slo_generator_samples() {
        let slos = scan("slo-generator");
        assert_eq!(slos.len(), 4);
        assert!(
            slos.iter()
                .all(|s| s.schema_issues.is_empty() && s.service.as_deref() == Some("prom"))
        );
        let lat = slos
            .iter()
            .filter(|s| s.category == SliCategory::Latency)
            .count();
        assert_eq!(lat, 2, "distribution_cut and the `le=` query_sli");
        assert!(slos.iter().all(|s| s.window.is_none() && !s.window_in_file));
        assert!(
            slos.iter()
                .any(|s| s.objective.as_ref().map(|o| o.ratio) == Some(0.9999))
        );
    }

    #[test]
    fn sloth_examples() {
        let slos = scan("sloth/examples");
        assert_eq!(slos.len(), 27);
        assert!(slos.iter().all(|s| s.schema_issues.is_empty()), "{slos:?}");
        let na = named(&slos, "http-availability");
        assert!(!na.generates_page_alert && !na.generates_ticket_alert);
        assert_eq!(
            na.alerts_disabled_at
                .iter()
                .map(|(k, p)| (k.as_str(), p.line))
                .collect::<Vec<_>>(),
            vec![("page", 27), ("ticket", 29)]
        );
        let lat = slos
            .iter()
            .find(|s| s.name == "requests-latency")
            .expect("latency");
        assert_eq!(lat.category, SliCategory::Latency);
        // OpenSLO objectives read through Sloth are named `<name>-<index>`.
        assert!(slos.iter().any(|s| s.name == "requests-latency-openslo-1"));
        let gs = slos
            .iter()
            .find(|s| s.path == "getting-started.yml")
            .expect("getting started");
        assert_eq!(
            (gs.objective.as_ref().map(|o| o.raw.as_str()), gs.sli.len()),
            (Some("99.9"), 2)
        );
    }

    #[test]
    fn indicator_ref_resolves_across_files() {
        let dir = crate::testutil::repo(&[
            (
                "slis/sli.yaml",
                "apiVersion: openslo/v1\nkind: SLI\nmetadata: {name: checkout-errors}\nspec:\n  ratioMetric:\n    counter: true\n    bad:\n      metricSource:\n        type: Prometheus\n        spec: {query: 'sum(rate(http_requests_total{code=~\"5..\"}[5m]))'}\n    total:\n      metricSource:\n        type: Prometheus\n        spec: {query: 'sum(rate(http_requests_total[5m]))'}\n",
            ),
            (
                "slos/slo.yaml",
                "apiVersion: openslo/v1\nkind: SLO\nmetadata: {name: checkout-availability}\nspec:\n  service: checkout\n  indicatorRef: checkout-errors\n  timeWindow: [{duration: 28d, isRolling: true}]\n  budgetingMethod: Occurrences\n  objectives: [{targetPercent: 99.5}]\n---\napiVersion: openslo/v1\nkind: SLO\nmetadata: {name: dangling}\nspec:\n  service: checkout\n  indicatorRef: nope\n  timeWindow: [{duration: 28d}]\n  objectives: [{target: 0.99}]\n",
            ),
        ]);
        let slos = crate::inventory::scan(dir.path(), &Config::default_for(dir.path()))
            .expect("scan")
            .slos;
        let ok = named(&slos, "checkout-availability");
        assert_eq!(ok.sli.len(), 2);
        assert_eq!(ok.sli[0].role, "bad");
        assert!((ok.objective.as_ref().map_or(0.0, |o| o.ratio) - 0.995).abs() < 1e-12);
        assert!(ok.schema_issues.is_empty());
        let bad = named(&slos, "dangling");
        assert_eq!(bad.schema_issues.len(), 1);
        assert_eq!(bad.schema_issues[0].0.line, 16);
        assert!(bad.schema_issues[0].1.contains("`indicatorRef: nope`"));
    }

    #[test]
    fn names_and_templates() {
        assert!(valid_sloth_name("svc01") && valid_sloth_name("my.svc_a-b"));
        assert!(!valid_sloth_name("") && !valid_sloth_name("-a") && !valid_sloth_name("a b"));
        assert!(has_window_template("x[{{ .window }}]") && !has_window_template("x[5m]"));
        assert_eq!(
            render_query_template("rate(x[{{.window}}]) / rate(y[window])", "5m"),
            "rate(x[5m]) / rate(y[5m])"
        );
    }
}

#[cfg(test)]
mod api_version_tests {
    use crate::testutil::{findings, repo};

    const PYRRA_SPEC: &str = "kind: ServiceLevelObjective
metadata:
  name: api-errors
  labels:
    service: api
spec:
  target: \"99.5\"
  window: 4w
  indicator:
    ratio:
      errors:
        metric: http_requests_total{code=~\"5..\"}
      total:
        metric: http_requests_total
";

    #[test]
    fn a_pyrra_slo_without_its_group_is_a_schema_finding_at_the_api_version_line() {
        let dir = repo(&[(
            "slos/api.yaml",
            &format!("apiVersion: v1alpha1\n{PYRRA_SPEC}"),
        )]);
        let schema = findings(dir.path(), "slo/schema");
        assert_eq!(schema.len(), 1, "{schema:?}");
        assert_eq!(schema[0].line, 1);
        assert!(
            schema[0]
                .message
                .contains("`apiVersion: v1alpha1` is not Pyrra's")
                && schema[0].message.contains("pyrra.dev/v1alpha1"),
            "{}",
            schema[0].message
        );
        // Read as the SLO it is: no "no SLO" for its service.
        let run = crate::testutil::check_run(dir.path());
        assert!(
            run.findings
                .iter()
                .all(|f| !f.message.to_lowercase().contains("no slo")),
            "{:?}",
            run.findings
        );
    }

    #[test]
    fn a_pyrra_slo_under_pyrra_dev_has_no_api_version_finding() {
        let dir = repo(&[(
            "slos/api.yaml",
            &format!("apiVersion: pyrra.dev/v1alpha1\n{PYRRA_SPEC}"),
        )]);
        assert!(findings(dir.path(), "slo/schema").is_empty());
    }

    #[test]
    fn an_unrelated_service_level_objective_kind_is_not_an_slo() {
        let dir = repo(&[(
            "other.yaml",
            "apiVersion: example.com/v1\nkind: ServiceLevelObjective\nmetadata:\n  name: x\nspec:\n  owner: me\n",
        )]);
        assert!(findings(dir.path(), "slo/schema").is_empty());
    }
}
