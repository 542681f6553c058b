//! Runtime settings: rate limits, fault injection, system-task timing and what a list's
//! `offset` counts.

use std::time::Duration;

use serde::{Deserialize, Serialize};

/// API-gateway rate limits, in requests per second.
///
/// Each limit is a token bucket that holds at most one second's worth of requests and refills
/// continuously. `None` switches that limit off.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RateLimits {
    /// Requests per second per caller (per AK, or per token). Default `Some(10)`.
    pub per_user: Option<u32>,
    /// Requests per second per operation, all callers together. Default `Some(100)`.
    pub per_api: Option<u32>,
}

impl Default for RateLimits {
    fn default() -> Self {
        Self {
            per_user: Some(10),
            per_api: Some(100),
        }
    }
}

impl RateLimits {
    /// No rate limiting at all.
    pub fn disabled() -> Self {
        Self {
            per_user: None,
            per_api: None,
        }
    }

    /// Whether any limit is on (a limit of 0 counts as off).
    pub fn is_enabled(&self) -> bool {
        self.per_user.is_some_and(|n| n > 0) || self.per_api.is_some_and(|n| n > 0)
    }
}

/// Fault injection. Every probability is per request, from 0 (never) to 1 (always); values
/// outside that range are clamped. The default injects nothing.
///
/// At most one of the "kind" faults (`throttle_burst`, `error_before`, `non_json_body`,
/// `error_after`, `drop_after`, `truncated_body`) applies to a request; they are drawn in that
/// order from one seeded random generator, so the same seed and the same sequence of requests
/// give the same faults. `latency` applies to every affected request, in addition.
///
/// JSON form (admin endpoint `PUT /_emulator/faults`): the same field names; `latency` and
/// `metadata_delay` are human-readable durations (`"250ms"`, `"1s"`) or a number of milliseconds; missing fields take
/// their defaults.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FaultConfig {
    /// Seed of the fault random generator.
    pub seed: u64,
    /// Delay added before each affected request is handled.
    #[serde(with = "duration_opt")]
    pub latency: Option<Duration>,
    /// Answer 500 without processing the request (no state change).
    pub error_before: f64,
    /// Process the request (state changes), then answer 500.
    pub error_after: f64,
    /// Process the request (state changes), then close the TCP connection without a response.
    pub drop_after: f64,
    /// Process the request (state changes), then send only the first half of the JSON body
    /// (status and `Content-Length` match the bytes sent, so the body is not valid JSON).
    pub truncated_body: f64,
    /// Answer 502 with an HTML page, as a misbehaving proxy would, without processing the
    /// request (no state change).
    pub non_json_body: f64,
    /// Answer 429 `APIGW.0308` with `Retry-After: 1`, without processing the request.
    pub throttle_burst: f64,
    /// Restrict faults to these operationIds (e.g. `deploy_factory_packages`); `None` means
    /// every operation. Does not apply to the identity faults below.
    pub operations: Option<Vec<String>>,
    /// The ECS metadata service (both its routes) answers 500.
    pub metadata_error: f64,
    /// The ECS metadata service (both its routes) answers only after this delay (longer than
    /// a client's timeout to play "no metadata service").
    #[serde(with = "duration_opt")]
    pub metadata_delay: Option<Duration>,
    /// The metadata service has no session tokens, as older ones: the token call answers 404
    /// and the security key is served without `X-Metadata-Token` (clients must go on without
    /// a token).
    pub metadata_without_token: bool,
    /// IAM refuses the id token of identity-provider federation (401), even an accepted one.
    pub iam_refuse_id_token: f64,
    /// STS refuses to let the agency be assumed with OIDC (403 `STS.0003`).
    pub sts_refuse_agency: f64,
    /// A JSON success answer of an identity service (IAM, STS, metadata, pod identity) is cut
    /// in half: the status is right, the body is not valid JSON.
    pub identity_malformed: f64,
}

impl Default for FaultConfig {
    fn default() -> Self {
        Self {
            seed: 0,
            latency: None,
            error_before: 0.0,
            error_after: 0.0,
            drop_after: 0.0,
            truncated_body: 0.0,
            non_json_body: 0.0,
            throttle_burst: 0.0,
            operations: None,
            metadata_error: 0.0,
            metadata_delay: None,
            metadata_without_token: false,
            iam_refuse_id_token: 0.0,
            sts_refuse_agency: 0.0,
            identity_malformed: 0.0,
        }
    }
}

