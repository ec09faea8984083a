//! The crash loop's load: one client task mixing creates (v1, v2, end to end; some with a passphrase),
//! reveals, burns, wrong passphrases and reads on its own secrets until the kill cuts it off.

use super::ledger::{Counts, E2e, Entry, Fate, Ledger, Op, Rng, ATTEMPTS};
use crate::common::{field, random};
use lethe_core::e2e;
use serde_json::{json, Value};

/// Upper bound on operations per worker and round; the kill comes long before.
pub const MAX_OPS: usize = 5_000;

/// The server went away mid-request.
pub struct Cut;

/// Sends a request; `Err(Cut)` unless a whole answer arrived.
async fn send(req: reqwest::RequestBuilder) -> Result<(u16, Value), Cut> {
    let resp = req.send().await.map_err(|_| Cut)?;
    let status = resp.status().as_u16();
    let text = resp.text().await.map_err(|_| Cut)?;
    let body = serde_json::from_str(&text).unwrap_or_else(|e| panic!("status {status}: not JSON ({e}): {text}"));
    Ok((status, body))
}

pub struct Worker {
    pub base: String,
    pub round: usize,
    pub id: usize,
    pub rng: Rng,
    pub ledger: Ledger,
    /// Indexes of this worker's waiting secrets.
    pub mine: Vec<usize>,
    pub counts: Counts,
    client: reqwest::Client,
}

impl Worker {
    pub fn new(base: String, round: usize, id: usize, seed: u64, ledger: Ledger, mine: Vec<usize>) -> Worker {
        let rng = Rng::new(seed);
        Worker { base, round, id, rng, ledger, mine, counts: Counts::default(), client: crate::common::client() }
    }

    /// Runs until the kill (or the bound); returns what was acknowledged.
    pub async fn run(mut self) -> Counts {
        for i in 0..MAX_OPS {
            let roll = self.rng.below(100);
            let result = if self.mine.is_empty() || roll < 40 {
                self.create(i).await
            } else {
                let pick = self.rng.below(self.mine.len());
                let has_pass = self.entry(self.mine[pick]).passphrase.is_some();
                match roll {
                    40..=59 => self.consume(pick, Op::Reveal).await,
                    60..=71 => self.consume(pick, Op::Burn).await,
                    72..=87 if has_pass => self.wrongs(pick).await,
                    _ => self.read(pick).await,
                }
            };
            if result.is_err() {
                self.counts.cut = 1;
                break;
            }
        }
        self.counts
    }

    fn entry(&self, idx: usize) -> Entry {
        self.ledger.lock().unwrap()[idx].clone()
    }

    fn update(&self, idx: usize, f: impl FnOnce(&mut Entry)) {
        let mut l = self.ledger.lock().unwrap();
        f(&mut l[idx]);
        l[idx].touched = self.round;
    }

    async fn create(&mut self, i: usize) -> Result<(), Cut> {
        let (r, w) = (self.round, self.id);
        let content = format!("loop-r{r}-w{w}-i{i}-{}", random());
        let kind = self.rng.below(100);
        let passphrase = (kind < 30).then(|| format!("loop-pass-r{r}-w{w}-i{i}-{}", random()));
        let v2 = kind >= 85 || self.rng.below(2) == 1;
        let mut e2e_made = None;
        let (status, body) = if kind >= 85 {
            // End to end, as the browser does it: the server only ever sees the envelope.
            let derived = e2e::derive(&e2e::new_key(), None);
            let envelope = e2e::seal(&derived.key, content.as_bytes());
            let verifier = e2e::b64(&e2e::verifier(derived.proof.as_ref()));
            let req = json!({"ciphertext": envelope, "proof_verifier": verifier, "ttl": 3600});
            e2e_made = Some(E2e { envelope, proof: e2e::b64(derived.proof.as_ref()) });
            send(self.client.post(format!("{}/api/v2/conceal", self.base)).json(&req)).await?
        } else if v2 {
            let mut req = json!({"secret": content, "ttl": 3600});
            if let Some(p) = &passphrase {
                req["passphrase"] = json!(p);
            }
            send(self.client.post(format!("{}/api/v2/conceal", self.base)).json(&req)).await?
        } else {
            let mut form = vec![("secret", content.as_str()), ("ttl", "3600")];
            if let Some(p) = &passphrase {
                form.push(("passphrase", p.as_str()));
            }
            send(self.client.post(format!("{}/api/v1/share", self.base)).form(&form)).await?
        };
        assert_eq!(status, if v2 { 201 } else { 200 }, "create failed before the kill: {body}");
        let entry = Entry {
            secret_key: field(&body, "secret_key"),
            metadata_key: field(&body, if v2 { "receipt_key" } else { "metadata_key" }),
            content,
            passphrase,
            api: if e2e_made.is_some() {
                "v2 e2e"
            } else if v2 {
                "v2"
            } else {
                "v1"
            },
            e2e: e2e_made,
            fate: Fate::Waiting,
            wrong_acked: 0,
            wrong_sent: 0,
            touched: self.round,
        };
        let mut l = self.ledger.lock().unwrap();
        l.push(entry);
        self.mine.push(l.len() - 1);
        self.counts.creates += 1;
        Ok(())
    }

