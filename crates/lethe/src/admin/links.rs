//! `create-invite` and `reset-password` without a new password: one-time links, printed once.
//! The store keeps only the SHA-256 of each link's token; the link works once, until it
//! expires. Links start with the server's `public_url` (or `http://` and its `listen` address
//! when none is set, which suits only a server used on this machine).

use super::{account, parse_email, store_failure};
use crate::cli::output::{Failure, OTHER};
use anyhow::anyhow;
use lethe_core::account::OpaqueToken;
use lethe_core::clock::UnixTime;
use lethe_server::service::sign_up::{INVITE_SECS, RESET_SECS};
use lethe_server::Config;
use lethe_store::{NewToken, Store, TokenKind};

fn base(config: &Config) -> String {
    match &config.public_url {
        Some(url) => url.trim_end_matches('/').to_owned(),
        None => format!("http://{}", config.listen),
    }
}

/// Makes an invitation (for `email` only, if given) and prints its link. The token is kept
/// under the first administrator, who is named as the one who invited.
pub async fn create_invite(
    store: &dyn Store,
    config: &Config,
    email: Option<&str>,
    expires_in: Option<i64>,
    now: UnixTime,
) -> Result<(), Failure> {
    let email = email.map(parse_email).transpose()?;
    let mut after = 0;
    let admin = loop {
        let page = store.list_accounts(after, 500).await.map_err(store_failure)?;
        let Some(last) = page.last() else {
            return Err(Failure {
                code: OTHER,
                error: anyhow!("there is no administrator yet: make one with `lethe admin create-user EMAIL --admin`"),
            });
        };
        if let Some(a) = page.iter().find(|s| s.account.admin && !s.account.disabled) {
            break a.account.id;
        }
        after = last.account.id;
    };
    let token = OpaqueToken::generate();
    let secs = expires_in.unwrap_or(INVITE_SECS);
    let new = NewToken {
        hash: token.hash(),
        kind: TokenKind::Invite,
        account: admin,
        email: email.clone(),
        created: now,
        expires_at: now + secs,
    };
    store.create_token(new).await.map_err(store_failure)?;
    println!("{}/signup?invite={}", base(config), token.expose());
    let whom = email.map(|e| format!("for {e}")).unwrap_or_else(|| "for anyone who has it".into());
    let until = crate::cli::output::when(Some(now + secs));
    eprintln!("An invitation {whom}, working once, until {until}. It is shown only this once.");
    Ok(())
}

/// Prints a one-time link with which `email`'s owner sets a new password (their sessions
/// end when it is used, and their earlier links can no longer be shown).
pub async fn reset_link(store: &dyn Store, config: &Config, email: &str, now: UnixTime) -> Result<(), Failure> {
    let a = account(store, email).await?;
    let token = OpaqueToken::generate();
    let new = NewToken {
        hash: token.hash(),
        kind: TokenKind::PasswordReset,
        account: a.id,
        email: None,
        created: now,
        expires_at: now + RESET_SECS,
    };
    store.create_token(new).await.map_err(store_failure)?;
    println!("{}/reset/{}", base(config), token.expose());
    eprintln!("A password-reset link for {}, working once, for 24 hours. Send it to them yourself.", a.email);
    Ok(())
}
