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

use super::http_json::{number, optional_number, raw_text, timestamp, type_name};
use crate::budget::config::ProviderConfig;
use crate::budget::{BoxFuture, FetchError, Provenance, Provider, Reading, Target, finite};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::time::Duration;

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
}

impl File {
    /// Builds it from its config (`path`, relative to `root`).
    pub fn from_config(name: &str, cfg: &ProviderConfig, root: &Path) -> Result<Self, String> {
        let Some(p) = &cfg.path else {
            return Err(format!("provider `{name}` (type file) needs `path`"));
        };
        Ok(File {
            name: name.to_string(),
            path: root.join(p),
            shown: p.clone(),
            timeout: DEFAULT_TIMEOUT,
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
        })
    }
}

/// Reads at most [`MAX_SIZE`] bytes of `path`: a longer file — or an
/// endless one such as a device, whose size the file system reports as 0
/// — is `Malformed` without reading on.
fn read_capped(path: &Path, shown: &str) -> Result<Vec<u8>, FetchError> {
    use std::io::Read;
    let f =
        std::fs::File::open(path).map_err(|e| FetchError::Unreachable(format!("{shown}: {e}")))?;
    let mut text = Vec::new();
    f.take(MAX_SIZE + 1)
        .read_to_end(&mut text)
        .map_err(|e| FetchError::Unreachable(format!("{shown}: {e}")))?;
    if text.len() as u64 > MAX_SIZE {
        return Err(FetchError::Malformed(format!(
            "{shown} is over {MAX_SIZE} bytes"
        )));
    }
    Ok(text)
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

    /// A named pipe nobody writes blocks any reader: the read gives up at
    /// the deadline; an endless device is cut at the size cap.
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
        assert_eq!(e, FetchError::Timeout(0.3));
        assert!(t.elapsed() < Duration::from_secs(2), "{:?}", t.elapsed());
        // Release the abandoned reader (blocked opening the pipe), or the
        // test's runtime would wait for it when it shuts down.
        drop(std::fs::OpenOptions::new().write(true).open(&fifo));

        let cfg: ProviderConfig =
            serde_json::from_value(serde_json::json!({"type": "file", "path": "/dev/zero"}))
                .unwrap();
        let p = File::from_config("snap", &cfg, dir.path()).unwrap();
        let e = p
            .read(&target("checkout", "availability"))
            .await
            .unwrap_err();
        assert_eq!(
            e,
            FetchError::Malformed(format!("/dev/zero is over {MAX_SIZE} bytes"))
        );
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
