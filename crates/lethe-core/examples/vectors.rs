//! Prints test vectors for `docs/crypto.md` from fixed inputs: `cargo run -p lethe-core --example vectors`.

use lethe_core::crypto::{content_key, seal_with_nonce};
use lethe_core::kdf::KdfParams;
use lethe_core::padding::pad;
use lethe_core::token::{ReceiptToken, SecretToken};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let cases: [(&str, &str, Option<&str>, &str); 2] = [
        (
            "00000000001ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopq",
            "hunter2",
            None,
            "00000000001ZYXWVUTSRQPONMLKJIHGFEDCBAzyxwvutsrqponmlkj",
        ),
        (
            "0000000002ALetheVectorTwoLetheVectorTwoLetheVectorTwo0",
            "the vault code is 4711",
            Some("correct horse battery staple"),
            "0000000002AReceiptVectorTwoReceiptVectorTwoReceiptVec2",
        ),
    ];
    let params = KdfParams { m_kib: 64, t: 1, p: 1 };
    for (i, (t, content, passphrase, m)) in cases.iter().enumerate() {
        let t = SecretToken::parse(t)?;
        let m = ReceiptToken::parse(m)?;
        let nonce = [(i as u8) + 1; 24];
        println!("```vector");
        println!("T = {}", t.expose());
        println!("secret_id = {}", hex::encode(t.id().0));
        let stretched = match passphrase {
            Some(p) => {
                let salt = [0x5a; 16];
                let s = params.stretch(p.as_bytes(), &salt)?;
                println!("passphrase = {p}");
                println!("kdf = {}", params.encode());
                println!("salt = {}", hex::encode(salt));
                println!("stretched = {}", hex::encode(*s));
                Some(*s)
            }
            None => None,
        };
        let key = content_key(&t, stretched.as_ref());
        println!("content_key = {}", hex::encode(*key));
        println!("content = {content}");
        println!("nonce = {}", hex::encode(nonce));
        println!(
            "sealed = {}",
            hex::encode(seal_with_nonce(&key, t.id().as_bytes(), &nonce, &pad(content.as_bytes())))
        );
        println!("M = {}", m.expose());
        println!("receipt_id = {}", hex::encode(m.id().0));
        println!("```\n");
    }
    print_e2e_vectors();
    Ok(())
}

/// Vectors of the browser format (`e2e`), checked by `e2e::tests` and by the browser test.
fn print_e2e_vectors() {
    use lethe_core::e2e;
    let cases: [(&str, Option<&str>); 2] =
        [("one-time secret ✓", None), ("vault code 4711", Some("correct horse battery staple"))];
    for (i, (content, passphrase)) in cases.iter().enumerate() {
        let k = [(i as u8) * 16 + 1; 32];
        let iv = [(i as u8) + 0x21; 12];
        let params = e2e::PassParams { salt: vec![0x33; 16], iterations: 1_000 };
        let d = e2e::derive(&k, passphrase.map(|p| (p, &params)));
        println!("```e2e-vector");
        println!("K = {}", e2e::encode_key(&k));
        if let Some(p) = passphrase {
            println!("passphrase = {p}");
            println!("salt = {}", e2e::b64(&params.salt));
            println!("iterations = {}", params.iterations);
        }
        println!("key = {}", e2e::b64(d.key.as_ref()));
        println!("proof = {}", e2e::b64(d.proof.as_ref()));
        println!("verifier = {}", e2e::b64(&e2e::verifier(d.proof.as_ref())));
        println!("content = {content}");
        println!("iv = {}", e2e::b64(&iv));
        println!("envelope = {}", e2e::seal_with_iv(&d.key, &iv, content.as_bytes()));
        println!("```\n");
    }
}
