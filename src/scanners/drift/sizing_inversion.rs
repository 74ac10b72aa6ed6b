//! `drift/sizing-inversion`: replica counts, Kubernetes CPU/memory quantities and instance
//! classes, so that "production smaller than UAT" is found and "production bigger than UAT"
//! stays quiet.

use super::keys::key_words;
use super::model::Value;

/// What kind of size a key holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SizeKind {
    /// A count (replicas, instances, nodes).
    Count,
    /// A Kubernetes quantity (`500m`, `1Gi`).
    Quantity,
    /// A cloud instance class (`db.t3.large`, `m5.xlarge`, `n2-standard-4`).
    InstanceClass,
}

/// The size kind of a key, from its name.
pub fn size_kind(key_path: &str) -> Option<SizeKind> {
    if super::keys::hints(super::keys::last_segment(key_path)) & super::keys::H_SIZE == 0 {
        return None;
    }
    let words = key_words(key_path);
    let joined: String = words.concat();
    match joined.as_str() {
        "replicas" | "replicacount" | "minreplicas" | "maxreplicas" | "instances"
        | "instancecount" | "nodecount" | "minsize" | "maxsize" | "desiredcapacity"
        | "desiredsize" | "workers" | "workercount" | "poolsize" | "maxpoolsize"
        | "minpoolsize" | "maximumpoolsize" | "maxconnections" | "concurrency" | "minnodes"
        | "maxnodes" | "numnodes" | "shards" => return Some(SizeKind::Count),
        "cpu" | "memory" | "ephemeralstorage" | "storage" => return Some(SizeKind::Quantity),
        _ => {}
    }
    if joined.ends_with("instanceclass")
        || joined.ends_with("instancetype")
        || joined.ends_with("machinetype")
        || joined.ends_with("vmsize")
        || joined.ends_with("nodetype")
        || joined.ends_with("nodesize")
    {
        return Some(SizeKind::InstanceClass);
    }
    None
}

/// A Kubernetes quantity in base units (cores, bytes): `500m` → 0.5, `1Gi` → 2^30, `1e3` → 1000.
pub fn parse_quantity(s: &str) -> Option<f64> {
    let s = s.trim();
    let split = s
        .find(|c: char| c.is_ascii_alphabetic() && c != 'e' && c != 'E')
        .unwrap_or(s.len());
    let (num, suffix) = s.split_at(split);
    let n: f64 = num.parse().ok()?;
    let mult = match suffix {
        "" => 1.0,
        "n" => 1e-9,
        "u" => 1e-6,
        "m" => 1e-3,
        "k" | "K" => 1e3,
        "M" => 1e6,
        "G" => 1e9,
        "T" => 1e12,
        "P" => 1e15,
        "E" => 1e18,
        "Ki" => 1024.0,
        "Mi" => 1024f64.powi(2),
        "Gi" => 1024f64.powi(3),
        "Ti" => 1024f64.powi(4),
        "Pi" => 1024f64.powi(5),
        "Ei" => 1024f64.powi(6),
        _ => return None,
    };
    n.is_finite().then_some(n * mult)
}

/// `(family, rank)` of an instance class; two classes compare only within a family.
pub fn instance_rank(s: &str) -> Option<(String, f64)> {
    let s = s.trim().to_ascii_lowercase();
    // AWS style: family.size (db.t3.large, m5.2xlarge, cache.r6g.xlarge).
    if let Some((family, size)) = s.rsplit_once('.') {
        let rank = match size {
            "nano" => 0.0,
            "micro" => 1.0,
            "small" => 2.0,
            "medium" => 3.0,
            "large" => 4.0,
            "xlarge" => 5.0,
            other => {
                let n: f64 = other.strip_suffix("xlarge")?.parse().ok()?;
                4.0 + n
            }
        };
        return Some((family.to_string(), rank));
    }
    // GCP style: family-N (n2-standard-4, e2-highmem-16).
    let (family, n) = s.rsplit_once('-')?;
    let n: f64 = n.parse().ok()?;
    Some((family.to_string(), n))
}

/// Numeric size of a value of `kind`, with its family for instance classes.
pub fn measure(kind: SizeKind, v: &Value) -> Option<(String, f64)> {
    match (kind, v) {
        (SizeKind::Count | SizeKind::Quantity, Value::Int(i)) => Some((String::new(), *i as f64)),
        (SizeKind::Count | SizeKind::Quantity, Value::Float(f)) => Some((String::new(), *f)),
        (SizeKind::Count, Value::String(s)) => {
            s.trim().parse::<f64>().ok().map(|n| (String::new(), n))
        }
        (SizeKind::Quantity, Value::String(s)) => parse_quantity(s).map(|n| (String::new(), n)),
        (SizeKind::InstanceClass, Value::String(s)) => instance_rank(s),
        _ => None,
    }
}

