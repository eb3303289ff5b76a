//! `rollout.secret-env` (rule `rollout/secret-env`): no secret is written
//! as a literal environment variable of a pod template.

use crate::checks::{Context, Sink};
use crate::finding::redact;
use crate::formats::k8s::workloads;
use crate::yaml::Node;
use serde::Deserialize;

fn de_regex<'de, D: serde::Deserializer<'de>>(d: D) -> Result<regex::Regex, D::Error> {
    let s = String::deserialize(d)?;
    regex::RegexBuilder::new(&s)
        .size_limit(1 << 22)
        .build()
        .map_err(serde::de::Error::custom)
}

fn default_secret_names() -> regex::Regex {
    regex::Regex::new(r"(?i)(PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|CREDENTIALS?)")
        .expect("constant regex")
}

fn default_allow_values() -> regex::Regex {
    regex::Regex::new(r"(?i)^(true|false|yes|no|\$\([A-Za-z_][A-Za-z0-9_.-]*\))$")
        .expect("constant regex")
}

/// Parameters of `rollout.secret-env`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct SecretEnv {
    /// Env var names that hold secrets (a regex, searched in the name).
    /// Default `(?i)(PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|CREDENTIALS?)`.
    #[serde(default = "default_secret_names", deserialize_with = "de_regex")]
    pub names: regex::Regex,
    /// Literal values that are not secrets (a regex on the whole value).
    /// Default: booleans (`true`, `false`, `yes`, `no`) and a lone
    /// Kubernetes variable reference such as `$(DB_PASSWORD)`.
    #[serde(default = "default_allow_values", deserialize_with = "de_regex")]
    pub allow_values: regex::Regex,
}

/// Runs `rollout.secret-env`: a container env var whose name looks like a
/// secret has a literal `value:` (non-empty) instead of
/// `valueFrom.secretKeyRef`. Covers containers, init and ephemeral
/// containers of every pod template (Pod, Deployment, StatefulSet,
/// DaemonSet, ReplicaSet, Job, CronJob, Argo Rollout). Finding at the
/// `value:`; the value is never printed: the finding is `sensitive` and its
/// snippet shows the line with the value redacted.
pub fn secret_env(ctx: &Context, p: &SecretEnv, sink: &mut Sink) {
    for w in workloads(&ctx.inventory.objects) {
        if w.referenced_by.is_some() {
            continue;
        }
        let ephemeral = w
            .pod_spec()
            .and_then(|s| s.get("ephemeralContainers"))
            .map_or(&[][..], Node::items);
        for c in w
            .containers()
            .iter()
            .chain(w.init_containers())
            .chain(ephemeral)
        {
            let cname = c
                .get("name")
                .and_then(Node::scalar_text)
                .unwrap_or_else(|| "?".to_string());
            for e in c.get("env").map_or(&[][..], Node::items) {
                let Some(name) = e.get("name").and_then(Node::scalar_text) else {
                    continue;
                };
                let Some(v) = e.get("value") else { continue };
                let Some(value) = v.scalar_text() else {
                    continue;
                };
                if value.trim().is_empty()
                    || !p.names.is_match(&name)
                    || p.allow_values.is_match(value.trim())
                {
                    continue;
                }
                let path = &w.template_obj.path;
                let mut f = sink.finding(
                    path,
                    v.pos,
                    format!(
                        "env `{name}` of container `{cname}` in {} sets a literal value (not shown): a secret in a manifest is readable by everyone with access to the repository or to the workload object — store it in a Secret and use `valueFrom: {{secretKeyRef: {{name: …, key: …}}}}` (or `envFrom` from a Secret that an ExternalSecret or the CSI driver syncs)",
                        w.display_name()
                    ),
                );
                // Never show the raw line: keep what precedes the value.
                let col = usize::try_from(v.pos.column).unwrap_or(1).max(1);
                let before: String = ctx
                    .inventory
                    .line(path, v.pos.line)
                    .map(|l| l.chars().take(col - 1).collect())
                    .unwrap_or_default();
                f.snippet = Some(format!("{before}{}", redact(&value)));
                f.snippet_column = Some(v.pos.column);
                f.sensitive = true;
                if value.chars().count() >= 8 {
                    f.secret_values = vec![value];
                }
                sink.push(f);
            }
        }
    }
}
