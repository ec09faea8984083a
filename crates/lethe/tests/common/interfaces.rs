//! A workload through every interface beside API v1, for the at-rest and log scans: API v2
//! (text, with and without passphrase, generated; end-to-end envelopes with and without
//! passphrase), the web forms without JavaScript (share, reveal, burn) and the CLI's
//! end-to-end mode. Each interface's markers carry its own prefix (`v2text-`, `v2e2e-`,
//! `webform-`, `clie2e-`) and every needle's label names the interface, so a failure says which
//! path leaked. Each interface also leaves one secret waiting, for [`reveal_leftovers`].

use super::{client, field, json, random, Server};
use lethe_core::e2e;
use serde_json::{json, Value};
use std::io::Write;
use std::process::{Command, Output, Stdio};

/// What must never be found, with a label naming the interface.
pub type Needles = Vec<(String, String)>;

/// A secret left waiting, and how to reveal it later.
pub enum Leftover {
    V2 { key: String, passphrase: Option<String>, content: String },
    E2e { key: String, derived: e2e::Derived, content: String },
    Web { key: String, passphrase: String, content: String },
    Cli { link: String, content: String },
}

fn tag(iface: &str, what: &str) -> String {
    format!("{iface}-{what}-{}", random())
}

fn add(n: &mut Needles, iface: &str, items: &[(&str, &str)]) {
    n.extend(items.iter().map(|(what, v)| (format!("{iface}: {what}"), v.to_string())));
}

async fn post(s: &Server, path: &str, body: &Value) -> (u16, Value) {
    json(client().post(s.url(path)).json(body).send().await.expect("request")).await
}

async fn get(s: &Server, path: &str) -> (u16, Value) {
    json(client().get(s.url(path)).send().await.expect("request")).await
}

/// Conceals through v2 and records the links; returns (secret_key, receipt_key).
async fn conceal(s: &Server, iface: &str, req: Value, n: &mut Needles) -> (String, String) {
    let (status, c) = post(s, "/api/v2/conceal", &req).await;
    assert_eq!(status, 201, "{iface}: conceal: {c}");
    let (sk, rk) = (field(&c, "secret_key"), field(&c, "receipt_key"));
    let (su, ru) = (field(&c, "share_url"), field(&c, "receipt_url"));
    add(n, iface, &[("secret_key", &sk), ("receipt_key", &rk), ("share link", &su), ("receipt link", &ru)]);
    (sk, rk)
}

async fn burn_v2(s: &Server, rk: &str) {
    let (status, b) = post(s, &format!("/api/v2/receipt/{rk}/burn"), &json!({})).await;
    assert_eq!((status, b["state"].as_str()), (200, Some("burned")), "burn: {b}");
}

/// v2 with server-side encryption: reveal, wrong then right passphrase, burn, generate.
pub async fn v2_text(s: &Server, n: &mut Needles, left: &mut Vec<Leftover>) {
    let i = "v2text";
    let (c0, c1, c2, c3) = (tag(i, "content0"), tag(i, "content1"), tag(i, "content2"), tag(i, "content3"));
    let (p1, p3, wrong, pg) = (tag(i, "pass1"), tag(i, "pass3"), tag(i, "wrongpass"), tag(i, "genpass"));
    add(n, i, &[("content", &c0), ("content", &c1), ("content", &c2), ("content", &c3)]);
    add(n, i, &[("passphrase", &p1), ("passphrase", &p3), ("wrong passphrase", &wrong), ("passphrase", &pg)]);
    let (k0, _) = conceal(s, i, json!({"secret": c0, "ttl": 3600}), n).await;
    let (k1, _) = conceal(s, i, json!({"secret": c1, "passphrase": p1}), n).await;
    let (k2, r2) = conceal(s, i, json!({"secret": c2}), n).await;
    let (k3, r3) = conceal(s, i, json!({"secret": c3, "passphrase": p3}), n).await;
    let reveal = |k: &str| format!("/api/v2/secret/{k}/reveal");
    let (status, b) = post(s, &reveal(&k0), &json!({})).await;
    assert_eq!((status, field(&b, "secret")), (200, c0.clone()), "{i}: reveal");
    assert_eq!(post(s, &reveal(&k0), &json!({})).await.0, 410, "{i}: revealed twice");
    let (status, b) = post(s, &reveal(&k1), &json!({"passphrase": wrong})).await;
    assert_eq!(status, 403, "{i}: wrong passphrase: {b}");
    let (status, b) = post(s, &reveal(&k1), &json!({"passphrase": p1})).await;
    assert_eq!((status, field(&b, "secret")), (200, c1), "{i}: reveal with passphrase");
    burn_v2(s, &r2).await;
    assert_eq!(post(s, &reveal(&k2), &json!({})).await.0, 410, "{i}: burned secret revealed");
    assert_eq!(get(s, &format!("/api/v2/secret/{k3}")).await.0, 200);
    assert_eq!(get(s, &format!("/api/v2/receipt/{r3}")).await.0, 200);

    let (status, g) = post(s, "/api/v2/generate", &json!({"length": 32, "passphrase": pg})).await;
    assert_eq!(status, 201, "{i}: generate: {g}");
    let value = field(&g, "value");
    add(n, i, &[("generated value", &value), ("secret_key", &field(&g, "secret_key"))]);
    add(n, i, &[("receipt_key", &field(&g, "receipt_key")), ("share link", &field(&g, "share_url"))]);
    let (status, b) = post(s, &reveal(&field(&g, "secret_key")), &json!({"passphrase": pg})).await;
    assert_eq!((status, field(&b, "secret")), (200, value), "{i}: reveal generated");
    left.push(Leftover::V2 { key: k3, passphrase: Some(p3), content: c3 });
}

