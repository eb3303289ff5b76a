//! Production-readiness review (PRR) checklist analyzers: the items of the
//! `recommended` pack that the generic analyzers (`file.exists`,
//! `file.contains`, `yaml.assert`) cannot express.
//!
//! | analyzer             | rule                  | reads                                                    |
//! |----------------------|-----------------------|----------------------------------------------------------|
//! | `prr.oncall`         | `prr/oncall`          | services' `owner` / `oncall` (prr.yaml), CODEOWNERS      |
//! | `runbook.escalation` | `runbook/escalation`  | runbooks: the text under the escalation heading          |
//! | `prr.dashboards`     | `prr/dashboards`      | Grafana dashboard JSON, ConfigMaps, GrafanaDashboards, grafonnet |
//! | `prr.load-test`      | `prr/load-test`       | k6, Locust, Gatling and JMeter scripts                   |
//!
//! Service-level findings (no owner, no dashboard, no load test) point at
//! the service's entry in prr.yaml, or at the repository (empty path, line
//! 0) for the implicit service of a repository without `services:`.

use super::Context;
use super::generic::pos_of;
use crate::finding::Finding;
use crate::formats::k8s::K8sObject;
use crate::inventory::{FileKind, SourceFile};
use crate::rules::Rule;
use crate::yaml::{Node, Pos};
use serde::Deserialize;
use std::collections::BTreeMap;

