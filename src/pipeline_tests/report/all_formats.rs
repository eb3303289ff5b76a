//! Every report format on one run of the pipeline.
use crate::report::*;
use crate::testutil;

#[test]
fn every_format_renders_the_same_verdict() {
    let dir = testutil::repo(&[("broken.yaml", "a: [\n"), ("CODEOWNERS", "* @x\n")]);
    let run = testutil::check_run(dir.path());
    let r = run.report();
    assert_eq!(r.result, GateResult::Fail);
    assert_eq!(r.summary.files_scanned, 2);
    assert!(r.summary.errors >= 1);
    let json: serde_json::Value =
        serde_json::from_str(&Format::JSON.reporter().render(&r, false)).unwrap();
    assert_eq!(json["result"], "fail");
    assert!(
        Format::TEXT
            .reporter()
            .render(&r, false)
            .contains("prr: FAIL")
    );
    assert!(
        Format::GITHUB
            .reporter()
            .render(&r, false)
            .contains("::error file=broken.yaml,line=1")
    );
}
