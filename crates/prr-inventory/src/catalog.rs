//! Service catalog: services discovered from catalog files in the
//! repository, beside those declared in prr.yaml.
//!
//! Two formats are read:
//!
//! - **Backstage** `catalog-info.yaml` (or `.yml`), `kind: Component`
//!   (`apiVersion: backstage.io/v1alpha1`): the name is `metadata.name`, the
//!   owner `spec.owner`; the tier is the annotation `prr.dev/tier` or the
//!   label `tier`, else `experimental` when `spec.lifecycle` is
//!   `experimental`, else `standard`; the on-call rotation is the annotation
//!   `prr.dev/oncall`, `pagerduty.com/service-id`, `pagerduty.com/integration-key`,
//!   `opsgenie.com/team` or `opsgenie.com/component-selector` (the
//!   annotations of Backstage's PagerDuty and Opsgenie plugins).
//! - **`service.yaml`**, prr's own descriptor (a mapping with `name:` and no
//!   `kind:`, so a Kubernetes `Service` manifest of that name is not taken
//!   for one): `name`, `tier`, `owner`, `oncall`, `paths`.
//!
//! A discovered service covers its file's folder (`svc/payments/**`; the
//! whole repository at the root) unless it lists `paths` (`prr.dev/paths`
//! annotation, comma-separated, for Backstage), relative to that folder. A
//! service prr.yaml declares wins: the catalog only fills in its missing
//! owner and on-call rotation. Discovered services are matched deepest
//! folder first, after the declared ones.

use crate::config::{Service, Tier};
use crate::finding::{Finding, Level};
use crate::inventory::{FileKind, Inventory};
use crate::yaml::{Node, Pos};

/// File names read as catalog entries.
pub const CATALOG_FILES: [&str; 3] = ["catalog-info.yaml", "catalog-info.yml", "service.yaml"];

/// Annotations naming an on-call rotation, in order of preference.
pub const ONCALL_ANNOTATIONS: [&str; 5] = [
    "prr.dev/oncall",
    "pagerduty.com/service-id",
    "pagerduty.com/integration-key",
    "opsgenie.com/team",
    "opsgenie.com/component-selector",
];

/// A catalog file: its repository-relative path and YAML documents.
#[derive(Clone, Debug)]
pub struct CatalogFile {
    /// Path relative to the root, `/` separators.
    pub path: String,
    /// Its documents.
    pub docs: Vec<Node>,
}

/// Whether the file name at the end of `path` is a catalog file's.
pub fn is_catalog_path(path: &str) -> bool {
    CATALOG_FILES.contains(&path.rsplit('/').next().unwrap_or(path))
}

/// The catalog files of a whole-tree inventory.
pub fn from_inventory(inventory: &Inventory) -> Vec<CatalogFile> {
    inventory
        .files
        .iter()
        .filter(|f| f.kind == FileKind::Yaml && is_catalog_path(&f.path))
        .map(|f| CatalogFile {
            path: f.path.clone(),
            docs: f.docs.clone(),
        })
        .collect()
}

/// Catalog files from (path, text) pairs; a file that does not parse is
/// left out (the whole-tree scan reports it as `prr/parse-error`).
pub fn from_texts(files: Vec<(String, String)>) -> Vec<CatalogFile> {
    let mut out: Vec<CatalogFile> = files
        .into_iter()
        .filter(|(p, t)| is_catalog_path(p) && t.len() <= MAX_CATALOG_BYTES)
        .filter_map(|(path, text)| {
            let docs = crate::yaml::parse_documents(&text).ok()?;
            Some(CatalogFile { path, docs })
        })
        .collect();
    out.sort_by(|a, b| a.path.cmp(&b.path));
    out
}

/// Largest catalog file read by [`from_disk`], in bytes.
pub const MAX_CATALOG_BYTES: usize = 1024 * 1024;

