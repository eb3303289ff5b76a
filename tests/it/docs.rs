//! The project's documents point at files that exist (issue 15 item 13):
//! every relative Markdown link in the README, SECURITY.md, FUZZING.md and
//! docs/, and every `docs/…` path the pre-commit manifest names; the licence
//! files are there; the install instructions name no placeholder owner.

use crate::support::{read, root};

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
