//! Entry points for the cargo-fuzz targets under `fuzz/` and for
//! `tests/it/fuzz_regressions.rs` (see FUZZING.md). Not part of prr's API.
//!
//! Each function runs the same code `prr check` runs on one untrusted
//! input, in-process and single-threaded, so a fuzzer can call it millions
//! of times: a repository file goes through the inventory's reading
//! ([`inventory_of`]) and then the built-in checks of some families
//! ([`check`]), sequentially instead of on all cores.

use crate::checks::{self, Context};
use crate::config::Config;
use crate::finding::Finding;
use crate::formats::runbook::Runbook;
use crate::formats::slo::{self, SloDocument};
use crate::inventory::{self, FileKind, Inventory, SourceFile};
use crate::rules::Rule;
use crate::yaml;
use std::path::Path;
use std::sync::{Arc, OnceLock};

/// The repository root the fuzz inventories pretend to have (never read).
pub const ROOT: &str = "/nonexistent/prr-fuzz-root";

/// The inventory of a repository holding one file, `rel`, with content
/// `text`, read as `inventory::scan` reads a file once its bytes are text:
/// Markdown (`.md`) under the default runbook globs becomes a runbook; YAML
/// (`.yaml`/`.yml`) is parsed into documents (a parse error becomes a
/// `prr/parse-error` finding in `problems`), top-level object lists are
/// flattened, and every document is classified (SLO, Prometheus rule file or
/// `PrometheusRule`, other Kubernetes object); SLO documents are extracted
/// into [`Inventory::slos`]. Never fails.
pub fn inventory_of(rel: &str, text: &str) -> Inventory {
    let mut inv = Inventory {
        root: ROOT.into(),
        ..Default::default()
    };
    let text: Arc<str> = Arc::from(text);
    let mut file = SourceFile {
        path: rel.to_string(),
        kind: FileKind::Text,
        size: text.len() as u64,
        text: Some(text.clone()),
        docs: Vec::new(),
    };
    let lower = rel.to_ascii_lowercase();
    if lower.ends_with(".md") {
        file.kind = FileKind::Markdown;
        static GLOBS: OnceLock<globset::GlobSet> = OnceLock::new();
        let globs = GLOBS.get_or_init(|| inventory::globset(&default_config().runbooks));
        if globs.is_match(rel) {
            inv.runbooks.push(Runbook::parse(rel, &text));
        }
    } else if lower.ends_with(".yaml") || lower.ends_with(".yml") {
        let mut slo_docs: Vec<SloDocument> = Vec::new();
        match yaml::parse_documents(&text) {
            Ok(docs) => {
                file.kind = FileKind::Yaml;
                file.docs = inventory::flatten(docs);
                inventory::classify(rel, &file.docs, &mut inv, &mut slo_docs);
            }
            Err(e) => {
                file.kind = FileKind::BrokenYaml;
                inv.problems.push(inventory::parse_error(
                    rel,
                    e.pos,
                    format!("invalid YAML: {}", e.message),
                ));
            }
        }
        inv.slos = slo::extract(&slo_docs);
    }
    inv.files.push(file);
    inv
}

fn default_config() -> &'static Config {
    static CONFIG: OnceLock<Config> = OnceLock::new();
    CONFIG.get_or_init(|| Config::default_for(Path::new(ROOT)))
}

fn builtin_rules() -> &'static [Rule] {
    static RULES: OnceLock<Vec<Rule>> = OnceLock::new();
    RULES.get_or_init(|| crate::rules::load(default_config()).unwrap_or_default())
}

/// Runs the built-in rules whose check name starts with one of `families`
/// (`"slo."`, `"alerts."`, …) on `inv`, one after the other, with the
/// default config (one implicit service covering every file).
pub fn check(inv: &Inventory, families: &[&str]) -> Vec<Finding> {
    let ctx = Context::new(default_config(), inv);
    let mut out = Vec::new();
    for rule in builtin_rules()
        .iter()
        .filter(|r| families.iter().any(|f| r.check.starts_with(f)))
    {
        if let Some(a) = checks::analyzer(&rule.check) {
            out.extend(a.findings(&ctx, &rule.id, &rule.params));
        }
    }
    out
}

/// Parses `text` as prr.yaml (as `prr check --config`); when it declares
/// rule overrides, also loads the built-in rules with them applied (without
/// reading a `rules-dir`). Returns whether both succeeded.
pub fn config(text: &str) -> bool {
    let Ok(mut cfg) = Config::parse(text, Path::new("prr.yaml"), Path::new(ROOT)) else {
        return false;
    };
    if cfg.rules.is_empty() {
        return true;
    }
    cfg.rules_dirs.clear();
    crate::rules::load(&cfg).is_ok()
}

/// The provider configurations [`provider_response`] chooses from with its
/// selector, by index: Prometheus in each mode (`sloth`, `pyrra`, `grafana`,
/// `compute`), http-json (JSON pointers, then JSONPath), Datadog v1 and v2,
/// Dynatrace (by id, then by name), Nobl9, slo-generator, file.
pub const PROVIDERS: usize = 13;

