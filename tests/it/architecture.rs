//! The shape of the code as facts the tests check (docs/architecture.md):
//! no import cycle between the folders (modules) of a crate, the crates'
//! dependency direction, and no production file over 600 lines. A crate
//! graph cannot be cyclic (cargo refuses it); inside a crate only this test
//! keeps the layers one way.
//!
//! The module graph is read from the source text: every `crate::a::b` and
//! `super::…` path outside comments and `#[cfg(test)]` modules, resolved
//! against the crate's module files, gives an edge between the two sibling
//! modules under their closest common parent (a child using its parent is
//! not an edge: that is what a parent's re-exports are for).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `src` of the app and of every crate.
fn crate_sources() -> Vec<PathBuf> {
    let mut out = vec![repo().join("src")];
    let mut crates: Vec<PathBuf> = std::fs::read_dir(repo().join("crates"))
        .expect("crates/")
        .map(|e| e.expect("entry").path().join("src"))
        .filter(|p| p.is_dir())
        .collect();
    crates.sort();
    out.extend(crates);
    out
}

/// Production `.rs` files below `src` (test files and folders left out).
fn production_files(src: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![src.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).expect("read_dir") {
            let p = e.expect("entry").path();
            let name = p.file_name().map(|n| n.to_string_lossy().into_owned());
            let name = name.unwrap_or_default();
            if p.is_dir() {
                if name != "pipeline_tests" && name != "tests" {
                    stack.push(p);
                }
            } else if name.ends_with(".rs")
                && name != "tests.rs"
                && !name.ends_with("_tests.rs")
                && name != "testutil.rs"
            {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// The module path of a file (`checks/alerts/route.rs` → `[checks, alerts, route]`).
fn module_of(src: &Path, file: &Path) -> Vec<String> {
    let rel = file
        .strip_prefix(src)
        .expect("below src")
        .with_extension("");
    let mut parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if matches!(
        parts.last().map(String::as_str),
        Some("mod" | "lib" | "main")
    ) {
        parts.pop();
    }
    parts
}

/// The text before the file's `#[cfg(test)] mod tests`, without comments.
fn code(text: &str) -> String {
    let text = text
        .find("#[cfg(test)]\nmod tests")
        .map_or(text, |i| &text[..i]);
    text.lines()
        .map(|l| l.split("//").next().unwrap_or_default())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every `crate::…` / `super::…` path in `code`, split at `::`.
fn paths(code: &str) -> Vec<Vec<String>> {
    let mut starts: Vec<usize> = code
        .match_indices("crate::")
        .chain(code.match_indices("super::"))
        .map(|(i, _)| i)
        .filter(|&i| {
            !code[..i]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':')
        })
        .collect();
    starts.sort_unstable();
    starts
        .into_iter()
        .map(|i| {
            let rest = &code[i..];
            let end = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':'))
                .unwrap_or(rest.len());
            rest[..end]
                .split("::")
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect()
        })
        .collect()
}

/// Cycles among sibling modules, as `parent: a → b → … → a` lines.
fn cycles(src: &Path) -> Vec<String> {
    let files = production_files(src);
    let modules: BTreeSet<Vec<String>> = files.iter().map(|f| module_of(src, f)).collect();
    // parent → (child → children it uses)
    let mut graph: BTreeMap<Vec<String>, BTreeMap<String, BTreeSet<String>>> = BTreeMap::new();
    for f in &files {
        let from = module_of(src, f);
        let text = std::fs::read_to_string(f).expect("read");
        for p in paths(&code(&text)) {
            let (mut target, rest): (Vec<String>, &[String]) = if p[0] == "crate" {
                (Vec::new(), &p[1..])
            } else {
                let ups = p.iter().take_while(|s| *s == "super").count();
                let keep = from.len().saturating_sub(ups);
                (from[..keep].to_vec(), &p[ups..])
            };
            for seg in rest {
                let mut next = target.clone();
                next.push(seg.clone());
                if !modules.contains(&next) {
                    break;
                }
                target = next;
            }
            let common = from.iter().zip(&target).take_while(|(a, b)| a == b).count();
            if common < from.len() && common < target.len() {
                graph
                    .entry(from[..common].to_vec())
                    .or_default()
                    .entry(from[common].clone())
                    .or_default()
                    .insert(target[common].clone());
            }
        }
    }
    let mut found = Vec::new();
    for (parent, edges) in &graph {
        // A cycle exists iff some module reaches itself.
        for start in edges.keys() {
            let mut seen = BTreeSet::new();
            let mut stack: Vec<(String, Vec<String>)> = vec![(start.clone(), vec![start.clone()])];
            while let Some((m, trail)) = stack.pop() {
                for next in edges.get(&m).into_iter().flatten() {
                    if next == start {
                        found.push(format!(
                            "{}/{}: {} → {start}",
                            src.display(),
                            parent.join("/"),
                            trail.join(" → ")
                        ));
                    } else if seen.insert(next.clone()) {
                        let mut t = trail.clone();
                        t.push(next.clone());
                        stack.push((next.clone(), t));
                    }
                }
            }
        }
    }
    found.sort();
    found.dedup();
    found
}

#[test]
fn no_import_cycle_between_the_modules_of_a_crate() {
    let mut all = Vec::new();
    for src in crate_sources() {
        all.extend(cycles(&src));
    }
    assert!(all.is_empty(), "import cycles:\n{}", all.join("\n"));
}

/// Must fire: the reader finds a cycle that is there.
#[test]
fn the_cycle_reader_sees_a_cycle() {
    let dir = tempfile::tempdir().expect("tempdir");
    let src = dir.path().join("src");
    std::fs::create_dir_all(src.join("a")).expect("mkdir");
    std::fs::write(src.join("lib.rs"), "pub mod a;\npub mod b;\n").expect("write");
    std::fs::write(
        src.join("a/mod.rs"),
        "use crate::b::x;\n// crate::c::nothing\n",
    )
    .expect("write");
    std::fs::write(src.join("b.rs"), "pub fn x() { super::a::y() }\n").expect("write");
    let found = cycles(&src);
    assert_eq!(found.len(), 2, "{found:?}");
    // And a one-way pair is no cycle.
    std::fs::write(src.join("b.rs"), "pub fn x() {}\n").expect("write");
    assert!(cycles(&src).is_empty());
}

#[test]
fn prr_report_depends_on_prr_core_alone() {
    let manifest = std::fs::read_to_string(repo().join("crates/prr-report/Cargo.toml"))
        .expect("prr-report's Cargo.toml");
    let prr_deps: Vec<&str> = manifest
        .lines()
        .filter_map(|l| l.split(['=', '.']).next())
        .map(str::trim)
        .filter(|k| k.starts_with("prr-") && *k != "prr-report")
        .collect();
    assert_eq!(prr_deps, ["prr-core"], "{manifest}");
}

#[test]
fn no_production_file_is_over_600_lines() {
    let mut long = Vec::new();
    for src in crate_sources() {
        for f in production_files(&src) {
            let text = std::fs::read_to_string(&f).expect("read");
            let lines = text
                .find("#[cfg(test)]\nmod tests")
                .map_or(text.as_str(), |i| &text[..i])
                .lines()
                .count();
            if lines > 600 {
                long.push(format!("{}: {lines}", f.display()));
            }
        }
    }
    assert!(
        long.is_empty(),
        "over 600 lines (tests excluded):\n{}",
        long.join("\n")
    );
}

/// The analyzers a file defines: functions of the analyzer shape
/// `fn name(ctx: &Context, params: &P, sink: &mut Sink)`.
fn analyzers_in(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|l| l.trim_start().strip_prefix("pub fn "))
        .filter(|l| l.contains("(ctx: &Context,") && l.contains("sink: &mut Sink)"))
        .filter_map(|l| l.split('(').next().map(str::to_string))
        .collect()
}

#[test]
fn one_analyzer_per_file() {
    // Must fire: two analyzers in one text.
    let two = "pub fn a(ctx: &Context, _p: &A, sink: &mut Sink) {}\n\
               pub fn b(ctx: &Context, p: &B, sink: &mut Sink) {}\n";
    assert_eq!(analyzers_in(two), ["a", "b"]);
    let checks = repo().join("crates/prr-checks/src/checks");
    let mut crowded = Vec::new();
    let mut total = 0;
    for f in production_files(&checks) {
        let found = analyzers_in(&std::fs::read_to_string(&f).expect("read"));
        total += found.len();
        if found.len() > 1 {
            crowded.push(format!("{}: {}", f.display(), found.join(", ")));
        }
    }
    assert!(total > 40, "the analyzer reader found only {total}");
    assert!(
        crowded.is_empty(),
        "one analyzer per file (docs/architecture.md):\n{}",
        crowded.join("\n")
    );
}
