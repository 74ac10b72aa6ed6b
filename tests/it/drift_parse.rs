//! The drift parsers on realistic config files: typed values, key paths and exact positions,
//! and located errors for malformed files of every format.

use std::path::Path;

use stagegate::scanners::drift::model::{FlatConfig, Value};
use stagegate::scanners::drift::parse::{parse_bytes, Format, Limits, ParseError};

const DIR: &str = "tests/fixtures/drift/parse";

fn load(name: &str) -> Result<FlatConfig, ParseError> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(DIR).join(name);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let rel = format!("{DIR}/{name}");
    let format = Format::from_path(&rel).unwrap_or_else(|| panic!("no format for {rel}"));
    parse_bytes(&rel, &bytes, format, &Limits::default())
}

fn ok(name: &str) -> FlatConfig {
    load(name).unwrap_or_else(|e| panic!("{e}"))
}

/// (value, start line, start column, end line, end column) of `key`.
fn get(f: &FlatConfig, key: &str) -> (Value, u32, u32, u32, u32) {
    let e = f
        .entries
        .get(key)
        .unwrap_or_else(|| panic!("no {key} in {:#?}", f.entries.keys().collect::<Vec<_>>()));
    let l = &e.location;
    (
        e.value.clone(),
        l.start_line,
        l.start_column,
        l.end_line,
        l.end_column,
    )
}

fn s(v: &str) -> Value {
    Value::String(v.to_string())
}

#[test]
fn kubernetes_multi_document_yaml() {
    let f = ok("deployment-prod.yaml");
    let d = "/Deployment/shop/checkout";
    let c = "/Deployment/shop/checkout/spec/template/spec/containers";
    assert_eq!(get(&f, d), (Value::Map, 2, 1, 2, 11));
    assert_eq!(
        get(&f, &format!("{d}/apiVersion")),
        (s("apps/v1"), 2, 13, 2, 20)
    );
    assert_eq!(
        get(&f, &format!("{d}/spec/replicas")),
        (Value::Int(6), 11, 13, 11, 14)
    );
    assert_eq!(
        get(&f, &format!("{c}/name=app/image")),
        (s("registry.example.com/checkout:1.42.0"), 22, 18, 22, 54)
    );
    assert_eq!(
        get(&f, &format!("{c}/name=app/args/1")),
        (s("8080"), 23, 28, 23, 34)
    );
    assert_eq!(
        get(&f, &format!("{c}/name=app/env/name=LOG_LEVEL/value")),
        (s("info"), 26, 22, 26, 26)
    );
    assert_eq!(
        get(
            &f,
            &format!("{c}/name=app/env/name=DB_URL/valueFrom/secretKeyRef/key")
        ),
        (s("url"), 29, 56, 29, 59)
    );
    assert_eq!(
        get(&f, &format!("{c}/name=app/resources/limits/cpu")),
        (s("2"), 31, 27, 31, 30)
    );
    assert_eq!(get(&f, &format!("{c}/name=envoy/image")).1, 33);
    // Merge key and alias: values come from the anchor.
    let labels = format!("{d}/spec/template/metadata/labels");
    assert_eq!(
        get(&f, &format!("{labels}/tier")),
        (s("backend"), 9, 11, 9, 18)
    );
    assert_eq!(
        get(&f, &format!("{labels}/release")),
        (s("2026.11"), 18, 18, 18, 27)
    );
    assert_eq!(
        get(&f, &format!("{d}/spec/selector/matchLabels/app")).0,
        s("checkout")
    );
    // Other objects; a list without identity is indexed.
    assert_eq!(
        get(&f, "/Service/shop/checkout/spec/ports/0/port"),
        (Value::Int(443), 42, 13, 42, 16)
    );
    assert_eq!(
        get(&f, "/ConfigMap/-/checkout-config/data/TIMEOUT_MS"),
        (s("2500"), 51, 15, 51, 21)
    );
    assert!(f
        .entries
        .keys()
        .all(|k| ["/Deployment/", "/Service/", "/ConfigMap/"]
            .iter()
            .any(|p| k.starts_with(p))));
    assert!(f
        .entries
        .values()
        .all(|e| e.location.path == format!("{DIR}/deployment-prod.yaml")));
}

