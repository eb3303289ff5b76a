//! The project's documents point at files that exist (issue 15 item 13):
//! every relative Markdown link in the README, SECURITY.md, FUZZING.md and
//! docs/, and every `docs/…` path the pre-commit manifest names; the licence
//! files are there; the install instructions name no placeholder owner.
//! Every repository path (`src/…`, `crates/…`, `docs/…`, …) that the README,
//! docs/ or the CLI's help cite exists (issue 18 item 6).

use crate::support::{prr_output, read, root};

/// Relative link targets `](target)` of a Markdown text, without anchors.
fn links(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find("](") {
        rest = &rest[i + 2..];
        let Some(end) = rest.find(')') else { break };
        let target = rest[..end].split('#').next().unwrap_or_default().trim();
        if !target.is_empty()
            && !target.contains("://")
            && !target.starts_with("mailto:")
            && !target.contains(' ')
        {
            out.push(target.to_string());
        }
    }
    out
}

#[test]
fn every_relative_link_resolves() {
    let mut docs = vec![
        root().join("README.md"),
        root().join("SECURITY.md"),
        root().join("FUZZING.md"),
    ];
    for e in std::fs::read_dir(root().join("docs")).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "md") {
            docs.push(p);
        }
    }
    let mut checked = 0;
    for doc in &docs {
        let dir = doc.parent().unwrap();
        for target in links(&read(doc)) {
            assert!(
                dir.join(&target).exists(),
                "{} links to {target}, which does not exist",
                doc.display()
            );
            checked += 1;
        }
    }
    assert!(checked >= 8, "the link scan found only {checked} links");
}

#[test]
fn the_pre_commit_manifest_names_existing_docs() {
    let text = read(&root().join(".pre-commit-hooks.yaml"));
    let named: Vec<&str> = text
        .split(char::is_whitespace)
        .filter(|w| w.starts_with("docs/"))
        .map(|w| w.trim_end_matches(['.', ',', ')']))
        .collect();
    assert!(!named.is_empty());
    for p in named {
        assert!(root().join(p).is_file(), ".pre-commit-hooks.yaml names {p}");
    }
}

#[test]
fn licences_are_shipped() {
    assert!(read(&root().join("LICENSE")).contains("Apache License"));
    assert!(read(&root().join("Cargo.toml")).contains("license = \"Apache-2.0\""));
    let gitleaks = read(&root().join("rules/secrets/LICENSE-gitleaks"));
    assert!(gitleaks.contains("MIT License") && gitleaks.contains("Zachary Rice"));
    assert!(read(&root().join("NOTICE")).contains("rules/secrets/LICENSE-gitleaks"));
}

#[test]
fn install_instructions_name_no_placeholder_owner_or_missing_release() {
    for doc in ["README.md", "docs/ci.md"] {
        let text = read(&root().join(doc));
        assert!(!text.contains("OWNER/"), "{doc} names a placeholder owner");
        assert!(
            !text.contains("--tag v0.1.0") && !text.contains("@v0.1.0"),
            "{doc} names a release that does not exist"
        );
    }
}

/// prr's own top-level folders: a cited path that starts with one of them
/// names a file or folder of this repository (issue 18 item 6).
const OWN_FOLDERS: &[&str] = &[
    "src/",
    "crates/",
    "docs/",
    "rules/",
    "tests/",
    "examples/",
    "fuzz/",
    "benches/",
    "bench/",
    "action/",
];

/// Paths the documents cite as what prr looks for in a team's repository,
/// not as prr's own files.
const USERS_PATHS: &[&str] = &["docs/sop"];

