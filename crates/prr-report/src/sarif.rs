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

use super::RunReport;
use crate::finding::{Finding, Level};
use serde_json::{Value, json};
use std::collections::HashMap;

file_reporter!(
    /// The `sarif` format.
    Sarif,
    "sarif",
    "SARIF 2.1.0 (code scanning)",
    render
);

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
