//! A workload of people signed in on the pages, for the at-rest scans: an account signs up,
//! turns on two-step sign-in (its TOTP key and recovery codes), signs in from a second browser
//! with a recovery code, makes an API key in the page, creates secrets in the page and lists
//! them on the dashboard. Returns everything that must never be found at rest or in a log.

use super::{random, Server};
use lethe_core::account::TotpSecret;

/// What must never be found, with a label; raw bytes for the TOTP key as stored.
pub struct SignedIn {
    pub needles: Vec<(String, String)>,
    pub raw: Vec<(String, Vec<u8>)>,
}

fn between<'b>(body: &'b str, start: &str, end: &str) -> &'b str {
    let at = body.find(start).unwrap_or_else(|| panic!("{start} in {body}")) + start.len();
    &body[at..at + body[at..].find(end).unwrap()]
}

fn cookies(resp: &reqwest::Response) -> Vec<String> {
    let set = resp.headers().get_all(reqwest::header::SET_COOKIE);
    set.iter().map(|v| v.to_str().unwrap().split(';').next().unwrap().to_owned()).collect()
}

/// A browser without redirects: its cookie header, kept by hand.
struct Browser<'s> {
    s: &'s Server,
    http: reqwest::Client,
    jar: Vec<String>,
}

impl<'s> Browser<'s> {
    fn new(s: &'s Server) -> Self {
        let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        Browser { s, http, jar: Vec::new() }
    }

    async fn send(&mut self, req: reqwest::RequestBuilder) -> (u16, String, String) {
        let resp = req.header("cookie", self.jar.join("; ")).send().await.unwrap();
        for c in cookies(&resp) {
            let name = c.split('=').next().unwrap().to_owned();
            self.jar.retain(|k| !k.starts_with(&format!("{name}=")));
            self.jar.push(c);
        }
        let status = resp.status().as_u16();
        let location = resp.headers().get("location").map(|l| l.to_str().unwrap().to_owned()).unwrap_or_default();
        (status, location, resp.text().await.unwrap())
    }

    async fn get(&mut self, path: &str) -> (u16, String, String) {
        let req = self.http.get(self.s.url(path));
        self.send(req).await
    }

    async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> (u16, String, String) {
        let req = self.http.post(self.s.url(path)).form(form);
        self.send(req).await
    }

    /// The form token of the page at `path`.
    async fn csrf(&mut self, path: &str) -> String {
        let (_, _, html) = self.get(path).await;
        between(&html, r#"name="csrf" value=""#, "\"").to_owned()
    }
}

/// Runs the workload; the server must run with `--signup open`.
pub async fn workload(s: &Server) -> SignedIn {
    let password = format!("signed-in-password-{}", random());
    let mut needles = vec![("the password".to_owned(), password.clone())];
    let mut a = Browser::new(s);
    let form = [("email", "pages@example.com"), ("password", &password), ("password2", &password)];
    let (status, _, body) = a.post("/signup", &form).await;
    assert_eq!(status, 303, "{body}");

    let (_, _, page) = a.get("/account/two-step").await;
    let shown = between(&page, r#"<code id="totp-secret">"#, "<").to_owned();
    let secret = TotpSecret::from_bytes(lethe_testkit::base32_decode(&shown).try_into().unwrap());
    let sealed = between(&page, r#"name="sealed" value=""#, "\"").to_owned();
    let csrf = between(&page, r#"name="csrf" value=""#, "\"").to_owned();
    let now = lethe_core::clock::Clock::now(&lethe_core::clock::SystemClock);
    let code = secret.code_at(now);
    let (status, _, done) = a.post("/account/two-step", &[("csrf", &csrf), ("sealed", &sealed), ("code", &code)]).await;
    assert_eq!(status, 200, "{done}");
    let list = between(&done, r#"<ol id="recovery-codes">"#, "</ol>");
    let codes: Vec<String> = list.split("<code>").skip(1).map(|c| c[..c.find('<').unwrap()].to_owned()).collect();
    assert_eq!(codes.len(), 10);
    needles.push(("the TOTP key (base32)".into(), shown.clone()));
    needles.push(("the TOTP key (hex)".into(), secret.as_bytes().iter().map(|b| format!("{b:02x}")).collect()));
    for (i, c) in codes.iter().enumerate() {
        needles.push((format!("recovery code {i}"), c.clone()));
        needles.push((format!("recovery code {i}, bare"), c.replace('-', "")));
    }
    let raw = vec![("the TOTP key (raw)".to_owned(), secret.as_bytes().to_vec())];

    // A second browser: the password, then a recovery code (the TOTP step was just used).
    let mut b = Browser::new(s);
    let (status, location, _) = b.post("/signin", &[("email", "pages@example.com"), ("password", &password)]).await;
    assert_eq!((status, location.starts_with("/signin/code")), (303, true));
    let csrf = b.csrf(&location).await;
    let (status, _, body) = b.post("/signin/code", &[("csrf", &csrf), ("code", &codes[0]), ("next", "/account")]).await;
    assert_eq!(status, 303, "{body}");

    for (who, browser) in [("a", &a), ("b", &b)] {
        for (i, c) in browser.jar.iter().enumerate() {
            needles.push((format!("browser {who}'s cookie {i}"), c.split_once('=').unwrap().1.to_owned()));
        }
    }
    let csrf = a.csrf("/account").await;
    needles.push(("browser a's form token".into(), csrf.clone()));
    let (status, _, made) = a.post("/account/keys", &[("csrf", &csrf), ("name", "at rest"), ("expires_in", "")]).await;
    assert_eq!(status, 200, "{made}");
    let key = between(&made, r#"id="new-key" type="text" readonly value=""#, "\"").to_owned();
    assert!(key.starts_with("lethe_"), "{key}");
    needles.push(("the API key's secret part".into(), key.rsplit('_').next().unwrap().to_owned()));
    needles.push(("the API key".into(), key));
    for i in 0..3 {
        let content = format!("signed-in-content-{i}-{}", random());
        let form = [("secret", content.as_str()), ("name", "TICKET-9"), ("csrf", csrf.as_str())];
        let (status, created, _) = a.post("/", &form).await;
        assert_eq!(status, 303);
        let (_, _, html) = a.get(&created).await;
        needles.push((format!("page secret {i}'s link"), between(&html, "/secret/", "\"").to_owned()));
        needles.push((format!("page secret {i}'s receipt"), between(&html, "/private/", "\"").to_owned()));
        needles.push((format!("page content {i}"), content));
    }
    let (_, _, dashboard) = a.get("/dashboard").await;
    assert_eq!(dashboard.matches("/secret/").count(), 3, "the dashboard shows the three links again");
    SignedIn { needles, raw }
}