    async fn consume(&mut self, pick: usize, op: Op) -> Result<(), Cut> {
        let idx = self.mine[pick];
        let e = self.entry(idx);
        self.update(idx, |e| e.fate = Fate::InFlight(op));
        // End-to-end secrets open only through v2, with their proof.
        let v2 = e.e2e.is_some() || self.rng.below(2) == 1;
        let base = &self.base;
        let req = match (op, v2) {
            (Op::Reveal, false) => {
                let form: Vec<(&str, &str)> = e.passphrase.iter().map(|p| ("passphrase", p.as_str())).collect();
                self.client.post(format!("{base}/api/v1/secret/{}", e.secret_key)).form(&form)
            }
            (Op::Reveal, true) => {
                self.client.post(format!("{base}/api/v2/secret/{}/reveal", e.secret_key)).json(&e.v2_reveal())
            }
            (Op::Burn, false) => self.client.post(format!("{base}/api/v1/private/{}/burn", e.metadata_key)),
            (Op::Burn, true) => self.client.post(format!("{base}/api/v2/receipt/{}/burn", e.metadata_key)),
        };
        let (status, body) = send(req).await?;
        let ctx = e.label(idx);
        assert_eq!(status, 200, "{op:?} of {ctx} failed before the kill: {body}");
        if op == Op::Reveal {
            let exact = if v2 { e.revealed_by(&body) } else { field(&body, "value") == e.content };
            assert!(exact, "{ctx}: reveal returned other content");
            self.counts.reveals += 1;
        } else {
            self.counts.burns += 1;
        }
        self.update(idx, |e| e.fate = if op == Op::Reveal { Fate::Revealed } else { Fate::Burned });
        self.mine.swap_remove(pick);
        Ok(())
    }

    /// One to five wrong passphrases in a row (enough, at times, to destroy the secret).
    async fn wrongs(&mut self, pick: usize) -> Result<(), Cut> {
        let idx = self.mine[pick];
        for _ in 0..=self.rng.below(ATTEMPTS as usize) {
            self.wrong(pick).await?;
            if self.mine.get(pick) != Some(&idx) {
                break; // destroyed
            }
        }
        Ok(())
    }

    /// A wrong passphrase: never reveals, is counted, and the last allowed one destroys.
    async fn wrong(&mut self, pick: usize) -> Result<(), Cut> {
        let idx = self.mine[pick];
        let e = self.entry(idx);
        self.update(idx, |e| e.wrong_sent += 1);
        let wrong = format!("loop-wrong-{}", random());
        let v2 = self.rng.below(3) != 0;
        let (status, body) = if v2 {
            let url = format!("{}/api/v2/secret/{}/reveal", self.base, e.secret_key);
            send(self.client.post(url).json(&json!({"passphrase": wrong}))).await?
        } else {
            let url = format!("{}/api/v1/secret/{}", self.base, e.secret_key);
            send(self.client.post(url).form(&[("passphrase", wrong.as_str())])).await?
        };
        let ctx = e.label(idx);
        let left = ATTEMPTS - (e.wrong_sent + 1);
        if v2 {
            assert_eq!(status, 403, "{ctx}: wrong passphrase answered {status}: {body}");
            assert_eq!(body["attempts_remaining"].as_u64(), Some(u64::from(left)), "{ctx}: attempts left, {body}");
        } else {
            assert_eq!((status, body["message"].as_str()), (404, Some("Unknown secret")), "{ctx}: {body}");
        }
        self.update(idx, |e| {
            e.wrong_acked = e.wrong_sent;
            if left == 0 {
                e.fate = Fate::Destroyed;
            }
        });
        if left == 0 {
            self.mine.swap_remove(pick);
        }
        self.counts.wrong += 1;
        Ok(())
    }

    /// A read that must not consume: the link's status or the receipt.
    async fn read(&mut self, pick: usize) -> Result<(), Cut> {
        let idx = self.mine[pick];
        let e = self.entry(idx);
        let ctx = e.label(idx);
        if self.rng.below(2) == 0 {
            let (status, body) = send(self.client.get(format!("{}/api/v2/secret/{}", self.base, e.secret_key))).await?;
            assert_eq!((status, body["state"].as_str()), (200, Some("new")), "{ctx}: status {body}");
            if e.passphrase.is_some() {
                let left = u64::from(ATTEMPTS - e.wrong_sent);
                assert_eq!(body["attempts_remaining"].as_u64(), Some(left), "{ctx}: attempts left, {body}");
            }
        } else {
            let (status, body) =
                send(self.client.get(format!("{}/api/v1/private/{}", self.base, e.metadata_key))).await?;
            // v1's receipt says `viewed` once the receipt itself has been read (as Onetime Secret's does).
            let state = body["state"].as_str();
            assert!(status == 200 && matches!(state, Some("new" | "viewed")), "{ctx}: receipt {body}");
        }
        self.counts.reads += 1;
        Ok(())
    }
}
