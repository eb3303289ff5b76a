//! Layered configuration: `extends:` in prr.yaml.
//!
//! A config file may extend built-in packs (`minimal`, `recommended`,
//! `strict`, shipped as `rules/packs/<name>.yaml`) and organisation files
//! (a path relative to the extending file: a shared file in the repository,
//! or one checked out from another repository, e.g. by `actions/checkout`
//! into a folder). Layers are applied in order, each extended file before
//! the file that extends it, so the repository's own prr.yaml is the last
//! layer and wins.
//!
//! ```yaml
//! extends: [recommended, ../platform-policy/prr-org.yaml]
//! ```
//!
//! Merge rules (each has a test below):
//! 1. Mappings merge key by key, recursively; a scalar of a later layer
//!    replaces the earlier one. So `rules: { alerts/for: { level: warning } }`
//!    changes only that rule's level, and `with:` parameters merge key by key.
//! 2. A sequence of a later layer replaces the earlier one (e.g. a rule's
//!    `with: { allowed: [...] }`, `runbooks:`), except:
//! 3. `services:` merge by `name` (an entry of the same name merges as a
//!    mapping; new names are appended in order);
//! 4. `suppressions:` and `ignore:` are concatenated;
//! 5. `rules-dir:` accumulates (each layer's folder is loaded in order; a
//!    later folder's rule replaces an earlier one of the same ID);
//! 6. `extends:` itself is consumed and never merged.
//!
//! Paths in an extended file's `rules-dir:` and `secrets.gitleaks-config:`
//! are relative to that file's folder; every other path stays relative to
//! the repository root.
//!
//! The merged tree is written out as YAML with a line map ([`Resolved`]):
//! the typed config is read from that text, and every position in it maps
//! back to the file and line the value came from, so errors and findings
//! point at the layer that wrote the value.

use crate::ConfigError;
use crate::yaml::{Node, Pos, Value};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

mod emit;
mod merge;
use emit::*;
use merge::*;

/// Built-in packs: name and text (`rules/packs/<name>.yaml`).
pub const PACKS: [(&str, &str); 3] = [
    (
        "minimal",
        include_str!("../../../../rules/packs/minimal.yaml"),
    ),
    (
        "recommended",
        include_str!("../../../../rules/packs/recommended.yaml"),
    ),
    (
        "strict",
        include_str!("../../../../rules/packs/strict.yaml"),
    ),
];

/// Most layers one config may have.
pub const MAX_LAYERS: usize = 32;

/// A layer's identity: its canonical path, or the pack's name.
fn layer_key(l: &Layer) -> String {
    l.path
        .as_ref()
        .map(|p| {
            p.canonicalize()
                .unwrap_or_else(|_| p.clone())
                .display()
                .to_string()
        })
        .unwrap_or_else(|| l.name.clone())
}

/// Deepest chain of `extends:` followed.
pub const MAX_DEPTH: usize = 8;

/// Largest layer file read, in bytes.
pub const MAX_LAYER_BYTES: u64 = 1024 * 1024;

/// One layer of a resolved config.
#[derive(Clone, Debug, PartialEq)]
pub struct Layer {
    /// Display name: `builtin:recommended` or the file's path.
    pub name: String,
    /// The file (`None` for a built-in pack).
    pub path: Option<PathBuf>,
}

/// Where a value of the merged config was written.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Origin {
    /// Index into [`Resolved::layers`].
    pub layer: usize,
    /// Position in that layer.
    pub pos: Pos,
}

/// The merged config as YAML text, with the origin of every line.
#[derive(Clone, Debug, Default)]
pub struct Resolved {
    /// The merged YAML (no `extends:`).
    pub text: String,
    /// `lines[i]` is the origin of line `i + 1` of `text`.
    pub lines: Vec<Origin>,
    /// The layers, in the order they were applied (the entry file last).
    pub layers: Vec<Layer>,
}

impl Resolved {
    /// Maps a position in [`Resolved::text`] to (layer display name, layer
    /// file, position in it). Unknown lines map to the last layer, 0:0.
    pub fn locate(&self, pos: Pos) -> (&Layer, Pos) {
        let last = self.layers.len().saturating_sub(1);
        let o = pos
            .line
            .checked_sub(1)
            .and_then(|i| self.lines.get(i as usize))
            .copied()
            .unwrap_or(Origin {
                layer: last,
                pos: Pos::default(),
            });
        let layer = self
            .layers
            .get(o.layer)
            .or_else(|| self.layers.last())
            .expect("a resolved config has at least its entry layer");
        (layer, o.pos)
    }

