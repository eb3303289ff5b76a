//! The secret rules: the gitleaks pack in force (the embedded default
//! config, or the team's `.gitleaks.toml` with its `[extend]` chain) read
//! into prr rules `secrets/<id>`, and the scan engine built over them.

use super::{Rule, RuleSource};
use crate::checks::secrets::{Allowlist, Pattern};
use crate::config::{Config, ConfigError};
use crate::finding::{Finding, Level};
use crate::secrets::engine::{Engine, EngineRule};
use crate::secrets::gitleaks;
use crate::yaml::{Key, Node, Pos, Value};
use std::path::Path;

/// The secret rules and global allowlists in force.
pub struct SecretPack {
    /// One prr rule per gitleaks rule (`secrets/<id>`, check `secrets.pattern`).
    pub rules: Vec<Rule>,
    /// gitleaks global allowlists (`[allowlist]`, `[[allowlists]]`).
    pub global: Vec<Allowlist>,
    /// Where the pack came from (`rules/secrets/gitleaks.toml (built in)` or a path).
    pub source: String,
}

/// Loads the gitleaks rules in force: the team's config (prr.yaml
/// `secrets.gitleaks-config`, else `.gitleaks.toml` at the repository root)
/// with its `[extend]` chain, or the embedded default config.
///
/// Errors (exit 2): an unreadable or invalid gitleaks config (with file and
/// line), an `[extend] path` chain deeper than 4 or cyclic, a rule whose
/// regex does not compile.
pub fn load_pack(config: &Config) -> Result<SecretPack, ConfigError> {
    let builtin = Path::new("rules/secrets/gitleaks.toml");
    let (cfg, source, origin) = match &config.secrets.gitleaks_config {
        Some(path) => (
            load_file(path, 0)?,
            path.display().to_string(),
            RuleSource::Team(path.clone()),
        ),
        None => (
            gitleaks::parse(gitleaks::DEFAULT_CONFIG)
                .map_err(|e| ConfigError::new(builtin, Pos::line(e.line), e.message))?,
            "rules/secrets/gitleaks.toml (built in)".to_string(),
            RuleSource::Builtin("secrets/gitleaks.toml"),
        ),
    };
    let err_path = match &origin {
        RuleSource::Team(p) => p.clone(),
        RuleSource::Builtin(_) => builtin.to_path_buf(),
    };
    let mut rules = Vec::new();
    for r in cfg.rules.iter().filter(|r| !r.skip_report) {
        let with = from_json(&gitleaks::rule_params(r));
        let params = crate::checks::params::<Pattern>(&with).map_err(|m| {
            ConfigError::new(
                &err_path,
                Pos::default(),
                format!("gitleaks rule `{}`: {m}", r.id),
            )
        })?;
        let title = r
            .description
            .clone()
            .unwrap_or_else(|| format!("gitleaks rule {}", r.id));
        rules.push(Rule {
            id: gitleaks::prr_id(&r.id),
            title,
            level: Level::Error,
            tiers: None,
            production_only: false,
            check: "secrets.pattern".to_string(),
            with,
            params: crate::checks::Prepared(std::sync::Arc::new(params)),
            help: gitleaks::rule_help(r),
            source: origin.clone(),
            tier_variants: Vec::new(),
            tier_caps: Vec::new(),
        });
    }
    let mut global = Vec::new();
    for a in cfg.global_allowlists() {
        let mut v = gitleaks::allowlist_params(&a);
        if !a.target_rules.is_empty()
            && let Some(m) = v.as_object_mut()
        {
            m.insert("target-rules".into(), serde_json::json!(a.target_rules));
        }
        let list: Allowlist = serde_json::from_value(v).map_err(|e| {
            ConfigError::new(&err_path, Pos::default(), format!("global allowlist: {e}"))
        })?;
        global.push(list);
    }
    Ok(SecretPack {
        rules,
        global,
        source,
    })
}

/// The warning for a team gitleaks config that leaves no secret rule in
/// force: a `.gitleaks.toml` with an allowlist but no `[[rules]]` and no
/// `[extend]` runs zero rules in gitleaks (its config replaces the
/// default one), and so in prr. `None` when secret rules are loaded or the
/// built-in pack is used. The finding (`prr/config`, warning) points at the
/// config's first line, relative to `root`, and names the fix; the secrets
/// readiness area is then not assessed (no secret rule applies).
pub fn empty_pack_warning(config: &Config, rules: &[Rule], root: &Path) -> Option<Finding> {
    let path = config.secrets.gitleaks_config.as_ref()?;
    if rules.iter().any(|r| r.check == "secrets.pattern") {
        return None;
    }
    let rel = crate::inventory::rel_path(path, root);
    Some(
        Finding::new(
            "prr/config",
            &rel,
            Pos::line(1),
            format!(
                "`{rel}` defines no secret rule and does not extend the default ones, so gitleaks and prr run zero rules with it and no secret is found; add `[extend]` with `useDefault = true` to keep the default rules under your allowlist"
            ),
        )
        .with_level(Level::Warning),
    )
}

