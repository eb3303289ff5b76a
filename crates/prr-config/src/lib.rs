//! prr-config: how prr is configured — `prr.yaml` (services, rule
//! overrides, team rules, runbook globs), its layers ([`layers`]:
//! `extends:` packs and files), the `budget:` ([`budget`]) and
//! `budget-policy:` ([`policy`]) sections, render settings ([`render`]) and
//! the one git runner ([`git`]) that `--policy-from` and changed-file
//! detection use. Depends on `prr-core` only (docs/architecture.md).
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

pub mod budget;
pub mod git;
pub mod layers;
mod load;
pub mod policy;
pub mod render;

// The core modules under the names this crate's files use.
pub(crate) use prr_core::{config_message, duration, finding, fsio, yaml};

use crate::finding::Level;
use crate::yaml::{Node, Pos};
pub use prr_core::service::Tier;
use serde::Deserialize;
use serde_saphyr::Spanned;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// File names looked up at the repository root when `--config` is not given.
pub use prr_core::report::CONFIG_NAMES;

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
/// wherever they are (see `prr::checks::runbooks`).
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
    /// service found by `prr_inventory::catalog`; `None` for the config's.
    pub catalog_file: Option<String>,
    /// The service's `budget:` block (provider, on-error, extra SLOs).
    pub budget: crate::budget::ServiceBudget,
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
    /// [`DEFAULT_NON_PRODUCTION_GLOBS`];
    /// `[]`: no such trees, though `prr::suppress::environment` still
    /// sets aside folders named like a non-production environment). Secrets
    /// gate everywhere.
    pub non_production: Vec<String>,
    /// `production:`: globs of the files that deploy to production. Findings
    /// of rules that judge production workloads (`applies-to: {
    /// environments: [production] }`) gate on files matching them, besides
    /// where an overlay, namespace or folder name says production or a
    /// declared service covers the file (see
    /// `prr::suppress::environment`). Empty by default.
    pub production: Vec<String>,
    /// `paging-receivers:`: Alertmanager receiver names that page someone,
    /// besides those with PagerDuty, Opsgenie or VictorOps integrations
    /// (e.g. a webhook in front of an incident tool). Read by the
    /// alerting-chain rules (`prr::checks::route`).
    pub paging_receivers: Vec<String>,
    /// The `budget:` section (`None`: no budget gate).
    pub budget: Option<crate::budget::BudgetConfig>,
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
    pub budget_policy: Option<crate::policy::PolicyConfig>,
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
    #[schemars(with = "Option<crate::budget::BudgetConfig>")]
    budget: Option<Spanned<crate::budget::BudgetConfig>>,
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
    #[schemars(with = "Option<crate::policy::PolicyConfig>")]
    budget_policy: Option<Spanned<crate::policy::PolicyConfig>>,
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
    #[schemars(with = "Option<crate::budget::ServiceBudget>")]
    budget: Option<Spanned<crate::budget::ServiceBudget>>,
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct RawOverride {
    #[serde(default)]
    level: Option<Level>,
    #[serde(default)]
    with: Option<Node>,
}

fn default_non_production() -> Vec<String> {
    DEFAULT_NON_PRODUCTION_GLOBS
        .iter()
        .map(|s| s.to_string())
        .collect()
}

/// Default baseline location, relative to the repository root.
/// Default globs of non-production trees: a path component named like a
/// test, example or development-tooling folder, at any depth.
pub const DEFAULT_NON_PRODUCTION_GLOBS: &[&str] = &[
    "**/test/**",
    "**/tests/**",
    "**/testdata/**",
    "**/test-data/**",
    "**/e2e/**",
    "**/examples/**",
    "**/example/**",
    "**/samples/**",
    "**/hack/**",
    "**/fixtures/**",
];

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

/// The JSON Schema of prr.yaml (see the app's `prr::schema`).
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
