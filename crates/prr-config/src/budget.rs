//! The `budget:` section of prr.yaml and the per-service `budget:` block.
//!
//! ```yaml
//! budget:
//!   default-provider: prom
//!   on-error: fail-closed        # or fail-open: what an unreadable budget means
//!   timeout: 10s                 # per request
//!   retries: 2                   # after the first attempt (5xx, 429, connection errors)
//!   providers:
//!     prom:
//!       type: prometheus
//!       url: http://prometheus.monitoring:9090
//!       auth: { bearer-env: PROM_TOKEN }
//!     dd:
//!       type: datadog
//!       site: datadoghq.eu
//!       api-key-env: DD_API_KEY
//!       app-key-env: DD_APP_KEY
//!   policy: { … }                # see budget::policy
//! services:
//!   - name: checkout
//!     budget:
//!       provider: dd
//!       on-error: fail-open
//!       slos: [{ name: availability, id: "abc123def456" }]
//! ```
//!
//! Credentials are never written in the file: only the names of the
//! environment variables that hold them (`*-env` keys).

pub use prr_core::budget::OnError;

use crate::policy::PolicyConfig;
use serde::Deserialize;
use std::collections::BTreeMap;

/// Provider types.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Deserialize, serde::Serialize, schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum ProviderKind {
    /// Prometheus HTTP API (Sloth/Pyrra/Grafana SLO recording rules, or computed from SLI queries).
    Prometheus,
    /// Any JSON endpoint.
    HttpJson,
    /// Datadog SLO API (v1 history or v2 status).
    Datadog,
    /// Dynatrace SLO API v2.
    Dynatrace,
    /// Nobl9 SLO status API v2.
    Nobl9,
    /// Google slo-generator API.
    SloGenerator,
    /// A JSON snapshot of readings on disk.
    File,
}

/// Unit of a value read by `http-json`.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Deserialize, serde::Serialize, schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Unit {
    /// Remaining budget as a ratio (1.0 = untouched).
    Ratio,
    /// Remaining budget in percent (100 = untouched).
    Percent,
    /// Consumed budget in percent (0 = untouched).
    ConsumedPercent,
    /// Consumed budget as a ratio (0 = untouched).
    ConsumedRatio,
}

/// Credentials, by environment variable name.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct AuthConfig {
    /// Variable holding a bearer token (`Authorization: Bearer …`).
    #[serde(default)]
    pub bearer_env: Option<String>,
    /// Variable holding the basic-auth user.
    #[serde(default)]
    pub basic_user_env: Option<String>,
    /// Variable holding the basic-auth password.
    #[serde(default)]
    pub basic_password_env: Option<String>,
    /// Prometheus: AWS Signature Version 4 (Amazon Managed Service for
    /// Prometheus), keys from `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`,
    /// `AWS_SESSION_TOKEN`.
    #[serde(default)]
    pub sigv4: Option<SigV4Config>,
}

/// `auth.sigv4`: the signing scope.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct SigV4Config {
    /// AWS region of the workspace (`eu-west-1`).
    pub region: String,
    /// Signing service name; default `aps`.
    #[serde(default)]
    pub service: Option<String>,
}

