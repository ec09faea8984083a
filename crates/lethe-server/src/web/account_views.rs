//! Template structs of the account pages: signing in and up, the account's settings (password,
//! sessions, API keys, deletion), and password resets.

use super::session::Nav;
use askama::Template;

#[derive(Template)]
#[template(path = "signin.html")]
pub struct SignIn {
    pub nav: Nav,
    pub error: Option<String>,
    pub notice: Option<&'static str>,
    pub email: String,
    /// Where to go after signing in (a local path).
    pub next: String,
    pub signup_open: bool,
}

#[derive(Template)]
#[template(path = "signup.html")]
pub struct SignUp {
    pub nav: Nav,
    pub error: Option<String>,
    pub email: String,
    pub invite: Option<String>,
    /// Why the form is not offered, when it is not.
    pub closed: Option<&'static str>,
}

/// One session on the account page.
pub struct SessionRow {
    /// The stored id, in hex, for the sign-out button.
    pub id: String,
    pub current: bool,
    pub device: String,
    pub client_addr: String,
    pub created: String,
    pub last_seen: String,
}

/// One API key on the account page.
pub struct KeyRow {
    pub key_id: String,
    pub name: String,
    pub created: String,
    pub last_used: String,
    pub expires: String,
    pub status: &'static str,
    pub active: bool,
    pub receipts: bool,
}

#[derive(Template)]
#[template(path = "account.html")]
pub struct Account {
    pub nav: Nav,
    pub email: String,
    pub created: String,
    pub notice: Option<String>,
    pub error: Option<String>,
    pub sessions: Vec<SessionRow>,
    pub keys: Vec<KeyRow>,
    /// A key just made, shown this once.
    pub new_key: Option<String>,
}

#[derive(Template)]
#[template(path = "reset.html")]
pub struct Reset {
    pub nav: Nav,
    pub token: String,
    pub error: Option<String>,
}
