//! Deliveries: the durable queue of webhook calls and notification mails, and the webhook
//! endpoints that accounts and teams register.
//!
//! Deliveries are born in the transaction of the event they announce. Every audit entry the
//! store appends (in any scope) is offered to that scope's enabled endpoints: one webhook
//! delivery per endpoint whose events include the entry's action. A secret created with
//! notifications ([`crate::NewSecret::notify`]) adds a mail delivery to its creator when an
//! entry about it has one of the chosen actions. So a crash can lose neither the event nor its
//! announcement, and a rolled-back change announces nothing.
//!
//! Workers take deliveries with a lease ([`DeliveryStore::claim_deliveries`]): a claimed
//! delivery is not handed out again until its lease ends, so on PostgreSQL several instances
//! share the queue and each delivery is attempted by one of them at a time. A worker that
//! dies mid-attempt leaves the lease to run out; the delivery is then attempted again with the
//! same message id (at least once, with a stable `webhook-id`).
//!
//! Payloads hold metadata only (action, time, short id and name, actor): never content, a
//! passphrase, a token or a link (P7).

use async_trait::async_trait;
use lethe_core::clock::UnixTime;

use crate::effects::Effect;
use crate::scope::Scope;
use crate::StoreError;

mod payload;
pub use payload::{event_payload, mail_message_id, webhook_message_id};

/// An endpoint's number, given by the store.
pub type EndpointId = i64;
/// A delivery's number, given by the store.
pub type DeliveryId = i64;

/// The event list that subscribes an endpoint to every action.
pub const ALL_EVENTS: &str = "*";

/// A webhook endpoint to register.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEndpoint {
    pub scope: Scope,
    pub url: String,
    pub description: String,
    /// Actions it receives (`secret.revealed`, …), or `["*"]` for all.
    pub events: Vec<String>,
    /// Its signing secrets, as the service keeps them (sealed; opaque to the store).
    pub secrets: Vec<u8>,
    pub created: UnixTime,
}

/// A registered endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndpointRecord {
    pub id: EndpointId,
    pub scope: Scope,
    pub url: String,
    pub description: String,
    pub events: Vec<String>,
    pub secrets: Vec<u8>,
    /// Disabled endpoints get no new deliveries, and their pending ones wait.
    pub enabled: bool,
    /// Why it was disabled (`gone`: it answered 410; `manual`), if it is.
    pub disabled_reason: Option<String>,
    pub created: UnixTime,
    pub updated: UnixTime,
}

impl EndpointRecord {
    /// Whether it receives entries with `action`.
    pub fn wants(&self, action: &str) -> bool {
        wants(&self.events, action)
    }
}

/// Whether an event list includes `action`.
pub fn wants(events: &[String], action: &str) -> bool {
    events.iter().any(|e| e == ALL_EVENTS || e == action)
}

/// Changes to an endpoint; `None` keeps a field. Enabling clears the reason it was disabled.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EndpointChange {
    pub url: Option<String>,
    pub description: Option<String>,
    pub events: Option<Vec<String>>,
    pub secrets: Option<Vec<u8>>,
    /// `Some(false)` disables it (reason `manual`), `Some(true)` enables it.
    pub enabled: Option<bool>,
}

/// How a delivery travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    Webhook,
    Mail,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Webhook => "webhook",
            Channel::Mail => "mail",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "webhook" => Some(Channel::Webhook),
            "mail" => Some(Channel::Mail),
            _ => None,
        }
    }
}

/// A delivery to queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDelivery {
    pub channel: Channel,
    pub scope: Option<Scope>,
    /// The endpoint of a webhook delivery.
    pub endpoint: Option<EndpointId>,
    /// The address of a mail delivery; empty for webhooks.
    pub recipient: String,
    /// The action it announces.
    pub event: String,
    /// Stable across attempts: the `webhook-id` header, the mail's Message-ID.
    pub message_id: String,
    /// The JSON body (webhooks) or the facts a mail is rendered from.
    pub payload: String,
    pub created: UnixTime,
}

/// Where a delivery is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryState {
    /// Waiting for its next attempt (or being attempted, under a lease).
    Pending,
    Delivered,
    /// Given up after its last attempt.
    Failed,
    /// Its endpoint was deleted.
    Cancelled,
}

impl DeliveryState {
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryState::Pending => "pending",
            DeliveryState::Delivered => "delivered",
            DeliveryState::Failed => "failed",
            DeliveryState::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "pending" => Some(DeliveryState::Pending),
            "delivered" => Some(DeliveryState::Delivered),
            "failed" => Some(DeliveryState::Failed),
            "cancelled" => Some(DeliveryState::Cancelled),
            _ => None,
        }
    }
}

/// A queued delivery and what its attempts met.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryRecord {
    pub id: DeliveryId,
    pub channel: Channel,
    pub scope: Option<Scope>,
    pub endpoint: Option<EndpointId>,
    pub recipient: String,
    pub event: String,
    pub message_id: String,
    pub payload: String,
    pub state: DeliveryState,
    /// Attempts begun (counted when claimed, so one cut short by a crash counts too).
    pub attempts: u32,
    pub next_attempt: UnixTime,
    pub created: UnixTime,
    pub updated: UnixTime,
    pub delivered_at: Option<UnixTime>,
    /// The last answer: HTTP status (webhooks) or SMTP reply code (mail).
    pub last_status: Option<u16>,
    /// The start of the last answer's body or reply text, cut by the service.
    pub last_response: String,
    /// Why the last attempt failed, if it did.
    pub last_error: String,
}