impl FaultConfig {
    /// Whether this configuration can inject anything.
    pub fn is_active(&self) -> bool {
        self.latency.is_some_and(|d| !d.is_zero())
            || self.metadata_delay.is_some_and(|d| !d.is_zero())
            || self.metadata_without_token
            || [
                self.error_before,
                self.error_after,
                self.drop_after,
                self.truncated_body,
                self.non_json_body,
                self.throttle_burst,
                self.metadata_error,
                self.iam_refuse_id_token,
                self.sts_refuse_agency,
                self.identity_malformed,
            ]
            .iter()
            .any(|p| *p > 0.0)
    }

    /// Checks that every probability is a number in `0..=1`.
    ///
    /// # Errors
    ///
    /// A message naming the first field that is out of range.
    pub fn validate(&self) -> Result<(), String> {
        for (name, p) in self.probabilities() {
            if !(0.0..=1.0).contains(&p) {
                return Err(format!(
                    "{name} must be a probability between 0 and 1, got {p}"
                ));
            }
        }
        Ok(())
    }

    /// The same configuration with every probability forced into `0..=1` (NaN becomes 0).
    pub fn clamped(mut self) -> Self {
        for p in [
            &mut self.error_before,
            &mut self.error_after,
            &mut self.drop_after,
            &mut self.truncated_body,
            &mut self.non_json_body,
            &mut self.throttle_burst,
            &mut self.metadata_error,
            &mut self.iam_refuse_id_token,
            &mut self.sts_refuse_agency,
            &mut self.identity_malformed,
        ] {
            *p = if p.is_nan() { 0.0 } else { p.clamp(0.0, 1.0) };
        }
        self
    }

    fn probabilities(&self) -> [(&'static str, f64); 10] {
        [
            ("identity_malformed", self.identity_malformed),
            ("metadata_error", self.metadata_error),
            ("iam_refuse_id_token", self.iam_refuse_id_token),
            ("sts_refuse_agency", self.sts_refuse_agency),
            ("error_before", self.error_before),
            ("error_after", self.error_after),
            ("drop_after", self.drop_after),
            ("truncated_body", self.truncated_body),
            ("non_json_body", self.non_json_body),
            ("throttle_burst", self.throttle_burst),
        ]
    }
}

/// How release system tasks progress.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TaskTiming {
    /// Tasks only move when told to ([`crate::RunningEmulator::advance_tasks`],
    /// [`crate::RunningEmulator::complete_all_tasks`] or the admin endpoints).
    Manual,
    /// Each subtask finishes `subtask` after the previous one (the first one `subtask` after the
    /// release started).
    Auto {
        /// Duration of one subtask.
        subtask: Duration,
    },
}

impl Default for TaskTiming {
    fn default() -> Self {
        TaskTiming::Auto {
            subtask: Duration::from_millis(300),
        }
    }
}

/// What the `offset` of the two list operations (release packages, pending items) counts.
///
/// Huawei's pages call it both a start row and a "start page", so the emulator serves either:
/// with [`OffsetUnit::Rows`] (the default) `offset` rows are skipped, with
/// [`OffsetUnit::Pages`] `offset * limit` rows are. `total` counts rows either way.
///
/// ```
/// use dataarts_emulator::OffsetUnit;
/// assert_eq!(OffsetUnit::Rows.rows_to_skip(3, 10), 3);
/// assert_eq!(OffsetUnit::Pages.rows_to_skip(3, 10), 30);
/// ```
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, clap::ValueEnum,
)]
#[serde(rename_all = "lowercase")]
pub enum OffsetUnit {
    /// `offset` is the number of rows to skip.
    #[default]
    Rows,
    /// `offset` is a page index: `offset * limit` rows are skipped.
    Pages,
}

impl OffsetUnit {
    /// How many rows an `offset` skips with pages of `limit` rows (saturating).
    pub fn rows_to_skip(self, offset: usize, limit: usize) -> usize {
        match self {
            OffsetUnit::Rows => offset,
            OffsetUnit::Pages => offset.saturating_mul(limit),
        }
    }
}

