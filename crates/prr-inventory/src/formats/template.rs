//! Go/Helm template markers (`{{ … }}`) in YAML files, and whether they are
//! why a file does not parse.
//!
//! A file is "templated" (not checked as YAML, a `prr/templated` notice)
//! only when it is not valid YAML *because of* template markers written
//! outside scalars. Markers inside quoted or block scalars are values
//! (Prometheus annotations such as `summary: "{{ $labels.instance }} down"`
//! are rendered by Prometheus at alert time) and never make YAML invalid;
//! a file that has them and still fails to parse is broken YAML, reported
//! as `prr/parse-error`.

use crate::yaml::{self, Pos, YamlError};
use std::ops::Range;

/// Byte ranges of the `{{ … }}` markers in `text` that are outside quoted
/// scalars, block scalars (`|`, `>`) and comments, in order. A marker runs
/// to the next `}}` (possibly on a later line), or to the end of the text.
///
/// The scan is line-based and approximates YAML's lexical rules: a quote
/// opens a quoted scalar only where a value starts (after indentation,
/// `- `, `: `, `? `, or `[`, `{`, `,` in a flow collection); `#` starts a
/// comment after whitespace; a line ending in `|` or `>` (with chomping or
/// indentation indicators) starts a block scalar whose content is the
/// following lines indented more than that line.
pub fn markers_outside_scalars(text: &str) -> Vec<Range<usize>> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    // Indentation of the line that opened the block scalar being read.
    let mut block_parent: Option<usize> = None;
    let mut flow = 0usize;
    let mut at_line_start = true;
    let (mut indent, mut value_start, mut block_indicator) = (0usize, true, false);
    let mut i = 0;
    while i < b.len() {
        if at_line_start {
            at_line_start = false;
            let line_end = b[i..]
                .iter()
                .position(|c| *c == b'\n')
                .map_or(b.len(), |p| i + p);
            indent = b[i..line_end].iter().take_while(|c| **c == b' ').count();
            let blank = b[i..line_end].iter().all(u8::is_ascii_whitespace);
            if let Some(parent) = block_parent {
                if blank || indent > parent {
                    // Block scalar content.
                    i = line_end + 1;
                    at_line_start = true;
                    continue;
                }
                block_parent = None;
            }
            value_start = true;
            block_indicator = false;
            i += indent;
            continue;
        }
        let c = b[i];
        if c == b'{' && b.get(i + 1) == Some(&b'{') {
            let end = find(b, i + 2, b"}}").map_or(b.len(), |e| e + 2);
            out.push(i..end);
            i = end;
            value_start = false;
            block_indicator = false;
            continue;
        }
        match c {
            b'\n' => {
                if block_indicator {
                    block_parent = Some(indent);
                }
                at_line_start = true;
            }
            b'\'' | b'"' if value_start => {
                // May end on a later line: scanning goes on after it.
                i = quoted_end(b, i);
                value_start = false;
                block_indicator = false;
                continue;
            }
            b'#' if i == 0 || matches!(b[i - 1], b' ' | b'\t' | b'\n') => {
                i = b[i..]
                    .iter()
                    .position(|c| *c == b'\n')
                    .map_or(b.len(), |p| i + p);
                continue;
            }
            b'|' | b'>' if value_start && flow == 0 => {
                block_indicator = true;
                value_start = false;
            }
            b'+' | b'-' | b'0'..=b'9' if block_indicator => {}
            b' ' | b'\t' | b'\r' => {}
            b'-' | b'?' if value_start && matches!(b.get(i + 1), Some(b' ' | b'\n') | None) => {}
            b':' if matches!(b.get(i + 1), Some(b' ' | b'\t' | b'\r' | b'\n') | None) => {
                value_start = true;
                block_indicator = false;
            }
            b'[' | b'{' if value_start || flow > 0 => {
                flow += 1;
                value_start = true;
            }
            b']' | b'}' if flow > 0 => {
                flow -= 1;
                value_start = false;
            }
            b',' if flow > 0 => value_start = true,
            _ => {
                value_start = false;
                block_indicator = false;
            }
        }
        i += 1;
    }
    out
}

/// Openers of values that another tool fills in before the consumer reads
/// them: Go/Helm templates `{{`, Go templates with `[[ ]]` delimiters,
/// `${VAR}` (envsubst, Terraform `templatefile`, Flux post-build
/// substitution, OpenShift Template parameters), `$(VAR)` (kustomize vars),
/// `{%` (Jinja), `<%` (ERB).
pub const PLACEHOLDER_OPENERS: &[&str] = &["{{", "[[", "${", "$(", "{%", "<%"];

/// Byte index of the first unresolved placeholder in a value (see
/// [`PLACEHOLDER_OPENERS`]): a value such as a runbook link that holds one
/// is not a file name; only the part before it is known.
pub fn first_placeholder(value: &str) -> Option<usize> {
    PLACEHOLDER_OPENERS
        .iter()
        .filter_map(|o| value.find(o))
        .min()
}

/// Index of the first `pat` in `b` at or after `from`.
fn find(b: &[u8], from: usize, pat: &[u8]) -> Option<usize> {
    b.get(from..)?
        .windows(pat.len())
        .position(|w| w == pat)
        .map(|p| from + p)
}

/// Index just past the quoted scalar opening at `start` (`''` escapes a
/// single quote, `\` escapes in double quotes); the end of the text when
/// it is not closed.
fn quoted_end(b: &[u8], start: usize) -> usize {
    let q = b[start];
    let mut i = start + 1;
    while i < b.len() {
        if q == b'"' && b[i] == b'\\' {
            i += 2;
            continue;
        }
        if b[i] == q {
            if q == b'\'' && b.get(i + 1) == Some(&b'\'') {
                i += 2;
                continue;
            }
            return i + 1;
        }
        i += 1;
    }
    b.len()
}

