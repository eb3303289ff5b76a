//! Rendering what a repository deploys: kustomize overlays and Helm charts
//! are built with the real tools (`kustomize build` / `kubectl kustomize`,
//! `helm template`) and the rendered objects are checked instead of their
//! loose source files; findings point back at the source file and line.
//!
//! What is rendered, and what is not:
//! - [`kustomize`]: every *root* kustomization (a `Kustomization` that no
//!   other kustomization of the repository names in `resources`/`bases`/
//!   `components`). Objects of files that a rendered root reads are checked
//!   through the render only (never also as loose files); a root that fails
//!   to render leaves its files checked loose, as before, plus a
//!   `prr/render` finding at the kustomization.
//! - [`helm`]: every application chart (`Chart.yaml` not of `type: library`
//!   and not inside another chart's `charts/` folder).
//! - OpenShift Templates and OLM ClusterServiceVersions are read in process
//!   ([`crate::formats::k8s::openshift`]), not rendered by a tool.
//!
//! Security: the tools run on pull-request content. kustomize runs without
//! plugins or exec functions (no `--enable-alpha-plugins`, no
//! `--enable-exec`, no `--enable-helm`), with `--load-restrictor
//! LoadRestrictionsRootOnly`; a remote base or resource (a URL, `git@…`,
//! `github.com/…`), or one outside the repository, is refused before
//! running (a `prr/render` finding), and
//! every tool runs with an unreachable proxy (`HTTP(S)_PROXY`,
//! `ALL_PROXY` = `http://127.0.0.1:9`) and `GIT_ALLOW_PROTOCOL=none`, so a
//! fetch that slips through fails instead of reaching the network. Each
//! run has a timeout ([`TIMEOUT`]) and a bound on its output
//! ([`MAX_OUTPUT_BYTES`]); a tool never writes into the repository (the
//! wrapper kustomization lives in a temporary folder).
//!
//! Renders happen only in a full scan of a folder on disk: a
//! `--changed-since` / `--staged` scope reads files one by one, and loose
//! files are checked as before.

pub mod helm;
pub mod kustomize;
pub mod merge;
mod positions;

pub use merge::merge_overlay_findings;
pub use positions::{transplant, transplant_by_text};

pub use prr_config::render::{ChartConfig, RenderConfig};
use std::collections::BTreeSet;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Longest one render may run.
pub const TIMEOUT: Duration = Duration::from_secs(30);

/// Most bytes of output read from one render; a render that prints more is
/// stopped and reported.
pub const MAX_OUTPUT_BYTES: usize = 64 * 1024 * 1024;

/// What a render source is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SourceKind {
    /// A root kustomization (an overlay).
    Kustomization,
    /// A Helm chart.
    Chart,
    /// An OpenShift `Template`.
    OpenshiftTemplate,
    /// An OLM `ClusterServiceVersion`.
    ClusterServiceVersion,
}

/// Whether a render source was rendered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RenderState {
    /// Rendered (or read in process); its objects were checked.
    Rendered,
    /// The render failed (a `prr/render` finding says why).
    Failed,
    /// Not rendered: no tool on PATH (a `prr/skipped` notice says how).
    NotRendered,
}

/// One kustomization root, chart, OpenShift Template or CSV, for the
/// coverage table.
#[derive(Clone, Debug, serde::Serialize)]
pub struct RenderSource {
    /// What it is.
    pub kind: SourceKind,
    /// Its file (the kustomization, `Chart.yaml`, the Template's or CSV's
    /// manifest), repository-relative.
    pub path: String,
    /// Rendered, failed or not rendered.
    pub state: RenderState,
    /// Objects it produced that the checks saw (after merging objects
    /// identical across overlays, each counts for every source it came from).
    pub objects: usize,
    /// Template files a chart holds (0 for other kinds).
    pub templates: usize,
    /// The folders (repository-relative, `""` for the root) of the
    /// kustomizations a root reaches, itself included: when it is not
    /// rendered, the files there are checked loose and still deploy through
    /// it (see `prr_checks::suppress::environment`). Empty for other kinds.
    #[serde(skip)]
    pub reaches: Vec<String>,
}

/// How a rendered object came about: the overlays (or charts) that render
/// it identically.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Origin {
    /// `overlay` or `chart`.
    pub via: &'static str,
    /// Repository-relative folders of the overlays / charts.
    pub sources: Vec<String>,
}

