//! The lifecycle of a secret: `new` until it is revealed, burned or expired, then a tombstone.

use crate::clock::UnixTime;
use serde::{Deserialize, Serialize};

/// Where a secret is in its life. Stored as text; the wire formats map it further.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SecretState {
    /// Waiting to be revealed.
    New,
    /// Revealed once; the content is gone.
    Viewed,
    /// Destroyed before anyone saw it (see [`BurnReason`]).
    Burned,
    /// Its lifetime ran out; the content is gone (or is about to be swept).
    Expired,
}

impl SecretState {
    pub fn as_str(self) -> &'static str {
        match self {
            SecretState::New => "new",
            SecretState::Viewed => "viewed",
            SecretState::Burned => "burned",
            SecretState::Expired => "expired",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "new" => SecretState::New,
            "viewed" => SecretState::Viewed,
            "burned" => SecretState::Burned,
            "expired" => SecretState::Expired,
            _ => return None,
        })
    }

    /// The state as seen at `now`: a `new` secret past its expiry is `expired`, even if the
    /// sweeper has not deleted it yet (P9).
    pub fn at(self, secret_expires_at: UnixTime, now: UnixTime) -> Self {
        if self == SecretState::New && now >= secret_expires_at {
            SecretState::Expired
        } else {
            self
        }
    }
}

/// What the stored content is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContentKind {
    /// Text the server encrypted (and can decrypt with the link token).
    Text,
    /// An end-to-end envelope: only the holder of the fragment key can read it.
    E2e,
}

impl ContentKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ContentKind::Text => "text",
            ContentKind::E2e => "e2e",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "text" => Some(ContentKind::Text),
            "e2e" => Some(ContentKind::E2e),
            _ => None,
        }
    }
}

/// Why a secret was burned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BurnReason {
    /// The creator burned it from the receipt.
    Creator,
    /// Too many wrong passphrases were tried (P4).
    PassphraseAttempts,
}

impl BurnReason {
    pub fn as_str(self) -> &'static str {
        match self {
            BurnReason::Creator => "creator",
            BurnReason::PassphraseAttempts => "passphrase_attempts",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "creator" => Some(BurnReason::Creator),
            "passphrase_attempts" => Some(BurnReason::PassphraseAttempts),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_round_trip_through_text() {
        for s in [SecretState::New, SecretState::Viewed, SecretState::Burned, SecretState::Expired] {
            assert_eq!(SecretState::parse(s.as_str()), Some(s));
        }
        assert_eq!(SecretState::parse("received"), None);
        for k in [ContentKind::Text, ContentKind::E2e] {
            assert_eq!(ContentKind::parse(k.as_str()), Some(k));
        }
        for r in [BurnReason::Creator, BurnReason::PassphraseAttempts] {
            assert_eq!(BurnReason::parse(r.as_str()), Some(r));
        }
    }

    #[test]
    fn new_secret_expires_at_its_deadline_not_after() {
        assert_eq!(SecretState::New.at(100, 99), SecretState::New);
        assert_eq!(SecretState::New.at(100, 100), SecretState::Expired);
        assert_eq!(SecretState::Viewed.at(100, 500), SecretState::Viewed);
        assert_eq!(SecretState::Burned.at(100, 500), SecretState::Burned);
    }
}
