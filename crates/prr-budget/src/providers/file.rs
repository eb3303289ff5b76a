//! A JSON snapshot of readings on disk, for local runs and the bundled
//! example (no server needed).
//!
//! ```json
//! { "as_of": "2026-11-20T12:00:00Z",
//!   "readings": [ { "service": "checkout", "slo": "requests-availability",
//!                   "remaining": 0.62, "burn_rates": { "1h": 0.8, "6h": 0.9, "3d": 1.1 },
//!                   "window": "30d", "events": 1250000 } ] }
//! ```
//! `remaining` is a ratio (1.0 = untouched; numbers or numeric strings);
//! `as_of` is RFC 3339 or Unix seconds, and a per-reading `as_of`
//! overrides the file's; `window` is a duration (`30d`) or seconds. `path`
//! is relative to the repository root. A service/SLO absent from the file
//! is no data (`Empty`), never a full budget; a reading without
//! `remaining` is `Missing`.
//!
//! With `--policy-from REF` the snapshot is policy: a file of the
//! repository is read as REF holds it ([`PinnedSnapshot`], set by
//! `prr::policy_source`), and [`changed_readings`] names what the
//! change edits in it.

use super::http_json::{number, optional_number, raw_text, timestamp, type_name};
use crate::config::{PinnedSnapshot, ProviderConfig};
use crate::{BoxFuture, FetchError, Provenance, Provider, Reading, Target, finite};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The options of a `type: file` provider (a JSON snapshot of readings on disk) in
/// `budget.providers`; a key of another provider type is refused at its line.
#[derive(Clone, Debug, Default, PartialEq, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Options {
    /// Path of the JSON snapshot (relative to the repository root).
    #[serde(default)]
    pub path: Option<String>,
}

/// Builds the provider `name` from its entry (this type's registry line in
/// [`super::REGISTRY`]). Errors: as [`File::from_config`].
pub fn build(
    name: &str,
    cfg: &crate::config::ProviderConfig,
    http: &crate::http::HttpOptions,
    root: &std::path::Path,
) -> Result<Box<dyn crate::Provider>, String> {
    Ok(Box::new(
        File::from_config(name, cfg, root)?.with_timeout(http.timeout),
    ))
}

/// Largest snapshot read (bytes).
const MAX_SIZE: u64 = 16 * 1024 * 1024;

/// Read deadline when none is configured (the HTTP default, 10 s).
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// The provider.
#[derive(Debug)]
pub struct File {
    name: String,
    path: PathBuf,
    shown: String,
    timeout: Duration,
    pinned: Option<PinnedSnapshot>,
}

impl File {
    /// Builds it from its config (`path`, relative to `root`).
    pub fn from_config(name: &str, cfg: &ProviderConfig, root: &Path) -> Result<Self, String> {
        let pinned = cfg.pinned.clone();
        let cfg: Options = super::options(name, cfg)?;
        let Some(p) = &cfg.path else {
            return Err(format!("provider `{name}` (type file) needs `path`"));
        };
        Ok(File {
            name: name.to_string(),
            path: root.join(p),
            shown: pinned
                .as_ref()
                .map_or_else(|| p.clone(), |s| s.shown.clone()),
            timeout: DEFAULT_TIMEOUT,
            pinned,
        })
    }

