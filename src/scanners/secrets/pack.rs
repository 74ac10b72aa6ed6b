//! Every blob of a repository's pack files, decoded in-process and in parallel: the fast path of
//! `--history` over a whole history.
//!
//! `git cat-file --batch` serves one object at a time through a pipe: each blob is copied
//! twice, and a delta chain is re-walked for every object that its cache has evicted. Reading
//! the packs directly does each object's work once: the pack index (`.idx`, version 2) gives
//! every object's offset, the entries are parsed in offset order, and each delta *family* (a
//! base blob and the deltas built on it, transitively) is walked depth-first from its base, so
//! every compressed entry is inflated exactly once and every delta applied once. Families are
//! independent, so they are spread over the rayon pool, and the caller scans each blob on the
//! thread that decoded it, while it is still in cache. Trees and commits are never inflated by
//! the blob walk: a delta has the type of its base, so their families are skipped whole. The
//! history's commit walk reads trees by id through [`PackFile::find`] and
//! [`PackFile::kind_and_base`] (with its own cache of decoded trees: `trees.rs`), from the same
//! opened packs.
//!
//! Anything this reader does not handle is simply not visited, and the caller reads it through
//! `git cat-file` instead: loose objects, alternates, objects over `limit`, an unknown index
//! version, a corrupt entry (and the deltas built on it). So this module needs no fallback of
//! its own, and correctness never depends on it seeing everything.

use std::fs::File;
use std::io::Read;
use std::path::Path;

use rayon::iter::{IntoParallelRefIterator, ParallelIterator};

/// A SHA-1 object id.
pub type Oid = [u8; 20];

const NONE: u32 = u32::MAX;
/// A tree's type in a pack entry header.
pub const OBJ_TREE: u8 = 2;
const OBJ_BLOB: u8 = 3;
const OBJ_OFS_DELTA: u8 = 6;
const OBJ_REF_DELTA: u8 = 7;

/// One entry of a pack, in offset order.
struct Entry {
    offset: u64,
    /// Where the compressed data starts.
    data: u64,
    /// Where the entry ends (the next entry's offset, or the trailer).
    end: u64,
    /// Inflated size of the data (the object itself, or the delta).
    size: u64,
    kind: u8,
    /// Index (in offset order) of the delta base, or [`NONE`].
    base: u32,
    oid: Oid,
}

/// Calls `visit(id, content)` for every blob of every pack under `objects/pack` whose size is
/// at most `limit`, in parallel (any order, each blob once per pack holding it). Returns how many
/// packs could not be read (their blobs are left to the caller's fallback).
pub fn for_each_blob(objects: &Path, limit: u64, visit: &(dyn Fn(&Oid, &[u8]) + Sync)) -> usize {
    let (packs, failed) = open_all(objects);
    for pack in &packs {
        pack.walk_blobs(limit, visit);
    }
    failed
}

/// Every pack under `objects/pack` that opens (index and entry headers parsed), in index-name
/// order, and how many did not.
pub fn open_all(objects: &Path) -> (Vec<PackFile>, usize) {
    let Ok(dir) = std::fs::read_dir(objects.join("pack")) else {
        return (Vec::new(), 0);
    };
    let mut idxs: Vec<_> = dir
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "idx"))
        .collect();
    idxs.sort();
    let mut failed = 0;
    let mut packs = Vec::new();
    for idx in idxs {
        match PackFile::open(&idx, &idx.with_extension("pack")) {
            Ok(p) => packs.push(p),
            Err(_) => failed += 1,
        }
    }
    (packs, failed)
}

/// Reads an index file: (object id, offset) of every object.
fn read_index(idx: &Path) -> std::io::Result<Vec<(Oid, u64)>> {
    let bytes = std::fs::read(idx)?;
    let bad = || std::io::Error::new(std::io::ErrorKind::InvalidData, "not a v2 pack index");
    if bytes.len() < 8 + 1024 || bytes[..4] != [0xff, b't', b'O', b'c'] || be32(&bytes, 4) != 2 {
        return Err(bad());
    }
    let n = be32(&bytes, 8 + 255 * 4) as usize;
    let names = 8 + 1024;
    let offsets = names + n * 20 + n * 4;
    let large = offsets + n * 4;
    if bytes.len() < large + 40 {
        return Err(bad());
    }
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let mut oid = [0u8; 20];
        oid.copy_from_slice(&bytes[names + i * 20..names + i * 20 + 20]);
        let small = be32(&bytes, offsets + i * 4);
        let offset = if small & 0x8000_0000 == 0 {
            u64::from(small)
        } else {
            let at = large + (small & 0x7fff_ffff) as usize * 8;
            let hi = bytes.get(at..at + 8).ok_or_else(bad)?;
            u64::from_be_bytes(hi.try_into().map_err(|_| bad())?)
        };
        out.push((oid, offset));
    }
    Ok(out)
}

