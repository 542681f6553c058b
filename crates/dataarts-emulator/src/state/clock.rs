//! The task clock: when, under automatic timing, the next subtask of each running release
//! task ends.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use crate::config::TaskTiming;

/// A subtask completion that is due: (time in ms, task id, index of the subtask that ends).
pub(super) type Due = (i64, String, usize);

/// Pending subtask completions, earliest first. Empty under manual timing.
#[derive(Debug)]
pub(super) struct TaskClock {
    timing: TaskTiming,
    due: BinaryHeap<Reverse<Due>>,
}

impl TaskClock {
    pub fn new(timing: TaskTiming) -> Self {
        Self {
            timing,
            due: BinaryHeap::new(),
        }
    }

    /// Subtask duration in ms (automatic timing only).
    fn step_ms(&self) -> Option<i64> {
        match self.timing {
            TaskTiming::Auto { subtask } => Some(subtask.as_millis().min(i64::MAX as u128) as i64),
            TaskTiming::Manual => None,
        }
    }

    /// Under automatic timing, subtask `index` of `task` ends one step after `from`.
    pub fn schedule(&mut self, task: String, index: usize, from: i64) {
        if let Some(step) = self.step_ms() {
            self.due
                .push(Reverse((from.saturating_add(step), task, index)));
        }
    }

    /// Takes the earliest completion due at or before `now`.
    pub fn pop_due(&mut self, now: i64) -> Option<Due> {
        match self.due.peek() {
            Some(Reverse((due, _, _))) if *due <= now => self.due.pop().map(|Reverse(d)| d),
            _ => None,
        }
    }
}