    /// Gives up reading after `timeout` (the budget's `timeout`), as the
    /// HTTP providers do: a snapshot on a stalled network mount, or a
    /// named pipe nobody writes, is `Timeout`, not a hung gate.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    async fn fetch(&self, target: &Target) -> Result<Reading, FetchError> {
        if let Some(pinned) = &self.pinned {
            let Some(bytes) = &pinned.bytes else {
                return Err(FetchError::Unreachable(format!(
                    "{}: no such file at the policy revision (a snapshot the change adds is not policy)",
                    self.shown
                )));
            };
            if bytes.len() as u64 > MAX_SIZE {
                return Err(FetchError::Malformed(format!(
                    "{} is over {MAX_SIZE} bytes",
                    self.shown
                )));
            }
            let body: Value = serde_json::from_slice(bytes)
                .map_err(|e| FetchError::Malformed(format!("{}: not JSON: {e}", self.shown)))?;
            return self.convert(&body, target);
        }
        let (path, shown) = (self.path.clone(), self.shown.clone());
        // A blocking read on the blocking pool, abandoned at the deadline
        // (the gate does not wait for abandoned reads when it ends).
        let read = tokio::task::spawn_blocking(move || read_capped(&path, &shown));
        let text = match tokio::time::timeout(self.timeout, read).await {
            Ok(Ok(r)) => r?,
            Ok(Err(e)) => {
                return Err(FetchError::Unreachable(format!("{}: {e}", self.shown)));
            }
            Err(_) => return Err(FetchError::Timeout(self.timeout.as_secs_f64())),
        };
        let body: Value = serde_json::from_slice(&text)
            .map_err(|e| FetchError::Malformed(format!("{}: not JSON: {e}", self.shown)))?;
        self.convert(&body, target)
    }

    fn convert(&self, body: &Value, target: &Target) -> Result<Reading, FetchError> {
        let readings = match body.get("readings") {
            Some(Value::Array(r)) => r,
            None => return Err(FetchError::Missing(format!("readings in {}", self.shown))),
            Some(other) => {
                return Err(FetchError::Malformed(format!(
                    "readings in {} is {}, expected an array",
                    self.shown,
                    type_name(other)
                )));
            }
        };
        let entry = readings
            .iter()
            .find(|r| {
                r.get("service").and_then(Value::as_str) == Some(target.service.as_str())
                    && r.get("slo").and_then(Value::as_str) == Some(target.slo.as_str())
            })
            .ok_or_else(|| {
                FetchError::Empty(format!(
                    "no reading for service `{}`, SLO `{}` in {}",
                    target.service, target.slo, self.shown
                ))
            })?;
        let raw = entry.get("remaining").ok_or_else(|| {
            FetchError::Missing(format!(
                "remaining for {}/{} in {}",
                target.service, target.slo, self.shown
            ))
        })?;
        let remaining = finite(number(raw, "remaining")?, "remaining")?;
        let as_of = match entry.get("as_of").or_else(|| body.get("as_of")) {
            None | Some(Value::Null) => None,
            Some(v) => Some(timestamp(v, "as_of")?),
        };
        let window = match entry.get("window") {
            None | Some(Value::Null) => target.window_seconds,
            Some(Value::String(s)) if s.trim().parse::<f64>().is_err() => {
                Some(crate::formats::parse_duration(s).ok_or_else(|| {
                    FetchError::Malformed(format!("window = {s:?} is not a duration"))
                })?)
            }
            Some(v) => Some(number(v, "window")?),
        };
        let mut burn_rates = std::collections::BTreeMap::new();
        match entry.get("burn_rates") {
            None | Some(Value::Null) => {}
            Some(Value::Object(m)) => {
                for (k, v) in m {
                    burn_rates.insert(k.clone(), number(v, &format!("burn_rates.{k}"))?);
                }
            }
            Some(other) => {
                return Err(FetchError::Malformed(format!(
                    "burn_rates is {}, expected an object keyed by window",
                    type_name(other)
                )));
            }
        }
        Ok(Reading {
            remaining,
            burn_rates,
            window_seconds: window,
            as_of,
            events: optional_number(entry, "/events")?,
            provenance: Provenance {
                provider: self.name.clone(),
                source: self.shown.clone(),
                raw: raw_text(raw),
                conversion: "ratio (as is)".to_string(),
            },
            history: Vec::new(),
        })
    }
}

/// Reads at most [`MAX_SIZE`] bytes of the regular file `path`
/// ([`crate::fsio::read_bounded`]): a missing or unreadable file is
/// `Unreachable`; a device, a FIFO (refused before it is opened, so never
/// a blocked read) or a longer file is `Malformed`.
fn read_capped(path: &Path, shown: &str) -> Result<Vec<u8>, FetchError> {
    crate::fsio::read_bounded(path, MAX_SIZE).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound | std::io::ErrorKind::PermissionDenied => {
            FetchError::Unreachable(format!("{shown}: {e}"))
        }
        _ => FetchError::Malformed(format!("{shown}: {e}")),
    })
}

