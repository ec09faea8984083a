//! What both backends' `records` tables spell the same way: the receipt columns in the order
//! the row mappers read them, the columns an ending clears, and how the obscured recipients
//! are kept in one text column. The SQL around them differs only in placeholders (`?1` on
//! SQLite, `$1` on PostgreSQL).

use crate::model::ViewerRule;
use lethe_core::account::Email;
use lethe_core::state::SecretState;

/// The receipt columns, in the order each backend's `receipt_from` reads them. A macro, so
/// that every statement using it is one `&'static str` built at compile time.
macro_rules! receipt_columns {
    () => {
        "receipt_id, id, custid, state, burn_reason, ttl, created, updated, viewed_at, \
         burned_at, secret_expires_at, expires_at, recipients, passphrase_required, \
         receipt_seen, late_attempts, last_late_attempt, kind, name, owner_receipt, owner_link, \
         viewers_sign_in, allowed_viewers, refused_viewers, last_refused_email, last_refused_at, \
         viewer_email, viewer_addr, viewer_agent, scope, notify, delivery"
    };
}
pub(crate) use receipt_columns;

/// The columns an ending (reveal, burn, lockout, expiry) clears: the content and everything
/// only a waiting secret needs, the share token sealed to the owner among them (a link that
/// no longer works is not shown again; the owner's receipt token stays with the receipt).
/// On SQLite, `secure_delete` overwrites the old bytes.
macro_rules! clear_secret {
    () => {
        "sealed = NULL, kdf_salt = NULL, kdf_params = NULL, sealed_verifier = NULL, quota_tag = NULL, \
         owner_link = NULL"
    };
}
pub(crate) use clear_secret;

/// The assignments that keep a consume's viewer (`ViewerNote`) on the row, only if its
/// receipt has an owner. Parameters: the anonymous custid, e-mail, address, user agent (all
/// `NULL` when no viewer is noted).
macro_rules! note_viewer {
    ($anon:literal, $email:literal, $addr:literal, $agent:literal) => {
        concat!(
            "viewer_email = CASE WHEN custid <> ",
            $anon,
            " THEN ",
            $email,
            " END, ",
            "viewer_addr = CASE WHEN custid <> ",
            $anon,
            " THEN ",
            $addr,
            " END, ",
            "viewer_agent = CASE WHEN custid <> ",
            $anon,
            " THEN ",
            $agent,
            " END"
        )
    };
}
pub(crate) use note_viewer;

/// How many waiting secrets carry a quota tag, counted up to the quota (so the count costs at
/// most that many index entries). Parameters: tag, now, max.
macro_rules! count_quota {
    ($tag:literal, $now:literal, $max:literal) => {
        concat!(
            "SELECT count(*) FROM (SELECT 1 FROM records WHERE quota_tag = ",
            $tag,
            " AND state = 'new' AND secret_expires_at > ",
            $now,
            " LIMIT ",
            $max,
            ") AS waiting"
        )
    };
}
pub(crate) use count_quota;

/// The obscured recipient addresses as stored: one per line (an address has no newline).
pub(crate) fn join_recipients(recipients: &[String]) -> String {
    recipients.join("\n")
}

/// The obscured recipient addresses from their stored form.
pub(crate) fn split_recipients(stored: &str) -> Vec<String> {
    stored.split('\n').filter(|s| !s.is_empty()).map(str::to_owned).collect()
}

/// The allowed viewers as stored: normalised addresses one per line, `None` for no list.
pub(crate) fn join_viewers(allowed: &[Email]) -> Option<String> {
    (!allowed.is_empty()).then(|| allowed.iter().map(Email::as_str).collect::<Vec<_>>().join("\n"))
}

/// A viewer rule from its stored columns.
pub(crate) fn viewer_rule(sign_in: bool, allowed: Option<&str>) -> ViewerRule {
    let allowed = allowed.unwrap_or("").split('\n').filter_map(|a| Email::parse(a).ok()).collect();
    ViewerRule { sign_in, allowed }
}

/// Text to find with `LIKE … ESCAPE '\'` anywhere in a lower-cased name: lower-cased, with
/// the pattern characters `%`, `_` and the escape itself matched literally.
pub(crate) fn contains_pattern(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('%');
    for c in text.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

/// The stored state an [`crate::OwnedQuery`] status filters on, as the owned-listing
/// statements compare it (`NULL`: any).
pub(crate) fn state_filter(state: Option<SecretState>) -> Option<&'static str> {
    state.map(SecretState::as_str)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recipients_round_trip_and_empty_is_none() {
        let r = vec!["a*****@e*****.com".to_owned(), "b*****@m*****.org".to_owned()];
        assert_eq!(split_recipients(&join_recipients(&r)), r);
        assert!(split_recipients("").is_empty());
    }

    #[test]
    fn viewers_round_trip_and_patterns_escape() {
        let allowed = vec![Email::parse("a@example.com").unwrap(), Email::parse("b@example.org").unwrap()];
        let stored = join_viewers(&allowed);
        assert_eq!(viewer_rule(true, stored.as_deref()), ViewerRule { sign_in: true, allowed });
        assert_eq!(join_viewers(&[]), None);
        assert_eq!(viewer_rule(false, None), ViewerRule::default());
        assert_eq!(contains_pattern("50%_Off\\"), "%50\\%\\_off\\\\%");
    }
}