    /// The text with each line's origin as a trailing comment, after a
    /// header naming the layers (what `prr config --resolved` prints).
    pub fn annotated(&self, root: &Path) -> String {
        let mut out = String::from("# prr config --resolved: layers, first to last:\n");
        for (i, l) in self.layers.iter().enumerate() {
            let _ = writeln!(out, "#   {}. {}", i + 1, self.display(l, root));
        }
        let width = self.text.lines().map(str::len).max().unwrap_or(0).min(80);
        for (line, o) in self.text.lines().zip(&self.lines) {
            let name = self
                .layers
                .get(o.layer)
                .map(|l| self.display(l, root))
                .unwrap_or_default();
            let _ = writeln!(out, "{line:<width$}  # {name}:{}", o.pos.line);
        }
        out
    }

    fn display(&self, l: &Layer, root: &Path) -> String {
        match &l.path {
            Some(p) => crate::fsio::rel_path(p, root),
            None => l.name.clone(),
        }
    }
}

/// Reads a layer file (a path inside the repository or outside it). The
/// default reads the working tree; `--policy-from` reads files inside the
/// repository from a git revision instead.
pub type Reader<'a> = &'a dyn Fn(&Path) -> std::io::Result<String>;

/// Reads `path` from disk: a regular file of at most [`MAX_LAYER_BYTES`].
pub fn read_file(path: &Path) -> std::io::Result<String> {
    crate::fsio::read_text_bounded(path, MAX_LAYER_BYTES)
}

/// Resolves the layers of the config file `entry` (text `text`, already
/// read) for the repository at `root`, reading extended files with `read`.
///
/// Errors (exit 2, with file and line): YAML syntax, a config that is not a
/// mapping, `extends:` not a string or list of strings, an unknown pack, an
/// unreadable file, a cycle, more than [`MAX_DEPTH`] levels.
pub fn resolve(
    text: &str,
    entry: &Path,
    root: &Path,
    read: Reader,
) -> Result<Resolved, ConfigError> {
    let mut layers = Vec::new();
    let mut stack = Vec::new();
    let mut tree = load_layer(
        text,
        Layer {
            name: entry.display().to_string(),
            path: Some(entry.to_path_buf()),
        },
        true,
        root,
        read,
        &mut layers,
        &mut stack,
    )?;
    inherit_tier_policies(&mut tree);
    let mut out = Resolved {
        text: String::new(),
        lines: Vec::new(),
        layers,
    };
    if let Tree::Map(entries, _) = &tree {
        emit_map(entries, 0, &mut out);
    }
    Ok(out)
}

