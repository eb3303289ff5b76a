//! `<!-- prr:ignore -->` comments of Markdown files, outside fenced code
//! blocks and code spans.

use super::parse::{after_marker, invalid, pos_at, push_comment, target_line};
use super::{Directive, MARKER};
use crate::finding::Finding;

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
pub(super) fn scan_markdown(
    path: &str,
    text: &str,
    out: &mut Vec<Directive>,
    meta: &mut Vec<Finding>,
) {
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
            let pos = pos_at(i, line, start);
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
            let next = target_line(&lines, i, !outside.trim().is_empty(), md_comment_only);
            push_comment(path, pos, form, file_level, next, body, out, meta);
            from = close;
        }
    }
}
