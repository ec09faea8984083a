//! What is kept of an endpoint's answer: the first bytes of its body, read no further than
//! that, as text that is safe to store and show (valid UTF-8, no control characters).

use reqwest::Response;

/// Reads at most `cap` bytes of `response`'s body and stops: an endpoint that answers with
/// gigabytes (or forever) costs one chunk beyond the cap, not its whole body. A body that
/// fails part way keeps what arrived; the status has been received, so that is what counts.
pub(super) async fn read_capped(response: &mut Response, cap: usize) -> Vec<u8> {
    let mut kept = Vec::new();
    while kept.len() < cap {
        let Ok(Some(chunk)) = response.chunk().await else { break };
        let room = cap - kept.len();
        kept.extend_from_slice(chunk.get(..room).unwrap_or(&chunk));
    }
    kept
}

/// `bytes` as text of at most `cap` bytes: invalid UTF-8 (a multi-byte character cut by the
/// cap included) becomes U+FFFD, tabs and line breaks become spaces and other control
/// characters U+FFFD, so a stored answer cannot forge log lines or terminal escapes.
pub(super) fn printable(bytes: &[u8], cap: usize) -> String {
    let mut text = String::with_capacity(bytes.len().min(cap));
    for c in String::from_utf8_lossy(bytes).chars() {
        let c = match c {
            '\t' | '\n' | '\r' => ' ',
            c if c.is_control() => char::REPLACEMENT_CHARACTER,
            c => c,
        };
        if text.len() + c.len_utf8() > cap {
            break;
        }
        text.push(c);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::printable;

    #[test]
    fn plain_text_is_kept() {
        assert_eq!(printable(b"{\"ok\":true}", 2048), "{\"ok\":true}");
    }

    #[test]
    fn control_characters_are_replaced() {
        assert_eq!(printable(b"a\nb\tc\r\x1b[31mred\x00", 100), "a b c \u{fffd}[31mred\u{fffd}");
        assert_eq!(printable("x\u{85}y".as_bytes(), 100), "x\u{fffd}y");
    }

    #[test]
    fn invalid_utf8_becomes_replacement_characters() {
        assert_eq!(printable(b"ok \xff\xfe done", 100), "ok \u{fffd}\u{fffd} done");
    }

    #[test]
    fn the_cap_counts_bytes_and_never_splits_a_character() {
        assert_eq!(printable(b"abcdef", 4), "abcd");
        // "é" is two bytes: a cap of 3 keeps "aé", of 2 only "a".
        assert_eq!(printable("aéb".as_bytes(), 3), "aé");
        assert_eq!(printable("aéb".as_bytes(), 2), "a");
        let cut = &"ü".repeat(1500).into_bytes()[..2047];
        let text = printable(cut, 2048);
        assert_eq!(text.len(), 2046);
        assert!(text.ends_with('ü'));
        assert!(printable(cut, 4096).ends_with("ü\u{fffd}"));
        assert_eq!(printable(b"", 10), "");
    }
}