/// Lowercase words of `s` (split on anything not alphanumeric).
fn words(s: &str) -> Vec<String> {
    s.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

// ---------------------------------------------------------------------------
// prr/oncall

fn default_codeowners() -> Vec<String> {
    [
        ".github/CODEOWNERS",
        "CODEOWNERS",
        "docs/CODEOWNERS",
        ".gitlab/CODEOWNERS",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

/// Parameters of `prr.oncall`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Oncall {
    /// CODEOWNERS locations, in the order they are looked up (the first
    /// that exists is read, as GitHub does). A service whose every file has
    /// an owner there needs no `owner:`. Default: `.github/CODEOWNERS`,
    /// `CODEOWNERS`, `docs/CODEOWNERS`, `.gitlab/CODEOWNERS`; `[]` accepts
    /// only `owner:`.
    #[serde(default = "default_codeowners")]
    pub codeowners: Vec<String>,
}

/// A CODEOWNERS file read as a gitignore-style matcher: a line with owners
/// is a pattern, a line without owners (which un-assigns) a negated one, so
/// the last matching line decides, as on GitHub and GitLab.
struct CodeOwners {
    path: String,
    matcher: ignore::gitignore::Gitignore,
}

impl CodeOwners {
    fn load(ctx: &Context, locations: &[String]) -> Option<CodeOwners> {
        let file = locations.iter().find_map(|l| ctx.inventory.file(l))?;
        let text = ctx.inventory.load_text(file)?;
        let mut b = ignore::gitignore::GitignoreBuilder::new(".");
        for line in text.lines() {
            let line = line.trim();
            // Comments, blank lines, GitLab `[Section]` headers; `!` is not
            // CODEOWNERS syntax.
            if line.is_empty()
                || line.starts_with('#')
                || line.starts_with('[')
                || line.starts_with("^[")
                || line.starts_with('!')
            {
                continue;
            }
            let mut parts = line.split_whitespace();
            let Some(pattern) = parts.next() else {
                continue;
            };
            let owned = parts
                .take_while(|p| !p.starts_with('#'))
                .any(|p| p.contains('@'));
            let glob = if owned {
                pattern.to_string()
            } else {
                format!("!{pattern}")
            };
            // A pattern the matcher refuses assigns nothing.
            let _ = b.add_line(None, &glob);
        }
        let matcher = b.build().ok()?;
        Some(CodeOwners {
            path: file.path.clone(),
            matcher,
        })
    }

    /// Whether the last matching line gives `path` an owner.
    fn owns(&self, path: &str) -> bool {
        self.matcher
            .matched_path_or_any_parents(path, false)
            .is_ignore()
    }
}

/// Runs `prr.oncall`: one finding per service that names no owner
/// (`owner:`, or CODEOWNERS owning every file of the service) or no on-call
/// rotation (`oncall:`), saying which is missing.
pub fn oncall(ctx: &Context, rule: &Rule, p: &Oncall) -> Vec<Finding> {
    let codeowners = CodeOwners::load(ctx, &p.codeowners);
    let mut out = Vec::new();
    for svc in &ctx.services {
        let has = |s: &Option<String>| s.as_deref().is_some_and(|v| !v.trim().is_empty());
        let mut owner_note = String::new();
        let owned = has(&svc.owner)
            || codeowners.as_ref().is_some_and(|co| {
                let mut files = ctx
                    .inventory
                    .files
                    .iter()
                    .filter(|f| ctx.in_service(svc, &f.path))
                    .peekable();
                if files.peek().is_none() {
                    return false;
                }
                match files.find(|f| !co.owns(&f.path)) {
                    None => true,
                    Some(f) => {
                        owner_note = format!(" ({} names no owner for {})", co.path, f.path);
                        false
                    }
                }
            });
        let on_call = has(&svc.oncall);
        if owned && on_call {
            continue;
        }
        let (what, why) = match (owned, on_call) {
            (false, false) => (
                "no owner and no on-call rotation",
                "nobody is accountable for it and nobody is paged when it breaks",
            ),
            (false, true) => ("no owner", "nobody is accountable for it"),
            _ => ("no on-call rotation", "nobody is paged when it breaks"),
        };
        let mut fix = Vec::new();
        if !owned {
            fix.push("`owner: <team>` (or a CODEOWNERS entry covering its files)");
        }
        if !on_call {
            fix.push("`oncall: <rotation>` (a PagerDuty or Opsgenie schedule, a chat channel)");
        }
        let (path, pos) = ctx.service_site(svc);
        out.push(
            Finding::new(
                &rule.id,
                &path,
                pos,
                format!(
                    "service `{}` names {what}{owner_note}: {why} — set {} on the service in prr.yaml",
                    svc.name,
                    fix.join(" and ")
                ),
            )
            .with_service(&svc.name),
        );
    }
    out
}

// ---------------------------------------------------------------------------
// runbook/escalation

fn default_escalation_headings() -> Vec<String> {
    [
        "escalation",
        "escalate",
        "contacts",
        "contact",
        "owners",
        "owner",
        "who to call",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

fn default_placeholders() -> Vec<String> {
    ["todo", "tbd", "tba", "fixme", "xxx", "n/a", "na", "none"]
        .iter()
        .map(|s| s.to_string())
        .collect()
}

fn default_exclude() -> Vec<String> {
    vec!["**/_index.md".to_string(), "**/README.md".to_string()]
}

fn yes() -> bool {
    true
}

/// Parameters of `runbook.escalation`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Escalation {
    /// Heading words or phrases of the escalation section (whole words,
    /// case-insensitive, anywhere in a heading of any level). Default:
    /// escalation, escalate, contacts, contact, owners, owner, who to call.
    #[serde(default = "default_escalation_headings")]
    pub headings: Vec<String>,
    /// Lines that do not count as content (case-insensitive, after list
    /// markers and punctuation around them are removed). Default: TODO,
    /// TBD, TBA, FIXME, XXX, N/A, NA, none. A line without a letter or
    /// digit (`...`, `---`) never counts.
    #[serde(default = "default_placeholders")]
    pub placeholders: Vec<String>,
    /// Also report a runbook with no escalation section at all (default
    /// true; `runbook/sections` reports that too).
    #[serde(default = "yes")]
    pub require_section: bool,
    /// Runbook paths that are not runbooks (default `**/_index.md`,
    /// `**/README.md`, case-insensitive).
    #[serde(default = "default_exclude")]
    pub exclude: Vec<String>,
}

/// Whether a Markdown line carries content: after blockquote and list
/// markers, table pipes and emphasis are removed, a letter or digit is left
/// (a name, a link, an `@handle`, a `#channel`, a phone number) and the
/// line is not a placeholder.
fn is_content(line: &str, placeholders: &[String]) -> bool {
    let t = line
        .trim()
        .trim_start_matches(['>', ' '])
        .trim_start_matches(['-', '*', '+', ' ', '|', '\t']);
    if !t.chars().any(char::is_alphanumeric) {
        return false;
    }
    let bare = t
        .trim_matches(|c: char| !c.is_alphanumeric())
        .to_lowercase();
    !placeholders.iter().any(|ph| ph.to_lowercase() == bare)
}

/// Runs `runbook.escalation`: a runbook's escalation section must hold at
/// least one line of content (text, a link, a handle or a channel) before
/// the next heading of the same or a higher level. One finding per runbook,
/// at its (first empty) escalation heading, or at its first heading when it
/// has none (with `require-section`).
pub fn escalation(ctx: &Context, rule: &Rule, p: &Escalation) -> Vec<Finding> {
    let mut exclude = globset::GlobSetBuilder::new();
    for g in &p.exclude {
        if let Ok(g) = globset::GlobBuilder::new(g)
            .case_insensitive(true)
            .literal_separator(false)
            .build()
        {
            exclude.add(g);
        }
    }
    let exclude = exclude
        .build()
        .unwrap_or_else(|_| globset::GlobSet::empty());
    let phrases: Vec<Vec<String>> = p.headings.iter().map(|h| words(h)).collect();
    let mut out = Vec::new();
    for rb in &ctx.inventory.runbooks {
        if exclude.is_match(&rb.path) {
            continue;
        }
        let lines: Vec<&str> = ctx
            .inventory
            .text(&rb.path)
            .map(|t| t.lines().collect())
            .unwrap_or_default();
        let heading_lines: std::collections::HashSet<u32> =
            rb.headings.iter().map(|h| h.line).collect();
        let mut first_empty = None;
        let mut any_section = false;
        let mut any_filled = false;
        for (i, h) in rb.headings.iter().enumerate() {
            let hw = words(&h.text);
            if !phrases
                .iter()
                .any(|ph| !ph.is_empty() && hw.windows(ph.len()).any(|w| w == ph.as_slice()))
            {
                continue;
            }
            any_section = true;
            let end = rb.headings[i + 1..]
                .iter()
                .find(|n| n.level <= h.level)
                .map_or(lines.len(), |n| n.line.saturating_sub(1) as usize);
            let start = h.line as usize; // 0-based index of the line after the heading
            let mut in_comment = false;
            let filled = lines
                .get(start..end.max(start).min(lines.len()))
                .unwrap_or(&[])
                .iter()
                .enumerate()
                .any(|(k, l)| {
                    let n = u32::try_from(start + k + 1).unwrap_or(u32::MAX);
                    let t = l.trim();
                    // HTML comments are not content.
                    if in_comment {
                        if t.contains("-->") {
                            in_comment = false;
                        }
                        return false;
                    }
                    if t.starts_with("<!--") {
                        in_comment = !t.contains("-->");
                        return false;
                    }
                    // Sub-headings and setext underlines are not content.
                    let underline = !t.is_empty() && t.chars().all(|c| c == '=' || c == '-');
                    !heading_lines.contains(&n) && !underline && is_content(l, &p.placeholders)
                });
            if filled {
                any_filled = true;
                break;
            }
            first_empty.get_or_insert(h);
        }
        if any_filled {
            continue;
        }
        if let Some(h) = first_empty {
            out.push(Finding::new(
                &rule.id,
                &rb.path,
                Pos::line(h.line),
                format!(
                    "the escalation section `{}` is empty: whoever is on call at 3 a.m. needs to know whom to page next — add who to escalate to and how (a team handle, a rotation, a channel or a link), e.g. `Page @payments-oncall; after 15 min, #payments-incidents`",
                    h.text
                ),
            ));
        } else if !any_section && p.require_section {
            let pos = rb
                .headings
                .first()
                .map_or(Pos::line(1), |h| Pos::line(h.line));
            out.push(Finding::new(
                &rule.id,
                &rb.path,
                pos,
                format!(
                    "runbook has no escalation section: add a heading such as `## Escalation` (accepted heading words: {}) with whom to page next",
                    p.headings.join(", ")
                ),
            ));
        }
    }
    out
}

// ---------------------------------------------------------------------------
// prr/dashboards

fn default_signals() -> BTreeMap<String, Vec<String>> {
    let kw = |l: &[&str]| l.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    BTreeMap::from([
        (
            "latency".to_string(),
            kw(&[
                "latency",
                "duration",
                "response time",
                "histogram_quantile",
                "_bucket",
                "p50",
                "p95",
                "p99",
            ]),
        ),
        (
            "traffic".to_string(),
            kw(&[
                "traffic",
                "throughput",
                "requests",
                "request rate",
                "rps",
                "qps",
                "_requests_total",
                "_received_total",
            ]),
        ),
        (
            "errors".to_string(),
            kw(&["error", "5xx", "fail", "success rate", "availability"]),
        ),
        (
            "saturation".to_string(),
            kw(&[
                "saturation",
                "cpu",
                "memory",
                "utilization",
                "utilisation",
                "queue",
                "throttl",
                "in-flight",
                "inflight",
                "pool",
                "disk",
            ]),
        ),
    ])
}

fn default_dashboard_files() -> Vec<String> {
    [
        "**/*.json",
        "**/*.yaml",
        "**/*.yml",
        "**/*.jsonnet",
        "**/*.libsonnet",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

/// Parameters of `prr.dashboards`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Dashboards {
    /// Signal → keywords. A signal is covered when a keyword occurs
    /// (case-insensitive substring) in a panel's title, description or
    /// queries (every string of its `targets`). Replacing `signals`
    /// replaces the whole map. Default: the four golden signals (latency,
    /// traffic, errors, saturation) with the keywords of the rule file.
    #[serde(default = "default_signals")]
    pub signals: BTreeMap<String, Vec<String>>,
    /// Globs of files read as dashboards (default `**/*.json`, `**/*.yaml`,
    /// `**/*.yml`, `**/*.jsonnet`, `**/*.libsonnet`).
    #[serde(default = "default_dashboard_files")]
    pub files: Vec<String>,
}

/// A dashboard found in the repository.
struct Dashboard {
    path: String,
    pos: Pos,
    /// Lowercased panel titles, descriptions and queries.
    corpus: Vec<String>,
}

/// The panels of a Grafana dashboard model (`panels`, legacy `rows[].panels`),
/// or of the API envelope `{"dashboard": {…}}`; `None` if `v` is no dashboard.
fn dashboard_panels(v: &serde_json::Value) -> Option<Vec<&serde_json::Value>> {
    let d = match v.get("dashboard") {
        Some(d) if d.is_object() => d,
        _ => v,
    };
    let panels = d.get("panels").and_then(|p| p.as_array());
    let rows = d.get("rows").and_then(|r| r.as_array());
    if panels.is_none() && rows.is_none() {
        return None;
    }
    let mut out: Vec<&serde_json::Value> = panels.map(|p| p.iter().collect()).unwrap_or_default();
    for r in rows.into_iter().flatten() {
        if let Some(p) = r.get("panels").and_then(|p| p.as_array()) {
            out.extend(p);
        }
    }
    Some(out)
}

fn collect_strings(v: &serde_json::Value, out: &mut Vec<String>) {
    match v {
        serde_json::Value::String(s) => out.push(s.to_lowercase()),
        serde_json::Value::Array(a) => a.iter().for_each(|x| collect_strings(x, out)),
        serde_json::Value::Object(o) => o.values().for_each(|x| collect_strings(x, out)),
        _ => {}
    }
}

/// Titles, descriptions and target strings of `panels` and of the panels
/// nested in them (collapsed rows), lowercased.
fn panel_corpus(panels: &[&serde_json::Value], out: &mut Vec<String>, depth: usize) {
    if depth > 8 {
        return;
    }
    for p in panels {
        for k in ["title", "description"] {
            if let Some(s) = p.get(k).and_then(|s| s.as_str()) {
                out.push(s.to_lowercase());
            }
        }
        if let Some(t) = p.get("targets") {
            collect_strings(t, out);
        }
        if let Some(inner) = p.get("panels").and_then(|p| p.as_array()) {
            let inner: Vec<&serde_json::Value> = inner.iter().collect();
            panel_corpus(&inner, out, depth + 1);
        }
    }
}

fn json_dashboard(text: &str) -> Option<Vec<String>> {
    // Most JSON files are no dashboard (package-lock.json, fixtures): skip
    // the parse unless a dashboard key occurs.
    if !text.contains("\"panels\"") && !text.contains("\"rows\"") {
        return None;
    }
    let v: serde_json::Value = serde_json::from_str(text).ok()?;
    let panels = dashboard_panels(&v)?;
    let mut corpus = Vec::new();
    panel_corpus(&panels, &mut corpus, 0);
    Some(corpus)
}

/// Dashboards of one file: a dashboard JSON file; in YAML, ConfigMaps
/// whose `data` values are dashboard JSON (the Grafana sidecar's format)
/// and grafana-operator `GrafanaDashboard`s (`spec.json`); a jsonnet file
/// that mentions grafonnet or grafana (its whole text is the corpus).
fn dashboards_in(ctx: &Context, f: &SourceFile) -> Vec<Dashboard> {
    let mut out = Vec::new();
    let lower = f.path.to_lowercase();
    if lower.ends_with(".json") {
        if let Some(text) = ctx.inventory.load_text(f)
            && let Some(corpus) = json_dashboard(&text)
        {
            let pos = text
                .find("\"panels\"")
                .or_else(|| text.find("\"rows\""))
                .map_or(Pos::line(1), |at| pos_of(&text, at));
            out.push(Dashboard {
                path: f.path.clone(),
                pos,
                corpus,
            });
        }
    } else if lower.ends_with(".jsonnet") || lower.ends_with(".libsonnet") {
        if let Some(text) = ctx.inventory.load_text(f) {
            let t = text.to_lowercase();
            if t.contains("grafonnet") || t.contains("grafana") {
                out.push(Dashboard {
                    path: f.path.clone(),
                    pos: Pos::line(1),
                    corpus: vec![t],
                });
            }
        }
    } else if f.kind == FileKind::Yaml {
        for doc in &f.docs {
            let Some(o) = K8sObject::from_node(&f.path, doc) else {
                continue;
            };
            let mut embedded: Vec<(&Node, Pos)> = Vec::new();
            if o.is(&[""], "ConfigMap") {
                for (k, v) in doc.get("data").map_or(&[][..], Node::entries) {
                    embedded.push((v, k.pos));
                }
            } else if o.kind == "GrafanaDashboard"
                && let Some(j) = doc.path("spec.json")
            {
                embedded.push((j, j.pos));
            }
            for (v, pos) in embedded {
                if let Some(corpus) = v.as_str().and_then(json_dashboard) {
                    out.push(Dashboard {
                        path: f.path.clone(),
                        pos,
                        corpus,
                    });
                }
            }
        }
    }
    out
}

/// Runs `prr.dashboards`: per service, its dashboards (in files within its
/// paths) must together cover every signal. One finding per service: at
/// the service when it has no dashboard, else at its first dashboard,
/// naming the signals missing.
pub fn dashboards(ctx: &Context, rule: &Rule, p: &Dashboards) -> Vec<Finding> {
    let files = crate::inventory::globset(&p.files);
    let found: Vec<Dashboard> = ctx
        .inventory
        .files
        .iter()
        .filter(|f| files.is_match(&f.path))
        .flat_map(|f| dashboards_in(ctx, f))
        .collect();
    let mut out = Vec::new();
    for svc in &ctx.services {
        let mine: Vec<&Dashboard> = found
            .iter()
            .filter(|d| ctx.in_service(svc, &d.path))
            .collect();
        let Some(first) = mine.first() else {
            let (path, pos) = ctx.service_site(svc);
            out.push(
                Finding::new(
                    &rule.id,
                    &path,
                    pos,
                    format!(
                        "service `{}` has no dashboard as code: no Grafana dashboard JSON (an object with `panels`), dashboard ConfigMap or grafonnet file is in its paths — commit the dashboard that shows its {} so it is reviewed and restored with the service",
                        svc.name,
                        p.signals.keys().cloned().collect::<Vec<_>>().join(", ")
                    ),
                )
                .with_service(&svc.name),
            );
            continue;
        };
        let missing: Vec<&String> = p
            .signals
            .iter()
            .filter(|(_, kws)| {
                !mine.iter().any(|d| {
                    d.corpus.iter().any(|s| {
                        kws.iter()
                            .any(|k| !k.is_empty() && s.contains(&k.to_lowercase()))
                    })
                })
            })
            .map(|(name, _)| name)
            .collect();
        if missing.is_empty() {
            continue;
        }
        let hints: Vec<String> = missing
            .iter()
            .map(|m| {
                let kws = p.signals.get(*m).map_or(String::new(), |k| {
                    k.iter().take(3).cloned().collect::<Vec<_>>().join("/")
                });
                format!("{m} (e.g. {kws})")
            })
            .collect();
        let names: Vec<&str> = mine.iter().map(|d| d.path.as_str()).collect();
        let mut names_dedup = names.clone();
        names_dedup.dedup();
        out.push(
            Finding::new(
                &rule.id,
                &first.path,
                first.pos,
                format!(
                    "the dashboards of service `{}` ({}) show no {}: add a panel whose title or query covers {}",
                    svc.name,
                    names_dedup.join(", "),
                    missing
                        .iter()
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                    hints.join(", ")
                ),
            )
            .with_service(&svc.name),
        );
    }
    out
}

// ---------------------------------------------------------------------------
// prr/load-test

fn default_load_test_paths() -> Vec<String> {
    vec!["**/*.jmx".to_string(), "**/locustfile*.py".to_string()]
}

/// Parameters of `prr.load-test`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct LoadTest {
    /// Globs of files that are load tests by their name alone (default
    /// `**/*.jmx` for JMeter plans, `**/locustfile*.py` for Locust).
    #[serde(default = "default_load_test_paths")]
    pub paths: Vec<String>,
}

/// Whether `text` (of a file named `path`) is a load-test script: k6
/// (`.js`/`.ts`/`.mjs` importing `k6` or `k6/…`), Locust (`.py` importing
/// `locust`), Gatling (`.scala`/`.java`/`.kt` importing `io.gatling`).
fn is_load_test_script(path: &str, text: &str) -> bool {
    use std::sync::LazyLock;
    static K6: LazyLock<Option<regex::Regex>> = LazyLock::new(|| {
        regex::Regex::new(
            r#"(?m)(\bfrom\s*['"]k6(/[\w/-]*)?['"]|\brequire\(\s*['"]k6(/[\w/-]*)?['"]\s*\))"#,
        )
        .ok()
    });
    static LOCUST: LazyLock<Option<regex::Regex>> = LazyLock::new(|| {
        regex::Regex::new(r"(?m)^\s*(from\s+locust(\.\w+)*\s+import\b|import\s+locust\b)").ok()
    });
    static GATLING: LazyLock<Option<regex::Regex>> =
        LazyLock::new(|| regex::Regex::new(r"(?m)^\s*import\s+(static\s+)?io\.gatling\.").ok());
    let ext = path.rsplit_once('.').map_or("", |(_, e)| e);
    let re = match ext {
        "js" | "ts" | "mjs" => &*K6,
        "py" => &*LOCUST,
        "scala" | "java" | "kt" => &*GATLING,
        _ => return false,
    };
    re.as_ref().is_some_and(|r| r.is_match(text))
}

/// Runs `prr.load-test`: each service has a load-test script in its paths
/// (k6, Locust, Gatling or JMeter). One finding per service without one.
pub fn load_test(ctx: &Context, rule: &Rule, p: &LoadTest) -> Vec<Finding> {
    let named = crate::inventory::globset(&p.paths);
    // Each candidate file is read at most once, whatever the services.
    let mut verdicts: std::collections::HashMap<usize, bool> = Default::default();
    let mut is_load_test = |i: usize, f: &SourceFile| -> bool {
        *verdicts.entry(i).or_insert_with(|| {
            named.is_match(&f.path)
                || (matches!(
                    f.path.rsplit_once('.').map_or("", |(_, e)| e),
                    "js" | "ts" | "mjs" | "py" | "scala" | "java" | "kt"
                ) && ctx
                    .inventory
                    .load_text(f)
                    .is_some_and(|t| is_load_test_script(&f.path, &t)))
        })
    };
    let mut out = Vec::new();
    for svc in &ctx.services {
        let found = ctx
            .inventory
            .files
            .iter()
            .enumerate()
            .any(|(i, f)| ctx.in_service(svc, &f.path) && is_load_test(i, f));
        if found {
            continue;
        }
        let (path, pos) = ctx.service_site(svc);
        out.push(
            Finding::new(
                &rule.id,
                &path,
                pos,
                format!(
                    "service `{}` has no load-test script in its paths (k6, Locust, Gatling or JMeter): its capacity limit is unknown until production finds it — add one, e.g. loadtest/{}.js with `import http from 'k6/http'`, sized for the expected peak",
                    svc.name, svc.name
                ),
            )
            .with_service(&svc.name),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_lines() {
        let ph = default_placeholders();
        assert!(is_content("- @payments-oncall", &ph));
        assert!(is_content("Page #payments-incidents", &ph));
        assert!(is_content(
            "[PagerDuty](https://example.pagerduty.com/schedules/P1)",
            &ph
        ));
        assert!(!is_content("- TODO", &ph));
        assert!(!is_content("TBD.", &ph));
        assert!(!is_content("| --- | --- |", &ph));
        assert!(!is_content("   ", &ph));
    }

    #[test]
    fn load_test_scripts() {
        assert!(is_load_test_script("a.js", "import http from 'k6/http';\n"));
        assert!(is_load_test_script("a.ts", "import { check } from \"k6\";"));
        assert!(is_load_test_script("a.py", "from locust import HttpUser\n"));
        assert!(is_load_test_script(
            "A.scala",
            "import io.gatling.core.Predef._\n"
        ));
        assert!(!is_load_test_script("a.js", "import http from 'http';\n"));
        assert!(!is_load_test_script("a.py", "# from locust import x\n"));
    }

    #[test]
    fn grafana_envelope_and_rows() {
        let c = json_dashboard(r#"{"dashboard": {"panels": [{"title": "P99 Latency"}]}}"#);
        assert_eq!(c, Some(vec!["p99 latency".to_string()]));
        let c = json_dashboard(
            r#"{"rows": [{"panels": [{"title": "CPU", "targets": [{"expr": "rate(x[5m])"}]}]}]}"#,
        );
        assert_eq!(c, Some(vec!["cpu".to_string(), "rate(x[5m])".to_string()]));
        assert_eq!(json_dashboard(r#"{"title": "no panels"}"#), None);
        assert_eq!(json_dashboard("[1, 2"), None);
    }
}
