//! The client's errors, one type for both APIs. Each maps to a documented exit code of the
//! `lethe` command. Messages never include secret content, passphrases or keys.

/// A failed call.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// No secret or receipt under that key (or, on v1, any reason it cannot be revealed).
    #[error("unknown secret: it does not exist, or was already viewed, burned or expired")]
    NotFound,
    /// The secret ended; the state says how.
    #[error("the secret is gone: it was {0}")]
    Gone(String),
    #[error("a passphrase is required")]
    PassphraseRequired,
    #[error("wrong passphrase{}", match .remaining { Some(0) => " (that was the last attempt: the secret was destroyed)".to_owned(), Some(n) => format!(" ({n} attempts left)"), None => String::new() })]
    WrongPassphrase { remaining: Option<u32> },
    #[error("not authorized: check the account e-mail and API key")]
    NotAuthorized,
    /// The secret is end-to-end encrypted and the link lacks its key (nothing was consumed).
    #[error("this secret is end-to-end encrypted and the link has no key after '#'")]
    MissingKey,
    #[error("the secret could not be decrypted: {0}")]
    Decrypt(String),
    #[error("could not reach the server: {0}")]
    Network(String),
    #[error("the server answered {status}: {message}")]
    Server { status: u16, message: String },
    #[error("{0}")]
    Usage(String),
}

impl From<reqwest::Error> for ClientError {
    fn from(e: reqwest::Error) -> Self {
        use std::error::Error;
        // reqwest's own message can contain the full URL, which holds the key: build a
        // message from the kind of failure and the underlying causes instead.
        let e = e.without_url();
        let mut msg = e.to_string();
        let mut source = e.source();
        while let Some(s) = source {
            msg.push_str(": ");
            msg.push_str(&s.to_string());
            source = s.source();
        }
        ClientError::Network(msg)
    }
}
