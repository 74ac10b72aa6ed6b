//! node-config (`config/default.json` under `config/<env>.json`) and similar `default.*` bases.
//!
//! node-config loads `default.<ext>` first and the file named after `NODE_ENV` over it, so a
//! key only in `default.json` still runs in both environments and must be compared.

use std::collections::BTreeSet;

/// Extensions node-config (and its YAML/TOML siblings) reads that the drift parsers know.
const EXTS: &[&str] = &["json", "yaml", "yml", "toml"];

/// The base of a file pair whose name shape is `{env}.<ext>` in folder `dir`: `default.<ext>`
/// when it exists.
pub fn base_for(dir: &str, shape: &str, files: &BTreeSet<String>) -> Option<String> {
    let ext = shape.strip_prefix("{env}.")?;
    if !EXTS.contains(&ext.to_ascii_lowercase().as_str()) {
        return None;
    }
    let base = if dir.is_empty() {
        format!("default.{ext}")
    } else {
        format!("{dir}/default.{ext}")
    };
    files.contains(&base).then_some(base)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_json_is_the_base() {
        let files: BTreeSet<String> = ["config/default.json", "config/staging.json"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(
            base_for("config", "{env}.json", &files).as_deref(),
            Some("config/default.json")
        );
        assert_eq!(base_for("config", "{env}.yaml", &files), None);
        assert_eq!(base_for("config", "app-{env}.json", &files), None);
    }
}
