//! Deploy environments named in paths and namespaces.
//!
//! Repositories keep a copy of their configuration per environment
//! (`rules/kubernetes-staging.yaml`, namespace `shop-dev`, folder
//! `overlays/production/`). The words below name an environment when they
//! stand as a whole word of a path component or a name, split at `-`, `_`
//! and `.` (`pre-prod` and `non-prod` count as one word).

/// The environment words of the non-production environments.
pub const NON_PRODUCTION: &[&str] = &[
    "dev",
    "development",
    "test",
    "testing",
    "tst",
    "qa",
    "uat",
    "stage",
    "staging",
    "stg",
    "preprod",
    "preproduction",
    "nonprod",
    "sandbox",
];

/// The environment words of production environments.
pub const PRODUCTION: &[&str] = &["prod", "production", "prd", "live", "canary"];

/// Each word of `name` split at `-`, `_` and `.` (`pre-prod` and
/// `non-prod` as one word), lowercased: the environment word it is, if any.
fn tokens(name: &str) -> Vec<Option<&'static str>> {
    name.to_ascii_lowercase()
        .replace("pre-prod", "preprod")
        .replace("non-prod", "nonprod")
        .split(['-', '_', '.'])
        .map(|w| {
            NON_PRODUCTION
                .iter()
                .chain(PRODUCTION)
                .find(|e| **e == w)
                .copied()
        })
        .collect()
}

/// `words` in order, each once.
fn dedup(words: impl Iterator<Item = &'static str>) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    for w in words {
        if !out.contains(&w) {
            out.push(w);
        }
    }
    out
}

/// The environment words of `name` (one path component, a file name without
/// its extension, or a namespace), lowercased, in order, deduplicated.
pub fn words(name: &str) -> Vec<&'static str> {
    dedup(tokens(name).into_iter().flatten())
}

/// The environment words that end `name` (its trailing run of environment
/// words): `shop-dev` → `dev`, `prod-dev` → `prod`, `dev`; but `dev-portal`,
/// `qa-dashboard`, `sandbox-api` name services, not environments → none.
pub fn trailing_words(name: &str) -> Vec<&'static str> {
    let t = tokens(name);
    let start = t.iter().rposition(Option::is_none).map_or(0, |i| i + 1);
    dedup(t[start..].iter().flatten().copied())
}

/// What a path or namespace says of the deploy environment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Named {
    /// A production word (`prod`, `production`, `prd`, `live`, `canary`),
    /// or a mix of production and non-production words (`prod-dev`).
    Production,
    /// Only non-production words; the first one.
    NonProduction(&'static str),
}

/// The environment a path or namespace names, if any: by the words that
/// end a name ([`trailing_words`]). The namespace decides when it names an
/// environment; otherwise the deepest path component (or file stem) that
/// names one. A name with a production word in it too (`prod-dev`) is taken
/// as production.
pub fn named(path: &str, namespace: Option<&str>) -> Option<Named> {
    let decide = |ws: Vec<&'static str>| -> Option<Named> {
        let first = *ws.first()?;
        if ws.iter().any(|w| !NON_PRODUCTION.contains(w)) {
            return Some(Named::Production);
        }
        Some(Named::NonProduction(first))
    };
    if let Some(d) = namespace.and_then(|ns| decide(trailing_words(ns))) {
        return Some(d);
    }
    path.rsplit('/')
        .find_map(|comp| decide(trailing_words(comp.split('.').next().unwrap_or(comp))))
}

/// The non-production environment a path or namespace names, if any (see
/// [`named`]).
pub fn non_production(path: &str, namespace: Option<&str>) -> Option<&'static str> {
    match named(path, namespace)? {
        Named::NonProduction(w) => Some(w),
        Named::Production => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn environments_are_whole_words() {
        assert_eq!(words("kubernetes-staging"), vec!["staging"]);
        assert_eq!(words("laa-crime-pre-prod"), vec!["preprod"]);
        assert!(words("latest").is_empty());
        assert!(words("devops").is_empty());
        assert_eq!(
            non_production("namespaces/x/shop-dev/rules.yaml", Some("shop-dev")),
            Some("dev")
        );
        assert_eq!(
            non_production("namespaces/x/shop-prod/rules.yaml", Some("shop-prod")),
            None
        );
        assert_eq!(non_production("rules/app.yaml", None), None);
        // The deepest component decides; a namespace before the path.
        assert_eq!(
            non_production("prod/rules-staging.yaml", None),
            Some("staging")
        );
        assert_eq!(
            non_production("live.example.org/shop-dev/rules.yaml", None),
            Some("dev")
        );
        assert_eq!(
            non_production("staging/rules.yaml", Some("shop-prod")),
            None
        );
        assert_eq!(non_production("x/prod-dev/rules.yaml", None), None);
    }

    #[test]
    fn production_is_named_by_a_production_word() {
        assert_eq!(
            named("deploy/overlays/production", None),
            Some(Named::Production)
        );
        assert_eq!(
            named("k8s/app.yaml", Some("shop-prd")),
            Some(Named::Production)
        );
        assert_eq!(
            named("overlays/staging/app.yaml", None),
            Some(Named::NonProduction("staging"))
        );
        assert_eq!(named("k8s/base/app.yaml", None), None);
        assert_eq!(named("productions/app.yaml", None), None);
        // A leading environment word names a service, not an environment.
        assert_eq!(named("apps/dev-portal/app.yaml", None), None);
        assert_eq!(named("k8s/app.yaml", Some("sandbox-api")), None);
        assert_eq!(
            named("apps/portal-dev/app.yaml", None),
            Some(Named::NonProduction("dev"))
        );
    }
}
