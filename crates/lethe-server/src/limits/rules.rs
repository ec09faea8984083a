//! What is limited and how much: the actions, a rule (`count` per `window`), and the parsing of
//! rules as operators write them (`250/20m`, `1000/1200s`, `15/1h`).

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// An action that is counted against its own limit, per client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// Creating a secret (share, generate, conceal, the create form).
    Create,
    /// An attempt to reveal a secret, whether the key exists or not.
    Reveal,
    /// Looking up a receipt or a secret's status, and burning.
    Lookup,
    /// A wrong passphrase (or end-to-end proof), on any secret. When an address has used up
    /// this limit, it may not attempt reveals until its failures age out.
    PassphraseFailure,
    /// Credentials (an API key) that did not check out. When an address has used up this
    /// limit, its requests with credentials are refused until the failures age out; requests
    /// without credentials, and other addresses, are not affected, so nobody can lock an
    /// account out.
    KeyFailure,
    /// A failed sign-in in the pages (wrong e-mail, password or second factor), per client
    /// address. When spent, that address cannot try to sign in until its failures age out.
    SignInFailure,
    /// A failed sign-in, per account. When spent, the account can be signed in to only from a
    /// browser that signed in to it before (which carries a device cookie), until the failures
    /// age out: a stranger can slow an account down but never lock its owner out.
    AccountSignInFailure,
    /// A mail carrying a token (an address verification or a password reset), per address:
    /// per account for a verification, per address asked about for a reset (whether an
    /// account has it or not). When spent, further requests get the same answer and send
    /// nothing, so the limit tells nobody whether the address has an account.
    AccountMail,
    /// A request for such a mail, per client address; when spent, the client is refused.
    MailRequest,
}

impl Action {
    pub const ALL: [Action; 9] = [
        Action::Create,
        Action::Reveal,
        Action::Lookup,
        Action::PassphraseFailure,
        Action::KeyFailure,
        Action::SignInFailure,
        Action::AccountSignInFailure,
        Action::AccountMail,
        Action::MailRequest,
    ];

    /// The name used in metrics, `RateLimit-Policy` and the configuration.
    pub fn name(self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Reveal => "reveal",
            Action::Lookup => "lookup",
            Action::PassphraseFailure => "passphrase_failure",
            Action::KeyFailure => "key_failure",
            Action::SignInFailure => "sign_in_failure",
            Action::AccountSignInFailure => "account_sign_in_failure",
            Action::AccountMail => "account_mail",
            Action::MailRequest => "mail_request",
        }
    }
}

/// At most `count` hits per `window_secs`, estimated over a sliding window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    pub count: u32,
    pub window_secs: u32,
}

impl Rule {
    pub const fn new(count: u32, window_secs: u32) -> Rule {
        Rule { count, window_secs }
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}s", self.count, self.window_secs)
    }
}

impl FromStr for Rule {
    type Err = String;

    /// `COUNT/WINDOW`, the window in seconds with an optional unit (`s`, `m`, `h`, `d`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || format!("'{s}' is not a rate rule: write COUNT/WINDOW, e.g. 250/20m or 1000/3600s");
        let (count, window) = s.trim().split_once('/').ok_or_else(bad)?;
        let count: u32 = count.trim().parse().map_err(|_| bad())?;
        let window = window.trim();
        let split = window.find(|c: char| !c.is_ascii_digit()).unwrap_or(window.len());
        let (digits, unit) = window.split_at(split);
        let n: u32 = digits.parse().map_err(|_| bad())?;
        let scale = match unit {
            "" | "s" => 1,
            "m" => 60,
            "h" => 3600,
            "d" => 86_400,
            _ => return Err(bad()),
        };
        let window_secs = n
            .checked_mul(scale)
            .filter(|w| (1..=7 * 86_400).contains(w))
            .ok_or_else(|| format!("'{s}': the window must be between 1 second and 7 days"))?;
        if count == 0 {
            return Err(format!("'{s}': the count must be at least 1"));
        }
        Ok(Rule { count, window_secs })
    }
}

impl Serialize for Rule {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Rule {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// On or off, as `--rate-limits off` and `LETHE_RATE_LIMITS=off` say it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Switch {
    On,
    Off,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_parse_with_units_and_refuse_nonsense() {
        assert_eq!("250/20m".parse::<Rule>(), Ok(Rule::new(250, 1200)));
        assert_eq!("1000/3600s".parse::<Rule>(), Ok(Rule::new(1000, 3600)));
        assert_eq!(" 15 / 1h ".parse::<Rule>(), Ok(Rule::new(15, 3600)));
        assert_eq!("5/60".parse::<Rule>(), Ok(Rule::new(5, 60)));
        for bad in ["", "250", "/20m", "x/20m", "250/", "250/20y", "0/1m", "1/0s", "1/8d", "-1/1m", "250/20m5"] {
            assert!(bad.parse::<Rule>().is_err(), "{bad:?} was accepted");
        }
        assert_eq!(Rule::new(250, 1200).to_string(), "250/1200s");
        assert_eq!(Rule::new(250, 1200).to_string().parse::<Rule>(), Ok(Rule::new(250, 1200)));
    }
}
