//! Effects: records that a state change causes and that must commit with it, in the same
//! transaction, or not at all. A reveal and its audit entry, a burn and the notification that
//! tells the creator: nothing that must happen "because of" a change is written in a second
//! transaction, so a crash between the two can never leave one without the other.
//!
//! The consuming calls of [`crate::SecretStore`] take a list of effects and write them exactly
//! when they change the secret (a won claim, a burn of a waiting secret, a counted failure),
//! never when they lose a race or find the secret gone. Deliveries (webhook calls, mails) are
//! read through [`crate::DeliveryStore`], audit entries through [`crate::AuditStore`], chained
//! per scope. Appending an audit entry also queues its deliveries (`crate::deliveries`): one
//! per subscribed webhook endpoint of its scope, and the creator's notification mail when the
//! entry is about a secret that asked for one ([`crate::NewSecret::notify`]).
//!
//! Effects hold metadata only (short ids, states, times, addresses): never content, a
//! passphrase, a token or a link (P7).

use lethe_core::clock::UnixTime;
use std::borrow::Cow;

use crate::audit::AuditEntry;
use crate::deliveries::{wants, NewDelivery};
use crate::model::ANONYMOUS_CUSTID;
use crate::scope::Scope;
use lethe_core::token::SecretId;

/// One record to write together with a state change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// An entry for the audit trail, chained into its scope's chain in the same transaction.
    Audit(AuditEntry),
    /// A delivery (a webhook call, a mail) to queue, claimed by a worker after commit
    /// ([`crate::DeliveryStore::claim_deliveries`]).
    Deliver(NewDelivery),
    /// An entry about the secret the call changes, completed by the store from its row (the
    /// secret's scope, short id and name) in the same transaction, and dropped for a secret
    /// without a scope (an anonymous creator's): the caller need not read the row first.
    /// Calls that change no secret ignore it.
    SecretAudit(AuditTemplate),
    /// Who consumed the secret, kept on its receipt by the statement of a winning claim or take,
    /// if the receipt has an owner account; receipts of anonymous creators never keep one.
    /// Other calls ignore it.
    Viewer(ViewerNote),
}

/// The viewer of a secret, as its owner's receipt shows it. The store cuts the address and
/// the user agent to the lengths it keeps for sessions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ViewerNote {
    /// The viewer's account e-mail, or `None` for an anonymous viewer.
    pub email: Option<String>,
    pub client_addr: String,
    pub user_agent: String,
}

/// An audit entry without its scope and resource: what [`Effect::SecretAudit`] carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditTemplate {
    pub at: UnixTime,
    pub action: String,
    pub actor: String,
    pub client_addr: String,
    pub user_agent: String,
    pub outcome: String,
    pub detail: String,
}

impl AuditTemplate {
    /// The entry about secret `short` (named `name`) of `scope`.
    pub fn complete(&self, scope: Scope, short: String, name: String) -> AuditEntry {
        AuditEntry {
            scope,
            at: self.at,
            action: self.action.clone(),
            resource_type: "secret".to_owned(),
            resource_id: short,
            resource_name: name,
            actor: self.actor.clone(),
            client_addr: self.client_addr.clone(),
            user_agent: self.user_agent.clone(),
            outcome: self.outcome.clone(),
            detail: self.detail.clone(),
        }
    }
}

/// The row a consuming call changed, as the templates need it: the secret's scope (if it has
/// one), id and name, and whom to mail about which actions (its creator, its notify list).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SecretRow {
    pub scope: Option<Scope>,
    pub id: SecretId,
    pub name: Option<String>,
    /// The creator's `custid` (an account's e-mail, or [`ANONYMOUS_CUSTID`]).
    pub custid: String,
    /// The actions the creator is mailed about ([`crate::NewSecret::notify`]).
    pub notify: Vec<String>,
}

impl SecretRow {
    /// Where the notification mail about an entry with `action` goes, if the secret asked for
    /// one: its creator, who must have an address.
    pub(crate) fn mail_to(&self, action: &str) -> Option<String> {
        let named = !self.custid.is_empty() && self.custid != ANONYMOUS_CUSTID;
        (named && wants(&self.notify, action)).then(|| self.custid.clone())
    }
}

/// Whether `effects` hold templates that need the changed row to be completed.
pub(crate) fn has_templates(effects: &[Effect]) -> bool {
    effects.iter().any(|e| matches!(e, Effect::SecretAudit(_)))
}

/// An audit entry to append, and the address of the notification mail it also queues (the
/// creator of the secret it is about, who asked to be told of its action), if any.
#[derive(Debug, Clone)]
pub(crate) struct Entry<'a> {
    pub entry: Cow<'a, AuditEntry>,
    pub mail_to: Option<String>,
}

impl<'a> Entry<'a> {
    /// An entry that mails no one.
    pub(crate) fn plain(entry: &'a AuditEntry) -> Self {
        Entry { entry: Cow::Borrowed(entry), mail_to: None }
    }
}

/// Whether `effects` hold anything written beside the change (audit entries, deliveries),
/// so the change needs a transaction (or savepoint) of its own. A viewer note does not: the
/// consuming statement writes it.
pub(crate) fn needs_transaction(effects: &[Effect]) -> bool {
    effects.iter().any(|e| !matches!(e, Effect::Viewer(_)))
}

/// The viewer note among `effects`, cut to the stored lengths.
pub(crate) fn viewer(effects: &[Effect]) -> Option<ViewerNote> {
    split(effects, None).viewer
}

/// Effects by where they go: audit entries (templates completed from the changed row) and
/// deliveries in order, and the last viewer note (with its address and user agent cut to the
/// stored lengths).
pub(crate) struct Split<'a> {
    pub audit: Vec<Entry<'a>>,
    pub deliver: Vec<&'a NewDelivery>,
    pub viewer: Option<ViewerNote>,
}

/// Splits effects by table, keeping their order. Templates are completed from `row` (the
/// secret the call changed), each with its notification mail if the secret asked for one, and
/// dropped without a row or for a secret without a scope (an anonymous creator's).
pub(crate) fn split<'a>(effects: &'a [Effect], row: Option<&SecretRow>) -> Split<'a> {
    use crate::accounts_model::{truncate, MAX_CLIENT_ADDR, MAX_USER_AGENT};
    let mut out = Split { audit: Vec::new(), deliver: Vec::new(), viewer: None };
    for e in effects {
        match e {
            Effect::Audit(a) => out.audit.push(Entry::plain(a)),
            Effect::Deliver(d) => out.deliver.push(d),
            Effect::SecretAudit(t) => {
                if let Some(row @ SecretRow { scope: Some(scope), .. }) = row {
                    let entry = t.complete(*scope, row.id.short(), row.name.clone().unwrap_or_default());
                    out.audit.push(Entry { entry: Cow::Owned(entry), mail_to: row.mail_to(&t.action) });
                }
            }
            Effect::Viewer(v) => {
                out.viewer = Some(ViewerNote {
                    email: v.email.clone(),
                    client_addr: truncate(&v.client_addr, MAX_CLIENT_ADDR),
                    user_agent: truncate(&v.user_agent, MAX_USER_AGENT),
                })
            }
        }
    }
    out
}