/// What differs between two snapshots, reading by reading (`pay/availability:
/// remaining 0.1 → 0.9`), at most `limit` lines and then a count of the
/// rest. A side that is not a snapshot (not JSON, no `readings`) is
/// compared whole (`the file is not a snapshot`). Values are shown as
/// written, each cut at 40 characters.
pub fn changed_readings(old: &[u8], new: &[u8], limit: usize) -> Vec<String> {
    fn entries(b: &[u8]) -> Option<Vec<(String, Value)>> {
        let v: Value = serde_json::from_slice(b).ok()?;
        let top = v.get("as_of").cloned();
        let list = v.get("readings")?.as_array()?;
        Some(
            list.iter()
                .map(|r| {
                    let s = |k: &str| r.get(k).and_then(Value::as_str).unwrap_or("?").to_string();
                    let mut r = r.clone();
                    if let (Some(m), Some(t)) = (r.as_object_mut(), &top) {
                        m.entry("as_of").or_insert_with(|| t.clone());
                    }
                    (format!("{}/{}", s("service"), s("slo")), r)
                })
                .collect(),
        )
    }
    fn show(v: Option<&Value>) -> String {
        let s = match v {
            None | Some(Value::Null) => "none".to_string(),
            Some(Value::String(s)) => s.clone(),
            Some(v) => v.to_string(),
        };
        if s.chars().count() > 40 {
            format!("{}…", s.chars().take(40).collect::<String>())
        } else {
            s
        }
    }
    let (Some(a), Some(b)) = (entries(old), entries(new)) else {
        return vec!["the file is not a snapshot on one side; compared whole".into()];
    };
    let mut out = Vec::new();
    let mut keys: Vec<&String> = a.iter().chain(&b).map(|(k, _)| k).collect();
    keys.sort();
    keys.dedup();
    for k in keys {
        let (x, y) = (
            a.iter().find(|(n, _)| n == k).map(|(_, v)| v),
            b.iter().find(|(n, _)| n == k).map(|(_, v)| v),
        );
        match (x, y) {
            (Some(x), Some(y)) if x != y => {
                let mut fields: Vec<&String> = x
                    .as_object()
                    .into_iter()
                    .chain(y.as_object())
                    .flat_map(|m| m.keys())
                    .collect();
                fields.sort();
                fields.dedup();
                let parts: Vec<String> = fields
                    .into_iter()
                    .filter(|f| x.get(f.as_str()) != y.get(f.as_str()))
                    .map(|f| {
                        format!(
                            "{f} {} → {}",
                            show(x.get(f.as_str())),
                            show(y.get(f.as_str()))
                        )
                    })
                    .collect();
                out.push(format!("{k}: {}", parts.join(", ")));
            }
            (Some(_), None) => out.push(format!("{k}: reading removed")),
            (None, Some(_)) => out.push(format!("{k}: reading added")),
            _ => {}
        }
    }
    if out.len() > limit {
        let more = out.len() - limit;
        out.truncate(limit);
        out.push(format!("{more} more"));
    }
    out
}

impl Provider for File {
    fn name(&self) -> &str {
        &self.name
    }

