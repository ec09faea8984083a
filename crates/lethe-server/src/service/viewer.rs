//! Who opens a secret: the viewer a reveal is made for, checked against the secret's viewer
//! rule before anything is consumed, and noted on the receipt of an owned secret.

use super::caller::Caller;
use super::ServiceError;
use lethe_core::account::Email;
use lethe_store::{AccountId, Effect, ViewerNote, ViewerRule};

/// The viewer of a reveal: the signed-in account, if any, and the client as the rate limits
/// see it (trusted proxies included) with its `User-Agent`. Metadata only (P7).
#[derive(Debug, Clone, Default)]
pub struct Viewer {
    pub account: Option<(AccountId, Email)>,
    pub client_addr: String,
    pub user_agent: String,
    /// Who the audit log says acted (`AccountCaller::actor_label`); `None` for anonymous.
    pub actor: Option<String>,
}

impl Viewer {
    /// The viewer behind `caller`, from `client_addr` with `user_agent`.
    pub fn of(caller: &Caller, client_addr: String, user_agent: String) -> Self {
        let account = caller.account().map(|a| (a.id, a.email.clone()));
        let actor = caller.account().map(|a| a.actor_label());
        Viewer { account, client_addr, user_agent, actor }
    }

    /// The signed-in account's e-mail, if any.
    pub fn email(&self) -> Option<&Email> {
        self.account.as_ref().map(|(_, e)| e)
    }

    /// What the receipt of an owned secret keeps of this viewer.
    pub(super) fn note(&self) -> Effect {
        Effect::Viewer(ViewerNote {
            email: self.email().map(|e| e.as_str().to_owned()),
            client_addr: self.client_addr.clone(),
            user_agent: self.user_agent.clone(),
        })
    }
}

/// Most accounts one secret may be meant for.
pub const MAX_ALLOWED_VIEWERS: usize = 20;

/// A viewer rule from what a creator sent: `sign_in`, and the addresses of the accounts
/// allowed to view (normalised, repeats dropped; a list implies sign-in). Refuses more than
/// [`MAX_ALLOWED_VIEWERS`] addresses, or one that is not an address, naming it.
pub fn viewer_rule<S: AsRef<str>>(sign_in: bool, allowed: &[S]) -> Result<ViewerRule, ServiceError> {
    let mut emails: Vec<Email> = Vec::with_capacity(allowed.len());
    for a in allowed.iter().map(AsRef::as_ref).filter(|a| !a.trim().is_empty()) {
        let email = Email::parse(a).map_err(|e| {
            let shown: String = a.trim().chars().take(MAX_SHOWN).collect();
            ServiceError::Invalid(format!("allowed_viewers: '{shown}' is not an e-mail address ({e})"))
        })?;
        if !emails.contains(&email) {
            emails.push(email);
        }
    }
    if emails.len() > MAX_ALLOWED_VIEWERS {
        return Err(ServiceError::Invalid(format!(
            "allowed_viewers: at most {MAX_ALLOWED_VIEWERS} addresses may be given"
        )));
    }
    Ok(ViewerRule { sign_in: sign_in || !emails.is_empty(), allowed: emails })
}

/// Most characters of a refused address shown back in the error.
const MAX_SHOWN: usize = 80;

/// The addresses of a text field or form parameter: separated by commas, spaces or newlines.
pub fn split_viewers(text: &str) -> Vec<String> {
    text.split(|c: char| c == ',' || c.is_whitespace()).filter(|a| !a.is_empty()).map(str::to_owned).collect()
}

/// How a viewer fares against a secret's rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Admission {
    Admitted,
    /// Anonymous, and the secret needs a signed-in viewer.
    SignIn,
    /// Signed in, but not on the allowed list.
    Refused,
}

pub(super) fn admission(rule: &ViewerRule, viewer: &Viewer) -> Admission {
    match viewer.email() {
        _ if rule.admits(viewer.email()) => Admission::Admitted,
        None => Admission::SignIn,
        Some(_) => Admission::Refused,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn viewer(email: Option<&str>) -> Viewer {
        let account = email.map(|e| (1, Email::parse(e).unwrap()));
        Viewer { account, ..Viewer::default() }
    }

    #[test]
    fn rules_admit_signed_in_and_listed_viewers() {
        let open = ViewerRule::default();
        let signed = ViewerRule { sign_in: true, allowed: vec![] };
        let listed = ViewerRule { sign_in: false, allowed: vec![Email::parse("ann@example.com").unwrap()] };
        assert_eq!(admission(&open, &viewer(None)), Admission::Admitted);
        assert_eq!(admission(&signed, &viewer(None)), Admission::SignIn);
        assert_eq!(admission(&signed, &viewer(Some("bob@example.com"))), Admission::Admitted);
        assert_eq!(admission(&listed, &viewer(None)), Admission::SignIn, "a list implies sign-in");
        assert_eq!(admission(&listed, &viewer(Some("bob@example.com"))), Admission::Refused);
        assert_eq!(admission(&listed, &viewer(Some("Ann@Example.com"))), Admission::Admitted);
    }

    #[test]
    fn rules_are_parsed_bounded_and_name_the_bad_address() {
        let r = viewer_rule(false, &split_viewers("Ann@Example.com, bob@example.org\nann@example.com")).unwrap();
        assert!(r.sign_in, "a list implies sign-in");
        assert_eq!(r.allowed.iter().map(Email::as_str).collect::<Vec<_>>(), ["ann@example.com", "bob@example.org"]);
        assert_eq!(viewer_rule::<&str>(false, &[]).unwrap(), ViewerRule::default());
        match viewer_rule(true, &["ann@example.com", "not-an-address"]) {
            Err(ServiceError::Invalid(m)) => assert!(m.contains("'not-an-address'"), "{m}"),
            other => panic!("{other:?}"),
        }
        let many: Vec<String> = (0..21).map(|i| format!("u{i}@example.com")).collect();
        assert!(matches!(viewer_rule(false, &many), Err(ServiceError::Invalid(_))));
        assert!(viewer_rule(false, &many[..20]).is_ok());
    }
}