fn be32(b: &[u8], at: usize) -> u32 {
    b.get(at..at + 4)
        .and_then(|s| s.try_into().ok())
        .map_or(0, u32::from_be_bytes)
}

/// Fills `buf` from `offset` (positioned reads: the file is shared by every thread).
#[cfg(unix)]
fn read_at(file: &File, offset: u64, buf: &mut [u8]) -> std::io::Result<()> {
    use std::os::unix::fs::FileExt;
    file.read_exact_at(buf, offset)
}

#[cfg(not(unix))]
fn read_at(_file: &File, _offset: u64, _buf: &mut [u8]) -> std::io::Result<()> {
    // Without positioned reads every object goes through `git cat-file`.
    Err(std::io::Error::new(
        std::io::ErrorKind::Unsupported,
        "positioned reads",
    ))
}

/// An entry's header: its type, the inflated size of its data, the header's length, and for a
/// delta where its base is.
#[derive(Debug, PartialEq)]
struct Header {
    kind: u8,
    size: u64,
    len: usize,
    base: Base,
}

/// Where a delta's base is.
#[derive(Debug, PartialEq)]
enum Base {
    /// Not a delta.
    None,
    /// This many bytes before the delta, in the same pack.
    Back(u64),
    /// The object with this id.
    Id(Oid),
}

/// Parses an entry header (at most 32 bytes are needed: the type and size varint, then an
/// offset varint or a base id).
fn parse_header(h: &[u8]) -> Option<Header> {
    let mut i = 0;
    let mut c = *h.get(i)?;
    i += 1;
    let kind = (c >> 4) & 7;
    let mut size = u64::from(c & 15);
    let mut shift = 4;
    while c & 0x80 != 0 {
        c = *h.get(i)?;
        i += 1;
        if shift > 57 {
            return None;
        }
        size |= u64::from(c & 0x7f) << shift;
        shift += 7;
    }
    let base = match kind {
        OBJ_OFS_DELTA => {
            c = *h.get(i)?;
            i += 1;
            let mut dist = u64::from(c & 0x7f);
            while c & 0x80 != 0 {
                c = *h.get(i)?;
                i += 1;
                dist = dist.checked_add(1)?.checked_mul(128)? | u64::from(c & 0x7f);
            }
            Base::Back(dist)
        }
        OBJ_REF_DELTA => {
            let mut oid = [0u8; 20];
            oid.copy_from_slice(h.get(i..i + 20)?);
            i += 20;
            Base::Id(oid)
        }
        _ => Base::None,
    };
    Some(Header {
        kind,
        size,
        len: i,
        base,
    })
}

