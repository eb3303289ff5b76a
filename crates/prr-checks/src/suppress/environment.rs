//! Deploy environments: a finding gates only where its claim holds.
//!
//! Two kinds of finding do not gate by default; each is kept, marked
//! suppressed with its reason, and counted in a notice by rule:
//!
//! 1. **Non-production environments.** A finding whose object lives only in
//!    a non-production environment — every overlay that renders it, its
//!    namespace or its folder is named `dev`, `staging`, `test`, `qa`, …
//!    (see [`crate::checks::environment`]) — is about a copy that serves no
//!    production traffic. One notice per environment word.
//! 2. **Production-only rules where production is unknown.** Rules written
//!    with `applies-to: { environments: [production] }` judge what a
//!    production workload needs (a second replica, a PodDisruptionBudget,
//!    requests and limits, a pinned image). On an upstream install manifest,
//!    a demo or a chart's defaults, whether one replica is a problem depends
//!    on where it runs: an experienced SRE would not sign "this blocks the
//!    merge" there. Their findings gate where prr knows the object runs in
//!    production: a file matching prr.yaml `production:` globs, an overlay,
//!    namespace or folder named `prod`/`production`/`prd`/`live`/`canary`,
//!    or a service declared in prr.yaml or a catalog (tier other than
//!    `experimental`). Elsewhere they are counted in one notice that says
//!    how to declare production.
//!
//! Secrets, and prr's own findings about its configuration, rendering,
//! suppressions and baseline (`secrets/*`, `prr/*`), gate everywhere.
//! `prr check --include-non-production` gates everything.
//!
//! The environment of a finding comes from the objects at its file and line
//! in the inventory (their namespaces and, for rendered objects, the
//! overlays or charts that render them), else the rule file's
//! PrometheusRule namespace, else the file's path.

use crate::checks::environment::{Named, named};
use crate::config::Config;
use crate::finding::{Finding, Level, SuppressionKind};
use crate::inventory::Inventory;
use crate::pass::PostPass;
use crate::rules::Rule;
use crate::yaml::Pos;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// The rule the notices are reported under.
pub const RULE: &str = "prr/environment";

/// Where a finding's object runs, as far as the repository says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Where {
    Production,
    NonProduction(&'static str),
    Unknown,
}

/// One document of a file: the line it starts at, its namespace, and the
/// overlays / charts that render it (empty for a loose document).
type Placed<'a> = (u32, Option<&'a str>, Vec<&'a str>);

/// Where each file's documents are deployed: an index over the inventory's
/// objects and rule files, and over the kustomize roots that were not
/// rendered (their files are checked loose, and deploy through them).
struct Places<'a> {
    /// Per file, its documents sorted by start line.
    documents: HashMap<&'a str, Vec<Placed<'a>>>,
    /// (kustomization folder, root folder) for every folder a root that was
    /// not rendered reaches (`""` is the repository root).
    unrendered: Vec<(&'a str, String)>,
}

impl<'a> Places<'a> {
    fn new(inv: &'a Inventory) -> Self {
        let mut documents: HashMap<&str, Vec<Placed<'_>>> = HashMap::new();
        for o in &inv.objects {
            let sources = o
                .origin
                .as_ref()
                .map(|or| or.sources.iter().map(String::as_str).collect())
                .unwrap_or_default();
            documents.entry(o.path.as_str()).or_default().push((
                o.pos.line,
                o.namespace.as_deref(),
                sources,
            ));
        }
        // Each rule document with its own namespace (a file may hold the
        // `-dev` and the `-prod` PrometheusRule).
        for rf in &inv.rule_files {
            documents.entry(rf.path.as_str()).or_default().push((
                rf.pos.line,
                rf.object_namespace.as_deref(),
                Vec::new(),
            ));
        }
        for v in documents.values_mut() {
            v.sort_by_key(|(line, _, _)| *line);
        }
        let mut unrendered = Vec::new();
        for r in &inv.renders {
            let root = r.path.rsplit_once('/').map_or("", |(d, _)| d);
            for dir in &r.reaches {
                unrendered.push((dir.as_str(), root.to_string()));
            }
        }
        Places {
            documents,
            unrendered,
        }
    }

