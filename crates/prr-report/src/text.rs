//! Human text: each finding with its rule, message and the offending source
//! line (rendered with `annotate-snippets`), then a one-line summary.

use super::Reporter;
use super::{RunReport, visible};
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
        // Every text from the repository is shown with its control and bidi
        // characters escaped: a line break in a message or a file name must
        // not start a line of the log (a `::` workflow command on GitHub).
        let title = format!(
            "{}{}",
            visible(&f.message),
            f.service
                .as_ref()
                .map(|s| format!(" [{}]", visible(s)))
                .unwrap_or_default()
        );
        let path = visible(&f.path).into_owned();
        let t = level.primary_title(title).id(visible(&f.rule).into_owned());
        // A redacted or clipped line is shorter than the source line: the
        // caret points into what is shown, and the header (which the
        // renderer derives from the caret) is set back to the file's column.
        let mut header_fix: Option<(String, String)> = None;
        let group: Group = match (r.snippet(f), f.path.is_empty()) {
            (Some((line, col)), false) if !line.is_empty() => {
                let (line, col) = visible_line(&line, col);
                let span = caret_span(&line, usize::try_from(col).unwrap_or(1));
                let shown_col = line[..span.start].chars().count() + 1;
                if f.column > 0 && shown_col != f.column as usize {
                    header_fix = Some((
                        format!("{path}:{}:{shown_col}\n", f.line),
                        format!("{path}:{}:{}\n", f.line, f.column),
                    ));
                }
                t.element(
                    Snippet::source(line.clone())
                        .line_start(usize::try_from(f.line).unwrap_or(1))
                        .path(path)
                        .annotation(AnnotationKind::Primary.span(span)),
                )
            }
            (_, false) => {
                let mut o = Origin::path(path);
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
        let rendered = renderer.render(&[group]);
        match &header_fix {
            Some((shown, real)) => out.push_str(&rendered.replacen(shown.as_str(), real, 1)),
            None => out.push_str(&rendered),
        }
        out.push_str("\n\n");
    }
    out.push_str(&super::budget::table_styled(r.budget, color));
    if !r.budget.is_empty() {
        out.push('\n');
    }
    out.push_str(&super::chart::text_sparklines(r.budget));
    out.push_str(&readiness(r.readiness));
    out.push_str(&r.coverage.text());
    out.push_str(&super::verdict::tally(r));
    out.push_str(&format!("prr: using {}\n", r.config));
    out.push_str(&format!(
        "prr: {}: {}\n",
        super::verdict::word(r.result, color),
        super::verdict::counts(&r.summary)
    ));
    out
}

/// The readiness block: a header and one line per service,
/// `  checkout: 86/100 silver (slo 100, alerts 75, …)`, with
/// `; below the required gold (tier critical)` when the service fails
/// `prr/min-level`. Empty without readiness.
pub fn readiness(rs: &[prr_core::readiness::Readiness]) -> String {
    if rs.is_empty() {
        return String::new();
    }
    let mut out = String::from("Readiness\n");
    for x in rs {
        out.push_str(&format!(
            "  {}: {} {}",
            visible(&x.service),
            x.score_text(),
            x.level.label()
        ));
        if let Some(req) = x.required.filter(|_| !x.meets()) {
            out.push_str(&format!(
                "; below the required {} (tier {})",
                req.as_str(),
                x.tier.as_str()
            ));
        }
        out.push('\n');
        for bar in x.area_bars() {
            out.push_str(&format!("    {bar}\n"));
        }
    }
    out.push('\n');
    out
}

/// A source line with unsafe characters escaped ([`visible`]) and the
/// 1-based character column moved to match.
fn visible_line(line: &str, column: u32) -> (String, u32) {
    let shown = visible(line);
    if shown.len() == line.len() {
        return (line.to_string(), column);
    }
    let before: String = line
        .chars()
        .take(usize::try_from(column.max(1) - 1).unwrap_or(0))
        .collect();
    let col = visible(&before).chars().count() + 1;
    (shown.into_owned(), u32::try_from(col).unwrap_or(column))
}

/// The byte range to underline in `line` for a 1-based character column:
/// from that character to the next whitespace (at least one character),
/// always on character boundaries. Columns past the end point at the last
/// character.
fn caret_span(line: &str, column: usize) -> std::ops::Range<usize> {
    let n = line.chars().count();
    if n == 0 {
        return 0..0;
    }
    let col = column.clamp(1, n);
    let start = line.char_indices().nth(col - 1).map_or(0, |(i, _)| i);
    let rest = &line[start..];
    let first = rest.chars().next().map_or(0, char::len_utf8);
    let end = rest
        .char_indices()
        .find(|(_, c)| c.is_whitespace())
        .map_or(line.len(), |(i, _)| start + i);
    start..end.max(start + first)
}

/// The `text` format.
pub struct Text;

impl Reporter for Text {
    fn name(&self) -> &'static str {
        "text"
    }

    fn help(&self) -> &'static str {
        "Human text with the offending lines"
    }

    fn render(&self, r: &RunReport, color: bool) -> String {
        let _ = color;
        render(r, color)
    }
}

#[cfg(test)]
mod tests {
    use super::{caret_span, visible_line};

    #[test]
    fn escaped_lines_keep_the_caret_on_its_character() {
        assert_eq!(visible_line("a: b", 4), ("a: b".to_string(), 4));
        assert_eq!(
            visible_line("\tk:\u{202e} v", 6),
            ("\\tk:\\u{202e} v".to_string(), 14)
        );
    }

    #[test]
    fn caret_span_stays_on_char_boundaries() {
        assert_eq!(caret_span("a: b", 4), 3..4);
        assert_eq!(caret_span("key: value here", 6), 5..10);
        // A multi-byte space right at the column: one whole character.
        let l = "x\u{3000}\u{3000}y";
        let r = caret_span(l, 2);
        assert!(l.is_char_boundary(r.start) && l.is_char_boundary(r.end));
        assert_eq!(&l[r], "\u{3000}");
        // Past the end: the last character.
        assert_eq!(caret_span("ab", 99), 1..2);
        assert_eq!(caret_span("", 3), 0..0);
    }
}