#[allow(clippy::too_many_arguments)]
fn load_layer(
    text: &str,
    layer: Layer,
    entry: bool,
    root: &Path,
    read: Reader,
    layers: &mut Vec<Layer>,
    stack: &mut Vec<String>,
) -> Result<Tree, ConfigError> {
    let err_path = layer
        .path
        .clone()
        .unwrap_or_else(|| PathBuf::from(&layer.name));
    if stack.len() >= MAX_DEPTH {
        return Err(ConfigError::new(
            &err_path,
            Pos::default(),
            format!("`extends:` is nested deeper than {MAX_DEPTH} levels"),
        ));
    }
    // A file outside the repository (an organisation layer, or whatever a
    // link points at) may not be a prr config at all: its text is never
    // quoted in a message, only where the problem is.
    let withheld = !entry
        && layer
            .path
            .as_ref()
            .is_some_and(|p| !crate::fsio::inside(p, root));
    let docs = crate::yaml::parse_documents(text).map_err(|e| {
        let msg = if withheld {
            "not valid YAML (details withheld: the file is outside the repository)".to_string()
        } else {
            e.message.clone()
        };
        ConfigError::new(&err_path, e.pos, msg)
    })?;
    let node = match docs.len() {
        0 => Node {
            value: Value::Map(Vec::new()),
            pos: Pos::default(),
        },
        1 => docs.into_iter().next().unwrap_or_else(|| Node {
            value: Value::Null,
            pos: Pos::default(),
        }),
        _ => {
            return Err(ConfigError::new(
                &err_path,
                docs.get(1).map(|d| d.pos).unwrap_or_default(),
                "a config file holds one YAML document",
            ));
        }
    };
    if !node.is_map() {
        return Err(ConfigError::new(
            &err_path,
            node.pos,
            format!("a config file is a mapping, found {}", node.type_name()),
        ));
    }
    stack.push(layer_key(&layer));
    let dir = layer
        .path
        .as_ref()
        .and_then(|p| p.parent())
        .map(Path::to_path_buf)
        .unwrap_or_else(|| root.to_path_buf());
    // 1. The extended layers, in order.
    let mut merged: Option<Tree> = None;
    if let Some(ext) = node.get("extends") {
        let names: Vec<&Node> = match &ext.value {
            Value::Str(_) => vec![ext],
            Value::Seq(items) => items.iter().collect(),
            _ => {
                return Err(ConfigError::new(
                    &err_path,
                    ext.pos,
                    "`extends:` is a pack name or a file path, or a list of them",
                ));
            }
        };
        for n in names {
            let Some(name) = n.as_str() else {
                return Err(ConfigError::new(
                    &err_path,
                    n.pos,
                    format!("`extends:` entries are strings, found {}", n.type_name()),
                ));
            };
            let (child_text, child) = fetch(name, &dir, read).map_err(|m| {
                ConfigError::new(&err_path, n.pos, format!("extends `{name}`: {m}"))
            })?;
            let ckey = layer_key(&child);
            if stack.contains(&ckey) {
                return Err(ConfigError::new(
                    &err_path,
                    n.pos,
                    format!("extends `{name}`: a cycle ({} extends itself)", child.name),
                ));
            }
            if layers.iter().any(|l| layer_key(l) == ckey) {
                // Already applied (a diamond: two layers extend one file);
                // applying it again would repeat its suppressions.
                continue;
            }
            if layers.len() >= MAX_LAYERS {
                return Err(ConfigError::new(
                    &err_path,
                    n.pos,
                    format!(
                        "more than {MAX_LAYERS} layers: `extends:` chains this long are not supported"
                    ),
                ));
            }
            let t = load_layer(&child_text, child, false, root, read, layers, stack)?;
            merged = Some(match merged {
                Some(m) => merge(m, t, ""),
                None => t,
            });
        }
    }
    stack.pop();
    // 2. This layer, on top.
    let index = layers.len();
    // The entry file keeps prr.yaml's meaning (paths relative to the root).
    let rewrite = !entry && layer.path.is_some() && dir != root && !is_root_dir(&dir, root);
    layers.push(layer);
    let mut own = Tree::from_node(&node, index);
    if let Tree::Map(entries, _) = &mut own {
        entries.retain(|(k, _, _)| k != "extends");
        if rewrite {
            relative_to(entries, &dir);
        }
    }
    Ok(match merged {
        Some(m) => merge(m, own, ""),
        None => own,
    })
}

/// Whether the config text needs the layered path: it extends other files
/// or has a tier `budget-policy:` that inherits the global policy.
pub fn needs_layers(text: &str) -> bool {
    text.contains("extends") || text.contains("budget-policy")
}

