//! The request journal: one entry per API request (admin calls are not recorded).

use std::collections::VecDeque;
use std::sync::Mutex;

use dataarts_release_raw::Operation;
use serde::{Serialize, Serializer};

use crate::faults::FaultKind;

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
    /// Request path (without the query).
    pub path: String,
    /// Package IDs the request named (release, show, revoke) or created (packaging).
    pub package_ids: Vec<String>,
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
            method: method.to_string(),
            path: path.to_string(),
            package_ids: Vec::new(),
            status: 0,
            error_code: None,
            fault: None,
            applied: false,
            request_id: request_id.to_string(),
        }
    }
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
    chunks: VecDeque<VecDeque<JournalEntry>>,
    len: usize,
    next_seq: u64,
    capacity: usize,
}

impl Journal {
    pub(crate) fn new(capacity: usize) -> Self {
        Self {
            inner: Mutex::new(Inner {
                chunks: VecDeque::new(),
                len: 0,
                next_seq: 1,
                capacity: capacity.max(1),
            }),
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
        if g.len >= g.capacity {
            if let Some(front) = g.chunks.front_mut() {
                front.pop_front();
                g.len -= 1;
                if front.is_empty() {
                    g.chunks.pop_front();
                }
            }
        }
        let chunk_size = CHUNK.min(g.capacity);
        match g.chunks.back_mut() {
            Some(last) if last.len() < chunk_size => last.push_back(entry),
            _ => {
                let mut chunk = VecDeque::with_capacity(chunk_size);
                chunk.push_back(entry);
                g.chunks.push_back(chunk);
            }
        }
        g.len += 1;
    }

    /// A copy of the entries with `seq > after`.
    pub(crate) fn snapshot(&self, after: u64) -> Vec<JournalEntry> {
        let g = self.lock();
        g.chunks
            .iter()
            .filter(|c| c.back().is_some_and(|e| e.seq > after))
            .flat_map(|c| c.iter().filter(|e| e.seq > after))
            .cloned()
            .collect()
    }

    /// How many kept entries satisfy `pred` (without copying them).
    pub(crate) fn count(&self, pred: impl Fn(&JournalEntry) -> bool) -> usize {
        let g = self.lock();
        g.chunks.iter().flatten().filter(|e| pred(e)).count()
    }

    /// Forgets every entry and restarts numbering at 1.
    pub(crate) fn clear(&self) {
        let mut g = self.lock();
        g.chunks.clear();
        g.len = 0;
        g.next_seq = 1;
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
            package_ids: vec![],
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
        j.clear();
        j.push(entry());
        assert_eq!(j.snapshot(0)[0].seq, 1);
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