/// Listing settings (admin endpoint `GET`/`PUT /_emulator/paging`, JSON
/// `{"offset_unit": "rows"}` or `{"offset_unit": "pages"}`).
///
/// ```
/// let p: dataarts_emulator::Paging = serde_json::from_str(r#"{"offset_unit":"pages"}"#).unwrap();
/// assert_eq!(p.offset_unit, dataarts_emulator::OffsetUnit::Pages);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Paging {
    /// What `offset` counts (default rows).
    pub offset_unit: OffsetUnit,
}

/// Deserializes a `Duration` from a humantime string (`"1h"`) or a number of milliseconds.
pub(crate) fn duration<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
    duration_opt::deserialize(d)?.ok_or_else(|| serde::de::Error::custom("a duration is required"))
}

/// Serde for `Option<Duration>` as a humantime string (or a number of milliseconds).
mod duration_opt {
    use std::time::Duration;

    use serde::{de, Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &Option<Duration>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(d) => s.serialize_str(&humantime::format_duration(*d).to_string()),
            None => s.serialize_none(),
        }
    }

    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Millis(u64),
        Text(String),
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Duration>, D::Error> {
        match Option::<Raw>::deserialize(d)? {
            None => Ok(None),
            Some(Raw::Millis(ms)) => Ok(Some(Duration::from_millis(ms))),
            Some(Raw::Text(t)) => humantime::parse_duration(t.trim())
                .map(Some)
                .map_err(|e| de::Error::custom(format!("invalid duration {t:?}: {e}"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fault_config_json_round_trip_and_defaults() {
        let f: FaultConfig =
            serde_json::from_str(r#"{"seed":7,"latency":"250ms","drop_after":0.5}"#).unwrap();
        assert_eq!(f.seed, 7);
        assert_eq!(f.latency, Some(Duration::from_millis(250)));
        assert_eq!(f.drop_after, 0.5);
        assert!(f.is_active());
        let back: FaultConfig = serde_json::from_str(&serde_json::to_string(&f).unwrap()).unwrap();
        assert_eq!(back, f);
        let ms: FaultConfig = serde_json::from_str(r#"{"latency":20}"#).unwrap();
        assert_eq!(ms.latency, Some(Duration::from_millis(20)));
        assert!(!FaultConfig::default().is_active());
        assert!(serde_json::from_str::<FaultConfig>(r#"{"bogus":1}"#).is_err());
    }

    #[test]
    fn validation_and_clamping() {
        let f = FaultConfig {
            error_before: 1.5,
            error_after: f64::NAN,
            ..FaultConfig::default()
        };
        assert!(f.validate().unwrap_err().contains("error_before"));
        let c = f.clamped();
        assert_eq!(c.error_before, 1.0);
        assert_eq!(c.error_after, 0.0);
        assert!(c.validate().is_ok());
    }

    #[test]
    fn rate_limits() {
        assert!(RateLimits::default().is_enabled());
        assert!(!RateLimits::disabled().is_enabled());
        let r: RateLimits = serde_json::from_str(r#"{"per_user":null}"#).unwrap();
        assert_eq!(r.per_user, None);
        assert_eq!(r.per_api, Some(100));
    }

    #[test]
    fn offset_units() {
        assert_eq!(OffsetUnit::default(), OffsetUnit::Rows);
        assert_eq!(OffsetUnit::Rows.rows_to_skip(7, 3), 7);
        assert_eq!(OffsetUnit::Pages.rows_to_skip(7, 3), 21);
        assert_eq!(OffsetUnit::Pages.rows_to_skip(usize::MAX, 2), usize::MAX);
        let p: Paging = serde_json::from_str("{}").unwrap();
        assert_eq!(p.offset_unit, OffsetUnit::Rows);
        assert_eq!(
            serde_json::to_string(&Paging {
                offset_unit: OffsetUnit::Pages
            })
            .unwrap(),
            r#"{"offset_unit":"pages"}"#
        );
        assert!(serde_json::from_str::<Paging>(r#"{"offset_unit":"bytes"}"#).is_err());
        assert!(serde_json::from_str::<Paging>(r#"{"unit":"rows"}"#).is_err());
    }
}