/// The catalog files of the working tree, for runs whose inventory covers
/// only part of it (`--changed-since`, `--staged`): a walk that reads only
/// files named like [`CATALOG_FILES`] (the files the inventory walk would
/// see: git's tracked and not-ignored files in a checkout, ignore files
/// honoured outside git; skipping `.git` and vendored trees), so a
/// service's tier does not depend on which files a change touched.
pub fn from_disk(root: &std::path::Path) -> Vec<CatalogFile> {
    // A git failure after the checkout was found: walk nothing rather than
    // let ignore files decide (the inventory walk reports the error).
    let tracked = crate::git::tracked(root)
        .unwrap_or_else(|_| Some(Default::default()))
        .map(std::sync::Arc::new);
    let by_ignore_files = tracked.is_none();
    let in_walk = tracked.clone();
    let walk_root = root.to_path_buf();
    let walker = ignore::WalkBuilder::new(root)
        .hidden(false)
        .require_git(false)
        .follow_links(false)
        .git_ignore(by_ignore_files)
        .git_exclude(by_ignore_files)
        .git_global(by_ignore_files)
        .ignore(by_ignore_files)
        .filter_entry(move |e| {
            let n = e.file_name().to_string_lossy();
            let is_dir = e.file_type().is_some_and(|t| t.is_dir());
            !(is_dir
                && (n == ".git"
                    || crate::inventory::VENDORED_DIRS.contains(&n.as_ref())
                    || in_walk.as_ref().is_some_and(|t| {
                        !t.keeps_dir(&crate::inventory::rel_path(e.path(), &walk_root))
                    })))
        })
        .build();
    let mut files = Vec::new();
    for e in walker.flatten() {
        if !e.file_type().is_some_and(|t| t.is_file())
            || !CATALOG_FILES.contains(&e.file_name().to_string_lossy().as_ref())
            || tracked
                .as_ref()
                .is_some_and(|t| !t.keeps_file(&crate::inventory::rel_path(e.path(), root)))
        {
            continue;
        }
        if e.metadata()
            .is_ok_and(|m| m.len() as usize > MAX_CATALOG_BYTES)
        {
            continue;
        }
        if let Ok(text) = crate::fsio::read_text_bounded(e.path(), MAX_CATALOG_BYTES as u64) {
            files.push((crate::inventory::rel_path(e.path(), root), text));
        }
    }
    from_texts(files)
}

/// Services found in catalog files, and `prr/catalog` warnings for entries
/// that could not be read as given (an unknown tier: the entry is kept with
/// tier `standard`; an invalid path glob: left out).
pub fn discover(files: &[CatalogFile]) -> (Vec<Service>, Vec<Finding>) {
    let mut services: Vec<(usize, Service)> = Vec::new();
    let mut problems = Vec::new();
    for f in files {
        let name = f.path.rsplit('/').next().unwrap_or(&f.path);
        let dir = f.path.rsplit_once('/').map_or("", |(d, _)| d);
        for doc in &f.docs {
            let entry = if name == "service.yaml" {
                service_yaml(doc)
            } else {
                backstage(doc)
            };
            let Some(e) = entry else { continue };
            let tier = match e.tier.as_deref() {
                None => e.default_tier,
                Some(t) => match parse_tier(t) {
                    Some(t) => t,
                    None => {
                        problems.push(
                            Finding::new(
                                "prr/catalog",
                                &f.path,
                                e.tier_pos,
                                format!(
                                    "service `{}`: unknown tier `{t}` (critical, important, standard or experimental); using standard",
                                    e.name
                                ),
                            )
                            .with_level(Level::Warning),
                        );
                        Tier::Standard
                    }
                },
            };
            let mut paths = Vec::new();
            for p in &e.paths {
                let g = under(dir, p);
                if p.starts_with('/')
                    || p.split('/').any(|c| c == "..")
                    || globset::Glob::new(&g).is_err()
                {
                    problems.push(
                        Finding::new(
                            "prr/catalog",
                            &f.path,
                            e.pos,
                            format!(
                                "service `{}`: path `{p}` is not a glob inside the file's folder; left out",
                                e.name
                            ),
                        )
                        .with_level(Level::Warning),
                    );
                } else {
                    paths.push(g);
                }
            }
            if e.paths.is_empty() {
                paths.push(under(dir, "**"));
            }
            if services.iter().any(|(_, s)| s.name == e.name) {
                problems.push(
                    Finding::new(
                        "prr/catalog",
                        &f.path,
                        e.pos,
                        format!(
                            "service `{}` is described by two catalog files; the first is used",
                            e.name
                        ),
                    )
                    .with_level(Level::Warning),
                );
                continue;
            }
            let depth = if dir.is_empty() {
                0
            } else {
                dir.split('/').count()
            };
            services.push((
                depth,
                Service {
                    name: e.name,
                    paths,
                    tier,
                    tier_given: true,
                    owner: e.owner,
                    oncall: e.oncall,
                    pos: e.pos,
                    catalog_file: Some(f.path.clone()),
                    budget: Default::default(),
                },
            ));
        }
    }
    services.sort_by_key(|s| std::cmp::Reverse(s.0));
    (services.into_iter().map(|(_, s)| s).collect(), problems)
}

