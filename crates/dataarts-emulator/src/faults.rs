//! Seeded fault injection: decides, per request, which fault (if any) applies.

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use dataarts_release_raw::Operation;
use serde::{Deserialize, Serialize};

use crate::config::FaultConfig;
use crate::ids::SplitMix64;

/// A fault the emulator injected into a request, as the journal records it.
///
/// Serialised as its snake-case name (`latency`, `error_before`, ...), the same names
/// [`FaultConfig`] uses for the probabilities.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum FaultKind {
    /// Only added latency: the request was otherwise answered normally.
    Latency,
    /// 429 `APIGW.0308` before processing (nothing happened).
    ThrottleBurst,
    /// 500 before processing (nothing happened).
    ErrorBefore,
    /// 502 with an HTML page before processing (nothing happened).
    NonJsonBody,
    /// 500 after processing (the change happened).
    ErrorAfter,
    /// Connection closed without a response after processing (the change happened).
    DropAfter,
    /// 200 with half the JSON body after processing (the change happened).
    TruncatedBody,
    /// The metadata service answered 500 (`metadata_error`).
    MetadataError,
    /// The metadata service answered late (`metadata_delay`).
    MetadataDelay,
    /// IAM refused an id token (`iam_refuse_id_token`).
    IamRefuseIdToken,
    /// STS refused to let the agency be assumed (`sts_refuse_agency`).
    StsRefuseAgency,
    /// An identity service's success answer was cut in half (`identity_malformed`).
    IdentityMalformed,
}

impl FaultKind {
    /// The name the journal and [`FaultConfig`] use, e.g. `drop_after`.
    pub fn as_str(self) -> &'static str {
        match self {
            FaultKind::Latency => "latency",
            FaultKind::ThrottleBurst => "throttle_burst",
            FaultKind::ErrorBefore => "error_before",
            FaultKind::NonJsonBody => "non_json_body",
            FaultKind::ErrorAfter => "error_after",
            FaultKind::DropAfter => "drop_after",
            FaultKind::TruncatedBody => "truncated_body",
            FaultKind::MetadataError => "metadata_error",
            FaultKind::MetadataDelay => "metadata_delay",
            FaultKind::IamRefuseIdToken => "iam_refuse_id_token",
            FaultKind::StsRefuseAgency => "sts_refuse_agency",
            FaultKind::IdentityMalformed => "identity_malformed",
        }
    }

    /// Whether the request is processed (state may change) before the fault shows.
    pub fn after_processing(self) -> bool {
        matches!(
            self,
            FaultKind::ErrorAfter | FaultKind::DropAfter | FaultKind::TruncatedBody
        )
    }
}

impl fmt::Display for FaultKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What to do to one request.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Decision {
    pub latency: Option<Duration>,
    /// The one fault that changes the answer (never [`FaultKind::Latency`]).
    pub kind: Option<FaultKind>,
}

impl Decision {
    /// The journal's record of this decision.
    pub(crate) fn recorded(&self) -> Option<FaultKind> {
        match (self.kind, self.latency) {
            (Some(k), _) => Some(k),
            (None, Some(_)) => Some(FaultKind::Latency),
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

    /// Whether an identity fault with the probability `pick` selects applies to this request
    /// (1 always, 0 never, in between drawn from the seeded generator).
    pub(crate) fn draw(&self, pick: impl Fn(&FaultConfig) -> f64) -> bool {
        let mut g = self.lock();
        let (cfg, rng) = &mut *g;
        let p = pick(cfg);
        if p <= 0.0 || p.is_nan() {
            false
        } else if p >= 1.0 {
            true
        } else {
            rng.next_f64() < p
        }
    }

    /// Whether the metadata service runs without session tokens.
    pub(crate) fn metadata_without_token(&self) -> bool {
        self.lock().0.metadata_without_token
    }

    /// The delay of every metadata-service answer, if set.
    pub(crate) fn metadata_delay(&self) -> Option<Duration> {
        self.lock().0.metadata_delay.filter(|d| !d.is_zero())
    }

    /// Draws the fault for a request to `operation`. Draws nothing (and so leaves the sequence
    /// untouched) for operations the configuration excludes.
    pub(crate) fn decide(&self, operation: Operation) -> Decision {
        if !self.active.load(Ordering::Acquire) {
            return Decision::default();
        }
        let mut g = self.lock();
        let (cfg, rng) = &mut *g;
        if let Some(ops) = &cfg.operations {
            if !ops.iter().any(|o| o == operation.id()) {
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
        let op = Operation::DeployFactoryPackages;
        assert_eq!(f.decide(op).kind, Some(FaultKind::DropAfter));
        f.set(FaultConfig::default());
        assert_eq!(f.decide(op), Decision::default());
    }

    #[test]
    fn reproducible_and_filtered() {
        let cfg = FaultConfig {
            seed: 9,
            error_before: 0.3,
            error_after: 0.3,
            operations: Some(vec![Operation::DeployFactoryPackages.id().into()]),
            ..FaultConfig::default()
        };
        let f1 = Faults::new(cfg.clone());
        let f2 = Faults::new(cfg);
        let a = Operation::DeployFactoryPackages;
        let s1: Vec<_> = (0..50).map(|_| f1.decide(a).kind).collect();
        let s2: Vec<_> = (0..50).map(|_| f2.decide(a).kind).collect();
        assert_eq!(s1, s2);
        assert!(s1.iter().any(Option::is_some) && s1.iter().any(Option::is_none));
        assert_eq!(
            f1.decide(Operation::CancelFactoryPackages),
            Decision::default()
        );
    }

    #[test]
    fn kinds_serialise_to_their_names() {
        for k in [
            FaultKind::Latency,
            FaultKind::ThrottleBurst,
            FaultKind::ErrorBefore,
            FaultKind::NonJsonBody,
            FaultKind::ErrorAfter,
            FaultKind::DropAfter,
            FaultKind::TruncatedBody,
            FaultKind::MetadataError,
            FaultKind::MetadataDelay,
            FaultKind::IamRefuseIdToken,
            FaultKind::StsRefuseAgency,
            FaultKind::IdentityMalformed,
        ] {
            assert_eq!(serde_json::to_value(k).unwrap(), k.as_str());
            assert_eq!(k.to_string(), k.as_str());
        }
    }
}
