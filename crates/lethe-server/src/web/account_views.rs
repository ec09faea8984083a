//! Template structs of the account pages: signing in and up (with the second factor), the
//! account's settings (password, sessions, API keys, two-step sign-in, deletion), password
//! resets, and the mailed links that reset a password or confirm an address.

use super::session::Nav;
use askama::Template;
use zeroize::Zeroizing;

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
    /// This server mails reset links ("Forgot your password?" goes to `/forgot`).
    pub forgot: bool,
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
    /// Where to go once signed up (a local path).
    pub next: String,
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
    /// Two-step sign-in (TOTP) is on.
    pub totp_on: bool,
    /// Unused recovery codes, when it is on.
    pub recovery_left: u64,
    /// This server sends mail (the notification setting is offered).
    pub mail: bool,
    /// The account is mailed when its secrets end, unless a secret says otherwise.
    pub notify_default: bool,
    /// The account's address is confirmed (mail is sent for it only then).
    pub verified: bool,
}

/// The page asking for the second factor of a sign-in.
#[derive(Template)]
#[template(path = "signin_code.html")]
pub struct SignInCode {
    pub nav: Nav,
    /// The pending session's form token (`nav.csrf` is empty: nobody is signed in yet).
    pub csrf: String,
    pub next: String,
    pub error: Option<String>,
}

/// The enrolment page: the new secret as a QR code and in base32, and the first code.
#[derive(Template)]
#[template(path = "two_step.html")]
pub struct TwoStep {
    pub nav: Nav,
    /// An inline `<svg>` (made by the `qrcode` crate from the URI, nothing of the request's).
    pub qr_svg: Option<Zeroizing<String>>,
    pub secret: Zeroizing<String>,
    pub uri: Zeroizing<String>,
    /// The secret sealed for this account, for the hidden field.
    pub sealed: String,
    pub error: Option<String>,
    /// The server requires two-step sign-in (`require_totp`).
    pub required: bool,
}

/// New recovery codes, shown this once.
#[derive(Template)]
#[template(path = "recovery_codes.html")]
pub struct RecoveryCodes {
    pub nav: Nav,
    pub codes: Vec<Zeroizing<String>>,
}

#[derive(Template)]
#[template(path = "reset.html")]
pub struct Reset {
    pub nav: Nav,
    pub token: String,
    pub error: Option<String>,
}

/// "Forgot your password?": the address to mail a reset link to.
#[derive(Template)]
#[template(path = "forgot.html")]
pub struct Forgot {
    pub nav: Nav,
    pub email: String,
    pub notice: Option<&'static str>,
    pub error: Option<String>,
    /// This server sends mail (else the page says whom to ask).
    pub mail: bool,
}

/// The button that confirms an address.
#[derive(Template)]
#[template(path = "verify.html")]
pub struct Verify {
    pub nav: Nav,
    pub token: String,
    pub error: Option<String>,
}