impl PackFile {
    /// Parses the index and every entry header of `pack`, and links each delta to its base
    /// (an entry whose base is not in this pack, or whose header does not parse, keeps no
    /// base: it and its deltas are never decoded here).
    pub fn open(idx: &Path, pack: &Path) -> std::io::Result<Self> {
        let by_oid_order = read_index(idx)?;
        let mut objects = by_oid_order.clone();
        objects.sort_by_key(|&(_, off)| off);
        let file = File::open(pack)?;
        let pack_len = file.metadata()?.len();
        let mut magic = [0u8; 4];
        (&file).read_exact(&mut magic)?;
        if &magic != b"PACK" {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                "not a pack",
            ));
        }
        let trailer = pack_len.saturating_sub(20);
        let mut entries: Vec<Entry> = Vec::with_capacity(objects.len());
        let mut refs: Vec<(usize, Oid)> = Vec::new();
        for (i, &(oid, offset)) in objects.iter().enumerate() {
            let end = objects.get(i + 1).map_or(trailer, |&(_, o)| o);
            if end <= offset || end > trailer {
                continue;
            }
            let mut head = [0u8; 32];
            let head = &mut head[..(end - offset).min(32) as usize];
            if read_at(&file, offset, head).is_err() {
                continue;
            }
            let Some(h) = parse_header(head) else {
                continue;
            };
            let base = match h.base {
                // Offsets are sorted, so the base is found by binary search.
                Base::Back(d) => offset
                    .checked_sub(d)
                    .and_then(|b| objects.binary_search_by_key(&b, |&(_, o)| o).ok())
                    .map_or(NONE, |b| b as u32),
                Base::Id(b) => {
                    refs.push((entries.len(), b));
                    NONE
                }
                Base::None => NONE,
            };
            entries.push(Entry {
                offset,
                data: offset + h.len as u64,
                end,
                size: h.size,
                kind: h.kind,
                base,
                oid,
            });
        }
        // Entries skipped above shift indices: map object positions to entry positions.
        let pos_of: std::collections::HashMap<u64, u32> = entries
            .iter()
            .enumerate()
            .map(|(i, e)| (e.offset, i as u32))
            .collect();
        let by_oid: std::collections::HashMap<Oid, u32> = if refs.is_empty() {
            Default::default()
        } else {
            entries
                .iter()
                .enumerate()
                .map(|(i, e)| (e.oid, i as u32))
                .collect()
        };
        for e in entries.iter_mut() {
            if e.base != NONE {
                e.base = objects
                    .get(e.base as usize)
                    .and_then(|&(_, off)| pos_of.get(&off).copied())
                    .unwrap_or(NONE);
            }
        }
        for (i, oid) in refs {
            if let Some(e) = entries.get_mut(i) {
                e.base = by_oid.get(&oid).copied().unwrap_or(NONE);
            }
        }
        // Children lists (compressed sparse rows) and the roots of blob families.
        let mut count = vec![0u32; entries.len() + 1];
        for e in &entries {
            if is_delta(e.kind) && e.base != NONE {
                count[e.base as usize + 1] += 1;
            }
        }
        for i in 1..count.len() {
            count[i] += count[i - 1];
        }
        let mut fill = count.clone();
        let mut children = vec![0u32; count.last().copied().unwrap_or(0) as usize];
        for (i, e) in entries.iter().enumerate() {
            if is_delta(e.kind) && e.base != NONE {
                let slot = &mut fill[e.base as usize];
                children[*slot as usize] = i as u32;
                *slot += 1;
            }
        }
        // Object ids in index (id) order, for lookups by id.
        let ids: Vec<(Oid, u32)> = by_oid_order
            .iter()
            .filter_map(|(oid, off)| pos_of.get(off).map(|&i| (*oid, i)))
            .collect();
        let prefixes = ids.iter().map(|(oid, _)| prefix_of(oid)).collect();
        Ok(PackFile {
            file,
            entries,
            children,
            starts: count,
            ids,
            prefixes,
        })
    }

    /// Calls `visit` for every blob of this pack of at most `limit` bytes, each delta family
    /// walked from its base on the rayon pool.
    pub fn walk_blobs(&self, limit: u64, visit: &(dyn Fn(&Oid, &[u8]) + Sync)) {
        let roots: Vec<u32> = self
            .entries
            .iter()
            .enumerate()
            .filter(|(_, e)| e.kind == OBJ_BLOB)
            .map(|(i, _)| i as u32)
            .collect();
        roots
            .par_iter()
            .for_each(|&r| self.walk_family(r, limit, visit));
    }
}

/// An id's first eight bytes as a number (ids sort as these do).
fn prefix_of(oid: &Oid) -> u64 {
    let mut p = [0u8; 8];
    p.copy_from_slice(&oid[..8]);
    u64::from_be_bytes(p)
}

/// Hashes an object id by its first eight bytes: ids are already uniformly random, so SipHash
/// over all twenty is wasted work in the history walk's maps and sets.
#[derive(Default, Clone, Copy)]
pub struct OidHasher(u64);

impl std::hash::Hasher for OidHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // Hash impls of arrays may write a length first: mix every write in.
        for chunk in bytes.chunks(8) {
            let mut p = [0u8; 8];
            p[..chunk.len()].copy_from_slice(chunk);
            self.0 = (self.0.rotate_left(17) ^ u64::from_le_bytes(p))
                .wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }
}

/// Builds [`OidHasher`]s.
pub type OidHash = std::hash::BuildHasherDefault<OidHasher>;

fn is_delta(kind: u8) -> bool {
    kind == OBJ_OFS_DELTA || kind == OBJ_REF_DELTA
}

/// One pack file, opened: its entries in offset order, each delta linked to its base, and the
/// deltas built on each entry.
pub struct PackFile {
    file: File,
    entries: Vec<Entry>,
    children: Vec<u32>,
    /// `children[starts[i]..starts[i + 1]]` are the deltas built on entry `i`.
    starts: Vec<u32>,
    /// (object id, entry) sorted by id.
    ids: Vec<(Oid, u32)>,
    /// The first eight bytes of each of `ids`, for a binary search without byte-string compares.
    prefixes: Vec<u64>,
}

