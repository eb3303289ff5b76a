//! prr.yaml `suppressions:` (rule glob, optional `paths` globs and
//! `service`, a reason, an optional `until:` date): suppresses what each
//! entry covers, and reports the entries that expired
//! (`prr/suppression-expired`, error) or matched nothing
//! (`prr/suppression-unused`, warning).

use crate::config::{Config, SuppressionRule};
use crate::finding::{Finding, Level, SuppressionKind};
use crate::inventory::globset;
use crate::pass::PostPass;
use crate::yaml::Pos;
use globset::GlobSet;
use std::path::Path;

/// One entry, compiled, with how many findings it covered so far.
struct Entry<'a> {
    rule: &'a SuppressionRule,
    rule_glob: GlobSet,
    paths: GlobSet,
    /// The layer that wrote the entry, relative to the root, and where.
    file: String,
    pos: Pos,
    /// An organisation layer (outside the repository, or a built-in pack)
    /// serves many repositories: an entry that matches nothing in this one
    /// is not reported as unused here.
    shared: bool,
    expired: bool,
    used: usize,
}

/// The prr.yaml `suppressions:` pass.
pub(super) struct Configured<'a> {
    entries: Vec<Entry<'a>>,
}

impl<'a> Configured<'a> {
    /// Compiles the config's entries; `today` is `YYYY-MM-DD` (UTC).
    pub(super) fn new(config: &'a Config, root: &Path, today: &str) -> Configured<'a> {
        let entries = config
            .suppressions
            .iter()
            .map(|s| {
                let (file, pos) = config.locate(s.pos);
                let file = crate::inventory::rel_path(&file, root);
                Entry {
                    rule: s,
                    rule_glob: globset(std::slice::from_ref(&s.rule)),
                    paths: globset(&s.paths),
                    shared: file.starts_with("..")
                        || Path::new(&file).is_absolute()
                        || file.starts_with("builtin:"),
                    file,
                    pos,
                    expired: s.until.as_deref().is_some_and(|u| u < today),
                    used: 0,
                }
            })
            .collect();
        Configured { entries }
    }
}

impl PostPass for Configured<'_> {
    fn name(&self) -> &'static str {
        "prr.yaml suppressions"
    }

    fn mark(&mut self, batch: &mut [Finding]) {
        for e in &mut self.entries {
            let s = e.rule;
            for f in batch.iter_mut() {
                let hit = e.rule_glob.is_match(&f.rule)
                    && (s.paths.is_empty() || e.paths.is_match(&f.path))
                    && s.service
                        .as_ref()
                        .is_none_or(|sv| f.service.as_ref() == Some(sv));
                if !hit {
                    continue;
                }
                e.used += 1;
                if !e.expired && !f.suppressed {
                    f.suppress(
                        SuppressionKind::External,
                        s.reason.clone(),
                        format!("{}:{}", e.file, e.pos.line),
                    );
                }
            }
        }
    }

    fn report(&mut self) -> Vec<Finding> {
        let mut out = Vec::new();
        for e in &self.entries {
            let s = e.rule;
            let at = |msg: String, rule: &str, level: Level| {
                Finding::new(rule, &e.file, e.pos, msg).with_level(level)
            };
            if e.expired {
                out.push(at(
                    format!(
                        "suppression of `{}` expired on {} ({} finding(s) it covered now count again): fix them, or renew it with a new reason and date",
                        s.rule,
                        s.until.as_deref().unwrap_or_default(),
                        e.used
                    ),
                    "prr/suppression-expired",
                    Level::Error,
                ));
            } else if e.used == 0 && !e.shared {
                out.push(at(
                    format!(
                        "suppression of `{}`{} matched no finding: remove it (reason was: {})",
                        s.rule,
                        if s.paths.is_empty() {
                            String::new()
                        } else {
                            format!(" in {}", s.paths.join(", "))
                        },
                        s.reason
                    ),
                    "prr/suppression-unused",
                    Level::Warning,
                ));
            }
        }
        out
    }
}