    fn read<'a>(&'a self, target: &'a Target) -> BoxFuture<'a, Result<Reading, FetchError>> {
        Box::pin(self.fetch(target))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn provider(dir: &Path) -> File {
        let cfg: ProviderConfig =
            serde_json::from_value(serde_json::json!({"type": "file", "path": "budget.json"}))
                .unwrap();
        File::from_config("snap", &cfg, dir).unwrap()
    }

    fn target(service: &str, slo: &str) -> Target {
        Target {
            service: service.into(),
            slo: slo.into(),
            ..Target::default()
        }
    }

    #[tokio::test]
    async fn reads_snapshot_with_per_reading_as_of() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("budget.json"),
            r#"{ "as_of": "2026-11-20T12:00:00Z",
                 "readings": [
                   { "service": "checkout", "slo": "availability", "remaining": 0.62,
                     "burn_rates": { "1h": 0.8, "6h": "0.9", "3d": 1.1 }, "window": "30d", "events": 1250000 },
                   { "service": "search", "slo": "latency", "remaining": "-0.1", "as_of": 1700000000 } ] }"#,
        )
        .unwrap();
        let p = provider(dir.path());
        let r = p.read(&target("checkout", "availability")).await.unwrap();
        assert_eq!(r.remaining, 0.62);
        assert_eq!(r.burn_rates.get("6h"), Some(&0.9));
        assert_eq!(r.window_seconds, Some(2_592_000.0));
        assert_eq!(r.as_of, Some(1_795_176_000.0));
        assert_eq!(r.events, Some(1_250_000.0));
        assert_eq!(r.provenance.source, "budget.json");
        let r = p.read(&target("search", "latency")).await.unwrap();
        assert_eq!((r.remaining, r.as_of), (-0.1, Some(1_700_000_000.0)));
        let e = p.read(&target("search", "availability")).await.unwrap_err();
        assert!(
            matches!(e, FetchError::Empty(ref m) if m.contains("search") && m.contains("availability")),
            "{e}"
        );
    }

    /// A named pipe nobody writes would block any reader, and a device
    /// never ends: both are refused at once, never read.
    #[tokio::test]
    async fn endless_sources_end_in_time() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("budget.json");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        assert!(made.is_ok_and(|s| s.success()), "mkfifo");
        let p = provider(dir.path()).with_timeout(Duration::from_millis(300));
        let t = std::time::Instant::now();
        let e = p
            .read(&target("checkout", "availability"))
            .await
            .unwrap_err();
        assert!(
            matches!(&e, FetchError::Malformed(m) if m.contains("a FIFO")),
            "{e:?}"
        );
        assert!(t.elapsed() < Duration::from_secs(2), "{:?}", t.elapsed());

        let cfg: ProviderConfig =
            serde_json::from_value(serde_json::json!({"type": "file", "path": "/dev/zero"}))
                .unwrap();
        let p = File::from_config("snap", &cfg, dir.path()).unwrap();
        let e = p
            .read(&target("checkout", "availability"))
            .await
            .unwrap_err();
        assert!(
            matches!(&e, FetchError::Malformed(m) if m.contains("a device")),
            "{e:?}"
        );
    }

    /// `--policy-from`: the snapshot at the revision is read, never the
    /// working tree's; one the revision lacks is an error.
    #[tokio::test]
    async fn a_pinned_snapshot_is_read_instead_of_the_file() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("budget.json"),
            r#"{"readings": [{"service": "checkout", "slo": "availability", "remaining": 0.9}]}"#,
        )
        .unwrap();
        let at_ref =
            r#"{"readings": [{"service": "checkout", "slo": "availability", "remaining": -0.2}]}"#;
        let mut cfg: ProviderConfig =
            serde_json::from_value(serde_json::json!({"type": "file", "path": "budget.json"}))
                .unwrap();
        cfg.pinned = Some(PinnedSnapshot {
            bytes: Some(std::sync::Arc::from(at_ref.as_bytes())),
            shown: "budget.json at main".into(),
        });
        let p = File::from_config("snap", &cfg, dir.path()).unwrap();
        let r = p.read(&target("checkout", "availability")).await.unwrap();
        assert_eq!(r.remaining, -0.2);
        assert_eq!(r.provenance.source, "budget.json at main");
        cfg.pinned = Some(PinnedSnapshot {
            bytes: None,
            shown: "budget.json at main".into(),
        });
        let p = File::from_config("snap", &cfg, dir.path()).unwrap();
        let e = p
            .read(&target("checkout", "availability"))
            .await
            .unwrap_err();
        assert!(
            matches!(e, FetchError::Unreachable(ref m) if m.contains("no such file at the policy revision")),
            "{e}"
        );
    }

    #[test]
    fn changed_readings_name_each_value() {
        let old = br#"{"as_of": 1, "readings": [
            {"service": "pay", "slo": "availability", "remaining": 0.1, "window": "30d"},
            {"service": "cart", "slo": "latency", "remaining": 0.5}]}"#;
        let new = br#"{"as_of": 1, "readings": [
            {"service": "pay", "slo": "availability", "remaining": 0.9, "window": "7d"},
            {"service": "web", "slo": "latency", "remaining": 0.5}]}"#;
        assert_eq!(
            changed_readings(old, new, 5),
            [
                "cart/latency: reading removed",
                "pay/availability: remaining 0.1 → 0.9, window 30d → 7d",
                "web/latency: reading added"
            ]
        );
        assert_eq!(changed_readings(old, new, 1).len(), 2);
        assert_eq!(changed_readings(old, old, 5), Vec::<String>::new());
        assert_eq!(changed_readings(old, b"nope", 5).len(), 1);
    }

    #[tokio::test]
    async fn broken_snapshots_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        let p = provider(dir.path());
        let t = target("checkout", "availability");
        assert!(matches!(p.read(&t).await, Err(FetchError::Unreachable(_))));
        type Check = fn(&FetchError) -> bool;
        let cases: [(&str, Check); 5] = [
            ("{", |e| matches!(e, FetchError::Malformed(_))),
            (r#"{"readings": {}}"#, |e| {
                matches!(e, FetchError::Malformed(_))
            }),
            (
                r#"{"readings": [{"service": "checkout", "slo": "availability"}]}"#,
                |e| matches!(e, FetchError::Missing(_)),
            ),
            (
                r#"{"readings": [{"service": "checkout", "slo": "availability", "remaining": "NaN"}]}"#,
                |e| matches!(e, FetchError::NotFinite(_)),
            ),
            (r#"{"readings": []}"#, |e| matches!(e, FetchError::Empty(_))),
        ];
        for (body, ok) in cases {
            std::fs::write(dir.path().join("budget.json"), body).unwrap();
            let e = p.read(&t).await.unwrap_err();
            assert!(ok(&e), "{body}: {e:?}");
        }
    }
}
