//! The repository's Alertmanager configuration, read offline: found by
//! content, validated as `amtool check-config` does ([`config`]), and used to
//! route each alerting rule's static labels as Alertmanager does
//! ([`route`]).
//!
//! Where configuration is found (files in the config's `non-production`
//! trees, e.g. Alertmanager's own test data, are skipped):
//!
//! - `alertmanager.yml`-shaped YAML documents: a mapping with a `route`
//!   mapping and one of `receivers`, `global`, `inhibit_rules`, and no
//!   `kind` (any file name);
//! - Kubernetes `Secret`s with an `alertmanager.yaml` key, in `stringData`
//!   (positions point into the manifest) or base64 `data` (positions point
//!   at the key);
//! - prometheus-operator `AlertmanagerConfig` objects, merged into one tree
//!   as the operator does ([`operator`]).

pub mod config;
pub mod matcher;
pub mod operator;
pub mod route;

use crate::inventory::Inventory;
use crate::yaml::{Node, Pos};
use config::{Origin, Problem, Receiver, Route};

/// One Alertmanager configuration of the repository.
#[derive(Clone, Debug)]
pub struct AmConfig {
    /// Repository-relative path of the file (the first object's file for
    /// merged `AlertmanagerConfig` objects).
    pub path: String,
    /// Where the configuration starts in that file.
    pub pos: Pos,
    /// What it is, for messages: `alertmanager.yml`, `Secret <name>`,
    /// `AlertmanagerConfig objects (<n>)`.
    pub source: String,
    /// The routing tree (`None` when it has no `route`).
    pub route: Option<Route>,
    /// The receivers, in order.
    pub receivers: Vec<Receiver>,
    /// What Alertmanager (or the operator) would refuse.
    pub problems: Vec<Problem>,
}

impl AmConfig {
    /// The receiver called `name`.
    pub fn receiver(&self, name: &str) -> Option<&Receiver> {
        self.receivers.iter().find(|r| r.name == name)
    }

    /// `path:line` of the configuration.
    pub fn site(&self) -> String {
        format!("{}:{}", self.path, self.pos.line)
    }
}

/// Whether `doc` is shaped like `alertmanager.yml` (see the module docs).
pub fn is_alertmanager_yml(doc: &Node) -> bool {
    doc.get("kind").is_none()
        && doc.get("route").is_some_and(Node::is_map)
        && ["receivers", "global", "inhibit_rules"]
            .iter()
            .any(|k| doc.get(k).is_some())
}

/// Every Alertmanager configuration of the repository outside the
/// `non_production` globs, in path order; `AlertmanagerConfig` objects
/// merged into one (last).
pub fn discover(inv: &Inventory, non_production: &[String]) -> Vec<AmConfig> {
    let skip = crate::inventory::globset(non_production);
    let mut out = Vec::new();
    for f in inv.files.iter().filter(|f| !skip.is_match(&f.path)) {
        for d in f.docs.iter().filter(|d| is_alertmanager_yml(d)) {
            let (route, receivers, problems) = config::read_alertmanager_yml(d, Origin::default());
            out.push(AmConfig {
                path: f.path.clone(),
                pos: d.pos,
                source: "alertmanager.yml".to_string(),
                route,
                receivers,
                problems,
            });
        }
    }
    let objects: Vec<_> = inv
        .objects
        .iter()
        .filter(|o| !skip.is_match(&o.path))
        .collect();
    for o in objects.iter().filter(|o| o.kind == "Secret") {
        if let Some(c) = from_secret(inv, o) {
            out.push(c);
        }
    }
    let amc: Vec<_> = objects
        .iter()
        .copied()
        .filter(|o| {
            o.kind == "AlertmanagerConfig" && o.api_version.starts_with("monitoring.coreos.com/")
        })
        .collect();
    if !amc.is_empty() {
        let (route, receivers, problems) = operator::read(&amc);
        out.push(AmConfig {
            path: amc[0].path.clone(),
            pos: amc[0].pos,
            source: format!("AlertmanagerConfig objects ({})", amc.len()),
            route: Some(route),
            receivers,
            problems,
        });
    }
    out
}

/// The configuration in a Secret's `alertmanager.yaml` key.
fn from_secret(inv: &Inventory, o: &crate::formats::k8s::K8sObject) -> Option<AmConfig> {
    const KEY: &str = "alertmanager.yaml";
    let (text, key_pos, origin) = if let Some(v) = o.node.get("stringData").and_then(|d| d.get(KEY))
    {
        let key_pos = o.node.get("stringData")?.key(KEY)?.pos;
        let text = v.as_str()?.to_string();
        // A block scalar (`|`) starts on the line after its key.
        let line = inv.line(&o.path, key_pos.line).unwrap_or_default();
        let block = line
            .split_once(&format!("{KEY}:"))
            .is_some_and(|(_, rest)| rest.trim_start().starts_with(['|', '>']));
        let single_line = !text.trim_end().contains('\n');
        let origin = if block {
            Origin {
                line_offset: key_pos.line,
                fixed: None,
            }
        } else if single_line {
            Origin {
                line_offset: key_pos.line.saturating_sub(1),
                fixed: None,
            }
        } else {
            Origin {
                line_offset: 0,
                fixed: Some(key_pos),
            }
        };
        (text, key_pos, origin)
    } else {
        let data = o.node.get("data")?;
        let v = data.get(KEY)?;
        let key_pos = data.key(KEY)?.pos;
        use base64::Engine as _;
        let raw: String = v.as_str()?.split_whitespace().collect();
        let origin = Origin {
            line_offset: 0,
            fixed: Some(key_pos),
        };
        match base64::engine::general_purpose::STANDARD.decode(raw) {
            Ok(b) => (String::from_utf8_lossy(&b).into_owned(), key_pos, origin),
            Err(e) => {
                return Some(broken(
                    o,
                    key_pos,
                    format!("data.{KEY} is not valid base64: {e}"),
                ));
            }
        }
    };
    let source = format!("Secret {}", o.name);
    match crate::yaml::parse_documents(&text) {
        Ok(docs) => {
            let doc = docs
                .first()
                .cloned()
                .unwrap_or_else(|| Node::null().clone());
            let (route, receivers, problems) = config::read_alertmanager_yml(&doc, origin);
            Some(AmConfig {
                path: o.path.clone(),
                pos: key_pos,
                source,
                route,
                receivers,
                problems,
            })
        }
        Err(e) => Some(broken(
            o,
            origin.map(e.pos),
            format!(
                "{KEY} of Secret {} is not valid YAML: {}",
                o.name, e.message
            ),
        )),
    }
}

fn broken(o: &crate::formats::k8s::K8sObject, pos: Pos, message: String) -> AmConfig {
    AmConfig {
        path: o.path.clone(),
        pos,
        source: format!("Secret {}", o.name),
        route: None,
        receivers: Vec::new(),
        problems: vec![Problem { pos, message }],
    }
}
