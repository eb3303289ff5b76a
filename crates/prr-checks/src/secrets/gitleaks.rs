//! Reader for gitleaks' TOML configuration format (`.gitleaks.toml`).
//!
//! Source of the format: gitleaks v8 `config/config.go` and the default
//! `config/gitleaks.toml` (gitleaks 8.30; MIT). Supported keys:
//!
//! - top level: `title`, `minVersion`, `[extend]` (`useDefault`, `path`,
//!   `disabledRules`; `url` is refused — prr does not fetch configs),
//!   the global `[allowlist]` (deprecated single form) and `[[allowlists]]`
//!   (with `targetRules`);
//! - `[[rules]]`: `id`, `description`, `regex`, `secretGroup`, `entropy`,
//!   `keywords`, `path`, `tags`, `[rules.allowlist]` / `[[rules.allowlists]]`
//!   (`description`, `condition` OR|AND, `paths`, `regexes`, `regexTarget`
//!   secret|match|line, `stopwords`, `commits`).
//!
//! Not supported (a clear error, never a silent drop): `[[rules.required]]`
//! composite rules and `extend.url`. `skipReport` rules are read and not run.
//!
//! Each gitleaks rule becomes a prr rule `secrets/<id>` with the
//! `secrets.pattern` check, so `prr rules`, `prr explain` and prr.yaml
//! overrides work on it like on any other rule.

use serde::Deserialize;
use serde_json::{Map, Value, json};

/// A parsed gitleaks configuration.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GitleaksConfig {
    /// Free text.
    #[serde(default)]
    pub title: Option<String>,
    /// `[extend]`: build on another config.
    #[serde(default)]
    pub extend: Option<Extend>,
    /// Deprecated single global allowlist.
    #[serde(default)]
    pub allowlist: Option<AllowlistSpec>,
    /// Global allowlists.
    #[serde(default)]
    pub allowlists: Vec<AllowlistSpec>,
    /// The rules.
    #[serde(default)]
    pub rules: Vec<RuleSpec>,
}

/// `[extend]`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Extend {
    /// Start from gitleaks' default config (prr's embedded copy of it).
    #[serde(default)]
    pub use_default: bool,
    /// Start from another config file (relative to this one's folder).
    #[serde(default)]
    pub path: Option<String>,
    /// Not supported: prr never fetches a config over the network.
    #[serde(default)]
    pub url: Option<String>,
    /// Rule IDs of the extended config to leave out.
    #[serde(default)]
    pub disabled_rules: Vec<String>,
}

/// One allowlist: a finding is allowed when the criteria match (any one of
/// them with `condition = "OR"`, the default; all given ones with `"AND"`).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AllowlistSpec {
    /// Free text.
    #[serde(default)]
    pub description: Option<String>,
    /// `OR` (default) or `AND`.
    #[serde(default)]
    pub condition: Option<String>,
    /// Commit SHAs; prr scans files, not history, so a non-empty list never matches.
    #[serde(default)]
    pub commits: Vec<String>,
    /// Regexes on the file path.
    #[serde(default)]
    pub paths: Vec<String>,
    /// Regexes on the target (`regexTarget`).
    #[serde(default)]
    pub regexes: Vec<String>,
    /// `secret` (default), `match` or `line`.
    #[serde(default)]
    pub regex_target: Option<String>,
    /// Words that, contained in the secret (case-insensitive), allow it.
    #[serde(default)]
    pub stopwords: Vec<String>,
    /// Global allowlists only: the rule IDs it applies to (empty: all).
    #[serde(default)]
    pub target_rules: Vec<String>,
}

/// One `[[rules]]` entry.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RuleSpec {
    /// gitleaks rule ID (`aws-access-token`).
    pub id: String,
    /// What the rule finds.
    #[serde(default)]
    pub description: Option<String>,
    /// Go RE2 regular expression.
    #[serde(default)]
    pub regex: Option<String>,
    /// Capture group of the secret (0: the first non-empty group).
    #[serde(default)]
    pub secret_group: Option<usize>,
    /// Minimum Shannon entropy (bits per byte) of the secret.
    #[serde(default)]
    pub entropy: Option<f64>,
    /// Prefilter keywords (matched case-insensitively).
    #[serde(default)]
    pub keywords: Vec<String>,
    /// Regex on the file path.
    #[serde(default)]
    pub path: Option<String>,
    /// Free tags.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Composite rules only: not reported on their own.
    #[serde(default)]
    pub skip_report: bool,
    /// Deprecated single rule allowlist.
    #[serde(default)]
    pub allowlist: Option<AllowlistSpec>,
    /// Rule allowlists.
    #[serde(default)]
    pub allowlists: Vec<AllowlistSpec>,
    /// Composite rules (gitleaks ≥ 8.28): not supported by prr.
    #[serde(default)]
    pub required: Option<toml::Value>,
}

