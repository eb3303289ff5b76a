//! `prr.yaml`: services, rule overrides, team rules, runbook globs.
//!
//! The file is optional. It is read with `serde-saphyr` into typed structs
//! with `deny_unknown_fields`, keeping `Spanned` positions on the values that
//! later validation points at. Any problem is a [`ConfigError`] carrying
//! `file:line:column`, which the CLI turns into exit code 2.
//!
//! ```yaml
//! services:
//!   - name: checkout
//!     paths: ["services/checkout/**", "deploy/checkout/**"]
//!     tier: critical          # critical | important | standard | experimental
//!     owner: team-payments
//! rules:
//!   alerts/for: { level: warning, with: { min: 5m } }
//! rules-dir: .prr/rules      # team rules, same format as rules/*.yaml
//! runbooks: ["runbooks/**/*.md"]
//! ignore: ["third_party/**"]
//! ```

use crate::finding::Level;
use crate::yaml::{Node, Pos};
use serde::Deserialize;
use serde_saphyr::Spanned;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// File names looked up at the repository root when `--config` is not given.
pub const CONFIG_NAMES: [&str; 2] = ["prr.yaml", ".prr.yaml"];

/// Where the config of a run on `path` lives, as git and cargo find theirs:
/// `path` itself when it holds `prr.yaml` or `.prr.yaml`; else the nearest
/// ancestor that does, not above the repository root (the first folder
/// holding `.git`). Returns that folder and `path` relative to it (`None`
/// when it is `path` itself, or when no config was found: the run then
/// uses `path` with the built-in defaults).
pub fn find_upward(path: &Path) -> (PathBuf, Option<String>) {
    let has_config = |d: &Path| {
        CONFIG_NAMES
            .iter()
            .any(|n| d.join(n).symlink_metadata().is_ok())
    };
    if has_config(path) {
        return (path.to_path_buf(), None);
    }
    let Ok(abs) = path.canonicalize() else {
        return (path.to_path_buf(), None);
    };
    // Only inside a repository, and never above its root: outside one, a
    // prr.yaml in /tmp or a home folder must not become the config.
    let Some(top) = abs.ancestors().find(|d| d.join(".git").exists()) else {
        return (path.to_path_buf(), None);
    };
    if top == abs {
        return (path.to_path_buf(), None);
    }
    for dir in abs.ancestors().skip(1) {
        if has_config(dir) {
            let rel = crate::fsio::rel_path(&abs, dir);
            return (dir.to_path_buf(), Some(rel));
        }
        if dir == top {
            break;
        }
    }
    (path.to_path_buf(), None)
}

/// Default globs that mark a Markdown file as a runbook.
/// Markdown files an alert's runbook link resolves to are runbooks too,
/// wherever they are (see `crate::checks::runbooks`).
pub const DEFAULT_RUNBOOK_GLOBS: [&str; 6] = [
    "**/runbooks/**/*.md",
    "**/runbook/**/*.md",
    "**/playbooks/**/*.md",
    "docs/sop/**/*.md",
    "**/runbook*.md",
    "**/*-runbook.md",
];

/// A configuration problem: exit code 2, printed as `file:line:column: message`.
#[derive(Debug, thiserror::Error)]
#[error("{}{}: {message}", path.display(), fmt_pos(*pos))]
pub struct ConfigError {
    /// The file at fault.
    pub path: PathBuf,
    /// Where in it (0:0 when unknown).
    pub pos: Pos,
    /// What is wrong and what was expected.
    pub message: String,
}

fn fmt_pos(p: Pos) -> String {
    if p.line == 0 {
        String::new()
    } else {
        format!(":{}:{}", p.line, p.column)
    }
}

impl ConfigError {
    /// Builds an error at `pos` in `path`.
    pub fn new(path: &Path, pos: Pos, message: impl Into<String>) -> Self {
        ConfigError {
            path: path.to_path_buf(),
            pos,
            message: message.into(),
        }
    }
}

/// Service tier, from most to least demanding (the service catalog tiers of
/// the SRE practice we follow).
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Deserialize,
    serde::Serialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Tier {
    /// User-facing, revenue or safety critical.
    Critical,
    /// Important but with a fallback.
    Important,
    /// The default.
    Standard,
    /// Not yet in production.
    Experimental,
}

