//! `report::junit` on whole runs of the pipeline (the reporter's own
//! unit tests are in its crate).

use crate::finding::*;
use crate::report::RunReport;
use crate::report::junit::*;
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
            .any(|c| attr(c, "classname") == "prr/codeowners" && attr(c, "name") == "(repository)")
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
