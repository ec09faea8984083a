//! Share and receipt links: `https://host/secret/<key>#<K>` and `https://host/private/<key>`,
//! or bare keys resolved against the configured server.

use crate::ClientError;
use lethe_core::e2e;
use url::Url;
use zeroize::Zeroizing;

/// A share link: where the secret lives, its key, and the end-to-end key if the link has one.
#[derive(Clone)]
pub struct SecretLink {
    /// The server, if the link named one; otherwise the client's own.
    pub base: Option<Url>,
    pub key: String,
    pub fragment_key: Option<Zeroizing<[u8; 32]>>,
}

impl std::fmt::Debug for SecretLink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SecretLink").field("base", &self.base).finish_non_exhaustive()
    }
}

/// A receipt link.
#[derive(Debug, Clone)]
pub struct ReceiptLink {
    pub base: Option<Url>,
    pub key: String,
}

fn valid_key(key: &str) -> bool {
    !key.is_empty() && key.len() <= 128 && key.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// Splits `input` into (server base, key, fragment) around one of `markers` (`/secret/`…).
fn split(input: &str, markers: &[&str]) -> Result<(Option<Url>, String, Option<String>), ClientError> {
    let input = input.trim();
    if input.starts_with("http://") || input.starts_with("https://") {
        let url = Url::parse(input).map_err(|e| ClientError::Usage(format!("not a valid link: {e}")))?;
        let path = url.path().to_owned();
        let (prefix, key) = markers
            .iter()
            .find_map(|m| path.find(m).map(|i| (&path[..i], &path[i + m.len()..])))
            .ok_or_else(|| ClientError::Usage(format!("the link does not contain {}", markers[0])))?;
        let key = key.trim_end_matches('/').to_owned();
        let mut base = url.clone();
        base.set_path(prefix);
        base.set_query(None);
        base.set_fragment(None);
        Ok((Some(base), key, url.fragment().map(str::to_owned)))
    } else {
        let (key, frag) = match input.split_once('#') {
            Some((k, f)) => (k, Some(f.to_owned())),
            None => (input, None),
        };
        Ok((None, key.to_owned(), frag))
    }
}

impl SecretLink {
    pub fn parse(input: &str) -> Result<Self, ClientError> {
        let (base, key, fragment) = split(input, &["/secret/"])?;
        if !valid_key(&key) {
            return Err(ClientError::Usage("the secret key in the link is malformed".into()));
        }
        let fragment_key = match fragment.filter(|f| !f.is_empty()) {
            Some(f) => Some(e2e::parse_key(&f).map_err(|_| {
                ClientError::Usage("the key after '#' in the link is damaged (it must be 43 characters)".into())
            })?),
            None => None,
        };
        Ok(SecretLink { base, key, fragment_key })
    }
}

impl ReceiptLink {
    pub fn parse(input: &str) -> Result<Self, ClientError> {
        let (base, key, _) = split(input, &["/private/", "/receipt/", "/metadata/"])?;
        if !valid_key(&key) {
            return Err(ClientError::Usage("the receipt key in the link is malformed".into()));
        }
        Ok(ReceiptLink { base, key })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: &str = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefg";

    #[test]
    fn parses_full_links_with_and_without_fragment() {
        let k = e2e::encode_key(&[7; 32]);
        let l = SecretLink::parse(&format!("https://s.example.com/lethe/secret/{T}#{k}")).unwrap();
        assert_eq!(l.base.map(|b| b.to_string()), Some("https://s.example.com/lethe".into()));
        assert_eq!(l.key, T);
        assert_eq!(l.fragment_key.map(|k| *k), Some([7; 32]));
        let plain = SecretLink::parse(&format!("http://127.0.0.1:7143/secret/{T}/")).unwrap();
        assert!(plain.fragment_key.is_none());
        assert_eq!(plain.key, T);
        let ots = SecretLink::parse("https://onetimesecret.com/secret/abc123xyz").unwrap();
        assert_eq!(ots.key, "abc123xyz");
    }

    #[test]
    fn bare_keys_use_the_configured_server() {
        let l = SecretLink::parse(T).unwrap();
        assert!(l.base.is_none());
        assert_eq!(ReceiptLink::parse("  abc ").unwrap().key, "abc");
        let r = ReceiptLink::parse(&format!("https://x.org/receipt/{T}")).unwrap();
        assert_eq!((r.base.map(|b| b.to_string()), r.key.as_str()), (Some("https://x.org/".into()), T));
    }

    #[test]
    fn malformed_links_are_usage_errors() {
        assert!(matches!(SecretLink::parse("https://x.org/private/abc"), Err(ClientError::Usage(_))));
        assert!(matches!(SecretLink::parse("bad key!"), Err(ClientError::Usage(_))));
        assert!(matches!(SecretLink::parse(&format!("{T}#short")), Err(ClientError::Usage(_))));
        assert!(matches!(ReceiptLink::parse("https://x.org/secret/abc"), Err(ClientError::Usage(_))));
    }
}
