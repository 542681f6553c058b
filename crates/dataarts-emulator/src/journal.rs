//! The request journal: one entry per API request (admin calls are not recorded), with what
//! it copies capped, a bounded length (oldest dropped, counted), and counters for the requests
//! it does not record (refused authentication).

use std::collections::{BTreeMap, VecDeque};
use std::sync::Mutex;

use dataarts_release_raw::Operation;
use serde::{Serialize, Serializer};

use crate::faults::FaultKind;

mod store;

use store::Chunk;

/// One API request as the emulator saw and answered it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct JournalEntry {
    /// Sequence number, from 1, increasing (it keeps counting when old entries are evicted).
    pub seq: u64,
    /// The operation the request addressed; `None` for a request to an identity service (IAM,
    /// STS, metadata, pod identity: see `path`) or one that matched no route.
    /// Serialised as its operationId (`deploy_factory_packages`, ...), or `unknown`.
    #[serde(serialize_with = "operation_id_or_unknown")]
    pub operation: Option<Operation>,
    /// HTTP method.
    pub method: String,
    /// Request path (without the query). A path longer than 256 bytes is cut there and ends
    /// with `…[N bytes]` (N: the original length, also in `path_len`).
    pub path: String,
    /// Length of the original request path, in bytes.
    pub path_len: usize,
    /// Package IDs the request named (release, show, revoke) or created (packaging): the first
    /// 100, each cut at 64 bytes like `path`, at most 2 KiB of ids in all (the original count
    /// is `package_ids_total`).
    pub package_ids: Vec<String>,
    /// How many package IDs the request named (`package_ids` may hold fewer).
    pub package_ids_total: usize,
    /// HTTP status the client received; `0` when the connection was dropped without a response.
    pub status: u16,
    /// `error_code` of an error answer.
    pub error_code: Option<String>,
    /// The injected fault, if any (serialised as its name, e.g. `drop_after`).
    pub fault: Option<FaultKind>,
    /// Whether the request changed state (a release, revoke or new package), even if the client
    /// then saw an error.
    pub applied: bool,
    /// The `X-Request-Id` of the response.
    pub request_id: String,
}

impl JournalEntry {
    /// A request not yet answered: no operation, ids, status or fault yet (`seq` is set when
    /// it is appended).
    pub(crate) fn received(method: &str, path: &str, request_id: &str) -> Self {
        Self {
            seq: 0,
            operation: None,
            method: cap_text(method, MAX_METHOD),
            path: cap_text(path, MAX_PATH),
            path_len: path.len(),
            package_ids: Vec::new(),
            package_ids_total: 0,
            status: 0,
            error_code: None,
            fault: None,
            applied: false,
            request_id: cap_text(request_id, MAX_ID),
        }
    }

    /// Sets the package IDs, capped (see [`JournalEntry::package_ids`]).
    pub(crate) fn set_package_ids(&mut self, ids: CappedIds) {
        self.package_ids = ids.kept;
        self.package_ids_total = ids.total;
    }
}

/// Longest path an entry keeps, in bytes (before the `…[N bytes]` marker).
pub(crate) const MAX_PATH: usize = 256;
/// Longest package ID an entry keeps, in bytes (before the marker).
pub(crate) const MAX_ID: usize = 64;
/// Most package IDs an entry keeps (a release names at most 100).
pub(crate) const MAX_IDS: usize = 100;
/// Most bytes of package IDs an entry keeps in all.
pub(crate) const MAX_IDS_TEXT: usize = 2048;
/// Longest method an entry keeps.
const MAX_METHOD: usize = 16;

/// `s`, or its first `max` bytes (at a character boundary) followed by `…[N bytes]`: what the
/// journal and error messages copy of client input.
pub(crate) fn cap_text(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    let mut out = format!("{}…[{} bytes]", &s[..end], s.len());
    out.shrink_to_fit();
    out
}

/// Package IDs for a journal entry: the kept ones (capped) and how many there were.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct CappedIds {
    pub kept: Vec<String>,
    pub total: usize,
}

impl CappedIds {
    /// Keeps the first [`MAX_IDS`] ids, each cut at [`MAX_ID`] bytes, while their text stays
    /// within [`MAX_IDS_TEXT`]; counts them all.
    pub(crate) fn new<'a>(ids: impl IntoIterator<Item = &'a str>) -> Self {
        let mut kept = Vec::new();
        let mut text = 0usize;
        let mut total = 0usize;
        let mut full = false;
        for id in ids {
            total += 1;
            if full || kept.len() >= MAX_IDS {
                continue;
            }
            let id = cap_text(id, MAX_ID);
            if text + id.len() > MAX_IDS_TEXT {
                full = true;
                continue;
            }
            text += id.len();
            kept.push(id);
        }
        kept.shrink_to_fit();
        Self { kept, total }
    }

    /// One ID.
    pub(crate) fn one(id: &str) -> Self {
        Self::new([id])
    }
}

