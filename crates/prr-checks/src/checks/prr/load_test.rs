//! `prr.load-test` (rule `prr/load-test`): every service has a load-test
//! script (k6, Locust, Gatling, JMeter).

use super::report_service;
use crate::checks::{Context, Sink};
use crate::inventory::SourceFile;
use serde::Deserialize;

fn default_load_test_paths() -> Vec<String> {
    vec!["**/*.jmx".to_string(), "**/locustfile*.py".to_string()]
}

/// Parameters of `prr.load-test`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct LoadTest {
    /// Globs of files that are load tests by their name alone (default
    /// `**/*.jmx` for JMeter plans, `**/locustfile*.py` for Locust).
    #[serde(default = "default_load_test_paths")]
    pub paths: Vec<String>,
}

/// Whether `text` (of a file named `path`) is a load-test script: k6
/// (`.js`/`.ts`/`.mjs` importing `k6` or `k6/…`), Locust (`.py` importing
/// `locust`), Gatling (`.scala`/`.java`/`.kt` importing `io.gatling`).
fn is_load_test_script(path: &str, text: &str) -> bool {
    use std::sync::LazyLock;
    static K6: LazyLock<Option<regex::Regex>> = LazyLock::new(|| {
        regex::Regex::new(
            r#"(?m)(\bfrom\s*['"]k6(/[\w/-]*)?['"]|\brequire\(\s*['"]k6(/[\w/-]*)?['"]\s*\))"#,
        )
        .ok()
    });
    static LOCUST: LazyLock<Option<regex::Regex>> = LazyLock::new(|| {
        regex::Regex::new(r"(?m)^\s*(from\s+locust(\.\w+)*\s+import\b|import\s+locust\b)").ok()
    });
    static GATLING: LazyLock<Option<regex::Regex>> =
        LazyLock::new(|| regex::Regex::new(r"(?m)^\s*import\s+(static\s+)?io\.gatling\.").ok());
    let ext = path.rsplit_once('.').map_or("", |(_, e)| e);
    let re = match ext {
        "js" | "ts" | "mjs" => &*K6,
        "py" => &*LOCUST,
        "scala" | "java" | "kt" => &*GATLING,
        _ => return false,
    };
    re.as_ref().is_some_and(|r| r.is_match(text))
}

/// Runs `prr.load-test`: each service has a load-test script in its paths
/// (k6, Locust, Gatling or JMeter). One finding per service without one.
pub fn load_test(ctx: &Context, p: &LoadTest, sink: &mut Sink) {
    let named = crate::inventory::globset(&p.paths);
    // Each candidate file is read at most once, whatever the services.
    let mut verdicts: std::collections::HashMap<usize, bool> = Default::default();
    let mut is_load_test = |i: usize, f: &SourceFile| -> bool {
        *verdicts.entry(i).or_insert_with(|| {
            named.is_match(&f.path)
                || (matches!(
                    f.path.rsplit_once('.').map_or("", |(_, e)| e),
                    "js" | "ts" | "mjs" | "py" | "scala" | "java" | "kt"
                ) && ctx
                    .inventory
                    .load_text(f)
                    .is_some_and(|t| is_load_test_script(&f.path, &t)))
        })
    };
    for svc in &ctx.services {
        let found = ctx
            .inventory
            .files
            .iter()
            .enumerate()
            .any(|(i, f)| ctx.in_service(svc, &f.path) && is_load_test(i, f));
        if found {
            continue;
        }
        report_service(
            ctx,
            sink,
            svc,
            format!(
                "service `{}` has no load-test script in its paths (k6, Locust, Gatling or JMeter): its capacity limit is unknown until production finds it — add one, e.g. loadtest/{}.js with `import http from 'k6/http'`, sized for the expected peak",
                svc.name, svc.name
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn load_test_scripts() {
        assert!(is_load_test_script("a.js", "import http from 'k6/http';\n"));
        assert!(is_load_test_script("a.ts", "import { check } from \"k6\";"));
        assert!(is_load_test_script("a.py", "from locust import HttpUser\n"));
        assert!(is_load_test_script(
            "A.scala",
            "import io.gatling.core.Predef._\n"
        ));
        assert!(!is_load_test_script("a.js", "import http from 'http';\n"));
        assert!(!is_load_test_script("a.py", "# from locust import x\n"));
    }
}
