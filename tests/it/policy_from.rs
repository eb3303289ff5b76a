//! `--policy-from REF` (issue 7): a pull request cannot weaken the gate that
//! judges it. The policy (prr.yaml, team rules, gitleaks config,
//! .gitleaksignore, baseline) comes from the base ref; edits to it in the
//! change are reported, not applied.

use crate::support;

use crate::support::{prr, write};
use serde_json::Value;

const AWS: &str = "AKIALALEMEL33243OLIA";

fn finding<'a>(v: &'a Value, rule: &str) -> Vec<&'a Value> {
    v["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["rule"] == rule)
        .collect()
}

#[test]
fn a_change_cannot_weaken_its_own_gate() {
    let tmp = tempfile::tempdir().expect("tmp");
    let d = tmp.path();
    support::git(d, &["init", "-q"]);
    write(
        d,
        "app/config.go",
        format!("package app\nconst k = \"{AWS}\"\n"),
    );
    write(d, "prr.yaml", "rules-dir: .prr/rules\n");
    write(
        d,
        ".prr/rules/team-no-todo.yaml",
        "id: team/no-todo\ntitle: No TODO in config\nlevel: error\ncheck: file.contains\nwith:\n  files: [\"app/**\"]\n  pattern: 'TODO'\n  negate: true\nhelp: Resolve TODOs before release.\n",
    );
    write(d, "app/notes.go", "package app\n// TODO remove\n");
    support::git(d, &["add", "."]);
    support::git(d, &["commit", "-q", "-m", "base"]);
    support::git(d, &["branch", "base"]);
    // The change: suppress the secret, baseline it, drop the team rule.
    write(
        d,
        "prr.yaml",
        "rules-dir: .prr/rules\nsuppressions:\n  - rule: secrets/*\n    reason: trust me\n",
    );
    std::fs::remove_file(d.join(".prr/rules/team-no-todo.yaml")).expect("rm");
    write(d, ".gitleaksignore", "app/config.go:aws-access-token:2\n");
    support::git(d, &["commit", "-q", "-am", "weaken the gate"]);
    support::git(d, &["add", "."]);
    support::git(d, &["commit", "-q", "-m", "ignore file"]);

    // Judged by its own policy, the change passes the secret and the rule.
    let (_, v, out) = prr(d, &["check", ".", "-f", "json"]);
    assert!(v.is_object(), "{out}");
    assert!(
        finding(&v, "secrets/aws-access-token")
            .iter()
            .all(|f| f["suppressed"] == true)
    );
    assert!(finding(&v, "team/no-todo").is_empty());

    // Judged by the base policy: the secret counts, the team rule runs.
    let (code, v, out) = prr(d, &["check", ".", "-f", "json", "--policy-from", "base"]);
    assert_eq!(code, 1, "{out}");
    let key = finding(&v, "secrets/aws-access-token");
    assert_eq!(key.len(), 1);
    assert_eq!(key[0]["suppressed"], false);
    assert_eq!(key[0]["path"], "app/config.go");
    let todo = finding(&v, "team/no-todo");
    assert_eq!(todo.len(), 1, "{out}");
    assert_eq!(
        (todo[0]["path"].as_str(), todo[0]["line"].as_u64()),
        (Some("app/notes.go"), Some(2))
    );
    let from = finding(&v, "prr/policy-from");
    assert_eq!(from.len(), 1);
    let msg = from[0]["message"].as_str().unwrap_or_default();
    assert!(msg.starts_with("policy read from base ("), "{msg}");
    assert!(
        msg.contains("prr.yaml") && msg.contains(".prr/rules/ (1 rule file)"),
        "{msg}"
    );
    let mut changed: Vec<&str> = finding(&v, "prr/policy-changed")
        .iter()
        .filter_map(|f| f["path"].as_str())
        .collect();
    changed.sort_unstable();
    assert_eq!(
        changed,
        [
            ".gitleaksignore",
            ".prr/rules/team-no-todo.yaml",
            "prr.yaml"
        ]
    );

    // `prr secrets` takes it too.
    let (code, v, _) = prr(d, &["secrets", ".", "-f", "json", "--policy-from", "base"]);
    assert_eq!(code, 1);
    assert_eq!(
        finding(&v, "secrets/aws-access-token")[0]["suppressed"],
        false
    );

    // An unknown ref is a usage error.
    let (code, _, out) = prr(d, &["check", ".", "--policy-from", "no-such-ref"]);
    assert_eq!(code, 2);
    assert!(
        out.contains("--policy-from: unknown git revision `no-such-ref`"),
        "{out}"
    );
}

/// Issue 17 item 12: a `.gitleaks.toml` whose `[extend] path` names another
/// file of the repository is read at the policy revision with the file it
/// extends (it used to make every `--policy-from` run exit 2); a change to
/// the extended file is reported and not applied; a path leaving the
/// repository is refused (exit 2) without being read.
#[test]
fn gitleaks_extend_path_is_read_from_the_policy_revision() {
    let tmp = tempfile::tempdir().expect("tmp");
    let d = tmp.path();
    support::git(d, &["init", "-q"]);
    write(
        d,
        ".gitleaks.toml",
        "title = \"team\"\n[extend]\npath = \"sec/base.toml\"\n",
    );
    write(
        d,
        "sec/base.toml",
        "[[rules]]\nid = \"team-token\"\ndescription = \"Team token\"\nregex = '''TEAMTOK_[0-9a-f]{16}'''\n",
    );
    write(
        d,
        "app/config.go",
        "package app\nconst t = \"TEAMTOK_0123456789abcdef\"\n",
    );
    support::git(d, &["add", "."]);
    support::git(d, &["commit", "-q", "-m", "base"]);
    support::git(d, &["branch", "base"]);
    // The change empties the extended file's rule list.
    write(d, "sec/base.toml", "title = \"nothing\"\n");
    support::git(d, &["commit", "-q", "-am", "drop the rule"]);

    let (code, v, out) = prr(d, &["secrets", ".", "-f", "json", "--policy-from", "base"]);
    assert_eq!(code, 1, "{out}");
    let hit = finding(&v, "secrets/team-token");
    assert_eq!(hit.len(), 1, "{out}");
    assert_eq!(hit[0]["path"], "app/config.go");
    let from = finding(&v, "prr/policy-from");
    let msg = from[0]["message"].as_str().unwrap_or_default();
    assert!(msg.contains(".gitleaks.toml, sec/base.toml"), "{msg}");
    let changed: Vec<&str> = finding(&v, "prr/policy-changed")
        .iter()
        .filter_map(|f| f["path"].as_str())
        .collect();
    assert_eq!(changed, ["sec/base.toml"], "{out}");

    // Judged by its own policy the rule is gone.
    let (code, v, out) = prr(d, &["secrets", ".", "-f", "json"]);
    assert_eq!(code, 0, "{out}");
    assert!(finding(&v, "secrets/team-token").is_empty());

    // A revision whose `[extend] path` climbs out of the repository is a
    // configuration error at that revision, and nothing outside is read.
    write(
        d,
        ".gitleaks.toml",
        "[extend]\npath = \"../outside.toml\"\n",
    );
    support::git(d, &["commit", "-q", "-am", "climb"]);
    support::git(d, &["branch", "climbing"]);
    let (code, _, out) = prr(d, &["secrets", ".", "--policy-from", "climbing"]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("[extend] path `../outside.toml`"), "{out}");
}