impl Origin {
    /// ` (overlay a)`, ` (overlays a, b)`, for messages.
    pub fn describe(&self) -> String {
        let plural = if self.sources.len() > 1 { "s" } else { "" };
        format!(" ({}{plural} {})", self.via, self.sources.join(", "))
    }
}

/// What a renderer produced.
#[derive(Debug, Default)]
pub struct Rendered {
    /// The rendered objects, positions in their source files.
    pub objects: Vec<crate::formats::k8s::K8sObject>,
    /// `prr/render` findings and `prr/skipped` notices.
    pub problems: Vec<crate::finding::Finding>,
    /// One entry per root kustomization / chart.
    pub sources: Vec<RenderSource>,
    /// Files whose objects are checked through a render (not loose), and
    /// whose per-file notices (patches, templated) the render replaces.
    pub covered_files: BTreeSet<String>,
    /// Kustomizations reached by a rendered root (their patch notices are moot).
    pub covered_kustomizations: BTreeSet<String>,
}

/// Renders the overlays and charts of `inv` and puts the result in it:
/// rendered objects replace the loose objects of the files they cover
/// (and the patch / templated notices of those files), render problems
/// and coverage entries are added. PrometheusRules and SLOs in a render
/// stay read from their files (they are read there already).
pub fn apply(inv: &mut crate::inventory::Inventory, cfg: &RenderConfig) {
    let parts = [
        kustomize::render_all(&inv.root, &inv.files),
        helm::render_all(&inv.root, &inv.files, cfg),
    ];
    for r in parts {
        inv.objects.retain(|o| !r.covered_files.contains(&o.path));
        inv.problems.retain(|p| {
            let moot_patch_note = p.rule == "prr/skipped"
                && (r.covered_kustomizations.contains(&p.path)
                    || (r.covered_files.contains(&p.path)
                        && p.message.contains("strategic-merge")));
            let moot_templated = p.rule == "prr/templated" && r.covered_files.contains(&p.path);
            !moot_patch_note && !moot_templated
        });
        inv.objects.extend(r.objects.into_iter().filter(|o| {
            !crate::formats::prometheus_rules::is_prometheus_rule_object(&o.node)
                && crate::formats::slo::classify(&o.node).is_none()
        }));
        inv.problems.extend(r.problems);
        inv.renders.extend(r.sources);
    }
}

/// Where `name` is on PATH, as an executable regular file.
pub fn find_on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .filter(|d| d.is_absolute())
        .map(|d| d.join(name))
        .find(|p| {
            use std::os::unix::fs::PermissionsExt;
            std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        })
}