/// v2 end-to-end: envelopes and proofs as the browser makes them, with and without passphrase.
pub async fn v2_e2e(s: &Server, n: &mut Needles, left: &mut Vec<Leftover>) {
    let i = "v2e2e";
    let params = e2e::PassParams { salt: e2e::new_key()[..16].to_vec(), iterations: e2e::MIN_ITERATIONS };
    let mut made = Vec::new();
    for (j, pass) in [None, Some(tag(i, "pass")), None, None].into_iter().enumerate() {
        let k = e2e::new_key();
        let derived = e2e::derive(&k, pass.as_deref().map(|p| (p, &params)));
        let content = tag(i, &format!("content{j}"));
        let envelope = e2e::seal(&derived.key, content.as_bytes());
        let verifier = e2e::b64(&e2e::verifier(derived.proof.as_ref()));
        let mut req = json!({"ciphertext": envelope, "proof_verifier": verifier, "ttl": 3600});
        if pass.is_some() {
            req["kdf"] = json!({"salt": e2e::b64(&params.salt), "iterations": params.iterations});
        }
        let (sk, rk) = conceal(s, i, req, n).await;
        let (key, proof) = (e2e::encode_key(&k), e2e::b64(derived.proof.as_ref()));
        let link = format!("{}/secret/{sk}#{key}", s.base);
        add(n, i, &[("content", &content), ("envelope", &envelope), ("fragment key", &key)]);
        add(n, i, &[("proof", &proof), ("proof verifier", &verifier), ("full link", &link)]);
        if let Some(p) = &pass {
            add(n, i, &[("passphrase", p)]);
        }
        made.push((sk, rk, derived, content, envelope, pass));
    }
    let reveal = |k: &str| format!("/api/v2/secret/{k}/reveal");
    for (sk, _, d, content, envelope, pass) in &made[..2] {
        let wrong = match pass {
            Some(_) => e2e::derive(&e2e::new_key(), Some((&tag(i, "wrongpass"), &params))),
            None => e2e::derive(&[7; 32], None),
        };
        let (status, b) = post(s, &reveal(sk), &json!({"proof": e2e::b64(wrong.proof.as_ref())})).await;
        assert_eq!(status, 403, "{i}: wrong proof: {b}");
        let (status, b) = post(s, &reveal(sk), &json!({"proof": e2e::b64(d.proof.as_ref())})).await;
        assert_eq!((status, field(&b, "ciphertext")), (200, envelope.clone()), "{i}: reveal");
        assert_eq!(e2e::open(&d.key, envelope).expect("open").as_slice(), content.as_bytes());
    }
    burn_v2(s, &made[2].1).await;
    let (sk, _, derived, content, _, _) = made.pop().expect("four made");
    left.push(Leftover::E2e { key: sk, derived, content });
}

