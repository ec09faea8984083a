//! The crash loop's checks after each restart: nothing consumed can be decrypted from the
//! files, every uncertain operation settles one way, acknowledged states hold, and waiting
//! secrets reveal exactly once with their content.

use super::ledger::{Entry, Fate, Ledger, Op, Rng, ATTEMPTS};
use crate::common::sealed::{decryptable, read_files, Probe, StretchCache};
use crate::common::{client, field, json, Server};
use lethe_core::kdf::KdfParams;
use serde_json::{json as body, Value};
use std::path::Path;

pub struct Checker {
    /// The Argon2id cost the server runs with (needed to derive passphrase keys).
    pub kdf: KdfParams,
    cache: StretchCache,
    /// Consumed secrets found decryptable, one line each; asserted empty at the end.
    pub violations: Vec<String>,
    rng: Rng,
    client: reqwest::Client,
}

impl Checker {
    pub fn new(kdf: KdfParams, seed: u64) -> Checker {
        Checker { kdf, cache: StretchCache::default(), violations: Vec::new(), rng: Rng::new(seed), client: client() }
    }

    /// Which entries' content decrypts from the raw bytes of `dir`, by file name.
    pub fn scan(&mut self, dir: &Path, entries: &[Entry]) -> (Vec<Option<String>>, usize) {
        let files = read_files(dir);
        let bytes = files.iter().map(|(_, b)| b.len()).sum();
        let probes: Vec<Probe<'_>> = entries
            .iter()
            .map(|e| Probe {
                token: &e.secret_key,
                passphrase: e.passphrase.as_deref().map(|p| (p, self.kdf)),
                sealed_len: e.sealed_len(),
            })
            .collect();
        let found = decryptable(&files, &probes, &mut self.cache);
        let names = found.into_iter().map(|f| f.map(|p| p.file_name().unwrap().to_string_lossy().into_owned()));
        (names.collect(), bytes)
    }

    /// Every consumed secret found is a violation; every waiting one must be found (else the
    /// scan is blind, or an acknowledged create was lost).
    pub fn judge(&mut self, when: &str, entries: &[Entry], found: &[Option<String>]) -> (usize, usize) {
        let (mut waiting, mut leaked) = (0, 0);
        for (idx, (e, f)) in entries.iter().zip(found).enumerate() {
            match (e.fate, f) {
                (Fate::Waiting, Some(_)) => waiting += 1,
                (Fate::Waiting, None) => panic!("{when}: {} is not in the files: the scan is blind", e.label(idx)),
                (fate, Some(file)) if fate.consumed() => {
                    leaked += 1;
                    self.violations.push(format!("{when}: {} decrypts from {file}", e.label(idx)));
                }
                _ => {}
            }
        }
        (waiting, leaked)
    }

    async fn status(&self, server: &Server, e: &Entry) -> (u16, Value) {
        json(self.client.get(server.url(&format!("/api/v2/secret/{}", e.secret_key))).send().await.expect("status"))
            .await
    }

    /// Settles what the kill left open: an operation in flight happened or not (never half),
    /// and attempts counted are between those acknowledged and those sent.
    pub async fn resolve(&self, server: &Server, ledger: &Ledger, round: usize) -> usize {
        let open: Vec<(usize, Entry)> =
            ledger.lock().unwrap().iter().cloned().enumerate().filter(|(_, e)| e.uncertain()).collect();
        for (idx, e) in &open {
            let ctx = format!("round {round}: {}", e.label(*idx));
            let (status, b) = self.status(server, e).await;
            let (fate, counted) = match status {
                200 => {
                    assert_eq!(b["state"].as_str(), Some("new"), "{ctx}: {b}");
                    let counted = match e.passphrase {
                        Some(_) => ATTEMPTS - b["attempts_remaining"].as_u64().expect("attempts") as u32,
                        None => 0,
                    };
                    assert!((e.wrong_acked..=e.wrong_sent).contains(&counted), "{ctx}: {counted} attempts counted");
                    (Fate::Waiting, counted)
                }
                410 => {
                    let state = b["state"].as_str().unwrap_or_default();
                    let fate = match (e.fate, state) {
                        (Fate::InFlight(Op::Reveal), "viewed") => Fate::Revealed,
                        (Fate::InFlight(Op::Burn), "burned") => Fate::Burned,
                        (Fate::Waiting, "burned") if e.wrong_sent == ATTEMPTS => Fate::Destroyed,
                        _ => panic!("{ctx}: the restarted server says {state:?}: {b}"),
                    };
                    (fate, e.wrong_sent)
                }
                _ => panic!("{ctx}: status {status}: {b}"),
            };
            let mut l = ledger.lock().unwrap();
            (l[*idx].fate, l[*idx].wrong_acked, l[*idx].wrong_sent, l[*idx].touched) = (fate, counted, counted, round);
        }
        open.len()
    }

