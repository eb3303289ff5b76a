//! Error-budget API responses, through each provider's real `read()`
//! against a local HTTP server on 127.0.0.1 that answers with the input.
//! Byte 0 picks the provider (see `prr::fuzz_api::PROVIDERS`: Prometheus
//! sloth/pyrra/grafana/compute, http-json pointer/JSONPath, Datadog v1/v2,
//! Dynatrace by id/name, Nobl9, slo-generator, file), byte 1 the target's
//! shape (window, objective, id), byte 2 the HTTP status; the rest is the
//! response body.
#![no_main]
use libfuzzer_sys::fuzz_target;

const STATUS: [u16; 8] = [200, 200, 200, 200, 400, 404, 429, 503];

fuzz_target!(|data: &[u8]| {
    if let [selector, flags, status, body @ ..] = data {
        let status = STATUS[usize::from(*status) % STATUS.len()];
        let _ = prr::fuzz_api::provider_response(*selector, *flags, status, body);
    }
});
