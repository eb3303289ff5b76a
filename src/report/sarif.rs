//! SARIF 2.1.0 (OASIS, <https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html>),
//! shaped for GitHub code scanning
//! (<https://docs.github.com/en/code-security/code-scanning/integrating-with-code-scanning/sarif-support-for-code-scanning>).
//!
//! Written with `serde_json` rather than a typed SARIF crate: prr emits a
//! small, fixed subset, and the test validates the output against the
//! official schema (tests/fixtures/schemas). What is emitted:
//!
//! - one `run` (§3.14) whose `tool.driver` (§3.18–3.19) is prr with its
//!   version and every rule (§3.49 `reportingDescriptor`): the loaded rules,
//!   the built-in `prr/parse-error`, `prr/templated`, `prr/skipped`, and any
//!   other rule ID a finding carries;
//! - one `result` (§3.27) per finding with `ruleId`, `ruleIndex`, `level`
//!   (§3.27.10: error / warning / note), `message.text`, one location with a
//!   repository-relative `artifactLocation.uri` and `uriBaseId: %SRCROOT%`
//!   (§3.4), a `region` (§3.30) only when the line is known,
//!   `partialFingerprints.primaryLocationLineHash` (§3.27.17, GitHub's
//!   `hash:occurrence` form) and `suppressions` (§3.35) for suppressed
//!   findings;
//! - the readiness of every service (score, level, areas; the same objects
//!   as the JSON report's `readiness`) in the run's property bag
//!   (`runs[0].properties.readiness`; property bags, §3.8).
//!
//! Repository-level findings (empty path, e.g. "no CODEOWNERS file") have
//! no file, but code scanning rejects results without a location: they
//! point at the config file (`prr.yaml` / `.prr.yaml`) when the repository
//! has one, else at `.` (the repository root), without a region.
//!
//! No secret ever reaches the output: messages are redacted by the engine,
//! and the only source text used (the region snippet and the fingerprint
//! input) comes from [`RunReport::snippet`], the redacted line.

use super::Reporter;
use super::RunReport;
use crate::finding::{Finding, Level};
use serde_json::{Value, json};
use std::collections::HashMap;

/// The schema URI written in `$schema` (§3.13.3).
pub const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// The built-in rules that are not rule files: (id, title, help Markdown, level).
pub const BUILTIN_RULES: [(&str, &str, &str, Level); 4] = [
    (
        "prr/parse-error",
        "A file could not be parsed",
        "prr could not parse this file (invalid YAML, JSON or UTF-8), so no check \
         ran on it. A file that does not parse is also rejected by the tools that \
         deploy it.\n\nFix the syntax error at the reported line; `yamllint` or \
         `python -c 'import yaml,sys; yaml.safe_load(open(sys.argv[1]))' FILE` shows \
         the same error.",
        Level::Error,
    ),
    (
        "prr/templated",
        "A templated file was not checked",
        "The file contains template syntax (Helm `{{ }}`, Jinja, envsubst) and is not \
         valid YAML before rendering, so prr skipped its checks.\n\nRender it first \
         (for example `helm template . > rendered.yaml`) and point prr at the \
         rendered output, or ignore the folder in `prr.yaml` (`ignore: [chart/templates/**]`).",
        Level::Notice,
    ),
    (
        "prr/skipped",
        "A file was skipped",
        "The file was not read (too large, unreadable, or a binary), so no check ran \
         on it.\n\nIf it should be checked, make it smaller or readable; otherwise add \
         it to `ignore:` in `prr.yaml` to silence this notice.",
        Level::Notice,
    ),
    (
        "prr/render",
        "An overlay or chart could not be rendered",
        "prr renders kustomize overlays (`kustomize build` / `kubectl kustomize`) and \
         Helm charts (`helm template`) to check what they deploy. This one failed \
         (a missing file, a remote base prr does not fetch, a template error, a \
         timeout), so what it deploys was not checked.\n\nRun the same command \
         locally to see the error; vendor remote bases into the repository.",
        Level::Warning,
    ),
];