/// Requests refused by the gateway's authentication or project check (401/403): counted, not
/// journalled.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct RefusedAuth {
    /// How many requests were refused.
    pub total: u64,
    /// The same, per `error_code` (`APIGW.0301` bad or missing credentials, `APIGW.0302` a
    /// project the caller may not access).
    pub by_error_code: BTreeMap<String, u64>,
}

impl RefusedAuth {
    /// How many requests were refused with this `error_code`.
    ///
    /// ```
    /// let r = dataarts_emulator::RefusedAuth::default();
    /// assert_eq!(r.count("APIGW.0301"), 0);
    /// ```
    pub fn count(&self, error_code: &str) -> u64 {
        self.by_error_code.get(error_code).copied().unwrap_or(0)
    }
}

/// What the journal holds and what it did not keep.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct JournalStats {
    /// Entries held now.
    pub entries: usize,
    /// Most entries held (`--journal-capacity`).
    pub capacity: usize,
    /// Entries dropped (oldest first) because the journal was full, since the start or the
    /// last reset.
    pub dropped: u64,
    /// Requests refused by authentication (not journalled), since the start or the last reset.
    pub refused_auth: RefusedAuth,
}

fn operation_id_or_unknown<S: Serializer>(op: &Option<Operation>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(op.map_or("unknown", Operation::id))
}

/// Entries per chunk: the journal grows chunk by chunk, so an append never copies old entries
/// (no latency spike when a large journal grows).
const CHUNK: usize = 4096;

/// A bounded, append-only journal (O(1) append; the oldest entries go first when full).
#[derive(Debug)]
pub(crate) struct Journal {
    inner: Mutex<Inner>,
}

#[derive(Debug)]
struct Inner {
    chunks: VecDeque<Chunk>,
    len: usize,
    next_seq: u64,
    capacity: usize,
    dropped: u64,
    refused_total: u64,
    /// Per gateway error code (a fixed, small set of static codes).
    refused: BTreeMap<&'static str, u64>,
}

impl Inner {
    fn new(capacity: usize) -> Self {
        Self {
            chunks: VecDeque::new(),
            len: 0,
            next_seq: 1,
            capacity: capacity.max(1),
            dropped: 0,
            refused_total: 0,
            refused: BTreeMap::new(),
        }
    }
}

