//! In-source suppressions, written next to what they accept:
//!
//! - YAML comments: `# prr:ignore RULE[,RULE…] [until=YYYY-MM-DD] -- reason`.
//!   A trailing comment covers findings on its own line; a comment on a line
//!   of its own covers the next line that is not a comment.
//! - Markdown comments: `<!-- prr:ignore RULE -- reason -->`, same placement
//!   rules (the whole comment on one line).
//! - File-level, in either form: `prr:ignore-file RULE -- reason` anywhere in
//!   the file covers every finding of RULE in that file, with or without a
//!   line (a missing section, a parse error, a whole-file finding).
//! - The Kubernetes annotation `prr.dev/ignore: "RULE: reason"` (entries
//!   separated by newlines or `;`, `until=DATE` allowed after the rules)
//!   covers the findings of RULE positioned inside that object's YAML
//!   document (for `kind: List` items: the item's lines).
//!
//! RULE is a rule ID or a glob (`rollout/*`). A directive with no reason, no
//! rule, a bad glob or a bad date is `prr/suppression-invalid` (error) at its
//! line and suppresses nothing; an expired one `prr/suppression-expired`
//! (error); one that matched no finding `prr/suppression-unused` (warning) —
//! as prr.yaml `suppressions:` are reported.
//!
//! Cost: only YAML and Markdown text already in memory is read, and a file
//! is looked at line by line only when a substring test (`prr:ignore`,
//! `prr.dev/ignore`) hits.

mod annotation;
mod markdown_comments;
mod parse;
mod yaml_comments;

pub use yaml_comments::yaml_directive_counts;

use crate::finding::{Finding, Level, SuppressionKind};
use crate::inventory::{FileKind, Inventory};
use crate::rules::Rule;
use crate::yaml::Pos;
use annotation::annotations;
use globset::GlobSet;
use markdown_comments::scan_markdown;
use std::collections::{HashMap, HashSet};
use yaml_comments::scan_yaml;

/// The comment marker of a line or file directive.
pub const MARKER: &str = "prr:ignore";

/// The Kubernetes annotation key.
pub const ANNOTATION: &str = "prr.dev/ignore";

/// Which findings of its file a directive covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Reach {
    /// Findings on this 1-based line (`None`: the directive has no next line).
    Line(Option<u32>),
    /// Every finding of the file.
    File,
    /// Findings on these lines (inclusive): a Kubernetes object's document.
    Lines(u32, u32),
}

/// One valid in-source suppression.
#[derive(Debug)]
struct Directive {
    path: String,
    /// Where it is written.
    pos: Pos,
    /// The rule patterns as written.
    rules: Vec<String>,
    matcher: GlobSet,
    reason: String,
    until: Option<String>,
    reach: Reach,
    /// How it is written, for messages.
    form: &'static str,
}

/// What a directive says, once parsed.
struct Body {
    rules: Vec<String>,
    matcher: GlobSet,
    until: Option<String>,
    reason: String,
}

/// The in-source directives of a run, found once ([`InSource::scan`]),
/// with how many findings each covered so far.
pub(in crate::suppress) struct InSource<'a> {
    directives: Vec<Directive>,
    /// Directive indexes by path.
    by_path: HashMap<String, Vec<usize>>,
    expired: Vec<bool>,
    used: Vec<usize>,
    /// The findings about invalid directives, found by the scan.
    invalid: Vec<Finding>,
    /// The loaded rules (a directive for a family that did not run, as in
    /// `prr secrets`, is not reported unused).
    rules: &'a [Rule],
}

