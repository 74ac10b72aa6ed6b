//! Maven `pom.xml`: every `<dependency>` with an explicit version — written out, or a
//! `${property}` defined in the POM's `<properties>` (and `${project.version}`). A dependency
//! whose version comes from a parent POM or an imported BOM, or is a range (`[1.0,2.0)`), has
//! no version this file decides: it is reported as a note, not guessed. Names are
//! `groupId:artifactId`, as OSV's Maven ecosystem spells them.

use std::collections::HashMap;

use super::super::lockfile::LockError;
use super::{at, Locked, Note, Parsed};

pub(super) fn parse(text: &str) -> Result<Parsed, LockError> {
    let doc = roxmltree::Document::parse(text)
        .map_err(|e| at(e.pos().row, format!("invalid XML: {e}")))?;
    let root = doc.root_element();
    if root.tag_name().name() != "project" {
        return Err(at(
            doc.text_pos_at(root.range().start).row,
            format!(
                "not a Maven POM: the root element is <{}>",
                root.tag_name().name()
            ),
        ));
    }
    let child_text = |n: roxmltree::Node<'_, '_>, name: &str| -> Option<String> {
        n.children()
            .find(|c| c.is_element() && c.tag_name().name() == name)
            .and_then(|c| c.text())
            .map(|t| t.trim().to_string())
    };
    let mut props: HashMap<String, String> = HashMap::new();
    let parent = root
        .children()
        .find(|c| c.is_element() && c.tag_name().name() == "parent");
    if let Some(v) =
        child_text(root, "version").or_else(|| parent.and_then(|p| child_text(p, "version")))
    {
        props.insert("project.version".into(), v.clone());
        props.insert("version".into(), v.clone());
        props.insert("pom.version".into(), v);
    }
    if let Some(v) = parent.and_then(|p| child_text(p, "version")) {
        props.insert("project.parent.version".into(), v);
    }
    if let Some(g) =
        child_text(root, "groupId").or_else(|| parent.and_then(|p| child_text(p, "groupId")))
    {
        props.insert("project.groupId".into(), g);
    }
    for p in root
        .descendants()
        .filter(|n| n.is_element() && n.tag_name().name() == "properties")
    {
        for c in p.children().filter(|c| c.is_element()) {
            props.insert(
                c.tag_name().name().to_string(),
                c.text().unwrap_or_default().trim().to_string(),
            );
        }
    }
    let mut out = Parsed::default();
    for d in root
        .descendants()
        .filter(|n| n.is_element() && n.tag_name().name() == "dependency")
    {
        let line = doc.text_pos_at(d.range().start).row;
        let end_line = doc.text_pos_at(d.range().end.saturating_sub(1)).row;
        let group = child_text(d, "groupId").map(|g| resolve(&g, &props));
        let artifact = child_text(d, "artifactId").map(|a| resolve(&a, &props));
        let (Some(Some(group)), Some(Some(artifact))) = (group, artifact) else {
            return Err(at(
                line,
                "<dependency> without a resolvable groupId and artifactId",
            ));
        };
        let name = format!("{group}:{artifact}");
        let note = |message: String| Note { line, message };
        match child_text(d, "version") {
            None => out.notes.push(note(format!(
                "{name} has no version here (managed by a parent POM or BOM); not audited"
            ))),
            Some(v) => match resolve(&v, &props) {
                None => out.notes.push(note(format!(
                    "{name} {v}: the property is not defined in this POM; not audited"
                ))),
                Some(r) if r.starts_with(['[', '(']) => out
                    .notes
                    .push(note(format!("{name} {r} is a version range; not audited"))),
                Some(r) => out.packages.push(Locked {
                    name,
                    version: r,
                    line,
                    end_line,
                }),
            },
        }
    }
    Ok(out)
}

/// Replaces `${name}` with the property (up to 10 levels of indirection).
fn resolve(s: &str, props: &HashMap<String, String>) -> Option<String> {
    let mut s = s.to_string();
    for _ in 0..10 {
        let Some(start) = s.find("${") else {
            return Some(s);
        };
        let end = s[start..].find('}')? + start;
        let value = props.get(&s[start + 2..end])?;
        s.replace_range(start..=end, value);
    }
    None
}
