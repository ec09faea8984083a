//! Finding a record's row from a link: at the row its handle names, confirmed by the stored
//! id, or for links issued before handles through the partial indexes of older rows.

use crate::StoreError;
use lethe_core::token::{ReceiptId, SecretId};
use rusqlite::{params, Connection, OptionalExtension};

/// Where a key points once its handle is turned into a row number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Place {
    /// The row its handle names.
    Row(i64),
    /// A link issued before handles: found through the partial id indexes.
    Legacy,
    /// A handle that names no row this store could have written.
    Nowhere,
}

/// The row of a secret: at its handle, where the stored id must match, or for an older link
/// through the partial index of rows written before handles.
pub(crate) fn locate_secret(conn: &Connection, place: Place, id: &SecretId) -> Result<Option<i64>, StoreError> {
    let found = match place {
        Place::Row(row) => conn
            .prepare_cached("SELECT rowid FROM records WHERE rowid = ?1 AND id = ?2")?
            .query_row(params![row, id.as_bytes()], |r| r.get(0))
            .optional()?,
        Place::Legacy => conn
            .prepare_cached("SELECT rowid FROM records WHERE id = ?1 AND row_in_link = 0")?
            .query_row([id.as_bytes()], |r| r.get(0))
            .optional()?,
        Place::Nowhere => None,
    };
    Ok(found)
}

/// The row of a receipt: at its handle, confirmed by the receipt id. An older link is found
/// through its secret's id (tokens derived since migration 0004) or, before that, through the
/// receipt id alone.
pub(crate) fn locate_receipt(
    conn: &Connection,
    place: Place,
    secret: &SecretId,
    receipt: &ReceiptId,
) -> Result<Option<i64>, StoreError> {
    let found = match place {
        Place::Row(row) => conn
            .prepare_cached("SELECT rowid FROM records WHERE rowid = ?1 AND receipt_id = ?2")?
            .query_row(params![row, receipt.as_bytes()], |r| r.get(0))
            .optional()?,
        Place::Legacy => {
            let by_secret = conn
                .prepare_cached("SELECT rowid FROM records WHERE id = ?1 AND row_in_link = 0 AND receipt_id = ?2")?
                .query_row(params![secret.as_bytes(), receipt.as_bytes()], |r| r.get(0))
                .optional()?;
            match by_secret {
                Some(row) => Some(row),
                None => conn
                    .prepare_cached("SELECT rowid FROM records WHERE receipt_id = ?1 AND legacy_receipt = 1")?
                    .query_row([receipt.as_bytes()], |r| r.get(0))
                    .optional()?,
            }
        }
        Place::Nowhere => None,
    };
    Ok(found)
}
