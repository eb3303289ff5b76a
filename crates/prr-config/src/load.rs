//! Reading prr.yaml: finding it, parsing it (with its `extends:` layers)
//! into a [`Config`], and validating every value with its file and line.

use super::*;

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
        if indent(l) == base
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

/// The position of `key:` in the mapping that is the value of the key at
/// `parent`: in flow style on the parent's line (`prom: { type: x, url: y }`),
/// else on the following lines at the mapping's own indentation. `None`
/// when it is not found (the caller falls back to the parent).
fn child_key(text: &str, parent: Pos, key: &str) -> Option<Pos> {
    let lines: Vec<&str> = text.lines().collect();
    let start = usize::try_from(parent.line).ok()?.checked_sub(1)?;
    let indent = |l: &str| l.len() - l.trim_start().len();
    let line = lines.get(start)?;
    let from = usize::try_from(parent.column)
        .ok()?
        .saturating_sub(1)
        .min(line.len());
    let needle = format!("{key}:");
    let mut at = from;
    while let Some(i) = line.get(at..).and_then(|rest| rest.find(&needle)) {
        let col = at + i;
        if col > from && line[..col].ends_with(['{', ',', ' ']) {
            return Some(Pos {
                line: parent.line,
                column: u32::try_from(col + 1).ok()?,
            });
        }
        at = col + needle.len();
    }
    // Block style: the mapping's first key is the first deeper line; the
    // key is one of that mapping's keys ([`key_below`]).
    let base = indent(line);
    let (i, first) = lines
        .iter()
        .enumerate()
        .skip(start + 1)
        .find(|(_, l)| !l.trim().is_empty() && !l.trim_start().starts_with('#'))?;
    if indent(first) <= base {
        return None;
    }
    let section = Pos {
        line: u32::try_from(i + 1).ok()?,
        column: u32::try_from(indent(first) + 1).ok()?,
    };
    key_below(text, section, key)
}

/// Checks the `budget:` section: durations parse, the default provider
/// exists (or there is exactly one provider to default to), thresholds are
/// ordered.
fn validate_budget(
    b: Spanned<crate::budget::BudgetConfig>,
    path: &Path,
    text: &str,
) -> Result<crate::budget::BudgetConfig, ConfigError> {
    let pos = Pos::from(&b.referenced);
    let mut c = b.value;
    // Where each provider and each of its keys is written, so that the
    // provider that decodes them can point at a key of another type.
    let section = key_below(text, pos, "providers").unwrap_or(pos);
    for (name, p) in c.providers.iter_mut() {
        p.pos = child_key(text, section, name).unwrap_or(section);
        let keys = p.options.keys().map(String::as_str).chain(["type"]);
        let found: Vec<(String, Pos)> = keys
            .filter_map(|k| child_key(text, p.pos, k).map(|at| (k.to_string(), at)))
            .collect();
        p.key_pos.extend(found);
    }
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
        let raw: Option<RawConfig> = crate::config_message::from_str(text, "invalid YAML")
            .map_err(|(pos, msg)| ConfigError::new(path, pos, msg))?;
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