impl Tier {
    /// Lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            Tier::Critical => "critical",
            Tier::Important => "important",
            Tier::Standard => "standard",
            Tier::Experimental => "experimental",
        }
    }
}

/// One service of the repository.
#[derive(Clone, Debug)]
pub struct Service {
    /// Service name, as used in SLO files (`service:` in Sloth, `spec.service` in OpenSLO).
    pub name: String,
    /// Globs (repository-relative, `/` separators) of the files that belong to it.
    pub paths: Vec<String>,
    /// Tier; `standard` when not given.
    pub tier: Tier,
    /// Whether `tier` was written (else a catalog entry's tier applies).
    pub tier_given: bool,
    /// Owning team, free text.
    pub owner: Option<String>,
    /// On-call rotation or escalation target (a PagerDuty/Opsgenie schedule,
    /// a chat channel), free text.
    pub oncall: Option<String>,
    /// Where the service is declared (0 for the implicit service): in the
    /// config (see [`Config::locate`]) or in [`Service::catalog_file`].
    pub pos: Pos,
    /// The catalog file that declares it (repository-relative), for a
    /// service found by [`crate::catalog`]; `None` for the config's.
    pub catalog_file: Option<String>,
    /// The service's `budget:` block (provider, on-error, extra SLOs).
    pub budget: crate::budget::config::ServiceBudget,
}

/// A per-rule override from `prr.yaml`.
#[derive(Clone, Debug)]
pub struct RuleOverride {
    /// New level, if given.
    pub level: Option<Level>,
    /// Parameters merged key by key over the rule's own `with:`.
    pub with: Option<Node>,
    /// Where the override is written.
    pub pos: Pos,
}

/// The validated configuration.
#[derive(Clone, Debug)]
pub struct Config {
    /// The file it came from (`None`: defaults).
    pub source: Option<PathBuf>,
    /// Declared services; when empty, one implicit service covers the repository.
    pub services: Vec<Service>,
    /// Rule overrides by rule ID.
    pub rules: BTreeMap<String, RuleOverride>,
    /// Team rules folders, in load order (an organisation layer's first),
    /// resolved against the repository root (or the declaring layer's folder).
    pub rules_dirs: Vec<PathBuf>,
    /// Per-tier requirements (`tiers:`).
    pub tiers: BTreeMap<Tier, TierConfig>,
    /// The layers when the file `extends:` others (positions in the config
    /// are then positions in [`crate::layers::Resolved::text`]; see
    /// [`Config::locate`]).
    pub resolved: Option<std::sync::Arc<crate::layers::Resolved>>,
    /// Globs marking Markdown files as runbooks.
    pub runbooks: Vec<String>,
    /// Globs of paths to skip entirely (in addition to .gitignore).
    pub ignore: Vec<String>,
    /// Globs of test, example and development trees whose findings do not
    /// gate (`non-production:`; default
    /// [`crate::suppress::non_production::DEFAULT_NON_PRODUCTION_GLOBS`];
    /// `[]`: no such trees, though [`crate::suppress::environment`] still
    /// sets aside folders named like a non-production environment). Secrets
    /// gate everywhere.
    pub non_production: Vec<String>,
    /// `production:`: globs of the files that deploy to production. Findings
    /// of rules that judge production workloads (`applies-to: {
    /// environments: [production] }`) gate on files matching them, besides
    /// where an overlay, namespace or folder name says production or a
    /// declared service covers the file (see
    /// [`crate::suppress::environment`]). Empty by default.
    pub production: Vec<String>,
    /// `paging-receivers:`: Alertmanager receiver names that page someone,
    /// besides those with PagerDuty, Opsgenie or VictorOps integrations
    /// (e.g. a webhook in front of an incident tool). Read by the
    /// alerting-chain rules ([`crate::checks::route`]).
    pub paging_receivers: Vec<String>,
    /// The `budget:` section (`None`: no budget gate).
    pub budget: Option<crate::budget::config::BudgetConfig>,
    /// The `secrets:` section.
    pub secrets: SecretsConfig,
    /// `suppressions:`: findings accepted on purpose, each with a reason.
    pub suppressions: Vec<SuppressionRule>,
    /// The baseline file (default `.prr/baseline.json` under the root).
    pub baseline: PathBuf,
    /// The `render:` section: how Helm charts are rendered.
    pub render: crate::render::RenderConfig,
}

