//! What the audit log records: every action by its stable name (what the store, the exports
//! and API v2 carry), the kind of resource it is about, and how the pages call it.

/// An audited action. Names are stable: exports, filters and API v2 clients rely on them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    SecretCreated,
    /// The waiting page (or v2 status) of a secret that can still be revealed.
    SecretOpened,
    SecretRevealed,
    WrongPassphrase,
    /// Destroyed by the last allowed wrong passphrase.
    SecretDestroyed,
    SecretBurned,
    /// Expired unread (written by the sweeper, `lethe_store::audit::EXPIRED_ACTION`).
    SecretExpired,
    /// The link was opened after the secret had ended: it may have been intercepted.
    OpenedAfterEnd,
    /// The creator looked at the receipt.
    ReceiptOpened,
    SignedIn,
    SignInFailed,
    SignedOut,
    TotpEnabled,
    TotpDisabled,
    PasswordChanged,
    /// The owner followed the link mailed to the account's address.
    EmailVerified,
    /// Someone asked for a password-reset mail for the account's address.
    PasswordResetRequested,
    /// The account turned its notification mails on or off (the account page, or the
    /// one-click unsubscribe link of a notification mail).
    NotificationsChanged,
    ApiKeyCreated,
    ApiKeyFirstUsed,
    ApiKeyRevoked,
    TeamCreated,
    MemberInvited,
    MemberJoined,
    MemberRemoved,
    RoleChanged,
    SettingsChanged,
    InviteWithdrawn,
    TeamDeleted,
    WebhookCreated,
    WebhookChanged,
    WebhookSecretRotated,
    WebhookDeleted,
    /// A test event an owner asked for, to check an endpoint.
    WebhookTest,
}