    /// The (namespace, place) pairs a finding is deployed as. A place is a
    /// file path, or the folder of an overlay or chart that renders it.
    /// The document holding the finding's line gives them (every render of
    /// it shares that start; only the overlays the message names when it
    /// names some); a finding at line 0 takes every document of its file.
    /// Files a root that was not rendered reaches also deploy as that root.
    fn of(&self, f: &Finding) -> Vec<(Option<&'a str>, String)> {
        let path = f.path.as_str();
        let mut out: Vec<(Option<&'a str>, String)> = Vec::new();
        if let Some(docs) = self.documents.get(path) {
            let start = docs.partition_point(|(l, _, _)| *l <= f.line.max(1));
            let chosen: Vec<&Placed<'_>> = if f.line == 0 {
                docs.iter().collect()
            } else if start > 0 {
                let at = docs[start - 1].0;
                docs[..start].iter().filter(|(l, _, _)| *l == at).collect()
            } else {
                Vec::new()
            };
            let named = crate::render::merge::split(&f.message).map(|(_, _, s, _)| s);
            for (_, ns, sources) in chosen {
                if sources.is_empty() {
                    out.push((*ns, path.to_string()));
                }
                for s in sources {
                    if named.as_ref().is_none_or(|n| n.iter().any(|x| x == s)) {
                        out.push((*ns, s.to_string()));
                    }
                }
            }
        }
        if out.is_empty() {
            out.push((None, path.to_string()));
        }
        for (dir, root) in &self.unrendered {
            let under = dir.is_empty()
                || path
                    .strip_prefix(*dir)
                    .is_some_and(|rest| rest.starts_with('/'));
            if under && !out.iter().any(|(_, p)| p == root) {
                out.push((None, root.clone()));
            }
        }
        out
    }
}

/// The environment of the places a finding is deployed as: production when
/// any is named production, non-production when all are named
/// non-production (the first word), else unknown.
fn environment(places: &[(Option<&str>, String)]) -> Where {
    let mut first_non_prod = None;
    let mut all_non_prod = !places.is_empty();
    for (ns, path) in places {
        match named(path, *ns) {
            Some(Named::Production) => return Where::Production,
            Some(Named::NonProduction(w)) => {
                first_non_prod.get_or_insert(w);
            }
            None => all_non_prod = false,
        }
    }
    match first_non_prod {
        Some(w) if all_non_prod => Where::NonProduction(w),
        _ => Where::Unknown,
    }
}

/// Whether a finding gates wherever it is: secrets and anything about a
/// secret, prr's own findings, budget findings.
fn gates_everywhere(f: &Finding) -> bool {
    super::non_production::gates_everywhere(&f.rule)
        || f.sensitive
        || f.rule.starts_with("prr/")
        || f.rule.starts_with("budget/")
}

/// Whether prr.yaml `production:` globs match `place` (a file, or an
/// overlay or chart folder: then any file under it).
fn matches(set: &globset::GlobSet, place: &str) -> bool {
    set.is_match(place) || set.is_match(format!("{place}/x"))
}

/// The deploy-environment pass: marks the findings of non-production
/// environments, and those of production-only rules where production is
/// not known, as suppressed, and reports the notices counting them (see
/// the module documentation).
pub struct Environments<'a> {
    production_only: BTreeSet<&'a str>,
    production_globs: globset::GlobSet,
    places: Places<'a>,
    declared: &'a dyn Fn(&Finding) -> bool,
    /// environment word → rule → findings set aside.
    non_prod: BTreeMap<&'static str, BTreeMap<String, usize>>,
    /// rule → findings set aside because production is unknown.
    unknown: BTreeMap<String, usize>,
}

impl<'a> Environments<'a> {
    /// The pass over `inventory`'s places, with prr.yaml `production:`
    /// globs; `declared` says whether a finding belongs to a declared
    /// service (production evidence).
    pub fn new(
        inventory: &'a Inventory,
        config: &Config,
        rules: &'a [Rule],
        declared: &'a dyn Fn(&Finding) -> bool,
    ) -> Environments<'a> {
        Environments {
            production_only: rules
                .iter()
                .filter(|r| r.production_only)
                .map(|r| r.id.as_str())
                .collect(),
            production_globs: crate::inventory::globset(&config.production),
            places: Places::new(inventory),
            declared,
            non_prod: BTreeMap::new(),
            unknown: BTreeMap::new(),
        }
    }
}

