//! `report::markdown` on a whole run of the pipeline.
use crate::finding::*;
use crate::report::markdown::*;
use crate::report::{GateResult, github};

#[test]
fn legacy_example_lists_every_finding_and_what_was_not_annotated() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/legacy");
    let run = crate::testutil::check_run(&root);
    let r = run.report();
    let md = render(&r);
    if std::env::var_os("PRR_PEEK").is_some() {
        eprintln!("{md}");
    }
    assert_eq!(md.contains("**prr: FAIL**"), r.result == GateResult::Fail);
    let shown: Vec<&Finding> = r.findings.iter().filter(|f| !f.suppressed).collect();
    assert!(!shown.is_empty());
    for f in &shown {
        assert!(md.contains(&format!("{} — {}", location(f), inline(&f.message))));
    }
    let sel = github::select(r.findings, None);
    assert_eq!(sel.annotated.len() + sel.not_annotated.len(), shown.len());
    if !sel.not_annotated.is_empty() {
        assert!(md.contains(&format!(
            "### Not shown as annotations ({})",
            sel.not_annotated.len()
        )));
    }
}
