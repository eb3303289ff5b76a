//! Rule files: the declarative checklist (docs/design.md §3).
//!
//! One rule per YAML file. The default pack is the top-level `rules/` folder,
//! embedded in the binary at build time (see `build.rs`); a team folder
//! (`rules-dir:` in prr.yaml) adds rules or replaces built-in ones by ID; the
//! `rules:` overrides of prr.yaml then change levels and merge parameters.
//!
//! ```yaml
//! id: alerts/runbook-annotation      # family/name, kebab-case (contract)
//! title: Every alert links a runbook
//! level: error                        # error | warning | notice | off
//! applies-to: { tiers: [critical, standard] }   # optional
//! check: alerts.required-annotation   # built-in analyzer
//! with: { annotation: runbook_url }   # analyzer parameters
//! help: |
//!   Why it matters and how to fix it.
//! ```

use crate::config::{Config, ConfigError, Tier};
use crate::finding::Level;
use crate::yaml::{Node, Pos, Value};
use serde::Deserialize;
use serde_saphyr::Spanned;
use std::path::{Path, PathBuf};

pub mod secret_pack;

include!(concat!(env!("OUT_DIR"), "/embedded_rules.rs"));

/// Where a rule was defined.
#[derive(Clone, Debug, PartialEq)]
pub enum RuleSource {
    /// The embedded default pack (`rules/<file>`).
    Builtin(&'static str),
    /// A team rule file.
    Team(PathBuf),
}

impl RuleSource {
    /// A display path (`rules/x.yaml` or the team file's path).
    pub fn display(&self) -> String {
        match self {
            RuleSource::Builtin(f) => format!("rules/{f}"),
            RuleSource::Team(p) => p.display().to_string(),
        }
    }

    fn path(&self) -> PathBuf {
        PathBuf::from(self.display())
    }
}

/// A loaded rule, after team replacements and prr.yaml overrides.
#[derive(Clone, Debug)]
pub struct Rule {
    /// Stable ID, `family/name`.
    pub id: String,
    /// One-line title.
    pub title: String,
    /// Effective level.
    pub level: Level,
    /// Tiers the rule applies to (`None`: all).
    pub tiers: Option<Vec<Tier>>,
    /// `applies-to: { environments: [production] }`: the rule judges
    /// production workloads, so its findings gate only where prr knows the
    /// object runs in production (see [`crate::suppress::environment`]).
    pub production_only: bool,
    /// Analyzer name (`alerts.required-annotation`, `yaml.assert`, …).
    pub check: String,
    /// Analyzer parameters (a mapping; empty when none).
    pub with: Node,
    /// `with` decoded by the analyzer (compiled once, at load time).
    pub params: crate::checks::Prepared,
    /// Help text (Markdown).
    pub help: String,
    /// Where it came from.
    pub source: RuleSource,
    /// Per-tier variants from `tiers.<tier>.rules` of prr.yaml: services of
    /// that tier get this level and these parameters instead.
    pub tier_variants: Vec<TierVariant>,
    /// The highest level a finding keeps, per tier (`tiers.<tier>.max-level`).
    pub tier_caps: Vec<(Tier, Level)>,
}

impl Rule {
    /// What the reports show of this rule.
    pub fn info(&self) -> prr_core::report::RuleInfo {
        prr_core::report::RuleInfo {
            id: self.id.clone(),
            title: self.title.clone(),
            help: self.help.clone(),
            level: self.level,
        }
    }
}

/// A rule as it applies to the services of one tier.
#[derive(Clone, Debug)]
pub struct TierVariant {
    /// The tier.
    pub tier: Tier,
    /// Level for that tier's services.
    pub level: Level,
    /// Parameters, when they differ from the rule's (`None`: the rule's own).
    pub with: Option<Node>,
    /// `with` decoded (`None`: the rule's own).
    pub params: Option<crate::checks::Prepared>,
}

impl Rule {
    /// The rule's family (`alerts` for `alerts/for`).
    pub fn family(&self) -> &str {
        self.id.split('/').next().unwrap_or("")
    }

    /// Whether the rule runs at all: on for some tier or for every one.
    pub fn enabled(&self) -> bool {
        self.level != Level::Off || self.tier_variants.iter().any(|v| v.level != Level::Off)
    }

