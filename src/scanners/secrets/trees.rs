//! The history's commit walk in-process: which files each commit added or changed, found by
//! diffing its tree against its parents' trees read straight from the pack files.
//!
//! `git diff-tree -r -m --raw` spent most of its time inflating trees and re-walking their delta
//! chains (its delta-base cache holds bases, not the trees it has already diffed), then
//! printing what our side parsed again. Here each tree is decoded from the packs once (a small
//! cache of decoded trees keeps what the next commits need: walking oldest first, the tree
//! wanted next is usually the base of the one just decoded), and the diff compares entries by
//! id, so an unchanged subtree is skipped without being read. For every commit it reports what
//! `git diff-tree --root -r --no-renames --raw` reports against the first parent, in the same
//! order: each path whose mode or id differs (everything, for a root commit), depth first in
//! git's tree order (a directory sorts as its name followed by `/`), with git's canonical modes
//! (`100664` is `100644`). Only regular files are reported: gitlinks (submodules) and symbolic
//! links are skipped, as the `git` walk skips them.
//!
//! A merge is diffed against its first parent only, where `git diff-tree -m` also lists the
//! diffs against the others, and the first sightings are the same: a blob at a path where the
//! merge equals its first parent is in that parent's tree at that path, and the walk (parents
//! before children) has already seen it there. For the same reason reporting more paths than
//! changed would be harmless; missing one, or reporting a commit's paths out of tree order,
//! would not be.
//!
//! Anything it cannot read (a tree neither packed nor loose, a truncated or malformed tree, a
//! delta whose base is in another pack) is an error, and the caller falls back to `git
//! diff-tree` from that commit on.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use super::loose;
use super::pack::{self, Oid, PackFile};

/// One commit of the walk, as `git rev-list --format` ([`REV_FORMAT`]) printed it.
pub struct Commit {
    /// Full hexadecimal id.
    pub id: String,
    pub tree: Oid,
    pub parents: Vec<Oid>,
    /// Committer date, strict ISO 8601 (`%cI`).
    pub date: String,
    /// `%an <%ae>`.
    pub author: String,
}

/// The `--format` of `git rev-list` for [`parse_revs`]: id, tree, parents, date, author.
pub const REV_FORMAT: &str = "--format=%x01%H%x00%T%x00%P%x00%cI%x00%an <%ae>%x00";

/// Parses `git rev-list --format=REV_FORMAT` output (each record follows a `commit <id>` line,
/// which is ignored).
pub fn parse_revs(out: &[u8]) -> Result<Vec<Commit>, String> {
    let mut commits = Vec::new();
    for record in out.split(|&b| b == 1).skip(1) {
        let mut f = record.split(|&b| b == 0);
        let (Some(id), Some(tree), Some(parents), Some(date), Some(author)) =
            (f.next(), f.next(), f.next(), f.next(), f.next())
        else {
            return Err("unexpected `git rev-list` output".to_string());
        };
        let oid = |hex_id: &[u8]| {
            let mut oid = [0u8; 20];
            hex::decode_to_slice(hex_id, &mut oid)
                .map(|()| oid)
                .map_err(|_| "unexpected object id in `git rev-list` output".to_string())
        };
        oid(id)?;
        commits.push(Commit {
            id: String::from_utf8_lossy(id).into_owned(),
            tree: oid(tree)?,
            parents: parents
                .split(|&b| b == b' ')
                .filter(|p| !p.is_empty())
                .map(oid)
                .collect::<Result<_, _>>()?,
            date: String::from_utf8_lossy(date).into_owned(),
            author: String::from_utf8_lossy(author).into_owned(),
        });
    }
    Ok(commits)
}

/// Largest tree read (a corrupt size header must not size an allocation).
const TREE_LIMIT: u64 = 256 << 20;

/// Bytes of decoded trees kept for the next commits, as much as the `git` walk's delta-base
/// cache. On the 23k-commit benchmark (217 MB of trees), walking oldest first, 6 MB already
/// decodes every tree once (34,152 inflated entries for 34,143 trees) and 4 MB six times over.
const CACHE_BUDGET: usize = 16 << 20;