/// An error in a gitleaks config, with the 1-based line when known.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct Error {
    /// 1-based line (0: unknown).
    pub line: u32,
    /// What is wrong.
    pub message: String,
}

/// The default gitleaks configuration (gitleaks 8.30 `config/gitleaks.toml`,
/// MIT), shipped as prr's default secret pack.
pub const DEFAULT_CONFIG: &str = include_str!("../../../../rules/secrets/gitleaks.toml");

/// Parses gitleaks TOML text.
///
/// Errors: invalid TOML or a wrong value type (with its line), a rule
/// without `id`, a rule with neither `regex` nor `path`, duplicate rule IDs,
/// `[[rules.required]]` or `extend.url`.
pub fn parse(text: &str) -> Result<GitleaksConfig, Error> {
    let cfg: GitleaksConfig = toml::from_str(text).map_err(|e| {
        let line = e
            .span()
            .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1)
            .unwrap_or(0);
        Error {
            line: u32::try_from(line).unwrap_or(u32::MAX),
            message: e.message().to_string(),
        }
    })?;
    let line_of = |id: &str| -> u32 {
        let needle = format!("\"{id}\"");
        text.find(&needle)
            .map(|at| text[..at].matches('\n').count() + 1)
            .and_then(|l| u32::try_from(l).ok())
            .unwrap_or(0)
    };
    if let Some(ext) = &cfg.extend
        && ext.url.is_some()
    {
        return Err(Error {
            line: 0,
            message: "[extend] url is not supported: prr does not fetch configs; check the file in and use `path`".into(),
        });
    }
    let mut seen = std::collections::HashSet::new();
    for r in &cfg.rules {
        if r.id.trim().is_empty() {
            return Err(Error {
                line: 0,
                message: "a [[rules]] entry has an empty `id`".into(),
            });
        }
        if !seen.insert(r.id.as_str()) {
            return Err(Error {
                line: line_of(&r.id),
                message: format!("duplicate rule id `{}`", r.id),
            });
        }
        // An extending config may refine a base rule without repeating it.
        if cfg.extend.is_none() && r.regex.is_none() && r.path.is_none() {
            return Err(Error {
                line: line_of(&r.id),
                message: format!("rule `{}` has neither `regex` nor `path`", r.id),
            });
        }
        if r.required.is_some() {
            return Err(Error {
                line: line_of(&r.id),
                message: format!(
                    "rule `{}`: [[rules.required]] (composite rules) is not supported by prr",
                    r.id
                ),
            });
        }
    }
    Ok(cfg)
}

/// The `[extend] path` of gitleaks TOML `text`, checked to name a file
/// below the config's own folder: `Ok(None)` without one (or for text that
/// does not parse, which the full load reports), `Err(path)` when it is
/// absolute or climbs with `..` (the full load refuses it with its line).
/// `--policy-from` uses it to read the extended file from the policy
/// revision too (`prr::policy_source`).
pub fn extend_path(text: &str) -> Result<Option<String>, String> {
    let Some(p) = parse(text).ok().and_then(|c| c.extend).and_then(|e| e.path) else {
        return Ok(None);
    };
    if extend_path_is_inside(&p) {
        Ok(Some(p))
    } else {
        Err(p)
    }
}

/// Whether an `[extend] path` stays below the config's folder: relative,
/// only ordinary segments (no `..`, no root, no Windows prefix).
pub fn extend_path_is_inside(p: &str) -> bool {
    let rel = std::path::Path::new(p);
    !p.is_empty()
        && !rel.is_absolute()
        && rel.components().all(|c| {
            matches!(
                c,
                std::path::Component::Normal(_) | std::path::Component::CurDir
            )
        })
}

impl GitleaksConfig {
    /// After an `[extend]` merge: every rule has a `regex` or a `path`.
    pub fn validate(&self) -> Result<(), Error> {
        match self
            .rules
            .iter()
            .find(|r| r.regex.is_none() && r.path.is_none())
        {
            Some(r) => Err(Error {
                line: 0,
                message: format!(
                    "rule `{}` has neither `regex` nor `path` (and extends no base rule of that id)",
                    r.id
                ),
            }),
            None => Ok(()),
        }
    }

