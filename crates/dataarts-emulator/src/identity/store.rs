//! What the identity services hand out and must remember: temporary credentials, unscoped
//! IAM tokens and metadata tokens, each with its expiry on the identity clock. Bounded: at
//! most [`MAX_HELD`] of each kind; expired entries go first.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use crate::gateway::Principal;
use crate::ids::HexIds;

/// Most entries of each kind kept at once.
pub(crate) const MAX_HELD: usize = 10_000;
/// How long an expired credential is still recognised, so the gateway can say it expired
/// rather than that it does not exist.
const EXPIRED_GRACE: Duration = Duration::from_secs(3600);

/// Temporary credentials the emulator issued.
pub(crate) struct IssuedCredential {
    pub sk: String,
    pub security_token: String,
    pub expires_at: SystemTime,
    pub principal: Arc<Principal>,
}

/// What an issuing route answers with.
pub(crate) struct Grant {
    pub access: String,
    pub secret: String,
    pub security_token: String,
    pub expires_at: SystemTime,
}

struct Held<V> {
    value: V,
    expires_at: SystemTime,
}

#[derive(Default)]
struct Inner {
    creds: HashMap<String, Held<Arc<IssuedCredential>>>,
    unscoped: HashMap<String, Held<Arc<Principal>>>,
    metadata: HashMap<String, Held<()>>,
}

/// The store, with the identity clock (real time plus an offset tests can advance) and the
/// longest lifetime of issued credentials.
pub(crate) struct Issued {
    lifetime: Duration,
    offset_ms: AtomicU64,
    inner: Mutex<Inner>,
}

impl std::fmt::Debug for Issued {
    // Never prints secrets: only counts.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let g = self.lock();
        f.debug_struct("Issued")
            .field("lifetime", &self.lifetime)
            .field("credentials", &g.creds.len())
            .field("unscoped_tokens", &g.unscoped.len())
            .field("metadata_tokens", &g.metadata.len())
            .finish()
    }
}

fn insert_bounded<K: Eq + Hash + Clone, V>(
    map: &mut HashMap<K, Held<V>>,
    key: K,
    held: Held<V>,
    now: SystemTime,
    grace: Duration,
) {
    if map.len() >= MAX_HELD {
        map.retain(|_, h| h.expires_at + grace > now);
    }
    if map.len() >= MAX_HELD {
        let oldest = map
            .iter()
            .min_by_key(|(_, h)| h.expires_at)
            .map(|(k, _)| k.clone());
        if let Some(k) = oldest {
            map.remove(&k);
        }
    }
    map.insert(key, held);
}

