//! Step 4, conditions: condition blocks → typed, compiled tests — the IP family
//! (`IpAddress`, `NotIpAddress`).
//!
//! Rules (IAM User Guide, "IP address condition operators"; SEMANTICS 7.6.7): policy
//! values are IPv4 or IPv6 CIDR ranges; a bare address is a /32 or /128 range; IPv6
//! hex digits are case-insensitive and `::` compression is allowed; an address is
//! never inside a range of the other family; `/0` holds every address of its
//! family. No variables.

use std::net::IpAddr;

use super::{
    ConditionDiagnostic, ConditionValueError, ConditionValueErrorKind, PolicyValue, ValueTest,
};

/// Compiled policy values of an IP operator.
#[derive(Debug, Clone)]
pub(super) struct IpValues {
    ranges: Box<[IpRange]>,
}

/// A CIDR range, stored as network bits already masked plus the mask.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum IpRange {
    V4 { network: u32, mask: u32 },
    V6 { network: u128, mask: u128 },
}

impl IpValues {
    /// Parses every value as an address or CIDR range.
    pub(super) fn compile(
        values: &[PolicyValue<'_>],
        unreadable: &mut Vec<ConditionValueError>,
    ) -> Self {
        let ranges = values
            .iter()
            .enumerate()
            .filter_map(|(index, value)| {
                let text = match value {
                    PolicyValue::String(text) => Some(*text),
                    PolicyValue::Number(_) | PolicyValue::Bool(_) => None,
                };
                let range = text.and_then(IpRange::parse);
                if range.is_none() {
                    unreadable.push(ConditionValueError::new(
                        index,
                        ConditionValueErrorKind::NotAnIpOrCidr,
                    ));
                }
                range
            })
            .collect();
        IpValues { ranges }
    }

    /// Whether the request address lies in at least one range.
    pub(super) fn test(&self, request: &str) -> ValueTest {
        let Ok(address) = request.parse::<IpAddr>() else {
            return ValueTest::incomparable(ConditionDiagnostic::RequestValueNotIp);
        };
        ValueTest::found(self.ranges.iter().any(|range| range.contains(address)))
    }
}

impl IpRange {
    /// `address` or `address/prefix-length`. Host bits set beyond the prefix are
    /// ignored (`203.0.113.5/24` is `203.0.113.0/24`).
    fn parse(text: &str) -> Option<IpRange> {
        let (address, prefix) = match text.split_once('/') {
            Some((address, prefix)) => (address, Some(prefix)),
            None => (text, None),
        };
        let address: IpAddr = address.parse().ok()?;
        let max_len = match address {
            IpAddr::V4(_) => 32,
            IpAddr::V6(_) => 128,
        };
        let len = match prefix {
            None => max_len,
            Some(digits)
                if !digits.is_empty()
                    && digits.len() <= 3
                    && digits.bytes().all(|b| b.is_ascii_digit()) =>
            {
                digits.parse::<u32>().ok().filter(|len| *len <= max_len)?
            }
            Some(_) => return None,
        };
        Some(match address {
            IpAddr::V4(v4) => {
                let mask = mask_u32(len);
                IpRange::V4 {
                    network: u32::from(v4) & mask,
                    mask,
                }
            }
            IpAddr::V6(v6) => {
                let mask = mask_u128(len);
                IpRange::V6 {
                    network: u128::from(v6) & mask,
                    mask,
                }
            }
        })
    }