fn load_file(path: &Path, depth: usize) -> Result<gitleaks::GitleaksConfig, ConfigError> {
    if depth > 4 {
        return Err(ConfigError::new(
            path,
            Pos::default(),
            "[extend] path chain deeper than 4 (a cycle?)",
        ));
    }
    let text = read_bounded(path)?;
    let cfg =
        gitleaks::parse(&text).map_err(|e| ConfigError::new(path, Pos::line(e.line), e.message))?;
    let Some(ext) = &cfg.extend else {
        return Ok(cfg);
    };
    let base = if let Some(p) = &ext.path {
        // The config is repository content: its `[extend] path` must stay
        // beside it (no absolute path, no `..`), so a pull request cannot
        // make prr read /dev/zero or a file outside the checkout.
        let rel = Path::new(p);
        let inside = !rel.is_absolute()
            && rel.components().all(|c| {
                matches!(
                    c,
                    std::path::Component::Normal(_) | std::path::Component::CurDir
                )
            });
        if !inside {
            return Err(ConfigError::new(
                path,
                Pos::default(),
                format!(
                    "[extend] path `{p}` must be a relative path below the config's folder (no `..`, not absolute)"
                ),
            ));
        }
        let p = path.parent().unwrap_or(Path::new(".")).join(rel);
        Some(load_file(&p, depth + 1)?)
    } else if ext.use_default {
        Some(gitleaks::parse(gitleaks::DEFAULT_CONFIG).map_err(|e| {
            ConfigError::new(
                Path::new("rules/secrets/gitleaks.toml"),
                Pos::line(e.line),
                e.message,
            )
        })?)
    } else {
        None
    };
    let merged = match base {
        Some(b) => cfg.extend_over(b),
        None => cfg,
    };
    merged
        .validate()
        .map_err(|e| ConfigError::new(path, Pos::line(e.line), e.message))?;
    Ok(merged)
}

/// Largest gitleaks config read (gitleaks' default config is 100 KB).
pub const MAX_CONFIG_BYTES: u64 = 4 * 1024 * 1024;

/// Reads a gitleaks config: a regular file of at most [`MAX_CONFIG_BYTES`]
/// ([`crate::fsio::read_text_bounded`]: counted while reading), never
/// through a symbolic link that leaves the folder holding it (its text
/// would be quoted in a parse error).
fn read_bounded(path: &Path) -> Result<String, ConfigError> {
    let err = |m: String| ConfigError::new(path, Pos::default(), m);
    if let Some(dir) = path.parent()
        && crate::fsio::link_leaves(
            path,
            if dir.as_os_str().is_empty() {
                Path::new(".")
            } else {
                dir
            },
        )
    {
        return Err(err(
            "gitleaks config is a symbolic link out of its folder: not read".into(),
        ));
    }
    crate::fsio::read_text_bounded(path, MAX_CONFIG_BYTES)
        .map_err(|e| err(format!("cannot read gitleaks config: {e}")))
}

/// A YAML node (positions unknown) from JSON, for rules built from TOML.
fn from_json(v: &serde_json::Value) -> Node {
    use serde_json::Value as J;
    let value = match v {
        J::Null => Value::Null,
        J::Bool(b) => Value::Bool(*b),
        J::Number(n) => match n.as_i64() {
            Some(i) => Value::Int(i),
            None => Value::Float(n.as_f64().unwrap_or(0.0)),
        },
        J::String(s) => Value::Str(s.clone()),
        J::Array(a) => Value::Seq(a.iter().map(from_json).collect()),
        J::Object(m) => Value::Map(
            m.iter()
                .map(|(k, v)| {
                    (
                        Key {
                            name: k.clone(),
                            pos: Pos::default(),
                        },
                        from_json(v),
                    )
                })
                .collect(),
        ),
    };
    Node {
        value,
        pos: Pos::default(),
    }
}

/// Builds the engine over every enabled `secrets.pattern` rule.
pub fn engine<'a>(rules: &'a [Rule], global: &'a [Allowlist]) -> Engine<'a> {
    let list = rules
        .iter()
        .filter(|r| r.check == "secrets.pattern" && r.level != Level::Off)
        .filter_map(|r| {
            r.params.0.downcast_ref::<Pattern>().map(|p| EngineRule {
                id: r.id.as_str(),
                pattern: p,
            })
        })
        .collect();
    Engine::new(list, global)
}
