//! Helm charts: render each application chart with `helm template` and map
//! the rendered objects back to their template files through the
//! `# Source: <chart>/templates/<file>` comment helm writes before each
//! document (helm's documented `helm template` output format).
//!
//! A chart is a `Chart.yaml` whose chart is not `type: library` and that
//! does not sit in another chart's `charts/` folder (a subchart renders
//! with its parent). Settings per chart come from prr.yaml's
//! `render.charts` ([`super::ChartConfig`]): values files (inside the
//! repository), release name (default: the folder's name), namespace
//! (default `default`). Without `helm` on PATH, each chart gets one
//! `prr/skipped` notice with the number of its templates not checked,
//! instead of one `prr/templated` notice per template file.

use super::{Origin, RenderSource, RenderState, Rendered, SourceKind};
use crate::finding::{Finding, Level};
use crate::formats::k8s::K8sObject;
use crate::inventory::SourceFile;
use crate::yaml::{Node, Pos};
use std::path::Path;
use std::process::Command;

/// One chart of the repository.
struct Chart {
    /// `Chart.yaml`'s path.
    path: String,
    /// The chart folder (`.`-less, may be empty for the root).
    dir: String,
    /// `Chart.yaml`'s `name`.
    name: String,
    /// Template files (`templates/**` YAML, not `_` helpers).
    templates: usize,
}

fn prefix(dir: &str) -> String {
    if dir.is_empty() {
        String::new()
    } else {
        format!("{dir}/")
    }
}

fn charts(files: &[SourceFile]) -> Vec<Chart> {
    let mut out: Vec<Chart> = Vec::new();
    for f in files {
        let (dir, file) = f.path.rsplit_once('/').unwrap_or(("", f.path.as_str()));
        if file != "Chart.yaml" {
            continue;
        }
        let doc = f.docs.first();
        if doc
            .and_then(|d| d.get("type"))
            .and_then(Node::as_str)
            .is_some_and(|t| t == "library")
        {
            continue;
        }
        let name = doc
            .and_then(|d| d.get("name"))
            .and_then(Node::scalar_text)
            .unwrap_or_else(|| dir.rsplit('/').next().unwrap_or(dir).to_string());
        let tpl = format!("{}templates/", prefix(dir));
        let templates = files
            .iter()
            .filter(|t| {
                t.path.starts_with(&tpl) && {
                    let base = t.path.rsplit('/').next().unwrap_or("");
                    !base.starts_with('_')
                        && (base.ends_with(".yaml")
                            || base.ends_with(".yml")
                            || base.ends_with(".json"))
                }
            })
            .count();
        out.push(Chart {
            path: f.path.clone(),
            dir: dir.to_string(),
            name,
            templates,
        });
    }
    // Subcharts (under another chart's `charts/`) render with their parent.
    let parents: Vec<String> = out
        .iter()
        .map(|c| format!("{}charts/", prefix(&c.dir)))
        .collect();
    out.retain(|c| !parents.iter().any(|p| c.dir.starts_with(p.as_str())));
    out
}

