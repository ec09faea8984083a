//! A browser for the HTTP tests of the pages: no redirects followed, the session and device
//! cookies kept by hand, forms posted with the session's token; and accounts made with a real
//! password, as `lethe admin create-user` makes them.

use crate::harness::TestServer;
use lethe_core::account::{Email, Password};
use lethe_core::keyring::Keyring;
use lethe_server::service::sign_up::credentials;
use lethe_store::NewAccount;
use reqwest::header::{HeaderMap, COOKIE, LOCATION, ORIGIN, SET_COOKIE};
use reqwest::StatusCode;
use zeroize::Zeroizing;

pub const PASSWORD: &str = "correct horse battery";

/// A browser: no redirects followed, the session cookie kept by hand.
pub struct Browser<'a> {
    pub s: &'a TestServer,
    pub http: reqwest::Client,
    pub cookie: Option<String>,
    /// The device cookie, kept apart from the session's.
    pub device: Option<String>,
    /// `X-Forwarded-For`, for tests that need many client addresses.
    pub from: Option<String>,
}

pub struct Page {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Page {
    pub fn location(&self) -> &str {
        self.headers.get(LOCATION).and_then(|v| v.to_str().ok()).unwrap_or("")
    }

    /// The form token of the page (empty when signed out).
    pub fn csrf(&self) -> String {
        let at = self.body.find(r#"name="csrf-token" content=""#).expect("signed in: a csrf meta");
        let rest = &self.body[at + r#"name="csrf-token" content=""#.len()..];
        rest[..rest.find('"').unwrap()].to_owned()
    }
}

impl<'a> Browser<'a> {
    pub fn new(s: &'a TestServer) -> Self {
        let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        Browser { s, http, cookie: None, device: None, from: None }
    }

    /// A GET to build on (extra headers), for [`Browser::send_req`].
    pub fn http_get(&self, path: &str) -> reqwest::RequestBuilder {
        self.http.get(self.s.url(path))
    }

    pub async fn send_req(&mut self, req: reqwest::RequestBuilder) -> Page {
        self.send(req).await
    }

    pub async fn send(&mut self, req: reqwest::RequestBuilder) -> Page {
        let mut req = req;
        let jar: Vec<String> = self.cookie.iter().chain(self.device.iter()).cloned().collect();
        if !jar.is_empty() {
            req = req.header(COOKIE, jar.join("; "));
        }
        if let Some(f) = &self.from {
            req = req.header("x-forwarded-for", f.clone());
        }
        let resp = req.send().await.unwrap();
        let headers = resp.headers().clone();
        for set in headers.get_all(SET_COOKIE) {
            let set = set.to_str().unwrap();
            let pair = set.split(';').next().unwrap().to_owned();
            let slot = if pair.starts_with("lethe_device=") { &mut self.device } else { &mut self.cookie };
            *slot = if pair.ends_with('=') { None } else { Some(pair) };
        }
        Page { status: resp.status(), headers, body: resp.text().await.unwrap() }
    }

    pub async fn get(&mut self, path: &str) -> Page {
        let req = self.http.get(self.s.url(path));
        self.send(req).await
    }

    pub async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Page {
        let req = self.http.post(self.s.url(path)).form(form);
        self.send(req).await
    }

    pub async fn post_with(&mut self, path: &str, form: &[(&str, &str)], origin: &str) -> Page {
        let req = self.http.post(self.s.url(path)).header(ORIGIN, origin).form(form);
        self.send(req).await
    }

    /// Posts a form with this session's form token.
    pub async fn submit(&mut self, path: &str, form: &[(&str, &str)]) -> Page {
        let csrf = self.get("/account").await.csrf();
        let mut all = form.to_vec();
        all.push(("csrf", &csrf));
        self.post(path, &all).await
    }

    pub async fn sign_in(&mut self, email: &str, password: &str) -> Page {
        self.post("/signin", &[("email", email), ("password", password), ("next", "/account")]).await
    }
}

/// Makes an account with a real password (as `lethe admin create-user` does).
pub async fn user(s: &TestServer, email: &str) -> i64 {
    user_with(s, email, false).await
}

/// [`user`], an administrator if `admin`.
pub async fn user_with(s: &TestServer, email: &str, admin: bool) -> i64 {
    let password = Password::new(Zeroizing::new(PASSWORD.to_owned())).unwrap();
    let (hash, keyring) = credentials(&password, &Keyring::generate()).unwrap();
    let new = NewAccount {
        email: Email::parse(email).unwrap(),
        password_hash: hash,
        admin,
        created: s.secrets.now(),
        keyring: Some(keyring),
        email_verified_at: Some(s.secrets.now()),
    };
    s.secrets.store().create_account(new).await.unwrap().id
}
