//! Security regressions (issue 17, items 5, 10, 11, 12 and the block-scalar
//! directive), replayed through the `prr` binary: a pull request's files
//! cannot make prr write outside the checkout, read without bound, panic,
//! send or print credentials from a URL, move a provider's request path, or
//! suppress a finding with a comment that is really data.

use crate::support::{prr_command, write};
use std::path::Path;
use std::process::{Command, Output};

fn prr(args: &[&str], cwd: &Path) -> Output {
    prr_command(cwd, args)
        .env("PRR_TEST_CANARY", "canary-7Hq2-not-for-logs")
        .output()
        .expect("run prr")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A small repository that passes: one Deployment-free service folder.
fn repo() -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "README.md", "# svc\n");
    d
}

#[cfg(unix)]
#[test]
fn a_committed_report_symlink_is_not_written_through() {
    let outside = tempfile::tempdir().unwrap();
    let victim = outside.path().join("bashrc");
    std::fs::write(&victim, "keep me\n").unwrap();
    let d = repo();
    std::os::unix::fs::symlink(&victim, d.path().join("prr-report.json")).unwrap();
    let o = prr(
        &[
            "check",
            ".",
            "--format",
            "json",
            "--output",
            "prr-report.json",
        ],
        d.path(),
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("symbolic link"), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep me\n");
}

#[cfg(unix)]
#[test]
fn a_symlinked_baseline_folder_is_not_written_through() {
    let outside = tempfile::tempdir().unwrap();
    let d = repo();
    std::os::unix::fs::symlink(outside.path(), d.path().join(".prr")).unwrap();
    let o = prr(&["baseline", "."], d.path());
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("symbolic link"), "{}", stderr(&o));
    assert!(
        std::fs::read_dir(outside.path()).unwrap().next().is_none(),
        "nothing may land outside the checkout"
    );
    // must fire the other way: a plain folder is written.
    std::fs::remove_file(d.path().join(".prr")).unwrap();
    let o = prr(&["baseline", "."], d.path());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(d.path().join(".prr/baseline.json").is_file());
}

#[cfg(unix)]
#[test]
fn init_force_does_not_write_through_a_symlinked_config() {
    let outside = tempfile::tempdir().unwrap();
    let victim = outside.path().join("prr.yaml");
    std::fs::write(&victim, "keep: me\n").unwrap();
    let d = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(&victim, d.path().join("prr.yaml")).unwrap();
    let o = prr(&["init", ".", "--service", "web", "--force"], d.path());
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep: me\n");
}

#[test]
fn an_out_of_range_duration_is_exit_2_not_a_panic() {
    let d = repo();
    write(
        d.path(),
        "prr.yaml",
        "budget:\n  timeout: 99999999999999999999h\n  providers:\n    snap: { type: file, path: budget.json }\n",
    );
    for cmd in [&["config", "."][..], &["check", "."][..]] {
        let o = prr(cmd, d.path());
        assert_eq!(o.status.code(), Some(2), "{cmd:?}: {}", stderr(&o));
        assert!(stderr(&o).contains("budget.timeout"), "{}", stderr(&o));
        assert!(
            stderr(&o).contains("prr.yaml:2:3:"),
            "at its line: {}",
            stderr(&o)
        );
        assert!(!stderr(&o).contains("panicked"), "{}", stderr(&o));
    }
}

#[cfg(target_os = "linux")]
#[test]
fn policy_files_pointing_at_devices_or_procfs_are_refused_quickly() {
    // prr.yaml -> /dev/zero: exit 2 (it was silently ignored).
    let d = repo();
    std::os::unix::fs::symlink("/dev/zero", d.path().join("prr.yaml")).unwrap();
    let started = std::time::Instant::now();
    let o = prr(&["check", "."], d.path());
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(started.elapsed().as_secs() < 30);

    // extends: a procfs file: refused without quoting it (the environment
    // holds the runner's tokens).
    let d = repo();
    write(d.path(), "prr.yaml", "extends: [/proc/self/environ]\n");
    let o = prr(&["check", "."], d.path());
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(!stderr(&o).contains("canary-7Hq2"), "{}", stderr(&o));

    // ... also through an in-repository link with a .yaml name.
    let d = repo();
    std::os::unix::fs::symlink("/proc/self/environ", d.path().join("org.yaml")).unwrap();
    write(d.path(), "prr.yaml", "extends: [./org.yaml]\n");
    let o = prr(&["check", "."], d.path());
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(!err.contains("canary-7Hq2"), "{err}");
    assert!(!err.contains("PRR_TEST_CANARY"), "{err}");

    // The baseline pointing at procfs (size 0, endless): cut at its limit.
    let d = repo();
    std::fs::create_dir_all(d.path().join(".prr")).unwrap();
    std::os::unix::fs::symlink("/dev/zero", d.path().join(".prr/baseline.json")).unwrap();
    let o = prr(&["check", "."], d.path());
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("not a regular file"), "{}", stderr(&o));
}

#[test]
fn provider_urls_never_carry_credentials() {
    for kind in [
        "{ type: http-json, url: \"https://bob:hunter2-secret@slo.example/{service}\", value: /r, unit: ratio }",
        "{ type: slo-generator, url: \"https://bob:hunter2-secret@slo.example/{service}\" }",
        "{ type: dynatrace, url: \"https://bob:hunter2-secret@dt.example\", token-env: DT_TOKEN }",
        "{ type: nobl9, url: \"https://bob:hunter2-secret@nobl9.example\", token-env: N9_TOKEN }",
    ] {
        let d = repo();
        write(
            d.path(),
            "prr.yaml",
            format!("budget:\n  providers:\n    api: {kind}\n"),
        );
        let o = prr(&["check", "."], d.path());
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{kind}: {err}");
        assert!(err.contains("must not hold credentials"), "{kind}: {err}");
        assert!(!err.contains("hunter2"), "{kind}: {err}");
    }
}

