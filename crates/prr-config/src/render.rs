//! The `render:` section of prr.yaml: how Helm charts are rendered
//! (`helm template` values, release name, namespace). Kustomize overlays
//! need no settings. The rendering itself is `prr::render`.

use serde::Deserialize;
use std::collections::BTreeMap;

/// The `render:` section of prr.yaml.
///
/// ```yaml
/// render:
///   charts:
///     charts/podinfo:              # the chart folder (holding Chart.yaml)
///       values: [values.yaml, values-prod.yaml]   # relative to the chart folder
///       release: podinfo           # default: the chart folder's name
///       namespace: production      # default: `default`
/// ```
#[derive(Clone, Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RenderConfig {
    /// Per-chart `helm template` settings, keyed by the chart folder
    /// (repository-relative).
    #[serde(default)]
    pub charts: BTreeMap<String, ChartConfig>,
}

/// How one chart is rendered.
#[derive(Clone, Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ChartConfig {
    /// Values files, relative to the chart folder, in `-f` order (default:
    /// none besides the chart's own `values.yaml`, which helm always reads).
    #[serde(default)]
    pub values: Vec<String>,
    /// Release name (default: the chart folder's name).
    #[serde(default)]
    pub release: Option<String>,
    /// Namespace (default: `default`).
    #[serde(default)]
    pub namespace: Option<String>,
}
