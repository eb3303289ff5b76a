//! Runbook checks (`runbook/…`).
//!
//! Runbooks are the Markdown files under the runbook globs of prr.yaml
//! (`runbooks:`, default [`crate::config::DEFAULT_RUNBOOK_GLOBS`]), read by
//! [`crate::formats::runbook`], and every Markdown file an alert's runbook
//! link resolves to. The link between an alert and its runbook is the
//! alert's runbook annotation, resolved like `alerts/runbook-resolves` does
//! ([`super::links::resolve_link`], after [`super::Context::own_link`]
//! maps URLs of this repository's hosted files into the checkout).

use super::Context;
use super::alerts::{alerts, first_annotation};
use super::links::{Link, resolve_link, target_file};
use crate::finding::Finding;
use crate::formats::runbook::{Heading, Runbook};
use crate::rules::Rule;
use crate::yaml::Pos;
use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use serde::Deserialize;
use std::collections::{BTreeMap, HashSet};

fn default_runbook_annotations() -> Vec<String> {
    vec!["runbook_url".to_string(), "runbook".to_string()]
}

fn default_exclude() -> Vec<String> {
    vec!["**/_index.md".to_string(), "**/README.md".to_string()]
}

/// Case-insensitive glob set (`README.md` also excludes `readme.md`).
fn exclude_set(globs: &[String]) -> GlobSet {
    let mut b = GlobSetBuilder::new();
    for g in globs {
        if let Ok(g) = GlobBuilder::new(g)
            .case_insensitive(true)
            .literal_separator(false)
            .build()
        {
            b.add(g);
        }
    }
    b.build().unwrap_or_else(|_| GlobSet::empty())
}

/// Where a finding about a whole runbook points: its first heading, or line 1.
fn runbook_pos(rb: &Runbook) -> Pos {
    rb.headings
        .first()
        .map_or(Pos::line(1), |h| Pos::line(h.line))
}

// ---------------------------------------------------------------------------
// runbook/present

/// Parameters of `runbook.present`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Present {
    /// Annotations that link a runbook (default `[runbook_url, runbook]`).
    #[serde(default = "default_runbook_annotations")]
    pub annotations: Vec<String>,
}

/// Runs `runbook.present`: each service that has alerting rules has
/// runbooks somewhere: a runbook file within its paths, or at least one of
/// its alerts links one. One finding per service, at its first alert. (Each
/// alert's own link is `alerts/runbook-annotation`; where links lead is
/// `alerts/runbook-resolves`.)
pub fn present(ctx: &Context, rule: &Rule, p: &Present) -> Vec<Finding> {
    let mut out = Vec::new();
    for svc in &ctx.services {
        let svc_alerts: Vec<_> = alerts(ctx)
            .filter(|(f, _, _)| ctx.in_service(svc, &f.path))
            .collect();
        let Some((first_file, _, first_rule)) = svc_alerts.first() else {
            continue;
        };
        let linked = svc_alerts
            .iter()
            .any(|(_, _, r)| first_annotation(r, &p.annotations).is_some());
        let has_file = ctx
            .inventory
            .runbooks
            .iter()
            .any(|rb| ctx.in_service(svc, &rb.path));
        if linked || has_file {
            continue;
        }
        let pos = first_rule.alert.as_ref().map_or(first_rule.pos, |a| a.pos);
        out.push(
            Finding::new(
                &rule.id,
                &first_file.path,
                pos,
                format!(
                    "service `{}` has {} alert{} but no runbook: none of them links one and no Markdown file matching the runbook globs ({}) is in its paths; write one (e.g. runbooks/{}.md with what it means, diagnosis, mitigation, escalation) and link it with `{}`",
                    svc.name,
                    svc_alerts.len(),
                    if svc_alerts.len() == 1 { "" } else { "s" },
                    ctx.config.runbooks.join(", "),
                    first_rule.name(),
                    p.annotations.first().map_or("runbook_url", String::as_str),
                ),
            )
            .with_service(&svc.name),
        );
    }
    out
}