/// One tier's requirements: the `tiers.<tier>:` entry of prr.yaml.
///
/// ```yaml
/// tiers:
///   critical:
///     rules:                       # per-tier rule overrides, like `rules:`
///       rollout/replicas: { level: error, with: { min: 3 } }
///     budget-policy:               # merged over budget.policy, key by key
///       thresholds: { warning: 0.75, critical: 0.5 }
///   experimental:
///     max-level: warning           # findings of this tier's services never block
/// ```
#[derive(Clone, Debug, Default)]
pub struct TierConfig {
    /// Rule overrides for services of this tier, applied after `rules:`.
    pub rules: BTreeMap<String, RuleOverride>,
    /// The highest level a finding of this tier's services keeps (`warning`:
    /// nothing blocks).
    pub max_level: Option<Level>,
    /// The error-budget policy for this tier's services (the global policy
    /// with this tier's keys over it).
    pub budget_policy: Option<crate::budget::policy::PolicyConfig>,
}

/// The `secrets:` section of prr.yaml.
#[derive(Clone, Debug, Default)]
pub struct SecretsConfig {
    /// The gitleaks TOML config in force: `gitleaks-config:` (resolved
    /// against the root, must exist), else `.gitleaks.toml` at the root when
    /// present, else `None` (prr's embedded copy of gitleaks' default config).
    pub gitleaks_config: Option<PathBuf>,
    /// Scan vendored dependency trees (`vendor/`, `node_modules/`, …) too.
    pub scan_vendored: bool,
    /// gitleaks' ignore file (`.gitleaksignore` at the root).
    pub ignore_file: PathBuf,
}

/// One entry of `suppressions:` in prr.yaml.
///
/// ```yaml
/// suppressions:
///   - rule: secrets/generic-api-key   # a rule ID or a glob (`secrets/*`)
///     paths: ["testdata/**"]          # optional globs; default every path
///     reason: fake keys of the SDK's unit tests
///     until: 2027-03-31               # optional; after it the entry is an error
/// ```
#[derive(Clone, Debug)]
pub struct SuppressionRule {
    /// Rule ID glob.
    pub rule: String,
    /// Path globs (empty: any path).
    pub paths: Vec<String>,
    /// Service name (empty: any service).
    pub service: Option<String>,
    /// Why (required).
    pub reason: String,
    /// Last day it applies (`YYYY-MM-DD`, UTC), if any.
    pub until: Option<String>,
    /// Where the entry is written.
    pub pos: Pos,
}

/// Longest `budget.timeout` accepted, in seconds (10 minutes).
const MAX_BUDGET_TIMEOUT: f64 = 600.0;
/// Most `budget.retries` accepted.
const MAX_BUDGET_RETRIES: usize = 10;

/// The position of the first block-style `key:` of the mapping that starts
/// at `section` (the position serde gives a mapping value: its first key),
/// before the mapping ends (a line indented less than its first key);
/// `None` in flow style, where the section's position is the best there is.
fn key_below(text: &str, section: Pos, key: &str) -> Option<Pos> {
    let lines: Vec<&str> = text.lines().collect();
    let start = usize::try_from(section.line).ok()?.checked_sub(1)?;
    let indent = |l: &str| l.len() - l.trim_start().len();
    let base = usize::try_from(section.column).ok()?.saturating_sub(1);
    for (i, l) in lines.iter().enumerate().skip(start) {
        if l.trim().is_empty() || l.trim_start().starts_with('#') {
            continue;
        }
        if i > start && indent(l) < base {
            return None;
        }
        if indent(l) >= base
            && l.trim_start()
                .strip_prefix(key)
                .is_some_and(|r| r.starts_with(':'))
        {
            return Some(Pos {
                line: u32::try_from(i + 1).ok()?,
                column: u32::try_from(indent(l) + 1).ok()?,
            });
        }
    }
    None
}

