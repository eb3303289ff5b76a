//! The Markdown report: the GitHub job summary (`$GITHUB_STEP_SUMMARY`).
//!
//! Verdict, counts, the error-budget table, the readiness table (score and
//! level per service), findings grouped by rule family
//! (one collapsible `<details>` each) and service, and the findings that got
//! no workflow annotation (GitHub shows [`super::github::MAX_PER_LEVEL`] per
//! level per step, docs/design.md §8). The whole document stays under
//! [`MAX_BYTES`]; what does not fit is counted in a closing note.
//! Messages, paths and names are escaped ([`escape`]) so they cannot break a
//! table or inject HTML.

use super::budget::{BURN_COLUMNS, human_duration, time_to_exhaustion};
use super::github::{self, NotAnnotated, Selection};
use super::{GateResult, RunReport};
use crate::finding::{Finding, Level};
use std::collections::BTreeMap;
use std::fmt::Write as _;

file_reporter!(
    /// The `markdown` format (GitHub job summary).
    Markdown,
    "markdown",
    "Markdown (the GitHub job summary)",
    render
);

/// Upper bound of the rendered summary in bytes: GitHub rejects a step
/// summary over 1 MiB (1,048,576 bytes, GitHub docs "Adding a job
/// summary"); a margin is kept for anything else the step appends.
pub const MAX_BYTES: usize = 1_000_000;

/// Bytes held back for closing tags and the truncation note.
const RESERVE: usize = 4096;

pub use prr_core::text::escape_markdown as escape;

/// The family of a rule ID: the part before the first `/` (`alerts`).
fn family(rule: &str) -> &str {
    rule.split('/').next().unwrap_or(rule)
}

fn icon(level: Level) -> &'static str {
    match level {
        Level::Error => "❌",
        Level::Warning => "⚠️",
        _ => "ℹ️",
    }
}

/// `path:line` (or `path`, or `(repository)`), escaped.
pub fn location(f: &Finding) -> String {
    match (f.path.is_empty(), f.line) {
        (true, _) => "(repository)".to_string(),
        (false, 0) => escape(&f.path),
        (false, n) => format!("{}:{n}", escape(&f.path)),
    }
}

/// One list item for a finding.
fn item(f: &Finding, with_service: bool) -> String {
    let service = match (&f.service, with_service) {
        (Some(s), true) => format!(" \\[{}\\]", escape(s)),
        _ => String::new(),
    };
    format!(
        "- {} **{}** {} — {} ({}){service}\n",
        icon(f.level),
        f.level,
        location(f),
        inline(&f.message),
        escape(&f.rule)
    )
}

