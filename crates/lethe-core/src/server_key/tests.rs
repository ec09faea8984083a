//! Tests of the server key: its derivations, the test vectors of docs/crypto.md ("The server
//! key and the second factor"), and its file.

use super::*;
use crate::doc_vectors::blocks;
use std::path::Path;

fn unhex<const N: usize>(s: &str) -> [u8; N] {
    hex::decode(s).expect("hex in docs/crypto.md").try_into().expect("length")
}

/// Each block fixes the key, an account, a recovery code, a session hash and a nonce; a
/// changed derivation fails here with the values it now computes.
#[test]
fn the_published_vectors_hold() {
    let vectors = blocks("server-key");
    assert!(!vectors.is_empty(), "docs/crypto.md must publish the server key vectors");
    for v in vectors {
        let key = ServerKey::from_hex(&v["key"]).expect("key");
        assert_eq!(hex::encode(key.subkey(b"totp").as_ref()), v["subkey_totp"]);
        assert_eq!(hex::encode(key.subkey(b"recovery").as_ref()), v["subkey_recovery"]);
        assert_eq!(hex::encode(key.subkey(b"csrf").as_ref()), v["subkey_csrf"]);
        let account: i64 = v["account_id"].parse().expect("account id");
        let code = RecoveryCode::parse(&v["recovery_code"]).expect("code");
        assert_eq!(hex::encode(key.recovery_hash(account, &code)), v["recovery_hash"]);
        let session: [u8; 32] = unhex(&v["session_hash"]);
        assert_eq!(key.csrf_token(&session), v["csrf_token"]);
        assert_eq!(hex::encode(key.subkey(b"device").as_ref()), v["subkey_device"]);
        assert_eq!(key.device_token(account), v["device_token"]);
        let secret = TotpSecret::from_bytes(unhex(&v["totp_secret"]));
        let sealed = key.seal_totp_with_nonce(account, &secret, &unhex(&v["totp_nonce"]));
        assert_eq!(hex::encode(&sealed), v["totp_sealed"]);
        assert_eq!(key.open_totp(account, &sealed).expect("opens"), secret);
    }
}

#[test]
fn a_sealed_totp_secret_opens_only_with_its_key_and_for_its_account() {
    let key = ServerKey::generate();
    let secret = TotpSecret::generate();
    let sealed = key.seal_totp(7, &secret);
    assert_eq!(sealed.len(), NONCE_LEN + 20 + 16);
    assert_eq!(key.open_totp(7, &sealed), Ok(secret.clone()));
    assert_ne!(key.seal_totp(7, &secret), sealed, "a fresh nonce each time");
    assert!(key.open_totp(8, &sealed).is_err(), "copied to another account's row");
    assert!(key.open_totp(-7, &sealed).is_err());
    assert!(ServerKey::generate().open_totp(7, &sealed).is_err(), "another server key");
    let mut tampered = sealed.clone();
    tampered[NONCE_LEN] ^= 1;
    assert!(key.open_totp(7, &tampered).is_err());
    assert!(key.open_totp(7, &sealed[..NONCE_LEN + 10]).is_err(), "truncated");
    assert!(key.open_totp(7, &[]).is_err());
    // Something of another length sealed the same way is not a secret either.
    let other = crypto::seal_with_nonce(&key.subkey(b"totp"), &totp_aad(7), &[0; NONCE_LEN], &[1; 19]);
    assert!(key.open_totp(7, &other).is_err());
}

#[test]
fn recovery_hashes_depend_on_key_account_and_code() {
    let key = ServerKey::generate();
    let code = RecoveryCode::generate();
    let h = key.recovery_hash(7, &code);
    assert_eq!(key.recovery_hash(7, &RecoveryCode::parse(&code.expose().to_uppercase()).expect("parses")), h);
    assert_ne!(key.recovery_hash(8, &code), h);
    assert_ne!(key.recovery_hash(7, &RecoveryCode::generate()), h);
    assert_ne!(ServerKey::generate().recovery_hash(7, &code), h);
}

#[test]
fn csrf_tokens_match_only_their_session() {
    let key = ServerKey::generate();
    let session = [1u8; 32];
    let token = key.csrf_token(&session);
    assert_eq!(token.len(), 43);
    assert!(key.csrf_matches(&session, &token));
    assert!(!key.csrf_matches(&[2u8; 32], &token), "another session");
    assert!(!ServerKey::generate().csrf_matches(&session, &token), "another server key");
    assert!(!key.csrf_matches(&session, &token[..42]));
    assert!(!key.csrf_matches(&session, &format!("{token}=")));
    assert!(!key.csrf_matches(&session, ""));
}

#[test]
fn unsubscribe_tokens_match_only_their_account_and_key() {
    let key = ServerKey::generate();
    let token = key.unsubscribe_token(7);
    assert_eq!(token.len(), 43);
    assert!(key.unsubscribe_matches(7, &token));
    assert!(!key.unsubscribe_matches(8, &token), "another account");
    assert!(!ServerKey::generate().unsubscribe_matches(7, &token), "another server key");
    assert!(!key.unsubscribe_matches(7, &token[..42]));
    assert_ne!(token, key.device_token(7), "a purpose of its own");
}