    /// Every global allowlist (the deprecated `[allowlist]` first).
    pub fn global_allowlists(&self) -> Vec<AllowlistSpec> {
        self.allowlist
            .iter()
            .chain(&self.allowlists)
            .cloned()
            .collect()
    }

    /// Merges `self` (the extending config) over `base` as gitleaks does:
    /// base rules minus `disabledRules`, then this config's rules (same ID:
    /// regex, entropy, secretGroup, path and description replace the base's
    /// when given; keywords, tags and allowlists are appended), global
    /// allowlists of both.
    pub fn extend_over(self, mut base: GitleaksConfig) -> GitleaksConfig {
        let disabled = self
            .extend
            .as_ref()
            .map(|e| e.disabled_rules.clone())
            .unwrap_or_default();
        base.rules.retain(|r| !disabled.contains(&r.id));
        let own_globals = self.global_allowlists();
        for r in self.rules {
            match base.rules.iter_mut().find(|b| b.id == r.id) {
                Some(b) => {
                    if r.description.is_some() {
                        b.description = r.description;
                    }
                    if r.regex.is_some() {
                        b.regex = r.regex;
                    }
                    if r.secret_group.is_some() {
                        b.secret_group = r.secret_group;
                    }
                    if r.entropy.is_some() {
                        b.entropy = r.entropy;
                    }
                    if r.path.is_some() {
                        b.path = r.path;
                    }
                    b.keywords.extend(r.keywords);
                    b.tags.extend(r.tags);
                    b.allowlists.extend(r.allowlist);
                    b.allowlists.extend(r.allowlists);
                }
                None => base.rules.push(r),
            }
        }
        let mut globals = base.global_allowlists();
        globals.extend(own_globals);
        GitleaksConfig {
            title: self.title.or(base.title),
            extend: None,
            allowlist: None,
            allowlists: globals,
            rules: base.rules,
        }
    }
}

/// The prr rule ID of a gitleaks rule (`secrets/<id>`, lowercased, any
/// character outside `[a-z0-9-]` turned into `-`).
pub fn prr_id(gitleaks_id: &str) -> String {
    let name: String = gitleaks_id
        .to_ascii_lowercase()
        .chars()
        .map(|c| {
            if c.is_ascii_lowercase() || c.is_ascii_digit() {
                c
            } else {
                '-'
            }
        })
        .collect();
    let name = name.trim_matches('-');
    format!("secrets/{}", if name.is_empty() { "rule" } else { name })
}

/// One allowlist as `secrets.pattern` parameters (kebab-case keys).
pub fn allowlist_params(a: &AllowlistSpec) -> Value {
    let mut m = Map::new();
    if let Some(d) = &a.description {
        m.insert("description".into(), json!(d));
    }
    if let Some(c) = &a.condition {
        m.insert("condition".into(), json!(c.to_ascii_lowercase()));
    }
    if !a.commits.is_empty() {
        m.insert("commits".into(), json!(a.commits));
    }
    if !a.paths.is_empty() {
        m.insert("paths".into(), json!(a.paths));
    }
    if !a.regexes.is_empty() {
        m.insert("regexes".into(), json!(a.regexes));
    }
    if let Some(t) = &a.regex_target {
        m.insert("regex-target".into(), json!(t.to_ascii_lowercase()));
    }
    if !a.stopwords.is_empty() {
        m.insert("stopwords".into(), json!(a.stopwords));
    }
    Value::Object(m)
}

/// A gitleaks rule as the `with:` parameters of `secrets.pattern`.
pub fn rule_params(r: &RuleSpec) -> Value {
    let mut m = Map::new();
    m.insert(
        "name".into(),
        json!(r.description.clone().unwrap_or_else(|| r.id.clone())),
    );
    m.insert("gitleaks-id".into(), json!(r.id));
    if !r.keywords.is_empty() {
        m.insert("keywords".into(), json!(r.keywords));
    }
    if let Some(re) = &r.regex {
        m.insert("regex".into(), json!(re));
    }
    if let Some(g) = r.secret_group
        && g > 0
    {
        m.insert("secret-group".into(), json!(g));
    }
    if let Some(e) = r.entropy
        && e > 0.0
    {
        m.insert("entropy".into(), json!(e));
    }
    if let Some(p) = &r.path {
        m.insert("path".into(), json!(p));
    }
    let lists: Vec<Value> = r
        .allowlist
        .iter()
        .chain(&r.allowlists)
        .map(allowlist_params)
        .collect();
    if !lists.is_empty() {
        m.insert("allowlists".into(), Value::Array(lists));
    }
    // gitleaks applies no placeholder filter of its own; prr's runs on top
    // (it only removes values that cannot be credentials).
    Value::Object(m)
}

