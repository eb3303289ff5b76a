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

use super::Reporter;
use super::RunReport;
use crate::finding::{Finding, Level};
use std::collections::BTreeMap;

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

/// The `junit` format.
pub struct Junit;

impl Reporter for Junit {
    fn name(&self) -> &'static str {
        "junit"
    }

    fn help(&self) -> &'static str {
        "JUnit XML (test reports in CI systems)"
    }

    fn render(&self, r: &RunReport, color: bool) -> String {
        let _ = color;
        render(r)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quick_xml::events::Event;
    use std::path::Path;

    /// A parsed element: tag, attributes, text content.
    type Element = (String, Vec<(String, String)>, String);

    /// Parses `xml` fully with quick-xml (checking that end tags match and
    /// entities are valid) and returns (tag, attributes, text) per element.
    fn parse(xml: &str) -> Vec<Element> {
        let mut reader = quick_xml::Reader::from_str(xml);
        reader.config_mut().check_end_names = true;
        let mut out: Vec<Element> = Vec::new();
        let mut stack: Vec<usize> = Vec::new();
        let mut depth0_roots = 0;
        loop {
            match reader.read_event() {
                Err(e) => panic!("not well-formed at {}: {e}", reader.buffer_position()),
                Ok(Event::Eof) => break,
                Ok(ev @ (Event::Start(_) | Event::Empty(_))) => {
                    let (e, empty) = match &ev {
                        Event::Start(e) => (e, false),
                        Event::Empty(e) => (e, true),
                        _ => unreachable!(),
                    };
                    if stack.is_empty() {
                        depth0_roots += 1;
                    }
                    let name = e.name().as_ref().to_string();
                    let attrs = e
                        .attributes()
                        .map(|a| {
                            let a = a.unwrap();
                            (
                                a.key.as_ref().to_string(),
                                a.normalized_value(quick_xml::XmlVersion::Explicit1_0)
                                    .unwrap()
                                    .into_owned(),
                            )
                        })
                        .collect();
                    out.push((name, attrs, String::new()));
                    if !empty {
                        stack.push(out.len() - 1);
                    }
                }
                Ok(Event::End(_)) => {
                    stack.pop();
                }
                Ok(Event::Text(t)) => {
                    if let Some(&i) = stack.last() {
                        out[i].2.push_str(&t.xml10_content());
                    }
                }
                Ok(Event::GeneralRef(r)) => {
                    if let Some(&i) = stack.last() {
                        let name = r.into_inner();
                        let entity = format!("&{name};");
                        let s = quick_xml::escape::unescape(&entity).unwrap();
                        out[i].2.push_str(&s);
                    }
                }
                Ok(_) => {}
            }
        }
        assert!(stack.is_empty(), "unclosed elements");
        assert_eq!(depth0_roots, 1, "one root element");
        out
    }

    fn attr<'a>(e: &'a Element, k: &str) -> &'a str {
        e.1.iter()
            .find(|(n, _)| n == k)
            .map_or("", |(_, v)| v.as_str())
    }

    #[test]
    fn escapes_markup_and_control_characters() {
        assert_eq!(escape("<&>\"'"), "&lt;&amp;&gt;&quot;&apos;");
        assert_eq!(escape("a\u{1}b\u{1b}c\td\n"), "a\\u{1}b\\u{1b}c\td\n");
        assert_eq!(escape("\u{FFFF}é"), "\\u{ffff}é");
        let xml = format!(
            "<a b=\"{}\">{}</a>",
            escape_attr("<&>\"'\u{0}\n"),
            escape("<&>\"'\u{7}")
        );
        let els = parse(&xml);
        assert_eq!(attr(&els[0], "b"), "<&>\"'\\u{0}\n");
        assert_eq!(els[0].2, "<&>\"'\\u{7}");
    }

    #[test]
    fn legacy_example_counts() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/legacy");
        let run = crate::analyze(&root, None).unwrap();
        let r = run.report();
        let xml = render(&r);
        let els = parse(&xml);
        assert_eq!(els[0].0, "testsuites");
        let suites: Vec<_> = els.iter().filter(|e| e.0 == "testsuite").collect();
        let cases: Vec<_> = els.iter().filter(|e| e.0 == "testcase").collect();
        let failures: Vec<_> = els.iter().filter(|e| e.0 == "failure").collect();

        // Expected from the findings: one suite per rule, one case per
        // rule × file with findings (one per finding-less rule), a failure
        // per rule × file with an unsuppressed error.
        let mut pairs = std::collections::BTreeSet::new();
        let mut failing = std::collections::BTreeSet::new();
        for f in r.findings {
            pairs.insert((f.rule.as_str(), f.path.as_str()));
            if !f.suppressed && f.level == Level::Error {
                failing.insert((f.rule.as_str(), f.path.as_str()));
            }
        }
        let rules_with: std::collections::BTreeSet<_> = pairs.iter().map(|p| p.0).collect();
        let quiet = r
            .rules
            .iter()
            .filter(|x| !rules_with.contains(x.id.as_str()))
            .count();
        assert_eq!(cases.len(), pairs.len() + quiet);
        assert_eq!(failures.len(), failing.len());
        assert_eq!(attr(els.first().unwrap(), "tests"), cases.len().to_string());
        assert_eq!(attr(&els[0], "failures"), failures.len().to_string());
        assert_eq!(
            suites.len(),
            r.rules.len() + rules_with.iter().filter(|id| r.rule(id).is_none()).count()
        );
        // The fixture's known shape (examples/legacy): these files fail.
        for (rule, file) in [
            ("alerts/runbook-annotation", "alerts/rules.yaml"),
            ("alerts/runbook-resolves", "alerts/rules.yaml"),
            ("secrets/aws-access-token", "config/settings.env"),
        ] {
            let i = els
                .iter()
                .position(|e| {
                    e.0 == "testcase" && attr(e, "classname") == rule && attr(e, "name") == file
                })
                .unwrap_or_else(|| panic!("{rule} {file}"));
            assert_eq!(els[i + 1].0, "failure", "{rule} {file}");
        }
        // runbook-resolves: two errors in one file, one case.
        let rr = els
            .iter()
            .position(|e| e.0 == "testcase" && attr(e, "classname") == "alerts/runbook-resolves")
            .unwrap();
        assert!(attr(&els[rr + 1], "message").starts_with("2 errors; first: "));
        // Warnings only: a passing case with the findings in system-out.
        let rs = els
            .iter()
            .position(|e| e.0 == "testcase" && attr(e, "classname") == "runbook/sections")
            .unwrap();
        assert_eq!(els[rs + 1].0, "system-out");
        assert!(
            els[rs + 1]
                .2
                .contains("docs/runbooks/inventory-down.md:1:1: warning: ")
        );
        // Repository-level finding.
        assert!(
            cases
                .iter()
                .any(|c| attr(c, "classname") == "prr/codeowners"
                    && attr(c, "name") == "(repository)")
        );
        let key = regex::Regex::new(r"AKIA[0-9A-Z]{16}").unwrap();
        assert!(!key.is_match(&xml));
        assert!(xml.contains("AKIA…(20 chars)"));
    }

    #[test]
    fn a_clean_run_reports_passing_tests() {
        let dir = crate::testutil::repo(&[("README.md", "# hello\n")]);
        let run = crate::testutil::check_run(dir.path());
        let r = run.report();
        let mut clean: Vec<_> = r.findings.to_vec();
        clean.clear();
        let report = RunReport {
            findings: &clean,
            ..r
        };
        let xml = render(&report);
        let els = parse(&xml);
        let n = report.rules.len();
        assert!(n > 5);
        assert_eq!(attr(&els[0], "tests"), n.to_string());
        assert_eq!(attr(&els[0], "failures"), "0");
        assert!(!xml.contains("<failure"));
        assert_eq!(
            els.iter()
                .filter(|e| e.0 == "testcase" && attr(e, "name") == "(all files)")
                .count(),
            n
        );
    }
}
