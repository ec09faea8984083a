//! Who a record belongs to: one account, or one team. A secret's scope decides the dashboard
//! it appears on and the audit chain its entries join; anonymous secrets have none.

use crate::accounts_model::AccountId;

/// A team's number, given by the store.
pub type TeamId = i64;

/// An account or a team.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Scope {
    Account(AccountId),
    Team(TeamId),
}

impl Scope {
    /// The stored and hashed form: `account:ID` or `team:ID`.
    pub fn as_text(&self) -> String {
        match self {
            Scope::Account(id) => format!("account:{id}"),
            Scope::Team(id) => format!("team:{id}"),
        }
    }

    /// Reads [`Scope::as_text`] back.
    pub fn parse(s: &str) -> Option<Self> {
        let (kind, id) = s.split_once(':')?;
        let id: i64 = id.parse().ok()?;
        match kind {
            "account" => Some(Scope::Account(id)),
            "team" => Some(Scope::Team(id)),
            _ => None,
        }
    }
}

impl std::fmt::Display for Scope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.as_text())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_round_trips() {
        for s in [Scope::Account(1), Scope::Team(42)] {
            assert_eq!(Scope::parse(&s.as_text()), Some(s));
        }
        for bad in ["", "account", "account:x", "user:1", "team:"] {
            assert_eq!(Scope::parse(bad), None, "{bad}");
        }
    }
}