/// The SARIF `level` (§3.27.10) of a prr level.
pub fn level(l: Level) -> &'static str {
    match l {
        Level::Error => "error",
        Level::Warning => "warning",
        Level::Notice => "note",
        Level::Off => "none",
    }
}

/// 64-bit FNV-1a (Fowler–Noll–Vo, <http://www.isthe.com/chongo/tech/comp/fnv/>):
/// a stable hash (unlike `std`'s `DefaultHasher`, whose output may change
/// between Rust releases), so fingerprints survive a toolchain update.
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// Stable fingerprints for every finding, in order: a hash of the rule ID,
/// the path and the trimmed (redacted) source line — never the line number,
/// so a finding keeps its fingerprint when lines are added above it —
/// followed by `:N`, the 1-based occurrence of that hash in the run (GitHub's
/// `primaryLocationLineHash` form, e.g. `3f2a…:1`).
pub fn fingerprints(r: &RunReport) -> Vec<String> {
    let mut seen: HashMap<u64, u32> = HashMap::new();
    r.findings
        .iter()
        .map(|f| {
            let content = line_content(r, f);
            let mut key = Vec::with_capacity(f.rule.len() + f.path.len() + content.len() + 2);
            key.extend_from_slice(f.rule.as_bytes());
            key.push(0);
            key.extend_from_slice(f.path.as_bytes());
            key.push(0);
            key.extend_from_slice(content.as_bytes());
            let h = fnv1a64(&key);
            let n = seen.entry(h).or_insert(0);
            *n += 1;
            format!("{h:016x}:{n}")
        })
        .collect()
}

/// The trimmed, redacted source line of `f` (empty when it has none).
fn line_content(r: &RunReport, f: &Finding) -> String {
    r.snippet(f)
        .map(|(s, _)| s.trim().to_string())
        .unwrap_or_default()
}

/// The artifact of a repository-level finding: the config file when the
/// repository has one, else `.`.
pub fn repository_artifact(r: &RunReport) -> &'static str {
    prr_core::report::CONFIG_NAMES
        .into_iter()
        .find(|n| r.sources.has_file(n))
        .unwrap_or(".")
}

/// Percent-encodes a repository-relative path for a URI reference
/// (RFC 3986 §2): unreserved characters and `/` are kept, every other byte
/// is `%XX`.
pub fn uri_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// First paragraph of a Markdown help text (the `fullDescription`).
fn first_paragraph(help: &str) -> String {
    let p: Vec<&str> = help
        .trim()
        .lines()
        .take_while(|l| !l.trim().is_empty())
        .map(str::trim)
        .collect();
    p.join(" ")
}

fn descriptor(id: &str, title: &str, help: &str, lvl: Level) -> Value {
    let family = id.split('/').next().unwrap_or("");
    let full = first_paragraph(help);
    json!({
        "id": id,
        "name": id,
        "shortDescription": { "text": title },
        "fullDescription": { "text": if full.is_empty() { title.to_string() } else { full } },
        "help": {
            "text": if help.trim().is_empty() { title } else { help.trim() },
            "markdown": if help.trim().is_empty() { title } else { help.trim() },
        },
        "defaultConfiguration": { "level": level(lvl) },
        "properties": { "tags": [family] },
    })
}

/// The rule descriptors and each rule ID's index among them.
fn rules(r: &RunReport) -> (Vec<Value>, HashMap<String, usize>) {
    let mut out = Vec::new();
    let mut index = HashMap::new();
    for rule in r.rules {
        if index.contains_key(&rule.id) {
            continue;
        }
        index.insert(rule.id.clone(), out.len());
        out.push(descriptor(&rule.id, &rule.title, &rule.help, rule.level));
    }
    for (id, title, help, lvl) in BUILTIN_RULES {
        if index.contains_key(id) {
            continue;
        }
        index.insert(id.to_string(), out.len());
        out.push(descriptor(id, title, help, lvl));
    }
    // Any other rule a finding carries (so every result has a ruleIndex).
    for f in r.findings {
        if index.contains_key(&f.rule) {
            continue;
        }
        index.insert(f.rule.clone(), out.len());
        out.push(descriptor(&f.rule, &f.rule, "", f.level));
    }
    (out, index)
}

