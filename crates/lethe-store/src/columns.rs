//! What both backends' `records` tables spell the same way: the receipt columns in the order
//! the row mappers read them, the columns an ending clears, and how the obscured recipients
//! are kept in one text column. The SQL around them differs only in placeholders (`?1` on
//! SQLite, `$1` on PostgreSQL).

/// The receipt columns, in the order each backend's `receipt_from` reads them. A macro, so
/// that every statement using it is one `&'static str` built at compile time.
macro_rules! receipt_columns {
    () => {
        "receipt_id, id, custid, state, burn_reason, ttl, created, updated, viewed_at, \
         burned_at, secret_expires_at, expires_at, recipients, passphrase_required, \
         receipt_seen, late_attempts, last_late_attempt, kind, name, owner_receipt, owner_link"
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recipients_round_trip_and_empty_is_none() {
        let r = vec!["a*****@e*****.com".to_owned(), "b*****@m*****.org".to_owned()];
        assert_eq!(split_recipients(&join_recipients(&r)), r);
        assert!(split_recipients("").is_empty());
    }
}