/// The help text `prr explain` shows for a rule that came from gitleaks.
pub fn rule_help(r: &RuleSpec) -> String {
    let what = r
        .description
        .clone()
        .unwrap_or_else(|| format!("gitleaks rule `{}`", r.id));
    format!(
        "{what}\n\n\
         This rule comes from a gitleaks configuration (rule `{id}`). A secret \
         committed to a repository is readable by anyone with access to it, its \
         clones, forks and CI logs, and stays in the Git history after the line \
         is removed.\n\n\
         **Fix**: revoke or rotate the credential at its issuer first, then remove \
         it and load it at run time from a secret store (Vault, a cloud secret \
         manager, a Kubernetes Secret referenced with `valueFrom.secretKeyRef`).\n\n\
         A value that is not a secret (a test fixture, a documented example) can be \
         marked on its line with `prr:allow-secret` (or gitleaks' `gitleaks:allow`), \
         listed in the baseline (`prr baseline`), or allowed by path in prr.yaml \
         with a reason. The reported value is always redacted (first 4 characters \
         and the length).",
        id = r.id
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_config_has_its_222_rules_and_global_allowlist() {
        let c = parse(DEFAULT_CONFIG).expect("default config parses");
        assert_eq!(c.rules.len(), 222);
        let g = c.global_allowlists();
        assert_eq!(g.len(), 1);
        assert!(g[0].paths.iter().any(|p| p.contains("node_modules")));
        let aws = c
            .rules
            .iter()
            .find(|r| r.id == "aws-access-token")
            .expect("aws rule");
        assert!(aws.keywords.contains(&"akia".to_string()));
        let pkcs = c.rules.iter().find(|r| r.id == "pkcs12-file").expect("p12");
        assert!(pkcs.regex.is_none() && pkcs.path.is_some());
    }

    #[test]
    fn errors_name_the_line() {
        let e = parse("title = 'x'\n[[rules]]\nid = 'a'\nentropy = 'high'\nregex = 'x'\n")
            .expect_err("entropy must be a number");
        assert_eq!(e.line, 4, "{e}");
        let e = parse("[[rules]]\nid = \"a\"\ndescription = \"no regex\"\n").expect_err("no regex");
        assert!(e.message.contains("neither `regex` nor `path`"), "{e}");
        let e = parse("[extend]\nurl = \"https://example.com/x.toml\"\n").expect_err("url");
        assert!(e.message.contains("url is not supported"), "{e}");
    }

    #[test]
    fn extend_merges_like_gitleaks() {
        let base = parse(
            "[[rules]]\nid = \"a\"\nregex = 'aaa'\nkeywords = [\"aaa\"]\n\
             [[rules]]\nid = \"b\"\nregex = 'bbb'\n\
             [[rules]]\nid = \"c\"\nregex = 'ccc'\n",
        )
        .expect("base");
        let team = parse(
            "[extend]\nuseDefault = true\ndisabledRules = [\"b\"]\n\
             [[rules]]\nid = \"a\"\nentropy = 3.5\nkeywords = [\"zzz\"]\n\
             [[rules]]\nid = \"d\"\nregex = 'ddd'\n",
        )
        .expect("team");
        let merged = team.extend_over(base);
        let ids: Vec<&str> = merged.rules.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, ["a", "c", "d"]);
        assert_eq!(merged.rules[0].regex.as_deref(), Some("aaa"));
        assert_eq!(merged.rules[0].entropy, Some(3.5));
        assert_eq!(merged.rules[0].keywords, ["aaa", "zzz"]);
    }

    #[test]
    fn prr_ids_are_kebab_case() {
        assert_eq!(prr_id("aws-access-token"), "secrets/aws-access-token");
        assert_eq!(
            prr_id("1password_Secret.key"),
            "secrets/1password-secret-key"
        );
    }
}