impl Action {
    /// Every action, in the order the pages' filter lists them.
    pub const ALL: [Action; 34] = [
        Action::SecretCreated,
        Action::SecretOpened,
        Action::SecretRevealed,
        Action::WrongPassphrase,
        Action::SecretDestroyed,
        Action::SecretBurned,
        Action::SecretExpired,
        Action::OpenedAfterEnd,
        Action::ReceiptOpened,
        Action::SignedIn,
        Action::SignInFailed,
        Action::SignedOut,
        Action::TotpEnabled,
        Action::TotpDisabled,
        Action::PasswordChanged,
        Action::EmailVerified,
        Action::PasswordResetRequested,
        Action::NotificationsChanged,
        Action::ApiKeyCreated,
        Action::ApiKeyFirstUsed,
        Action::ApiKeyRevoked,
        Action::TeamCreated,
        Action::MemberInvited,
        Action::MemberJoined,
        Action::MemberRemoved,
        Action::RoleChanged,
        Action::SettingsChanged,
        Action::InviteWithdrawn,
        Action::TeamDeleted,
        Action::WebhookCreated,
        Action::WebhookChanged,
        Action::WebhookSecretRotated,
        Action::WebhookDeleted,
        Action::WebhookTest,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::SecretCreated => "secret.created",
            Action::SecretOpened => "secret.opened",
            Action::SecretRevealed => "secret.revealed",
            Action::WrongPassphrase => "secret.wrong_passphrase",
            Action::SecretDestroyed => "secret.destroyed",
            Action::SecretBurned => "secret.burned",
            Action::SecretExpired => lethe_store::audit::EXPIRED_ACTION,
            Action::OpenedAfterEnd => "secret.opened_after_end",
            Action::ReceiptOpened => "receipt.opened",
            Action::SignedIn => "account.signed_in",
            Action::SignInFailed => "account.sign_in_failed",
            Action::SignedOut => "account.signed_out",
            Action::TotpEnabled => "account.totp_enabled",
            Action::TotpDisabled => "account.totp_disabled",
            Action::PasswordChanged => "account.password_changed",
            Action::EmailVerified => "account.email_verified",
            Action::PasswordResetRequested => "account.password_reset_requested",
            Action::NotificationsChanged => "account.notifications_changed",
            Action::ApiKeyCreated => "api_key.created",
            Action::ApiKeyFirstUsed => "api_key.first_used",
            Action::ApiKeyRevoked => "api_key.revoked",
            Action::TeamCreated => "team.created",
            Action::MemberInvited => "team.member_invited",
            Action::MemberJoined => "team.member_joined",
            Action::MemberRemoved => "team.member_removed",
            Action::RoleChanged => "team.role_changed",
            Action::SettingsChanged => "team.settings_changed",
            Action::InviteWithdrawn => "team.invite_withdrawn",
            Action::TeamDeleted => "team.deleted",
            Action::WebhookCreated => "webhook.created",
            Action::WebhookChanged => "webhook.changed",
            Action::WebhookSecretRotated => "webhook.secret_rotated",
            Action::WebhookDeleted => "webhook.deleted",
            Action::WebhookTest => "webhook.test",
        }
    }

    /// Reads [`Action::as_str`] back.
    pub fn parse(s: &str) -> Option<Self> {
        Action::ALL.into_iter().find(|a| a.as_str() == s)
    }

    /// The kind of resource it is about: `secret`, `account`, `api_key`, `team` or `webhook`.
    pub fn resource_type(self) -> &'static str {
        match self {
            Action::SecretCreated
            | Action::SecretOpened
            | Action::SecretRevealed
            | Action::WrongPassphrase
            | Action::SecretDestroyed
            | Action::SecretBurned
            | Action::SecretExpired
            | Action::OpenedAfterEnd
            | Action::ReceiptOpened => "secret",
            Action::SignedIn
            | Action::SignInFailed
            | Action::SignedOut
            | Action::TotpEnabled
            | Action::TotpDisabled
            | Action::PasswordChanged
            | Action::EmailVerified
            | Action::PasswordResetRequested
            | Action::NotificationsChanged => "account",
            Action::ApiKeyCreated | Action::ApiKeyFirstUsed | Action::ApiKeyRevoked => "api_key",
            Action::TeamCreated
            | Action::MemberInvited
            | Action::MemberJoined
            | Action::MemberRemoved
            | Action::RoleChanged
            | Action::SettingsChanged
            | Action::InviteWithdrawn
            | Action::TeamDeleted => "team",
            Action::WebhookCreated
            | Action::WebhookChanged
            | Action::WebhookSecretRotated
            | Action::WebhookDeleted
            | Action::WebhookTest => "webhook",
        }
    }

    /// How the pages name it.
    pub fn label(self) -> &'static str {
        match self {
            Action::SecretCreated => "Secret created",
            Action::SecretOpened => "Link opened",
            Action::SecretRevealed => "Secret revealed",
            Action::WrongPassphrase => "Wrong passphrase",
            Action::SecretDestroyed => "Destroyed after wrong passphrases",
            Action::SecretBurned => "Secret burned",
            Action::SecretExpired => "Expired unread",
            Action::OpenedAfterEnd => "Opened after it had ended",
            Action::ReceiptOpened => "Receipt opened",
            Action::SignedIn => "Signed in",
            Action::SignInFailed => "Failed sign-in",
            Action::SignedOut => "Signed out",
            Action::TotpEnabled => "Two-step sign-in turned on",
            Action::TotpDisabled => "Two-step sign-in turned off",
            Action::PasswordChanged => "Password changed",
            Action::EmailVerified => "Address verified",
            Action::PasswordResetRequested => "Password reset mail asked for",
            Action::NotificationsChanged => "Notification mails turned on or off",
            Action::ApiKeyCreated => "API key created",
            Action::ApiKeyFirstUsed => "API key used for the first time",
            Action::ApiKeyRevoked => "API key revoked",
            Action::TeamCreated => "Team created",
            Action::MemberInvited => "Member invited",
            Action::MemberJoined => "Member joined",
            Action::MemberRemoved => "Member removed",
            Action::RoleChanged => "Role changed",
            Action::SettingsChanged => "Settings changed",
            Action::InviteWithdrawn => "Invite withdrawn",
            Action::TeamDeleted => "Team deleted",
            Action::WebhookCreated => "Webhook added",
            Action::WebhookChanged => "Webhook changed",
            Action::WebhookSecretRotated => "Webhook signing secret rotated",
            Action::WebhookDeleted => "Webhook deleted",
            Action::WebhookTest => "Webhook test event",
        }
    }
}

/// The resource types, as the filters offer them.
pub const RESOURCE_TYPES: [&str; 5] = ["secret", "account", "api_key", "team", "webhook"];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for a in Action::ALL {
            assert_eq!(Action::parse(a.as_str()), Some(a));
            assert!(seen.insert(a.as_str()), "{} twice", a.as_str());
            assert!(
                a.as_str().starts_with(a.resource_type()) || a == Action::ReceiptOpened,
                "{} is about a {}",
                a.as_str(),
                a.resource_type()
            );
        }
        assert_eq!(Action::parse("secret.nope"), None);
    }
}
