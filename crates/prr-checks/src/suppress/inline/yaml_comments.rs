//! `# prr:ignore` comments of YAML files, told apart from `#` inside strings
//! and block scalars.

use super::parse::{after_marker, pos_at, push_comment, target_line};
use super::{Directive, MARKER};
use crate::finding::Finding;

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
pub(super) fn opens_block_scalar(line: &str) -> bool {
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

/// The directives and directive problems [`scan_yaml`] finds in `text`, as
/// counts (the `yaml_directives` fuzz target's entry point).
pub fn yaml_directive_counts(text: &str) -> (usize, usize) {
    let (mut out, mut meta) = (Vec::new(), Vec::new());
    scan_yaml("fuzz.yaml", text, &mut out, &mut meta);
    (out.len(), meta.len())
}

/// `# prr:ignore …` comments of a YAML file (never inside a block scalar).
pub(super) fn scan_yaml(path: &str, text: &str, out: &mut Vec<Directive>, meta: &mut Vec<Finding>) {
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
        let next = target_line(&lines, i, trailing, |l| l.trim_start().starts_with('#'));
        let pos = pos_at(i, line, hash);
        let form = if file_level {
            "`# prr:ignore-file`"
        } else {
            "`# prr:ignore`"
        };
        push_comment(path, pos, form, file_level, next, body, out, meta);
    }
}