impl PackFile {
    /// The entry holding object `oid`, if this pack has it.
    pub fn find(&self, oid: &Oid) -> Option<u32> {
        let want = prefix_of(oid);
        let from = self.prefixes.partition_point(|&p| p < want);
        self.prefixes
            .get(from..)?
            .iter()
            .take_while(|&&p| p == want)
            .zip(self.ids.get(from..)?)
            .find(|(_, (id, _))| id == oid)
            .map(|(_, &(_, i))| i)
    }

    /// The id of the object at entry `i`.
    pub fn oid_at(&self, i: u32) -> Option<&Oid> {
        self.entries.get(i as usize).map(|e| &e.oid)
    }

    /// Entry `i`'s stored type (a delta type for a delta) and, for a delta, its base entry.
    pub fn kind_and_base(&self, i: u32) -> Option<(u8, Option<u32>)> {
        let e = self.entries.get(i as usize)?;
        if is_delta(e.kind) {
            (e.base != NONE).then_some((e.kind, Some(e.base)))
        } else {
            Some((e.kind, None))
        }
    }

    /// Entry `i`'s data inflated: the object itself, or its delta (at most `limit` bytes).
    pub fn data(&self, i: u32, limit: u64) -> Option<Vec<u8>> {
        let mut out = Vec::new();
        self.inflate_into(i, limit, &mut out)?;
        Some(out)
    }

    fn children_of(&self, i: u32) -> &[u32] {
        let (Some(&a), Some(&b)) = (self.starts.get(i as usize), self.starts.get(i as usize + 1))
        else {
            return &[];
        };
        self.children.get(a as usize..b as usize).unwrap_or(&[])
    }

    /// Inflates entry `i`'s data (the object, or its delta) into `out` (cleared first). The
    /// compressed bytes go through one buffer per thread, the output is written into `out`'s
    /// capacity (never zeroed), and each thread reuses one inflate state (reset per entry)
    /// rather than allocating one per object.
    fn inflate_into(&self, i: u32, limit: u64, out: &mut Vec<u8>) -> Option<()> {
        thread_local! {
            static RAW: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
            static Z: std::cell::RefCell<Option<flate2::Decompress>> =
                const { std::cell::RefCell::new(None) };
        }
        let e = self.entries.get(i as usize)?;
        // A size header is data from the pack: a corrupt one must not size an allocation past
        // what any object we decode can need (a delta of an object under the limit is at most
        // a little larger than it).
        let slack = limit.saturating_add(1 << 20);
        let stored = e.end.checked_sub(e.data)?;
        if e.size > slack || stored > slack {
            return None;
        }
        let len = usize::try_from(stored).ok()?;
        let size = usize::try_from(e.size).ok()?;
        RAW.with_borrow_mut(|raw| {
            if raw.len() < len {
                raw.resize(len, 0);
            }
            read_at(&self.file, e.data, &mut raw[..len]).ok()?;
            out.clear();
            out.reserve(size);
            Z.with_borrow_mut(|z| {
                let z = match z {
                    Some(z) => {
                        z.reset(true);
                        z
                    }
                    None => z.insert(flate2::Decompress::new(true)),
                };
                let status = z
                    .decompress_vec(&raw[..len], out, flate2::FlushDecompress::Finish)
                    .ok()?;
                (status == flate2::Status::StreamEnd && out.len() == size).then_some(())
            })
        })
    }

    /// Decodes the blob at root `r` and every delta built on it, depth-first: a base stays in
    /// memory only while its deltas are being applied (the depth of a chain, git's default 50).
    fn walk_family(&self, r: u32, limit: u64, visit: &(dyn Fn(&Oid, &[u8]) + Sync)) {
        let Some(root) = self.entries.get(r as usize) else {
            return;
        };
        if root.size > limit {
            return;
        }
        let mut content = Vec::new();
        if self.inflate_into(r, limit, &mut content).is_none() {
            return;
        }
        visit(&root.oid, &content);
        // (content of a decoded object, its index, next child to do)
        let mut stack: Vec<(Vec<u8>, u32, usize)> = vec![(content, r, 0)];
        // One buffer for every delta of the family (a delta is dropped once applied), and the
        // buffers of finished objects reused for the next ones (no fresh pages per blob).
        let mut delta = Vec::new();
        let mut spare: Vec<Vec<u8>> = Vec::new();
        while let Some(top) = stack.last_mut() {
            let kids = self.children_of(top.1);
            let Some(&child) = kids.get(top.2) else {
                if let Some((done, _, _)) = stack.pop() {
                    spare.push(done);
                }
                continue;
            };
            top.2 += 1;
            let base = &top.0;
            if self.inflate_into(child, limit, &mut delta).is_none() {
                continue;
            }
            let mut decoded = spare.pop().unwrap_or_default();
            if apply_delta_into(base, &delta, limit, &mut decoded).is_none() {
                spare.push(decoded);
                continue;
            }
            let Some(entry) = self.entries.get(child as usize) else {
                continue;
            };
            visit(&entry.oid, &decoded);
            if self.children_of(child).is_empty() {
                spare.push(decoded);
            } else {
                stack.push((decoded, child, 0));
            }
        }
    }
}

