//! GitHub workflow commands (`::error file=…,line=…,col=…,title=…::message`),
//! with the escaping of `@actions/core` (toolkit `command.ts`): in data,
//! `%`→`%25`, CR→`%0D`, LF→`%0A`; in properties also `:`→`%3A`, `,`→`%2C`.
//!
//! GitHub displays at most [`MAX_PER_LEVEL`] annotations of each level
//! (error, warning, notice) per step (docs/design.md §8), so [`select`] picks the
//! ones to emit — most severe first, then by path, line, column and rule —
//! and reports the rest, which the Markdown job summary lists.

use super::RunReport;
use crate::finding::{Finding, Level};
use std::collections::{HashMap, HashSet};

file_reporter!(
    /// The `github` format.
    Github,
    "github",
    "GitHub workflow commands (`::error file=…,line=…::msg`)",
    render
);

/// Annotations of one level GitHub displays per step (GitHub docs,
/// "Workflow commands": "a maximum of 10 annotations per type per step").
pub const MAX_PER_LEVEL: usize = 10;

/// Escapes a command's message as the toolkit does (`%`, CR, LF: the
/// runner decodes them inside the message, so a line break never starts a
/// new command), and shows every other control or bidi character escaped
/// ([`super::escape_char`]: `\u{202e}`).
pub fn escape_data(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            c if super::is_unsafe_char(c) => out.push_str(&super::escape_char(c)),
            c => out.push(c),
        }
    }
    out
}

/// Escapes a command property value.
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// Changed lines of a pull request: repository-relative path (`/`
/// separators) and 1-based line number, as parsed from the diff.
pub type ChangedLines = HashSet<(String, u32)>;

/// Why an unsuppressed finding got no annotation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NotAnnotated {
    /// Its level already had [`MAX_PER_LEVEL`] annotations.
    OverLimit,
    /// It is not on a line the change touched (PR mode).
    Unchanged,
}

/// Which unsuppressed findings are emitted as annotations and which are not.
#[derive(Clone, Debug, Default)]
pub struct Selection<'a> {
    /// Annotated, in emission order: errors, warnings, notices; each level
    /// ordered by path, line, column, rule. At most [`MAX_PER_LEVEL`] per level.
    pub annotated: Vec<&'a Finding>,
    /// The other unsuppressed findings, in the same order, with the reason.
    pub not_annotated: Vec<(&'a Finding, NotAnnotated)>,
}

/// Whether `f` lies on a changed line: repository-wide findings (empty
/// path) and error-budget findings (`budget/…`: about the service, not a
/// line, and the gate's verdict must show inline) always do; whole-file
/// findings (line 0) do when the file has any changed line; others when
/// `(path, line)` is in `changed`.
pub fn on_changed_line(f: &Finding, changed: &ChangedLines, files: &HashSet<&str>) -> bool {
    if f.path.is_empty() || f.rule.starts_with("budget/") {
        return true;
    }
    if f.line == 0 {
        return files.contains(f.path.as_str());
    }
    changed.contains(&(f.path.clone(), f.line))
}

/// Picks the annotations to emit among the unsuppressed findings: most
/// severe first, stable order within a level (path, line, column, rule),
/// at most [`MAX_PER_LEVEL`] per level. With `changed` (PR mode), only
/// findings on changed lines ([`on_changed_line`]) are annotated.
pub fn select<'a>(findings: &'a [Finding], changed: Option<&ChangedLines>) -> Selection<'a> {
    let mut items: Vec<&Finding> = findings
        .iter()
        .filter(|f| !f.suppressed && f.level != Level::Off)
        .collect();
    items.sort_by(|a, b| {
        b.level
            .cmp(&a.level)
            .then_with(|| a.path.cmp(&b.path))
            .then(a.line.cmp(&b.line))
            .then(a.column.cmp(&b.column))
            .then_with(|| a.rule.cmp(&b.rule))
    });
    let files: HashSet<&str> = changed
        .map(|c| c.iter().map(|(p, _)| p.as_str()).collect())
        .unwrap_or_default();
    let mut per_level: HashMap<Level, usize> = HashMap::new();
    let mut sel = Selection::default();
    for f in items {
        if let Some(c) = changed
            && !on_changed_line(f, c, &files)
        {
            sel.not_annotated.push((f, NotAnnotated::Unchanged));
            continue;
        }
        let n = per_level.entry(f.level).or_insert(0);
        if *n < MAX_PER_LEVEL {
            *n += 1;
            sel.annotated.push(f);
        } else {
            sel.not_annotated.push((f, NotAnnotated::OverLimit));
        }
    }
    sel
}