/// Checks the `budget:` section: durations parse, the default provider
/// exists (or there is exactly one provider to default to), thresholds are
/// ordered.
fn validate_budget(
    b: Spanned<crate::budget::config::BudgetConfig>,
    path: &Path,
    text: &str,
) -> Result<crate::budget::config::BudgetConfig, ConfigError> {
    let pos = Pos::from(&b.referenced);
    let mut c = b.value;
    if let Some(t) = &c.timeout
        && crate::duration::parse_duration(t).is_none_or(|s| s <= 0.0 || s > MAX_BUDGET_TIMEOUT)
    {
        return Err(ConfigError::new(
            path,
            key_below(text, pos, "timeout").unwrap_or(pos),
            format!(
                "budget.timeout `{t}` is not a positive duration of at most 10m, such as 10s \
                 (a request that waits longer holds the merge queue; use `retries` instead)"
            ),
        ));
    }
    if let Some(r) = c.retries
        && r > MAX_BUDGET_RETRIES
    {
        return Err(ConfigError::new(
            path,
            key_below(text, pos, "retries").unwrap_or(pos),
            format!("budget.retries {r} is over the limit of {MAX_BUDGET_RETRIES}"),
        ));
    }
    match &c.default_provider {
        Some(d) if !c.providers.contains_key(d) => {
            return Err(ConfigError::new(
                path,
                pos,
                format!("budget.default-provider `{d}` is not in budget.providers"),
            ));
        }
        None if c.providers.len() == 1 => c.default_provider = c.providers.keys().next().cloned(),
        _ => {}
    }
    if let Err(m) = c.policy.validate() {
        return Err(ConfigError::new(path, pos, format!("budget.policy: {m}")));
    }
    Ok(c)
}