/// `text` with the given marker ranges blanked out: a line holding only
/// markers (`{{- if … }}`, `{{ end }}`) becomes empty, a marker inside a
/// line becomes `x`s of the same length (a placeholder value). Line
/// breaks, and so all positions, are kept.
pub fn neutralize(text: &str, markers: &[Range<usize>]) -> String {
    let mut b = text.as_bytes().to_vec();
    let mut in_marker = vec![false; b.len()];
    for r in markers {
        for flag in &mut in_marker[r.clone()] {
            *flag = true;
        }
    }
    let mut start = 0;
    while start < b.len() {
        let end = b[start..]
            .iter()
            .position(|c| *c == b'\n')
            .map_or(b.len(), |p| start + p);
        let only_markers = (start..end).any(|k| in_marker[k])
            && (start..end).all(|k| in_marker[k] || b[k].is_ascii_whitespace());
        for k in start..end {
            if in_marker[k] {
                b[k] = if only_markers { b' ' } else { b'x' };
            }
        }
        start = end + 1;
    }
    // Only ASCII bytes were written over whole markers, but a marker may
    // hold multi-byte characters: replace per byte keeps the length.
    String::from_utf8_lossy(&b).into_owned()
}

/// When `text` failed to parse with `err`: the position of the first
/// template marker outside scalars if the markers are why (the text parses
/// once they are blanked out, or then fails somewhere else); `None` when
/// there are no such markers or the same error remains without them (the
/// file is broken YAML whatever the templates render).
pub fn caused_by_markers(text: &str, err: &YamlError) -> Option<Pos> {
    let markers = markers_outside_scalars(text);
    let first = markers.first()?;
    let blanked = neutralize(text, &markers);
    let still = yaml::parse_documents(&blanked).err();
    if still.is_some_and(|e| e.pos == err.pos && e.message == err.message) {
        return None;
    }
    Some(pos_of(text, first.start))
}

/// The 1-based line and column (in characters) of byte `at` in `text`.
pub fn pos_of(text: &str, at: usize) -> Pos {
    let before = &text[..at.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    Pos {
        line: u32::try_from(line).unwrap_or(u32::MAX),
        column: u32::try_from(col).unwrap_or(u32::MAX),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn marked(text: &str) -> Vec<&str> {
        markers_outside_scalars(text)
            .into_iter()
            .map(|r| &text[r])
            .collect()
    }

    #[test]
    fn markers_in_scalars_are_values() {
        let t = "a:\n  s: \"{{ $labels.x }} down\"\n  q: '{{ $value }}'\n  b: >-\n    {{ $labels.app }} is\n    broken\n  p: The value {{ $value }} is high\n  # {{ comment }}\nc: 1\n";
        assert_eq!(marked(t), vec!["{{ $value }}"], "only the plain-scalar one");
        let t = "m: 'from {{ with query \"x\" }}\n  {{ . }}\n  {{ end }} to'\nn: 2\n";
        assert!(marked(t).is_empty(), "{:?}", marked(t));
    }

    #[test]
    fn markers_outside_scalars_are_found() {
        let t = "{{- $alert := \"A\" -}}\n{{- if x -}}\nalert: {{ $alert }}\nexpr: |\n  up{ns=\"{{ .namespace }}\"}\n{{- end }}\n";
        assert_eq!(
            marked(t),
            vec![
                "{{- $alert := \"A\" -}}",
                "{{- if x -}}",
                "{{ $alert }}",
                "{{- end }}"
            ]
        );
        let n = neutralize(t, &markers_outside_scalars(t));
        assert_eq!(n.lines().count(), t.lines().count());
        assert!(n.contains("alert: xxxxxxxxxxxx\n"), "{n}");
        assert!(yaml::parse_documents(&n).is_ok(), "{n}");
    }

    #[test]
    fn placeholders_in_values() {
        assert_eq!(first_placeholder("runbooks/{{ $labels.x }}.md"), Some(9));
        assert_eq!(first_placeholder("[[ .RunbookURL ]]"), Some(0));
        assert_eq!(first_placeholder("${runbook_base}/x.md#a"), Some(0));
        assert_eq!(first_placeholder("docs/$(RUNBOOKS)/x.md"), Some(5));
        assert_eq!(first_placeholder("runbooks/disk-full.md#fix"), None);
        assert_eq!(first_placeholder("https://x.dev/a?b=$1"), None);
    }

    #[test]
    fn templates_versus_broken_yaml() {
        // A Helm fragment: not YAML because of its markers.
        let t = "{{- if .Values.on }}\nreplicas: {{ .Values.n }}\nlabels:\n  {{- include \"x\" . | nindent 2 }}\n{{- end }}\n";
        let err = yaml::parse_documents(t).unwrap_err();
        assert_eq!(caused_by_markers(t, &err), Some(Pos { line: 1, column: 1 }));
        // A rule file with markers only in annotations and a duplicate key:
        // broken whatever the templates say.
        let t = "groups:\n- name: g\n  rules:\n  - alert: A\n    expr: up == 0\n    annotations:\n      summary: \"{{ $labels.instance }} down\"\n    annotations:\n      x: y\n";
        let err = yaml::parse_documents(t).unwrap_err();
        assert_eq!(caused_by_markers(t, &err), None);
    }
}
