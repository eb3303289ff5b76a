//! Answers that must not become readings: partial results and series of
//! another SLO.
//!
//! - Thanos Querier answers with HTTP 200, `"status": "success"` and a
//!   non-empty `warnings` array when some store API did not answer and
//!   partial responses are allowed (its default); the values then leave
//!   out the missing stores' samples, errors included
//!   (<https://thanos.io/tip/components/query.md/#partial-response>).
//!   Prometheus itself puts PromQL annotations in the same array: `PromQL
//!   info:` ones (advice such as "metric might not be a counter") are not
//!   partial answers and are ignored; `PromQL warning:` ones (series left
//!   out of the result) still make the reading unknown, worded as such.
//! - VictoriaMetrics cluster's vmselect marks an answer missing some
//!   vmstorage nodes with `"isPartial": true`
//!   (<https://docs.victoriametrics.com/cluster-victoriametrics/#cluster-availability>).
//!
//! Either makes the SLO's reading unknown ([`FetchError::Partial`]), and the
//! service's `on-error` decides. The backend's own words are quoted,
//! bounded (at most 3 warnings of 200 characters each, control
//! characters removed) and later scrubbed of credentials like every message.

use super::Sample;
use crate::FetchError;

/// Most warnings quoted in a reason.
const MAX_WARNINGS: usize = 3;
/// Most characters quoted of one warning.
const MAX_WARNING_CHARS: usize = 200;

/// `Err(Partial)` when the response body says it is partial: a non-empty
/// `warnings` array, or `"isPartial": true`.
pub fn check_partial(body: &serde_json::Value) -> Result<(), FetchError> {
    if body.get("isPartial").and_then(|v| v.as_bool()) == Some(true) {
        return Err(FetchError::Partial(
            "the backend marked the answer \"isPartial\": true (VictoriaMetrics: some storage nodes did not answer); the values may leave out errors".to_string(),
        ));
    }
    let warnings: Vec<String> = match body.get("warnings") {
        Some(serde_json::Value::Array(a)) => a
            .iter()
            .map(|w| match w.as_str() {
                Some(s) => s.to_string(),
                None => w.to_string(),
            })
            .collect(),
        Some(serde_json::Value::Null) | None => Vec::new(),
        Some(other) => vec![other.to_string()],
    };
    // Prometheus' PromQL annotations of the `info` kind ("metric might not
    // be a counter") say nothing about missing data: not a partial answer.
    let warnings: Vec<String> = warnings
        .into_iter()
        .filter(|w| !w.trim_start().starts_with("PromQL info:"))
        .collect();
    if warnings.is_empty() {
        return Ok(());
    }
    let mut quoted: Vec<String> = warnings
        .iter()
        .take(MAX_WARNINGS)
        .map(|w| format!("\"{}\"", bounded(w)))
        .collect();
    if warnings.len() > MAX_WARNINGS {
        quoted.push(format!("and {} more", warnings.len() - MAX_WARNINGS));
    }
    let why = if warnings
        .iter()
        .all(|w| w.trim_start().starts_with("PromQL warning:"))
    {
        "PromQL warnings: the query's result may leave out series it was meant to count"
    } else {
        "a partial answer (Thanos answers so when a store API did not respond): the values may leave out errors"
    };
    Err(FetchError::Partial(format!(
        "the backend answered with {} warning{} — {why}: {}",
        warnings.len(),
        if warnings.len() == 1 { "" } else { "s" },
        quoted.join("; ")
    )))
}

/// `text` without control characters, cut at [`MAX_WARNING_CHARS`].
fn bounded(text: &str) -> String {
    let clean: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let mut out: String = clean.chars().take(MAX_WARNING_CHARS).collect();
    if clean.chars().count() > MAX_WARNING_CHARS {
        out.push('…');
    }
    out
}

/// `Err(Implausible)` when a sample carries one of `expected`'s label names
/// with another value, or lacks it: a backend that ignored the matchers
/// (or a rule that relabelled) would otherwise lend this SLO another
/// SLO's budget.
pub fn check_labels(samples: &[Sample], expected: &[(&str, &str)]) -> Result<(), FetchError> {
    for s in samples {
        for (name, want) in expected {
            let got = s.labels.get(*name).map(String::as_str);
            if got != Some(*want) {
                let metric = s.labels.get("__name__").map_or("", String::as_str);
                return Err(FetchError::Implausible(format!(
                    "the backend returned `{metric}` with {name}={} for {name}=\"{want}\": another SLO's series is not this SLO's reading",
                    got.map_or("(absent)".to_string(), |g| format!("\"{}\"", bounded(g)))
                )));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::collections::BTreeMap;

    #[test]
    fn warnings_and_is_partial_make_a_partial_answer() {
        let ok = json!({"status": "success", "data": {}, "warnings": []});
        assert_eq!(check_partial(&ok), Ok(()));
        assert_eq!(check_partial(&json!({"isPartial": false})), Ok(()));
        let thanos = json!({"status": "success", "warnings": ["No StoreAPIs matched for this query", "x\u{1b}[31m"]});
        let e = check_partial(&thanos).expect_err("partial");
        let text = e.to_string();
        assert!(
            text.starts_with("partial response: the backend answered with 2 warnings"),
            "{text}"
        );
        assert!(
            text.contains("\"No StoreAPIs matched for this query\""),
            "{text}"
        );
        assert!(
            !text.contains('\u{1b}'),
            "control characters removed: {text:?}"
        );
        let long = json!({"warnings": ["w".repeat(5000), "a", "b", "c"]});
        let text = check_partial(&long).expect_err("partial").to_string();
        assert!(text.len() < 400 && text.contains("and 1 more"), "{text}");
        let vm = json!({"status": "success", "isPartial": true, "data": {}});
        assert!(
            matches!(check_partial(&vm), Err(FetchError::Partial(m)) if m.contains("isPartial"))
        );
    }

    #[test]
    fn a_series_of_another_slo_is_refused() {
        let s = |slo: Option<&str>| Sample {
            labels: slo
                .map(|v| ("sloth_slo".to_string(), v.to_string()))
                .into_iter()
                .collect::<BTreeMap<_, _>>(),
            time: 0.0,
            raw: "1".into(),
            value: 1.0,
        };
        let want = [("sloth_slo", "availability")];
        assert_eq!(check_labels(&[s(Some("availability"))], &want), Ok(()));
        let e = check_labels(&[s(Some("availability")), s(Some("latency"))], &want)
            .expect_err("another SLO");
        assert!(e.to_string().contains("sloth_slo=\"latency\""), "{e}");
        assert!(check_labels(&[s(None)], &want).is_err());
    }
}

#[cfg(test)]
mod annotation_tests {
    use super::check_partial;
    use serde_json::json;

    #[test]
    fn promql_infos_are_not_partial_answers_but_warnings_and_store_errors_are() {
        let info = json!({"status": "success", "warnings": ["PromQL info: metric might not be a counter, name does not end in _total/_sum/_count/_bucket: \"x\""]});
        assert!(check_partial(&info).is_ok());
        let promql = json!({"warnings": ["PromQL warning: encountered a mix of histograms and floats for metric name \"x\""]});
        let e = check_partial(&promql)
            .expect_err("PromQL warning")
            .to_string();
        assert!(e.contains("PromQL warnings") && !e.contains("store"), "{e}");
        let store = json!({"warnings": ["receive store: rpc error: code = Unavailable"]});
        let e = check_partial(&store).expect_err("store").to_string();
        assert!(e.contains("partial answer"), "{e}");
    }
}