#[test]
fn a_yaml_block_scalar_cannot_hold_a_suppression() {
    // must fire: the directive line is the ConfigMap's data, not a comment.
    let d = repo();
    let key = "AKIALALEMEL33243OLIA";
    write(
        d.path(),
        "deploy/config.yaml",
        format!(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\ndata:\n  notes: |\n    # prr:ignore-file secrets/* -- pasted from a wiki\n    aws_access_key_id = {key}\n"
        ),
    );
    let o = prr(&["secrets", ".", "--format", "json"], d.path());
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("secrets/"), "{out}");
    assert!(!out.contains(key), "never the raw key");

    // must not fire: the same directive as a real comment suppresses.
    write(
        d.path(),
        "deploy/config.yaml",
        format!(
            "# prr:ignore-file secrets/* -- a documented test key\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\ndata:\n  notes: |\n    aws_access_key_id = {key}\n"
        ),
    );
    let o = prr(&["secrets", ".", "--format", "json"], d.path());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[cfg(target_os = "linux")]
#[test]
fn an_untracked_link_to_a_device_is_reported_not_read_under_changed_since() {
    let d = repo();
    let git = |args: &[&str]| {
        let o = Command::new("git")
            .args([
                "-c",
                "user.name=prr test",
                "-c",
                "user.email=prr@example.invalid",
                "-c",
                "commit.gpgsign=false",
            ])
            .args(args)
            .current_dir(d.path())
            .env_remove("GIT_DIR")
            .env_remove("GIT_WORK_TREE")
            .output()
            .expect("git");
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    };
    git(&["init", "-q", "-b", "main"]);
    git(&["add", "."]);
    git(&["commit", "-qm", "base"]);
    std::os::unix::fs::symlink("/dev/zero", d.path().join("z.yaml")).unwrap();
    for cmd in ["check", "secrets"] {
        let started = std::time::Instant::now();
        let o = prr(
            &[cmd, ".", "--changed-since", "main", "-f", "json"],
            d.path(),
        );
        assert!(
            started.elapsed().as_secs() < 30,
            "{cmd}: never an endless read"
        );
        assert_eq!(o.status.code(), Some(0), "{cmd}: {}", stderr(&o));
        let r: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
        let skipped = r["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["rule"] == "prr/skipped" && f["path"] == "z.yaml");
        assert!(skipped, "{cmd}: the link is reported, not swallowed: {r:#}");
    }
}

#[test]
fn an_slo_named_dot_dot_cannot_move_the_request_path() {
    // Nothing listens on port 9: were the request sent, the reading would
    // fail as unreachable; the path check refuses it before any request.
    let d = repo();
    write(
        d.path(),
        "prr.yaml",
        "services:\n  - name: pay\n    budget: { slos: [{ name: \"..\" }] }\nbudget:\n  retries: 0\n  timeout: 2s\n  providers:\n    api: { type: http-json, url: \"http://127.0.0.1:9/api/{service}/{slo}/status\", value: /remaining, unit: ratio }\n",
    );
    let o = prr(&["check", ".", "-f", "json"], d.path());
    let r: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    let entry = &r["budget"][0];
    assert_eq!(entry["state"], "unknown", "{entry:#}");
    let err = entry["error"].as_str().unwrap_or_default();
    assert!(err.contains("cannot name an SLO"), "{entry:#}");
    assert_eq!(o.status.code(), Some(1), "unknown fails closed by default");
}

#[cfg(unix)]
#[test]
fn policy_files_linked_out_of_the_repository_are_never_read() {
    let outside = tempfile::tempdir().unwrap();
    let creds = outside.path().join("credentials");
    std::fs::write(&creds, "https://bob:canary-7Hq2-password@git.example\n").unwrap();
    // A team rule file linked to a credentials file.
    let d = repo();
    write(d.path(), "prr.yaml", "rules-dir: team\n");
    std::fs::create_dir_all(d.path().join("team")).unwrap();
    std::os::unix::fs::symlink(&creds, d.path().join("team/x.yaml")).unwrap();
    let o = prr(&["check", "."], d.path());
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("symbolic link"), "{}", stderr(&o));
    assert!(!stderr(&o).contains("canary-7Hq2"), "{}", stderr(&o));
    // .gitleaks.toml linked out of the repository.
    let d = repo();
    std::os::unix::fs::symlink(&creds, d.path().join(".gitleaks.toml")).unwrap();
    let o = prr(&["secrets", "."], d.path());
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(!stderr(&o).contains("canary-7Hq2"), "{}", stderr(&o));
    // must not fire: a team rule file that is a plain file is read.
    let d = repo();
    write(d.path(), "prr.yaml", "rules-dir: team\n");
    write(
        d.path(),
        "team/x.yaml",
        "id: team/no-host-network\ntitle: t\nlevel: error\ncheck: yaml.assert\nwith:\n  select: { kind: Deployment }\n  path: \"$.spec.template.spec.hostNetwork\"\n  assert: absent\nhelp: h\n",
    );
    let o = prr(&["rules", "."], d.path());
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(out.contains("team/no-host-network"), "{out}");
}
