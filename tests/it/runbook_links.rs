//! Runbooks are where the alerts' links go (issue 13, items 6 and 7),
//! through the real `prr` binary:
//!
//! - a link to this repository's hosted file (a GitHub `blob` URL of the
//!   checkout's `origin`) is checked like a relative link, anchors included;
//! - a Markdown file an alert links to is a runbook wherever it is, and a
//!   file holding a section per alert is checked per anchored section;
//! - the runbook globs match whole path segments (`xrunbooks/` is not
//!   `runbooks/`).

use crate::support::{findings_of, git, prr, write};
use std::path::Path;

const RULES: &str = "groups:
  - name: shop
    rules:
      - alert: HighErrorRate
        expr: sum(rate(http_requests_total{code=~\"5..\"}[5m])) > 1
        for: 10m
        labels: { severity: critical }
        annotations:
          summary: errors
          runbook_url: LINK_A
      - alert: DiskFull
        expr: node_filesystem_avail_bytes < 1e9
        for: 30m
        labels: { severity: warning }
        annotations:
          summary: disk
          runbook_url: LINK_B
";

const ALERTS_MD: &str = "# Shop alerts

## HighErrorRate

### Meaning
Users see errors.
### Diagnosis
Look at the dashboard.
### Mitigation
Roll back.
### Escalation
Page the shop team.

## DiskFull

Free some space.
";

fn repo(tmp: &Path, link_a: &str, link_b: &str) -> std::path::PathBuf {
    let d = tmp.join("shop");
    std::fs::create_dir_all(&d).expect("mkdir");
    git(&d, &["init", "-q"]);
    git(
        &d,
        &["remote", "add", "origin", "git@github.com:Acme/Shop.git"],
    );
    write(
        &d,
        "deploy/alerts.yaml",
        RULES.replace("LINK_A", link_a).replace("LINK_B", link_b),
    );
    write(&d, "docs/alerts.md", ALERTS_MD);
    d
}

#[test]
fn a_hosted_link_to_this_repository_is_checked_anchor_included() {
    let tmp = tempfile::tempdir().expect("tmp");
    let d = repo(
        tmp.path(),
        "https://github.com/acme/shop/blob/main/docs/alerts.md#higherrorrate",
        "https://github.com/acme/shop/blob/main/docs/alerts.md#disk-full",
    );
    let (_, report, out) = prr(&d, &["check", ".", "--format", "json"]);
    let resolves = findings_of(&report, "alerts/runbook-resolves");
    assert_eq!(resolves.len(), 1, "{out}");
    assert_eq!(resolves[0].0, "deploy/alerts.yaml");
    assert!(
        resolves[0].2.contains("`#disk-full`") && resolves[0].2.contains("#diskfull"),
        "{}",
        resolves[0].2
    );
}

#[test]
fn another_repositorys_url_is_not_checked() {
    let tmp = tempfile::tempdir().expect("tmp");
    let d = repo(
        tmp.path(),
        "https://github.com/acme/other/blob/main/docs/alerts.md#nope",
        "https://github.com/acme/shop/blob/main/docs/alerts.md#diskfull",
    );
    let (_, report, out) = prr(&d, &["check", ".", "--format", "json"]);
    assert!(
        findings_of(&report, "alerts/runbook-resolves").is_empty(),
        "{out}"
    );
}

#[test]
fn a_linked_file_is_checked_per_anchored_section() {
    let tmp = tempfile::tempdir().expect("tmp");
    let d = repo(
        tmp.path(),
        "../docs/alerts.md#higherrorrate",
        "../docs/alerts.md#diskfull",
    );
    let (_, report, out) = prr(&d, &["check", ".", "--format", "json"]);
    let sections = findings_of(&report, "runbook/sections");
    // DiskFull's section has no sub-headings: the three default sections
    // (meaning, diagnosis, mitigation) are missing, at its heading (line
    // 14); HighErrorRate's section has them all.
    assert_eq!(sections.len(), 3, "{out}");
    assert!(
        sections.iter().all(|(p, line, m)| p == "docs/alerts.md"
            && *line == 14
            && m.starts_with("runbook section `#diskfull`")),
        "{sections:?}"
    );
}

#[test]
fn runbook_globs_match_whole_folder_names() {
    let tmp = tempfile::tempdir().expect("tmp");
    let d = tmp.path().join("r");
    write(&d, "xrunbooks/notes.md", "# Notes\n");
    write(&d, "ops/runbooks/db.md", "# Database\n");
    write(&d, "docs/playbooks/cache.md", "# Cache\n");
    let (_, report, out) = prr(&d, &["check", ".", "--format", "json"]);
    let mut paths: Vec<String> = findings_of(&report, "runbook/sections")
        .into_iter()
        .map(|(p, _, _)| p)
        .collect();
    paths.dedup();
    assert_eq!(
        paths,
        ["docs/playbooks/cache.md", "ops/runbooks/db.md"],
        "{out}"
    );
}

/// A runbook value that is a placeholder (`TODO`, `Need to add one`: 58
/// alerts of the real repositories) is named as one; a link to a missing
/// file is still "does not resolve".
#[test]
fn a_placeholder_runbook_is_named_as_one() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let d = repo(tmp.path(), "TODO", "Need to add one");
    let (_, r, out) = prr(&d, &["check", ".", "--format", "json"]);
    let fs = findings_of(&r, "alerts/runbook-resolves");
    assert_eq!(fs.len(), 2, "{out}");
    for (_, _, m) in &fs {
        assert!(m.contains("is a placeholder, not a link"), "{m}");
    }
    let d2 = tmp.path().join("other");
    std::fs::create_dir_all(&d2).expect("mkdir");
    let d2 = repo(&d2, "../docs/missing.md", "../docs/alerts.md#diskfull");
    let (_, r, out) = prr(&d2, &["check", ".", "--format", "json"]);
    let fs = findings_of(&r, "alerts/runbook-resolves");
    assert_eq!(fs.len(), 1, "{out}");
    assert!(fs[0].2.contains("does not resolve: no file"), "{}", fs[0].2);
}