// ---------------------------------------------------------------------------
// runbook/sections

/// One required section and the heading words that satisfy it.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct SectionSpec {
    /// Name used in messages (`escalation`).
    pub name: String,
    /// Accepted heading words or phrases, case-insensitive, matched as whole
    /// words inside any heading (`investigate` matches "How to investigate").
    pub headings: Vec<String>,
}

/// Parameters of `runbook.sections`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Sections {
    /// Required sections (default: meaning / impact, diagnosis, mitigation,
    /// with synonyms; escalation is `runbook/escalation`'s, on in the
    /// `recommended` pack).
    #[serde(default = "default_sections")]
    pub sections: Vec<SectionSpec>,
    /// Runbook paths that are not runbooks (section indexes): default
    /// `**/_index.md` (Hugo) and `**/README.md`, case-insensitive. A file
    /// an alert links to is a runbook all the same.
    #[serde(default = "default_exclude")]
    pub exclude: Vec<String>,
    /// Annotations that link a runbook (default `[runbook_url, runbook]`):
    /// the Markdown files they resolve to are runbooks wherever they are.
    #[serde(default = "default_runbook_annotations")]
    pub annotations: Vec<String>,
    /// URL prefix → repository folder, as in `alerts/runbook-resolves`.
    #[serde(default)]
    pub base_urls: BTreeMap<String, String>,
}

/// What `runbook.sections` reads as one runbook: a whole Markdown file, or
/// the section under one heading when alerts link that file only by
/// `#anchor` (one file holding a section per alert).
struct Unit {
    path: String,
    /// The headings that count: all of the file's, or those below the
    /// anchored heading up to the next heading of its level or higher.
    headings: Vec<Heading>,
    pos: Pos,
    /// The anchor, for a section.
    section: Option<String>,
}

/// How alerts link one Markdown file: whole (a link without anchor) and/or
/// by the anchors named.
#[derive(Default)]
struct Linked {
    whole: bool,
    anchors: std::collections::BTreeSet<String>,
}

/// The Markdown files the alerts' runbook links resolve to.
fn linked_markdown(
    ctx: &Context,
    annotations: &[String],
    base_urls: &BTreeMap<String, String>,
) -> BTreeMap<String, Linked> {
    let mut out: BTreeMap<String, Linked> = BTreeMap::new();
    for (f, _, r) in alerts(ctx) {
        let Some((_, t)) = first_annotation(r, annotations) else {
            continue;
        };
        let Link::Repo { path, anchor } = resolve_link(&f.path, &ctx.own_link(&t.value), base_urls)
        else {
            continue;
        };
        let Some(target) = target_file(ctx, &path) else {
            continue;
        };
        let lower = target.to_ascii_lowercase();
        if !(lower.ends_with(".md") || lower.ends_with(".markdown"))
            || ctx.inventory.text(&target).is_none()
        {
            continue;
        }
        let e = out.entry(target).or_default();
        match anchor {
            Some(a) => {
                e.anchors.insert(a.to_lowercase());
            }
            None => e.whole = true,
        }
    }
    out
}