/// A delivery handed to a worker: the record (with `attempts` already counting this one),
/// its endpoint for a webhook, and the lease it holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claimed {
    pub delivery: DeliveryRecord,
    pub endpoint: Option<EndpointRecord>,
    /// The lease's end; [`DeliveryStore::finish_delivery`] must name it.
    pub lease_until: UnixTime,
}

/// What an attempt met, and what comes next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttemptDone {
    pub id: DeliveryId,
    pub lease_until: UnixTime,
    pub at: UnixTime,
    pub status: Option<u16>,
    pub response: String,
    pub error: String,
    pub next: NextStep,
}

/// After an attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NextStep {
    Delivered,
    /// Try again at this time.
    RetryAt(UnixTime),
    /// No more attempts: the delivery has failed.
    GiveUp,
    /// The endpoint is gone (HTTP 410): the delivery fails and the endpoint is disabled with
    /// reason `gone`.
    DisableEndpoint,
}

/// Which deliveries to list, newest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeliveryQuery {
    /// One endpoint's.
    Endpoint(EndpointId),
    /// A scope's mail deliveries.
    Mail(Scope),
}

/// The queue and the endpoints.
#[async_trait]
pub trait DeliveryStore: Send + Sync + 'static {
    /// Registers an endpoint, with `effects` (its audit entry) in the same transaction. An
    /// audit entry about a `webhook` with an empty resource id is given the new endpoint's id
    /// (which the caller cannot know before the insert).
    async fn create_endpoint(&self, new: NewEndpoint, effects: Vec<Effect>) -> Result<EndpointRecord, StoreError>;

    /// A scope's endpoints, oldest first.
    async fn endpoints(&self, scope: Scope) -> Result<Vec<EndpointRecord>, StoreError>;

    async fn endpoint(&self, id: EndpointId) -> Result<Option<EndpointRecord>, StoreError>;

    /// Changes an endpoint (`None` if there is none), with `effects` if it changed.
    async fn update_endpoint(
        &self,
        id: EndpointId,
        change: EndpointChange,
        now: UnixTime,
        effects: Vec<Effect>,
    ) -> Result<Option<EndpointRecord>, StoreError>;

    /// Deletes an endpoint and cancels its pending deliveries (state cancelled, at `now`; a
    /// worker holding one's lease then finds it no longer pending), in one transaction; its
    /// delivery log stays until [`DeliveryStore::prune_deliveries`] removes it like any
    /// finished delivery. `false` if there was none. `effects` are written only if it was
    /// deleted.
    async fn delete_endpoint(&self, id: EndpointId, now: UnixTime, effects: Vec<Effect>) -> Result<bool, StoreError>;

    /// Queues deliveries that no state change carries (a test event, a replay of a whole
    /// message).
    async fn enqueue(&self, deliveries: Vec<NewDelivery>) -> Result<(), StoreError>;

    /// Up to `limit` pending deliveries whose time has come (`next_attempt <= now`), whose
    /// lease (if any) has ended, and (for webhooks) whose endpoint is enabled, oldest
    /// `next_attempt` first; each is leased until `now + lease_secs` and its attempts counted.
    /// Concurrent callers, on any instance, never receive the same delivery under a live lease.
    async fn claim_deliveries(&self, now: UnixTime, lease_secs: i64, limit: u32) -> Result<Vec<Claimed>, StoreError>;

    /// Records an attempt's end. `false` (and nothing written) if the lease named is no longer
    /// the delivery's (it ran out and another worker claimed it) or it is not pending.
    async fn finish_delivery(&self, done: AttemptDone) -> Result<bool, StoreError>;

    async fn delivery(&self, id: DeliveryId) -> Result<Option<DeliveryRecord>, StoreError>;

    /// Deliveries, newest first, at most `limit`.
    async fn deliveries(&self, query: DeliveryQuery, limit: u32) -> Result<Vec<DeliveryRecord>, StoreError>;

    /// Puts a delivery back in the queue for an attempt at `now` (same message id, same
    /// payload; attempts counted from zero again); `false` if there is none.
    async fn replay_delivery(&self, id: DeliveryId, now: UnixTime) -> Result<bool, StoreError>;

    /// Deletes finished deliveries (delivered, failed, cancelled) last changed before
    /// `before`; returns how many.
    async fn prune_deliveries(&self, before: UnixTime) -> Result<u64, StoreError>;
}

/// Calls `$then!` with the signature of every [`DeliveryStore`] method, as `name(arg: Type, …)
/// -> Ok;` lines, for wrappers that implement the trait by delegating (the server's metering
/// store, test doubles); see [`crate::account_store_methods`].
#[macro_export]
macro_rules! delivery_store_methods {
    ($then:ident) => {
        $then! {
            create_endpoint(new: NewEndpoint, effects: Vec<Effect>) -> EndpointRecord;
            endpoints(scope: Scope) -> Vec<EndpointRecord>;
            endpoint(id: EndpointId) -> Option<EndpointRecord>;
            update_endpoint(id: EndpointId, change: EndpointChange, now: UnixTime, effects: Vec<Effect>)
                -> Option<EndpointRecord>;
            delete_endpoint(id: EndpointId, now: UnixTime, effects: Vec<Effect>) -> bool;
            enqueue(deliveries: Vec<NewDelivery>) -> ();
            claim_deliveries(now: UnixTime, lease_secs: i64, limit: u32) -> Vec<Claimed>;
            finish_delivery(done: AttemptDone) -> bool;
            delivery(id: DeliveryId) -> Option<DeliveryRecord>;
            deliveries(query: DeliveryQuery, limit: u32) -> Vec<DeliveryRecord>;
            replay_delivery(id: DeliveryId, now: UnixTime) -> bool;
            prune_deliveries(before: UnixTime) -> u64;
        }
    };
}
