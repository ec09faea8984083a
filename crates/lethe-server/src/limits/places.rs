//! Places counted per client address: a connection, a passphrase derivation. Taking a place
//! fails when the address already holds its cap; a [`Place`] gives its place back on drop.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};

/// How many places each address holds now.
#[derive(Debug, Default)]
pub struct Places(Mutex<HashMap<IpAddr, usize>>);

/// One held place.
#[derive(Debug)]
pub struct Place(Arc<Places>, IpAddr);

impl Places {
    /// A place for `ip`, unless it already holds `cap` (0: no cap).
    pub fn take(this: &Arc<Self>, ip: IpAddr, cap: usize) -> Option<Place> {
        let mut held = this.0.lock().ok()?;
        let n = held.entry(ip).or_insert(0);
        if cap > 0 && *n >= cap {
            return None;
        }
        *n += 1;
        Some(Place(this.clone(), ip))
    }

    /// Places `ip` holds now.
    pub fn held(&self, ip: IpAddr) -> usize {
        self.0.lock().map(|h| h.get(&ip).copied().unwrap_or(0)).unwrap_or(0)
    }
}

impl Drop for Place {
    fn drop(&mut self) {
        if let Ok(mut held) = self.0 .0.lock() {
            if let Some(n) = held.get_mut(&self.1) {
                *n -= 1;
                if *n == 0 {
                    held.remove(&self.1);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_are_capped_per_address_and_given_back() {
        let places = Arc::new(Places::default());
        let a: IpAddr = "192.0.2.1".parse().unwrap();
        let b: IpAddr = "192.0.2.2".parse().unwrap();
        let first = Places::take(&places, a, 2).unwrap();
        let _second = Places::take(&places, a, 2).unwrap();
        assert!(Places::take(&places, a, 2).is_none(), "a third place for a");
        let _other = Places::take(&places, b, 2).expect("b has its own cap");
        drop(first);
        assert_eq!(places.held(a), 1);
        assert!(Places::take(&places, a, 2).is_some());
        assert!(Places::take(&places, a, 0).is_some(), "0 means no cap");
    }
}
