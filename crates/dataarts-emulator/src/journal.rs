//! The request journal: one entry per API request (admin calls are not recorded).

use std::collections::VecDeque;
use std::sync::Mutex;

use serde::Serialize;

/// One API request as the emulator saw and answered it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct JournalEntry {
    /// Sequence number, from 1, increasing (it keeps counting when old entries are evicted).
    pub seq: u64,
    /// The operationId (`deploy_factory_packages`, ...), or `unknown` for a request that
    /// matched no operation.
    pub operation: String,
    /// HTTP method.
    pub method: String,
    /// Request path (without the query).
    pub path: String,
    /// Package IDs the request named (ops 1, 3, 4) or created (op 6).
    pub package_ids: Vec<String>,
    /// HTTP status the client received; `0` when the connection was dropped without a response.
    pub status: u16,
    /// `error_code` of an error answer.
    pub error_code: Option<String>,
    /// The injected fault, if any: `latency`, `error_before`, `error_after`, `drop_after`,
    /// `truncated_body`, `non_json_body` or `throttle_burst`.
    pub fault: Option<String>,
    /// Whether the request changed state (a release, revoke or new package), even if the client
    /// then saw an error.
    pub applied: bool,
    /// The `X-Request-Id` of the response.
    pub request_id: String,
}

/// A bounded, append-only journal (O(1) append; the oldest entries go first when full).
#[derive(Debug)]
pub(crate) struct Journal {
    inner: Mutex<Inner>,
}

#[derive(Debug)]
struct Inner {
    entries: VecDeque<JournalEntry>,
    next_seq: u64,
    capacity: usize,
}

impl Journal {
    pub(crate) fn new(capacity: usize) -> Self {
        Self {
            inner: Mutex::new(Inner {
                entries: VecDeque::new(),
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
        let mut g = self.lock();
        entry.seq = g.next_seq;
        g.next_seq += 1;
        if g.entries.len() >= g.capacity {
            g.entries.pop_front();
        }
        g.entries.push_back(entry);
    }

    /// A copy of the entries with `seq > after`.
    pub(crate) fn snapshot(&self, after: u64) -> Vec<JournalEntry> {
        let g = self.lock();
        g.entries.iter().filter(|e| e.seq > after).cloned().collect()
    }

    /// Forgets every entry and restarts numbering at 1.
    pub(crate) fn clear(&self) {
        let mut g = self.lock();
        g.entries.clear();
        g.next_seq = 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry() -> JournalEntry {
        JournalEntry {
            seq: 0,
            operation: "x".into(),
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
}