/// Runs `cmd` with the network closed (see the module docs), at most
/// `timeout`, reading at most `max` bytes of standard output. Returns the
/// output, or an error naming the tool's complaint (the last lines of its
/// standard error), the timeout, or the size limit.
///
/// The tool gets a cleared environment — `PATH`, a throw-away `HOME` and
/// Helm/XDG folders inside it, and the proxy and git settings that close
/// the network — so no credential of prr's environment (`GITHUB_TOKEN`,
/// `AWS_*`, provider headers) reaches it. It runs in its own process group,
/// and the whole group is killed at the timeout, so a helper process that
/// inherited the output pipe cannot hold the run past it.
pub fn run_bounded(mut cmd: Command, timeout: Duration, max: usize) -> Result<String, String> {
    use std::os::unix::process::CommandExt;
    let home = tempfile::tempdir().map_err(|e| format!("no temporary folder: {e}"))?;
    let path = std::env::var_os("PATH").unwrap_or_default();
    cmd.env_clear().env("PATH", path).env("HOME", home.path());
    for (var, sub) in [
        ("XDG_CACHE_HOME", "cache"),
        ("XDG_CONFIG_HOME", "config"),
        ("XDG_DATA_HOME", "data"),
        ("HELM_CACHE_HOME", "helm/cache"),
        ("HELM_CONFIG_HOME", "helm/config"),
        ("HELM_DATA_HOME", "helm/data"),
    ] {
        cmd.env(var, home.path().join(sub));
    }
    for v in [
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
        "http_proxy",
        "https_proxy",
        "all_proxy",
    ] {
        cmd.env(v, "http://127.0.0.1:9");
    }
    cmd.env("GIT_ALLOW_PROTOCOL", "none")
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("KUSTOMIZE_PLUGIN_HOME", "/nonexistent")
        .env("HELM_PLUGINS", "/nonexistent")
        .process_group(0)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().map_err(|e| format!("cannot run: {e}"))?;
    let group = i32::try_from(child.id()).unwrap_or(0);
    let mut stdout = child.stdout.take().ok_or("no output pipe")?;
    let mut stderr = child.stderr.take().ok_or("no error pipe")?;
    let (out_tx, out_rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut buf = Vec::new();
        let n = (&mut stdout)
            .take(max as u64 + 1)
            .read_to_end(&mut buf)
            .unwrap_or(0);
        let _ = out_tx.send((buf, n > max));
    });
    let (err_tx, err_rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = (&mut stderr).take(64 * 1024).read_to_end(&mut buf);
        let _ = err_tx.send(buf);
    });
    let kill_group = |child: &mut std::process::Child| {
        if group > 0 {
            // SAFETY: kill(2) with a negative pid signals the process group
            // the child leads (created by `process_group(0)`); no memory is
            // touched.
            unsafe {
                libc::kill(-group, libc::SIGKILL);
            }
        }
        let _ = child.kill();
        let _ = child.wait();
    };
    let start = Instant::now();
    // The reader stops after `max + 1` bytes and closes the pipe, so a
    // tool printing more ends (broken pipe) instead of blocking.
    let status = loop {
        match child.try_wait() {
            Ok(Some(s)) => break Some(s),
            Ok(None) if start.elapsed() < timeout => {
                std::thread::sleep(Duration::from_millis(5));
            }
            _ => break None,
        }
    };
    if status.is_none() {
        kill_group(&mut child);
    }
    // The readers end when every holder of the pipes has exited; a process
    // that left the group could keep them open, so the wait is bounded.
    let grace = Duration::from_secs(2);
    let Ok((buf, over)) = out_rx.recv_timeout(grace) else {
        kill_group(&mut child);
        return Err(
            "its output did not end after the tool exited (a helper process held it)".into(),
        );
    };
    let errtext =
        String::from_utf8_lossy(&err_rx.recv_timeout(grace).unwrap_or_default()).into_owned();
    if over {
        kill_group(&mut child);
        return Err(format!("output over {} MiB, stopped", max / 1024 / 1024));
    }
    let Some(status) = status else {
        return Err(format!("stopped after {} s (timeout)", timeout.as_secs()));
    };
    if !status.success() {
        return Err(last_error(&errtext));
    }
    String::from_utf8(buf).map_err(|_| "output is not UTF-8".to_string())
}

/// The useful part of a tool's standard error: the last non-empty line,
/// without the `E1202 …run.go:72] "command failed" err=` prefix kubectl
/// adds and without helm's `Error: ` prefix.
fn last_error(stderr: &str) -> String {
    let line = stderr
        .lines()
        .rev()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with("# Warning"))
        .unwrap_or("failed without a message");
    let line = line.split_once(" err=").map_or(line, |(_, e)| e);
    let line = line.strip_prefix("Error: ").unwrap_or(line);
    let line = line.trim_matches('"');
    // A template's own message (`fail`, `required`) is the repository's
    // text, which may quote any file the chart can read: say where it
    // failed, never what it printed.
    if let Some(i) = line.find("execution error at (") {
        let rest = &line[i..];
        let end = rest.find("):").map_or(rest.len(), |e| e + 1);
        return format!("{} (the template's own message is not shown)", &rest[..end]);
    }
    line.to_string()
}

/// A tool's error made readable: absolute paths under `root` and the
/// wrapper folder's `../../…` spelling of them become repository-relative,
/// and of a long nested error (kustomize wraps each level) the last 300
/// characters are kept: the innermost cause.
pub fn shorten_error(e: &str, root: &Path, wrapper: &Path) -> String {
    let root_s = format!("{}/", root.to_string_lossy());
    let via = format!("{}/", relative_from(wrapper, root));
    let e = e.replace(&via, "").replace(&root_s, "");
    let n = e.chars().count();
    if n <= 300 {
        return e;
    }
    let tail: String = e.chars().skip(n - 300).collect();
    format!("…{tail}")
}