#[test]
fn device_tokens_match_only_their_account_and_key() {
    let key = ServerKey::generate();
    let token = key.device_token(7);
    assert_eq!(token.len(), 43);
    assert!(key.device_matches(7, &token));
    assert!(!key.device_matches(8, &token), "another account");
    assert!(!ServerKey::generate().device_matches(7, &token), "another server key");
    assert!(!key.device_matches(7, ""));
    assert_ne!(token, key.csrf_token(&[7u8; 32]));
}

#[test]
fn audit_addresses_are_keyed_stable_and_distinct() {
    let key = ServerKey::from_bytes([7; KEY_LEN]);
    let other = ServerKey::from_bytes([8; KEY_LEN]);
    let a = key.audit_address("192.0.2.10");
    assert_eq!(a.len(), 2 + 32);
    assert!(a.starts_with("h:") && !a.contains("192.0.2.10"));
    assert_eq!(a, key.audit_address("192.0.2.10"), "the same address keeps one tag");
    assert_ne!(a, key.audit_address("192.0.2.11"));
    assert_ne!(a, other.audit_address("192.0.2.10"), "another key gives another tag");
}

#[test]
fn subkeys_differ_by_purpose_and_hex_parses_strictly() {
    let key = ServerKey::generate();
    assert_ne!(*key.subkey(b"totp"), *key.subkey(b"csrf"));
    let back = ServerKey::from_hex(&format!(" {}\n", key.to_hex().to_uppercase())).expect("parses");
    assert_eq!(*back.subkey(b"totp"), *key.subkey(b"totp"));
    let hex = key.to_hex();
    for bad in [&hex[1..], &format!("{}0", hex.as_str()), &format!("{}g", &hex[1..]), "", &hex[..32]] {
        assert_eq!(ServerKey::from_hex(bad).map(|_| ()), Err(ServerKeyError));
    }
}

#[test]
fn debug_shows_nothing_of_the_key() {
    let key = ServerKey::from_bytes([0xab; 32]);
    let shown = format!("{key:?}");
    assert_eq!(shown, "ServerKey(…)");
}

fn same(a: &ServerKey, b: &ServerKey) -> bool {
    a.to_hex() == b.to_hex()
}

#[test]
fn the_file_is_made_once_then_read() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("server.key");
    let (made, created) = ServerKey::load_or_create(&path).expect("made");
    assert!(created);
    let text = std::fs::read_to_string(&path).expect("read");
    assert_eq!(text, format!("{}\n", made.to_hex().as_str()));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).expect("metadata").permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let (read, created) = ServerKey::load_or_create(&path).expect("read");
    assert!(!created);
    assert!(same(&read, &made));
    let names: Vec<_> = std::fs::read_dir(dir.path()).expect("list").map(|e| e.expect("entry").file_name()).collect();
    assert_eq!(names, [std::ffi::OsString::from("server.key")], "no temporary file is left");
}

#[test]
fn a_file_without_newline_or_with_crlf_is_read() {
    let dir = tempfile::tempdir().expect("dir");
    let key = ServerKey::generate();
    for (name, text) in [("a", key.to_hex().to_string()), ("b", format!("{}\r\n", key.to_hex().as_str()))] {
        let path = dir.path().join(name);
        std::fs::write(&path, text).expect("write");
        let (read, created) = ServerKey::load_or_create(&path).expect("read");
        assert!(!created && same(&read, &key));
    }
}

#[test]
fn a_malformed_file_is_an_error_naming_the_path_not_the_contents() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("server.key");
    let contents = "5ecre75ecre75ecre75ecre75ecre75ecre75ecre75ecre75ecre75ecre7zzzz\n";
    std::fs::write(&path, contents).expect("write");
    let err = ServerKey::load_or_create(&path).expect_err("malformed");
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidData);
    let shown = format!("{err} {err:?}");
    assert!(shown.contains(&path.display().to_string()), "{shown}");
    assert!(!shown.contains("5ecre7"), "{shown}");
    assert_eq!(std::fs::read_to_string(&path).expect("read"), contents, "never overwritten");
    for bad in ["", "\n", &format!("{}\n\n", ServerKey::generate().to_hex().as_str())] {
        std::fs::write(&path, bad).expect("write");
        assert!(ServerKey::load_or_create(&path).is_err(), "{bad:?}");
    }
}

#[test]
fn a_missing_directory_is_an_error_naming_the_path() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("absent").join("server.key");
    let err = ServerKey::load_or_create(&path).expect_err("no directory");
    assert!(err.to_string().contains(&dir.path().join("absent").display().to_string()), "{err}");
    assert!(ServerKey::load_or_create(Path::new("/")).is_err(), "not a file name");
}

#[test]
fn processes_that_race_end_up_with_one_key() {
    for round in 0..20 {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("server.key");
        let results: Vec<(ServerKey, bool)> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..4).map(|_| s.spawn(|| ServerKey::load_or_create(&path))).collect();
            handles.into_iter().map(|h| h.join().expect("thread").expect("key")).collect()
        });
        assert_eq!(results.iter().filter(|(_, created)| *created).count(), 1, "round {round}");
        assert!(results.iter().all(|(k, _)| same(k, &results[0].0)), "round {round}");
        assert_eq!(std::fs::read_dir(dir.path()).expect("list").count(), 1, "round {round}");
    }
}