/// Credentials come from this variable (always set, never a secret here).
const CRED_ENV: &str = "PATH";

fn provider_yaml(i: usize, base: &str) -> String {
    let auth = format!("auth: {{bearer-env: {CRED_ENV}}}");
    match i {
        0..=3 => {
            let mode = ["sloth", "pyrra", "grafana", "compute"][i];
            format!("type: prometheus\nurl: {base}\nmode: {mode}\n{auth}\n")
        }
        4 => format!(
            "type: http-json\nurl: {base}/slo/{{service}}/{{slo}}\nvalue: /remaining\nunit: percent\nburn-rate: /burn\nas-of: /as_of\nevents: /events\n"
        ),
        5 => format!(
            "type: http-json\nurl: {base}/slo/{{id}}\nvalue: $.slo.budget\nunit: consumed-ratio\nburn-rate: $.slo.burn\nas-of: $.slo.at\nevents: $.slo.n\n"
        ),
        6 | 7 => format!(
            "type: datadog\nurl: {base}\napi: v{}\napi-key-env: {CRED_ENV}\napp-key-env: {CRED_ENV}\n",
            i - 5
        ),
        8 | 9 => format!("type: dynatrace\nurl: {base}\ntoken-env: {CRED_ENV}\n"),
        10 => format!("type: nobl9\nurl: {base}\ntoken-env: {CRED_ENV}\nproject: org\n"),
        11 => format!("type: slo-generator\nurl: {base}/report/{{service}}/{{slo}}\n"),
        _ => "type: file\npath: budget.json\n".to_string(),
    }
}

struct Loopback {
    base: String,
    canned: Arc<std::sync::Mutex<(u16, Vec<u8>)>>,
    root: std::path::PathBuf,
    runtime: tokio::runtime::Runtime,
    providers: Vec<Box<dyn crate::budget::Provider>>,
}

fn serve(mut s: std::net::TcpStream, canned: &std::sync::Mutex<(u16, Vec<u8>)>) {
    use std::io::{Read, Write};
    let _ = s.set_nodelay(true);
    let mut buf: Vec<u8> = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let end = loop {
            if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break i + 4;
            }
            match s.read(&mut chunk) {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        };
        buf.drain(..end);
        let (status, body) = match canned.lock() {
            Ok(c) => c.clone(),
            Err(_) => return,
        };
        let mut out = format!(
            "HTTP/1.1 {status} Fuzz\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
            body.len()
        )
        .into_bytes();
        out.extend_from_slice(&body);
        if s.write_all(&out).is_err() {
            return;
        }
    }
}

fn loopback() -> Option<&'static Loopback> {
    static LOOPBACK: OnceLock<Option<Loopback>> = OnceLock::new();
    LOOPBACK
        .get_or_init(|| {
            let listener = std::net::TcpListener::bind("127.0.0.1:0").ok()?;
            let base = format!("http://{}", listener.local_addr().ok()?);
            let canned = Arc::new(std::sync::Mutex::new((200u16, Vec::new())));
            let shared = canned.clone();
            std::thread::spawn(move || {
                for s in listener.incoming().flatten() {
                    let c = shared.clone();
                    std::thread::spawn(move || serve(s, &c));
                }
            });
            let root = std::env::temp_dir().join(format!("prr-fuzz-{}", std::process::id()));
            std::fs::create_dir_all(&root).ok()?;
            let http = crate::budget::http::HttpOptions {
                retries: 0,
                ..Default::default()
            };
            let mut providers = Vec::new();
            for i in 0..PROVIDERS {
                let cfg: crate::budget::config::ProviderConfig =
                    serde_saphyr::from_str(&provider_yaml(i, &base)).ok()?;
                providers.push(crate::budget::providers::build("fuzz", &cfg, &http, &root).ok()?);
            }
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .ok()?;
            Some(Loopback {
                base,
                canned,
                root,
                runtime,
                providers,
            })
        })
        .as_ref()
}

/// The loopback server's base URL (`http://127.0.0.1:<port>`), once started.
pub fn loopback_url() -> Option<String> {
    loopback().map(|l| l.base.clone())
}

/// Reads one error budget through provider number `selector % PROVIDERS`
/// (see [`PROVIDERS`]) from a local server on 127.0.0.1 that answers every
/// request with HTTP `status` and `body` (the `file` provider reads `body`
/// from a snapshot file instead). `flags` shape the target: bit 0 gives it
/// a 30-day window, bit 1 a 99.9 % objective, bit 2 an `id`. No retries.
/// `None` when the server or the providers could not be set up.
pub fn provider_response(
    selector: u8,
    flags: u8,
    status: u16,
    body: &[u8],
) -> Option<Result<crate::budget::Reading, crate::budget::FetchError>> {
    use crate::formats::slo::SliQuery;
    let l = loopback()?;
    let i = usize::from(selector) % PROVIDERS;
    if i == PROVIDERS - 1 {
        std::fs::write(l.root.join("budget.json"), body).ok()?;
    } else {
        *l.canned.lock().ok()? = (status, body.to_vec());
    }
    let q = |role: &str, query: &str| SliQuery {
        role: role.to_string(),
        query: query.to_string(),
        pos: crate::yaml::Pos::default(),
        language: "promql".to_string(),
    };
    let target = crate::budget::Target {
        service: "checkout".to_string(),
        slo: "availability".to_string(),
        id: (flags & 4 != 0).then(|| "abc-123".to_string()),
        objective: (flags & 2 != 0).then_some(0.999),
        window_seconds: (flags & 1 != 0).then_some(2_592_000.0),
        sli: vec![
            q(
                "errors",
                "sum(rate(http_requests_total{code=~\"5..\"}[{{.window}}]))",
            ),
            q("total", "sum(rate(http_requests_total[{{.window}}]))"),
        ],
        format: None,
    };
    let provider = l.providers.get(i)?;
    Some(l.runtime.block_on(provider.read(&target)))
}