/// `path` relative to `root` when it lies inside it (lexically, after
/// removing `.` and `..`), `/`-separated.
pub fn inside(root: &Path, path: &Path) -> Option<String> {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => out.push(other.as_os_str()),
        }
    }
    let rel = out.strip_prefix(root).ok()?;
    Some(crate::inventory::rel_path(rel, Path::new("")))
}

/// A relative path from the folder `from` to `to` (both absolute), made of
/// `..` up to `/` and then `to`: what a wrapper kustomization in a
/// temporary folder writes to reach an overlay (kustomize refuses absolute
/// resource paths).
pub fn relative_from(from: &Path, to: &Path) -> String {
    let ups = from.components().count().saturating_sub(1);
    let mut s = "../".repeat(ups);
    s.push_str(to.to_string_lossy().trim_start_matches('/'));
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounded_run_reports_failure_timeout_and_size() {
        let mut c = Command::new("sh");
        c.args([
            "-c",
            "echo hi; echo 'E1 run.go:72] \"command failed\" err=\"boom\"' >&2; exit 3",
        ]);
        assert_eq!(run_bounded(c, TIMEOUT, 1024).unwrap_err(), "boom");
        let mut c = Command::new("sh");
        c.args(["-c", "sleep 5"]);
        let e = run_bounded(c, Duration::from_millis(200), 1024).unwrap_err();
        assert!(e.contains("timeout"), "{e}");
        let mut c = Command::new("sh");
        c.args(["-c", "yes | head -c 100000"]);
        let e = run_bounded(c, TIMEOUT, 1024).unwrap_err();
        assert!(e.contains("output over"), "{e}");
        let mut c = Command::new("sh");
        c.args(["-c", "printf ok; echo \"$HTTPS_PROXY\" >&2"]);
        assert_eq!(run_bounded(c, TIMEOUT, 1024).unwrap(), "ok");
    }

    #[test]
    fn paths() {
        assert_eq!(
            relative_from(Path::new("/tmp/x"), Path::new("/work/r/o")),
            "../../work/r/o"
        );
        assert_eq!(
            inside(Path::new("/r"), Path::new("/tmp/x/../../r/a/b.yaml")).as_deref(),
            Some("a/b.yaml")
        );
        assert_eq!(inside(Path::new("/r"), Path::new("/etc/passwd")), None);
    }
}

/// Measurement aid (issue 13's closing note): for every folder under
/// `PRR_REAL_REPOS`, prints the workloads (pod owners) checked without
/// rendering and without Templates/CSVs (as before issue 13), and with them,
/// plus the coverage entries. `cargo test --lib render::measure -- --ignored --nocapture`.
#[cfg(test)]
mod measure {
    #[test]
    #[ignore = "measurement on ../shared/fixtures/real-repos (set PRR_REAL_REPOS)"]
    fn measure() {
        let Ok(dir) = std::env::var("PRR_REAL_REPOS") else {
            return;
        };
        let mut repos: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.is_dir())
            .collect();
        repos.sort();
        for r in repos {
            let cfg = crate::config::Config::default_for(&r);
            let after = crate::inventory::scan(&r, &cfg).unwrap();
            let all: std::collections::BTreeSet<String> =
                after.files.iter().map(|f| f.path.clone()).collect();
            let opts = crate::inventory::ScanOptions {
                secrets: None,
                only: Some(&all),
            };
            let loose = crate::inventory::scan_with(&r, &cfg, &opts).unwrap();
            let in_process: std::collections::BTreeSet<&str> =
                loose.renders.iter().map(|s| s.path.as_str()).collect();
            let before = loose
                .objects
                .iter()
                .filter(|o| o.is_pod_owner() && !in_process.contains(o.path.as_str()))
                .count();
            let count = |inv: &crate::inventory::Inventory| {
                inv.objects.iter().filter(|o| o.is_pod_owner()).count()
            };
            let rendered = after
                .objects
                .iter()
                .filter(|o| o.is_pod_owner() && o.origin.is_some())
                .count();
            let mut states = std::collections::BTreeMap::new();
            for s in &after.renders {
                *states
                    .entry(format!("{:?}/{:?}", s.kind, s.state))
                    .or_insert(0usize) += 1;
            }
            println!(
                "{}\tbefore={before}\tafter={}\t(rendered {rendered}, in templates/CSVs {})\t{states:?}",
                r.file_name().unwrap().to_string_lossy(),
                count(&after),
                count(&loose) - before,
            );
        }
    }
}