/// One workflow command line (with its newline) for `f`.
pub fn command(f: &Finding) -> String {
    let cmd = match f.level {
        Level::Error => "error",
        Level::Warning => "warning",
        _ => "notice",
    };
    let mut props = Vec::new();
    if !f.path.is_empty() {
        props.push(format!("file={}", escape_property(&f.path)));
        if f.line > 0 {
            props.push(format!("line={}", f.line));
            if f.column > 0 {
                props.push(format!("col={}", f.column));
            }
        }
    }
    let title = match &f.service {
        Some(s) => format!("{} ({s})", f.rule),
        None => f.rule.clone(),
    };
    props.push(format!("title={}", escape_property(&title)));
    format!("::{cmd} {}::{}\n", props.join(","), escape_data(&f.message))
}

/// The command lines of a [`Selection`]'s annotated findings.
pub fn render_selection(sel: &Selection) -> String {
    sel.annotated.iter().map(|f| command(f)).collect()
}

/// At most [`MAX_PER_LEVEL`] commands per level, most severe first; with
/// `changed`, only findings on changed lines.
pub fn render_with(r: &RunReport, changed: Option<&ChangedLines>) -> String {
    render_selection(&select(r.findings, changed))
}

/// [`render_with`] without a changed-lines restriction, followed by the
/// findings over GitHub's per-level limit as plain log lines (escaped, so
/// none can start a command): the limit is GitHub's display limit, not a
/// reason to drop a finding from the report.
pub fn render(r: &RunReport) -> String {
    let sel = select(r.findings, None);
    let mut out = render_selection(&sel);
    let cut: Vec<&Finding> = sel
        .not_annotated
        .iter()
        .filter(|(_, why)| *why == NotAnnotated::OverLimit)
        .map(|(f, _)| *f)
        .collect();
    if !cut.is_empty() {
        out.push_str(&format!(
            "prr: {} not annotated (GitHub shows at most {MAX_PER_LEVEL} annotations per level and step):\n",
            crate::verdict::plural(cut.len(), "more finding")
        ));
        for f in cut {
            let at = match (f.path.is_empty(), f.line) {
                (true, _) => "(repository)".to_string(),
                (false, 0) => super::visible(&f.path).into_owned(),
                (false, l) => format!("{}:{l}:{}", super::visible(&f.path), f.column),
            };
            out.push_str(&format!(
                "  {at}: {} {}: {}\n",
                f.level.as_str(),
                super::visible(&f.rule),
                super::visible(&f.message)
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    static CONFIG_USED: crate::ConfigUsed = crate::ConfigUsed {
        path: None,
        layers: 0,
    };
    use super::*;
    use crate::yaml::Pos;

    fn f(level: Level, path: &str, line: u32) -> Finding {
        Finding::new(
            "alerts/for",
            path,
            Pos::line(line),
            format!("m {path}:{line}"),
        )
        .with_level(level)
    }

    #[test]
    fn findings_over_the_limit_are_listed_not_dropped() {
        let fs: Vec<Finding> = (1..=13).map(|i| f(Level::Error, "a.yaml", i)).collect();
        let coverage = super::super::coverage::Coverage::default();
        let report = RunReport {
            result: super::super::GateResult::Fail,
            findings: &fs,
            rules: &[],
            gate_rule: None,
            summary: Default::default(),
            sources: &super::super::NoSources,
            coverage: &coverage,
            budget: &[],
            readiness: &[],
            config: &CONFIG_USED,
        };
        let out = render(&report);
        assert_eq!(out.lines().filter(|l| l.starts_with("::error")).count(), 10);
        assert!(out.contains("prr: 3 more findings not annotated"), "{out}");
        assert!(
            out.contains("  a.yaml:13:1: error alerts/for: m a.yaml:13\n"),
            "{out}"
        );
        assert!(
            out.lines()
                .filter(|l| !l.starts_with("::"))
                .all(|l| !l.trim_start().starts_with("::"))
        );
    }

    #[test]
    fn toolkit_escaping() {
        assert_eq!(escape_data("50% done\nnext\r"), "50%25 done%0Anext%0D");
        assert_eq!(
            escape_data("a\u{202e}b\u{2028}c\td"),
            "a\\u{202e}b\\u{2028}c\\td"
        );
        assert_eq!(escape_property("a:b,c%"), "a%3Ab%2Cc%25");
    }

    #[test]
    fn command_line_shape() {
        let mut x = f(Level::Warning, "deploy/a,b.yaml", 7).with_service("checkout");
        x.column = 3;
        x.message = "100% bad\nfix it".into();
        assert_eq!(
            command(&x),
            "::warning file=deploy/a%2Cb.yaml,line=7,col=3,title=alerts/for (checkout)::100%25 bad%0Afix it\n"
        );
    }

    #[test]
    fn ten_per_level_most_severe_first_rest_reported() {
        let mut all = Vec::new();
        // 12 notices, 12 warnings, 12 errors, given in reverse path order.
        for level in [Level::Notice, Level::Warning, Level::Error] {
            for i in (0..12).rev() {
                all.push(f(level, &format!("f{i:02}.yaml"), 1));
            }
        }
        let mut s = f(Level::Error, "s.yaml", 1);
        s.suppressed = true;
        all.push(s);
        let sel = select(&all, None);
        assert_eq!(sel.annotated.len(), 30);
        assert_eq!(sel.not_annotated.len(), 6);
        assert!(sel.annotated[..10].iter().all(|f| f.level == Level::Error));
        assert!(
            sel.annotated[10..20]
                .iter()
                .all(|f| f.level == Level::Warning)
        );
        assert!(sel.annotated[20..].iter().all(|f| f.level == Level::Notice));
        assert_eq!(sel.annotated[0].path, "f00.yaml");
        assert_eq!(sel.annotated[9].path, "f09.yaml");
        let rest: Vec<_> = sel
            .not_annotated
            .iter()
            .map(|(f, why)| (f.level, f.path.as_str(), *why))
            .collect();
        assert_eq!(rest[0], (Level::Error, "f10.yaml", NotAnnotated::OverLimit));
        assert_eq!(rest[1], (Level::Error, "f11.yaml", NotAnnotated::OverLimit));
        assert_eq!(
            rest[5],
            (Level::Notice, "f11.yaml", NotAnnotated::OverLimit)
        );
        let out = render_selection(&sel);
        assert_eq!(out.lines().count(), 30);
        assert!(out.starts_with("::error file=f00.yaml,line=1,"));
        assert!(!out.contains("s.yaml"));
    }

    #[test]
    fn changed_lines_only() {
        let all = vec![
            f(Level::Error, "a.yaml", 3),
            f(Level::Error, "a.yaml", 4),
            f(Level::Warning, "a.yaml", 0),
            f(Level::Warning, "b.yaml", 0),
            f(Level::Notice, "", 0),
        ];
        let changed: ChangedLines = [("a.yaml".to_string(), 3)].into_iter().collect();
        let sel = select(&all, Some(&changed));
        let ann: Vec<_> = sel
            .annotated
            .iter()
            .map(|f| (f.path.as_str(), f.line))
            .collect();
        assert_eq!(ann, vec![("a.yaml", 3), ("a.yaml", 0), ("", 0)]);
        let rest: Vec<_> = sel
            .not_annotated
            .iter()
            .map(|(f, why)| (f.path.as_str(), f.line, *why))
            .collect();
        assert_eq!(
            rest,
            vec![
                ("a.yaml", 4, NotAnnotated::Unchanged),
                ("b.yaml", 0, NotAnnotated::Unchanged)
            ]
        );
    }
}