/// The runbooks `runbook.sections` checks: files matching the runbook globs
/// (less `exclude`) and every Markdown file an alert links to; a file linked
/// only by anchors is checked per anchored section.
fn units(ctx: &Context, p: &Sections) -> Vec<Unit> {
    let exclude = exclude_set(&p.exclude);
    let linked = linked_markdown(ctx, &p.annotations, &p.base_urls);
    let mut out = Vec::new();
    let mut push = |rb: &Runbook, how: Option<&Linked>| match how {
        Some(l) if !l.whole && !l.anchors.is_empty() => {
            for a in &l.anchors {
                let Some(i) = rb.headings.iter().position(|h| &h.anchor == a) else {
                    continue; // a missing anchor is alerts/runbook-resolves'
                };
                let level = rb.headings[i].level;
                let below = rb.headings[i + 1..]
                    .iter()
                    .take_while(|h| h.level > level)
                    .cloned()
                    .collect();
                out.push(Unit {
                    path: rb.path.clone(),
                    headings: below,
                    pos: Pos::line(rb.headings[i].line),
                    section: Some(a.clone()),
                });
            }
        }
        _ => out.push(Unit {
            path: rb.path.clone(),
            headings: rb.headings.clone(),
            pos: runbook_pos(rb),
            section: None,
        }),
    };
    let mut seen: HashSet<&str> = HashSet::new();
    for rb in &ctx.inventory.runbooks {
        let how = linked.get(&rb.path);
        if how.is_none() && exclude.is_match(&rb.path) {
            continue;
        }
        seen.insert(&rb.path);
        push(rb, how);
    }
    for (path, how) in &linked {
        if seen.contains(path.as_str()) {
            continue;
        }
        if let Some(text) = ctx.inventory.text(path) {
            push(&Runbook::parse(path, text), Some(how));
        }
    }
    out
}

fn spec(name: &str, headings: &[&str]) -> SectionSpec {
    SectionSpec {
        name: name.to_string(),
        headings: headings.iter().map(|s| s.to_string()).collect(),
    }
}

fn default_sections() -> Vec<SectionSpec> {
    vec![
        spec(
            "meaning / impact",
            &[
                "meaning",
                "means",
                "impact",
                "summary",
                "description",
                "overview",
                "symptoms",
            ],
        ),
        spec(
            "diagnosis",
            &[
                "diagnosis",
                "diagnose",
                "investigation",
                "investigate",
                "troubleshooting",
                "triage",
                "debugging",
            ],
        ),
        spec(
            "mitigation",
            &[
                "mitigation",
                "mitigate",
                "remediation",
                "resolution",
                "fix",
                "recovery",
                "actions",
                "what to do",
            ],
        ),
    ]
}