impl<'a> InSource<'a> {
    /// Scans the in-memory YAML and Markdown text for directives and the
    /// Kubernetes objects for the annotation. `today` is `YYYY-MM-DD`
    /// (UTC).
    pub(in crate::suppress) fn scan(
        inventory: &Inventory,
        rules: &'a [Rule],
        today: &str,
    ) -> InSource<'a> {
        let mut directives = Vec::new();
        let mut invalid = Vec::new();
        for file in &inventory.files {
            let Some(text) = file.text.as_deref() else {
                continue;
            };
            match file.kind {
                FileKind::Markdown if text.contains(MARKER) => {
                    scan_markdown(&file.path, text, &mut directives, &mut invalid);
                }
                FileKind::Yaml | FileKind::Templated | FileKind::BrokenYaml => {
                    if text.contains(MARKER) {
                        scan_yaml(&file.path, text, &mut directives, &mut invalid);
                    }
                    if file.kind == FileKind::Yaml && text.contains(ANNOTATION) {
                        annotations(file, text, &mut directives, &mut invalid);
                    }
                }
                _ => {}
            }
        }
        let mut by_path: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, d) in directives.iter().enumerate() {
            by_path.entry(d.path.clone()).or_default().push(i);
        }
        let expired = directives
            .iter()
            .map(|d| d.until.as_deref().is_some_and(|u| u < today))
            .collect();
        InSource {
            used: vec![0; directives.len()],
            directives,
            by_path,
            expired,
            invalid,
            rules,
        }
    }
}

impl crate::pass::PostPass for InSource<'_> {
    fn name(&self) -> &'static str {
        "in-source suppressions"
    }

    /// Suppresses what the directives cover.
    fn mark(&mut self, batch: &mut [Finding]) {
        for f in batch.iter_mut() {
            let Some(ids) = self.by_path.get(f.path.as_str()) else {
                continue;
            };
            for &i in ids {
                let d = &self.directives[i];
                let covers = match d.reach {
                    Reach::Line(l) => l.is_some_and(|l| f.line == l),
                    Reach::File => true,
                    Reach::Lines(a, b) => (a..=b).contains(&f.line),
                };
                if !covers || !d.matcher.is_match(&f.rule) {
                    continue;
                }
                self.used[i] += 1;
                if !self.expired[i] && !f.suppressed {
                    f.suppress(
                        SuppressionKind::InSource,
                        d.reason.clone(),
                        format!("{}:{}", d.path, d.pos.line),
                    );
                }
            }
        }
    }

    /// The findings about the directives themselves: invalid, expired,
    /// unused.
    fn report(&mut self) -> Vec<Finding> {
        let mut meta = self.invalid.clone();
        let rules = self.rules;
        let families: HashSet<&str> = rules
            .iter()
            .map(Rule::family)
            .chain(std::iter::once("prr"))
            .collect();
        for (i, d) in self.directives.iter().enumerate() {
            let rules_text = d.rules.join(", ");
            if self.expired[i] {
                meta.push(
                    Finding::new(
                        "prr/suppression-expired",
                        &d.path,
                        d.pos,
                        format!(
                            "{} of `{rules_text}` expired on {} ({} finding(s) it covered now count again): fix them, or renew it with a new reason and date",
                            d.form,
                            d.until.as_deref().unwrap_or_default(),
                            self.used[i]
                        ),
                    )
                    .with_level(Level::Error),
                );
                continue;
            }
            if self.used[i] > 0 || !d.rules.iter().any(|r| family_ran(r, &families)) {
                continue;
            }
            let known = d.rules.iter().any(|r| r.starts_with("prr/"))
                || rules.iter().any(|r| d.matcher.is_match(&r.id));
            let place = match d.reach {
                Reach::Line(Some(l)) => format!(" on line {l}"),
                Reach::Line(None) => " (no line follows it)".to_string(),
                Reach::File => " in this file".to_string(),
                Reach::Lines(a, b) => format!(" in this object (lines {a}–{b})"),
            };
            let hint = if known {
                ""
            } else {
                " — no loaded rule has that ID (a typo?)"
            };
            meta.push(
                Finding::new(
                    "prr/suppression-unused",
                    &d.path,
                    d.pos,
                    format!(
                        "{} of `{rules_text}` matched no finding{place}{hint}: remove it (reason was: {})",
                        d.form, d.reason
                    ),
                )
                .with_level(Level::Warning),
            );
        }
        meta
    }
}

/// Whether the family of rule pattern `r` ran (a glob in the family part,
/// or no family part, counts as any family).
fn family_ran(r: &str, families: &HashSet<&str>) -> bool {
    match r.split_once('/') {
        Some((fam, _)) if !fam.contains(['*', '?', '[', '{']) => families.contains(fam),
        _ => true,
    }
}

#[cfg(test)]
mod tests;