/// The pages without JavaScript: the share form, the reveal form (wrong passphrase, then the
/// right one), the receipt and the burn form.
pub async fn web_forms(s: &Server, n: &mut Needles, left: &mut Vec<Leftover>) {
    let i = "webform";
    let c = client();
    let page = |resp: reqwest::Response| async move {
        let status = resp.status().as_u16();
        (status, resp.text().await.expect("page"))
    };
    let mut made = Vec::new();
    for j in 0..4 {
        let (content, pass) = (tag(i, &format!("content{j}")), tag(i, &format!("pass{j}")));
        let mut form = vec![("secret", content.as_str()), ("ttl", "3600")];
        if j % 2 == 1 {
            form.push(("passphrase", pass.as_str()));
            add(n, i, &[("passphrase", &pass)]);
        }
        let (status, html) = page(c.post(s.url("/")).form(&form).send().await.expect("share")).await;
        assert_eq!(status, 200, "{i}: share form: {html}");
        let share = input_value(&html, "share-link");
        let receipt = input_value(&html, "receipt-link");
        let key = share.rsplit('/').next().expect("key").to_owned();
        let rkey = receipt.rsplit('/').next().expect("key").to_owned();
        add(n, i, &[("content", &content), ("share link", &share), ("receipt link", &receipt)]);
        add(n, i, &[("secret_key", &key), ("receipt_key", &rkey)]);
        made.push((key, rkey, content, pass));
    }
    let secret = |k: &str| s.url(&format!("/secret/{k}"));
    for (key, _, content, pass) in &made[..2] {
        let (status, html) = page(c.get(secret(key)).send().await.expect("page")).await;
        assert!(status == 200 && html.contains("A secret is waiting"), "{i}: waiting page: {status}");
        if key == &made[1].0 {
            let wrong = tag(i, "wrongpass");
            add(n, i, &[("wrong passphrase", &wrong)]);
            let (status, _) =
                page(c.post(secret(key)).form(&[("passphrase", &wrong)]).send().await.expect("post")).await;
            assert_eq!(status, 403, "{i}: wrong passphrase");
        }
        let form: Vec<(&str, &str)> = if key == &made[1].0 { vec![("passphrase", pass)] } else { vec![] };
        let (status, html) = page(c.post(secret(key)).form(&form).send().await.expect("reveal")).await;
        assert!(status == 200 && html.contains(content.as_str()), "{i}: reveal form: {status}");
        assert_eq!(page(c.post(secret(key)).form(&form).send().await.expect("again")).await.0, 410);
    }
    let (key, rkey, _, _) = &made[2];
    let receipt = s.url(&format!("/private/{rkey}"));
    assert_eq!(page(c.get(&receipt).send().await.expect("receipt")).await.0, 200, "{i}: receipt page");
    assert_eq!(page(c.get(format!("{receipt}/burn")).send().await.expect("confirm")).await.0, 200);
    let (status, html) = page(c.post(format!("{receipt}/burn")).send().await.expect("burn")).await;
    assert!(status == 200 && html.contains("The secret was burned"), "{i}: burn form: {status}");
    assert_eq!(page(c.get(secret(key)).send().await.expect("page")).await.0, 410, "{i}: burned");
    let (key, _, content, passphrase) = made.pop().expect("four made");
    left.push(Leftover::Web { key, passphrase, content });
}

/// The `value` of the `<input id="{id}" ...>` on a page.
fn input_value(html: &str, id: &str) -> String {
    let at = html.find(&format!("id=\"{id}\"")).unwrap_or_else(|| panic!("no #{id} on the page"));
    let rest = &html[at..];
    let v = &rest[rest.find("value=\"").expect("a value") + 7..];
    v[..v.find('"').expect("end of value")].to_owned()
}

/// Runs the `lethe` client against `s`, with `stdin`; returns (exit code, stdout, stderr).
pub fn cli(s: &Server, args: &[&str], stdin: &str) -> (i32, String, String) {
    let home = tempfile::tempdir().expect("home");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_lethe"));
    for (k, _) in std::env::vars_os() {
        if k.to_string_lossy().starts_with("LETHE_") {
            cmd.env_remove(k);
        }
    }
    cmd.args(args).env("LETHE_URL", &s.base).env("XDG_CONFIG_HOME", home.path()).env("HOME", home.path());
    let mut child = cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("spawn");
    child.stdin.take().expect("stdin").write_all(stdin.as_bytes()).expect("write stdin");
    let Output { status, stdout, stderr } = child.wait_with_output().expect("wait");
    let text = |b: Vec<u8>| String::from_utf8(b).expect("UTF-8");
    (status.code().unwrap_or(-1), text(stdout), text(stderr))
}

