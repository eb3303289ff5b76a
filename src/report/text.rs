//! Human text: each finding with its rule, message and the offending source
//! line (rendered with `annotate-snippets`), then a one-line summary.

use super::{GateResult, RunReport};
use crate::finding::Level;
use annotate_snippets::{AnnotationKind, Group, Level as SLevel, Origin, Renderer, Snippet};

/// Renders the text report; `color` adds ANSI styles.
pub fn render(r: &RunReport, color: bool) -> String {
    let renderer = if color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    let mut out = String::new();
    for f in r.findings.iter().filter(|f| !f.suppressed) {
        let level = match f.level {
            Level::Error => SLevel::ERROR,
            Level::Warning => SLevel::WARNING,
            _ => SLevel::NOTE,
        };
        let title = format!(
            "{}{}",
            f.message,
            f.service
                .as_ref()
                .map(|s| format!(" [{s}]"))
                .unwrap_or_default()
        );
        let t = level.primary_title(title).id(f.rule.clone());
        let group: Group = match (r.snippet(f), f.path.is_empty()) {
            (Some(line), false) => {
                let col = usize::try_from(f.column).unwrap_or(1).max(1);
                let start = line.char_indices().nth(col - 1).map_or(0, |(i, _)| i);
                let end = line[start..]
                    .find(char::is_whitespace)
                    .map_or(line.len(), |e| start + e)
                    .max((start + 1).min(line.len()));
                t.element(
                    Snippet::source(line.clone())
                        .line_start(usize::try_from(f.line).unwrap_or(1))
                        .path(f.path.clone())
                        .annotation(AnnotationKind::Primary.span(start..end)),
                )
            }
            (None, false) => {
                let mut o = Origin::path(f.path.clone());
                if f.line > 0 {
                    o = o.line(f.line as usize);
                    if f.column > 0 {
                        o = o.char_column(f.column as usize);
                    }
                }
                t.element(o)
            }
            (_, true) => Group::with_title(t),
        };
        out.push_str(&renderer.render(&[group]));
        out.push_str("\n\n");
    }
    let s = &r.summary;
    let verdict = match r.result {
        GateResult::Pass => "PASS",
        GateResult::Fail => "FAIL",
    };
    out.push_str(&format!(
        "prr: {verdict}: {} error(s), {} warning(s), {} notice(s), {} suppressed; {} files scanned\n",
        s.errors, s.warnings, s.notices, s.suppressed, s.files_scanned
    ));
    out
}
