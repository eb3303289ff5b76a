//! Unit tests: annotations, truncation, errors and the label audit rules.

use super::*;
use crate::finding::{Finding, Level};
use crate::yaml::Pos;

#[test]
fn truncate_keeps_short_and_cuts_long() {
    assert_eq!(truncate("abc", 10), "abc");
    let long = "é".repeat(70_000);
    let cut = truncate(&long, MAX_COMMENT_CHARS);
    assert_eq!(cut.chars().count(), MAX_COMMENT_CHARS);
    assert!(cut.ends_with("full report)"));
}

#[test]
fn annotation_from_finding() {
    let mut f = Finding::new("alerts/for", "a.yaml", Pos { line: 0, column: 0 }, "m");
    f.level = Level::Error;
    let a = Annotation::from_finding(&f).expect("file finding");
    assert_eq!((a.start_line, a.end_line), (1, 1));
    assert_eq!(a.annotation_level, AnnotationLevel::Failure);
    assert_eq!(a.title, "alerts/for");
    f.path.clear();
    assert!(Annotation::from_finding(&f).is_none());
}

/// Rule 2 of the audit: a force push after the label, or a head the
/// timeline does not date, refuses it; a label after the head counts.
#[test]
fn label_must_postdate_the_head() {
    use serde_json::json;
    let head = "6dcb09b5b57875f334f61aebed695e2e4193db5e";
    let label = |at: &str| {
        json!({"event": "labeled", "created_at": at,
            "actor": {"login": "octocat"}, "label": {"name": "hotfix", "color": "f29513"}})
    };
    let commit = |sha: &str, at: &str| {
        json!({"event": "committed", "sha": sha,
            "committer": {"name": "M", "email": "m@example.com", "date": at}})
    };
    let force = |sha: &str, at: &str| {
        json!({"event": "head_ref_force_pushed",
            "commit_id": sha, "created_at": at, "actor": {"login": "mallory"}})
    };
    let writer: std::collections::BTreeMap<String, Result<Permission, String>> = [(
        "octocat".to_string(),
        Ok(Permission {
            permission: "admin".into(),
            role_name: Some("admin".into()),
        }),
    )]
    .into();
    let judge = |timeline: Vec<serde_json::Value>| {
        let at = head_arrived_at(&timeline, head);
        judge_label("hotfix", &timeline, head, at.as_ref(), &writer).refused
    };
    // Committed 09:00, labelled 09:10: counts.
    assert_eq!(
        judge(vec![
            commit(head, "2025-05-12T09:00:00Z"),
            label("2025-05-12T09:10:00Z")
        ]),
        None
    );
    // The same head force-pushed again at 09:30 (a rewrite to the same
    // tree, or back and forth): the label predates the push.
    let r = judge(vec![
        commit(head, "2025-05-12T09:00:00Z"),
        label("2025-05-12T09:10:00Z"),
        force(head, "2025-05-12T09:30:00Z"),
    ])
    .unwrap_or_default();
    assert_eq!(
        r,
        "it was applied at 2025-05-12T09:10:00Z, before the current head 6dcb09b was pushed \
             (2025-05-12T09:30:00Z): re-apply the label to grant the exception for this head"
    );
    // A force push to the head the timeline has no commit for.
    assert!(
        judge(vec![
            label("2025-05-12T09:10:00Z"),
            force(head, "2025-05-12T09:05:00Z")
        ])
        .is_none()
    );
    // A head the timeline does not show at all: cannot be dated.
    let r = judge(vec![
        commit(
            "7638417db6d59f3c431d3e1f261cc637155684cd",
            "2025-05-12T09:00:00Z",
        ),
        label("2025-05-12T09:10:00Z"),
    ])
    .unwrap_or_default();
    assert!(
        r.contains("does not show when the current head 6dcb09b was pushed"),
        "{r}"
    );
    // Equal times do not count (not later than the push).
    assert!(
        judge(vec![
            commit(head, "2025-05-12T09:10:00Z"),
            label("2025-05-12T09:10:00Z")
        ])
        .is_some()
    );
    // A deleted account (actor null) and no labeled event at all.
    let ghost = json!({"event": "labeled", "created_at": "2025-05-12T09:20:00Z",
            "actor": null, "label": {"name": "hotfix"}});
    assert_eq!(
        judge(vec![commit(head, "2025-05-12T09:00:00Z"), ghost]).as_deref(),
        Some("it was applied by a deleted account")
    );
    assert!(
        judge(vec![commit(head, "2025-05-12T09:00:00Z")])
            .is_some_and(|r| r.starts_with("no `labeled` event"))
    );
}

#[test]
fn write_access_levels() {
    let p = |permission: &str, role: Option<&str>| Permission {
        permission: permission.into(),
        role_name: role.map(str::to_string),
    };
    assert!(p("admin", Some("admin")).can_write());
    assert!(p("write", Some("maintain")).can_write());
    assert!(p("write", Some("custom-deployer")).can_write());
    assert!(!p("read", Some("triage")).can_write());
    assert!(!p("read", None).can_write());
    assert!(!p("none", None).can_write());
    assert_eq!(p("read", Some("triage")).role(), "triage");
    assert_eq!(p("read", Some("")).role(), "read");
}

#[test]
fn error_display_and_permission() {
    let e = GithubError {
        call: "create check run for a/b".into(),
        status: Some(403),
        message: redact("bad ghp_x", "ghp_x"),
    };
    assert!(e.is_permission());
    assert_eq!(
        e.to_string(),
        "GitHub API: create check run for a/b failed (HTTP 403): bad ***"
    );
    assert_eq!(seg("a b/c"), "a%20b%2Fc");
}
