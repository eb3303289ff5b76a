//! JUnit XML, the de-facto schema read by GitLab (`artifacts:reports:junit`)
//! and Jenkins (JUnit plugin): `<testsuites>` → `<testsuite>` →
//! `<testcase>` with `<failure>` / `<system-out>`.
//!
//! Layout (so CI shows "N tests, M failed" that mean something):
//! - one `<testsuite>` per rule (`name` = rule ID), for every loaded rule
//!   and every other rule ID a finding carries (built-in `prr/…`);
//! - a rule with no unsuppressed finding has one passing testcase
//!   `(all files)`, so a clean run still reports "N tests passed";
//! - otherwise one `<testcase>` per rule × file (`classname` = rule ID,
//!   `name` = path, or `(repository)` for repository-level findings). It
//!   fails (`<failure type="error">`) when the file has an unsuppressed
//!   error-level finding; every finding of the case (warnings and notices
//!   too) is listed in the failure body or, for a passing case, in
//!   `<system-out>`, which both GitLab and Jenkins show in the test details.
//!   Warnings are not `skipped`: they were checked, and the gate passes.
//! - suppressed findings appear in `<system-out>` marked `(suppressed)` and
//!   never fail a case.
//!
//! - the readiness of every service is written as `<property>` elements of
//!   the `prr/min-level` suite (`readiness.<service>.score`, `.level`,
//!   `.tier`, `.required`, `.areas`), where JUnit readers show suite
//!   properties.
//!
//! Source lines come from [`RunReport::snippet`] (redacted), never raw.

use super::RunReport;
use crate::finding::{Finding, Level};
use std::collections::BTreeMap;

file_reporter!(
    /// The `junit` format.
    Junit,
    "junit",
    "JUnit XML (test reports in CI systems)",
    render
);

/// Escapes text for XML 1.0 element content and attribute values: `&`,
/// `<`, `>`, `"`, `'` become entities; characters XML 1.0 forbids (C0
/// controls other than tab, LF, CR; U+FFFE, U+FFFF) cannot be written even
/// as character references, so they are shown as `\u{XX}`.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {
                out.push_str(&format!("\\u{{{:x}}}", c as u32));
            }
            c => out.push(c),
        }
    }
    out
}

/// [`escape`] for attribute values, which XML parsers normalise (a raw
/// tab, LF or CR becomes a space): those are written as character
/// references so they survive.
pub fn escape_attr(s: &str) -> String {
    escape(s)
        .replace('\t', "&#9;")
        .replace('\n', "&#10;")
        .replace('\r', "&#13;")
}

/// One rule × file test case.
struct Case<'a> {
    name: String,
    file: Option<&'a str>,
    findings: Vec<&'a Finding>,
}

impl Case<'_> {
    fn failed(&self) -> bool {
        self.findings
            .iter()
            .any(|f| !f.suppressed && f.level == Level::Error)
    }
}

fn describe(r: &RunReport, f: &Finding) -> String {
    // One line per finding (and one for its source line): line breaks and
    // bidi characters of repository text are shown escaped, as in the text
    // report, so the body printed to a log cannot start a workflow command.
    use super::visible;
    let mut s = String::new();
    if !f.path.is_empty() {
        s.push_str(&visible(&f.path));
        if f.line > 0 {
            s.push_str(&format!(":{}", f.line));
            if f.column > 0 {
                s.push_str(&format!(":{}", f.column));
            }
        }
        s.push_str(": ");
    }
    s.push_str(f.level.as_str());
    if f.suppressed {
        s.push_str(" (suppressed)");
    }
    s.push_str(": ");
    s.push_str(&visible(&f.message));
    if let Some(svc) = &f.service {
        s.push_str(&format!(" [service {}]", visible(svc)));
    }
    s.push('\n');
    if let Some((line, _)) = r.snippet(f) {
        s.push_str(&format!("    {}\n", visible(line.trim_end())));
    }
    s
}