/// A message for a list item: its backtick code spans stay code spans
/// (their text unescaped, as CommonMark shows code literally; control
/// characters still shown escaped), the rest is [`escape`]d. With an odd
/// number of backticks nothing is a code span and all is escaped.
pub fn inline(s: &str) -> String {
    if s.matches('`').count() % 2 == 1 {
        return escape(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for (i, part) in s.split('`').enumerate() {
        if i % 2 == 0 {
            out.push_str(&escape(part));
        } else if part.is_empty() {
            out.push_str("``");
        } else {
            out.push('`');
            out.push_str(&super::visible(part));
            out.push('`');
        }
    }
    out
}

/// Appends under the byte cap, counting findings that do not fit.
struct Capped {
    out: String,
    limit: usize,
    cut: usize,
}

impl Capped {
    /// Appends `s` when it fits; returns whether it did.
    fn push(&mut self, s: &str) -> bool {
        if self.cut == 0 && self.out.len() + s.len() + RESERVE <= self.limit {
            self.out.push_str(s);
            true
        } else {
            false
        }
    }

    /// Appends a finding's line or counts it as cut.
    fn finding(&mut self, s: &str) {
        if !self.push(s) {
            self.cut += 1;
        }
    }

    /// Appends structural text (closing tags) that the reserve covers.
    fn force(&mut self, s: &str) {
        self.out.push_str(s);
    }
}

/// The budget table in Markdown (empty string without entries).
pub fn budget_table(r: &RunReport) -> String {
    if r.budget.is_empty() {
        return String::new();
    }
    let mut out = String::from("### Error budget\n\n");
    // The current burn rate is the first window's: one column, not two.
    out.push_str("| service | SLO | remaining | state |");
    for (i, w) in BURN_COLUMNS.iter().enumerate() {
        if i == 0 {
            let _ = write!(out, " burn rate {w} |");
        } else {
            let _ = write!(out, " {w} |");
        }
    }
    out.push_str(" exhausted in | decision |\n|---|---|---:|---|");
    for _ in BURN_COLUMNS {
        out.push_str("---:|");
    }
    out.push_str("---|---|\n");
    for e in r.budget {
        let rd = e.reading.as_ref();
        let num = |x: Option<f64>| x.map_or("–".to_string(), |b| format!("{b:.2}"));
        let _ = write!(
            out,
            "| {} | {} | {} | {} |",
            escape(&e.service),
            escape(&e.slo),
            rd.map_or("–".to_string(), |x| format!(
                "{:.1} %",
                x.remaining * 100.0
            )),
            e.decision.state.as_str(),
        );
        for w in BURN_COLUMNS {
            let _ = write!(
                out,
                " {} |",
                num(rd.and_then(|x| x.burn_rates.get(w).copied()))
            );
        }
        let mut decision = format!("**{}**", e.decision.action.as_str());
        if let Some(x) = &e.decision.exception {
            let _ = write!(decision, " ({} {})", escape(&x.kind), escape(&x.value));
        }
        let _ = writeln!(
            out,
            " {} | {decision} |",
            time_to_exhaustion(e).map_or("–".to_string(), human_duration)
        );
    }
    out.push('\n');
    for e in r.budget.iter().filter(|e| {
        !e.decision.reason.is_empty()
            && (e.error.is_some()
                || e.decision.fast_burn.is_some()
                || e.decision.action != prr_core::budget::Action::Pass)
    }) {
        let _ = writeln!(
            out,
            "- **{}/{}**: {}",
            escape(&e.service),
            escape(&e.slo),
            escape(&e.decision.reason)
        );
    }
    out.push('\n');
    out
}

/// The readiness table in Markdown: one row per service with its tier,
/// score, level, required level (`prr/min-level`) and each area's score
/// with passing/applicable units (`–` when nothing in the area applies).
/// Empty string without readiness.
pub fn readiness_table(r: &RunReport) -> String {
    if r.readiness.is_empty() {
        return String::new();
    }
    let mut out = String::from("### Readiness\n\n| service | tier | score | level | required |");
    for a in prr_core::readiness::Area::ALL {
        let _ = write!(out, " {} |", a.as_str());
    }
    out.push_str("\n|---|---|---:|---|---|");
    for _ in prr_core::readiness::Area::ALL {
        out.push_str("---:|");
    }
    out.push('\n');
    for x in r.readiness {
        let level = if x.meets() {
            format!("**{}**", x.level.label())
        } else {
            format!("❌ **{}**", x.level.label())
        };
        let _ = write!(
            out,
            "| {} | {} | {} | {level} | {} |",
            escape(&x.service),
            x.tier.as_str(),
            x.score_text(),
            x.required.map_or("–", |l| l.as_str()),
        );
        for a in &x.areas {
            match a.score() {
                Some(s) => {
                    let _ = write!(
                        out,
                        " {} {s} ({}/{}) |",
                        prr_core::readiness::bar(s),
                        a.passed,
                        a.total
                    );
                }
                None if a.not_assessed() => out.push_str(" not assessed |"),
                None => out.push_str(" – |"),
            }
        }
        out.push('\n');
    }
    out.push('\n');
    out
}

/// Renders the summary; `sel` says which findings were annotated (from
/// [`github::select`], with the same changed-lines set as the annotations).
pub fn render_with(r: &RunReport, sel: &Selection) -> String {
    render_capped(r, sel, MAX_BYTES)
}

/// [`render_with`] under a byte cap of `limit` (tests use a small one).
pub fn render_capped(r: &RunReport, sel: &Selection, limit: usize) -> String {
    let mut w = Capped {
        out: String::new(),
        limit,
        cut: 0,
    };
    let verdict = match r.result {
        GateResult::Pass => "✅ **prr: PASS** — the production-readiness gate passes",
        GateResult::Fail => "❌ **prr: FAIL** — the production-readiness gate blocks this change",
    };
    let s = &r.summary;
    let mut head = format!("## prr\n\n{verdict}\n\n");
    let _ = writeln!(
        head,
        "| errors | warnings | notices | suppressed | files scanned |\n|---:|---:|---:|---:|---:|\n| {} | {} | {} | {} | {} |\n",
        s.errors, s.warnings, s.notices, s.suppressed, s.files_scanned
    );
    w.force(&head);
    let table = budget_table(r);
    if !w.push(&table) {
        w.force("_Error-budget table omitted: it does not fit the summary size limit._\n\n");
    }
    // One chart per readable SLO, as many as fit (super::chart).
    let charts = super::chart::markdown_charts(r.budget);
    if !charts.is_empty() && w.push("#### Error budget over the SLO window\n\n") {
        for (i, c) in charts.iter().enumerate() {
            if !w.push(c) {
                w.force(&format!(
                    "_{} more budget chart(s) omitted: they do not fit the summary size limit._\n\n",
                    charts.len() - i
                ));
                break;
            }
        }
    }
    let table = readiness_table(r);
    if !w.push(&table) {
        w.force("_Readiness table omitted: it does not fit the summary size limit._\n\n");
    }
    let table = r.coverage.markdown();
    if !w.push(&table) {
        w.force("_Coverage table omitted: it does not fit the summary size limit._\n\n");
    }

    // Findings grouped by family, then service.
    let mut groups: BTreeMap<&str, BTreeMap<&str, Vec<&Finding>>> = BTreeMap::new();
    for f in r
        .findings
        .iter()
        .filter(|f| !f.suppressed && f.level != Level::Off)
    {
        groups
            .entry(family(&f.rule))
            .or_default()
            .entry(f.service.as_deref().unwrap_or(""))
            .or_default()
            .push(f);
    }
    if groups.is_empty() {
        w.force("No findings.\n");
    } else {
        w.force("### Findings\n\n");
    }
    for (fam, services) in &groups {
        let all = services.values().flatten();
        let (mut e, mut wn, mut n) = (0, 0, 0);
        for f in all {
            match f.level {
                Level::Error => e += 1,
                Level::Warning => wn += 1,
                _ => n += 1,
            }
        }
        let total = e + wn + n;
        let open = e > 0;
        let plural = super::verdict::plural;
        let summary = format!(
            "<details{}><summary><b>{}</b> — {} ({}, {}, {})</summary>\n\n",
            if open { " open" } else { "" },
            escape(fam),
            plural(total, "finding"),
            plural(e, "error"),
            plural(wn, "warning"),
            plural(n, "notice"),
        );
        if !w.push(&summary) {
            w.cut += total;
            continue;
        }
        for (svc, items) in services {
            let name = if svc.is_empty() {
                "(no service)".to_string()
            } else {
                escape(svc)
            };
            if !w.push(&format!("**{name}**\n\n")) {
                w.cut += items.len();
                continue;
            }
            for f in items {
                w.finding(&item(f, false));
            }
            w.force("\n");
        }
        w.force("</details>\n\n");
    }

    // What GitHub did not show as annotations: counted, not listed again
    // (every finding is in the list above, once).
    if !sel.not_annotated.is_empty() {
        let over = sel
            .not_annotated
            .iter()
            .filter(|(_, why)| *why == NotAnnotated::OverLimit)
            .count();
        let unchanged = sel.not_annotated.len() - over;
        let mut h = format!(
            "### Not shown as annotations ({})\n\n",
            sel.not_annotated.len()
        );
        if over > 0 {
            let _ = writeln!(
                h,
                "GitHub shows at most {} annotations per level per step: {} {} no annotation.",
                github::MAX_PER_LEVEL,
                super::verdict::plural(over, "more finding"),
                if over == 1 { "has" } else { "have" }
            );
        }
        if unchanged > 0 {
            let _ = writeln!(
                h,
                "{unchanged} finding{} not on lines this change touched.",
                if unchanged == 1 { " is" } else { "s are" }
            );
        }
        h.push_str("They are all in the list above.\n\n");
        w.force(&h);
    }
    if w.cut > 0 {
        let _ = write!(
            w.out,
            "---\n**Truncated:** {} finding line{} cut to keep this summary under {} bytes; see the JSON or SARIF report for the full list.\n",
            w.cut,
            if w.cut == 1 { " was" } else { "s were" },
            limit
        );
    }
    w.out
}

/// Renders the summary with annotations selected by [`github::select`]
/// without a changed-lines restriction.
pub fn render(r: &RunReport) -> String {
    render_with(r, &github::select(r.findings, None))
}

#[cfg(test)]
mod tests {
    static CONFIG_USED: crate::ConfigUsed = crate::ConfigUsed {
        path: None,
        layers: 0,
    };
    use super::*;
    use crate::summarize;
    use crate::yaml::Pos;
    use prr_core::budget::BudgetEntry;
    use prr_core::budget::OnError;
    use prr_core::budget::Reading;
    use prr_core::budget::{Action, Decision, State};

    fn f(rule: &str, level: Level, path: &str, line: u32, svc: &str, msg: &str) -> Finding {
        Finding::new(rule, path, Pos::line(line), msg)
            .with_level(level)
            .with_service(svc)
    }

    fn report<'a>(
        findings: &'a [Finding],
        budget: &'a [BudgetEntry],
        inv: &'a dyn crate::Sources,
    ) -> RunReport<'a> {
        static COVERAGE: std::sync::LazyLock<crate::coverage::Coverage> =
            std::sync::LazyLock::new(Default::default);
        let (summary, result) = summarize(findings, 3);
        RunReport {
            result,
            findings,
            rules: &[],
            gate_rule: None,
            summary,
            sources: inv,
            coverage: &COVERAGE,
            budget,
            readiness: &[],
            config: &CONFIG_USED,
        }
    }

    #[test]
    fn escaping_cannot_break_tables_or_inject_html() {
        assert_eq!(
            escape("a|b <script>x</script> `c` \\ *d*\nnext"),
            "a\\|b &lt;script&gt;x&lt;/script&gt; \\`c\\` \\\\ \\*d\\*\\\\nnext"
        );
        // Line breaks and bidi overrides read as written (`\n`, `\u{202e}`).
        assert_eq!(escape("x\r\u{202e}"), "x\\\\r\\\\u{202e}");
        let inv = crate::NoSources;
        let fs = vec![f(
            "alerts/for",
            Level::Error,
            "a.yaml",
            3,
            "checkout",
            "for: 0s | <img src=x onerror=alert(1)>",
        )];
        let md = render(&report(&fs, &[], &inv));
        assert!(
            md.contains("a.yaml:3 — for: 0s \\| &lt;img src=x onerror=alert(1)&gt; (alerts/for)")
        );
        assert!(!md.contains("<img"));
    }

    #[test]
    fn verdict_counts_groups_and_not_annotated() {
        let inv = crate::NoSources;
        let mut fs = Vec::new();
        for i in 0..12 {
            fs.push(f(
                "alerts/runbook-annotation",
                Level::Error,
                "deploy/alerts.yaml",
                i + 1,
                "checkout",
                "alert has no runbook_url",
            ));
        }
        fs.push(f(
            "k8s/replicas",
            Level::Warning,
            "k8s/d.yaml",
            4,
            "payments",
            "replicas: 1",
        ));
        let mut sup = f(
            "k8s/replicas",
            Level::Error,
            "k8s/e.yaml",
            4,
            "payments",
            "hidden",
        );
        sup.suppressed = true;
        fs.push(sup);
        let r = report(&fs, &[], &inv);
        let md = render(&r);
        assert!(md.contains("❌ **prr: FAIL**"));
        assert!(md.contains("| 12 | 1 | 0 | 1 | 3 |"));
        assert!(md.contains(
            "<details open><summary><b>alerts</b> — 12 findings (12 errors, 0 warnings, 0 notices)</summary>"
        ));
        assert!(md.contains(
            "<details><summary><b>k8s</b> — 1 finding (0 errors, 1 warning, 0 notices)</summary>"
        ));
        assert!(md.contains("**checkout**\n\n- ❌ **error** deploy/alerts.yaml:1 — alert has no runbook\\_url (alerts/runbook-annotation)\n"));
        assert!(md.contains(
            "**payments**\n\n- ⚠️ **warning** k8s/d.yaml:4 — replicas: 1 (k8s/replicas)\n"
        ));
        assert!(!md.contains("hidden"));
        // 12 errors: lines 11 and 12 did not fit the 10 annotations; they
        // are counted, and every finding is listed exactly once.
        let (_, rest) = md.split_once("### Not shown as annotations (2)").unwrap();
        assert!(rest.contains("2 more findings"), "{rest}");
        assert!(rest.contains("They are all in the list above."));
        for i in 1..=12 {
            let line = format!("deploy/alerts.yaml:{i} —");
            assert_eq!(md.matches(&line).count(), 1, "{line} once");
        }
        assert!(!md.contains("Truncated"));
    }

    #[test]
    fn pass_without_findings() {
        let inv = crate::NoSources;
        let md = render(&report(&[], &[], &inv));
        assert!(md.contains("✅ **prr: PASS**"));
        assert!(md.contains("No findings."));
        assert!(!md.contains("Not shown"));
    }

    #[test]
    fn budget_table_rows() {
        let inv = crate::NoSources;
        let mut rd = Reading {
            remaining: 0.5,
            window_seconds: Some(30.0 * 86_400.0),
            ..Default::default()
        };
        rd.burn_rates.insert("1h".into(), 2.0);
        rd.burn_rates.insert("6h".into(), 1.5);
        let e = BudgetEntry {
            service: "checkout".into(),
            slo: "availability".into(),
            provider: "prom".into(),
            on_error: OnError::FailClosed,
            reading: Some(rd),
            error: None,
            decision: Decision {
                state: State::Warning,
                action: Action::Warn,
                reason: "50 % of the budget left (warning below 60 %)".into(),
                exception: None,
                fast_burn: None,
            },
            location: None,
            thresholds: None,
        };
        let md = render(&report(&[], std::slice::from_ref(&e), &inv));
        assert!(md.contains("### Error budget"));
        assert!(md.contains(
            "| checkout | availability | 50.0 % | warning | 2.00 | 1.50 | – | 7d 12h | **warn** |"
        ));
        assert!(md.contains("- **checkout/availability**: 50 % of the budget left"));
    }

    #[test]
    fn capped_with_a_note_counting_what_was_cut() {
        let inv = crate::NoSources;
        let long = "x".repeat(900);
        let fs: Vec<Finding> = (0..3000)
            .map(|i| f("alerts/for", Level::Warning, "a.yaml", i + 1, "s", &long))
            .collect();
        let r = report(&fs, &[], &inv);
        let sel = github::select(r.findings, None);
        let md = render_capped(&r, &sel, 100_000);
        assert!(md.len() <= 100_000, "{}", md.len());
        let shown = md.matches("- ⚠️").count();
        // Every finding appears once, in its family.
        let note = format!("**Truncated:** {} finding lines were cut", 3000 - shown);
        assert!(md.contains(&note), "{note}");
        assert!(
            md.trim_end()
                .ends_with("see the JSON or SARIF report for the full list.")
        );
        assert!(md.contains("</details>"));
        // The real cap: 1 MiB.
        let full = render(&r);
        assert!(full.len() <= MAX_BYTES && full.len() > MAX_BYTES - RESERVE - 2000);
    }
}