impl PostPass for Environments<'_> {
    fn name(&self) -> &'static str {
        "deploy environments"
    }

    fn mark(&mut self, batch: &mut [Finding]) {
        for f in batch.iter_mut() {
            if f.suppressed
                || f.path.is_empty()
                || f.level < Level::Warning
                || f.in_production
                || gates_everywhere(f)
            {
                continue;
            }
            let at = self.places.of(f);
            if matches(&self.production_globs, &f.path)
                || at.iter().any(|(_, p)| matches(&self.production_globs, p))
            {
                continue;
            }
            let reason = match environment(&at) {
                Where::Production => continue,
                Where::NonProduction(w) => {
                    *self
                        .non_prod
                        .entry(w)
                        .or_default()
                        .entry(f.rule.clone())
                        .or_default() += 1;
                    format!("non-production environment (`{w}`)")
                }
                Where::Unknown => {
                    if !self.production_only.contains(f.rule.as_str()) || (self.declared)(f) {
                        continue;
                    }
                    *self.unknown.entry(f.rule.clone()).or_default() += 1;
                    "not known to run in production (no production overlay, namespace, folder, \
                     `production:` glob or declared service)"
                        .to_string()
                }
            };
            f.suppress(
                SuppressionKind::External,
                reason,
                "deploy environment".to_string(),
            );
        }
    }

    /// One notice per non-production environment, one for unknown
    /// production.
    fn report(&mut self) -> Vec<Finding> {
        // `text` gets the total, the plural endings (`s`, `es`) and the list.
        type Text<'t> = &'t dyn Fn(usize, &str, &str, &str) -> String;
        let notice = |rules: &BTreeMap<String, usize>, text: Text<'_>| {
            let (total, list) = crate::finding::tally_by_count(rules);
            let (s, es) = if total == 1 { ("", "es") } else { ("s", "") };
            Finding::new(RULE, "", Pos::default(), text(total, s, es, &list))
                .with_level(Level::Notice)
        };
        let mut out: Vec<Finding> = self
            .non_prod
            .iter()
            .map(|(env, rules)| {
                notice(rules, &|total, s, es, list| {
                    format!(
                        "{total} finding{s} in the non-production environment `{env}` (named by its overlays, namespaces or folders) do{es} not gate ({list}); secrets still gate. Gate them with `prr check --include-non-production`"
                    )
                })
            })
            .collect();
        if !self.unknown.is_empty() {
            out.push(notice(&self.unknown, &|total, s, es, list| {
                format!(
                    "{total} finding{s} of rules that judge production workloads do{es} not gate, because nothing says their objects run in production ({list}): no overlay, namespace or folder is named prod/production/live, and no declared service covers them. Say where production is with prr.yaml `production: [globs]` or `services:`, or gate them all with `prr check --include-non-production`"
                )
            }));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(ps: &[(Option<&'static str>, &str)]) -> Vec<(Option<&'static str>, String)> {
        ps.iter().map(|(n, p)| (*n, p.to_string())).collect()
    }

    #[test]
    fn production_wins_and_all_places_must_be_non_production() {
        assert_eq!(
            environment(&at(&[
                (None, "k8s/overlays/dev"),
                (None, "k8s/overlays/production")
            ])),
            Where::Production
        );
        assert_eq!(
            environment(&at(&[
                (None, "k8s/overlays/dev"),
                (None, "k8s/overlays/staging")
            ])),
            Where::NonProduction("dev")
        );
        assert_eq!(
            environment(&at(&[
                (None, "k8s/overlays/dev"),
                (None, "k8s/overlays/eu")
            ])),
            Where::Unknown
        );
        assert_eq!(
            environment(&at(&[(Some("shop-prod"), "k8s/base/app.yaml")])),
            Where::Production
        );
        assert_eq!(
            environment(&at(&[(None, "manifests/install.yaml")])),
            Where::Unknown
        );
    }

    #[test]
    fn production_globs_match_files_and_folders() {
        let set = crate::inventory::globset(&["deploy/prod/**".to_string()]);
        assert!(matches(&set, "deploy/prod/app.yaml"));
        assert!(matches(&set, "deploy/prod"), "an overlay folder");
        assert!(!matches(&set, "deploy/production"));
    }
}