/// One provider. Which keys apply depends on `type`; the provider's
/// constructor reports keys that are missing for its type.
#[derive(Clone, Debug, PartialEq, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ProviderConfig {
    /// Provider type.
    #[serde(rename = "type")]
    pub kind: ProviderKind,
    /// Base URL (Prometheus, Dynatrace, Nobl9, slo-generator) or URL
    /// template with `{service}`, `{slo}`, `{id}` (http-json).
    #[serde(default)]
    pub url: Option<String>,
    /// Prometheus: `sloth`, `pyrra`, `grafana` (recording rules) or `compute`
    /// (from the SLO file's SLI queries); default: by the SLO's format.
    #[serde(default)]
    pub mode: Option<String>,
    /// Credentials by environment variable.
    #[serde(default)]
    pub auth: Option<AuthConfig>,
    /// Extra headers: header name → NAME of the environment variable
    /// holding its value (`headers: { X-Scope-OrgID: MIMIR_TENANT }`; also
    /// spelled `headers-env`). Values are never written in the file nor printed.
    #[serde(default, alias = "headers")]
    pub headers_env: BTreeMap<String, String>,
    /// Prometheus: the backend behind the Prometheus HTTP API —
    /// `prometheus` (default), `thanos` (sends `partial_response=false`),
    /// `mimir` (path prefix `/prometheus`) or `victoriametrics`; see
    /// docs/budget-backends.md.
    #[serde(default)]
    pub flavor: Option<String>,
    /// Prometheus: a path between the URL's host and `/api/v1/…`
    /// (`/prometheus` for Mimir, `/select/0/prometheus` for a
    /// VictoriaMetrics cluster); default: the flavor's.
    #[serde(default)]
    pub path_prefix: Option<String>,
    /// http-json: JSON pointer (`/remaining_percent`) or JSONPath (`$.…`) of the budget value.
    #[serde(default)]
    pub value: Option<String>,
    /// http-json: unit of `value`.
    #[serde(default)]
    pub unit: Option<Unit>,
    /// http-json: pointer/path of a burn rate (1.0 = on budget), optional.
    #[serde(default)]
    pub burn_rate: Option<String>,
    /// http-json: pointer/path of the timestamp (Unix seconds or RFC 3339), optional.
    #[serde(default)]
    pub as_of: Option<String>,
    /// http-json: pointer/path of the event count, optional.
    #[serde(default)]
    pub events: Option<String>,
    /// Datadog site (`datadoghq.com`, `datadoghq.eu`, `us5.datadoghq.com`, …).
    #[serde(default)]
    pub site: Option<String>,
    /// Datadog API: `v1` (SLO history) or `v2` (SLO status).
    #[serde(default)]
    pub api: Option<String>,
    /// Datadog: variable holding the API key.
    #[serde(default)]
    pub api_key_env: Option<String>,
    /// Datadog: variable holding the application key.
    #[serde(default)]
    pub app_key_env: Option<String>,
    /// Dynatrace / Nobl9: variable holding the API token.
    #[serde(default)]
    pub token_env: Option<String>,
    /// Nobl9 organisation / project, Dynatrace environment, as the API needs.
    #[serde(default)]
    pub project: Option<String>,
    /// `file`: path of the JSON snapshot (relative to the repository root).
    #[serde(default)]
    pub path: Option<String>,
    /// Prometheus: evaluate instant queries at this time (Unix seconds or
    /// RFC 3339) instead of the server's now; for reproducible runs.
    #[serde(default)]
    pub eval_time: Option<String>,
    /// `file`: the snapshot as the policy revision holds it, set by
    /// `--policy-from` (`prr::policy_source`); never read from YAML.
    #[serde(skip)]
    #[schemars(skip)]
    pub pinned: Option<PinnedSnapshot>,
}

/// The `file` provider's snapshot read from a git revision instead of the
/// working tree (`--policy-from`): the budget data is policy, so a change
/// cannot edit the readings that judge it.
#[derive(Clone, Debug, PartialEq)]
pub struct PinnedSnapshot {
    /// The content at the revision; `None` when the revision has no such
    /// file (the reading is then an error, and `on-error` decides).
    pub bytes: Option<std::sync::Arc<[u8]>>,
    /// How reports name it (`budget.json at main`).
    pub shown: String,
}

/// The top-level `budget:` section.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct BudgetConfig {
    /// Named providers.
    #[serde(default)]
    pub providers: BTreeMap<String, ProviderConfig>,
    /// Provider for services that name none (default: the only one, when there is one).
    #[serde(default)]
    pub default_provider: Option<String>,
    /// Default for services that say nothing.
    #[serde(default)]
    pub on_error: OnError,
    /// Per-request timeout (`10s`).
    #[serde(default)]
    pub timeout: Option<String>,
    /// Retries after the first attempt.
    #[serde(default)]
    pub retries: Option<usize>,
    /// The error-budget policy.
    #[serde(default)]
    pub policy: PolicyConfig,
}

/// One SLO named in a service's `budget.slos`.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct SloRef {
    /// SLO name.
    pub name: String,
    /// Provider-side identifier (Datadog SLO ID, …).
    #[serde(default)]
    pub id: Option<String>,
    /// Objective in percent (`99.9`), when no SLO file states it.
    #[serde(default)]
    pub objective: Option<f64>,
    /// Time window (`30d`), when no SLO file states it.
    #[serde(default)]
    pub window: Option<String>,
}

/// A service's `budget:` block.
#[derive(Clone, Debug, PartialEq, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ServiceBudget {
    /// Provider name (default: `budget.default-provider`).
    #[serde(default)]
    pub provider: Option<String>,
    /// Overrides `budget.on-error` for this service.
    #[serde(default)]
    pub on_error: Option<OnError>,
    /// SLOs to read in addition to (or, for hosted APIs, instead of) those
    /// found in the service's SLO files.
    #[serde(default)]
    pub slos: Vec<SloRef>,
    /// `false` leaves the service out of the budget gate.
    #[serde(default = "yes")]
    pub gate: bool,
}

fn yes() -> bool {
    true
}

impl Default for ServiceBudget {
    /// No block written: the service is gated with the defaults.
    fn default() -> Self {
        ServiceBudget {
            provider: None,
            on_error: None,
            slos: Vec::new(),
            gate: true,
        }
    }
}
