//! `runbook.sections` (rule `runbook/sections`): every runbook has the
//! sections whoever is paged needs.

use super::common::{
    default_exclude, default_runbook_annotations, exclude_set, runbook_pos, words,
};
use crate::checks::alerts::{alerts, first_annotation};
use crate::checks::links::{Link, resolve_link, target_file};
use crate::checks::{Context, Sink};
use crate::formats::runbook::{Heading, Runbook};
use crate::yaml::Pos;
use serde::Deserialize;
use std::collections::{BTreeMap, HashSet};

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

/// Whether `phrase` occurs as consecutive whole words of `heading`.
fn heading_matches(heading: &[String], phrase: &[String]) -> bool {
    !phrase.is_empty() && heading.windows(phrase.len()).any(|w| w == phrase)
}

/// Runs `runbook.sections`: one finding per missing section per runbook.
pub fn sections(ctx: &Context, p: &Sections, sink: &mut Sink) {
    let specs: Vec<(&SectionSpec, Vec<Vec<String>>)> = p
        .sections
        .iter()
        .map(|s| (s, s.headings.iter().map(|h| words(h)).collect()))
        .collect();
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
                sink.report(
                    &unit.path,
                    unit.pos,
                    format!(
                        "{what} has no {} section: add a heading such as `{hashes} {example}` (accepted heading words: {})",
                        s.name,
                        s.headings.join(", ")
                    ),
                );
            }
        }
    }
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
