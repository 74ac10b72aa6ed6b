//! Large files and blobs in bounded memory: the text is read in chunks that overlap, so a
//! SQL dump or a bundle of any size is scanned (no silent size limit) with a few MiB of
//! memory per thread.
//!
//! Each buffer holds `PRE` bytes of the previous chunk, the chunk itself, and `POST` bytes of
//! the next one. Only secrets that *start* inside the chunk are reported, and every secret
//! shorter than `POST` that starts there also ends inside the buffer, so no match is cut at a
//! chunk edge and none is reported twice; `PRE` gives look-behind (`\b`, `^`) and the
//! keyword windows their context. Lines and columns carry over through a [`LineCursor`].

use std::io::Read;

use super::position::LineCursor;
use super::walk::is_binary;
use super::{CommitInfo, Emitter};
use crate::finding::Finding;

/// Texts up to this size are read whole; larger ones in chunks.
pub const WHOLE_LIMIT: u64 = 16 << 20;

/// Chunk geometry, in bytes.
#[derive(Debug, Clone, Copy)]
pub struct Chunking {
    /// The reported part of each buffer.
    pub chunk: usize,
    /// Context kept from before the chunk.
    pub pre: usize,
    /// Context read after the chunk; bounds the longest secret.
    pub post: usize,
}

impl Default for Chunking {
    fn default() -> Self {
        Chunking {
            chunk: 8 << 20,
            pre: 64 << 10,
            post: 1 << 20,
        }
    }
}

/// What a chunked scan saw.
#[derive(Debug, Default)]
pub struct Scanned {
    /// Findings, with lines and columns of the whole text.
    pub findings: Vec<Finding>,
    /// Bytes read.
    pub bytes: u64,
    /// Whether the text is binary (NUL in its first 8 KiB); then nothing else was read.
    pub binary: bool,
}

/// Scans everything `reader` yields, `geometry.chunk` bytes at a time.
pub fn scan_reader(
    emitter: &Emitter<'_>,
    reader: &mut dyn Read,
    geometry: Chunking,
    path: &str,
    commit: Option<&CommitInfo>,
) -> std::io::Result<Scanned> {
    let Chunking { chunk, pre, post } = geometry;
    let chunk = chunk.max(1);
    let mut out = Scanned::default();
    let mut buf: Vec<u8> = Vec::with_capacity(pre + chunk + post);
    let mut cursor = LineCursor::start();
    // Offset in `buf` where the current chunk starts.
    let mut core = 0usize;
    let mut eof = false;
    let mut first = true;
    loop {
        let want = core + chunk + post;
        eof = eof || fill(reader, &mut buf, want)?;
        if first {
            first = false;
            if is_binary(&buf) {
                out.binary = true;
                return Ok(out);
            }
        }
        let core_end = if eof {
            buf.len()
        } else {
            (core + chunk).min(buf.len())
        };
        out.bytes += (core_end - core) as u64;
        cursor.advance(&buf, core);
        out.findings
            .extend(emitter.findings_in(&buf, core..core_end, &cursor, path, commit));
        if eof && core_end >= buf.len() {
            return Ok(out);
        }
        // Keep `pre` bytes before the next chunk; drop the rest.
        cursor.advance(&buf, core_end);
        let drop = core_end.saturating_sub(pre);
        buf.drain(..drop);
        cursor.rebase(drop);
        core = core_end - drop;
    }
}

/// Reads until `buf` holds `want` bytes or the reader ends; returns whether it ended.
fn fill(reader: &mut dyn Read, buf: &mut Vec<u8>, want: usize) -> std::io::Result<bool> {
    while buf.len() < want {
        let need = want - buf.len();
        let n = (&mut *reader).take(need as u64).read_to_end(buf)?;
        if n == 0 {
            return Ok(true);
        }
    }
    Ok(false)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scanners::secrets::builtin_rules;
    use crate::scanners::secrets::suppress::AllowList;

    fn key(f: &Finding) -> (String, u32, u32, u32, u32, String) {
        (
            f.rule_id.clone(),
            f.location.start_line,
            f.location.start_column,
            f.location.end_line,
            f.location.end_column,
            f.fingerprint.clone(),
        )
    }

    /// A text with secrets everywhere, also across every small chunk edge.
    fn text() -> Vec<u8> {
        let mut t = Vec::new();
        for i in 0..60 {
            t.extend_from_slice(format!("line {i} filler é\n").as_bytes());
            t.extend_from_slice(b"aws_key = AKIAZXCVBNMASDFGHJ23 ");
            if i % 3 == 0 {
                t.extend_from_slice(b"url = postgres://app:Xk9vQ2mLp7zRw@db.internal/app\n");
            }
            if i % 7 == 0 {
                // a long line: positions carry over chunks
                t.extend_from_slice(&[b'x'; 300]);
                t.extend_from_slice(b" ghp_");
                t.extend_from_slice(b"zzzz");
            }
        }
        t
    }

    #[test]
    fn chunks_find_what_a_whole_read_finds() {
        let rules = builtin_rules();
        let allow = AllowList::default();
        let e = Emitter {
            rules,
            allow: &allow,
        };
        let t = text();
        let mut whole: Vec<_> = e.findings(&t, "a.txt", None).iter().map(key).collect();
        whole.sort();
        assert!(whole.len() >= 60, "{}", whole.len());
        for (chunk, pre, post) in [(97, 50, 120), (256, 64, 200), (1000, 300, 400)] {
            let mut r: &[u8] = &t;
            let got = scan_reader(&e, &mut r, Chunking { chunk, pre, post }, "a.txt", None)
                .expect("in memory");
            assert!(!got.binary);
            assert_eq!(got.bytes, t.len() as u64);
            let mut got: Vec<_> = got.findings.iter().map(key).collect();
            got.sort();
            assert_eq!(got, whole, "chunk {chunk}");
        }
    }

    #[test]
    fn binary_streams_stop_at_the_first_chunk() {
        let allow = AllowList::default();
        let e = Emitter {
            rules: builtin_rules(),
            allow: &allow,
        };
        let mut t = vec![0u8, 1, 2];
        t.extend_from_slice(b"AKIAZXCVBNMASDFGHJ23");
        let mut r: &[u8] = &t;
        let got = scan_reader(&e, &mut r, Chunking::default(), "b", None).expect("in memory");
        assert!(got.binary && got.findings.is_empty());
    }
}