/// Deepest tree nesting followed (a hostile repository must not exhaust the stack).
const MAX_DEPTH: usize = 1024;

/// Reads trees by id from the packs (then loose objects), keeping recently decoded ones.
pub struct TreeReader<'a> {
    packs: &'a [PackFile],
    objects: &'a Path,
    /// Decoded object (tree, or a delta chain's intermediate), and when it was last used.
    /// By id, so a tree read again (every commit's parent was the commit before's tree) costs
    /// one lookup, not a search of the packs' indexes.
    cache: HashMap<Oid, (Arc<Vec<u8>>, u64), pack::OidHash>,
    bytes: usize,
    tick: u64,
    /// How many pack entries were inflated (for the benchmark's figures).
    pub inflated: u64,
}

/// A tree entry: canonical mode, name, id.
struct Entry<'t> {
    mode: u32,
    name: &'t [u8],
    oid: &'t [u8],
    /// The whole entry as stored (equal bytes: the same entry).
    raw: &'t [u8],
}

const S_IFMT: u32 = 0o170000;
const S_IFDIR: u32 = 0o040000;
const S_IFREG: u32 = 0o100000;
const S_IFLNK: u32 = 0o120000;
const S_IFGITLINK: u32 = 0o160000;

/// Git's `canon_mode`: what a tree entry's mode means.
fn canon(mode: u32) -> u32 {
    match mode & S_IFMT {
        S_IFREG => S_IFREG | if mode & 0o100 != 0 { 0o755 } else { 0o644 },
        S_IFLNK => S_IFLNK,
        S_IFDIR => S_IFDIR,
        _ => S_IFGITLINK,
    }
}

/// The entries of a raw tree, or `None` at a malformed one.
struct Entries<'t> {
    rest: &'t [u8],
}

impl<'t> Iterator for Entries<'t> {
    type Item = Result<Entry<'t>, String>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.rest.is_empty() {
            return None;
        }
        Some(self.parse().ok_or_else(|| {
            self.rest = &[];
            "malformed tree".to_string()
        }))
    }
}

impl<'t> Entries<'t> {
    fn parse(&mut self) -> Option<Entry<'t>> {
        let all = self.rest;
        let sp = memchr::memchr(b' ', all)?;
        let nul = sp + 1 + memchr::memchr(0, all.get(sp + 1..)?)?;
        let end = nul + 21;
        let oid = all.get(nul + 1..end)?;
        let mut mode = 0u32;
        for &d in all.get(..sp)? {
            if !(b'0'..=b'7').contains(&d) || mode > 0o7777777 {
                self.rest = &[];
                return None;
            }
            mode = mode * 8 + u32::from(d - b'0');
        }
        let name = all.get(sp + 1..nul)?;
        if sp == 0 || name.is_empty() {
            return None;
        }
        self.rest = &all[end..];
        Some(Entry {
            mode: canon(mode),
            name,
            oid,
            raw: &all[..end],
        })
    }
}

/// Git's `base_name_compare`: names compared bytewise, a directory as if followed by `/`.
fn order(a: &Entry<'_>, b: &Entry<'_>) -> std::cmp::Ordering {
    let n = a.name.len().min(b.name.len());
    match a.name[..n].cmp(&b.name[..n]) {
        std::cmp::Ordering::Equal => {}
        other => return other,
    }
    let end = |e: &Entry<'_>| match e.name.get(n) {
        Some(&c) => c,
        None if e.mode == S_IFDIR => b'/',
        None => 0,
    };
    end(a).cmp(&end(b))
}

