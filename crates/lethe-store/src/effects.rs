//! Effects: records that a state change causes and that must commit with it, in the same
//! transaction, or not at all. A reveal and its audit entry, a burn and the notification that
//! tells the creator: nothing that must happen "because of" a change is written in a second
//! transaction, so a crash between the two can never leave one without the other.
//!
//! The consuming calls of [`crate::SecretStore`] take a list of effects and write them exactly
//! when they change the secret (a won claim, a burn of a waiting secret, a counted failure),
//! never when they lose a race or find the secret gone. [`EffectLog`] reads them back, in the
//! order they committed, for the workers that act on them (mail, webhooks). Audit entries are
//! read through [`crate::AuditStore`], chained per scope.
//!
//! Effects hold metadata only (short ids, states, times, addresses): never content, a
//! passphrase, a token or a link (P7).

use async_trait::async_trait;
use lethe_core::clock::UnixTime;

use crate::audit::AuditEntry;
use crate::scope::Scope;
use crate::StoreError;
use lethe_core::token::SecretId;

/// One record to write together with a state change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// An entry for the audit trail, chained into its scope's chain in the same transaction.
    Audit(AuditEntry),
    /// A message for a delivery worker (mail, webhook), taken from the outbox after commit.
    Outbox(OutboxMessage),
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

/// The row a consuming call changed, as [`resolve`] needs it: the secret's scope (if it has
/// one), id and name.
pub(crate) type SecretRow = (Option<Scope>, SecretId, Option<String>);

/// Whether `effects` hold templates that need the changed row to be completed.
pub(crate) fn has_templates(effects: &[Effect]) -> bool {
    effects.iter().any(|e| matches!(e, Effect::SecretAudit(_)))
}

/// `effects` with their templates completed from `row` (dropped if the secret has no scope,
/// or no row was given), in order.
pub(crate) fn resolve(effects: &[Effect], row: Option<&SecretRow>) -> Vec<Effect> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::SecretAudit(t) => match row {
                Some((Some(scope), id, name)) => {
                    Some(Effect::Audit(t.complete(*scope, id.short(), name.clone().unwrap_or_default())))
                }
                _ => None,
            },
            other => Some(other.clone()),
        })
        .collect()
}

/// Work for a delivery worker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxMessage {
    pub created: UnixTime,
    /// Which worker takes it, e.g. `mail`, `webhook`.
    pub topic: String,
    /// What to deliver, as JSON text (never content, passphrases or tokens).
    pub payload: String,
}

/// A committed effect and its position. Positions are unique and grow in the order effects
/// were inserted (with gaps). On SQLite, with its single writer, that is also commit order. On
/// PostgreSQL two concurrent transactions can commit out of position order, so a reader that
/// resumes "after the last position seen" may miss an effect that committed late: workers that
/// must see every effect (outbox delivery, audit export) mark what they have processed instead,
/// or stay a safe interval behind the newest position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Logged<T> {
    pub seq: i64,
    pub item: T,
}

/// Reading back the outbox messages the consuming calls committed.
#[async_trait]
pub trait EffectLog: Send + Sync + 'static {
    /// Outbox messages with a position above `after`, oldest first, at most `limit`.
    async fn outbox_after(&self, after: i64, limit: u32) -> Result<Vec<Logged<OutboxMessage>>, StoreError>;
}

/// Whether `effects` hold anything written beside the change (audit entries, outbox messages),
/// so the change needs a transaction (or savepoint) of its own. A viewer note does not: the
/// consuming statement writes it.
pub(crate) fn needs_transaction(effects: &[Effect]) -> bool {
    effects.iter().any(|e| !matches!(e, Effect::Viewer(_)))
}

/// The viewer note among `effects`, cut to the stored lengths.
pub(crate) fn viewer(effects: &[Effect]) -> Option<ViewerNote> {
    split(effects).viewer
}

/// Effects by where they go: audit entries and outbox messages in order, and the last viewer
/// note (with its address and user agent cut to the stored lengths).
pub(crate) struct Split<'a> {
    pub audit: Vec<&'a AuditEntry>,
    pub outbox: Vec<&'a OutboxMessage>,
    pub viewer: Option<ViewerNote>,
}

/// Splits effects by table, keeping their order.
pub(crate) fn split(effects: &[Effect]) -> Split<'_> {
    use crate::accounts_model::{truncate, MAX_CLIENT_ADDR, MAX_USER_AGENT};
    let mut out = Split { audit: Vec::new(), outbox: Vec::new(), viewer: None };
    for e in effects {
        match e {
            Effect::Audit(a) => out.audit.push(a),
            Effect::Outbox(o) => out.outbox.push(o),
            // Completed by `resolve` before writing; one left here has no row to join.
            Effect::SecretAudit(_) => {}
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
