//! Where journal entries live: chunks of fixed-size records, each chunk with one byte buffer
//! for the text its entries copied (method, path, request id, error code, package ids).
//!
//! Why not a `Vec<JournalEntry>`: an entry owns up to a hundred small strings, and the
//! allocator keeps freed small blocks for reuse instead of giving them back, so a reset after a
//! flood would leave the process as large as at its peak. A chunk's buffer is one allocation of
//! at least 32 MiB of address space for a full chunk: at that size the C allocator always maps
//! it on its own and unmaps it when freed (only the pages written count as resident), so
//! dropping a chunk, at eviction or reset, returns its memory to the system.

use std::collections::VecDeque;

use dataarts_release_raw::Operation;

use super::JournalEntry;
use crate::faults::FaultKind;

/// Most text bytes one entry stores: the caps of `JournalEntry` (path, method, request id,
/// error code, 2 KiB of ids plus a 2-byte length each), rounded up.
pub(super) const MAX_ENTRY_TEXT: usize = 4 * 1024;
/// Buffer of a full chunk: above the allocator's largest dynamic mmap threshold (32 MiB on
/// 64-bit glibc), so it is always mapped and unmapped on its own.
const FULL_CHUNK_BUFFER: usize = 32 * 1024 * 1024 + 4096;

#[derive(Debug, Clone, Copy)]
struct Span {
    start: u32,
    len: u32,
}

#[derive(Debug)]
struct Record {
    seq: u64,
    operation: Option<Operation>,
    status: u16,
    fault: Option<FaultKind>,
    applied: bool,
    path_len: usize,
    package_ids_total: usize,
    method: Span,
    path: Span,
    request_id: Span,
    error_code: Option<Span>,
    /// Each id as a 2-byte little-endian length and its bytes.
    ids: Span,
}

/// Up to `entries` entries and their text.
#[derive(Debug)]
pub(super) struct Chunk {
    records: VecDeque<Record>,
    entries: usize,
    bytes: Vec<u8>,
}

impl Chunk {
    /// A chunk for `entries` entries; `full` chunks get a buffer that is always mapped on its
    /// own (see the module docs).
    pub(super) fn new(entries: usize, full: bool) -> Self {
        let buffer = if full {
            FULL_CHUNK_BUFFER.max(entries * MAX_ENTRY_TEXT)
        } else {
            entries * MAX_ENTRY_TEXT
        };
        Self {
            records: VecDeque::with_capacity(entries),
            entries,
            bytes: Vec::with_capacity(buffer),
        }
    }

    /// Whether `e` fits without growing the chunk.
    pub(super) fn fits(&self, e: &JournalEntry) -> bool {
        self.records.len() < self.entries && self.bytes.len() + text_len(e) <= self.bytes.capacity()
    }

    pub(super) fn len(&self) -> usize {
        self.records.len()
    }

    pub(super) fn last_seq(&self) -> Option<u64> {
        self.records.back().map(|r| r.seq)
    }

    /// Drops the oldest entry (its text stays until the chunk goes).
    pub(super) fn pop_front(&mut self) {
        self.records.pop_front();
    }

    pub(super) fn push(&mut self, e: &JournalEntry) {
        let method = self.put(e.method.as_bytes());
        let path = self.put(e.path.as_bytes());
        let request_id = self.put(e.request_id.as_bytes());
        let error_code = e.error_code.as_ref().map(|c| self.put(c.as_bytes()));
        let start = self.bytes.len();
        for id in &e.package_ids {
            let len = u16::try_from(id.len()).unwrap_or(u16::MAX);
            self.bytes.extend_from_slice(&len.to_le_bytes());
            self.bytes
                .extend_from_slice(&id.as_bytes()[..usize::from(len)]);
        }
        let ids = span(start, self.bytes.len());
        self.records.push_back(Record {
            seq: e.seq,
            operation: e.operation,
            status: e.status,
            fault: e.fault,
            applied: e.applied,
            path_len: e.path_len,
            package_ids_total: e.package_ids_total,
            method,
            path,
            request_id,
            error_code,
            ids,
        });
    }

    fn put(&mut self, b: &[u8]) -> Span {
        let start = self.bytes.len();
        self.bytes.extend_from_slice(b);
        span(start, self.bytes.len())
    }

    fn text(&self, s: Span) -> String {
        let start = s.start as usize;
        let end = start + s.len as usize;
        String::from_utf8_lossy(self.bytes.get(start..end).unwrap_or_default()).into_owned()
    }

    fn ids(&self, s: Span) -> Vec<String> {
        let start = s.start as usize;
        let mut rest = self
            .bytes
            .get(start..start + s.len as usize)
            .unwrap_or_default();
        let mut out = Vec::new();
        while let [a, b, tail @ ..] = rest {
            let len = usize::from(u16::from_le_bytes([*a, *b])).min(tail.len());
            out.push(String::from_utf8_lossy(&tail[..len]).into_owned());
            rest = &tail[len..];
        }
        out
    }

    /// The entries with `seq > after`, as values.
    pub(super) fn entries_after(&self, after: u64) -> impl Iterator<Item = JournalEntry> + '_ {
        self.records
            .iter()
            .filter(move |r| r.seq > after)
            .map(|r| JournalEntry {
                seq: r.seq,
                operation: r.operation,
                method: self.text(r.method),
                path: self.text(r.path),
                path_len: r.path_len,
                package_ids: self.ids(r.ids),
                package_ids_total: r.package_ids_total,
                status: r.status,
                error_code: r.error_code.map(|s| self.text(s)),
                fault: r.fault,
                applied: r.applied,
                request_id: self.text(r.request_id),
            })
    }
}

fn span(start: usize, end: usize) -> Span {
    Span {
        start: u32::try_from(start).unwrap_or(u32::MAX),
        len: u32::try_from(end - start).unwrap_or(0),
    }
}

/// Bytes `push` writes for `e`.
fn text_len(e: &JournalEntry) -> usize {
    e.method.len()
        + e.path.len()
        + e.request_id.len()
        + e.error_code.as_ref().map_or(0, String::len)
        + e.package_ids.iter().map(|i| 2 + i.len()).sum::<usize>()
}