/// Length of the longest run of whole entries `a` and `b` start with alike.
fn common_entries(a: &[u8], b: &[u8]) -> usize {
    let mut same = 0;
    for (x, y) in a.chunks(64).zip(b.chunks(64)) {
        if x == y {
            same += x.len();
        } else {
            same += x.iter().zip(y).take_while(|(p, q)| p == q).count();
            break;
        }
    }
    // Back to the last entry boundary: an entry ends 20 bytes after the NUL ending its name.
    let mut at = 0;
    while let Some(nul) = a.get(at..same).and_then(|r| memchr::memchr(0, r)) {
        let end = at + nul + 21;
        if end > same {
            break;
        }
        at = end;
    }
    at
}

fn oid_from(bytes: &[u8]) -> Option<Oid> {
    bytes.try_into().ok()
}

impl<'a> TreeReader<'a> {
    pub fn new(packs: &'a [PackFile], objects: &'a Path) -> Self {
        TreeReader {
            packs,
            objects,
            cache: HashMap::default(),
            bytes: 0,
            tick: 0,
            inflated: 0,
        }
    }

    fn cached(&mut self, key: &Oid) -> Option<Arc<Vec<u8>>> {
        self.tick += 1;
        let tick = self.tick;
        self.cache.get_mut(key).map(|(v, t)| {
            *t = tick;
            Arc::clone(v)
        })
    }

    fn keep(&mut self, key: Oid, content: Vec<u8>) -> Arc<Vec<u8>> {
        let content = Arc::new(content);
        self.bytes += content.len();
        self.tick += 1;
        if let Some((old, _)) = self.cache.insert(key, (Arc::clone(&content), self.tick)) {
            self.bytes -= old.len();
        }
        if self.bytes > CACHE_BUDGET {
            // Drop the least recently used half (by bytes), all at once.
            let mut ages: Vec<(u64, usize)> =
                self.cache.values().map(|(v, t)| (*t, v.len())).collect();
            ages.sort_unstable_by_key(|&(t, _)| std::cmp::Reverse(t));
            let mut kept = 0;
            let mut cutoff = 0;
            for (t, len) in ages {
                kept += len;
                if kept > CACHE_BUDGET / 2 {
                    cutoff = t;
                    break;
                }
            }
            self.cache.retain(|_, (_, t)| *t > cutoff);
            self.bytes = self.cache.values().map(|(v, _)| v.len()).sum();
        }
        content
    }

    /// The raw content of tree `oid`.
    pub fn tree(&mut self, oid: &Oid) -> Result<Arc<Vec<u8>>, String> {
        if let Some(hit) = self.cached(oid) {
            return Ok(hit);
        }
        let found = self
            .packs
            .iter()
            .enumerate()
            .find_map(|(p, pack)| pack.find(oid).map(|i| (p as u32, i)));
        let read = match found {
            Some((p, i)) => self.packed(p, i),
            None => self.loose(oid),
        };
        read.ok_or_else(|| format!("tree {} not readable in-process", hex::encode(oid)))
    }

    fn loose(&mut self, oid: &Oid) -> Option<Arc<Vec<u8>>> {
        let content = loose::read_object(self.objects, &hex::encode(oid), "tree", TREE_LIMIT)?;
        Some(self.keep(*oid, content))
    }

    /// Entry `i` of pack `p` decoded: its delta chain is followed down to a cached object or
    /// a whole tree, then applied back up, every step kept in the cache.
    fn packed(&mut self, p: u32, i: u32) -> Option<Arc<Vec<u8>>> {
        let pack = self.packs.get(p as usize)?;
        let mut chain = vec![i];
        let mut base = loop {
            let top = *chain.last()?;
            match pack.kind_and_base(top)? {
                (pack::OBJ_TREE, None) => {
                    chain.pop();
                    self.inflated += 1;
                    let content = pack.data(top, TREE_LIMIT)?;
                    break self.keep(*pack.oid_at(top)?, content);
                }
                (_, Some(b)) => {
                    if let Some(hit) = self.cached(pack.oid_at(b)?) {
                        break hit;
                    }
                    if chain.len() > 100_000 {
                        return None;
                    }
                    chain.push(b);
                }
                // A blob or commit where a tree was named: not ours to read.
                _ => return None,
            }
        };
        while let Some(d) = chain.pop() {
            self.inflated += 1;
            let delta = pack.data(d, TREE_LIMIT)?;
            let content = pack::apply_delta(&base, &delta, TREE_LIMIT)?;
            base = self.keep(*pack.oid_at(d)?, content);
        }
        Some(base)
    }