#[test]
fn dotenv_file() {
    let f = ok(".env.production");
    assert_eq!(get(&f, "/NODE_ENV"), (s("production"), 2, 10, 2, 20));
    assert_eq!(get(&f, "/PORT"), (s("8080"), 3, 13, 3, 17));
    assert_eq!(
        get(&f, "/API_URL"),
        (s("https://api.example.com/v1"), 4, 9, 4, 37)
    );
    assert_eq!(
        get(&f, "/REDIS_URL"),
        (s("${REDIS_HOST}:${REDIS_PORT}"), 6, 11, 6, 38)
    );
    assert_eq!(get(&f, "/FEATURE_X").0, s("on # not a comment"));
    assert_eq!(
        get(&f, "/TLS_CERT"),
        (
            s("-----BEGIN CERTIFICATE-----\nMIIB...\n-----END CERTIFICATE-----"),
            8,
            10,
            10,
            27
        )
    );
    assert_eq!(get(&f, "/EMPTY"), (s(""), 11, 7, 11, 7));
    assert_eq!(f.entries.len(), 8);
}

#[test]
fn properties_file() {
    let f = ok("application-prod.properties");
    assert_eq!(
        get(&f, "/spring.datasource.url"),
        (s("jdbc:postgresql://db.internal:5432/app"), 2, 23, 2, 61)
    );
    assert_eq!(
        get(&f, "/spring.datasource.username"),
        (s("app"), 3, 30, 3, 33)
    );
    assert_eq!(get(&f, "/server.port"), (s("8443"), 4, 14, 4, 18));
    assert_eq!(
        get(&f, "/management.endpoints.web.exposure.include"),
        (s("health,info,prometheus"), 5, 43, 7, 15)
    );
    assert_eq!(get(&f, "/app.greeting").0, s("Café ouvert"));
    assert_eq!(get(&f, "/logging.level.root"), (s("WARN"), 10, 22, 10, 26));
    assert_eq!(f.entries.len(), 6);
}

#[test]
fn ini_file() {
    let f = ok("app.ini");
    assert_eq!(get(&f, "/env"), (s("production"), 2, 7, 2, 17));
    assert_eq!(get(&f, "/database"), (Value::Map, 4, 2, 4, 10));
    assert_eq!(get(&f, "/database/port"), (s("5432"), 6, 8, 6, 12));
    assert_eq!(get(&f, "/cache \"sessions\"/ttl"), (s("3600"), 9, 6, 9, 10));
}

#[test]
fn toml_file() {
    let f = ok("config.toml");
    assert_eq!(get(&f, "/server/port"), (Value::Int(8443), 3, 8, 3, 12));
    assert_eq!(get(&f, "/server/tls"), (Value::Bool(true), 4, 7, 4, 11));
    assert_eq!(get(&f, "/server/started").0, s("2026-11-26T08:00:00Z"));
    assert_eq!(
        get(&f, "/database/pool/max"),
        (Value::Int(20), 9, 25, 9, 27)
    );
    assert_eq!(get(&f, "/upstreams"), (Value::List, 11, 3, 11, 12));
    assert_eq!(
        get(&f, "/upstreams/name=search/url"),
        (s("https://search.example.com"), 17, 7, 17, 35)
    );
}

