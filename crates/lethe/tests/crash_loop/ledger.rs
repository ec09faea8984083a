//! The crash loop's record of what the server acknowledged, and its seeded random numbers.

use std::sync::{Arc, Mutex};

/// Wrong passphrases allowed before a secret is destroyed (the server's default).
pub const ATTEMPTS: u32 = 5;

/// A consuming operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Reveal,
    Burn,
}

/// What the test knows about a secret.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fate {
    /// Create acknowledged; nothing that consumes it was acknowledged.
    Waiting,
    /// Sent, but the kill came before a complete answer: either outcome is fine, once.
    InFlight(Op),
    /// Reveal acknowledged with the right content (or confirmed by the restarted server).
    Revealed,
    /// Burn acknowledged (or confirmed).
    Burned,
    /// The last allowed wrong passphrase was acknowledged (or confirmed): burned.
    Destroyed,
}

impl Fate {
    /// Whether the secret's content must be gone for good.
    pub fn consumed(self) -> bool {
        matches!(self, Fate::Revealed | Fate::Burned | Fate::Destroyed)
    }

    /// The state a consumed secret's link must report (`GET /api/v2/secret/{key}`).
    pub fn gone_state(self) -> Option<&'static str> {
        match self {
            Fate::Revealed => Some("viewed"),
            Fate::Burned | Fate::Destroyed => Some("burned"),
            Fate::Waiting | Fate::InFlight(_) => None,
        }
    }
}

#[derive(Clone, Debug)]
pub struct Entry {
    pub secret_key: String,
    pub metadata_key: String,
    pub content: String,
    pub passphrase: Option<String>,
    /// For an end-to-end secret: what the server stores and must return, and the reveal proof.
    pub e2e: Option<E2e>,
    pub fate: Fate,
    /// Wrong passphrases answered by the server.
    pub wrong_acked: u32,
    /// Wrong passphrases sent (acknowledged or cut off by the kill).
    pub wrong_sent: u32,
    /// The round in which `fate` or the attempt counts last changed.
    pub touched: usize,
    /// The API it was created through, for failure messages.
    pub api: &'static str,
}

impl Entry {
    /// A label for failure messages: never the content, token or passphrase.
    pub fn label(&self, idx: usize) -> String {
        let pass = if self.passphrase.is_some() { ", passphrase" } else { "" };
        format!(
            "secret #{idx} ({} create{pass}, {:?}, wrong {}/{})",
            self.api, self.fate, self.wrong_acked, self.wrong_sent
        )
    }

    /// Whether the test is unsure what the server did with it.
    pub fn uncertain(&self) -> bool {
        matches!(self.fate, Fate::InFlight(_)) || self.wrong_acked != self.wrong_sent
    }
}

/// An end-to-end secret's envelope (base64url) and proof (base64url), as a browser makes them.
#[derive(Clone, Debug)]
pub struct E2e {
    pub envelope: String,
    pub proof: String,
}

impl Entry {
    /// The length of what the server sealed.
    pub fn sealed_len(&self) -> usize {
        self.e2e.as_ref().map_or(self.content.len(), |e| e.envelope.len())
    }

    /// The body of a v2 reveal that opens it.
    pub fn v2_reveal(&self) -> serde_json::Value {
        match &self.e2e {
            Some(e) => serde_json::json!({"proof": e.proof}),
            None => serde_json::json!({"passphrase": self.passphrase}),
        }
    }

    /// Whether a v2 reveal's answer carries exactly what was stored.
    pub fn revealed_by(&self, body: &serde_json::Value) -> bool {
        match &self.e2e {
            Some(e) => body["ciphertext"].as_str() == Some(e.envelope.as_str()),
            None => body["secret"].as_str() == Some(self.content.as_str()),
        }
    }
}

pub type Ledger = Arc<Mutex<Vec<Entry>>>;

/// What one round's load got acknowledged.
#[derive(Default, Debug, Clone, Copy)]
pub struct Counts {
    pub creates: usize,
    pub reveals: usize,
    pub burns: usize,
    pub wrong: usize,
    pub reads: usize,
    /// Workers whose last request the kill cut off.
    pub cut: usize,
}

impl Counts {
    pub fn add(&mut self, o: Counts) {
        self.creates += o.creates;
        self.reveals += o.reveals;
        self.burns += o.burns;
        self.wrong += o.wrong;
        self.reads += o.reads;
        self.cut += o.cut;
    }

    pub fn total(&self) -> usize {
        self.creates + self.reveals + self.burns + self.wrong + self.reads
    }
}

/// SplitMix64: small, seedable, and good enough to pick operations and delays.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// A seed for a sub-stream (a worker in a round).
    pub fn derive(seed: u64, a: u64, b: u64) -> u64 {
        Rng::new(seed ^ a.wrapping_mul(0x1000_0000_01B3) ^ b.wrapping_mul(0xC2B2_AE3D_27D4_EB4F)).next()
    }
}