    /// Calls `found(blob, path)` for every regular file of tree `tree` that differs from the
    /// same path in `first_parent`'s tree (`None`: a root commit, every file), in tree order.
    pub fn changed_files(
        &mut self,
        tree: &Oid,
        first_parent: Option<&Oid>,
        found: &mut dyn FnMut(&Oid, &[u8]),
    ) -> Result<(), String> {
        if first_parent == Some(tree) {
            return Ok(());
        }
        let new = self.tree(tree)?;
        let old = first_parent.map(|p| self.tree(p)).transpose()?;
        self.diff(
            &new,
            old.as_deref().map(Vec::as_slice),
            &mut Vec::new(),
            0,
            found,
        )
    }

    /// Diffs raw tree `new` against `old` (`None`: empty) under `path`.
    fn diff(
        &mut self,
        new: &[u8],
        old: Option<&[u8]>,
        path: &mut Vec<u8>,
        depth: usize,
        found: &mut dyn FnMut(&Oid, &[u8]),
    ) -> Result<(), String> {
        if depth > MAX_DEPTH {
            return Err("trees nested too deep".to_string());
        }
        let old = old.unwrap_or(&[]);
        // Entries in a common prefix are the same entries: skipped without parsing them.
        let same = common_entries(new, old);
        let mut a = Entries { rest: &new[same..] };
        let mut b = Entries { rest: &old[same..] };
        let mut x = a.next().transpose()?;
        let mut y = b.next().transpose()?;
        // Whether to test for a common rest (once after each change, not at every entry).
        let mut check = false;
        loop {
            // After a change, the rest of both trees is often the same bytes: done.
            if let (true, Some(n), Some(o)) = (check, &x, &y) {
                check = false;
                if n.raw.len() + a.rest.len() == o.raw.len() + b.rest.len()
                    && n.raw == o.raw
                    && a.rest == b.rest
                {
                    return Ok(());
                }
            }
            match (&x, &y) {
                (None, None) => return Ok(()),
                (Some(n), Some(o)) if n.raw == o.raw => {
                    x = a.next().transpose()?;
                    y = b.next().transpose()?;
                }
                (Some(n), o) => {
                    check = true;
                    let cmp = o.as_ref().map_or(std::cmp::Ordering::Less, |o| order(n, o));
                    match cmp {
                        std::cmp::Ordering::Greater => {
                            y = b.next().transpose()?;
                            continue;
                        }
                        std::cmp::Ordering::Equal => {
                            let o = o.as_ref().ok_or("malformed tree")?;
                            if n.mode != o.mode || n.oid != o.oid {
                                self.changed(n, Some(o.oid), path, depth, found)?;
                            }
                            y = b.next().transpose()?;
                        }
                        std::cmp::Ordering::Less => self.changed(n, None, path, depth, found)?,
                    }
                    x = a.next().transpose()?;
                }
                (None, Some(_)) => y = b.next().transpose()?,
            }
        }
    }

