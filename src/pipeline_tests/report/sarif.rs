//! `report::sarif` on whole runs of the pipeline (the reporter's own
//! unit tests are in its crate).

use crate::finding::*;
use crate::report::sarif::*;
use serde_json::{Value, json};
use std::path::Path;

fn example(name: &str) -> crate::CheckRun {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples")
        .join(name);
    match crate::analyze(&root, None) {
        Ok(run) => run,
        Err(e) => panic!("examples/{name}: {e:#}"),
    }
}

fn validate(sarif: &Value) -> Vec<String> {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/schemas/sarif-2.1.0-rtm.5.json");
    let mut schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    // Known defect of the rtm.5 schema: the pattern of `language` (in
    // `run` and `toolComponent`) has a stray `]`, which the jsonschema crate's meta-schema check
    // rejects as an invalid regex. Replace exactly that value, in
    // memory, by the intended pattern (as in the final OASIS schema);
    // prr never writes `language`.
    let mut patched = 0;
    for def in ["run", "toolComponent"] {
        let lang = &mut schema["definitions"][def]["properties"]["language"]["pattern"];
        assert_eq!(lang, "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$");
        *lang = json!("^[a-zA-Z]{2}(-[a-zA-Z]{2})?$");
        patched += 1;
    }
    assert_eq!(patched, 2);
    // The file declares draft-04 (`$schema`); say so explicitly.
    assert_eq!(schema["$schema"], "http://json-schema.org/draft-04/schema#");
    let v = jsonschema::draft4::new(&schema).unwrap();
    v.iter_errors(sarif)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

#[test]
fn legacy_example_is_valid_sarif_without_secrets() {
    let run = example("legacy");
    let r = run.report();
    let text = render(&r);
    let sarif: Value = serde_json::from_str(&text).unwrap();
    let errors = validate(&sarif);
    assert!(errors.is_empty(), "{errors:#?}");
    // The validator does reject a broken log.
    let mut broken = sarif.clone();
    broken["runs"][0]["results"][0]["level"] = json!("fatal");
    assert_eq!(validate(&broken).len(), 1);

    let sarif_run = &sarif["runs"][0];
    let results = sarif_run["results"].as_array().unwrap();
    assert_eq!(results.len(), r.findings.len());
    let rules = sarif_run["tool"]["driver"]["rules"].as_array().unwrap();
    // Every result's ruleIndex points at its rule.
    for res in results {
        let i = res["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[i]["id"], res["ruleId"]);
    }
    for id in ["prr/parse-error", "prr/templated", "prr/skipped"] {
        assert!(rules.iter().any(|d| d["id"] == id), "{id}");
    }
    let runbook = rules
        .iter()
        .find(|d| d["id"] == "alerts/runbook-annotation")
        .unwrap();
    assert_eq!(runbook["defaultConfiguration"]["level"], "error");
    assert!(!runbook["help"]["markdown"].as_str().unwrap().is_empty());

    // One exact result.
    let rb = results
        .iter()
        .find(|x| x["ruleId"] == "alerts/runbook-annotation")
        .unwrap();
    let loc = &rb["locations"][0]["physicalLocation"];
    assert_eq!(loc["artifactLocation"]["uri"], "alerts/rules.yaml");
    assert_eq!(loc["artifactLocation"]["uriBaseId"], "%SRCROOT%");
    assert_eq!(loc["region"]["startLine"], 4);
    assert_eq!(loc["region"]["startColumn"], 16);
    assert_eq!(rb["level"], "error");

    // The secret finding exists, and the fake key never appears.
    let key = results
        .iter()
        .find(|x| x["ruleId"] == "secrets/aws-access-token")
        .unwrap();
    assert_eq!(
        key["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "config/settings.env"
    );
    let raw = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/legacy/config/settings.env"),
    )
    .unwrap();
    let secret = regex::Regex::new(r"AKIA[0-9A-Z]{16}")
        .unwrap()
        .find(&raw)
        .unwrap()
        .as_str()
        .to_string();
    assert!(!text.contains(&secret));
    assert!(text.contains("AKIA…(20 chars)"));

    // Repository-level finding: located at the config file, no region.
    let owners = results
        .iter()
        .find(|x| x["ruleId"] == "prr/codeowners")
        .unwrap();
    let loc = &owners["locations"][0]["physicalLocation"];
    assert_eq!(loc["artifactLocation"]["uri"], "prr.yaml");
    assert!(loc.get("region").is_none());

    // Fingerprints: unique, `hash:N`.
    let fps: std::collections::HashSet<&str> = results
        .iter()
        .map(|x| {
            x["partialFingerprints"]["primaryLocationLineHash"]
                .as_str()
                .unwrap()
        })
        .collect();
    assert_eq!(fps.len(), results.len());
}

#[test]
fn checkout_example_is_valid_sarif() {
    let run = example("checkout");
    let sarif: Value = serde_json::from_str(&render(&run.report())).unwrap();
    let errors = validate(&sarif);
    assert!(errors.is_empty(), "{errors:#?}");
    assert_eq!(sarif["version"], "2.1.0");
    assert_eq!(sarif["runs"][0]["tool"]["driver"]["name"], "prr");
}

#[test]
fn fingerprint_ignores_line_numbers_and_counts_repeats() {
    let body = "groups:\n- name: g\n  rules:\n  - alert: A\n    expr: up == 0\n";
    let shifted = format!("# a comment\n# another\n{body}");
    let fp = |text: &str| {
        let dir = crate::testutil::repo(&[("alerts.yaml", text)]);
        let run = crate::testutil::check_run(dir.path());
        let r = run.report();
        let fps = fingerprints(&r);
        r.findings
            .iter()
            .zip(fps)
            .filter(|(f, _)| f.rule == "alerts/runbook-annotation")
            .map(|(f, fp)| (f.line, fp))
            .collect::<Vec<_>>()
    };
    let a = fp(body);
    let b = fp(&shifted);
    assert_eq!(a.len(), 1);
    assert_eq!(b[0].0, a[0].0 + 2, "the line moved");
    assert_eq!(a[0].1, b[0].1, "the fingerprint did not");
    assert!(a[0].1.ends_with(":1"));

    // The same line content twice: same hash, counters 1 and 2.
    let twice = format!("{body}  - alert: A\n    expr: up == 0\n");
    let c = fp(&twice);
    assert_eq!(c.len(), 2);
    let (h1, n1) = c[0].1.split_once(':').unwrap();
    let (h2, n2) = c[1].1.split_once(':').unwrap();
    assert_eq!((h1, n1, n2), (h2, "1", "2"));
}

#[test]
fn uris_are_percent_encoded_and_levels_mapped() {
    assert_eq!(uri_path("a b/c#d%.yaml"), "a%20b/c%23d%25.yaml");
    assert_eq!(uri_path("deploy/x-y_z.yaml"), "deploy/x-y_z.yaml");
    assert_eq!(level(Level::Notice), "note");
    assert_eq!(level(Level::Warning), "warning");
    assert_eq!(fnv1a64(b""), 0xcbf2_9ce4_8422_2325);
    assert_eq!(fnv1a64(b"a"), 0xaf63_dc4c_8601_ec8c);
}

#[test]
fn suppressed_findings_carry_a_suppression() {
    let dir = crate::testutil::repo(&[("broken.yaml", "a: [\n")]);
    let mut run = crate::testutil::check_run(dir.path());
    for f in &mut run.findings {
        f.suppressed = true;
    }
    let sarif: Value = serde_json::from_str(&render(&run.report())).unwrap();
    let res = &sarif["runs"][0]["results"];
    let pe = res
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["ruleId"] == "prr/parse-error")
        .unwrap();
    assert_eq!(pe["suppressions"][0]["kind"], "external");
    assert!(validate(&sarif).is_empty());
}