/// Reads a delta's size varint.
fn varint(d: &[u8], i: &mut usize) -> Option<u64> {
    let mut v = 0u64;
    let mut shift = 0;
    loop {
        let c = *d.get(*i)?;
        *i += 1;
        if shift > 63 {
            return None;
        }
        v |= u64::from(c & 0x7f) << shift;
        shift += 7;
        if c & 0x80 == 0 {
            return Some(v);
        }
    }
}

/// Applies a git delta to `base`; `None` when it is malformed or its result is over `limit`.
pub fn apply_delta(base: &[u8], delta: &[u8], limit: u64) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    apply_delta_into(base, delta, limit, &mut out)?;
    Some(out)
}

/// [`apply_delta`] into `out` (cleared first), reusing its allocation.
fn apply_delta_into(base: &[u8], delta: &[u8], limit: u64, out: &mut Vec<u8>) -> Option<()> {
    let mut i = 0;
    let src = varint(delta, &mut i)?;
    let dst = varint(delta, &mut i)?;
    if src != base.len() as u64 || dst > limit {
        return None;
    }
    out.clear();
    out.reserve(usize::try_from(dst).ok()?);
    while i < delta.len() {
        let op = delta[i];
        i += 1;
        if op & 0x80 != 0 {
            let mut off = 0usize;
            let mut len = 0usize;
            for (bit, shift) in [(0x01, 0), (0x02, 8), (0x04, 16), (0x08, 24)] {
                if op & bit != 0 {
                    off |= usize::from(*delta.get(i)?) << shift;
                    i += 1;
                }
            }
            for (bit, shift) in [(0x10, 0), (0x20, 8), (0x40, 16)] {
                if op & bit != 0 {
                    len |= usize::from(*delta.get(i)?) << shift;
                    i += 1;
                }
            }
            if len == 0 {
                len = 0x10000;
            }
            out.extend_from_slice(base.get(off..off.checked_add(len)?)?);
        } else if op != 0 {
            let n = usize::from(op);
            out.extend_from_slice(delta.get(i..i + n)?);
            i += n;
        } else {
            return None;
        }
    }
    (out.len() as u64 == dst).then_some(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delta_copies_and_inserts() {
        let base = b"hello, world";
        // src 12, dst 11; copy 7 bytes at 0 ("hello, "), insert "git!".
        let delta = [12, 11, 0x80 | 0x10, 7, 4, b'g', b'i', b't', b'!'];
        assert_eq!(
            apply_delta(base, &delta, 100).as_deref(),
            Some(&b"hello, git!"[..])
        );
        // A copy past the base's end, a wrong source size, a result over the limit: rejected.
        assert_eq!(apply_delta(base, &[12, 20, 0x91, 5, 20], 100), None);
        assert_eq!(apply_delta(base, &[11, 11, 0x90, 11], 100), None);
        assert_eq!(apply_delta(base, &delta, 10), None);
    }

    #[test]
    fn headers_parse_sizes_and_offsets() {
        // blob of 300 bytes: 0x80 | (3 << 4) | (300 & 15), then 300 >> 4 = 18.
        assert_eq!(
            parse_header(&[0x80 | 0x30 | 12, 18]),
            Some(Header {
                kind: OBJ_BLOB,
                size: 300,
                len: 2,
                base: Base::None
            })
        );
        // OFS delta of 5 bytes whose base is ((1 + 1) << 7) + 1 = 257 bytes back: [0x81, 0x01].
        assert_eq!(
            parse_header(&[0x65, 0x81, 0x01]),
            Some(Header {
                kind: OBJ_OFS_DELTA,
                size: 5,
                len: 3,
                base: Base::Back(257)
            })
        );
        assert_eq!(parse_header(&[0x80 | 0x30]), None);
    }
}