fn is_root_dir(dir: &Path, root: &Path) -> bool {
    match (dir.canonicalize(), root.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// Makes `rules-dir` and `secrets.gitleaks-config` of a layer outside the
/// root folder absolute (relative to the layer's folder).
fn relative_to(entries: &mut [(String, Origin, Tree)], dir: &Path) {
    let fix = |t: &mut Tree| match t {
        Tree::Scalar(Value::Str(s), _) => *s = dir.join(&*s).display().to_string(),
        Tree::Seq(items, _) => {
            for i in items {
                if let Tree::Scalar(Value::Str(s), _) = i {
                    *s = dir.join(&*s).display().to_string();
                }
            }
        }
        _ => {}
    };
    for (k, _, v) in entries.iter_mut() {
        match k.as_str() {
            "rules-dir" => fix(v),
            "secrets" => {
                if let Tree::Map(e, _) = v {
                    for (k2, _, v2) in e.iter_mut() {
                        if k2 == "gitleaks-config" {
                            fix(v2);
                        }
                    }
                }
            }
            _ => {}
        }
    }
}

/// The text and layer of `extends` entry `name`: a built-in pack, or a
/// path relative to `dir`.
fn fetch(name: &str, dir: &Path, read: Reader) -> Result<(String, Layer), String> {
    let pack = name.strip_prefix("builtin:").unwrap_or(name);
    if let Some((p, text)) = PACKS.iter().find(|(p, _)| *p == pack) {
        return Ok((
            text.to_string(),
            Layer {
                name: format!("builtin:{p}"),
                path: None,
            },
        ));
    }
    let yaml_ext = name.ends_with(".yaml") || name.ends_with(".yml");
    let looks_like_path = name.contains('/') || yaml_ext;
    if looks_like_path && !yaml_ext {
        return Err("a config layer is a .yaml or .yml file; this one is not read".into());
    }
    if !looks_like_path {
        let known: Vec<&str> = PACKS.iter().map(|(p, _)| *p).collect();
        return Err(format!(
            "no built-in pack of that name (known: {}); a file is written as a path, e.g. ./{name}.yaml",
            known.join(", ")
        ));
    }
    // Lexically tidied (`./` dropped), so messages and cycle checks see one
    // spelling of a path.
    let path: PathBuf = dir.join(name).components().collect();
    let text = read(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    Ok((
        text,
        Layer {
            name: path.display().to_string(),
            path: Some(path),
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn run(files: &[(&str, &str)]) -> Result<Resolved, ConfigError> {
        let map: HashMap<PathBuf, String> = files
            .iter()
            .map(|(p, t)| (PathBuf::from("/r").join(p), t.to_string()))
            .collect();
        let read = |p: &Path| {
            map.get(p)
                .cloned()
                .ok_or_else(|| std::io::Error::from(std::io::ErrorKind::NotFound))
        };
        let entry = PathBuf::from("/r/prr.yaml");
        resolve(&map[&entry], &entry, Path::new("/r"), &read)
    }

    fn tree(r: &Resolved) -> Node {
        crate::yaml::parse_documents(&r.text).unwrap().remove(0)
    }

    #[test]
    fn maps_merge_key_by_key_and_scalars_of_later_layers_win() {
        let r = run(&[
            (
                "org.yaml",
                "rules:\n  alerts/for: { level: error, with: { min: 5m, max: 1h } }\n  slo/window: { level: warning }\n",
            ),
            (
                "prr.yaml",
                "extends: ./org.yaml\nrules:\n  alerts/for: { with: { min: 10m } }\n",
            ),
        ])
        .unwrap();
        let t = tree(&r);
        let f = t.path("rules").unwrap().get("alerts/for").unwrap();
        assert_eq!(f.path("level").unwrap().as_str(), Some("error"));
        assert_eq!(f.path("with.min").unwrap().as_str(), Some("10m"));
        assert_eq!(f.path("with.max").unwrap().as_str(), Some("1h"));
        let w = t.path("rules").unwrap().get("slo/window").unwrap();
        assert_eq!(w.path("level").unwrap().as_str(), Some("warning"));
        assert!(t.get("extends").is_none());
    }

    #[test]
    fn sequences_are_replaced() {
        let r = run(&[
            ("org.yaml", "runbooks: [\"a/**\", \"b/**\"]\n"),
            ("prr.yaml", "extends: [./org.yaml]\nrunbooks: [\"c/**\"]\n"),
        ])
        .unwrap();
        let t = tree(&r);
        let items: Vec<_> = t
            .get("runbooks")
            .unwrap()
            .items()
            .iter()
            .filter_map(|n| n.as_str())
            .collect();
        assert_eq!(items, ["c/**"]);
    }

    #[test]
    fn services_merge_by_name() {
        let r = run(&[
            (
                "org.yaml",
                "services:\n  - name: a\n    tier: critical\n    owner: x\n  - name: b\n",
            ),
            (
                "prr.yaml",
                "extends: ./org.yaml\nservices:\n  - name: a\n    owner: y\n  - name: c\n",
            ),
        ])
        .unwrap();
        let t = tree(&r);
        let s = t.get("services").unwrap().items();
        let names: Vec<_> = s.iter().filter_map(|n| n.get("name")?.as_str()).collect();
        assert_eq!(names, ["a", "b", "c"]);
        assert_eq!(s[0].get("tier").unwrap().as_str(), Some("critical"));
        assert_eq!(s[0].get("owner").unwrap().as_str(), Some("y"));
    }

    #[test]
    fn suppressions_ignore_and_rules_dirs_accumulate() {
        let r = run(&[
            (
                "org.yaml",
                "ignore: [\"gen/**\"]\nrules-dir: org-rules\nsuppressions:\n  - { rule: \"a/b\", reason: org }\n",
            ),
            (
                "prr.yaml",
                "extends: ./org.yaml\nignore: [\"tmp/**\"]\nrules-dir: team-rules\nsuppressions:\n  - { rule: \"c/d\", reason: team }\n",
            ),
        ])
        .unwrap();
        let t = tree(&r);
        let strs = |k: &str| -> Vec<String> {
            t.get(k)
                .unwrap()
                .items()
                .iter()
                .filter_map(|n| n.as_str().map(str::to_string))
                .collect()
        };
        assert_eq!(strs("ignore"), ["gen/**", "tmp/**"]);
        assert_eq!(strs("rules-dir"), ["org-rules", "team-rules"]);
        assert_eq!(t.get("suppressions").unwrap().items().len(), 2);
    }

    #[test]
    fn paths_of_a_layer_in_another_folder_are_relative_to_it() {
        let r = run(&[
            ("org/base.yaml", "rules-dir: rules\n"),
            ("prr.yaml", "extends: ./org/base.yaml\n"),
        ])
        .unwrap();
        let t = tree(&r);
        let dirs = t.get("rules-dir").unwrap();
        assert_eq!(dirs.as_str(), Some("/r/org/rules"));
    }

    #[test]
    fn every_line_maps_back_to_its_layer_and_line() {
        let r = run(&[
            (
                "org.yaml",
                "# org\nrules:\n  slo/window: { level: warning }\n",
            ),
            ("prr.yaml", "extends: ./org.yaml\nignore: [\"x/**\"]\n"),
        ])
        .unwrap();
        let line = r
            .text
            .lines()
            .position(|l| l.contains("slo/window"))
            .unwrap() as u32
            + 1;
        let (layer, pos) = r.locate(Pos::line(line));
        assert_eq!(layer.path.as_deref(), Some(Path::new("/r/org.yaml")));
        assert_eq!(pos.line, 3);
        let line = r.text.lines().position(|l| l.contains("x/**")).unwrap() as u32 + 1;
        let (layer, pos) = r.locate(Pos::line(line));
        assert_eq!(layer.path.as_deref(), Some(Path::new("/r/prr.yaml")));
        assert_eq!(pos.line, 2);
        let shown = r.annotated(Path::new("/r"));
        assert!(shown.contains("1. org.yaml"), "{shown}");
        assert!(shown.contains("# org.yaml:3"), "{shown}");
    }

    #[test]
    fn a_file_two_layers_extend_is_applied_once() {
        let r = run(&[
            (
                "base.yaml",
                "suppressions:\n  - { rule: \"a/b\", reason: base }\n",
            ),
            ("a.yaml", "extends: ./base.yaml\n"),
            ("b.yaml", "extends: ./base.yaml\n"),
            ("prr.yaml", "extends: [./a.yaml, ./b.yaml]\n"),
        ])
        .unwrap();
        let t = tree(&r);
        assert_eq!(t.get("suppressions").unwrap().items().len(), 1);
        assert_eq!(r.layers.len(), 4);
    }

    #[test]
    fn cycles_unknown_packs_and_missing_files_are_errors_at_the_extends_line() {
        let e = run(&[
            ("a.yaml", "extends: ./prr.yaml\n"),
            ("prr.yaml", "ignore: []\nextends: ./a.yaml\n"),
        ])
        .unwrap_err();
        assert!(e.message.contains("cycle"), "{e}");
        let e = run(&[("prr.yaml", "extends: [recomended]\n")]).unwrap_err();
        assert!(e.message.contains("no built-in pack"), "{e}");
        assert!(e.message.contains("recommended"), "{e}");
        assert_eq!(e.pos.line, 1);
        let e = run(&[("prr.yaml", "\nextends: ./missing.yaml\n")]).unwrap_err();
        assert!(e.message.contains("cannot read"), "{e}");
        assert_eq!(e.pos.line, 2);
        assert_eq!(e.path, Path::new("/r/prr.yaml"));
    }

    #[test]
    fn builtin_packs_are_valid_layers() {
        for (name, _) in PACKS {
            let r = run(&[("prr.yaml", &format!("extends: {name}\n"))]).unwrap();
            assert!(
                r.layers.iter().any(|l| l.name == format!("builtin:{name}")),
                "{name}"
            );
            assert!(!r.text.is_empty(), "{name}");
        }
    }

    #[test]
    fn emitted_scalars_round_trip() {
        let r = run(&[(
            "prr.yaml",
            "a: \"x: \\\"y\\\"\\n\"\nb: 1\nc: 2.5\nd: true\ne: null\nf: 'yes'\ng: [[1], {}]\n",
        )])
        .unwrap();
        let t = tree(&r);
        assert_eq!(t.get("a").unwrap().as_str(), Some("x: \"y\"\n"));
        assert_eq!(t.get("b").unwrap().as_i64(), Some(1));
        assert_eq!(t.get("c").unwrap().as_f64(), Some(2.5));
        assert_eq!(t.get("d").unwrap().as_bool(), Some(true));
        assert!(t.get("e").unwrap().is_null());
        assert_eq!(t.get("f").unwrap().as_str(), Some("yes"));
        assert_eq!(t.get("g").unwrap().items().len(), 2);
    }
}
