//! `--target TRIPLE` → the `arch` and `os` names RustSec's `[affected]` table uses.

/// The architecture and OS of a target triple, when recognised.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Target {
    /// `x86_64`, `aarch64`, `x86`, `arm`, `wasm32`…
    pub arch: Option<String>,
    /// `linux`, `windows`, `macos`, `ios`, `android`…
    pub os: Option<String>,
}

impl Target {
    /// Parses `x86_64-unknown-linux-gnu`, `aarch64-apple-darwin`, `i686-pc-windows-msvc`…
    pub fn from_triple(triple: &str) -> Target {
        let parts: Vec<&str> = triple.trim().split('-').collect();
        let arch = parts
            .first()
            .map(|a| arch_name(a))
            .filter(|a| !a.is_empty());
        // `armv7-linux-androideabi`: Android is also Linux; the more specific name wins.
        let rest = parts.get(1..).unwrap_or_default();
        let os = if rest.iter().any(|p| p.starts_with("android")) {
            Some("android".to_string())
        } else {
            rest.iter().find_map(|p| os_name(p)).map(String::from)
        };
        Target { arch, os }
    }

    /// Whether an advisory restricted to `os` / `arch` (empty = all) applies to this target.
    /// An unknown arch or OS never excludes an advisory.
    pub fn is_affected(&self, os: &[String], arch: &[String]) -> bool {
        let arch_ok = arch.is_empty() || self.arch.as_ref().is_none_or(|a| arch.contains(a));
        let os_ok = os.is_empty() || self.os.as_ref().is_none_or(|o| os.contains(o));
        arch_ok && os_ok
    }
}

fn arch_name(a: &str) -> String {
    match a {
        "i386" | "i586" | "i686" | "x86" => "x86".into(),
        "arm64" | "aarch64" => "aarch64".into(),
        a if a.starts_with("armv7")
            || a.starts_with("armv6")
            || a.starts_with("armv5")
            || a.starts_with("thumbv")
            || a == "arm" =>
        {
            "arm".into()
        }
        a if a.starts_with("riscv64") => "riscv64".into(),
        a if a.starts_with("riscv32") => "riscv32".into(),
        "powerpc64le" => "powerpc64".into(),
        other => other.to_string(),
    }
}

fn os_name(p: &str) -> Option<&'static str> {
    Some(match p {
        "linux" => "linux",
        "android" | "androideabi" => "android",
        "windows" => "windows",
        "darwin" | "macos" => "macos",
        "ios" => "ios",
        "freebsd" => "freebsd",
        "netbsd" => "netbsd",
        "openbsd" => "openbsd",
        "dragonfly" => "dragonfly",
        "solaris" => "solaris",
        "illumos" => "illumos",
        "fuchsia" => "fuchsia",
        "wasi" | "wasip1" | "wasip2" => "wasi",
        "emscripten" => "emscripten",
        "redox" => "redox",
        "haiku" => "haiku",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn triples() {
        let t = Target::from_triple("x86_64-unknown-linux-gnu");
        assert_eq!(
            (t.arch.as_deref(), t.os.as_deref()),
            (Some("x86_64"), Some("linux"))
        );
        let t = Target::from_triple("aarch64-apple-darwin");
        assert_eq!(
            (t.arch.as_deref(), t.os.as_deref()),
            (Some("aarch64"), Some("macos"))
        );
        let t = Target::from_triple("i686-pc-windows-msvc");
        assert_eq!(
            (t.arch.as_deref(), t.os.as_deref()),
            (Some("x86"), Some("windows"))
        );
        let t = Target::from_triple("armv7-linux-androideabi");
        assert_eq!(
            (t.arch.as_deref(), t.os.as_deref()),
            (Some("arm"), Some("android"))
        );
    }

    #[test]
    fn affected_filters() {
        let linux = Target::from_triple("x86_64-unknown-linux-gnu");
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert!(linux.is_affected(&[], &[]));
        assert!(linux.is_affected(&s(&["linux", "macos"]), &[]));
        assert!(!linux.is_affected(&s(&["windows"]), &[]));
        assert!(!linux.is_affected(&[], &s(&["x86"])));
        let unknown = Target::from_triple("weird");
        assert!(unknown.is_affected(&s(&["windows"]), &[]));
    }
}