impl Default for Config {
    fn default() -> Self {
        Config::default_for(Path::new("."))
    }
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawConfig {
    /// Layers under this file, applied first to last before it: built-in
    /// packs (`minimal`, `recommended`, `strict`) and organisation files
    /// (paths relative to this file). Consumed before the file is read.
    #[serde(default)]
    #[allow(dead_code)]
    extends: Option<OneOrMany>,
    #[serde(default)]
    #[schemars(with = "Option<u32>")]
    version: Option<Spanned<u32>>,
    #[serde(default)]
    services: Vec<RawService>,
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, RawOverride>")]
    rules: BTreeMap<String, Spanned<RawOverride>>,
    #[serde(default)]
    rules_dir: Option<OneOrMany>,
    #[serde(default)]
    tiers: BTreeMap<Tier, RawTier>,
    #[serde(default)]
    runbooks: Option<Vec<String>>,
    #[serde(default)]
    ignore: Vec<String>,
    #[serde(default)]
    non_production: Option<Vec<String>>,
    /// Globs of the files that deploy to production.
    #[serde(default)]
    production: Vec<String>,
    /// Alertmanager receiver names that page (besides PagerDuty, Opsgenie,
    /// VictorOps receivers).
    #[serde(default)]
    paging_receivers: Vec<String>,
    #[serde(default)]
    #[schemars(with = "Option<crate::budget::config::BudgetConfig>")]
    budget: Option<Spanned<crate::budget::config::BudgetConfig>>,
    #[serde(default)]
    secrets: Option<RawSecrets>,
    #[serde(default)]
    #[schemars(with = "Vec<RawSuppression>")]
    suppressions: Vec<Spanned<RawSuppression>>,
    #[serde(default)]
    baseline: Option<String>,
    #[serde(default)]
    render: Option<crate::render::RenderConfig>,
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawTier {
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, RawOverride>")]
    rules: BTreeMap<String, Spanned<RawOverride>>,
    #[serde(default)]
    max_level: Option<Level>,
    #[serde(default)]
    #[schemars(with = "Option<crate::budget::policy::PolicyConfig>")]
    budget_policy: Option<Spanned<crate::budget::policy::PolicyConfig>>,
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawSecrets {
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    gitleaks_config: Option<Spanned<String>>,
    #[serde(default)]
    scan_vendored: bool,
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct RawSuppression {
    rule: String,
    #[serde(default)]
    paths: Vec<String>,
    #[serde(default)]
    service: Option<String>,
    #[serde(default)]
    reason: Option<String>,
    #[serde(default)]
    until: Option<String>,
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct RawService {
    #[schemars(with = "String")]
    name: Spanned<String>,
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    paths: Vec<Spanned<String>>,
    #[serde(default)]
    tier: Option<Tier>,
    #[serde(default)]
    owner: Option<String>,
    #[serde(default)]
    oncall: Option<String>,
    #[serde(default)]
    #[schemars(with = "Option<crate::budget::config::ServiceBudget>")]
    budget: Option<Spanned<crate::budget::config::ServiceBudget>>,
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct RawOverride {
    #[serde(default)]
    level: Option<Level>,
    #[serde(default)]
    with: Option<Node>,
}

impl Config {
    /// Finds and loads the config for the repository at `root`: `explicit`
    /// when given (must exist), else `prr.yaml` / `.prr.yaml` at the root,
    /// else the defaults.
    pub fn discover(root: &Path, explicit: Option<&Path>) -> Result<Config, ConfigError> {
        if let Some(p) = explicit {
            return Config::load(p, root);
        }
        let present: Vec<&str> = CONFIG_NAMES
            .iter()
            .copied()
            .filter(|n| root.join(n).symlink_metadata().is_ok())
            .collect();
        if present.len() > 1 {
            return Err(ConfigError::new(
                &root.join(present[0]),
                Pos::default(),
                format!(
                    "both {} are in {}: prr reads one config; merge them and delete the other",
                    present.join(" and "),
                    root.display()
                ),
            ));
        }
        for name in CONFIG_NAMES {
            let p = root.join(name);
            // Anything there is the config: a link to a device or a
            // dangling link is an error (exit 2), not silently the defaults.
            let Ok(meta) = p.symlink_metadata() else {
                continue;
            };
            if meta.file_type().is_symlink() && !crate::fsio::inside(&p, root) {
                return Err(ConfigError::new(
                    &p,
                    Pos::default(),
                    "is a symbolic link to a file outside the repository; prr does not read it \
                     (pass it with --config if that is intended)",
                ));
            }
            return Config::load(&p, root);
        }
        Ok(Config::default_for(root))
    }

    /// Defaults: no declared services (the checks then use one implicit
    /// service named after the repository folder, covering every file, tier
    /// `standard`); default runbook globs.
    pub fn default_for(root: &Path) -> Config {
        let gitleaks = root.join(".gitleaks.toml");
        Config {
            secrets: SecretsConfig {
                gitleaks_config: gitleaks.is_file().then_some(gitleaks),
                scan_vendored: false,
                ignore_file: root.join(".gitleaksignore"),
            },
            suppressions: Vec::new(),
            baseline: root.join(DEFAULT_BASELINE),
            render: Default::default(),
            source: None,
            services: Vec::new(),
            rules: BTreeMap::new(),
            rules_dirs: Vec::new(),
            tiers: BTreeMap::new(),
            resolved: None,
            runbooks: DEFAULT_RUNBOOK_GLOBS
                .iter()
                .map(|s| s.to_string())
                .collect(),
            ignore: Vec::new(),
            non_production: default_non_production(),
            production: Vec::new(),
            paging_receivers: Vec::new(),
            budget: None,
        }
    }

    /// Reads and validates `path`; relative paths inside are resolved against `root`.
    pub fn load(path: &Path, root: &Path) -> Result<Config, ConfigError> {
        let text = crate::layers::read_file(path)
            .map_err(|e| ConfigError::new(path, Pos::default(), format!("cannot read: {e}")))?;
        Config::parse(&text, path, root)
    }

    /// Parses config text; `path` names the file (messages, and the folder
    /// that `extends:` paths are relative to). Extended files are read from
    /// disk.
    pub fn parse(text: &str, path: &Path, root: &Path) -> Result<Config, ConfigError> {
        Config::parse_with(text, path, root, &crate::layers::read_file)
    }

    /// [`Config::parse`], reading extended files with `read` (`--policy-from`
    /// reads them from a git revision).
    pub fn parse_with(
        text: &str,
        path: &Path,
        root: &Path,
        read: crate::layers::Reader,
    ) -> Result<Config, ConfigError> {
        if !crate::layers::needs_layers(text) {
            return Config::parse_one(text, path, root);
        }
        let resolved = std::sync::Arc::new(crate::layers::resolve(text, path, root, read)?);
        let mut config = Config::parse_one(&resolved.text, path, root).map_err(|e| {
            if e.path == path {
                let (layer, pos) = resolved.locate(e.pos);
                let p = layer
                    .path
                    .clone()
                    .unwrap_or_else(|| PathBuf::from(&layer.name));
                ConfigError::new(&p, pos, e.message)
            } else {
                e
            }
        })?;
        config.resolved = Some(resolved);
        Ok(config)
    }

    /// The file and position a config position points at: itself without
    /// layers; the layer that wrote the value with them.
    pub fn locate(&self, pos: Pos) -> (PathBuf, Pos) {
        let own = || {
            self.source
                .clone()
                .unwrap_or_else(|| PathBuf::from("prr.yaml"))
        };
        match &self.resolved {
            None => (own(), pos),
            Some(r) => {
                let (layer, p) = r.locate(pos);
                (
                    layer
                        .path
                        .clone()
                        .unwrap_or_else(|| PathBuf::from(&layer.name)),
                    p,
                )
            }
        }
    }

    fn parse_one(text: &str, path: &Path, root: &Path) -> Result<Config, ConfigError> {
        let mut opts = serde_saphyr::Options::default();
        opts.strict_booleans = true;
        opts.with_snippet = false;
        let raw: Option<RawConfig> =
            serde_saphyr::from_str_with_options(text, opts).map_err(|e| {
                let (pos, msg) = crate::config_message::from_saphyr(&e, "invalid YAML");
                ConfigError::new(path, pos, msg)
            })?;
        let Some(raw) = raw else {
            return Ok(Config::default_for(root).with_source(path));
        };
        if let Some(v) = &raw.version
            && v.value != 1
        {
            return Err(ConfigError::new(
                path,
                Pos::from(&v.referenced),
                format!("unsupported config version {} (expected 1)", v.value),
            ));
        }
        let mut services = Vec::new();
        for s in raw.services {
            let pos = Pos::from(&s.name.referenced);
            if s.name.value.trim().is_empty() {
                return Err(ConfigError::new(
                    path,
                    pos,
                    "service name must not be empty",
                ));
            }
            if services.iter().any(|o: &Service| o.name == s.name.value) {
                return Err(ConfigError::new(
                    path,
                    pos,
                    format!("service `{}` is declared twice", s.name.value),
                ));
            }
            let mut paths = Vec::new();
            for g in &s.paths {
                if let Err(e) = globset::Glob::new(&g.value) {
                    return Err(ConfigError::new(
                        path,
                        Pos::from(&g.referenced),
                        format!("invalid glob `{}`: {}", g.value, e.kind()),
                    ));
                }
                paths.push(g.value.clone());
            }
            if paths.is_empty() {
                paths.push("**".to_string());
            }
            let budget = match s.budget {
                Some(b) => {
                    let bpos = Pos::from(&b.referenced);
                    if let Some(p) = &b.value.provider {
                        let known = raw
                            .budget
                            .as_ref()
                            .is_some_and(|c| c.value.providers.contains_key(p));
                        if !known {
                            return Err(ConfigError::new(
                                path,
                                bpos,
                                format!(
                                    "service `{}` names budget provider `{p}`, which `budget.providers` does not define",
                                    s.name.value
                                ),
                            ));
                        }
                    }
                    for r in &b.value.slos {
                        if let Some(o) = r.objective
                            && !(o > 0.0 && o < 100.0)
                        {
                            return Err(ConfigError::new(
                                path,
                                bpos,
                                format!(
                                    "SLO `{}`: objective {o} must be a percent between 0 and 100",
                                    r.name
                                ),
                            ));
                        }
                        if let Some(w) = &r.window
                            && crate::duration::parse_duration(w).is_none()
                        {
                            return Err(ConfigError::new(
                                path,
                                bpos,
                                format!(
                                    "SLO `{}`: window `{w}` is not a duration such as 30d",
                                    r.name
                                ),
                            ));
                        }
                    }
                    b.value
                }
                None => Default::default(),
            };
            services.push(Service {
                name: s.name.value,
                paths,
                tier: s.tier.unwrap_or(Tier::Standard),
                tier_given: s.tier.is_some(),
                owner: s.owner,
                oncall: s.oncall,
                pos,
                catalog_file: None,
                budget,
            });
        }
        let overrides =
            |m: BTreeMap<String, Spanned<RawOverride>>| -> BTreeMap<String, RuleOverride> {
                m.into_iter()
                    .map(|(id, o)| {
                        (
                            id,
                            RuleOverride {
                                level: o.value.level,
                                with: o.value.with,
                                pos: Pos::from(&o.referenced),
                            },
                        )
                    })
                    .collect()
            };
        let rules = overrides(raw.rules);
        let mut tiers = BTreeMap::new();
        for (tier, t) in raw.tiers {
            let budget_policy = match t.budget_policy {
                Some(p) => {
                    if let Err(m) = p.value.validate() {
                        return Err(ConfigError::new(
                            path,
                            Pos::from(&p.referenced),
                            format!("tiers.{}.budget-policy: {m}", tier.as_str()),
                        ));
                    }
                    Some(p.value)
                }
                None => None,
            };
            tiers.insert(
                tier,
                TierConfig {
                    rules: overrides(t.rules),
                    max_level: t.max_level,
                    budget_policy,
                },
            );
        }
        let runbooks = raw.runbooks.unwrap_or_else(|| {
            DEFAULT_RUNBOOK_GLOBS
                .iter()
                .map(|s| s.to_string())
                .collect()
        });
        let non_production = raw.non_production.unwrap_or_else(default_non_production);
        for g in runbooks
            .iter()
            .chain(raw.ignore.iter())
            .chain(non_production.iter())
            .chain(raw.production.iter())
        {
            if let Err(e) = globset::Glob::new(g) {
                return Err(ConfigError::new(
                    path,
                    Pos::default(),
                    format!("invalid glob `{g}`: {}", e.kind()),
                ));
            }
        }
        let budget = match raw.budget {
            Some(b) => Some(validate_budget(b, path, text)?),
            None => None,
        };
        let defaults = Config::default_for(root);
        let secrets = match raw.secrets {
            None => defaults.secrets,
            Some(s) => {
                let gitleaks_config = match s.gitleaks_config {
                    Some(g) => {
                        let p = root.join(&g.value);
                        if !p.is_file() {
                            return Err(ConfigError::new(
                                path,
                                Pos::from(&g.referenced),
                                format!("secrets.gitleaks-config: `{}` is not a file", g.value),
                            ));
                        }
                        Some(p)
                    }
                    None => defaults.secrets.gitleaks_config,
                };
                SecretsConfig {
                    gitleaks_config,
                    scan_vendored: s.scan_vendored,
                    ignore_file: defaults.secrets.ignore_file,
                }
            }
        };
        let mut suppressions = Vec::new();
        for sp in raw.suppressions {
            let pos = Pos::from(&sp.referenced);
            let r = sp.value;
            let Some(reason) = r.reason.filter(|x| !x.trim().is_empty()) else {
                return Err(ConfigError::new(
                    path,
                    pos,
                    format!("suppression of `{}` needs a `reason`", r.rule),
                ));
            };
            for g in std::iter::once(&r.rule).chain(&r.paths) {
                if let Err(e) = globset::Glob::new(g) {
                    return Err(ConfigError::new(
                        path,
                        pos,
                        format!("invalid glob `{g}`: {}", e.kind()),
                    ));
                }
            }
            if let Some(u) = &r.until
                && !valid_date(u)
            {
                return Err(ConfigError::new(
                    path,
                    pos,
                    format!("suppression `until: {u}` is not a date YYYY-MM-DD"),
                ));
            }
            suppressions.push(SuppressionRule {
                rule: r.rule,
                paths: r.paths,
                service: r.service,
                reason,
                until: r.until,
                pos,
            });
        }
        // The baseline is written by `prr baseline`: it stays inside the
        // repository (a cloned repository must not point it at ~/.bashrc).
        if let Some(b) = &raw.baseline
            && (Path::new(b).is_absolute()
                || Path::new(b)
                    .components()
                    .any(|c| matches!(c, std::path::Component::ParentDir)))
        {
            return Err(ConfigError::new(
                path,
                key_below(text, Pos { line: 1, column: 1 }, "baseline").unwrap_or_default(),
                format!(
                    "baseline `{b}` must be a path inside the repository (no absolute path, no `..`)"
                ),
            ));
        }
        Ok(Config {
            secrets,
            suppressions,
            baseline: raw.baseline.map_or(defaults.baseline, |b| root.join(b)),
            render: raw.render.unwrap_or_default(),
            budget,
            source: Some(path.to_path_buf()),
            services,
            rules,
            rules_dirs: match raw.rules_dir {
                None => Vec::new(),
                Some(OneOrMany::One(d)) => vec![root.join(d)],
                Some(OneOrMany::Many(ds)) => ds.iter().map(|d| root.join(d)).collect(),
            },
            tiers,
            resolved: None,
            runbooks,
            ignore: raw.ignore,
            non_production,
            production: raw.production,
            paging_receivers: raw.paging_receivers,
        })
    }

    /// Where the baseline is, relative to `root` when it is under it.
    pub fn baseline_display(&self, root: &Path) -> String {
        crate::fsio::rel_path(&self.baseline, root)
    }

    fn with_source(mut self, path: &Path) -> Config {
        self.source = Some(path.to_path_buf());
        self
    }
}

fn default_non_production() -> Vec<String> {
    crate::suppress::non_production::DEFAULT_NON_PRODUCTION_GLOBS
        .iter()
        .map(|s| s.to_string())
        .collect()
}

/// Default baseline location, relative to the repository root.
pub const DEFAULT_BASELINE: &str = ".prr/baseline.json";

/// Whether `s` is a calendar date `YYYY-MM-DD`.
pub fn valid_date(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let num = |r: std::ops::Range<usize>| s.get(r).and_then(|x| x.parse::<u32>().ok());
    matches!((num(0..4), num(5..7), num(8..10)), (Some(_), Some(m), Some(d)) if (1..=12).contains(&m) && (1..=31).contains(&d))
}

/// The JSON Schema of prr.yaml (see [`crate::schema`]).
pub fn json_schema() -> serde_json::Value {
    let mut s = schemars::schema_for!(RawConfig).to_value();
    if let Some(m) = s.as_object_mut() {
        m.insert("title".into(), "prr.yaml".into());
        m.insert("$id".into(), "https://prr.dev/schema/config.json".into());
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::parse(text, Path::new("prr.yaml"), Path::new("/repo"))
    }

    #[test]
    fn full_config() {
        let c = parse(
            "services:\n  - name: checkout\n    paths: [\"svc/**\"]\n    tier: critical\n    owner: pay\nrules:\n  alerts/for:\n    level: warning\n    with: { min: 5m }\nrules-dir: team-rules\n",
        )
        .unwrap();
        assert_eq!(c.services[0].name, "checkout");
        assert_eq!(c.services[0].tier, Tier::Critical);
        let o = &c.rules["alerts/for"];
        assert_eq!(o.level, Some(Level::Warning));
        assert_eq!(
            o.with.as_ref().unwrap().get("min").unwrap().as_str(),
            Some("5m")
        );
        assert_eq!(o.pos.line, 8);
        assert_eq!(c.rules_dirs, [Path::new("/repo/team-rules")]);
    }

    #[test]
    fn unknown_key_points_at_line() {
        let e = parse("services:\n  - name: a\n    tiers: critical\n").unwrap_err();
        assert_eq!(e.pos.line, 3, "{e}");
        let s = e.to_string();
        assert!(s.starts_with("prr.yaml:3:"), "{s}");
        assert!(s.contains("tiers"), "{s}");
    }

    #[test]
    fn wrong_type_points_at_line() {
        let e = parse("services:\n  - name: a\n    tier: platinum\n").unwrap_err();
        assert_eq!(e.pos.line, 3, "{e}");
        assert!(
            e.to_string().contains("critical"),
            "lists the expected values: {e}"
        );
    }

    #[test]
    fn bad_level_and_glob() {
        let e = parse("rules:\n  x/y:\n    level: fatal\n").unwrap_err();
        assert_eq!(e.pos.line, 3, "{e}");
        let e = parse("services:\n  - name: a\n    paths: [\"a/[b\"]\n").unwrap_err();
        assert_eq!(e.pos.line, 3, "{e}");
    }

    #[test]
    fn empty_file_is_defaults() {
        let c = parse("").unwrap();
        assert!(c.services.is_empty());
        assert_eq!(c.runbooks.len(), DEFAULT_RUNBOOK_GLOBS.len());
    }
}
