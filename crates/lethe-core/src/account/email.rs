//! E-mail addresses as account names: parsed once at the edge, normalised (surrounding
//! whitespace trimmed, lower-cased) so that `Ann@Example.com ` and `ann@example.com` are one
//! account, and refused when they cannot be an address.
//!
//! The check is deliberately plain rather than a full RFC 5321 grammar: exactly one `@`, a
//! non-empty local part of at most 64 bytes, a non-empty domain that neither starts nor ends
//! with a dot and has no empty label, no whitespace or control characters anywhere, and at
//! most [`MAX_EMAIL_LEN`] bytes in all (the longest path SMTP can carry). Whether mail
//! reaches it is for a confirmation message to find out, not for a parser.

use std::fmt;

/// The longest address accepted, in bytes, after normalising.
pub const MAX_EMAIL_LEN: usize = 254;
/// The longest local part (before the `@`), in bytes.
pub const MAX_LOCAL_LEN: usize = 64;

/// Why a string is not an acceptable e-mail address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum EmailError {
    #[error("an e-mail address is required")]
    Empty,
    #[error("an e-mail address may be at most {MAX_EMAIL_LEN} bytes long")]
    TooLong,
    #[error("an e-mail address may not contain spaces or control characters")]
    Whitespace,
    #[error("an e-mail address needs exactly one @ between a name and a domain")]
    Shape,
}

/// A normalised e-mail address. Two addresses are the same account exactly when their
/// normalised forms are equal.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Email(String);

impl Email {
    /// Trims, lower-cases and checks `input` (see the module documentation).
    pub fn parse(input: &str) -> Result<Self, EmailError> {
        let normal = input.trim().to_lowercase();
        if normal.is_empty() {
            return Err(EmailError::Empty);
        }
        if normal.len() > MAX_EMAIL_LEN {
            return Err(EmailError::TooLong);
        }
        if normal.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(EmailError::Whitespace);
        }
        let Some((local, domain)) = normal.split_once('@') else { return Err(EmailError::Shape) };
        let labels_ok = domain.split('.').all(|label| !label.is_empty());
        if local.is_empty() || local.len() > MAX_LOCAL_LEN || domain.is_empty() || domain.contains('@') || !labels_ok {
            return Err(EmailError::Shape);
        }
        Ok(Email(normal))
    }

    /// The normalised address.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Email({})", self.0)
    }
}

impl std::str::FromStr for Email {
    type Err = EmailError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Email::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn addresses_are_trimmed_and_lower_cased() {
        let e = Email::parse("  Ann.Lee+tickets@Example.COM \n").expect("valid");
        assert_eq!(e.as_str(), "ann.lee+tickets@example.com");
        assert_eq!(e, Email::parse("ann.lee+tickets@example.com").expect("valid"));
        assert_eq!(e.to_string(), "ann.lee+tickets@example.com");
    }

    #[test]
    fn non_addresses_are_refused_with_a_reason() {
        assert_eq!(Email::parse("   "), Err(EmailError::Empty));
        assert_eq!(Email::parse("ann"), Err(EmailError::Shape));
        assert_eq!(Email::parse("@example.com"), Err(EmailError::Shape));
        assert_eq!(Email::parse("ann@"), Err(EmailError::Shape));
        assert_eq!(Email::parse("ann@b@example.com"), Err(EmailError::Shape));
        assert_eq!(Email::parse("ann@.example.com"), Err(EmailError::Shape));
        assert_eq!(Email::parse("ann@example..com"), Err(EmailError::Shape));
        assert_eq!(Email::parse("ann@example.com."), Err(EmailError::Shape));
        assert_eq!(Email::parse("ann lee@example.com"), Err(EmailError::Whitespace));
        assert_eq!(Email::parse("ann\u{0}@example.com"), Err(EmailError::Whitespace));
        assert_eq!(Email::parse(&format!("{}@example.com", "a".repeat(65))), Err(EmailError::Shape));
    }

    #[test]
    fn the_length_limit_is_254_bytes() {
        let domain = format!("{}.com", "d".repeat(254 - 4 - 2));
        let longest = format!("a@{domain}");
        assert_eq!(longest.len(), MAX_EMAIL_LEN);
        assert!(Email::parse(&longest).is_ok());
        assert_eq!(Email::parse(&format!("ab@{domain}")), Err(EmailError::TooLong));
    }

    proptest! {
        /// Parsing is idempotent: a parsed address parses to itself, whatever the case and
        /// padding it came with.
        #[test]
        fn normalising_is_idempotent(local in "[A-Za-z0-9.+_-]{1,20}", domain in "[A-Za-z0-9-]{1,20}\\.[A-Za-z]{2,6}", pad in " {0,3}") {
            let input = format!("{pad}{local}@{domain}{pad}");
            let e = Email::parse(&input).expect("valid");
            prop_assert_eq!(Email::parse(e.as_str()).expect("still valid"), e.clone());
            prop_assert_eq!(e.as_str(), input.trim().to_lowercase());
        }

        /// No input makes the parser panic, and whatever it accepts meets every rule.
        #[test]
        fn accepted_addresses_meet_the_rules(s in "\\PC{0,80}") {
            if let Ok(e) = Email::parse(&s) {
                let a = e.as_str();
                prop_assert!(a.len() <= MAX_EMAIL_LEN);
                prop_assert_eq!(a.matches('@').count(), 1);
                prop_assert!(!a.chars().any(char::is_whitespace));
            }
        }
    }
}