/// Declared services first (prr.yaml wins), filled in from the catalog
/// (tier when prr.yaml gives none, owner, on-call), then the catalog's
/// other services.
pub fn merge(declared: &[Service], found: Vec<Service>) -> Vec<Service> {
    let mut out: Vec<Service> = declared.to_vec();
    for s in found {
        match out.iter_mut().find(|d| d.name == s.name) {
            Some(d) => {
                if !d.tier_given {
                    d.tier = s.tier;
                }
                if d.owner.is_none() {
                    d.owner = s.owner;
                }
                if d.oncall.is_none() {
                    d.oncall = s.oncall;
                }
            }
            None => out.push(s),
        }
    }
    out
}

struct Entry {
    name: String,
    pos: Pos,
    tier: Option<String>,
    tier_pos: Pos,
    default_tier: Tier,
    owner: Option<String>,
    oncall: Option<String>,
    paths: Vec<String>,
}

fn text(n: Option<&Node>) -> Option<String> {
    n.and_then(Node::scalar_text)
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}

fn backstage(doc: &Node) -> Option<Entry> {
    let api = doc.get("apiVersion").and_then(Node::as_str)?;
    if !api.starts_with("backstage.io/")
        || doc.get("kind").and_then(Node::as_str) != Some("Component")
    {
        return None;
    }
    let name_node = doc.path("metadata.name")?;
    let name = text(Some(name_node))?;
    let ann = doc.path("metadata.annotations");
    let label = doc.path("metadata.labels").and_then(|l| l.get("tier"));
    let tier_node = ann.and_then(|a| a.get("prr.dev/tier")).or(label);
    let lifecycle = text(doc.path("spec.lifecycle"));
    Some(Entry {
        name,
        pos: name_node.pos,
        tier: text(tier_node),
        tier_pos: tier_node.map_or(name_node.pos, |n| n.pos),
        default_tier: if lifecycle.as_deref() == Some("experimental") {
            Tier::Experimental
        } else {
            Tier::Standard
        },
        owner: text(doc.path("spec.owner")),
        oncall: ONCALL_ANNOTATIONS
            .iter()
            .find_map(|k| text(ann.and_then(|a| a.get(k)))),
        paths: text(ann.and_then(|a| a.get("prr.dev/paths")))
            .map(|p| {
                p.split(',')
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty())
                    .collect()
            })
            .unwrap_or_default(),
    })
}

fn service_yaml(doc: &Node) -> Option<Entry> {
    if doc.get("kind").is_some() || doc.get("apiVersion").is_some() {
        return None;
    }
    let name_node = doc.get("name")?;
    let name = text(Some(name_node))?;
    let tier_node = doc.get("tier");
    Some(Entry {
        name,
        pos: name_node.pos,
        tier: text(tier_node),
        tier_pos: tier_node.map_or(name_node.pos, |n| n.pos),
        default_tier: Tier::Standard,
        owner: text(doc.get("owner")),
        oncall: text(doc.get("oncall")),
        paths: doc
            .get("paths")
            .map(|p| p.items().iter().filter_map(|i| text(Some(i))).collect())
            .unwrap_or_default(),
    })
}

fn parse_tier(t: &str) -> Option<Tier> {
    match t.to_ascii_lowercase().as_str() {
        "critical" => Some(Tier::Critical),
        "important" => Some(Tier::Important),
        "standard" => Some(Tier::Standard),
        "experimental" => Some(Tier::Experimental),
        _ => None,
    }
}