    /// The link of every secret touched this round, and of a sample of the others (`None`: of
    /// all), says what was acknowledged, without consuming anything. Returns how many it checked.
    pub async fn states(&mut self, server: &Server, ledger: &Ledger, round: usize, sample: Option<usize>) -> usize {
        let entries: Vec<Entry> = ledger.lock().unwrap().clone();
        let mut pick: Vec<usize> = match sample {
            None => (0..entries.len()).collect(),
            Some(n) => {
                let mut p: Vec<usize> = (0..entries.len()).filter(|&i| entries[i].touched == round).collect();
                if !entries.is_empty() {
                    p.extend((0..n).map(|_| self.rng.below(entries.len())));
                }
                p
            }
        };
        pick.dedup();
        for &idx in &pick {
            let e = &entries[idx];
            let ctx = format!("round {round}: {}", e.label(idx));
            let (status, b) = self.status(server, e).await;
            match e.fate.gone_state() {
                None => {
                    assert_eq!(
                        (status, b["state"].as_str()),
                        (200, Some("new")),
                        "{ctx}: acknowledged create lost: {b}"
                    );
                    if e.passphrase.is_some() {
                        let left = u64::from(ATTEMPTS - e.wrong_acked);
                        assert_eq!(b["attempts_remaining"].as_u64(), Some(left), "{ctx}: attempts undone: {b}");
                    }
                }
                Some(state) => {
                    assert_eq!((status, b["state"].as_str()), (410, Some(state)), "{ctx}: acknowledged end undone: {b}")
                }
            }
        }
        pick.len()
    }

    /// Reveals up to `n` waiting secrets (all if `n` is `usize::MAX`): a wrong passphrase first
    /// where attempts allow (it must not reveal), then the right one, exactly once.
    pub async fn reveal_waiting(&mut self, server: &Server, ledger: &Ledger, round: usize, n: usize) -> usize {
        let entries: Vec<Entry> = ledger.lock().unwrap().clone();
        let mut waiting: Vec<usize> = (0..entries.len()).filter(|&i| entries[i].fate == Fate::Waiting).collect();
        while waiting.len() > n {
            waiting.swap_remove(self.rng.below(waiting.len()));
        }
        for &idx in &waiting {
            let e = &entries[idx];
            let ctx = format!("round {round}: {}", e.label(idx));
            let reveal = server.url(&format!("/api/v2/secret/{}/reveal", e.secret_key));
            let mut wrong = e.wrong_acked;
            if e.passphrase.is_some() && ATTEMPTS - wrong >= 2 {
                let req = self.client.post(&reveal).json(&body!({"passphrase": "loop-not-the-passphrase"}));
                let (status, b) = json(req.send().await.expect("wrong")).await;
                wrong += 1;
                assert_eq!(status, 403, "{ctx}: a wrong passphrase answered {status}: {b}");
                assert_eq!(b["attempts_remaining"].as_u64(), Some(u64::from(ATTEMPTS - wrong)), "{ctx}: {b}");
            }
            let v1 = e.e2e.is_none() && self.rng.below(2) == 0;
            let (status, b) = if v1 {
                let form: Vec<(&str, &str)> = e.passphrase.iter().map(|p| ("passphrase", p.as_str())).collect();
                let url = server.url(&format!("/api/v1/secret/{}", e.secret_key));
                json(self.client.post(url).form(&form).send().await.expect("reveal")).await
            } else {
                json(self.client.post(&reveal).json(&e.v2_reveal()).send().await.expect("reveal")).await
            };
            assert_eq!(status, 200, "{ctx}: acknowledged create does not reveal: {b}");
            let exact = if v1 { field(&b, "value") == e.content } else { e.revealed_by(&b) };
            assert!(exact, "{ctx}: revealed other content");
            let again = self.client.post(&reveal).json(&e.v2_reveal());
            let (status, b) = json(again.send().await.expect("again")).await;
            assert_eq!((status, b["state"].as_str()), (410, Some("viewed")), "{ctx}: revealed twice: {b}");
            let mut l = ledger.lock().unwrap();
            (l[idx].fate, l[idx].wrong_acked, l[idx].wrong_sent, l[idx].touched) =
                (Fate::Revealed, wrong, wrong, round);
        }
        waiting.len()
    }
}