fn words(s: &str) -> Vec<String> {
    s.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// Whether `phrase` occurs as consecutive whole words of `heading`.
fn heading_matches(heading: &[String], phrase: &[String]) -> bool {
    !phrase.is_empty() && heading.windows(phrase.len()).any(|w| w == phrase)
}

/// Runs `runbook.sections`: one finding per missing section per runbook.
pub fn sections(ctx: &Context, rule: &Rule, p: &Sections) -> Vec<Finding> {
    let specs: Vec<(&SectionSpec, Vec<Vec<String>>)> = p
        .sections
        .iter()
        .map(|s| (s, s.headings.iter().map(|h| words(h)).collect()))
        .collect();
    let mut out = Vec::new();
    for unit in units(ctx, p) {
        let mut heads: Vec<Vec<String>> = unit.headings.iter().map(|h| words(&h.text)).collect();
        // A runbook written as a table, one row per alert (a mixin's
        // generated `runbook.md`): its columns are its sections.
        if unit.section.is_none()
            && let Some(text) = ctx.inventory.text(&unit.path)
        {
            heads.extend(table_columns(text).iter().map(|c| words(c)));
        }
        for (s, phrases) in &specs {
            let found = heads
                .iter()
                .any(|h| phrases.iter().any(|ph| heading_matches(h, ph)));
            if !found {
                let example = s.headings.first().map_or(s.name.clone(), |h| capitalize(h));
                let (what, hashes) = match &unit.section {
                    Some(a) => (
                        format!("runbook section `#{a}` (linked by an alert)"),
                        "###",
                    ),
                    None => ("runbook".to_string(), "##"),
                };
                out.push(Finding::new(
                    &rule.id,
                    &unit.path,
                    unit.pos,
                    format!(
                        "{what} has no {} section: add a heading such as `{hashes} {example}` (accepted heading words: {})",
                        s.name,
                        s.headings.join(", ")
                    ),
                ));
            }
        }
    }
    out
}

/// The header cells of the Markdown tables in `text` (a `|`-row followed by
/// a `|---|` delimiter row), outside fenced code blocks.
fn table_columns(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut fenced = false;
    let lines: Vec<&str> = text.lines().collect();
    for (i, line) in lines.iter().enumerate() {
        let t = line.trim();
        if t.starts_with("```") || t.starts_with("~~~") {
            fenced = !fenced;
            continue;
        }
        let delimiter = |l: &str| {
            let l = l.trim();
            l.starts_with('|')
                && l.contains('-')
                && l.chars().all(|c| matches!(c, '|' | '-' | ':' | ' '))
        };
        if !fenced && t.starts_with('|') && lines.get(i + 1).is_some_and(|n| delimiter(n)) {
            out.extend(
                t.trim_matches('|')
                    .split('|')
                    .map(|c| c.trim().to_string())
                    .filter(|c| !c.is_empty()),
            );
        }
    }
    out
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

// ---------------------------------------------------------------------------
// runbook/orphan

/// Parameters of `runbook.orphan`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Orphan {
    /// Annotations that link a runbook (default `[runbook_url, runbook]`).
    #[serde(default = "default_runbook_annotations")]
    pub annotations: Vec<String>,
    /// URL prefix → repository folder, as in `alerts/runbook-resolves`.
    #[serde(default)]
    pub base_urls: BTreeMap<String, String>,
    /// Runbook paths that are not runbooks (default `**/_index.md`, `**/README.md`).
    #[serde(default = "default_exclude")]
    pub exclude: Vec<String>,
}

/// Lowercase letters and digits only: `High-Errors` ≈ `HighErrors`.
fn norm(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Runs `runbook.orphan`: a runbook that no alert links to and whose file
/// name or first heading is no alert's name. Does nothing when the
/// repository has no alerting rules (the alerts live elsewhere).
pub fn orphan(ctx: &Context, rule: &Rule, p: &Orphan) -> Vec<Finding> {
    let exclude = exclude_set(&p.exclude);
    let mut linked: HashSet<String> = HashSet::new();
    let mut folders: Vec<String> = Vec::new();
    let mut names: HashSet<String> = HashSet::new();
    let mut any_alert = false;
    for (f, _, r) in alerts(ctx) {
        any_alert = true;
        names.insert(norm(r.name()));
        for a in &p.annotations {
            let Some(t) = r.annotation(a) else { continue };
            match resolve_link(&f.path, &ctx.own_link(&t.value), &p.base_urls) {
                Link::Repo { path, .. } => {
                    if let Some(target) = target_file(ctx, &path) {
                        linked.insert(target);
                    }
                    linked.insert(path);
                }
                Link::RepoFolder(dir) => folders.push(dir),
                Link::Escapes | Link::FileUrl | Link::External => {}
            }
        }
    }
    if !any_alert {
        return Vec::new();
    }
    let mut out = Vec::new();
    for rb in ctx
        .inventory
        .runbooks
        .iter()
        .filter(|rb| !exclude.is_match(&rb.path))
    {
        let in_folder = folders
            .iter()
            .any(|d| d.is_empty() || rb.path.starts_with(&format!("{d}/")));
        let stem = rb.path.rsplit('/').next().unwrap_or(&rb.path);
        let stem = stem.rsplit_once('.').map_or(stem, |(s, _)| s);
        let named = names.contains(&norm(stem))
            || rb
                .headings
                .first()
                .is_some_and(|h| names.contains(&norm(&h.text)));
        if linked.contains(&rb.path) || in_folder || named {
            continue;
        }
        out.push(Finding::new(
            &rule.id,
            &rb.path,
            runbook_pos(rb),
            "runbook is not linked from any alert and is not named after one: link it from the alert it documents (`runbook_url`), or delete it if the alert is gone",
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::testutil::{findings, fixtures, repo};

    const ALERT_WITH: &str = "groups:\n- name: g\n  rules:\n  - alert: HighErrors\n    expr: up == 0\n    labels: {severity: critical}\n    annotations:\n      runbook_url: ../runbooks/high-errors.md\n";
    const ALERT_WITHOUT: &str = "groups:\n- name: g\n  rules:\n  - alert: HighErrors\n    expr: up == 0\n    labels: {severity: critical}\n";
    const FULL_RUNBOOK: &str = "# HighErrors\n\n## What it means\n\n## How to investigate\n\n## Remediation\n\n## Who to call\n";

    #[test]
    fn present_per_service() {
        let dir = repo(&[("deploy/alerts.yaml", ALERT_WITHOUT)]);
        let fs = findings(dir.path(), "runbook/present");
        assert_eq!(fs.len(), 1);
        assert_eq!((fs[0].path.as_str(), fs[0].line), ("deploy/alerts.yaml", 4));
        assert!(
            fs[0].message.contains("1 alert but no runbook"),
            "{}",
            fs[0].message
        );
        // A runbook file in the service, or a link from an alert, is enough.
        let dir = repo(&[
            ("deploy/alerts.yaml", ALERT_WITHOUT),
            ("runbooks/other.md", FULL_RUNBOOK),
        ]);
        assert!(findings(dir.path(), "runbook/present").is_empty());
        let dir = repo(&[("deploy/alerts.yaml", ALERT_WITH)]);
        assert!(findings(dir.path(), "runbook/present").is_empty());
        // With services, each is judged on its own paths.
        let cfg = "services:\n- name: a\n  paths: [\"a/**\"]\n- name: b\n  paths: [\"b/**\"]\n";
        let dir = repo(&[
            ("prr.yaml", cfg),
            ("a/alerts.yaml", ALERT_WITHOUT),
            ("a/runbooks/x.md", FULL_RUNBOOK),
            ("b/alerts.yaml", ALERT_WITHOUT),
        ]);
        let fs = findings(dir.path(), "runbook/present");
        assert_eq!(fs.len(), 1);
        assert_eq!(
            (fs[0].path.as_str(), fs[0].service.as_deref()),
            ("b/alerts.yaml", Some("b"))
        );
    }

    #[test]
    fn a_table_runbook_has_its_columns_as_sections() {
        // One row per alert, as a mixin generates it: Summary/Description
        // give the meaning; nothing says how to diagnose or mitigate.
        let table = "# Alerts\n\n## shop\n\n|Name|Summary|Description|Severity|\n|---|---|---|---|\n|ShopDown|Shop is down.|No shop pod is up.|critical|\n";
        let dir = repo(&[("runbooks/runbook.md", table)]);
        let fs = findings(dir.path(), "runbook/sections");
        let missing: Vec<bool> = fs
            .iter()
            .map(|f| f.message.contains("no meaning"))
            .collect();
        assert_eq!(missing, vec![false, false], "{fs:#?}");
        assert!(fs[0].message.contains("no diagnosis"), "{}", fs[0].message);
        // Must fire: columns that do not give the meaning.
        let bare = table.replace("|Summary|Description|", "|Expr|For|");
        let dir = repo(&[("runbooks/runbook.md", bare.as_str())]);
        let fs = findings(dir.path(), "runbook/sections");
        assert!(
            fs.iter().any(|f| f.message.contains("no meaning")),
            "{fs:#?}"
        );
        // A table inside a code block is not one.
        let fenced = format!("# Alerts\n\n```\n{}```\n", &table[9..]);
        let dir = repo(&[("runbooks/runbook.md", fenced.as_str())]);
        let fs = findings(dir.path(), "runbook/sections");
        assert!(
            fs.iter().any(|f| f.message.contains("no meaning")),
            "{fs:#?}"
        );
    }

    #[test]
    fn sections_inline() {
        let partial = "---\ntitle: x\n---\n# HighErrors\n\n## Meaning\n";
        let dir = repo(&[
            ("runbooks/full.md", FULL_RUNBOOK),
            ("runbooks/partial.md", partial),
            ("runbooks/README.md", "# Index\n"),
        ]);
        let fs = findings(dir.path(), "runbook/sections");
        let got: Vec<(&str, u32, bool)> = fs
            .iter()
            .map(|f| (f.path.as_str(), f.line, f.message.contains("no diagnosis")))
            .collect();
        assert_eq!(
            got,
            vec![
                ("runbooks/partial.md", 4, true),
                ("runbooks/partial.md", 4, false)
            ]
        );
        assert!(
            fs[1].message.contains("no mitigation section"),
            "{}",
            fs[1].message
        );
        let cfg = "rules:\n  runbook/sections:\n    with:\n      sections: [{name: rollback, headings: [rollback]}]\n";
        let dir = repo(&[("runbooks/full.md", FULL_RUNBOOK), ("prr.yaml", cfg)]);
        let fs = findings(dir.path(), "runbook/sections");
        assert_eq!(fs.len(), 1);
        assert!(
            fs[0].message.contains("no rollback section"),
            "{}",
            fs[0].message
        );
    }

    #[test]
    fn prometheus_operator_runbooks_lack_few_sections() {
        let root = fixtures().join("runbooks/prometheus-operator");
        let all = findings(&root, "runbook/sections");
        let runbooks = crate::analyze(&root, None).unwrap().inventory.runbooks;
        assert_eq!(runbooks.len(), 117, "Markdown files under content/runbooks");
        let per = |section: &str| {
            all.iter()
                .filter(|f| f.message.contains(&format!("no {section} section")))
                .count()
        };
        // 108 runbooks once the 9 `_index.md` section indexes are excluded;
        // figures checked against a grep of the headings. Missing besides
        // escalation: meaning in NodeRAIDDiskFailure (a pointer page) and
        // Prometheus{Duplicate,OutOfOrder}Timestamps; diagnosis also in
        // KubeAPIErrorBudgetBurn; mitigation also in
        // PrometheusOperatorNodeLookupErrors.
        // Escalation is `runbook/escalation`'s, not a default section.
        assert_eq!(per("escalation"), 0);
        assert_eq!(per("meaning / impact"), 3);
        assert_eq!(per("diagnosis"), 4);
        assert_eq!(per("mitigation"), 5);
        assert_eq!(all.len(), 3 + 4 + 5);
        let raid: Vec<_> = all
            .iter()
            .filter(|f| f.path.ends_with("node/NodeRAIDDiskFailure.md"))
            .collect();
        assert_eq!(raid.len(), 3);
        assert_eq!(raid[0].line, 6, "first heading, after the front matter");
        assert!(!all.iter().any(|f| f.path.ends_with("_index.md")));
        // No alerts in that repository: nothing can be judged orphaned.
        assert!(findings(&root, "runbook/orphan").is_empty());
    }

    #[test]
    fn orphans() {
        let dir = repo(&[
            ("deploy/alerts.yaml", ALERT_WITH),
            ("runbooks/high-errors.md", FULL_RUNBOOK),
            ("runbooks/disk-full.md", "# Disk full\n"),
            ("runbooks/README.md", "# Index\n"),
        ]);
        let fs = findings(dir.path(), "runbook/orphan");
        assert_eq!(fs.len(), 1);
        assert_eq!(
            (fs[0].path.as_str(), fs[0].line),
            ("runbooks/disk-full.md", 1)
        );
        // Named after an alert (file stem), though not linked: not orphaned.
        let dir = repo(&[
            ("deploy/alerts.yaml", ALERT_WITHOUT),
            ("runbooks/High-Errors.md", "# x\n"),
        ]);
        assert!(findings(dir.path(), "runbook/orphan").is_empty());
    }
}
