//! Reading the audit log: a person reads the chain of their own account (every entry about
//! their secrets and their account); an owner or admin of a team also reads the team's. One
//! page at a time, filtered, newest first; or every entry a filter selects, for an export.

use super::action::{Action, RESOURCE_TYPES};
use crate::service::{AccountCaller, Secrets, ServiceError};
use lethe_core::clock::UnixTime;
use lethe_store::{AuditQuery, AuditRecord, Scope};

/// Most entries on one page.
pub const MAX_PAGE: u32 = 500;
/// Most entries one export holds; a larger one is refused with a hint to narrow the dates.
pub const MAX_EXPORT: usize = 100_000;

/// What a reader asks for.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// One of the reader's chains; all of them if `None`.
    pub scope: Option<Scope>,
    pub action: Option<String>,
    pub resource_type: Option<String>,
    pub actor: Option<String>,
    pub name: Option<String>,
    pub since: Option<UnixTime>,
    pub until: Option<UnixTime>,
    /// The last `id` of the previous page.
    pub before: Option<i64>,
    pub limit: u32,
}

/// A log a reader may open: a chain and what to call it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditLog {
    pub scope: Scope,
    /// `Your account`, or the team's name.
    pub label: String,
}

impl Secrets {
    /// The chains `caller` may read: their account's, then their teams' where they are an
    /// owner or admin.
    pub async fn audit_logs(&self, caller: &AccountCaller) -> Result<Vec<AuditLog>, ServiceError> {
        let mut logs = vec![AuditLog { scope: Scope::Account(caller.id), label: "Your account".into() }];
        for m in self.store.teams_of(caller.id).await? {
            if m.role.can_manage() {
                logs.push(AuditLog { scope: Scope::Team(m.team.id), label: format!("Team {}", m.team.name) });
            }
        }
        Ok(logs)
    }

    /// One page of the entries `caller` may read, as `filter` says.
    pub async fn audit_page(
        &self,
        caller: &AccountCaller,
        filter: &AuditFilter,
    ) -> Result<Vec<AuditRecord>, ServiceError> {
        let query = self.audit_query(caller, filter).await?;
        Ok(self.store.audit_page(&query).await?)
    }

    /// Every entry `caller` may read that `filter` selects (its `before` and `limit` are
    /// ignored), newest first; refused beyond [`MAX_EXPORT`].
    pub async fn audit_export(
        &self,
        caller: &AccountCaller,
        filter: &AuditFilter,
    ) -> Result<Vec<AuditRecord>, ServiceError> {
        let mut query =
            self.audit_query(caller, &AuditFilter { limit: MAX_PAGE, before: None, ..filter.clone() }).await?;
        let mut all = Vec::new();
        loop {
            let page = self.store.audit_page(&query).await?;
            let done = page.len() < MAX_PAGE as usize;
            query.before = page.last().map(|r| r.id);
            all.extend(page);
            if all.len() > MAX_EXPORT {
                return Err(ServiceError::Invalid(format!(
                    "the export would hold more than {MAX_EXPORT} entries; choose a shorter date range"
                )));
            }
            if done {
                return Ok(all);
            }
        }
    }

    async fn audit_query(&self, caller: &AccountCaller, f: &AuditFilter) -> Result<AuditQuery, ServiceError> {
        let visible: Vec<Scope> = self.audit_logs(caller).await?.into_iter().map(|l| l.scope).collect();
        let scopes = match f.scope {
            Some(s) if visible.contains(&s) => vec![s],
            Some(_) => return Err(ServiceError::Invalid("scope: not an audit log you may read".into())),
            None => visible,
        };
        let action = clean(&f.action);
        if let Some(a) = &action {
            if Action::parse(a).is_none() {
                return Err(ServiceError::Invalid(format!("action: unknown action '{}'", shown(a))));
            }
        }
        let resource_type = clean(&f.resource_type);
        if let Some(t) = &resource_type {
            if !RESOURCE_TYPES.contains(&t.as_str()) {
                return Err(ServiceError::Invalid(format!(
                    "resource_type: one of {} (not '{}')",
                    RESOURCE_TYPES.join(", "),
                    shown(t)
                )));
            }
        }
        if let (Some(since), Some(until)) = (f.since, f.until) {
            if since > until {
                return Err(ServiceError::Invalid("since: must not be after until".into()));
            }
        }
        // A page may ask one more than the most shown, to know whether another follows.
        if !(1..=MAX_PAGE + 1).contains(&f.limit) {
            return Err(ServiceError::Invalid(format!("limit: between 1 and {MAX_PAGE}")));
        }
        Ok(AuditQuery {
            scopes,
            action,
            resource_type,
            actor_contains: clean(&f.actor),
            name_contains: clean(&f.name),
            since: f.since,
            until: f.until,
            before: f.before,
            limit: f.limit,
        })
    }
}

/// A filter's text, trimmed; empty means no filter.
fn clean(s: &Option<String>) -> Option<String> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned)
}

/// At most 40 characters of what a reader sent, for an error.
fn shown(s: &str) -> String {
    s.chars().take(40).collect()
}
