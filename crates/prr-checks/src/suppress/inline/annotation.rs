//! The `prr.dev/ignore` annotation of Kubernetes objects, covering the lines
//! of the object's YAML document (or `kind: List` item).

use super::parse::{invalid, line_no, parse_parts};
use super::{ANNOTATION, Directive, Reach};
use crate::finding::Finding;
use crate::inventory::SourceFile;

/// The line ranges (1-based, inclusive) of the YAML documents of `text`:
/// a `---` line at column 1 starts a document, a `...` line ends one.
pub(super) fn document_ranges(text: &str) -> Vec<(u32, u32)> {
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
pub(super) fn object_span(
    file: &SourceFile,
    ranges: &[(u32, u32)],
    i: usize,
) -> Option<(u32, u32)> {
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
pub(super) fn annotations(
    file: &SourceFile,
    text: &str,
    out: &mut Vec<Directive>,
    meta: &mut Vec<Finding>,
) {
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
