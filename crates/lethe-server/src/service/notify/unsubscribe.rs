//! Turning an account's notification mails on and off: the account page's switch, and the
//! one-click unsubscribe link (RFC 8058) that every notification mail carries. The link needs
//! no sign-in (a mail provider posts to it on the reader's behalf): its token, keyed by the
//! server key to the account, is the authority, and all it can do is turn those mails off.
//!
//! Off means off: the account's own default is cleared, a team's defaults no longer apply to
//! it, and the secrets it already made stop asking for mail. Mail about the account itself
//! (a new sign-in, a reset link) still comes.

use super::create::NOTIFY_EVENTS;
use crate::service::audit::{Action, Actor, Outcome};
use crate::service::conceal::obscure_email;
use crate::service::{AccountCaller, Secrets, ServiceError};
use lethe_store::{AccountChange, AccountId, AccountRecord, Effect};

/// Where the switch was turned, as the audit entry says.
const VIA_PAGE: &str = "account page";
const VIA_LINK: &str = "unsubscribe link";

impl Secrets {
    /// Turns the caller's notification mails on (every event of [`NOTIFY_EVENTS`], for its
    /// own secrets and under its teams' defaults) or off.
    pub async fn set_notify_default(&self, caller: &AccountCaller, on: bool) -> Result<(), ServiceError> {
        self.switch_notifications((caller.id, caller.email.as_str()), on, &Actor::current(), VIA_PAGE).await?;
        Ok(())
    }

    /// The account an unsubscribe link is for, if `token` is its token and it still exists.
    pub async fn unsubscribe_account(
        &self,
        account: AccountId,
        token: &str,
    ) -> Result<Option<AccountRecord>, ServiceError> {
        if !self.notify.key.unsubscribe_matches(account, token) {
            return Ok(None);
        }
        Ok(self.store.account(account).await?)
    }

    /// Follows a one-click unsubscribe link: turns the account's notification mails off and
    /// answers its address, obscured; `None` if the link is not one of ours.
    pub async fn unsubscribe(&self, account: AccountId, token: &str) -> Result<Option<String>, ServiceError> {
        let Some(record) = self.unsubscribe_account(account, token).await? else {
            return Ok(None);
        };
        let email = record.email.as_str();
        if !record.notify_default.is_empty() || record.notify_muted_at.is_none() {
            self.switch_notifications((record.id, email), false, &Actor::current(), VIA_LINK).await?;
        }
        Ok(Some(obscure_email(email)))
    }

    async fn switch_notifications(
        &self,
        account: (AccountId, &str),
        on: bool,
        actor: &Actor,
        via: &str,
    ) -> Result<bool, ServiceError> {
        let list = match on {
            true => NOTIFY_EVENTS.iter().map(|e| (*e).to_owned()).collect(),
            false => Vec::new(),
        };
        let detail = serde_json::json!({ "on": on, "via": via });
        let entry = self.account_entry(account, Action::NotificationsChanged, actor, Outcome::Success, detail);
        let change = AccountChange::NotifyDefault(list);
        Ok(self.store.update_account(account.0, change, self.now(), vec![Effect::Audit(entry)]).await?)
    }
}
