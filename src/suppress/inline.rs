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

use crate::finding::{Finding, Level, Suppression, SuppressionKind};
use crate::inventory::{FileKind, Inventory, SourceFile};
use crate::rules::Rule;
use crate::yaml::Pos;
use globset::{Glob, GlobSet, GlobSetBuilder};
use std::collections::{HashMap, HashSet};

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

/// Scans the in-memory YAML and Markdown text for directives and the
/// Kubernetes objects for the annotation, suppresses what they cover and
/// returns the findings about the directives themselves (invalid, expired,
/// unused). `today` is `YYYY-MM-DD` (UTC); `rules` are the loaded rules (a
/// directive for a family that did not run, as in `prr secrets`, is not
/// reported unused).
pub(super) fn apply(
    findings: &mut [Finding],
    inventory: &Inventory,
    rules: &[Rule],
    today: &str,
) -> Vec<Finding> {
    let mut directives = Vec::new();
    let mut meta = Vec::new();
    for file in &inventory.files {
        let Some(text) = file.text.as_deref() else {
            continue;
        };
        match file.kind {
            FileKind::Markdown if text.contains(MARKER) => {
                scan_markdown(&file.path, text, &mut directives, &mut meta);
            }
            FileKind::Yaml | FileKind::Templated | FileKind::BrokenYaml => {
                if text.contains(MARKER) {
                    scan_yaml(&file.path, text, &mut directives, &mut meta);
                }
                if file.kind == FileKind::Yaml && text.contains(ANNOTATION) {
                    annotations(file, text, &mut directives, &mut meta);
                }
            }
            _ => {}
        }
    }
    if directives.is_empty() {
        return meta;
    }
    let mut by_path: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, d) in directives.iter().enumerate() {
        by_path.entry(d.path.as_str()).or_default().push(i);
    }
    let expired: Vec<bool> = directives
        .iter()
        .map(|d| d.until.as_deref().is_some_and(|u| u < today))
        .collect();
    let mut used = vec![0usize; directives.len()];
    for f in findings.iter_mut() {
        let Some(ids) = by_path.get(f.path.as_str()) else {
            continue;
        };
        for &i in ids {
            let d = &directives[i];
            let covers = match d.reach {
                Reach::Line(l) => l.is_some_and(|l| f.line == l),
                Reach::File => true,
                Reach::Lines(a, b) => (a..=b).contains(&f.line),
            };
            if !covers || !d.matcher.is_match(&f.rule) {
                continue;
            }
            used[i] += 1;
            if !expired[i] && !f.suppressed {
                f.suppressed = true;
                f.suppression = Some(Suppression {
                    kind: SuppressionKind::InSource,
                    reason: d.reason.clone(),
                    source: format!("{}:{}", d.path, d.pos.line),
                });
            }
        }
    }
    let families: HashSet<&str> = rules
        .iter()
        .map(Rule::family)
        .chain(std::iter::once("prr"))
        .collect();
    for (i, d) in directives.iter().enumerate() {
        let rules_text = d.rules.join(", ");
        if expired[i] {
            meta.push(
                Finding::new(
                    "prr/suppression-expired",
                    &d.path,
                    d.pos,
                    format!(
                        "{} of `{rules_text}` expired on {} ({} finding(s) it covered now count again): fix them, or renew it with a new reason and date",
                        d.form,
                        d.until.as_deref().unwrap_or_default(),
                        used[i]
                    ),
                )
                .with_level(Level::Error),
            );
            continue;
        }
        if used[i] > 0 || !d.rules.iter().any(|r| family_ran(r, &families)) {
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

/// Whether the family of rule pattern `r` ran (a glob in the family part,
/// or no family part, counts as any family).
fn family_ran(r: &str, families: &HashSet<&str>) -> bool {
    match r.split_once('/') {
        Some((fam, _)) if !fam.contains(['*', '?', '[', '{']) => families.contains(fam),
        _ => true,
    }
}

/// A 1-based line number from a 0-based index.
fn line_no(i: usize) -> u32 {
    u32::try_from(i + 1).unwrap_or(u32::MAX)
}

/// A 1-based column (in characters) of byte offset `at` of `line`.
fn column(line: &str, at: usize) -> u32 {
    u32::try_from(line.get(..at).map_or(0, |s| s.chars().count()) + 1).unwrap_or(u32::MAX)
}

/// `prr/suppression-invalid` at `path:pos`.
fn invalid(path: &str, pos: Pos, what: &str, why: &str) -> Finding {
    Finding::new(
        "prr/suppression-invalid",
        path,
        pos,
        format!("{what} is invalid and suppresses nothing: {why}"),
    )
    .with_level(Level::Error)
}

/// After the marker: `-file` or nothing, then whitespace or the end.
/// Returns (file-level, the rest) or `None` when the word is longer
/// (`prr:ignored`).
fn after_marker(s: &str) -> Option<(bool, &str)> {
    let (file, rest) = match s.strip_prefix("-file") {
        Some(r) => (true, r),
        None => (false, s),
    };
    (rest.is_empty() || rest.starts_with(char::is_whitespace)).then_some((file, rest))
}

/// The byte offset of the first `--` that stands alone (whitespace or the
/// text's ends on both sides).
fn separator(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    let mut from = 0;
    while let Some(i) = s.get(from..).and_then(|t| t.find("--")).map(|i| i + from) {
        let before = i == 0 || b.get(i - 1).is_some_and(u8::is_ascii_whitespace);
        let after = b.get(i + 2).is_none_or(u8::is_ascii_whitespace);
        if before && after {
            return Some(i);
        }
        from = i + 2;
    }
    None
}

/// Parses the rule list (`a/b, c/*`, whitespace or commas between) with
/// optional `until=YYYY-MM-DD`, and the reason.
fn parse_parts(head: &str, reason: &str) -> Result<Body, String> {
    let mut rules = Vec::new();
    let mut until = None;
    let mut b = GlobSetBuilder::new();
    for tok in head
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|t| !t.is_empty())
    {
        if let Some(d) = tok.strip_prefix("until=") {
            if !crate::config::valid_date(d) {
                return Err(format!("`until={d}` is not a date YYYY-MM-DD"));
            }
            until = Some(d.to_string());
        } else if tok.contains('=') {
            return Err(format!(
                "unknown option `{tok}` (only `until=YYYY-MM-DD` is known)"
            ));
        } else {
            match Glob::new(tok) {
                Ok(g) => {
                    b.add(g);
                    rules.push(tok.to_string());
                }
                Err(e) => return Err(format!("`{tok}` is not a rule ID or glob: {e}")),
            }
        }
    }
    if rules.is_empty() {
        return Err("it names no rule".to_string());
    }
    let reason = reason.trim();
    if reason.is_empty() {
        return Err("the reason is empty: say why the finding is acceptable".to_string());
    }
    let matcher = b
        .build()
        .map_err(|e| format!("the rule patterns do not compile: {e}"))?;
    Ok(Body {
        rules,
        matcher,
        until,
        reason: reason.to_string(),
    })
}

/// Parses what follows `prr:ignore` / `prr:ignore-file`: `RULES
/// [until=DATE] -- reason`.
fn parse_comment_body(body: &str) -> Result<Body, String> {
    let Some(sep) = separator(body) else {
        return Err(
            "no reason: write `prr:ignore RULE -- why the finding is acceptable`".to_string(),
        );
    };
    parse_parts(
        body.get(..sep).unwrap_or_default(),
        body.get(sep + 2..).unwrap_or_default(),
    )
}

/// Records a parsed comment directive, or its `prr/suppression-invalid`.
#[allow(clippy::too_many_arguments)]
fn push_comment(
    path: &str,
    pos: Pos,
    form: &'static str,
    file_level: bool,
    next: Option<u32>,
    body: &str,
    out: &mut Vec<Directive>,
    meta: &mut Vec<Finding>,
) {
    match parse_comment_body(body) {
        Ok(b) => out.push(Directive {
            path: path.to_string(),
            pos,
            rules: b.rules,
            matcher: b.matcher,
            reason: b.reason,
            until: b.until,
            reach: if file_level {
                Reach::File
            } else {
                Reach::Line(next)
            },
            form,
        }),
        Err(why) => meta.push(invalid(path, pos, form, &why)),
    }
}

/// The byte offset of the `#` that starts a YAML comment whose text begins
/// with the marker: the `#` is at the line start or after whitespace, only
/// whitespace lies between it and the marker, and it is not inside a
/// double-quoted string (an odd number of unescaped `"` before it).
fn yaml_directive_hash(line: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(m) = line
        .get(from..)
        .and_then(|t| t.find(MARKER))
        .map(|i| i + from)
    {
        let before = line.get(..m).unwrap_or_default();
        let trimmed = before.trim_end();
        if let Some(hash) = trimmed.strip_suffix('#').map(str::len) {
            let lead = line.get(..hash).unwrap_or_default();
            let at_boundary = lead.is_empty() || lead.ends_with(char::is_whitespace);
            let mut quotes = 0usize;
            let mut esc = false;
            for c in lead.chars() {
                match c {
                    '\\' if !esc => {
                        esc = true;
                        continue;
                    }
                    '"' if !esc => quotes += 1,
                    _ => {}
                }
                esc = false;
            }
            if at_boundary && quotes.is_multiple_of(2) {
                return Some(hash);
            }
        }
        from = m + MARKER.len();
    }
    None
}

/// Whether `line` opens a YAML block scalar: after the key (`key: |`), the
/// sequence dash (`- >-`), a tag or `---`, a `|` or `>` header with optional
/// indentation and chomping indicators (YAML 1.2 §8.1.1), then only a
/// comment.
fn opens_block_scalar(line: &str) -> bool {
    let code = match line.find(" #") {
        Some(i) => &line[..i],
        None => line,
    }
    .trim_end();
    let Some(at) = code.rfind(['|', '>']) else {
        return false;
    };
    let indicators = &code[at + 1..];
    if indicators.len() > 2
        || !indicators
            .chars()
            .all(|c| matches!(c, '+' | '-') || c.is_ascii_digit())
    {
        return false;
    }
    let before = code[..at].trim_end();
    if !code[..at].is_empty() && !code[..at].ends_with(char::is_whitespace) && before != "-" {
        return false;
    }
    before.is_empty()
        || before.ends_with(':')
        || before.ends_with('-')
        || before == "---"
        || before
            .rsplit(char::is_whitespace)
            .next()
            .is_some_and(|t| t.starts_with('!'))
}

/// For each line of a YAML text, whether it is content of a block scalar
/// (`|`/`>`): the lines after a header that are empty or indented more than
/// the header's line. A `#` there is data, not a comment (a runbook
/// pasted into an annotation, a config file in a ConfigMap), so it can never
/// hold a directive. Indentation is counted from the header's line, which
/// is at most the parent's column: a few more lines count as content than
/// YAML would say, never fewer.
fn block_scalar_lines(lines: &[&str]) -> Vec<bool> {
    let indent = |l: &str| l.len() - l.trim_start_matches(' ').len();
    let mut out = vec![false; lines.len()];
    let mut open: Option<usize> = None;
    for (i, line) in lines.iter().enumerate() {
        if let Some(n) = open {
            if line.trim().is_empty() || indent(line) > n {
                out[i] = true;
                continue;
            }
            open = None;
        }
        if opens_block_scalar(line) {
            open = Some(indent(line));
        }
    }
    out
}

/// `# prr:ignore …` comments of a YAML file (never inside a block scalar).
fn scan_yaml(path: &str, text: &str, out: &mut Vec<Directive>, meta: &mut Vec<Finding>) {
    let lines: Vec<&str> = text.lines().collect();
    let mut in_scalar: Option<Vec<bool>> = None;
    for (i, line) in lines.iter().enumerate() {
        if !line.contains(MARKER) {
            continue;
        }
        if in_scalar.get_or_insert_with(|| block_scalar_lines(&lines))[i] {
            continue;
        }
        let Some(hash) = yaml_directive_hash(line) else {
            continue;
        };
        let comment = line.get(hash + 1..).unwrap_or_default().trim_start();
        let Some((file_level, body)) = comment.strip_prefix(MARKER).and_then(after_marker) else {
            continue;
        };
        let trailing = !line.get(..hash).unwrap_or_default().trim().is_empty();
        let next = if trailing {
            Some(line_no(i))
        } else {
            lines
                .iter()
                .enumerate()
                .skip(i + 1)
                .find(|(_, l)| !l.trim_start().starts_with('#'))
                .map(|(j, _)| line_no(j))
        };
        let pos = Pos {
            line: line_no(i),
            column: column(line, hash),
        };
        let form = if file_level {
            "`# prr:ignore-file`"
        } else {
            "`# prr:ignore`"
        };
        push_comment(path, pos, form, file_level, next, body, out, meta);
    }
}

/// Whether a Markdown line is an HTML comment and nothing else.
fn md_comment_only(line: &str) -> bool {
    let t = line.trim();
    t.starts_with("<!--") && t.ends_with("-->")
}

/// The opening fence of a Markdown fenced code block on `line`: its
/// character and length (CommonMark: three or more backticks or tildes,
/// indented at most three spaces).
fn fence(line: &str) -> Option<(char, usize)> {
    let t = line.trim_start_matches(' ');
    if line.len() - t.len() > 3 {
        return None;
    }
    let c = t.chars().next().filter(|c| *c == '`' || *c == '~')?;
    let n = t.chars().take_while(|x| *x == c).count();
    (n >= 3).then_some((c, n))
}

/// `<!-- prr:ignore … -->` comments of a Markdown file, outside fenced
/// code blocks and inline code spans.
fn scan_markdown(path: &str, text: &str, out: &mut Vec<Directive>, meta: &mut Vec<Finding>) {
    let lines: Vec<&str> = text.lines().collect();
    let mut open: Option<(char, usize)> = None;
    for (i, line) in lines.iter().enumerate() {
        if let Some((c, n)) = open {
            if fence(line).is_some_and(|(c2, n2)| c2 == c && n2 >= n) {
                open = None;
            }
            continue;
        }
        if let Some(f) = fence(line) {
            open = Some(f);
            continue;
        }
        if !line.contains(MARKER) {
            continue;
        }
        let mut from = 0;
        while let Some(start) = line
            .get(from..)
            .and_then(|t| t.find("<!--"))
            .map(|i| i + from)
        {
            from = start + 4;
            let in_code = line.get(..start).unwrap_or_default().matches('`').count() % 2 != 0;
            let inner = line.get(start + 4..).unwrap_or_default();
            let Some((file_level, rest)) = inner
                .trim_start()
                .strip_prefix(MARKER)
                .and_then(after_marker)
            else {
                continue;
            };
            if in_code {
                continue;
            }
            let pos = Pos {
                line: line_no(i),
                column: column(line, start),
            };
            let form = if file_level {
                "`<!-- prr:ignore-file -->`"
            } else {
                "`<!-- prr:ignore -->`"
            };
            let Some(end) = rest.find("-->") else {
                meta.push(invalid(
                    path,
                    pos,
                    form,
                    "the comment does not close on this line (write the whole `<!-- … -->` on one line)",
                ));
                break;
            };
            let body = rest.get(..end).unwrap_or_default();
            let close = line.len() - rest.len() + end + 3;
            let outside = format!(
                "{}{}",
                line.get(..start).unwrap_or_default(),
                line.get(close..).unwrap_or_default()
            );
            let next = if !outside.trim().is_empty() {
                Some(line_no(i))
            } else {
                lines
                    .iter()
                    .enumerate()
                    .skip(i + 1)
                    .find(|(_, l)| !md_comment_only(l))
                    .map(|(j, _)| line_no(j))
            };
            push_comment(path, pos, form, file_level, next, body, out, meta);
            from = close;
        }
    }
}

/// The line ranges (1-based, inclusive) of the YAML documents of `text`:
/// a `---` line at column 1 starts a document, a `...` line ends one.
fn document_ranges(text: &str) -> Vec<(u32, u32)> {
    let mut out = Vec::new();
    let mut start = 1u32;
    let mut last = 0u32;
    for (i, line) in text.lines().enumerate() {
        let n = line_no(i);
        last = n;
        let l = line.trim_end();
        let is_start = l == "---" || l.starts_with("--- ") || l.starts_with("---\t");
        if is_start {
            if n > start {
                out.push((start, n - 1));
            }
            start = n;
        } else if l == "..." {
            out.push((start, n));
            start = n + 1;
        }
    }
    if last >= start {
        out.push((start, last));
    }
    out
}

/// The lines of document node `i` of `file`: its YAML document, or, when
/// several objects share one document (`kind: List` items, a top-level
/// sequence), from the item's first line to the line before the next one.
fn object_span(file: &SourceFile, ranges: &[(u32, u32)], i: usize) -> Option<(u32, u32)> {
    let at = file.docs.get(i)?.pos.line;
    let &(ds, de) = ranges.iter().find(|(a, b)| (*a..=*b).contains(&at))?;
    let mut starts: Vec<u32> = file
        .docs
        .iter()
        .map(|d| d.pos.line)
        .filter(|l| (ds..=de).contains(l))
        .collect();
    starts.sort_unstable();
    starts.dedup();
    let first = starts.first().copied() == Some(at);
    let start = if first { ds } else { at };
    let end = starts
        .iter()
        .find(|l| **l > at)
        .map_or(de, |l| l.saturating_sub(1));
    Some((start, end))
}

/// `metadata.annotations["prr.dev/ignore"]` of the objects of a YAML file.
fn annotations(file: &SourceFile, text: &str, out: &mut Vec<Directive>, meta: &mut Vec<Finding>) {
    let mut ranges = None;
    for (i, doc) in file.docs.iter().enumerate() {
        let Some(ann) = doc.get("metadata").and_then(|m| m.get("annotations")) else {
            continue;
        };
        let (Some(key), Some(value)) = (ann.key(ANNOTATION), ann.get(ANNOTATION)) else {
            continue;
        };
        let pos = key.pos;
        let form = "annotation `prr.dev/ignore`";
        let Some(v) = value.as_str() else {
            meta.push(invalid(
                &file.path,
                pos,
                form,
                &format!(
                    "its value is a {}, not a string of `RULE: reason` entries",
                    value.type_name()
                ),
            ));
            continue;
        };
        let ranges = ranges.get_or_insert_with(|| document_ranges(text));
        let Some((a, b)) = object_span(file, ranges, i) else {
            continue;
        };
        let mut any = false;
        for entry in v
            .split(['\n', ';'])
            .map(str::trim)
            .filter(|e| !e.is_empty())
        {
            any = true;
            let parsed = match entry.split_once(':') {
                Some((head, reason)) => parse_parts(head, reason),
                None => Err(format!(
                    "entry `{entry}` has no reason: write `RULE: why the finding is acceptable`"
                )),
            };
            match parsed {
                Ok(body) => out.push(Directive {
                    path: file.path.clone(),
                    pos,
                    rules: body.rules,
                    matcher: body.matcher,
                    reason: body.reason,
                    until: body.until,
                    reach: Reach::Lines(a, b),
                    form,
                }),
                Err(why) => meta.push(invalid(&file.path, pos, form, &why)),
            }
        }
        if !any {
            meta.push(invalid(
                &file.path,
                pos,
                form,
                "it is empty: write `RULE: reason` entries separated by `;` or newlines",
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dirs_yaml(text: &str) -> (Vec<Directive>, Vec<Finding>) {
        let (mut d, mut m) = (Vec::new(), Vec::new());
        scan_yaml("a.yaml", text, &mut d, &mut m);
        (d, m)
    }

    fn dirs_md(text: &str) -> (Vec<Directive>, Vec<Finding>) {
        let (mut d, mut m) = (Vec::new(), Vec::new());
        scan_markdown("a.md", text, &mut d, &mut m);
        (d, m)
    }

    #[test]
    fn yaml_trailing_own_line_and_file_forms() {
        let (d, m) = dirs_yaml(
            "a: 1 # prr:ignore x/y -- ok\n# prr:ignore x/*, z/w until=2030-01-02 -- later\n# plain comment\nb: 2\n# prr:ignore-file q/r -- all\n",
        );
        assert!(m.is_empty(), "{m:?}");
        assert_eq!(d.len(), 3);
        assert_eq!((d[0].reach, d[0].pos.column), (Reach::Line(Some(1)), 6));
        assert_eq!(d[0].reason, "ok");
        assert_eq!(d[1].reach, Reach::Line(Some(4)));
        assert_eq!(d[1].rules, vec!["x/*", "z/w"]);
        assert_eq!(d[1].until.as_deref(), Some("2030-01-02"));
        assert!(d[1].matcher.is_match("x/anything") && d[1].matcher.is_match("z/w"));
        assert_eq!(d[2].reach, Reach::File);
    }

    #[test]
    fn yaml_block_scalar_content_is_data_not_a_directive() {
        // must not fire: a directive-looking line inside `|`, `>-`, `- |2`
        for header in ["data: |", "data: >-", "- |2", "key: !!str |", "a: | # note"] {
            let text = format!(
                "kind: ConfigMap\n{header}\n    # prr:ignore-file secrets/* -- pasted\n    token\n"
            );
            let (d, m) = dirs_yaml(&text);
            assert!(d.is_empty() && m.is_empty(), "{header}: {d:?} {m:?}");
        }
        // must fire: the same comment after the scalar ends, and a real
        // comment next to a `|` inside a quoted value.
        let (d, _) =
            dirs_yaml("data: |\n  body\n# prr:ignore-file secrets/* -- real comment\nb: 'x |'\n");
        assert_eq!(d.len(), 1);
        let (d, _) = dirs_yaml("a: \"x |\"\n  # prr:ignore-file q/r -- comment\n");
        assert_eq!(d.len(), 1, "a quoted `|` opens no scalar");
        assert!(!opens_block_scalar("expr: a | b"));
        assert!(!opens_block_scalar("x: a>"));
        assert!(opens_block_scalar("- >"));
        assert!(opens_block_scalar("|"));
    }

    #[test]
    fn yaml_non_directives_are_ignored() {
        let (d, m) = dirs_yaml(
            "a: \"x # prr:ignore r/s -- in a string\"\nb: c#prr:ignore r/s -- no space\n# see prr:ignore docs\nd: 1 # prr:ignored r/s -- longer word\ne: it's fine # prr:ignore r/s -- apostrophe\n",
        );
        assert!(m.is_empty(), "{m:?}");
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].pos.line, 5);
    }

    #[test]
    fn yaml_invalid_directives() {
        let (d, m) = dirs_yaml(
            "# prr:ignore r/s\n# prr:ignore r/s --\n# prr:ignore -- why\n# prr:ignore r/s until=2030-13-01 -- why\n# prr:ignore r/s foo=1 -- why\n# prr:ignore r/[s -- why\n",
        );
        assert!(d.is_empty(), "{d:?}");
        let lines: Vec<u32> = m.iter().map(|f| f.line).collect();
        assert_eq!(lines, vec![1, 2, 3, 4, 5, 6]);
        assert!(m.iter().all(|f| f.rule == "prr/suppression-invalid"));
        assert!(m[0].message.contains("no reason"), "{}", m[0].message);
        assert!(m[3].message.contains("not a date"), "{}", m[3].message);
    }

    #[test]
    fn markdown_forms_fences_and_code_spans() {
        let (d, m) = dirs_md(
            "<!-- prr:ignore runbook/sections -- legacy -->\n# Title\n## Fix <!-- prr:ignore a/b -- trailing -->\n```\n<!-- prr:ignore c/d -- in a fence -->\n```\nUse `<!-- prr:ignore e/f -- in code -->` to…\n<!-- prr:ignore-file g/h -- whole file -->\n<!-- prr:ignore i/j -->\n<!-- prr:ignore k/l -- open\n",
        );
        assert_eq!(d.len(), 3, "{d:?}");
        assert_eq!(d[0].reach, Reach::Line(Some(2)));
        assert_eq!(d[0].reason, "legacy");
        assert_eq!(d[1].reach, Reach::Line(Some(3)));
        assert_eq!(d[2].reach, Reach::File);
        assert_eq!(
            m.iter().map(|f| f.line).collect::<Vec<_>>(),
            vec![9, 10],
            "{m:?}"
        );
    }

    #[test]
    fn document_and_list_item_spans() {
        let text = "# lead\napiVersion: v1\nkind: A\n---\napiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: B\n  - apiVersion: v1\n    kind: C\n...\n";
        assert_eq!(document_ranges(text), vec![(1, 3), (4, 12)]);
        let docs = crate::inventory::flatten(crate::yaml::parse_documents(text).unwrap());
        let file = SourceFile {
            path: "a.yaml".into(),
            kind: FileKind::Yaml,
            size: 0,
            text: None,
            docs,
        };
        let r = document_ranges(text);
        assert_eq!(object_span(&file, &r, 0), Some((1, 3)));
        assert_eq!(object_span(&file, &r, 1), Some((4, 9)));
        assert_eq!(object_span(&file, &r, 2), Some((10, 12)));
    }
}
