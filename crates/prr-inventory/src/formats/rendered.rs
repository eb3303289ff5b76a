//! Where a rendered object came from: the kind of source (kustomize
//! overlay, Helm chart, OpenShift Template, ClusterServiceVersion), whether
//! it rendered, and each object's origin. Data only: [`crate::inventory::render`]
//! produces it, the walk and the Kubernetes model carry it.

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