    /// The level for a service of `tier` (`None`: no service), before the
    /// tier's cap.
    pub fn level_for(&self, tier: Option<Tier>) -> Level {
        let level = tier
            .and_then(|t| self.tier_variants.iter().find(|v| v.tier == t))
            .map_or(self.level, |v| v.level);
        match tier.and_then(|t| self.tier_caps.iter().find(|(c, _)| *c == t)) {
            Some((_, cap)) if level > *cap => *cap,
            _ => level,
        }
    }

    /// Whether the rule applies to a service of `tier`: its `applies-to`
    /// tiers, or an explicit `tiers.<tier>.rules` entry for it.
    pub fn applies_to(&self, tier: Tier) -> bool {
        self.tiers.as_ref().is_none_or(|t| t.contains(&tier))
            || self.tier_variants.iter().any(|v| v.tier == tier)
    }
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawRule {
    /// Stable ID, `family/name` in kebab-case.
    #[schemars(with = "String")]
    id: Spanned<String>,
    title: String,
    level: Level,
    #[serde(default)]
    applies_to: Option<AppliesTo>,
    /// The built-in analyzer (`prr rules` lists them; `file.exists`,
    /// `file.contains`, `yaml.assert` for rules without Rust).
    #[schemars(with = "String")]
    check: Spanned<String>,
    #[serde(default)]
    with: Option<Node>,
    help: String,
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct AppliesTo {
    #[serde(default)]
    tiers: Option<Vec<Tier>>,
    /// Deploy environments the rule's claim is about (only `production`).
    #[serde(default)]
    environments: Option<Vec<Environment>>,
}

/// A deploy environment a rule applies to.
#[derive(Deserialize, schemars::JsonSchema, PartialEq, Eq, Clone, Copy, Debug)]
#[serde(rename_all = "kebab-case")]
enum Environment {
    /// Objects that run production traffic.
    Production,
}

/// Parses one rule file. `path` is for messages.
pub fn parse_rule(text: &str, source: RuleSource) -> Result<Rule, ConfigError> {
    let path = source.path();
    let raw: RawRule = crate::config_message::from_str(text, "invalid rule file")
        .map_err(|(pos, msg)| ConfigError::new(&path, pos, msg))?;
    let id = raw.id.value;
    if !valid_id(&id) {
        return Err(ConfigError::new(
            &path,
            Pos::from(&raw.id.referenced),
            format!("rule id `{id}` must be `family/name` in kebab-case"),
        ));
    }
    let check = raw.check.value;
    let Some(analyzer) = crate::checks::analyzer(&check) else {
        let known: Vec<&str> = crate::checks::REGISTRY.iter().map(|a| a.name).collect();
        return Err(ConfigError::new(
            &path,
            Pos::from(&raw.check.referenced),
            format!(
                "unknown check `{check}`; known checks: {}",
                known.join(", ")
            ),
        ));
    };
    let with = raw.with.unwrap_or(Node {
        value: Value::Map(Vec::new()),
        pos: Pos::default(),
    });
    let params = (analyzer.prepare)(&with).map_err(|msg| {
        ConfigError::new(
            &path,
            with.pos,
            format!("invalid `with` for {check}: {msg}"),
        )
    })?;
    Ok(Rule {
        id,
        title: raw.title,
        level: raw.level,
        production_only: raw
            .applies_to
            .as_ref()
            .and_then(|a| a.environments.as_ref())
            .is_some_and(|e| e.contains(&Environment::Production)),
        tiers: raw.applies_to.and_then(|a| a.tiers),
        check,
        with,
        params,
        help: raw.help,
        source,
        tier_variants: Vec::new(),
        tier_caps: Vec::new(),
    })
}

fn valid_id(id: &str) -> bool {
    let mut parts = id.split('/');
    let (Some(a), Some(b), None) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    let ok = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            && !s.starts_with('-')
    };
    ok(a) && ok(b)
}

/// Loads the embedded pack, then team rules, then applies prr.yaml overrides.
///
/// Errors (exit 2): a malformed rule file, a duplicate ID inside one source,
/// an unknown analyzer or bad parameters, an override naming no rule.
pub fn load(config: &Config) -> Result<Vec<Rule>, ConfigError> {
    load_with_pack(config).map(|(rules, _)| rules)
}

/// [`load`], also returning the secret pack's global allowlists (gitleaks
/// `[allowlist]`), which the secret engine needs. The secret rules
/// (`secrets/<gitleaks id>`, from the embedded gitleaks config or the
/// team's `.gitleaks.toml`) are loaded after the YAML pack and before team
/// rules and overrides, so prr.yaml can override them like any rule.
pub fn load_with_pack(
    config: &Config,
) -> Result<(Vec<Rule>, Vec<crate::checks::secrets::Allowlist>), ConfigError> {
    let mut rules: Vec<Rule> = Vec::new();
    for (name, text) in EMBEDDED_RULES {
        let rule = parse_rule(text, RuleSource::Builtin(name))?;
        if rules.iter().any(|r| r.id == rule.id) {
            return Err(ConfigError::new(
                &rule.source.path(),
                Pos::default(),
                format!("duplicate rule id `{}`", rule.id),
            ));
        }
        rules.push(rule);
    }
    let pack = secret_pack::load_pack(config)?;
    for rule in pack.rules {
        if rules.iter().any(|r| r.id == rule.id) {
            return Err(ConfigError::new(
                &rule.source.path(),
                Pos::default(),
                format!("secret rule `{}` has the ID of a YAML rule", rule.id),
            ));
        }
        rules.push(rule);
    }
    for dir in &config.rules_dirs {
        load_team_rules(dir, &mut rules)?;
    }
    let err = |pos: Pos, m: String| {
        let (path, pos) = config.locate(pos);
        ConfigError::new(&path, pos, m)
    };
    for (id, o) in &config.rules {
        let Some(rule) = rules.iter_mut().find(|r| &r.id == id) else {
            let hint = crate::config_message::did_you_mean(id, rules.iter().map(|r| r.id.as_str()))
                .map(|c| format!(": did you mean `{c}`?"))
                .unwrap_or_default();
            return Err(err(
                o.pos,
                format!("override for unknown rule `{id}`{hint} (see `prr rules`)"),
            ));
        };
        if let Some(level) = o.level {
            rule.level = level;
        }
        if let Some(with) = &o.with {
            let (merged, params) = overridden(rule, with).map_err(|(p, m)| err(p, m))?;
            rule.params = params;
            rule.with = merged;
        }
    }
    for (tier, t) in &config.tiers {
        for (id, o) in &t.rules {
            let Some(rule) = rules.iter_mut().find(|r| &r.id == id) else {
                return Err(err(
                    o.pos,
                    format!(
                        "tiers.{}: override for unknown rule `{id}` (see `prr rules`)",
                        tier.as_str()
                    ),
                ));
            };
            let (with, params) = match &o.with {
                Some(w) => {
                    let (m, p) = overridden(rule, w).map_err(|(p, m)| err(p, m))?;
                    (Some(m), Some(p))
                }
                None => (None, None),
            };
            rule.tier_variants.push(TierVariant {
                tier: *tier,
                level: o.level.unwrap_or(rule.level),
                with,
                params,
            });
        }
        if let Some(cap) = t.max_level {
            for rule in rules.iter_mut() {
                rule.tier_caps.push((*tier, cap));
            }
        }
    }
    rules.sort_by(|a, b| a.id.cmp(&b.id));
    Ok((rules, pack.global))
}

/// The rule's parameters with `with` merged over them, decoded.
fn overridden(rule: &Rule, with: &Node) -> Result<(Node, crate::checks::Prepared), (Pos, String)> {
    let merged = merge_params(&rule.with, with).map_err(|m| (with.pos, m))?;
    let analyzer = crate::checks::analyzer(&rule.check)
        .ok_or_else(|| (with.pos, format!("unknown check `{}`", rule.check)))?;
    let params = (analyzer.prepare)(&merged)
        .map_err(|m| (with.pos, format!("invalid `with` for {}: {m}", rule.id)))?;
    Ok((merged, params))
}

fn load_team_rules(dir: &Path, rules: &mut Vec<Rule>) -> Result<(), ConfigError> {
    let entries = std::fs::read_dir(dir).map_err(|e| {
        ConfigError::new(dir, Pos::default(), format!("cannot read rules-dir: {e}"))
    })?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| matches!(p.extension().and_then(|e| e.to_str()), Some("yaml" | "yml")))
        .collect();
    files.sort();
    let mut seen: Vec<String> = Vec::new();
    for f in files {
        if crate::fsio::link_leaves(&f, dir) {
            return Err(ConfigError::new(
                &f,
                Pos::default(),
                "is a symbolic link out of the rules-dir: not read (a rule file is a file of the rules-dir)",
            ));
        }
        let text = crate::layers::read_file(&f)
            .map_err(|e| ConfigError::new(&f, Pos::default(), format!("cannot read: {e}")))?;
        let rule = parse_rule(&text, RuleSource::Team(f.clone()))?;
        if seen.contains(&rule.id) {
            return Err(ConfigError::new(
                &f,
                Pos::default(),
                format!("duplicate rule id `{}` in rules-dir", rule.id),
            ));
        }
        seen.push(rule.id.clone());
        match rules.iter_mut().find(|r| r.id == rule.id) {
            Some(existing) => *existing = rule,
            None => rules.push(rule),
        }
    }
    Ok(())
}

/// Merges override parameters over a rule's own: keys of `over` replace the
/// same keys of `base` (one level deep); other keys of `base` are kept.
pub fn merge_params(base: &Node, over: &Node) -> Result<Node, String> {
    let (Value::Map(b), Value::Map(o)) = (&base.value, &over.value) else {
        return Err(format!(
            "`with` must be a mapping, found {}",
            over.type_name()
        ));
    };
    let mut out = b.clone();
    for (k, v) in o {
        match out.iter_mut().find(|(bk, _)| bk.name == k.name) {
            Some(slot) => slot.1 = v.clone(),
            None => out.push((k.clone(), v.clone())),
        }
    }
    Ok(Node {
        value: Value::Map(out),
        pos: over.pos,
    })
}

/// The JSON Schema of a rule file (see the app's `prr::schema`); `check:` lists
/// the built-in analyzers.
pub fn json_schema() -> serde_json::Value {
    let mut s = schemars::schema_for!(RawRule).to_value();
    if let Some(check) = s.pointer_mut("/properties/check") {
        let names: Vec<&str> = crate::checks::REGISTRY.iter().map(|a| a.name).collect();
        check["enum"] = serde_json::json!(names);
    }
    if let Some(m) = s.as_object_mut() {
        m.insert("title".into(), "prr rule file".into());
        m.insert("$id".into(), "https://prr.dev/schema/rule.json".into());
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_pack_loads() {
        let rules = load(&Config::default()).unwrap();
        assert!(!rules.is_empty());
        for r in &rules {
            assert!(valid_id(&r.id), "{}", r.id);
            assert!(!r.help.trim().is_empty(), "{} has help", r.id);
        }
    }

    #[test]
    fn bad_rule_files() {
        let src = || RuleSource::Team(PathBuf::from("t.yaml"));
        let e = parse_rule(
            "id: a/b\ntitle: t\nlevel: error\ncheck: no.such\nhelp: h\n",
            src(),
        )
        .unwrap_err();
        assert_eq!(e.pos.line, 4);
        assert!(e.to_string().contains("unknown check"), "{e}");
        let e = parse_rule(
            "id: A_B\ntitle: t\nlevel: error\ncheck: file.exists\nhelp: h\n",
            src(),
        )
        .unwrap_err();
        assert_eq!(e.pos.line, 1);
        let e = parse_rule(
            "id: a/b\ntitle: t\nlevel: loud\ncheck: file.exists\nhelp: h\n",
            src(),
        )
        .unwrap_err();
        assert_eq!(e.pos.line, 3, "{e}");
    }

    #[test]
    fn merge_keeps_other_params() {
        let b = &crate::yaml::parse_documents("a: 1\nb: 2\n").unwrap()[0];
        let o = &crate::yaml::parse_documents("b: 3\nc: 4\n").unwrap()[0];
        let m = merge_params(b, o).unwrap();
        assert_eq!(m.to_json(), serde_json::json!({"a": 1, "b": 3, "c": 4}));
    }
}