#[test]
fn tfvars_file() {
    let f = ok("prod.tfvars");
    assert_eq!(get(&f, "/environment"), (s("production"), 1, 18, 1, 30));
    assert_eq!(get(&f, "/instance_count"), (Value::Int(6), 3, 18, 3, 19));
    assert_eq!(get(&f, "/enable_debug"), (Value::Bool(false), 4, 18, 4, 23));
    assert_eq!(
        get(&f, "/allowed_cidrs/1"),
        (s("10.1.0.0/16"), 5, 34, 5, 47)
    );
    assert_eq!(get(&f, "/tags/CostCenter"), (s("4242"), 9, 17, 9, 23));
    assert_eq!(
        get(&f, "/node_pools/name=spot/size"),
        (Value::Int(2), 19, 12, 19, 13)
    );
    assert_eq!(
        get(&f, "/user_data"),
        (s("#!/bin/sh\necho \"hello ${name}\"\n"), 23, 13, 26, 4)
    );
}

#[test]
fn json_file() {
    let f = ok("appsettings.Production.json");
    assert_eq!(
        get(&f, "/Logging/LogLevel/Default"),
        (s("Warning"), 3, 30, 3, 39)
    );
    assert_eq!(
        get(&f, "/Kestrel/Endpoints/Https/Url"),
        (s("https://0.0.0.0:443"), 6, 49, 6, 70)
    );
    assert_eq!(
        get(&f, "/Features/id=search/enabled"),
        (Value::Bool(false), 7, 88, 7, 93)
    );
    assert_eq!(get(&f, "/Retries"), (Value::Int(3), 8, 14, 8, 15));
    assert_eq!(get(&f, "/Ratio"), (Value::Float(0.75), 9, 12, 9, 16));
}

#[test]
fn malformed_files_are_located_errors() {
    let cases: &[(&str, u32, u32, &str)] = &[
        (
            "malformed/unterminated.env",
            2,
            3,
            "unterminated double-quoted value",
        ),
        ("malformed/bad-indent.yaml", 3, 6, "invalid YAML"),
        (
            "malformed/trailing-comma.json",
            3,
            13,
            "trailing comma before `]`",
        ),
        ("malformed/duplicate.toml", 3, 1, "duplicate key `port`"),
        ("malformed/bad-escape.properties", 2, 3, "\\uXXXX"),
        (
            "malformed/unterminated-section.ini",
            3,
            1,
            "unterminated section header",
        ),
        ("malformed/expression.tfvars", 2, 8, "only literal values"),
    ];
    for (name, line, col, msg) in cases {
        let e = load(name).expect_err(name);
        assert_eq!(e.path, format!("{DIR}/{name}"));
        assert_eq!((e.line, e.column), (*line, *col), "{e}");
        assert!(e.message.contains(msg), "{e}");
        assert!(
            e.to_string()
                .starts_with(&format!("{DIR}/{name}:{line}:{col}: ")),
            "{e}"
        );
    }
}

#[test]
fn the_same_logical_config_in_every_format_flattens_alike() {
    let l = Limits::default();
    let sources = [
        (Format::Yaml, "db:\n  host: h\n  port: 5432\n"),
        (Format::Json, "{\"db\": {\"host\": \"h\", \"port\": 5432}}"),
        (Format::Toml, "[db]\nhost = \"h\"\nport = 5432\n"),
        (Format::Tfvars, "db = {\n  host = \"h\"\n  port = 5432\n}\n"),
    ];
    for (format, text) in sources {
        let f = stagegate::scanners::drift::parse::parse("x", text, format, &l).unwrap();
        let keys: Vec<_> = f.entries.keys().cloned().collect();
        assert_eq!(keys, ["/db", "/db/host", "/db/port"], "{format}");
        assert_eq!(f.entries["/db/port"].value, Value::Int(5432), "{format}");
    }
    // Flat formats: strings, same paths.
    let flat = [
        (Format::Dotenv, "db.port=5432\n"),
        (Format::Properties, "db.port=5432\n"),
        (Format::Ini, "db.port=5432\n"),
    ];
    for (format, text) in flat {
        let f = stagegate::scanners::drift::parse::parse("x", text, format, &l).unwrap();
        assert_eq!(f.entries["/db.port"].value, s("5432"), "{format}");
    }
}