    /// Entry `n` of the new tree differs from the old one's (`old`: the old entry's id, when
    /// the same name and kind was there).
    fn changed(
        &mut self,
        n: &Entry<'_>,
        old: Option<&[u8]>,
        path: &mut Vec<u8>,
        depth: usize,
        found: &mut dyn FnMut(&Oid, &[u8]),
    ) -> Result<(), String> {
        let len = path.len();
        match n.mode & S_IFMT {
            S_IFREG => {
                path.extend_from_slice(n.name);
                let oid = oid_from(n.oid).ok_or("malformed tree")?;
                found(&oid, path);
            }
            S_IFDIR => {
                let sub = self.tree(&oid_from(n.oid).ok_or("malformed tree")?)?;
                let before = match old {
                    Some(o) => Some(self.tree(&oid_from(o).ok_or("malformed tree")?)?),
                    None => None,
                };
                path.extend_from_slice(n.name);
                path.push(b'/');
                let res = self.diff(
                    &sub,
                    before.as_deref().map(Vec::as_slice),
                    path,
                    depth + 1,
                    found,
                );
                path.truncate(len);
                return res;
            }
            _ => {}
        }
        path.truncate(len);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(entries: &[(&str, &str, u8)]) -> Vec<u8> {
        let mut t = Vec::new();
        for (mode, name, id) in entries {
            t.extend_from_slice(format!("{mode} {name}\0").as_bytes());
            t.extend_from_slice(&[*id; 20]);
        }
        t
    }

    #[test]
    fn git_orders_a_directory_as_its_name_and_a_slash() {
        let t = tree(&[("100644", "a", 1), ("40000", "a", 2), ("100644", "a-b", 3)]);
        let e: Vec<Entry<'_>> = Entries { rest: &t }.map(|e| e.expect("parses")).collect();
        assert_eq!(order(&e[0], &e[2]), std::cmp::Ordering::Less);
        // "a/" sorts after "a-b" ('-' < '/'), and after the file "a".
        assert_eq!(order(&e[1], &e[2]), std::cmp::Ordering::Greater);
        assert_eq!(order(&e[0], &e[1]), std::cmp::Ordering::Less);
        assert_eq!(canon(0o100664), 0o100644);
        assert_eq!(canon(0o100775), 0o100755);
        assert_eq!(canon(0o160000), S_IFGITLINK);
    }

    #[test]
    fn malformed_trees_are_errors_not_panics() {
        let packs: Vec<PackFile> = Vec::new();
        let dir = tempfile::tempdir().expect("tmp");
        let mut r = TreeReader::new(&packs, dir.path());
        let good = tree(&[("100644", "a", 1)]);
        let mut cases: Vec<Vec<u8>> = vec![
            good[..good.len() - 3].to_vec(), // truncated id
            b"100644 a".to_vec(),            // no NUL
            b"10x644 a\0aaaaaaaaaaaaaaaaaaaa".to_vec(),
            b" a\0aaaaaaaaaaaaaaaaaaaa".to_vec(),
            b"100644 \0aaaaaaaaaaaaaaaaaaaa".to_vec(),
        ];
        cases.push(tree(&[("40000", "d", 9)])); // a subtree that is nowhere
        for case in cases {
            let mut seen = 0;
            let res = r.diff(&case, None, &mut Vec::new(), 0, &mut |_, _| seen += 1);
            assert!(res.is_err(), "{case:?}");
        }
        assert!(parse_revs(b"commit x\n\x01zz\0").is_err());
        assert!(parse_revs(b"\x01aa\0bb\0\0d\0e\0").is_err());
    }

    #[test]
    fn diff_reports_changed_files_in_tree_order() {
        let packs: Vec<PackFile> = Vec::new();
        let dir = tempfile::tempdir().expect("tmp");
        let mut r = TreeReader::new(&packs, dir.path());
        let old = tree(&[
            ("100644", "a", 1),
            ("100644", "b", 2),
            ("120000", "link", 3),
            ("100644", "m", 4),
            ("100644", "z", 5),
        ]);
        let new = tree(&[
            ("100755", "a", 1),    // mode change: reported
            ("100664", "b", 2),    // the same canonical mode: not reported
            ("100644", "link", 3), // symlink turned file: reported
            ("160000", "m", 6),    // gitlink: skipped
            ("100644", "n", 7),    // added
            ("100644", "z", 5),    // unchanged
        ]);
        let mut got = Vec::new();
        r.diff(&new, Some(&old), &mut Vec::new(), 0, &mut |oid, p| {
            got.push((oid[0], String::from_utf8_lossy(p).into_owned()));
        })
        .expect("diffs");
        assert_eq!(
            got,
            vec![
                (1, "a".to_string()),
                (3, "link".to_string()),
                (7, "n".to_string())
            ]
        );
    }
}