/// The readiness of every service as `<property>` elements of the
/// `prr/min-level` suite: `readiness.<service>.score` (0–100),
/// `.level`, `.tier`, `.required` (when gated) and `.areas`
/// (`slo 100 (6/6), alerts 75 (6/8), …`, applicable areas only).
fn readiness_properties(r: &RunReport) -> String {
    let mut out = String::new();
    let mut prop = |name: String, value: String| {
        out.push_str(&format!(
            "      <property name=\"{}\" value=\"{}\"/>\n",
            escape_attr(&name),
            escape_attr(&value)
        ));
    };
    for x in r.readiness {
        let key = format!("readiness.{}", x.service);
        prop(format!("{key}.score"), x.score.to_string());
        prop(format!("{key}.level"), x.level.as_str().to_string());
        prop(format!("{key}.tier"), x.tier.as_str().to_string());
        if let Some(req) = x.required {
            prop(format!("{key}.required"), req.as_str().to_string());
        }
        let areas: Vec<String> = x
            .areas
            .iter()
            .filter_map(|a| {
                a.score()
                    .map(|s| format!("{} {s} ({}/{})", a.area.as_str(), a.passed, a.total))
            })
            .collect();
        prop(format!("{key}.areas"), areas.join(", "));
    }
    out
}

/// Renders the JUnit XML document.
pub fn render(r: &RunReport) -> String {
    // Rule ID → file → findings; rules in load order, then other IDs.
    let mut order: Vec<(&str, &str)> = r
        .rules
        .iter()
        .map(|x| (x.id.as_str(), x.title.as_str()))
        .collect();
    for f in r.findings {
        if !order.iter().any(|(id, _)| *id == f.rule) {
            let title = super::sarif::BUILTIN_RULES
                .iter()
                .find(|b| b.0 == f.rule)
                .map_or(f.rule.as_str(), |b| b.1);
            order.push((f.rule.as_str(), title));
        }
    }
    let mut by_rule: BTreeMap<&str, BTreeMap<&str, Vec<&Finding>>> = BTreeMap::new();
    for f in r.findings {
        by_rule
            .entry(f.rule.as_str())
            .or_default()
            .entry(f.path.as_str())
            .or_default()
            .push(f);
    }

    let gate = r.gate_rule;
    let mut suites = String::new();
    let (mut total, mut total_failed) = (0usize, 0usize);
    for (id, title) in order {
        let files = by_rule.remove(id).unwrap_or_default();
        let mut cases: Vec<Case> = files
            .into_iter()
            .map(|(path, findings)| Case {
                name: if path.is_empty() {
                    "(repository)".to_string()
                } else {
                    path.to_string()
                },
                file: (!path.is_empty()).then_some(path),
                findings,
            })
            .collect();
        if cases
            .iter()
            .all(|c| c.findings.iter().all(|f| f.suppressed))
        {
            // Nothing to show as a failure: one passing case for the rule,
            // still carrying the suppressed findings in system-out.
            let findings = cases.into_iter().flat_map(|c| c.findings).collect();
            cases = vec![Case {
                name: "(all files)".to_string(),
                file: None,
                findings,
            }];
        }
        let failed = cases.iter().filter(|c| c.failed()).count();
        total += cases.len();
        total_failed += failed;
        suites.push_str(&format!(
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failed}\" errors=\"0\" skipped=\"0\">\n",
            escape_attr(id),
            cases.len(),
        ));
        suites.push_str(&format!(
            "    <properties>\n      <property name=\"title\" value=\"{}\"/>\n",
            escape_attr(title)
        ));
        if gate == Some(id) {
            suites.push_str(&readiness_properties(r));
        }
        suites.push_str("    </properties>\n");
        for c in &cases {
            let file_attr = c
                .file
                .map(|p| format!(" file=\"{}\"", escape_attr(p)))
                .unwrap_or_default();
            suites.push_str(&format!(
                "    <testcase classname=\"{}\" name=\"{}\"{file_attr}",
                escape_attr(id),
                escape_attr(&c.name),
            ));
            if c.findings.is_empty() {
                suites.push_str("/>\n");
                continue;
            }
            suites.push_str(">\n");
            let body: String = c.findings.iter().map(|f| describe(r, f)).collect();
            if c.failed() {
                let errors: Vec<&&Finding> = c
                    .findings
                    .iter()
                    .filter(|f| !f.suppressed && f.level == Level::Error)
                    .collect();
                let first = errors.first().map_or("", |f| f.message.as_str());
                let message = if errors.len() > 1 {
                    format!("{} errors; first: {first}", errors.len())
                } else {
                    first.to_string()
                };
                suites.push_str(&format!(
                    "      <failure type=\"error\" message=\"{}\">{}</failure>\n",
                    escape_attr(&message),
                    escape(&body)
                ));
            } else {
                suites.push_str(&format!(
                    "      <system-out>{}</system-out>\n",
                    escape(&body)
                ));
            }
            suites.push_str("    </testcase>\n");
        }
        suites.push_str("  </testsuite>\n");
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"prr\" tests=\"{total}\" failures=\"{total_failed}\" errors=\"0\">\n{suites}</testsuites>\n"
    )
}
