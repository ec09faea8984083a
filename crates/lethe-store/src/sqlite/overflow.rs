//! Where SQLite keeps a sealed body: wholly on overflow pages, never inside a B-tree page.
//!
//! SQLite moves cells between B-tree pages when it rebalances a tree, and a page it rebuilds
//! keeps the bytes of cells that moved away in its unallocated gap (`rebuildPage` in
//! SQLite's `btree.c` does not clear it, and `secure_delete` never reaches it). A sealed body
//! stored inside a cell could therefore leave stale copies that outlive the secret's end.
//! Overflow pages never move (the file has no auto-vacuum) and a freed one is zeroed whole
//! under `secure_delete`. So each body is stored in its own row of `sealed_content`, written
//! once and deleted when the secret ends, as `(pad, body)` with `pad` a run of zeros just long
//! enough that the part of the row SQLite keeps in the cell (the record header and the first
//! bytes of the payload) ends before the body begins. Only header and zeros can then move.
//!
//! The links sealed to a secret's owner (`owner_receipt`, `owner_link`) and the wrapped
//! keyrings of accounts, keys and sessions need none of this and stay in their rows' cells:
//! they are ciphertexts sealed to the account (HPKE to its public key, or XChaCha20-Poly1305
//! under a key from its password, an API key or a session token), and nothing in the database
//! or the configuration opens them, so a stale copy of one in a page gap tells nothing. The
//! share link is still cleared with the content when the secret ends (`clear_secret!`): it is
//! not shown again.
//!
//! The split is SQLite's file format (section "B-tree Pages" of its file format document):
//! a table leaf cell keeps a payload of `P` bytes whole when `P <= U - 35`, where `U` is the
//! usable page size; otherwise it keeps `M + (P - M) % (U - 4)` bytes if that is at most
//! `U - 35`, else `M`, with `M = (U - 12) * 32 / 255 - 23`.

/// Bytes a table leaf cell keeps of a payload of `payload` bytes on pages of `usable` bytes.
pub(crate) fn local_bytes(payload: usize, usable: usize) -> usize {
    let max_local = usable - 35;
    let min_local = (usable - 12) * 32 / 255 - 23;
    if payload <= max_local {
        return payload;
    }
    let surplus = min_local + (payload - min_local) % (usable - 4);
    if surplus <= max_local {
        surplus
    } else {
        min_local
    }
}

/// Bytes of a SQLite varint holding `v`.
fn varint_len(v: usize) -> usize {
    let mut n = 1;
    let mut v = v >> 7;
    while v > 0 {
        n += 1;
        v >>= 7;
    }
    n.min(9)
}

/// Bytes of the record header of a `sealed_content` row: `row_id` (an alias of the rowid, so
/// stored as NULL, one byte of type), then blobs of `pad` and `body` bytes.
fn header_len(pad: usize, body: usize) -> usize {
    let types = 1 + varint_len(2 * pad + 12) + varint_len(2 * body + 12);
    // The header's first varint is its own length, itself included.
    let mut len = types + 1;
    while varint_len(len) + types != len {
        len = varint_len(len) + types;
    }
    len
}

/// The zeros to store before a body of `body` bytes, on pages of `usable` bytes, so that the
/// cell keeps no byte of the body. Fewer than `usable` bytes; for the smallest bodies the
/// row then fills one overflow page.
pub(crate) fn pad_for(body: usize, usable: usize) -> usize {
    let max_local = usable - 35;
    let min_local = (usable - 12) * 32 / 255 - 23;
    // Start where the header and pad alone cover the smallest local part.
    let mut pad = min_local;
    loop {
        let head = header_len(pad, body) + pad;
        let payload = head + body;
        let local = local_bytes(payload, usable);
        if payload > max_local && local <= head {
            return pad;
        }
        // Move into the band where the cell keeps only `min_local` bytes: the payload must
        // first overflow, then its surplus pass `max_local`.
        pad += if payload <= max_local { max_local + 1 - payload } else { max_local + 1 - local };
    }
}

/// Where a sealed body of `body` bytes begins in its row's first overflow page (an offset
/// from the page's start, past the 4-byte pointer to the next one), and whether the body ends
/// within that page, on pages of `usable` bytes. For tests that look for bodies in the raw
/// bytes of the files (the crash loop's and the erasure test's scans).
pub fn body_in_first_overflow_page(body: usize, usable: usize) -> (usize, bool) {
    let pad = pad_for(body, usable);
    let head = header_len(pad, body) + pad;
    let local = local_bytes(head + body, usable);
    let start = 4 + (head - local);
    (start, start + body <= usable)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_length_counts_itself() {
        assert_eq!(header_len(0, 0), 4);
        assert_eq!(header_len(100, 10), 5); // 212 takes two bytes
        assert_eq!(header_len(500, 70_000), 7); // 1012 two bytes, 140012 three
    }

    #[test]
    fn the_local_part_follows_the_file_format() {
        // 4096-byte pages: M = 489, U - 35 = 4061, U - 4 = 4092.
        assert_eq!(local_bytes(4061, 4096), 4061);
        assert_eq!(local_bytes(4062, 4096), 489);
        assert_eq!(local_bytes(489 + 4092, 4096), 489);
        assert_eq!(local_bytes(489 + 4092 + 100, 4096), 589);
    }

    #[test]
    fn no_body_byte_stays_in_the_cell_and_the_pad_stays_below_a_page() {
        for usable in [512, 1024, 4096, 8192, 65536] {
            for body in (0..70_000).step_by(7).chain([1 << 20, (1 << 20) + 1]) {
                let pad = pad_for(body, usable);
                let head = header_len(pad, body) + pad;
                assert!(head + body > usable - 35, "body {body}, pages {usable}: the row must overflow");
                assert!(local_bytes(head + body, usable) <= head, "body {body}, pages {usable}: pad {pad}");
                assert!(pad < usable, "body {body}, pages {usable}: pad {pad}");
            }
        }
    }
}
