//! Integer fields as the OpenAPI document describes them: JSON Schema's `integer` is any number
//! without a fractional part, so `3600.0` is one, while serde's integer types refuse it. The
//! v2 bodies read their integers through [`whole`] and [`whole_opt`] so that the server accepts
//! exactly what the document allows (`3600.5` and `"3600"` are still refused).

use serde::de::Error;
use serde::{Deserialize, Deserializer};

fn convert<T: TryFrom<i64> + TryFrom<u64>, E: Error>(n: serde_json::Number) -> Result<T, E> {
    let out_of_range = || E::custom("a whole number out of range");
    if let Some(i) = n.as_i64() {
        return T::try_from(i).map_err(|_| out_of_range());
    }
    if let Some(u) = n.as_u64() {
        return T::try_from(u).map_err(|_| out_of_range());
    }
    match n.as_f64() {
        // Within ±2^53 every whole f64 is exact, and beyond that no field has a use.
        Some(f) if f.fract() == 0.0 && f.abs() <= 9_007_199_254_740_992.0 => {
            T::try_from(f as i64).map_err(|_| out_of_range())
        }
        _ => Err(E::custom("expected a whole number")),
    }
}

/// A required integer field.
pub fn whole<'de, D: Deserializer<'de>, T: TryFrom<i64> + TryFrom<u64>>(d: D) -> Result<T, D::Error> {
    convert(serde_json::Number::deserialize(d)?)
}

/// An optional integer field (absent or `null`: `None`). Use with `#[serde(default)]`.
pub fn whole_opt<'de, D: Deserializer<'de>, T: TryFrom<i64> + TryFrom<u64>>(d: D) -> Result<Option<T>, D::Error> {
    Option::<serde_json::Number>::deserialize(d)?.map(convert).transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct T {
        #[serde(default, deserialize_with = "whole_opt")]
        ttl: Option<i64>,
        #[serde(default, deserialize_with = "whole_opt")]
        length: Option<usize>,
    }

    fn parse(json: &str) -> Option<(Option<i64>, Option<usize>)> {
        serde_json::from_str::<T>(json).ok().map(|t| (t.ttl, t.length))
    }

    #[test]
    fn whole_numbers_in_any_notation_and_nothing_else() {
        assert_eq!(parse(r#"{"ttl": 3600, "length": 12}"#), Some((Some(3600), Some(12))));
        assert_eq!(parse(r#"{"ttl": 3600.0, "length": 1.2e1}"#), Some((Some(3600), Some(12))));
        assert_eq!(parse(r#"{"ttl": -5, "length": null}"#), Some((Some(-5), None)));
        assert_eq!(parse("{}"), Some((None, None)));
        for refused in [r#"{"ttl": 3600.5}"#, r#"{"ttl": "3600"}"#, r#"{"length": -1}"#, r#"{"ttl": 1e300}"#] {
            assert_eq!(parse(refused), None, "{refused}");
        }
    }
}
