//! Length-hiding frames (P8): content is framed and padded to a power-of-two bucket before it is
//! encrypted, so the stored ciphertext says little about how long the secret is.
//!
//! Frame: 4-byte big-endian content length, the content, zero bytes up to the bucket size.

use zeroize::Zeroizing;

/// Smallest bucket: every secret up to 252 bytes looks the same.
pub const MIN_BUCKET: usize = 256;
const LEN_PREFIX: usize = 4;

/// The bucket a frame of `content_len` bytes of content occupies.
pub fn bucket_for(content_len: usize) -> usize {
    (content_len + LEN_PREFIX).next_power_of_two().max(MIN_BUCKET)
}

/// Frames and pads `content`.
pub fn pad(content: &[u8]) -> Zeroizing<Vec<u8>> {
    let bucket = bucket_for(content.len());
    let mut out = Zeroizing::new(Vec::with_capacity(bucket));
    out.extend_from_slice(&(content.len() as u32).to_be_bytes());
    out.extend_from_slice(content);
    out.resize(bucket, 0);
    out
}

/// Recovers the content from a frame; `None` if the frame is inconsistent.
pub fn unpad(frame: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
    let len_bytes: [u8; LEN_PREFIX] = frame.get(..LEN_PREFIX)?.try_into().ok()?;
    let len = u32::from_be_bytes(len_bytes) as usize;
    let content = frame.get(LEN_PREFIX..LEN_PREFIX.checked_add(len)?)?;
    Some(Zeroizing::new(content.to_vec()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_fall_into_power_of_two_buckets() {
        assert_eq!(bucket_for(0), 256);
        assert_eq!(bucket_for(252), 256);
        assert_eq!(bucket_for(253), 512);
        assert_eq!(bucket_for(10_000), 16_384);
        assert_eq!(pad(b"a").len(), pad(&[b'x'; 200]).len());
    }

    #[test]
    fn pad_then_unpad_round_trips() {
        for n in [0usize, 1, 252, 253, 1024, 10_000] {
            let content = vec![7u8; n];
            let framed = pad(&content);
            assert_eq!(unpad(&framed).as_deref().map(|v| v.as_slice()), Some(content.as_slice()));
        }
    }

    #[test]
    fn inconsistent_frames_are_refused() {
        assert!(unpad(&[0, 0]).is_none());
        assert!(unpad(&[0, 0, 1, 0, 1, 2]).is_none());
    }
}
