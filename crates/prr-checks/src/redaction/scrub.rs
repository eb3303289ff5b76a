//! Redaction of a whole run, once, before any reporter sees it: every
//! finding (message, snippet or code frame, path, service, suppression),
//! every budget entry and the readiness lines go through one
//! [`Redactor`] built from all the secrets the scan found.
//!
//! After [`findings`], every finding on a line has its snippet filled from
//! the source (redacted, then clipped), or is marked `sensitive` with none,
//! so no reporter reads a raw source line again.

use super::redact::{Redactor, in_private_key_block};
use crate::finding::{Finding, clip_line};
use crate::inventory::Inventory;
use std::collections::HashMap;

/// Every raw secret value of the run: each hit of the scan, whatever the
/// scope of the report (a secret on a line a change did not touch is still
/// a secret in that file's code frames), dismissed hits included, and the
/// values findings carry. Sorted, without duplicates.
pub fn run_values(inventory: &Inventory, findings: &[Finding]) -> Vec<String> {
    let mut values: Vec<String> = inventory
        .secrets
        .iter()
        .filter(|h| !h.path_only)
        .map(|h| h.secret.clone())
        .chain(
            findings
                .iter()
                .flat_map(|f| f.secret_values.iter().cloned()),
        )
        .filter(|v| !v.is_empty())
        .collect();
    values.sort();
    values.dedup();
    values
}

/// Line starts of one file's text, for snippets of many findings in it.
struct Lines<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> Lines<'a> {
    fn new(text: &'a str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Lines { text, starts }
    }

    /// Line `n` (1-based) without its line ending.
    fn get(&self, n: u32) -> Option<&'a str> {
        let i = usize::try_from(n).ok()?.checked_sub(1)?;
        let start = *self.starts.get(i)?;
        let end = self.starts.get(i + 1).map_or(self.text.len(), |e| e - 1);
        if start > self.text.len() || (start == self.text.len() && i > 0) {
            return None;
        }
        Some(self.text[start..end].trim_end_matches('\r'))
    }
}

/// Redacts every finding with `r` and fills the snippets reporters show:
/// - a finding on the line of a secret (reported or not, in or out of the
///   scan's scope) shows that secret's redacted line;
/// - a finding on a body line of a private key block shows no line;
/// - any other finding on a line shows its source line, redacted whole and
///   then clipped around the column;
/// - message, snippet, path, service and suppression text are redacted,
///   in one scan per file ([`Redactor::scrub_all`]).
///
/// Afterwards no finding carries a raw secret value (`secret_values` is
/// emptied).
pub fn findings(r: &Redactor, findings: &mut [Finding], inventory: &Inventory) {
    // Findings whose snippet is a raw source line, with their column: the
    // line is redacted whole before it is clipped.
    let mut to_clip: Vec<(usize, u32)> = Vec::new();
    fill_snippets(findings, inventory, &mut to_clip);
    // One batch per run of findings about the same file.
    for group in findings.chunk_by_mut(|a, b| a.path == b.path) {
        let path = group[0].path.clone();
        let mut texts: Vec<&mut String> = Vec::new();
        for f in group.iter_mut() {
            texts.push(&mut f.message);
            if let Some(s) = f.snippet.as_mut() {
                texts.push(s);
            }
            if let Some(s) = f.suppression.as_mut() {
                texts.push(&mut s.reason);
                texts.push(&mut s.source);
            }
        }
        r.scrub_all(&path, &mut texts);
    }
    let mut texts: Vec<&mut String> = Vec::new();
    for f in findings.iter_mut() {
        texts.push(&mut f.path);
        if let Some(s) = f.service.as_mut() {
            texts.push(s);
        }
    }
    r.scrub_all("", &mut texts);
    for (i, col) in to_clip {
        let f = &mut findings[i];
        if let Some(line) = &f.snippet {
            let n = u32::try_from(line.chars().count()).unwrap_or(u32::MAX);
            let (s, c) = clip_line(line, col.min(n).max(1));
            f.snippet = Some(s);
            f.snippet_column = Some(c);
        }
    }
    for f in findings.iter_mut() {
        f.secret_values.clear();
    }
}

