//! Step 4, conditions: condition blocks → typed, compiled tests — the `BinaryEquals` operator.
//!
//! Rules (IAM User Guide, "Binary condition operators"; SEMANTICS 7.6.6): the policy
//! value is base-64; equality is of the decoded bytes. Request values arrive
//! base-64 encoded too, so both sides are decoded (the request side while comparing,
//! without allocating). No variables.
//!
//! Accepted base-64: the standard alphabet (`A–Z a–z 0–9 + /`), with canonical `=`
//! padding or without padding; no whitespace. Unused low bits of the last character
//! are ignored, as most decoders do.

use super::{
    parse_each, ConditionDiagnostic, ConditionValueError, ConditionValueErrorKind, PolicyValue,
    ValueTest,
};

/// Compiled policy values of `BinaryEquals`: the decoded bytes.
#[derive(Debug, Clone)]
pub(super) struct BinaryValues {
    values: Box<[Box<[u8]>]>,
}

impl BinaryValues {
    /// Decodes every value; a JSON boolean or a non-base-64 text is an error.
    pub(super) fn compile(
        values: &[PolicyValue<'_>],
        unreadable: &mut Vec<ConditionValueError>,
    ) -> Self {
        let values = parse_each(
            values,
            ConditionValueErrorKind::NotBase64,
            |text| {
                let mut bytes = Vec::new();
                decode(text, |b| bytes.push(b)).then_some(bytes.into_boxed_slice())
            },
            unreadable,
        );
        BinaryValues { values }
    }

    /// Whether `request` decodes to the same bytes as at least one policy value.
    pub(super) fn test(&self, request: &str) -> ValueTest {
        if !decode(request, |_| {}) {
            return ValueTest::incomparable(ConditionDiagnostic::RequestValueNotBase64);
        }
        ValueTest::found(self.values.iter().any(|policy| decodes_to(request, policy)))
    }
}

/// True when `text` (already known to be valid base-64) decodes to exactly `expected`.
fn decodes_to(text: &str, expected: &[u8]) -> bool {
    let mut position = 0usize;
    let mut same = true;
    let valid = decode(text, |b| {
        same = same && expected.get(position) == Some(&b);
        position += 1;
    });
    valid && same && position == expected.len()
}

fn sextet(c: u8) -> Option<u32> {
    match c {
        b'A'..=b'Z' => Some(u32::from(c - b'A')),
        b'a'..=b'z' => Some(u32::from(c - b'a') + 26),
        b'0'..=b'9' => Some(u32::from(c - b'0') + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    }
}

/// Streams the bytes `text` decodes to into `emit`; false when `text` is not base-64
/// (bytes emitted before the error are meaningless then).
fn decode(text: &str, mut emit: impl FnMut(u8)) -> bool {
    let bytes = text.as_bytes();
    let data = match bytes {
        [rest @ .., b'=', b'='] | [rest @ .., b'='] => {
            // Padding is only valid as the canonical completion of a 4-character group.
            if !bytes.len().is_multiple_of(4) {
                return false;
            }
            rest
        }
        _ => bytes,
    };
    // One leftover character cannot encode a whole byte. (With padding, the length
    // check above already limits the tail to 2 or 3 characters.)
    if data.len() % 4 == 1 {
        return false;
    }
    let mut accumulator = 0u32;
    let mut bits = 0u32;
    for &c in data {
        let Some(value) = sextet(c) else {
            return false;
        };
        accumulator = (accumulator << 6) | value;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            // Truncating to the top byte of the accumulated bits is the decoding step.
            emit(((accumulator >> bits) & 0xff) as u8);
            accumulator &= (1 << bits) - 1;
        }
    }
    true
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn decoded(text: &str) -> Option<Vec<u8>> {
        let mut out = Vec::new();
        decode(text, |b| out.push(b)).then_some(out)
    }

    #[test]
    fn decodes_standard_base64() {
        assert_eq!(decoded("").unwrap(), b"");
        assert_eq!(decoded("Zg==").unwrap(), b"f");
        assert_eq!(decoded("Zm8=").unwrap(), b"fo");
        assert_eq!(decoded("Zm9v").unwrap(), b"foo");
        assert_eq!(decoded("Zm9vYg").unwrap(), b"foob");
        assert_eq!(
            decoded("QmluYXJ5VmFsdWVJbkJhc2U2NA==").unwrap(),
            b"BinaryValueInBase64"
        );
        assert_eq!(decoded("+/+/").unwrap(), [0xfb, 0xff, 0xbf]);
    }

    #[test]
    fn rejects_non_base64() {
        for bad in [
            "Z", "Zg=", "Zg===", "Z===", "Zm9v====", "Zm 9v", "Zm9v\n", "Zm-_", "=", "==",
            "Zg==Zg==", "é",
        ] {
            assert!(decoded(bad).is_none(), "{bad:?}");
        }
    }

    #[test]
    fn compares_decoded_bytes() {
        let values = crate::condition::strict(|u| {
            BinaryValues::compile(&[PolicyValue::String("QmluYXJ5VmFsdWVJbkJhc2U2NA==")], u)
        })
        .unwrap();
        assert_eq!(
            values.test("QmluYXJ5VmFsdWVJbkJhc2U2NA==").any_match,
            Some(true)
        );
        assert_eq!(
            values.test("QmluYXJ5VmFsdWVJbkJhc2U2NA").any_match,
            Some(true)
        );
        assert_eq!(values.test("T3RoZXJWYWx1ZQ==").any_match, Some(false));
        assert_eq!(
            values.test("QmluYXJ5VmFsdWVJbkJhc2U2").any_match,
            Some(false)
        );
        assert_eq!(values.test("not base64!").any_match, None);
        assert!(crate::condition::strict(|u| BinaryValues::compile(
            &[PolicyValue::String("@@")],
            u
        ))
        .is_err());
        assert!(
            crate::condition::strict(|u| BinaryValues::compile(&[PolicyValue::Bool(true)], u))
                .is_err()
        );
    }
}