/// Renders every chart among `files` (see the module docs).
pub fn render_all(root: &Path, files: &[SourceFile], cfg: &super::RenderConfig) -> Rendered {
    let mut out = Rendered::default();
    let charts = charts(files);
    if charts.is_empty() {
        return out;
    }
    for c in &charts {
        let p = prefix(&c.dir);
        out.covered_files.extend(
            files
                .iter()
                .filter(|f| {
                    f.path.starts_with(&format!("{p}templates/"))
                        || f.path.starts_with(&format!("{p}charts/"))
                })
                .map(|f| f.path.clone()),
        );
    }
    let Some(helm) = super::find_on_path("helm") else {
        for c in &charts {
            unchecked(&mut out, c, None);
        }
        return out;
    };
    let root_canon = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let results = crate::par::map_ordered(&charts, |c| {
        let chart_cfg = cfg.charts.get(&c.dir).cloned().unwrap_or_default();
        let abs_dir = root_canon.join(&c.dir);
        let release = chart_cfg.release.clone().unwrap_or_else(|| {
            let n = c.dir.rsplit('/').next().unwrap_or("");
            if n.is_empty() {
                c.name.clone()
            } else {
                n.to_string()
            }
        });
        // Names come from the repository (a folder, `Chart.yaml`): only a
        // DNS-1123 name, as helm itself requires, ever reaches its command
        // line, and every option is written `--opt=value` before `--`, so
        // nothing the repository names is read as an option
        // (`--post-renderer=sh` as a folder name runs nothing).
        let release = if is_dns1123(&release, 53) {
            release
        } else {
            "release-name".to_string()
        };
        let namespace = chart_cfg
            .namespace
            .as_deref()
            .filter(|n| is_dns1123(n, 63))
            .unwrap_or("default");
        // helm follows symbolic links and reads the whole chart folder: it
        // renders a copy holding the chart's regular files only (no links,
        // no `.git`), so no template can read a file outside the chart.
        let copy = tempfile::tempdir().map_err(|e| format!("no temporary folder: {e}"))?;
        let chart_copy = copy.path().join("chart");
        copy_regular_tree(&abs_dir, &chart_copy, super::MAX_OUTPUT_BYTES)?;
        let mut cmd = Command::new(&helm);
        cmd.arg("template").arg(format!("--namespace={namespace}"));
        for v in &chart_cfg.values {
            let real = std::fs::canonicalize(abs_dir.join(v))
                .map_err(|_| format!("values file `{v}` is not readable"))?;
            if !real.starts_with(&root_canon) || !real.is_file() {
                return Err(format!(
                    "values file `{v}` is outside the repository or not a regular file"
                ));
            }
            let mut arg = std::ffi::OsString::from("--values=");
            arg.push(real.as_os_str());
            cmd.arg(arg);
        }
        cmd.arg("--").arg(&release).arg(&chart_copy);
        cmd.current_dir(copy.path());
        super::run_bounded(cmd, super::TIMEOUT, super::MAX_OUTPUT_BYTES)
            .map_err(|e| super::shorten_error(&e, &root_canon, &root_canon))
    });
    for (c, res) in charts.iter().zip(results) {
        match res {
            Err(e) => unchecked(&mut out, c, Some(&e)),
            Ok(text) => {
                let (objects, problems) = map_back(&text, c, files);
                out.sources
                    .push(source(c, RenderState::Rendered, objects.len()));
                out.objects.extend(objects);
                out.problems.extend(problems);
            }
        }
    }
    out
}

/// Records a chart whose templates go unchecked: its source entry, with no
/// objects, and a finding on line 1 of its `Chart.yaml`. Without `helm`
/// (`error` is `None`): a `prr/skipped` notice, not rendered; when helm
/// failed: a `prr/render` warning with helm's error, failed.
fn unchecked(out: &mut Rendered, c: &Chart, error: Option<&str>) {
    let (name, n) = (&c.name, c.templates);
    let (rule, level, state) = match error {
        None => ("prr/skipped", Level::Notice, RenderState::NotRendered),
        Some(_) => ("prr/render", Level::Warning, RenderState::Failed),
    };
    let message = match error {
        None => format!(
            "Helm chart `{name}` not rendered: no `helm` on PATH, so its {n} template(s) are not checked. Install helm (https://helm.sh/docs/intro/install/) where prr runs to check what the chart deploys (values files, release name and namespace: `render.charts` in prr.yaml)"
        ),
        Some(e) => format!(
            "Helm chart `{name}` does not render, so its {n} template(s) are not checked: {e}"
        ),
    };
    out.problems
        .push(Finding::new(rule, &c.path, Pos::line(1), message).with_level(level));
    out.sources.push(source(c, state, 0));
}

fn source(c: &Chart, state: RenderState, objects: usize) -> RenderSource {
    RenderSource {
        kind: SourceKind::Chart,
        path: c.path.clone(),
        state,
        objects,
        templates: c.templates,
        reaches: Vec::new(),
    }
}

/// Splits helm's output into documents, each with the template file its
/// `# Source:` comment names (mapped into the repository: the chart name
/// prefix replaced by the chart folder), and builds objects positioned in
/// that file.
fn map_back(text: &str, c: &Chart, files: &[SourceFile]) -> (Vec<K8sObject>, Vec<Finding>) {
    let mut objects = Vec::new();
    let mut problems = Vec::new();
    let mut chunks: Vec<(Option<String>, String)> = vec![(None, String::new())];
    for line in text.lines() {
        if line.trim_end() == "---" {
            chunks.push((None, String::new()));
            continue;
        }
        let last = chunks.last_mut().expect("never empty");
        if let Some(src) = line.strip_prefix("# Source: ")
            && last.0.is_none()
        {
            last.0 = Some(src.trim().to_string());
        }
        last.1.push_str(line);
        last.1.push('\n');
    }
    for (src, body) in chunks {
        let Some(src) = src else { continue };
        let rel = src.split_once('/').map_or(src.as_str(), |(_, r)| r);
        let path = format!("{}{rel}", prefix(&c.dir));
        let template = files
            .binary_search_by(|f| f.path.as_str().cmp(&path))
            .ok()
            .and_then(|i| files[i].text.as_deref());
        let docs = match crate::yaml::parse_documents(&body) {
            Ok(d) => d,
            Err(e) => {
                problems.push(
                    Finding::new(
                        "prr/render",
                        &path,
                        Pos::line(1),
                        format!(
                            "Helm chart `{}`: the output of this template does not parse ({}), so it is not checked",
                            c.name, e.message
                        ),
                    )
                    .with_level(Level::Warning),
                );
                continue;
            }
        };
        for mut doc in crate::inventory::flatten(docs) {
            let kind = doc
                .get("kind")
                .and_then(Node::as_str)
                .unwrap_or("")
                .to_string();
            match template {
                Some(t) => {
                    let start = t
                        .lines()
                        .position(|l| {
                            l.trim_start()
                                .strip_prefix("kind:")
                                .is_some_and(|k| k.trim() == kind)
                        })
                        .and_then(|i| u32::try_from(i + 1).ok())
                        .map_or(Pos::line(1), Pos::line);
                    super::transplant_by_text(&mut doc, t, start);
                }
                None => super::positions::set_all(&mut doc, Pos::line(1)),
            }
            if let Some(mut o) = K8sObject::from_node(&path, &doc) {
                o.origin = Some(Origin {
                    via: "chart",
                    sources: vec![if c.dir.is_empty() {
                        ".".into()
                    } else {
                        c.dir.clone()
                    }],
                });
                objects.push(o);
            }
        }
    }
    (objects, problems)
}