/// Loads `text` as a team's gitleaks config, as `prr check` does for
/// `.gitleaks.toml` (`secrets::load_pack`: the TOML reader, the `[extend]`
/// chain, each rule's and allowlist's parameters and regexes), from a
/// per-process file under the temporary folder. Returns the number of rules
/// and global allowlists loaded, or the error; `None` when the file could
/// not be written.
pub fn gitleaks_config(text: &str) -> Option<Result<(usize, usize), crate::config::ConfigError>> {
    static DIR: OnceLock<Option<std::path::PathBuf>> = OnceLock::new();
    let dir = DIR
        .get_or_init(|| {
            let d = std::env::temp_dir().join(format!("prr-fuzz-gitleaks-{}", std::process::id()));
            std::fs::create_dir_all(&d).ok().map(|()| d)
        })
        .as_ref()?;
    let path = dir.join(".gitleaks.toml");
    std::fs::write(&path, text).ok()?;
    let mut config = Config::default_for(Path::new(ROOT));
    config.secrets.gitleaks_config = Some(path);
    Some(crate::secrets::load_pack(&config).map(|p| (p.rules.len(), p.global.len())))
}

fn default_secret_pack() -> Option<&'static crate::secrets::SecretPack> {
    static PACK: OnceLock<Option<crate::secrets::SecretPack>> = OnceLock::new();
    PACK.get_or_init(|| crate::secrets::load_pack(&Config::default_for(Path::new(ROOT))).ok())
        .as_ref()
}

/// Scans the file `path` with content `bytes` with the default secret pack
/// (gitleaks' default rules, as `prr secrets` without a `.gitleaks.toml`),
/// then locates and redacts the hits (`secrets::locate`). Returns the hits;
/// `None` when the default pack does not load.
pub fn secret_scan(path: &str, bytes: &[u8]) -> Option<Vec<crate::secrets::SecretHit>> {
    static ENGINE: OnceLock<Option<crate::secrets::engine::Engine<'static>>> = OnceLock::new();
    let engine = ENGINE
        .get_or_init(|| default_secret_pack().map(|p| crate::secrets::engine(&p.rules, &p.global)))
        .as_ref()?;
    let hits = engine.scan(path, bytes);
    Some(crate::secrets::locate(engine, path, bytes, &hits))
}

/// In-source directives of a YAML text (`# prr:ignore`, the block-scalar
/// rule: a directive inside `|`/`>` content is data). Returns (directives,
/// directive problems); a directive needs the marker, so there are never
/// more directives than lines holding it.
pub fn yaml_directives(text: &str) -> (usize, usize) {
    let (d, m) = crate::suppress::inline::yaml_directive_counts(text);
    let marked = text.lines().filter(|l| l.contains("prr:ignore")).count();
    assert!(
        d + m <= marked,
        "{d} directives + {m} problems from {marked} marked lines"
    );
    (d, m)
}

/// The redactor over `text` knowing the secret `secret` (as the scan would
/// have found it), and the plain-message form of `text` as a config error.
/// Checks the promise: a secret of 8 or more ASCII letters and digits that
/// occurs in `text` never survives redaction.
pub fn redact(secret: &str, text: &str) -> String {
    let r = crate::secrets::redact::Redactor::new(None, [secret]);
    let out = r.text("fuzz.yaml", text).into_owned();
    if secret.len() >= 8 && secret.chars().all(|c| c.is_ascii_alphanumeric()) {
        assert!(
            !out.contains(secret),
            "a known secret survived redaction: {secret:?} in {out:?}"
        );
    }
    let _ = crate::config_message::humanize(text);
    let _ = crate::secrets::redact::safe_message(text);
    out
}

/// Parses `bytes` as `git diff -U0` output, as `--changed-since` and
/// `--staged` read it ([`crate::git::parse_unified_zero`], C-quoted names
/// unquoted by [`crate::git::c_unquote`]); returns how many (path, line)
/// pairs it found. Never more than the input has lines.
pub fn git_patch(bytes: &[u8]) -> usize {
    let n = crate::git::parse_unified_zero(bytes).len();
    assert!(n <= bytes.iter().filter(|b| **b == b'\n').count() + 1);
    n
}
