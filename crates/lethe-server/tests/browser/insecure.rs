//! The pages reached over plain http by a name that is not localhost (`lethe.test`, mapped to
//! 127.0.0.1 with `--host-resolver-rules`): browsers give no WebCrypto there, so the form says
//! the server encrypts and sends the plain form, which works; an end-to-end link opened there
//! says why it cannot be decrypted and consumes nothing.

use crate::driver::{Chromedriver, Options};
use crate::e2e::SECRET;
use crate::harness::TestServer;
use crate::page::{self, assert_unconsumed, find, goto, split_link, stored, text, value, wait_for_js};

const ALIAS: &str = "lethe.test";

#[tokio::test]
async fn without_a_secure_context_the_server_encrypts_and_says_so() {
    let s = TestServer::start_with(|c| c.allowed_hosts = vec![ALIAS.to_owned()]).await;
    let port = s.base.rsplit(':').next().unwrap().to_owned();
    let insecure = |path: &str| format!("http://{ALIAS}:{port}{path}");
    let d = Chromedriver::start().await;
    let b = d.browser(Options { host_alias: Some(ALIAS), ..Options::default() }).await;

    goto(&b, &insecure("/")).await;
    wait_for_js(&b).await;
    let note = text(&b, "#mode-note").await;
    assert!(note.contains("not served over https") && note.contains("the server encrypts"), "{note}");
    assert!(!note.contains("Your browser encrypts"), "no promise the browser cannot keep: {note}");
    let (share, _) = page::create_here(&b, SECRET, None, "3600").await;
    let (token, key) = split_link(&share);
    assert!(key.is_none(), "a server-encrypted link has no key after '#': {share}");
    assert!(stored(&s, &token).await.is_some());
    goto(&b, &insecure(&format!("/secret/{}", share.split("/secret/").nth(1).unwrap()))).await;
    page::submit(&b, "#reveal-form", "#revealed #secret-value").await;
    assert_eq!(value(&b, "#secret-value").await, SECRET, "revealed by the server");

    // An end-to-end link, made where the browser can encrypt, opened where it cannot.
    let secure = d.browser(Options::default()).await;
    let (e2e_share, _) = page::create(&secure, &s, "sealed in a secure context", None, "3600").await;
    let (e2e_token, e2e_key) = split_link(&e2e_share);
    assert!(e2e_key.is_some(), "made end to end on 127.0.0.1");
    let tail = e2e_share.split("/secret/").nth(1).unwrap();
    goto(&b, &insecure(&format!("/secret/{tail}"))).await;
    wait_for_js(&b).await;
    let error = text(&b, "#reveal-error").await;
    assert!(error.contains("not served over https"), "{error}");
    let button = find(&b, "#reveal-form button[type=submit]").await;
    assert!(!button.is_enabled().await.unwrap(), "nothing to press that could only fail");
    assert_unconsumed(&s, &e2e_token, "on a page that cannot decrypt").await;
}