impl Journal {
    pub(crate) fn new(capacity: usize) -> Self {
        Self {
            inner: Mutex::new(Inner::new(capacity)),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Appends an entry, assigning its sequence number.
    pub(crate) fn push(&self, mut entry: JournalEntry) {
        let mut guard = self.lock();
        let g = &mut *guard;
        entry.seq = g.next_seq;
        g.next_seq += 1;
        let mut gone = None;
        if g.len >= g.capacity {
            if let Some(front) = g.chunks.front_mut() {
                front.pop_front();
                g.len -= 1;
                g.dropped += 1;
                if front.len() == 0 {
                    gone = g.chunks.pop_front();
                }
            }
        }
        let chunk_size = CHUNK.min(g.capacity);
        if !g.chunks.back().is_some_and(|last| last.fits(&entry)) {
            g.chunks
                .push_back(Chunk::new(chunk_size, chunk_size == CHUNK));
        }
        if let Some(last) = g.chunks.back_mut() {
            last.push(&entry);
            g.len += 1;
        }
        drop(guard);
        // An evicted chunk is freed outside the lock.
        drop(gone);
    }

    /// A copy of the entries with `seq > after`.
    pub(crate) fn snapshot(&self, after: u64) -> Vec<JournalEntry> {
        let g = self.lock();
        g.chunks
            .iter()
            .filter(|c| c.last_seq().is_some_and(|seq| seq > after))
            .flat_map(|c| c.entries_after(after))
            .collect()
    }

    /// How many kept entries satisfy `pred` (one entry copied at a time).
    pub(crate) fn count(&self, pred: impl Fn(&JournalEntry) -> bool) -> usize {
        let g = self.lock();
        g.chunks
            .iter()
            .flat_map(|c| c.entries_after(0))
            .filter(|e| pred(e))
            .count()
    }

    /// Counts a request refused by authentication (instead of journalling it).
    pub(crate) fn refused(&self, error_code: &'static str) {
        let mut g = self.lock();
        g.refused_total += 1;
        *g.refused.entry(error_code).or_insert(0) += 1;
    }

    /// The counters and sizes.
    pub(crate) fn stats(&self) -> JournalStats {
        let g = self.lock();
        JournalStats {
            entries: g.len,
            capacity: g.capacity,
            dropped: g.dropped,
            refused_auth: RefusedAuth {
                total: g.refused_total,
                by_error_code: g
                    .refused
                    .iter()
                    .map(|(k, v)| ((*k).to_string(), *v))
                    .collect(),
            },
        }
    }

    /// Forgets every entry and counter and restarts numbering at 1. The containers are
    /// replaced, so their memory is given back (freed after the lock is released).
    pub(crate) fn clear(&self) {
        let old = {
            let mut g = self.lock();
            let capacity = g.capacity;
            std::mem::replace(&mut *g, Inner::new(capacity))
        };
        drop(old);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry() -> JournalEntry {
        JournalEntry {
            seq: 0,
            operation: Some(Operation::ListSystemTasks),
            method: "GET".into(),
            path: "/".into(),
            path_len: 1,
            package_ids: vec![],
            package_ids_total: 0,
            status: 200,
            error_code: None,
            fault: None,
            applied: false,
            request_id: String::new(),
        }
    }

    #[test]
    fn many_chunks() {
        let j = Journal::new(10_000);
        for _ in 0..12_000 {
            j.push(entry());
        }
        let all = j.snapshot(0);
        assert_eq!(all.len(), 10_000);
        assert_eq!(all[0].seq, 2_001);
        assert_eq!(all.last().unwrap().seq, 12_000);
        assert!(all.windows(2).all(|w| w[0].seq + 1 == w[1].seq));
        assert_eq!(j.snapshot(11_990).len(), 10);
    }

    #[test]
    fn bounded_with_increasing_seq() {
        let j = Journal::new(2);
        for _ in 0..3 {
            j.push(entry());
        }
        let all = j.snapshot(0);
        assert_eq!(all.iter().map(|e| e.seq).collect::<Vec<_>>(), vec![2, 3]);
        assert_eq!(j.snapshot(2).len(), 1);
        assert_eq!(j.stats().dropped, 1);
        j.refused("APIGW.0301");
        j.clear();
        j.push(entry());
        assert_eq!(j.snapshot(0)[0].seq, 1);
        let s = j.stats();
        assert_eq!((s.entries, s.capacity, s.dropped), (1, 2, 0));
        assert_eq!(s.refused_auth, RefusedAuth::default());
    }

    #[test]
    fn entries_come_back_as_stored() {
        let j = Journal::new(5);
        let mut e = JournalEntry::received("POST", &format!("/p/{}", "é".repeat(300)), "rid");
        e.operation = Some(Operation::DeployFactoryPackages);
        e.status = 400;
        e.error_code = Some("EMU.0002".into());
        e.fault = Some(FaultKind::DropAfter);
        e.applied = true;
        let ids: Vec<String> = (0..150)
            .map(|i| format!("{i}{}", "ü".repeat(i % 50)))
            .collect();
        e.set_package_ids(CappedIds::new(ids.iter().map(String::as_str)));
        j.push(e.clone());
        j.push(entry());
        let got = j.snapshot(0);
        e.seq = 1;
        assert_eq!(got[0], e);
        assert_eq!(got[1].seq, 2);
        assert_eq!(got[1].error_code, None);
        assert_eq!(j.count(|x| x.applied), 1);
        assert_eq!(j.snapshot(1).len(), 1);
    }

    #[test]
    fn worst_case_text_fits_a_record() {
        let mut e = JournalEntry::received(&"M".repeat(100), &"/".repeat(70_000), &"r".repeat(100));
        e.error_code = Some("APIGW.0201".into());
        let ids: Vec<String> = (0..1000).map(|i| format!("{:064}", i)).collect();
        e.set_package_ids(CappedIds::new(ids.iter().map(String::as_str)));
        let text = e.method.len()
            + e.path.len()
            + e.request_id.len()
            + 10
            + e.package_ids.iter().map(|i| 2 + i.len()).sum::<usize>();
        assert!(text <= store::MAX_ENTRY_TEXT, "{text}");
    }

    #[test]
    fn counts_drops_and_refusals() {
        let j = Journal::new(3);
        for _ in 0..10 {
            j.push(entry());
        }
        j.refused("APIGW.0301");
        j.refused("APIGW.0301");
        j.refused("APIGW.0302");
        let s = j.stats();
        assert_eq!((s.entries, s.dropped), (3, 7));
        assert_eq!(s.refused_auth.total, 3);
        assert_eq!(s.refused_auth.count("APIGW.0301"), 2);
        assert_eq!(s.refused_auth.count("APIGW.0302"), 1);
        assert_eq!(s.refused_auth.count("APIGW.0308"), 0);
        let v = serde_json::to_value(&s).unwrap();
        assert_eq!(v["refused_auth"]["by_error_code"]["APIGW.0301"], 2);
        assert_eq!(v["dropped"], 7);
    }

    #[test]
    fn cap_text_cuts_at_a_char_boundary_and_keeps_the_length() {
        assert_eq!(cap_text("short", 8), "short");
        let long = "a".repeat(60_000);
        let c = cap_text(&long, MAX_PATH);
        assert_eq!(c, format!("{}…[60000 bytes]", "a".repeat(256)));
        // "é" is 2 bytes: a cut inside it moves back.
        let s = format!("a{}", "é".repeat(10));
        assert_eq!(cap_text(&s, 4), "aé…[21 bytes]");
    }

    #[test]
    fn entries_cap_what_they_copy() {
        let path = format!("/v1/p/{}", "x".repeat(60_000));
        let mut e = JournalEntry::received(&"M".repeat(1000), &path, "rid");
        assert_eq!(e.path_len, path.len());
        assert!(e.path.len() <= MAX_PATH + 20, "{}", e.path.len());
        assert!(e.path.ends_with(&format!("…[{} bytes]", path.len())));
        assert!(e.method.len() <= MAX_METHOD + 20);
        let big = "9".repeat(100_000);
        let ids: Vec<String> = (0..5000).map(|i| format!("{big}{i}")).collect();
        e.set_package_ids(CappedIds::new(ids.iter().map(String::as_str)));
        assert_eq!(e.package_ids_total, 5000);
        assert!(!e.package_ids.is_empty());
        assert!(e.package_ids.len() <= MAX_IDS);
        assert!(e.package_ids.iter().all(|i| i.len() <= MAX_ID + 20));
        let text: usize = e.package_ids.iter().map(String::len).sum();
        assert!(text <= MAX_IDS_TEXT, "{text}");
        // Ordinary ids are kept whole, all 100 of a full release.
        let ids: Vec<String> = (0..100).map(|i| format!("{:019}", i)).collect();
        let c = CappedIds::new(ids.iter().map(String::as_str));
        assert_eq!((c.kept.len(), c.total), (100, 100));
        assert_eq!(c.kept, ids);
        assert!(heap_size(&e) <= MAX_ENTRY_BYTES, "{}", heap_size(&e));
    }

    /// Upper bound of one entry's memory (struct and heap), used for the documented worst case.
    const MAX_ENTRY_BYTES: usize = 5 * 1024;

    fn heap_size(e: &JournalEntry) -> usize {
        std::mem::size_of::<JournalEntry>()
            + e.method.capacity()
            + e.path.capacity()
            + e.request_id.capacity()
            + e.error_code.as_ref().map_or(0, String::capacity)
            + e.package_ids.capacity() * std::mem::size_of::<String>()
            + e.package_ids.iter().map(String::capacity).sum::<usize>()
    }

    #[test]
    fn worst_case_entry_is_bounded() {
        // The largest entry: longest path, method and request id, the id budget filled with
        // ids just under the per-id cap.
        let mut e = JournalEntry::received(&"M".repeat(100), &"/".repeat(70_000), &"r".repeat(100));
        e.error_code = Some("APIGW.0201".into());
        let ids: Vec<String> = (0..1000).map(|i| format!("{:064}", i)).collect();
        e.set_package_ids(CappedIds::new(ids.iter().map(String::as_str)));
        let small: Vec<String> = (0..1000).map(|i| format!("{i}")).collect();
        let mut f = e.clone();
        f.set_package_ids(CappedIds::new(small.iter().map(String::as_str)));
        let worst = heap_size(&e).max(heap_size(&f));
        eprintln!(
            "worst entry: {worst} bytes ({} with 1-byte ids, {} with 64-byte ids); a plain one: {}",
            heap_size(&f),
            heap_size(&e),
            heap_size(&JournalEntry::received(
                "GET",
                "/v2/p/factory/release-packages/23",
                "0123456789abcdef0123456789abcdef"
            ))
        );
        assert!(worst <= MAX_ENTRY_BYTES, "{worst}");
    }

    #[test]
    fn serialises_operation_ids_and_fault_names() {
        let mut e = entry();
        e.fault = Some(FaultKind::DropAfter);
        let v = serde_json::to_value(&e).unwrap();
        assert_eq!(v["operation"], Operation::ListSystemTasks.id());
        assert_eq!(v["fault"], "drop_after");
        e.operation = None;
        e.fault = None;
        let v = serde_json::to_value(&e).unwrap();
        assert_eq!(v["operation"], "unknown");
        assert!(v["fault"].is_null());
    }
}
