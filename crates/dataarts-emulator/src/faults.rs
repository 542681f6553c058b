//! Seeded fault injection: decides, per request, which fault (if any) applies.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use crate::ids::SplitMix64;
use crate::FaultConfig;

/// The fault kinds, one per request at most.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FaultKind {
    /// 429 before processing.
    ThrottleBurst,
    /// 500 before processing.
    ErrorBefore,
    /// 502 HTML before processing.
    NonJsonBody,
    /// 500 after processing.
    ErrorAfter,
    /// Connection closed after processing.
    DropAfter,
    /// Half the body after processing.
    TruncatedBody,
}

impl FaultKind {
    pub(crate) fn name(self) -> &'static str {
        match self {
            FaultKind::ThrottleBurst => "throttle_burst",
            FaultKind::ErrorBefore => "error_before",
            FaultKind::NonJsonBody => "non_json_body",
            FaultKind::ErrorAfter => "error_after",
            FaultKind::DropAfter => "drop_after",
            FaultKind::TruncatedBody => "truncated_body",
        }
    }

    /// Whether the request is processed (state may change) before the fault shows.
    pub(crate) fn after_processing(self) -> bool {
        matches!(
            self,
            FaultKind::ErrorAfter | FaultKind::DropAfter | FaultKind::TruncatedBody
        )
    }
}

/// What to do to one request.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Decision {
    pub latency: Option<Duration>,
    pub kind: Option<FaultKind>,
}

impl Decision {
    /// The journal's name for this decision.
    pub(crate) fn label(&self) -> Option<String> {
        match (self.kind, self.latency) {
            (Some(k), _) => Some(k.name().to_string()),
            (None, Some(_)) => Some("latency".to_string()),
            (None, None) => None,
        }
    }
}

/// The fault injector: configuration plus its random generator.
#[derive(Debug)]
pub(crate) struct Faults {
    active: AtomicBool,
    inner: Mutex<(FaultConfig, SplitMix64)>,
}

impl Faults {
    pub(crate) fn new(cfg: FaultConfig) -> Self {
        let cfg = cfg.clamped();
        Self {
            active: AtomicBool::new(cfg.is_active()),
            inner: Mutex::new((cfg.clone(), SplitMix64::new(cfg.seed))),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, (FaultConfig, SplitMix64)> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Replaces the configuration and reseeds the generator.
    pub(crate) fn set(&self, cfg: FaultConfig) {
        let cfg = cfg.clamped();
        let mut g = self.lock();
        self.active.store(cfg.is_active(), Ordering::Release);
        g.1 = SplitMix64::new(cfg.seed);
        g.0 = cfg;
    }

    pub(crate) fn get(&self) -> FaultConfig {
        self.lock().0.clone()
    }

    /// Draws the fault for a request to `operation`. Draws nothing (and so leaves the sequence
    /// untouched) for operations the configuration excludes.
    pub(crate) fn decide(&self, operation: &str) -> Decision {
        if !self.active.load(Ordering::Acquire) {
            return Decision::default();
        }
        let mut g = self.lock();
        let (cfg, rng) = &mut *g;
        if let Some(ops) = &cfg.operations {
            if !ops.iter().any(|o| o == operation) {
                return Decision::default();
            }
        }
        let latency = cfg.latency.filter(|d| !d.is_zero());
        // One draw picks at most one kind: the probabilities are stacked in a fixed order.
        let x = rng.next_f64();
        let mut acc = 0.0;
        let mut kind = None;
        for (k, p) in [
            (FaultKind::ThrottleBurst, cfg.throttle_burst),
            (FaultKind::ErrorBefore, cfg.error_before),
            (FaultKind::NonJsonBody, cfg.non_json_body),
            (FaultKind::ErrorAfter, cfg.error_after),
            (FaultKind::DropAfter, cfg.drop_after),
            (FaultKind::TruncatedBody, cfg.truncated_body),
        ] {
            acc += p;
            if p > 0.0 && x < acc {
                kind = Some(k);
                break;
            }
        }
        Decision { latency, kind }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn always_and_never() {
        let f = Faults::new(FaultConfig {
            drop_after: 1.0,
            ..FaultConfig::default()
        });
        assert_eq!(f.decide("x").kind, Some(FaultKind::DropAfter));
        f.set(FaultConfig::default());
        assert_eq!(f.decide("x"), Decision::default());
    }

    #[test]
    fn reproducible_and_filtered() {
        let cfg = FaultConfig {
            seed: 9,
            error_before: 0.3,
            error_after: 0.3,
            operations: Some(vec!["a".into()]),
            ..FaultConfig::default()
        };
        let f1 = Faults::new(cfg.clone());
        let f2 = Faults::new(cfg);
        let s1: Vec<_> = (0..50).map(|_| f1.decide("a").kind).collect();
        let s2: Vec<_> = (0..50).map(|_| f2.decide("a").kind).collect();
        assert_eq!(s1, s2);
        assert!(s1.iter().any(Option::is_some) && s1.iter().any(Option::is_none));
        assert_eq!(f1.decide("b"), Decision::default());
    }
}
