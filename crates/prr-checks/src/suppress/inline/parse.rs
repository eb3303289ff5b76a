//! The text of a directive: the marker, the rule list with `until=`, the
//! ` -- ` before the reason, and the positions and findings shared by the
//! comment and annotation readers.

use super::{Body, Directive, Reach};
use crate::finding::{Finding, Level};
use crate::yaml::Pos;
use globset::{Glob, GlobSetBuilder};

/// A 1-based line number from a 0-based index.
pub(super) fn line_no(i: usize) -> u32 {
    u32::try_from(i + 1).unwrap_or(u32::MAX)
}

/// A 1-based column (in characters) of byte offset `at` of `line`.
pub(super) fn column(line: &str, at: usize) -> u32 {
    u32::try_from(line.get(..at).map_or(0, |s| s.chars().count()) + 1).unwrap_or(u32::MAX)
}

/// The position of byte offset `at` of `line`, the line at 0-based index
/// `i`.
pub(super) fn pos_at(i: usize, line: &str, at: usize) -> Pos {
    Pos {
        line: line_no(i),
        column: column(line, at),
    }
}

/// The 1-based line a directive comment on line index `i` applies to: its
/// own when it trails code, else the next line that is not only a comment
/// (`comment_only` says which are); `None` when none follows.
pub(super) fn target_line(
    lines: &[&str],
    i: usize,
    trailing: bool,
    comment_only: impl Fn(&str) -> bool,
) -> Option<u32> {
    if trailing {
        return Some(line_no(i));
    }
    lines
        .iter()
        .enumerate()
        .skip(i + 1)
        .find(|(_, l)| !comment_only(l))
        .map(|(j, _)| line_no(j))
}

/// `prr/suppression-invalid` at `path:pos`.
pub(super) fn invalid(path: &str, pos: Pos, what: &str, why: &str) -> Finding {
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
pub(super) fn after_marker(s: &str) -> Option<(bool, &str)> {
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
pub(super) fn parse_parts(head: &str, reason: &str) -> Result<Body, String> {
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
pub(super) fn push_comment(
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
