//! [`Sensitive`]: a string field of a wire type that holds a secret (content, passphrase,
//! proof, link token or full link). Plain text in JSON, `[redacted]` in `Debug`, and wiped
//! from memory when dropped (P7).

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use zeroize::Zeroizing;

/// A secret string on the wire. Its OpenAPI schema is a plain string: annotate fields with
/// `#[schema(value_type = String)]`.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Sensitive(Zeroizing<String>);

impl Sensitive {
    /// The value, for the one place that needs it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The value as a buffer that is still wiped on drop.
    pub fn into_inner(self) -> Zeroizing<String> {
        self.0
    }
}

impl From<String> for Sensitive {
    fn from(s: String) -> Self {
        Sensitive(Zeroizing::new(s))
    }
}

impl From<&str> for Sensitive {
    fn from(s: &str) -> Self {
        Sensitive(Zeroizing::new(s.to_owned()))
    }
}

impl From<Zeroizing<String>> for Sensitive {
    fn from(s: Zeroizing<String>) -> Self {
        Sensitive(s)
    }
}

impl fmt::Debug for Sensitive {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl Serialize for Sensitive {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Sensitive {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(Sensitive::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_carries_the_value_and_debug_hides_it() {
        let s: Sensitive = serde_json::from_str("\"hunter2\"").expect("a JSON string");
        assert_eq!(s.expose(), "hunter2");
        assert_eq!(serde_json::to_string(&s).expect("serialises"), "\"hunter2\"");
        let shown = format!("{s:?} {:?}", Some(s.clone()));
        assert!(!shown.contains("hunter2"), "{shown}");
        assert_eq!(shown, "[redacted] Some([redacted])");
        assert!(serde_json::from_str::<Sensitive>("5").is_err());
    }
}