    fn contains(&self, address: IpAddr) -> bool {
        match (self, address) {
            (IpRange::V4 { network, mask }, IpAddr::V4(a)) => u32::from(a) & mask == *network,
            (IpRange::V6 { network, mask }, IpAddr::V6(a)) => u128::from(a) & mask == *network,
            // Families never mix: IPv4 callers are outside IPv6 ranges and vice versa
            // (an IPv4-mapped IPv6 address such as `::ffff:1.2.3.4` counts as IPv6).
            _ => false,
        }
    }
}

/// The top `len` bits set. `checked_shl` keeps `/0` (a shift by the full width)
/// from overflowing: it yields an all-zero mask.
fn mask_u32(len: u32) -> u32 {
    u32::MAX.checked_shl(32 - len).unwrap_or(0)
}

/// The top `len` bits set; `/0` gives zero, `/128` all ones.
fn mask_u128(len: u32) -> u128 {
    u128::MAX.checked_shl(128 - len).unwrap_or(0)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn contains(range: &str, address: &str) -> bool {
        IpRange::parse(range)
            .unwrap()
            .contains(address.parse().unwrap())
    }

    #[test]
    fn masks() {
        assert_eq!(mask_u32(0), 0);
        assert_eq!(mask_u32(32), u32::MAX);
        assert_eq!(mask_u32(24), 0xffff_ff00);
        assert_eq!(mask_u128(0), 0);
        assert_eq!(mask_u128(128), u128::MAX);
        assert_eq!(mask_u128(64), u128::MAX << 64);
    }

    #[test]
    fn ipv4() {
        assert!(contains("203.0.113.0/24", "203.0.113.77"));
        assert!(!contains("203.0.113.0/24", "203.0.114.1"));
        assert!(contains("203.0.113.5", "203.0.113.5"));
        assert!(!contains("203.0.113.5", "203.0.113.6"));
        assert!(contains("0.0.0.0/0", "255.255.255.255"));
        assert!(contains("203.0.113.77/24", "203.0.113.1"));
        assert!(contains("10.0.0.0/8", "10.255.0.1"));
    }

    #[test]
    fn ipv6() {
        assert!(contains(
            "2001:DB8:1234:5678::/64",
            "2001:db8:1234:5678:abcd::42"
        ));
        assert!(!contains(
            "2001:db8:1234:5678::/64",
            "2001:db8:1234:5679::1"
        ));
        assert!(contains(
            "2001:db8:aa::10",
            "2001:0DB8:00AA:0000:0000:0000:0000:0010"
        ));
        assert!(!contains("2001:db8:aa::10", "2001:db8:aa::11"));
        assert!(contains("::/0", "ffff::1"));
        assert!(contains("2001:db8::1/128", "2001:db8::1"));
    }

    #[test]
    fn families_never_mix() {
        assert!(!contains("0.0.0.0/0", "2001:db8::1"));
        assert!(!contains("::/0", "203.0.113.1"));
        assert!(!contains("::ffff:0:0/96", "203.0.113.1"));
        assert!(!contains("203.0.113.0/24", "::ffff:203.0.113.1"));
    }

    #[test]
    fn rejects_malformed() {
        for bad in [
            "",
            "203.0.113.0/33",
            "2001:db8::/129",
            "203.0.113.0/",
            "203.0.113.0/+8",
            "203.0.113.0/-1",
            "203.0.113.0/8/8",
            "203.0.113",
            "256.0.0.1",
            "2001:db8:::1",
            " 203.0.113.1",
            "example.com",
            "203.0.113.0/0024",
        ] {
            assert!(IpRange::parse(bad).is_none(), "{bad:?}");
        }
    }

    #[test]
    fn request_side() {
        let values = crate::condition::strict(|u| {
            IpValues::compile(&[PolicyValue::String("203.0.113.0/24")], u)
        })
        .unwrap();
        assert_eq!(values.test("203.0.113.9").any_match, Some(true));
        assert_eq!(values.test("2001:db8::1").any_match, Some(false));
        let t = values.test("203.0.113.9/32");
        assert_eq!(
            (t.any_match, t.diagnostic),
            (None, Some(ConditionDiagnostic::RequestValueNotIp))
        );
        assert!(
            crate::condition::strict(|u| IpValues::compile(&[PolicyValue::Number("10")], u))
                .is_err()
        );
    }
}