/// `glob` relative to the folder `dir` (repository-relative, `/`).
fn under(dir: &str, glob: &str) -> String {
    let g = glob.trim_start_matches("./");
    if dir.is_empty() {
        g.to_string()
    } else {
        format!("{dir}/{g}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inv(files: &[(&str, &str)]) -> Vec<CatalogFile> {
        from_texts(
            files
                .iter()
                .map(|(p, t)| (p.to_string(), t.to_string()))
                .collect(),
        )
    }

    #[test]
    fn backstage_component_maps_to_a_service_of_its_folder() {
        let (s, p) = discover(&inv(&[(
            "svc/pay/catalog-info.yaml",
            "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: pay\n  annotations:\n    pagerduty.com/service-id: PX1\n  labels:\n    tier: critical\nspec:\n  owner: team-pay\n  lifecycle: production\n",
        )]));
        assert!(p.is_empty());
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].name, "pay");
        assert_eq!(s[0].tier, Tier::Critical);
        assert_eq!(s[0].owner.as_deref(), Some("team-pay"));
        assert_eq!(s[0].oncall.as_deref(), Some("PX1"));
        assert_eq!(s[0].paths, ["svc/pay/**"]);
        assert_eq!(s[0].pos.line, 4);
    }

    #[test]
    fn experimental_lifecycle_and_unknown_tier() {
        let (s, p) = discover(&inv(&[
            (
                "a/catalog-info.yaml",
                "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: { name: a }\nspec: { lifecycle: experimental }\n",
            ),
            ("b/service.yaml", "name: b\ntier: platinum\n"),
        ]));
        assert_eq!(
            s.iter().find(|x| x.name == "a").unwrap().tier,
            Tier::Experimental
        );
        assert_eq!(
            s.iter().find(|x| x.name == "b").unwrap().tier,
            Tier::Standard
        );
        assert_eq!(p.len(), 1);
        assert_eq!(
            (p[0].rule.as_str(), p[0].path.as_str(), p[0].line),
            ("prr/catalog", "b/service.yaml", 2)
        );
    }

    #[test]
    fn a_kubernetes_service_manifest_is_not_a_catalog_entry() {
        let (s, _) = discover(&inv(&[(
            "deploy/service.yaml",
            "apiVersion: v1\nkind: Service\nmetadata: { name: web }\n",
        )]));
        assert!(s.is_empty());
    }

    #[test]
    fn deeper_folders_match_first_and_declared_services_win() {
        let (s, _) = discover(&inv(&[
            ("service.yaml", "name: mono\nowner: x\n"),
            (
                "svc/a/service.yaml",
                "name: a\npaths: [src/**, deploy/**]\noncall: \"#a-oncall\"\n",
            ),
        ]));
        assert_eq!(s[0].name, "a");
        assert_eq!(s[0].paths, ["svc/a/src/**", "svc/a/deploy/**"]);
        assert_eq!(s[1].paths, ["**"]);
        let declared = Service {
            name: "a".into(),
            paths: vec!["x/**".into()],
            tier: Tier::Critical,
            tier_given: true,
            owner: Some("declared".into()),
            oncall: None,
            pos: Pos::default(),
            catalog_file: None,
            budget: Default::default(),
        };
        let m = merge(&[declared], s);
        assert_eq!(m.len(), 2);
        assert_eq!(
            (m[0].owner.as_deref(), m[0].oncall.as_deref()),
            (Some("declared"), Some("#a-oncall"))
        );
        assert_eq!(m[0].paths, ["x/**"]);
        assert_eq!(m[0].tier, Tier::Critical);
        // Without a tier in prr.yaml, the catalog's applies.
        let (s, _) = discover(&inv(&[(
            "svc/a/service.yaml",
            "name: a\ntier: experimental\n",
        )]));
        let declared = Service {
            tier: Tier::Standard,
            tier_given: false,
            ..m[0].clone()
        };
        assert_eq!(merge(&[declared], s)[0].tier, Tier::Experimental);
    }
}
