//! `drift/shared-endpoint`: UAT and production configured with the same credential, database,
//! service registry / config server or production host, so a test run can reach production
//! data. Telemetry and error-tracking endpoints are shared by design, and references to
//! secrets (`secretKeyRef`, ExternalSecret data) are not values.

use super::envtok;
use super::keys::{self, is_endpoint_key, looks_like_location};
use super::model::Value;
use super::refs;
use crate::classify::{is_credential_key, is_placeholder, is_reference};

/// What a value shared by UAT and production is, when sharing it is dangerous.
pub fn shared(key: &str, v: &Value) -> Option<&'static str> {
    let Value::String(s) = v else { return None };
    let s = s.trim();
    if s.is_empty() || is_reference(s) || refs::is_reference_path(key) {
        return None;
    }
    let words = keys::path_words(key);
    if words
        .iter()
        .any(|w| OBSERVABILITY_WORDS.contains(&w.as_str()))
    {
        // Error trackers and telemetry collectors are shared by design.
        return None;
    }
    if is_credential_key(key) {
        let real = s.chars().count() >= 8 && !is_placeholder(s) && !is_local(s);
        return real.then_some("credential");
    }
    // Cheap exits first: most shared values are neither locations nor endpoint keys.
    if !(s.contains(':') || s.contains('.')) || is_local(s) {
        return None;
    }
    // UAT configured with a host that names production (`api.prod.acme.io`).
    if looks_like_location(s) && names_production(s) {
        return Some("production host");
    }
    // `redis://cache:6379`: a compose service or Kubernetes Service name resolves inside each
    // environment's own network, so the same text reaches a different server on each side.
    if url_host(s).is_some_and(is_service_name) {
        return None;
    }
    let lower = s.to_ascii_lowercase();
    const DB_SCHEMES: &[&str] = &[
        "postgres://",
        "postgresql://",
        "mysql://",
        "mariadb://",
        "jdbc:",
        "mongodb://",
        "mongodb+srv://",
        "redis://",
        "rediss://",
        "amqp://",
        "amqps://",
        "sqlserver://",
        "oracle:",
        "cassandra://",
        "kafka://",
        "nats://",
    ];
    if DB_SCHEMES.iter().any(|p| lower.starts_with(p)) {
        return Some("database");
    }
    if !(looks_like_location(s) || is_endpoint_key(key)) {
        return None;
    }
    let registry = words
        .iter()
        .any(|w| matches!(w.as_str(), "eureka" | "consul" | "zookeeper" | "etcd"))
        || words
            .windows(2)
            .any(|w| w[0] == "cloud" && w[1] == "config")
        || words.iter().any(|w| w == "configserver");
    if registry {
        return Some("service registry or config server");
    }
    let store = words.iter().any(|w| {
        matches!(
            w.as_str(),
            "db" | "database"
                | "datasource"
                | "jdbc"
                | "redis"
                | "mongo"
                | "mongodb"
                | "postgres"
                | "postgresql"
                | "pg"
                | "mysql"
                | "sql"
                | "amqp"
                | "rabbit"
                | "rabbitmq"
                | "kafka"
                | "elasticsearch"
                | "elastic"
                | "cache"
                | "memcached"
                | "dsn"
                | "connection"
                | "bootstrap"
        )
    });
    store.then_some("database host")
}

/// Loopback and test hosts: not a *shared* endpoint (policies report them in production).
fn is_local(s: &str) -> bool {
    keys::mentions(s, &["localhost", "127.0.0.1", "0.0.0.0", "[::1]"])
}

/// Whether a value names production as a whole token (`db.prod.acme.io`, `api-production`;
/// not `db.pre-prod.acme.io`).
fn names_production(s: &str) -> bool {
    envtok::env_runs(s)
        .into_iter()
        .any(|(a, b)| envtok::env_of_token(&s[a..b]) == Some(envtok::Env::Prod))
}

/// The host of `scheme://[user[:password]@]host[:port][/…]` (also `jdbc:postgresql://…`).
fn url_host(s: &str) -> Option<&str> {
    let rest = &s[s.find("://")? + 3..];
    let authority = rest.split(['/', '?', '#']).next()?;
    let host_port = authority.rsplit('@').next()?;
    if host_port.starts_with('[') {
        return host_port
            .split(']')
            .next()
            .map(|h| h.trim_start_matches('['));
    }
    // A list of hosts (`mongodb://a:27017,b:27017`) is judged by its first.
    let first = host_port.split(',').next()?;
    first.split(':').next()
}

/// A single-label host name (`cache`, `db`, `orders-postgresql`): resolved by the environment's
/// own DNS (compose network, Kubernetes namespace), never the same server on both sides.
fn is_service_name(host: &str) -> bool {
    !host.is_empty()
        && !host.contains('.')
        && host.bytes().any(|b| b.is_ascii_alphabetic())
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Words naming telemetry and error tracking: their endpoints are shared across environments.
const OBSERVABILITY_WORDS: &[&str] = &[
    "sentry",
    "otel",
    "otlp",
    "opentelemetry",
    "telemetry",
    "jaeger",
    "zipkin",
    "datadog",
    "dd",
    "newrelic",
    "prometheus",
    "grafana",
    "loki",
    "tempo",
    "honeycomb",
    "apm",
    "tracing",
    "metrics",
    "applicationinsights",
    "instrumentationkey",
    "bugsnag",
    "rollbar",
];

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> Value {
        Value::String(s.into())
    }

    #[test]
    fn service_names_resolve_per_environment() {
        assert_eq!(shared("/QUEUE_URL", &text("redis://cache:6379/0")), None);
        assert_eq!(
            shared("/DATABASE_URL", &text("postgres://app@db:5432/app")),
            None
        );
        assert_eq!(
            shared("/DATABASE_URL", &text("postgres://app@db.acme.io:5432/app")),
            Some("database")
        );
        // A service name that says production is still production.
        assert_eq!(
            shared("/DATABASE_URL", &text("postgres://app@db-prod:5432/app")),
            Some("production host")
        );
        assert_eq!(url_host("mongodb://u:p@a:27017,b:27017/x"), Some("a"));
        assert_eq!(
            url_host("jdbc:postgresql://pg.acme.io:5432/x"),
            Some("pg.acme.io")
        );
        assert_eq!(url_host("http://[::1]:80/"), Some("::1"));
    }

    #[test]
    fn registries_shared_telemetry_not() {
        assert_eq!(
            shared(
                "/eureka/client/serviceUrl/defaultZone",
                &text("https://eureka.acme.io/eureka")
            ),
            Some("service registry or config server")
        );
        assert_eq!(
            shared("/SENTRY_DSN", &text("https://abc@o1.ingest.sentry.io/42")),
            None
        );
    }
}
