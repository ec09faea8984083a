//! The receipt row mapping of the SQLite backend: the columns of `receipt_columns!`, in
//! their order, as a [`ReceiptRecord`] (the owner's sealed links last, see `columns`).

use crate::columns::{split_recipients, viewer_rule};
use crate::model::ReceiptRecord;
use crate::scope::Scope;
use lethe_core::state::{BurnReason, ContentKind, SecretState};
use lethe_core::token::{ReceiptId, SecretId};
use rusqlite::Row;

pub(crate) fn id32<T>(bytes: Vec<u8>, make: fn(&[u8]) -> Option<T>) -> rusqlite::Result<T> {
    make(&bytes).ok_or(rusqlite::Error::InvalidColumnType(0, "id".into(), rusqlite::types::Type::Blob))
}

pub(crate) fn kind(s: String, col: usize) -> rusqlite::Result<ContentKind> {
    ContentKind::parse(&s).ok_or(rusqlite::Error::InvalidColumnType(col, "kind".into(), rusqlite::types::Type::Text))
}

/// A list of actions from its column (`columns`: a JSON array, `NULL` for none).
pub(crate) fn actions(text: Option<String>, col: usize) -> rusqlite::Result<Vec<String>> {
    crate::delivery_row::list_from(text.as_deref())
        .map_err(|_| rusqlite::Error::InvalidColumnType(col, "actions".into(), rusqlite::types::Type::Text))
}

/// A row of the receipt columns as a receipt.
pub(crate) fn receipt_from_row(r: &Row<'_>) -> rusqlite::Result<ReceiptRecord> {
    let state: String = r.get(3)?;
    let reason: Option<String> = r.get(4)?;
    let recipients: String = r.get(12)?;
    Ok(ReceiptRecord {
        id: id32(r.get(0)?, ReceiptId::from_slice)?,
        secret_id: id32(r.get(1)?, SecretId::from_slice)?,
        custid: r.get(2)?,
        state: SecretState::parse(&state).ok_or(rusqlite::Error::InvalidColumnType(
            3,
            "state".into(),
            rusqlite::types::Type::Text,
        ))?,
        burn_reason: reason.as_deref().and_then(BurnReason::parse),
        ttl: r.get(5)?,
        created: r.get(6)?,
        updated: r.get(7)?,
        viewed_at: r.get(8)?,
        burned_at: r.get(9)?,
        secret_expires_at: r.get(10)?,
        expires_at: r.get(11)?,
        recipients: split_recipients(&recipients),
        passphrase_required: r.get(13)?,
        receipt_seen: r.get(14)?,
        late_attempts: r.get(15)?,
        last_late_attempt: r.get(16)?,
        kind: kind(r.get(17)?, 17)?,
        name: r.get(18)?,
        owner_receipt: r.get(19)?,
        owner_link: r.get(20)?,
        viewer_rule: viewer_rule(r.get(21)?, r.get::<_, Option<String>>(22)?.as_deref()),
        refused_viewers: r.get(23)?,
        last_refused_email: r.get(24)?,
        last_refused_at: r.get(25)?,
        viewer_email: r.get(26)?,
        viewer_addr: r.get(27)?,
        viewer_agent: r.get(28)?,
        scope: match r.get::<_, Option<String>>(29)? {
            None => None,
            Some(s) => Some(Scope::parse(&s).ok_or(rusqlite::Error::InvalidColumnType(
                29,
                "scope".into(),
                rusqlite::types::Type::Text,
            ))?),
        },
        notify: crate::delivery_row::list_from(r.get::<_, Option<String>>(30)?.as_deref())
            .map_err(|_| rusqlite::Error::InvalidColumnType(30, "notify".into(), rusqlite::types::Type::Text))?,
        delivery: r.get(31)?,
    })
}