/// A DNS-1123 label or subdomain-safe name of at most `max` characters:
/// lowercase letters, digits and `-`, starting and ending with a letter or
/// digit (helm's rule for release names, Kubernetes' for namespaces).
fn is_dns1123(name: &str, max: usize) -> bool {
    let b = name.as_bytes();
    !b.is_empty()
        && b.len() <= max
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
        && b[0] != b'-'
        && b[b.len() - 1] != b'-'
}

/// Copies the regular files under `src` to `dst` (created), skipping
/// symbolic links, `.git` and anything else that is not a file or folder,
/// at most `max` bytes in all. Errors: unreadable files, the size limit.
fn copy_regular_tree(src: &Path, dst: &Path, max: usize) -> Result<(), String> {
    let mut total = 0usize;
    let mut stack = vec![(src.to_path_buf(), dst.to_path_buf())];
    while let Some((from, to)) = stack.pop() {
        std::fs::create_dir_all(&to).map_err(|e| format!("cannot copy the chart: {e}"))?;
        let entries =
            std::fs::read_dir(&from).map_err(|e| format!("cannot read the chart: {e}"))?;
        for e in entries.flatten() {
            let name = e.file_name();
            if name == ".git" {
                continue;
            }
            let Ok(meta) = std::fs::symlink_metadata(e.path()) else {
                continue;
            };
            if meta.is_dir() {
                stack.push((e.path(), to.join(&name)));
            } else if meta.is_file() {
                total = total.saturating_add(usize::try_from(meta.len()).unwrap_or(usize::MAX));
                if total > max {
                    return Err(format!(
                        "chart over {} MiB, not rendered",
                        max / 1024 / 1024
                    ));
                }
                std::fs::copy(e.path(), to.join(&name))
                    .map_err(|e| format!("cannot copy the chart: {e}"))?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod hardening_tests {
    use super::{copy_regular_tree, is_dns1123};

    #[test]
    fn only_dns_names_reach_helms_command_line() {
        for ok in ["web", "podinfo-2", "a"] {
            assert!(is_dns1123(ok, 53), "{ok}");
        }
        for bad in [
            "--post-renderer=sh",
            "-x",
            "Web",
            "a_b",
            "",
            "x-",
            &"a".repeat(54),
        ] {
            assert!(!is_dns1123(bad, 53), "{bad}");
        }
    }

    #[test]
    fn the_chart_copy_leaves_links_and_git_behind() {
        let src = tempfile::tempdir().expect("tmp");
        let s = src.path();
        std::fs::create_dir_all(s.join("templates")).expect("mkdir");
        std::fs::write(s.join("Chart.yaml"), "name: web\n").expect("write");
        std::fs::write(s.join("templates/d.yaml"), "kind: X\n").expect("write");
        std::os::unix::fs::symlink("/etc/hostname", s.join("files")).expect("link");
        std::fs::create_dir_all(s.join(".git")).expect("mkdir");
        std::fs::write(s.join(".git/config"), "secret\n").expect("write");
        let dst = tempfile::tempdir().expect("tmp");
        let d = dst.path().join("c");
        copy_regular_tree(s, &d, 1 << 20).expect("copy");
        assert!(d.join("Chart.yaml").is_file() && d.join("templates/d.yaml").is_file());
        assert!(!d.join("files").exists() && !d.join(".git").exists());
        assert!(copy_regular_tree(s, &dst.path().join("small"), 4).is_err());
    }
}
