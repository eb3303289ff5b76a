//! `runbook.escalation` (rule `runbook/escalation`): runbooks say whom to
//! escalate to, under their escalation heading.

use super::common::words;
use crate::checks::{Context, Sink};
use crate::yaml::Pos;
use serde::Deserialize;

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
pub fn escalation(ctx: &Context, p: &Escalation, sink: &mut Sink) {
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
            sink.report(
                &rb.path,
                Pos::line(h.line),
                format!(
                    "the escalation section `{}` is empty: whoever is on call at 3 a.m. needs to know whom to page next — add who to escalate to and how (a team handle, a rotation, a channel or a link), e.g. `Page @payments-oncall; after 15 min, #payments-incidents`",
                    h.text
                ),
            );
        } else if !any_section && p.require_section {
            let pos = rb
                .headings
                .first()
                .map_or(Pos::line(1), |h| Pos::line(h.line));
            sink.report(
                &rb.path,
                pos,
                format!(
                    "runbook has no escalation section: add a heading such as `## Escalation` (accepted heading words: {}) with whom to page next",
                    p.headings.join(", ")
                ),
            );
        }
    }
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
}