/// Sets the snippet of every finding on a line that has none (see
/// [`findings`]); `to_clip` receives the findings given a raw source line.
fn fill_snippets(findings: &mut [Finding], inventory: &Inventory, to_clip: &mut Vec<(usize, u32)>) {
    let mut secret_lines: HashMap<(String, u32), String> = HashMap::new();
    for h in inventory.secrets.iter().filter(|h| !h.path_only) {
        secret_lines
            .entry((h.path.clone(), h.pos.line))
            .or_insert_with(|| h.snippet.clone());
    }
    for f in findings.iter().filter(|f| f.sensitive && f.line > 0) {
        if let Some(s) = &f.snippet {
            secret_lines
                .entry((f.path.clone(), f.line))
                .or_insert_with(|| s.clone());
        }
    }
    let mut files: HashMap<String, Option<Lines>> = HashMap::new();
    for (i, f) in findings.iter_mut().enumerate() {
        if f.sensitive || f.line == 0 {
            continue;
        }
        if let Some(s) = secret_lines.get(&(f.path.clone(), f.line)) {
            f.snippet = Some(s.clone());
            f.snippet_column = Some(1);
            f.sensitive = true;
            continue;
        }
        if f.snippet.is_some() {
            continue;
        }
        let lines = files
            .entry(f.path.clone())
            .or_insert_with(|| inventory.text(&f.path).map(Lines::new));
        let Some(lines) = lines else { continue };
        let Some(raw) = lines.get(f.line) else {
            continue;
        };
        let above = (1..f.line).rev().filter_map(|n| lines.get(n));
        if in_private_key_block(raw, above) {
            f.sensitive = true;
        } else {
            f.snippet = Some(raw.to_string());
            to_clip.push((i, f.column.max(1)));
        }
    }
}

/// Redacts the text of budget entries: names, provider, error, the
/// decision's reason, fast-burn note and exception, and the reading's
/// provenance (a token written where a variable name belongs ends up in an
/// error message).
pub fn budget(r: &Redactor, entries: &mut [crate::budget::gate::BudgetEntry]) {
    for e in entries {
        for s in [&mut e.service, &mut e.slo, &mut e.provider] {
            r.scrub("", s);
        }
        if let Some(s) = e.error.as_mut() {
            r.scrub("", s);
        }
        r.scrub("", &mut e.decision.reason);
        if let Some(s) = e.decision.fast_burn.as_mut() {
            r.scrub("", s);
        }
        if let Some(x) = e.decision.exception.as_mut() {
            for s in [&mut x.kind, &mut x.value, &mut x.rule] {
                r.scrub("", s);
            }
            if let Some(s) = x.applied_by.as_mut() {
                r.scrub("", s);
            }
        }
        if let Some(rd) = e.reading.as_mut() {
            let p = &mut rd.provenance;
            for s in [
                &mut p.provider,
                &mut p.source,
                &mut p.raw,
                &mut p.conversion,
            ] {
                r.scrub("", s);
            }
        }
        if let Some((path, _)) = e.location.as_mut() {
            r.scrub("", path);
        }
    }
}

/// Redacts the service names of readiness lines.
pub fn readiness(r: &Redactor, lines: &mut [prr_core::readiness::Readiness]) {
    for x in lines {
        r.scrub("", &mut x.service);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_index() {
        let l = Lines::new("a\r\nbb\n\nc");
        assert_eq!(l.get(1), Some("a"));
        assert_eq!(l.get(2), Some("bb"));
        assert_eq!(l.get(3), Some(""));
        assert_eq!(l.get(4), Some("c"));
        assert_eq!(l.get(5), None);
        assert_eq!(l.get(0), None);
        assert_eq!(Lines::new("x\n").get(2), None);
    }

    #[test]
    fn every_finding_is_redacted_and_carries_no_value() {
        let mut f = vec![
            Finding::new("secrets/x", "a", crate::yaml::Pos::line(1), "found"),
            Finding::new(
                "alerts/y",
                "a",
                crate::yaml::Pos::line(1),
                "link ?t=AKIAQ3FAKEKEY7TESTZ2",
            ),
        ];
        f[0].sensitive = true;
        f[0].snippet = Some("k: AKIA…(20 chars)".into());
        f[0].secret_values = vec!["AKIAQ3FAKEKEY7TESTZ2".into()];
        let inv = Inventory::default();
        let values = run_values(&inv, &f);
        let r = Redactor::new(None, values.iter().map(String::as_str));
        findings(&r, &mut f, &inv);
        assert_eq!(f[1].message, "link ?t=AKIA…(20 chars)");
        assert_eq!(f[1].snippet.as_deref(), Some("k: AKIA…(20 chars)"));
        assert!(f.iter().all(|f| f.secret_values.is_empty()));
    }
}
