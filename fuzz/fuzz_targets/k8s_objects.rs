//! Kubernetes manifests: the inventory's YAML reading, `kind: List`
//! flattening and `K8sObject::from_node`, then the built-in `rollout.*`
//! checks (workloads, pod templates, label selectors, PDBs, probes, …).
#![no_main]
use libfuzzer_sys::fuzz_target;
use prr::fuzz_api::{check, inventory_of};

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let inv = inventory_of("deploy/fuzz.yaml", text);
        let _ = check(&inv, &["rollout."]);
    }
});