/// Whether production (`prod`) is smaller than UAT (`uat`) for a key of `kind`; `None` when the
/// two cannot be compared (different families, unparsable).
pub fn is_inverted(kind: SizeKind, uat: &Value, prod: &Value) -> Option<bool> {
    let (fu, u) = measure(kind, uat)?;
    let (fp, p) = measure(kind, prod)?;
    if fu == fp {
        return Some(p < u);
    }
    // Across families only one direction is certain: production moved to a burstable class
    // (`db.r6g.xlarge` → `db.t3.medium`) of no larger size.
    let split = |f: &str| match f.rsplit_once('.') {
        Some((svc, class)) => (svc.to_string(), class.to_string()),
        None => (String::new(), f.to_string()),
    };
    let burstable = |class: &str| {
        class.starts_with('t') && class[1..].starts_with(|c: char| c.is_ascii_digit())
    };
    let ((su, cu), (sp, cp)) = (split(&fu), split(&fp));
    (kind == SizeKind::InstanceClass && su == sp && burstable(&cp) && !burstable(&cu) && p <= u)
        .then_some(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities() {
        assert_eq!(parse_quantity("500m"), Some(0.5));
        assert_eq!(parse_quantity("2"), Some(2.0));
        assert_eq!(parse_quantity("1Gi"), Some(1073741824.0));
        assert_eq!(parse_quantity("512Mi"), Some(536870912.0));
        assert_eq!(parse_quantity("1e3"), Some(1000.0));
        assert_eq!(parse_quantity("1G"), Some(1e9));
        assert_eq!(parse_quantity("lots"), None);
        assert_eq!(parse_quantity("1Zi"), None);
        assert!(parse_quantity("512Mi") < parse_quantity("1Gi"));
    }

    #[test]
    fn kinds_from_key_names() {
        assert_eq!(size_kind("/spec/replicas"), Some(SizeKind::Count));
        assert_eq!(size_kind("/replicaCount"), Some(SizeKind::Count));
        assert_eq!(
            size_kind("/x/resources/limits/memory"),
            Some(SizeKind::Quantity)
        );
        assert_eq!(
            size_kind("/db_instance_class"),
            Some(SizeKind::InstanceClass)
        );
        assert_eq!(size_kind("/DEBUG"), None);
    }

    #[test]
    fn inversions() {
        let s = |x: &str| Value::String(x.into());
        assert_eq!(
            is_inverted(SizeKind::Count, &Value::Int(3), &Value::Int(2)),
            Some(true)
        );
        assert_eq!(
            is_inverted(SizeKind::Count, &Value::Int(2), &Value::Int(6)),
            Some(false)
        );
        assert_eq!(
            is_inverted(SizeKind::Quantity, &s("1Gi"), &s("512Mi")),
            Some(true)
        );
        assert_eq!(
            is_inverted(SizeKind::Quantity, &s("500m"), &s("1")),
            Some(false)
        );
        assert_eq!(
            is_inverted(
                SizeKind::InstanceClass,
                &s("db.t3.large"),
                &s("db.t3.medium")
            ),
            Some(true)
        );
        assert_eq!(
            is_inverted(SizeKind::InstanceClass, &s("m5.xlarge"), &s("m5.2xlarge")),
            Some(false)
        );
        assert_eq!(
            is_inverted(
                SizeKind::InstanceClass,
                &s("n2-standard-8"),
                &s("n2-standard-4")
            ),
            Some(true)
        );
        assert_eq!(
            is_inverted(
                SizeKind::InstanceClass,
                &s("db.t3.large"),
                &s("db.r6g.medium")
            ),
            None
        );
        // Down to a burstable family: an inversion whatever the family.
        assert_eq!(
            is_inverted(
                SizeKind::InstanceClass,
                &s("db.r6g.xlarge"),
                &s("db.t3.medium")
            ),
            Some(true)
        );
        assert_eq!(
            is_inverted(SizeKind::InstanceClass, &s("m6i.large"), &s("t3.large")),
            Some(true)
        );
        assert_eq!(
            is_inverted(
                SizeKind::InstanceClass,
                &s("db.t3.medium"),
                &s("db.r6g.large")
            ),
            None
        );
    }
}