/// Repository paths cited in `text`: tokens such as `src/cli.rs`,
/// `crates/prr-core/`, `tests/rules/README.md` that start with one of
/// [`OWN_FOLDERS`] and end in a file or folder name. Left out: a token that
/// is part of a longer path or URL (`/work/…`, `…/docs/x`), a glob or a
/// placeholder (followed by `*`, `<`, `{`, `…`, `$`), the contents of
/// `yaml`, `json` and `toml` code blocks (a team's prr.yaml, a report: paths
/// of the team's repository) and [`USERS_PATHS`].
fn cited_paths(text: &str) -> Vec<String> {
    let path_char = |c: char| c.is_ascii_alphanumeric() || "_.-/".contains(c);
    let mut out = Vec::new();
    let mut fence: Option<String> = None;
    for line in text.lines() {
        if let Some(lang) = line.trim_start().strip_prefix("```") {
            fence = match fence {
                Some(_) => None,
                None => Some(lang.trim().to_string()),
            };
            continue;
        }
        if fence
            .as_deref()
            .is_some_and(|l| ["yaml", "yml", "json", "toml"].contains(&l))
        {
            continue;
        }
        let chars: Vec<(usize, char)> = line.char_indices().collect();
        for (k, &(i, _)) in chars.iter().enumerate() {
            let before = k.checked_sub(1).map(|j| chars[j].1);
            if before.is_some_and(|c| path_char(c) || "$:~".contains(c))
                || !OWN_FOLDERS.iter().any(|f| line[i..].starts_with(f))
            {
                continue;
            }
            let end = line[i..]
                .find(|c: char| !path_char(c))
                .map_or(line.len(), |n| i + n);
            if line[end..].starts_with(['*', '<', '{', '…', '$']) {
                continue;
            }
            let token = line[i..end].trim_end_matches(['.', ',', ':', ';']);
            let token = token.trim_end_matches('/');
            if !USERS_PATHS.contains(&token) {
                out.push(token.to_string());
            }
        }
    }
    out
}

#[test]
fn cited_paths_are_precise() {
    let text = "See `src/cli.rs`, crates/prr-core/ and docs/ci.md.\n\
                Globs: `rules/*.yaml`, `tests/rules/<family>-<name>/`, `docs/runbooks/**`.\n\
                Not ours: /work/shared/fixtures/x, https://example.com/docs/a.md, ./src/x\n\
                ```yaml\nrunbooks: [\"docs/runbooks/db.md\"]\n```\n\
                ```\nsrc/main.rs   the binary\n```\n";
    assert_eq!(
        cited_paths(text),
        ["src/cli.rs", "crates/prr-core", "docs/ci.md", "src/main.rs"]
    );
}

/// Every repository path that README.md and docs/*.md cite exists
/// (the code moved from one package into crates/: no document may still
/// point at `src/checks/…` or `src/report/…`).
#[test]
fn every_cited_repository_path_exists() {
    let mut docs = vec![root().join("README.md")];
    for e in std::fs::read_dir(root().join("docs")).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "md") {
            docs.push(p);
        }
    }
    let mut missing = Vec::new();
    let mut checked = 0;
    for doc in &docs {
        for p in cited_paths(&read(doc)) {
            checked += 1;
            if !root().join(&p).exists() {
                missing.push(format!("{} cites {p}", doc.display()));
            }
        }
    }
    assert!(missing.is_empty(), "{}", missing.join("\n"));
    assert!(checked >= 60, "the scan found only {checked} paths");
}

/// The help of `prr` and of each subcommand (nested ones too), as printed.
fn every_help() -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut todo: Vec<Vec<String>> = vec![Vec::new()];
    while let Some(cmd) = todo.pop() {
        let mut args: Vec<&str> = cmd.iter().map(String::as_str).collect();
        args.push("--help");
        let o = prr_output(&root(), &args);
        assert!(o.status.success(), "prr {args:?} fails");
        let help = String::from_utf8_lossy(&o.stdout).into_owned();
        // Subcommands: the indented names under "Commands:", up to the
        // next blank line.
        let subs = help
            .split("\nCommands:\n")
            .nth(1)
            .map(|s| s.split("\n\n").next().unwrap_or_default())
            .unwrap_or_default();
        for line in subs.lines() {
            let name = line.split_whitespace().next().unwrap_or_default();
            if !name.is_empty() && name != "help" {
                let mut sub = cmd.clone();
                sub.push(name.to_string());
                todo.push(sub);
            }
        }
        out.push((format!("prr {}", cmd.join(" ")), help));
    }
    out
}

/// Every repository path that the CLI's help cites exists (`--format json`
/// points at docs/json-report.md).
#[test]
fn every_path_the_help_cites_exists() {
    let helps = every_help();
    assert!(helps.len() >= 15, "only {} help texts", helps.len());
    let mut cited = 0;
    for (cmd, help) in &helps {
        for p in cited_paths(help) {
            cited += 1;
            assert!(root().join(&p).exists(), "`{cmd} --help` cites {p}");
        }
    }
    assert!(cited >= 1, "the help cites no path: is the scan broken?");
}