fn result(r: &RunReport, f: &Finding, rule_index: usize, fingerprint: String) -> Value {
    let mut physical = serde_json::Map::new();
    let uri = if f.path.is_empty() {
        repository_artifact(r).to_string()
    } else {
        uri_path(&f.path)
    };
    physical.insert(
        "artifactLocation".into(),
        json!({ "uri": uri, "uriBaseId": "%SRCROOT%" }),
    );
    if !f.path.is_empty() && f.line > 0 {
        let mut region = serde_json::Map::new();
        region.insert("startLine".into(), json!(f.line));
        if f.column > 0 {
            region.insert("startColumn".into(), json!(f.column));
        }
        if let Some((s, _)) = r.snippet(f) {
            region.insert("snippet".into(), json!({ "text": s }));
        }
        physical.insert("region".into(), Value::Object(region));
    }
    let mut res = json!({
        "ruleId": f.rule,
        "ruleIndex": rule_index,
        "level": level(f.level),
        "message": { "text": f.message },
        "locations": [ { "physicalLocation": physical } ],
        "partialFingerprints": { "primaryLocationLineHash": fingerprint },
    });
    if let Some(fp) = &f.fingerprint {
        // prr's own content fingerprint (the baseline's): for secrets
        // `sha256(rule + ":" + secret)`, stable when the secret moves.
        res["partialFingerprints"]["prr/v1"] = json!(fp);
    }
    if let Some(s) = &f.service {
        res["properties"] = json!({ "service": s });
    }
    if f.suppressed {
        // §3.35: `inSource` for a marker on the line (`prr:allow-secret`),
        // `external` for prr.yaml, the baseline, `.gitleaksignore`.
        let mut s = json!({ "kind": "external", "status": "accepted" });
        if let Some(sup) = &f.suppression {
            s["kind"] = json!(sup.kind);
            s["justification"] = json!(format!("{} ({})", sup.reason, sup.source));
        }
        res["suppressions"] = json!([s]);
    }
    res
}

/// Renders the SARIF log as pretty JSON followed by a newline.
pub fn render(r: &RunReport) -> String {
    let (rules, index) = rules(r);
    let fps = fingerprints(r);
    let results: Vec<Value> = r
        .findings
        .iter()
        .zip(fps)
        .map(|(f, fp)| result(r, f, index.get(&f.rule).copied().unwrap_or(0), fp))
        .collect();
    let mut driver = json!({
        "name": "prr",
        "version": env!("CARGO_PKG_VERSION"),
        "semanticVersion": env!("CARGO_PKG_VERSION"),
        "rules": rules,
    });
    let info = [env!("CARGO_PKG_REPOSITORY"), env!("CARGO_PKG_HOMEPAGE")]
        .into_iter()
        .find(|u| !u.is_empty());
    if let Some(u) = info {
        driver["informationUri"] = json!(u);
    }
    let mut run = json!({
        "tool": { "driver": driver },
        "invocations": [ { "executionSuccessful": true } ],
        "results": results,
    });
    if !r.readiness.is_empty() {
        // §3.8: the run's property bag carries what has no SARIF
        // object of its own.
        run["properties"] = json!({
            "readiness": r.readiness.iter().map(prr_core::readiness::Readiness::to_json).collect::<Vec<_>>(),
        });
    }
    let log = json!({
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [ run ],
    });
    let mut s = serde_json::to_string_pretty(&log).unwrap_or_else(|_| "{}".to_string());
    s.push('\n');
    s
}

/// The `sarif` format.
pub struct Sarif;

impl Reporter for Sarif {
    fn name(&self) -> &'static str {
        "sarif"
    }

    fn help(&self) -> &'static str {
        "SARIF 2.1.0 (code scanning)"
    }

    fn render(&self, r: &RunReport, color: bool) -> String {
        let _ = color;
        render(r)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
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
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/schemas/sarif-2.1.0-rtm.5.json");
        let mut schema: Value =
            serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
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
}