impl Issued {
    pub(crate) fn new(lifetime: Duration) -> Self {
        Self {
            lifetime: lifetime.max(Duration::from_millis(1)),
            offset_ms: AtomicU64::new(0),
            inner: Mutex::new(Inner::default()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The longest lifetime of issued credentials.
    pub(crate) fn lifetime(&self) -> Duration {
        self.lifetime
    }

    /// Now on the identity clock.
    pub(crate) fn now(&self) -> SystemTime {
        SystemTime::now() + Duration::from_millis(self.offset_ms.load(Ordering::Acquire))
    }

    /// Moves the identity clock forward.
    pub(crate) fn advance(&self, by: Duration) {
        let ms = u64::try_from(by.as_millis()).unwrap_or(u64::MAX);
        let _ = self
            .offset_ms
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |o| {
                Some(o.saturating_add(ms))
            });
    }

    /// Issues fresh temporary credentials, acting as the principal `principal` makes for the
    /// new access key, valid for the shorter of `requested` and the lifetime.
    pub(crate) fn issue_with(
        &self,
        ids: &HexIds,
        principal: impl FnOnce(&str) -> Arc<Principal>,
        requested: Option<Duration>,
    ) -> Grant {
        let life = requested.map_or(self.lifetime, |r| r.min(self.lifetime));
        let now = self.now();
        let expires_at = now + life;
        let access = format!("EMUT{}", &ids.next()[..16]).to_ascii_uppercase();
        let secret = format!("{}{}", ids.next(), &ids.next()[..8]);
        let security_token = format!("emu-st-{}{}{}", ids.next(), ids.next(), ids.next());
        let principal = principal(&access);
        let cred = Arc::new(IssuedCredential {
            sk: secret.clone(),
            security_token: security_token.clone(),
            expires_at,
            principal,
        });
        let held = Held {
            value: cred,
            expires_at,
        };
        insert_bounded(
            &mut self.lock().creds,
            access.clone(),
            held,
            now,
            EXPIRED_GRACE,
        );
        Grant {
            access,
            secret,
            security_token,
            expires_at,
        }
    }

    /// The issued credential of this access key (expired ones too, for a while).
    pub(crate) fn credential(&self, access: &str) -> Option<Arc<IssuedCredential>> {
        self.lock().creds.get(access).map(|h| h.value.clone())
    }

    /// A new unscoped IAM token for `principal`, valid for `ttl`.
    pub(crate) fn new_unscoped(
        &self,
        ids: &HexIds,
        principal: Arc<Principal>,
        ttl: Duration,
    ) -> (String, SystemTime) {
        let now = self.now();
        let token = format!("emu-unscoped-{}{}", ids.next(), ids.next());
        let held = Held {
            value: principal,
            expires_at: now + ttl,
        };
        insert_bounded(
            &mut self.lock().unscoped,
            token.clone(),
            held,
            now,
            Duration::ZERO,
        );
        (token, now + ttl)
    }

    /// The principal of a valid (known, unexpired) unscoped token.
    pub(crate) fn unscoped(&self, token: &str) -> Option<Arc<Principal>> {
        let now = self.now();
        self.lock()
            .unscoped
            .get(token)
            .filter(|h| h.expires_at > now)
            .map(|h| h.value.clone())
    }

    /// A new metadata-service session token, valid for `ttl`.
    pub(crate) fn new_metadata_token(&self, ids: &HexIds, ttl: Duration) -> String {
        let now = self.now();
        let token = format!("emu-md-{}{}", ids.next(), ids.next());
        let held = Held {
            value: (),
            expires_at: now + ttl,
        };
        insert_bounded(
            &mut self.lock().metadata,
            token.clone(),
            held,
            now,
            Duration::ZERO,
        );
        token
    }

    /// Whether this metadata token is known and unexpired.
    pub(crate) fn metadata_token_valid(&self, token: &str) -> bool {
        let now = self.now();
        self.lock()
            .metadata
            .get(token)
            .is_some_and(|h| h.expires_at > now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    fn principal() -> Arc<Principal> {
        Arc::new(Principal {
            key: Arc::from("k"),
            user_id: None,
            projects: HashSet::new(),
        })
    }

    #[test]
    fn issues_unique_credentials_bounded_by_the_lifetime() {
        let s = Issued::new(Duration::from_secs(60));
        let ids = HexIds::new();
        let a = s.issue_with(&ids, |_| principal(), Some(Duration::from_secs(3600)));
        let b = s.issue_with(&ids, |_| principal(), Some(Duration::from_secs(10)));
        assert_ne!(a.access, b.access);
        assert_ne!(a.secret, b.secret);
        assert_ne!(a.security_token, b.security_token);
        assert_eq!(a.access.len(), 20);
        let now = s.now();
        assert!(a.expires_at <= now + Duration::from_secs(60));
        assert!(a.expires_at > now + Duration::from_secs(50));
        assert!(b.expires_at <= now + Duration::from_secs(10));
        assert!(s.credential(&a.access).is_some());
        assert!(format!("{s:?}").contains("credentials: 2"));
        assert!(!format!("{s:?}").contains(&a.secret));
    }

    #[test]
    fn tokens_expire_with_the_clock() {
        let s = Issued::new(Duration::from_secs(60));
        let ids = HexIds::new();
        let (t, _) = s.new_unscoped(&ids, principal(), Duration::from_secs(30));
        let m = s.new_metadata_token(&ids, Duration::from_secs(30));
        assert!(s.unscoped(&t).is_some() && s.metadata_token_valid(&m));
        s.advance(Duration::from_secs(31));
        assert!(s.unscoped(&t).is_none() && !s.metadata_token_valid(&m));
        assert!(!s.metadata_token_valid("unknown"));
    }

    #[test]
    fn bounded() {
        let s = Issued::new(Duration::from_secs(60));
        let ids = HexIds::new();
        for _ in 0..MAX_HELD + 5 {
            s.new_metadata_token(&ids, Duration::from_secs(30));
        }
        assert_eq!(s.lock().metadata.len(), MAX_HELD);
    }
}