/// The CLI's end-to-end mode: share with and without passphrase, reveal (a wrong passphrase
/// first), burn.
pub fn cli_e2e(s: &Server, n: &mut Needles, left: &mut Vec<Leftover>) {
    let i = "clie2e";
    let mut links = Vec::new();
    for j in 0..4 {
        let (content, pass) = (tag(i, &format!("content{j}")), tag(i, &format!("pass{j}")));
        let mut args = vec!["share", "--e2e", "--json", "--ttl", "1h"];
        if j == 1 {
            args.extend(["--passphrase", pass.as_str()]);
            add(n, i, &[("passphrase", &pass)]);
        }
        let (code, out, err) = cli(s, &args, &content);
        assert_eq!(code, 0, "{i}: share: {err}");
        let j: Value = serde_json::from_str(&out).expect("share --json");
        let link = field(&j, "share_url");
        let (_, fragment) = link.split_once('#').expect("an end-to-end link carries its key");
        add(n, i, &[("content", &content), ("full link", &link), ("fragment key", fragment)]);
        add(n, i, &[("secret_key", &field(&j, "secret_key")), ("receipt link", &field(&j, "receipt_url"))]);
        add(n, i, &[("receipt_key", &field(&j["receipt"], "receipt_key"))]);
        links.push((link, field(&j, "receipt_url"), content, pass));
    }
    let (code, out, err) = cli(s, &["reveal", &links[0].0], "");
    assert_eq!((code, out.as_str()), (0, links[0].2.as_str()), "{i}: reveal: {err}");
    let wrong = tag(i, "wrongpass");
    add(n, i, &[("wrong passphrase", &wrong)]);
    assert_eq!(cli(s, &["reveal", &links[1].0, "--passphrase", &wrong], "").0, 4, "{i}: wrong passphrase");
    let (code, out, err) = cli(s, &["reveal", &links[1].0, "--passphrase", &links[1].3], "");
    assert_eq!((code, out.as_str()), (0, links[1].2.as_str()), "{i}: reveal with passphrase: {err}");
    let (code, _, err) = cli(s, &["burn", &links[2].1], "");
    assert_eq!(code, 0, "{i}: burn: {err}");
    assert_eq!(cli(s, &["reveal", &links[2].0], "").0, 3, "{i}: burned secret revealed");
    let (link, _, content, _) = links.pop().expect("four made");
    left.push(Leftover::Cli { link, content });
}

/// Runs every interface's workload; returns the needles and the secrets left waiting.
pub async fn workload(s: &Server) -> (Needles, Vec<Leftover>) {
    let (mut n, mut left) = (Needles::new(), Vec::new());
    v2_text(s, &mut n, &mut left).await;
    v2_e2e(s, &mut n, &mut left).await;
    web_forms(s, &mut n, &mut left).await;
    cli_e2e(s, &mut n, &mut left);
    (n, left)
}

/// Reveals the secrets left waiting, each through the interface that made it.
pub async fn reveal_leftovers(s: &Server, left: &[Leftover]) {
    for l in left {
        match l {
            Leftover::V2 { key, passphrase, content } => {
                let (status, b) =
                    post(s, &format!("/api/v2/secret/{key}/reveal"), &json!({"passphrase": passphrase})).await;
                assert_eq!((status, field(&b, "secret")), (200, content.clone()), "v2text: late reveal");
            }
            Leftover::E2e { key, derived, content } => {
                let proof = e2e::b64(derived.proof.as_ref());
                let (status, b) = post(s, &format!("/api/v2/secret/{key}/reveal"), &json!({"proof": proof})).await;
                assert_eq!(status, 200, "v2e2e: late reveal: {b}");
                let opened = e2e::open(&derived.key, &field(&b, "ciphertext")).expect("open");
                assert_eq!(opened.as_slice(), content.as_bytes(), "v2e2e: late reveal");
            }
            Leftover::Web { key, passphrase, content } => {
                let resp = client().post(s.url(&format!("/secret/{key}"))).form(&[("passphrase", passphrase)]);
                let resp = resp.send().await.expect("reveal");
                assert_eq!(resp.status().as_u16(), 200, "webform: late reveal");
                assert!(resp.text().await.expect("page").contains(content.as_str()), "webform: late reveal");
            }
            Leftover::Cli { link, content } => {
                // The server may have restarted on another port.
                let link = format!("{}{}", s.base, &link[link.find("/secret/").expect("a share link")..]);
                let (code, out, err) = cli(s, &["reveal", &link], "");
                assert_eq!((code, out.as_str()), (0, content.as_str()), "clie2e: late reveal: {err}");
            }
        }
    }
}
