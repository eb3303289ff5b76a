//! Instant-query answers of the Prometheus HTTP API: samples, their
//! documented shapes, and the server's error text.

use crate::FetchError;
use std::collections::BTreeMap;

/// Values by their `prr_part` label; duplicates are malformed.
pub(super) fn parts_by_key(samples: &[Sample]) -> Result<BTreeMap<String, Sample>, FetchError> {
    index(samples, |s| {
        Some(s.label("prr_part").to_string()).filter(|k| !k.is_empty())
    })
}

/// Indexes samples by `key`; two samples with one key is malformed (a
/// ratio must not be summed across series).
pub(super) fn index(
    samples: &[Sample],
    key: impl Fn(&Sample) -> Option<String>,
) -> Result<BTreeMap<String, Sample>, FetchError> {
    let mut out: BTreeMap<String, Sample> = BTreeMap::new();
    for s in samples {
        let Some(k) = key(s) else { continue };
        if let Some(prev) = out.get(&k) {
            return Err(FetchError::Malformed(format!(
                "several series for `{k}` ({} and {}): add label matchers so each SLO has one series",
                labels_text(&prev.labels),
                labels_text(&s.labels)
            )));
        }
        out.insert(k, s.clone());
    }
    Ok(out)
}

fn labels_text(labels: &BTreeMap<String, String>) -> String {
    let inner: Vec<String> = labels.iter().map(|(k, v)| format!("{k}=\"{v}\"")).collect();
    format!("{{{}}}", inner.join(","))
}

/// One sample of an instant-query result.
#[derive(Clone, Debug, PartialEq)]
pub struct Sample {
    /// Series labels (with `__name__` when the series has a name).
    pub labels: BTreeMap<String, String>,
    /// Evaluation time, Unix seconds.
    pub time: f64,
    /// The value as Prometheus wrote it (`"0.25"`, `"NaN"`, `"+Inf"`).
    pub raw: String,
    /// The value (may be NaN or infinite: callers check with `finite`).
    pub value: f64,
}

impl Sample {
    pub(super) fn label(&self, name: &str) -> &str {
        self.labels.get(name).map_or("", String::as_str)
    }
}

/// Parses an instant-query response (`{"status":"success","data":{
/// "resultType":"vector","result":[{"metric":{…},"value":[t,"v"]}]}}`,
/// <https://prometheus.io/docs/prometheus/latest/querying/api/#expression-query-result-formats>).
/// Errors: `status: error` → Malformed with the server's text; wrong
/// shapes → Malformed; an empty vector → Empty.
pub fn parse_response(body: &serde_json::Value) -> Result<Vec<Sample>, FetchError> {
    let status = body.get("status").and_then(|s| s.as_str());
    match status {
        Some("success") => {}
        Some("error") => {
            let kind = body
                .get("errorType")
                .and_then(|v| v.as_str())
                .unwrap_or("error");
            let text = body
                .get("error")
                .and_then(|v| v.as_str())
                .unwrap_or("(no error text)");
            return Err(FetchError::Malformed(format!("Prometheus {kind}: {text}")));
        }
        _ => {
            return Err(FetchError::Malformed(
                "no `status` in the response (not a Prometheus API?)".to_string(),
            ));
        }
    }
    let data = body
        .get("data")
        .ok_or_else(|| FetchError::Missing("data".to_string()))?;
    let kind = data
        .get("resultType")
        .and_then(|v| v.as_str())
        .ok_or_else(|| FetchError::Missing("data.resultType".to_string()))?;
    let result = data
        .get("result")
        .ok_or_else(|| FetchError::Missing("data.result".to_string()))?;
    match kind {
        "vector" => {
            let items = result
                .as_array()
                .ok_or_else(|| FetchError::Malformed("data.result is not an array".to_string()))?;
            if items.is_empty() {
                return Err(FetchError::Empty(
                    "the query returned an empty vector".to_string(),
                ));
            }
            items
                .iter()
                .map(|item| {
                    let labels = match item.get("metric") {
                        Some(serde_json::Value::Object(m)) => m
                            .iter()
                            .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
                            .collect(),
                        Some(_) => {
                            return Err(FetchError::Malformed(
                                "`metric` is not an object".to_string(),
                            ));
                        }
                        None => BTreeMap::new(),
                    };
                    let (time, raw, value) =
                        sample_pair(item.get("value").ok_or_else(|| {
                            FetchError::Missing("data.result[].value".to_string())
                        })?)?;
                    Ok(Sample {
                        labels,
                        time,
                        raw,
                        value,
                    })
                })
                .collect()
        }
        "scalar" => {
            let (time, raw, value) = sample_pair(result)?;
            Ok(vec![Sample {
                labels: BTreeMap::new(),
                time,
                raw,
                value,
            }])
        }
        other => Err(FetchError::Malformed(format!(
            "resultType `{other}`: an instant vector or scalar was expected"
        ))),
    }
}

/// `[1435781451.781, "1"]` → (time, raw, value).
pub(super) fn sample_pair(v: &serde_json::Value) -> Result<(f64, String, f64), FetchError> {
    let arr = v
        .as_array()
        .filter(|a| a.len() == 2)
        .ok_or_else(|| FetchError::Malformed(format!("sample `{v}` is not [time, \"value\"]")))?;
    let time = arr
        .first()
        .and_then(|t| t.as_f64())
        .ok_or_else(|| FetchError::Malformed(format!("sample time in `{v}` is not a number")))?;
    let raw = arr
        .get(1)
        .and_then(|x| x.as_str())
        .ok_or_else(|| FetchError::Malformed(format!("sample value in `{v}` is not a string")))?;
    Ok((time, raw.to_string(), parse_value(raw)?))
}

/// Prometheus' float text: decimal, `NaN`, `+Inf`, `-Inf`.
pub(super) fn parse_value(raw: &str) -> Result<f64, FetchError> {
    match raw {
        "NaN" => Ok(f64::NAN),
        "+Inf" | "Inf" => Ok(f64::INFINITY),
        "-Inf" => Ok(f64::NEG_INFINITY),
        _ => raw
            .parse::<f64>()
            .map_err(|_| FetchError::Malformed(format!("sample value `{raw}` is not a number"))),
    }
}

/// The server's `error` text from an error body, when the body is Prometheus JSON.
pub(super) fn prometheus_error(detail: &str) -> Option<String> {
    let v: serde_json::Value = serde_json::from_str(detail).ok()?;
    let text = v.get("error")?.as_str()?;
    let kind = v
        .get("errorType")
        .and_then(|k| k.as_str())
        .unwrap_or("error");
    Some(format!("{kind}: {text}"))
}
