//! Step 0, leaf utility: the string hash, byte comparisons and the small string map every
//! hot path (request normalisation, pattern buckets, condition lookups, the service
//! index) keys by. Depends on nothing else in the crate.

const FX_SEED: u64 = 0xf135_7aea_2e62_a9c5;

/// Bytes `at..at + 8` of `s` as a little-endian word (0 when out of range).
#[inline]
fn word8(s: &[u8], at: usize) -> u64 {
    s.get(at..at + 8)
        .and_then(|w| <[u8; 8]>::try_from(w).ok())
        .map_or(0, u64::from_le_bytes)
}

/// Bytes `at..at + 4` of `s` as a little-endian word (0 when out of range).
#[inline]
fn word4(s: &[u8], at: usize) -> u64 {
    s.get(at..at + 4)
        .and_then(|w| <[u8; 4]>::try_from(w).ok())
        .map_or(0, |w| u64::from(u32::from_le_bytes(w)))
}

/// The last `s.len() % 8` bytes of `s` (fewer than 8), packed into one word with
/// overlapping reads; with the length mixed in, distinct tails give distinct words.
#[inline]
fn tail_word(s: &[u8]) -> u64 {
    let n = s.len();
    let rest = n % 8;
    let start = n - rest;
    let packed = if rest >= 4 {
        word4(s, start) | (word4(s, n - 4) << 32)
    } else if rest > 0 {
        let byte = |i: usize| u64::from(s.get(i).copied().unwrap_or(0));
        byte(start) | (byte(start + rest / 2) << 8) | (byte(n - 1) << 16)
    } else {
        0
    };
    packed ^ ((rest as u64) << 59)
}

/// An FxHash-style string hash (rustc's multiply-and-mix over 8-byte words): much
/// cheaper than SipHash on the short keys of the hot path (service prefixes, action
/// names, condition keys, ARNs). It is not DoS-resistant, which an offline evaluator
/// of its own inputs does not need. Equal strings hash equally; every lookup still
/// compares the strings themselves.
#[inline]
pub(crate) fn hash_str(text: &str) -> u64 {
    let bytes = text.as_bytes();
    let mut hash = 0u64;
    let mut add = |word: u64| hash = (hash.rotate_left(5) ^ word).wrapping_mul(FX_SEED);
    let mut chunks = bytes.chunks_exact(8);
    for chunk in &mut chunks {
        add(<[u8; 8]>::try_from(chunk).map_or(0, u64::from_le_bytes));
    }
    add(tail_word(bytes));
    // A multiply only carries low bits upwards, and tables index with the low bits:
    // fold the high half down, mix once more, fold again.
    let mixed = (hash ^ (hash >> 32)).wrapping_mul(FX_SEED);
    mixed ^ (mixed >> 32)
}

/// Byte-string equality without a `memcmp` call for the short strings of the hot
/// path (up to 32 bytes: at most four overlapping word compares).
#[inline]
pub(crate) fn bytes_eq(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    match n {
        0 => true,
        1..=3 => a.iter().zip(b).all(|(x, y)| x == y),
        4..=7 => word4(a, 0) == word4(b, 0) && word4(a, n - 4) == word4(b, n - 4),
        8..=16 => word8(a, 0) == word8(b, 0) && word8(a, n - 8) == word8(b, n - 8),
        17..=32 => {
            word8(a, 0) == word8(b, 0)
                && word8(a, 8) == word8(b, 8)
                && word8(a, n - 16) == word8(b, n - 16)
                && word8(a, n - 8) == word8(b, n - 8)
        }
        // ARNs of one account share their first words: their last word usually
        // tells them apart without a `memcmp` call.
        _ => word8(a, n - 8) == word8(b, n - 8) && a == b,
    }
}

/// `text` without its prefix `prefix`, comparing with [`bytes_eq`].
#[inline]
pub(crate) fn strip_prefix<'t>(text: &'t str, prefix: &str) -> Option<&'t str> {
    let head = text.as_bytes().get(..prefix.len())?;
    if bytes_eq(head, prefix.as_bytes()) {
        text.get(prefix.len()..)
    } else {
        None
    }
}

/// `text.ends_with(suffix)`, comparing with [`bytes_eq`].
#[inline]
pub(crate) fn ends_with(text: &str, suffix: &str) -> bool {
    text.len()
        .checked_sub(suffix.len())
        .and_then(|start| text.as_bytes().get(start..))
        .is_some_and(|tail| bytes_eq(tail, suffix.as_bytes()))
}

/// A string looked up in several [`StrMap`]s, hashed once (a request's service
/// prefix and action name).
#[derive(Debug, Clone, Copy)]
pub(crate) struct StrKey<'a> {
    pub(crate) text: &'a str,
    pub(crate) hash: u64,
}

impl<'a> StrKey<'a> {
    #[inline]
    pub(crate) fn new(text: &'a str) -> StrKey<'a> {
        StrKey {
            text,
            hash: hash_str(text),
        }
    }
}

/// Up to this many keys, a [`StrMap`] is scanned rather than probed.
const SCAN_LIMIT: usize = 8;

/// String keys → values, in insertion order. Up to [`SCAN_LIMIT`] keys it is a list
/// scanned by length then bytes; beyond, an open-addressing table over
/// [`hash_str`] hashes that lookups with a precomputed [`StrKey`] probe without
/// hashing again.
#[derive(Debug, Clone)]
pub(crate) struct StrMap<V> {
    keys: Vec<(u64, Box<str>)>,
    values: Vec<V>,
    /// Probe table: `index + 1` into `keys`, 0 for empty; empty while scanned.
    slots: Vec<u32>,
}

impl<V> Default for StrMap<V> {
    fn default() -> Self {
        StrMap {
            keys: Vec::new(),
            values: Vec::new(),
            slots: Vec::new(),
        }
    }
}

impl<V> StrMap<V> {
    /// The position of `text` (whose hash is `hash`) in `keys`.
    #[inline]
    fn position(&self, text: &str, hash: impl FnOnce() -> u64) -> Option<usize> {
        if self.slots.is_empty() {
            return self
                .keys
                .iter()
                .position(|(_, k)| bytes_eq(k.as_bytes(), text.as_bytes()));
        }
        let hash = hash();
        let mask = self.slots.len() - 1;
        let mut at = hash as usize & mask;
        loop {
            let slot = *self.slots.get(at)? as usize;
            let (key_hash, key) = self.keys.get(slot.checked_sub(1)?)?;
            if *key_hash == hash && bytes_eq(key.as_bytes(), text.as_bytes()) {
                return Some(slot - 1);
            }
            at = (at + 1) & mask;
        }
    }

    #[inline]
    pub(crate) fn get(&self, text: &str) -> Option<&V> {
        self.values.get(self.position(text, || hash_str(text))?)
    }

    #[inline]
    pub(crate) fn get_key(&self, key: &StrKey<'_>) -> Option<&V> {
        let at = if self.slots.is_empty() {
            // Compare hashes first: one word per entry instead of the bytes.
            self.keys.iter().position(|(hash, k)| {
                *hash == key.hash && bytes_eq(k.as_bytes(), key.text.as_bytes())
            })?
        } else {
            self.position(key.text, || key.hash)?
        };
        self.values.get(at)
    }

    /// The value of `key`, inserted with `make` if absent (always `Some`).
    pub(crate) fn get_or_insert_with(
        &mut self,
        key: &str,
        make: impl FnOnce() -> V,
    ) -> Option<&mut V> {
        let at = match self.position(key, || hash_str(key)) {
            Some(at) => at,
            None => {
                self.keys.push((hash_str(key), key.into()));
                self.values.push(make());
                self.rebuild_slots();
                self.values.len() - 1
            }
        };
        self.values.get_mut(at)
    }

    /// Keeps the probe table at most half full once there are more than
    /// [`SCAN_LIMIT`] keys.
    fn rebuild_slots(&mut self) {
        let n = self.keys.len();
        if n <= SCAN_LIMIT {
            return;
        }
        if self.slots.len() < 2 * n {
            self.slots = vec![0; (4 * n).next_power_of_two()];
            for i in 0..n - 1 {
                self.place(i);
            }
        }
        self.place(n - 1);
    }

    fn place(&mut self, i: usize) {
        let Some(&(hash, _)) = self.keys.get(i) else {
            return;
        };
        let mask = self.slots.len() - 1;
        let mut at = hash as usize & mask;
        while let Some(slot) = self.slots.get_mut(at) {
            if *slot == 0 {
                *slot = i as u32 + 1;
                return;
            }
            at = (at + 1) & mask;
        }
    }

    /// Every `(key, value)`, in insertion order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (&str, &V)> {
        self.keys.iter().map(|(_, k)| &**k).zip(&self.values)
    }

    pub(crate) fn len(&self) -> usize {
        self.keys.len()
    }

    pub(crate) fn is_scan(&self) -> bool {
        self.slots.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_spreads_numbered_keys() {
        // Guards the probe tables: keys differing only in trailing digits must not
        // share a few slots (a plain multiply-hash left them in 2 of 1,024).
        for keys in [
            (0..200).map(|i| format!("svc{i:03}")).collect::<Vec<_>>(),
            (0..1000)
                .map(|i| format!("arn:aws:s3:::bucket-{i}"))
                .collect(),
            (0..150).map(|i| format!("getthing{i}")).collect(),
        ] {
            let mask = (keys.len() * 4).next_power_of_two() as u64 - 1;
            let slots: std::collections::BTreeSet<u64> =
                keys.iter().map(|k| hash_str(k) & mask).collect();
            assert!(slots.len() * 5 > keys.len() * 4, "{}", keys[0]);
        }
        assert_ne!(hash_str("ab"), hash_str("ab\0"));
        assert_ne!(hash_str(""), hash_str("\0"));
    }

    #[test]
    fn str_map_scans_then_probes() {
        let mut map: StrMap<usize> = StrMap::default();
        let keys: Vec<String> = (0..100).map(|i| format!("k{i}")).collect();
        for (i, k) in keys.iter().enumerate() {
            assert_eq!(map.get_or_insert_with(k, || i).copied(), Some(i));
            for (j, earlier) in keys.iter().take(i + 1).enumerate() {
                assert_eq!(map.get(earlier), Some(&j));
                assert_eq!(map.get_key(&StrKey::new(earlier)), Some(&j));
            }
            assert_eq!(map.get("absent"), None);
            assert_eq!(map.get_key(&StrKey::new("k")), None);
        }
        assert_eq!(map.len(), 100);
        assert!(bytes_eq(b"connect:describe", b"connect:describe"));
        assert!(!bytes_eq(b"connect:describe", b"connect:describf"));
        assert!(!bytes_eq(b"abcde", b"abcdf"));
        assert!(!bytes_eq(b"ab", b"ac"));
        // Every length up to 40, a difference at every position.
        for n in 0..40usize {
            let a: Vec<u8> = (0..n).map(|i| b'a' + (i % 26) as u8).collect();
            assert!(bytes_eq(&a, &a.clone()), "{n}");
            for i in 0..n {
                let mut b = a.clone();
                b[i] ^= 1;
                assert!(!bytes_eq(&a, &b), "{n} {i}");
            }
        }
    }
}
