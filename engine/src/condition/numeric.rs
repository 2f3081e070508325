//! Step 4, conditions: condition blocks → typed, compiled tests — the Numeric family
//! (`NumericEquals`, `NumericNotEquals`, `NumericLessThan[Equals]`,
//! `NumericGreaterThan[Equals]`).
//!
//! Rules (IAM User Guide, "Numeric condition operators"; SEMANTICS 7.6.3): both
//! sides are decimal numbers compared by value, not as text (`9 < 10`,
//! `10 == 10.0`); policy variables are not substituted. Comparison is exact: numbers
//! are kept as decimal digit strings, never rounded through floating point.

use std::cmp::Ordering;

use super::{
    ordering_satisfies, parse_each, BaseOperator, ConditionDiagnostic, ConditionValueError,
    ConditionValueErrorKind, PolicyValue, ValueTest,
};

/// Compiled policy values of a Numeric operator.
#[derive(Debug, Clone)]
pub(super) struct NumericValues {
    numbers: Box<[Decimal]>,
}

impl NumericValues {
    /// Parses every value as a decimal number (JSON numbers and numeric strings alike).
    pub(super) fn compile(
        values: &[PolicyValue<'_>],
        unreadable: &mut Vec<ConditionValueError>,
    ) -> Self {
        let numbers = parse_each(
            values,
            ConditionValueErrorKind::NotANumber,
            |text| DecimalView::parse(text).map(|view| view.to_owned()),
            unreadable,
        );
        NumericValues { numbers }
    }

    /// Whether `request` compares true against at least one policy number.
    pub(super) fn test(&self, base: BaseOperator, request: &str) -> ValueTest {
        let Some(request) = DecimalView::parse(request) else {
            return ValueTest::incomparable(ConditionDiagnostic::RequestValueNotNumber);
        };
        ValueTest::found(
            self.numbers
                .iter()
                .any(|policy| ordering_satisfies(base, request.compare(&policy.view()))),
        )
    }
}

/// A normalised decimal owned by a compiled policy:
/// value = ±0.`digits` × 10^`exponent`, `digits` without leading or trailing zeros
/// (empty for zero).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Decimal {
    negative: bool,
    digits: Box<str>,
    exponent: i64,
}

impl Decimal {
    fn view(&self) -> DecimalView<'_> {
        DecimalView {
            negative: self.negative,
            head: &self.digits,
            tail: "",
            exponent: self.exponent,
        }
    }
}

/// A normalised decimal borrowed from its text: the significant digits are
/// `head` followed by `tail` (the integer and fraction digits of the text, trimmed),
/// so parsing a request value allocates nothing.
#[derive(Debug, Clone, Copy)]
struct DecimalView<'a> {
    negative: bool,
    head: &'a str,
    tail: &'a str,
    exponent: i64,
}

/// Exponents beyond this are refused; they are not numbers anyone writes in a policy,
/// and bounding them keeps the exponent arithmetic free of overflow.
const MAX_EXPONENT_DIGITS: usize = 9;

impl<'a> DecimalView<'a> {
    /// Parses `[+-]digits[.digits][(e|E)[+-]digits]` (at least one mantissa digit;
    /// `.5` and `5.` are accepted). No surrounding whitespace, no `NaN`/`Infinity`.
    fn parse(text: &'a str) -> Option<Self> {
        let (negative, unsigned) = match text.as_bytes().first() {
            Some(b'-') => (true, text.get(1..)?),
            Some(b'+') => (false, text.get(1..)?),
            _ => (false, text),
        };
        let (mantissa, exponent) = match unsigned.find(['e', 'E']) {
            Some(at) => (
                unsigned.get(..at)?,
                parse_exponent(unsigned.get(at + 1..)?)?,
            ),
            None => (unsigned, 0),
        };
        let (int_digits, frac_digits) = match mantissa.split_once('.') {
            Some((int_digits, frac_digits)) => (int_digits, frac_digits),
            None => (mantissa, ""),
        };
        let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if int_digits.len() + frac_digits.len() == 0
            || !all_digits(int_digits)
            || !all_digits(frac_digits)
        {
            return None;
        }
        // Normalise: drop leading zeros (possibly into the fraction) and trailing
        // zeros (possibly back into the integer part).
        let int_trimmed = int_digits.trim_start_matches('0');
        let (mut head, mut tail, point) = if int_trimmed.is_empty() {
            let frac_trimmed = frac_digits.trim_start_matches('0');
            let skipped = (frac_digits.len() - frac_trimmed.len()) as i64;
            (frac_trimmed, "", -skipped)
        } else {
            (int_trimmed, frac_digits, int_trimmed.len() as i64)
        };
        tail = tail.trim_end_matches('0');
        if tail.is_empty() {
            head = head.trim_end_matches('0');
        }
        Some(DecimalView {
            negative,
            head,
            tail,
            exponent: point.checked_add(exponent)?,
        })
    }

    fn is_zero(&self) -> bool {
        self.head.is_empty() && self.tail.is_empty()
    }

    fn to_owned(self) -> Decimal {
        let mut digits = String::with_capacity(self.head.len() + self.tail.len());
        digits.push_str(self.head);
        digits.push_str(self.tail);
        Decimal {
            negative: self.negative && !self.is_zero(),
            digits: digits.into_boxed_str(),
            exponent: self.exponent,
        }
    }

    /// Numeric order of `self` relative to `other`.
    fn compare(&self, other: &DecimalView<'_>) -> Ordering {
        let sign = |d: &DecimalView<'_>| -> i8 {
            match (d.is_zero(), d.negative) {
                (true, _) => 0,
                (false, true) => -1,
                (false, false) => 1,
            }
        };
        let (sign_self, sign_other) = (sign(self), sign(other));
        if sign_self != sign_other || sign_self == 0 {
            return sign_self.cmp(&sign_other);
        }
        // Same sign, both non-zero: the leading digit's position decides, then the
        // digits themselves (no trailing zeros, so a proper prefix is smaller).
        let magnitude = self.exponent.cmp(&other.exponent).then_with(|| {
            let ours = self.head.bytes().chain(self.tail.bytes());
            let theirs = other.head.bytes().chain(other.tail.bytes());
            ours.cmp(theirs)
        });
        if sign_self < 0 {
            magnitude.reverse()
        } else {
            magnitude
        }
    }
}

fn parse_exponent(text: &str) -> Option<i64> {
    let digits = text.strip_prefix(['+', '-']).unwrap_or(text);
    if digits.is_empty()
        || digits.len() > MAX_EXPONENT_DIGITS
        || !digits.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    text.parse().ok()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn cmp(a: &str, b: &str) -> Ordering {
        let (a, b) = (
            DecimalView::parse(a).unwrap(),
            DecimalView::parse(b).unwrap(),
        );
        a.compare(&b.to_owned().view())
    }

    #[test]
    fn parses_numbers() {
        for ok in [
            "0", "-0", "10", "10.0", "+3", ".5", "5.", "1e3", "1E-3", "007", "-2.50", "0.000",
        ] {
            assert!(DecimalView::parse(ok).is_some(), "{ok}");
        }
        for bad in [
            "", "-", "+", ".", "abc", "1,5", " 1", "1 ", "1e", "1e+", "0x10", "NaN", "Infinity",
            "1.2.3", "--1",
        ] {
            assert!(DecimalView::parse(bad).is_none(), "{bad}");
        }
        assert!(DecimalView::parse("1e9999999999").is_none());
    }

    #[test]
    fn compares_by_value() {
        assert_eq!(cmp("10", "10.0"), Ordering::Equal);
        assert_eq!(cmp("25.0", "25"), Ordering::Equal);
        assert_eq!(cmp("9", "10"), Ordering::Less);
        assert_eq!(cmp("2.5", "2"), Ordering::Greater);
        assert_eq!(cmp("-0", "0.000"), Ordering::Equal);
        assert_eq!(cmp("-1", "0"), Ordering::Less);
        assert_eq!(cmp("-10", "-9"), Ordering::Less);
        assert_eq!(cmp("-2.5", "-2.50"), Ordering::Equal);
        assert_eq!(cmp("1e3", "1000"), Ordering::Equal);
        assert_eq!(cmp("0.001", "1E-3"), Ordering::Equal);
        assert_eq!(cmp("0.0012", "0.001"), Ordering::Greater);
        assert_eq!(cmp("100", "99.999"), Ordering::Greater);
        assert_eq!(cmp("007", "7"), Ordering::Equal);
        assert_eq!(cmp("10.5", "1.05e1"), Ordering::Equal);
    }

    #[test]
    fn exact_beyond_floating_point() {
        // Both round to the same f64; an exact comparison tells them apart.
        assert_eq!(
            cmp("9007199254740993", "9007199254740992"),
            Ordering::Greater
        );
        assert_eq!(cmp("0.1000000000000000000001", "0.1"), Ordering::Greater);
    }

    #[test]
    fn operators() {
        let values =
            crate::condition::strict(|u| NumericValues::compile(&[PolicyValue::Number("10")], u))
                .unwrap();
        let t = |base, r| values.test(base, r).any_match;
        assert_eq!(t(BaseOperator::NumericLessThanEquals, "10"), Some(true));
        assert_eq!(t(BaseOperator::NumericLessThanEquals, "11"), Some(false));
        assert_eq!(t(BaseOperator::NumericLessThan, "9"), Some(true));
        assert_eq!(t(BaseOperator::NumericGreaterThan, "10.01"), Some(true));
        assert_eq!(
            t(BaseOperator::NumericGreaterThanEquals, "9.99"),
            Some(false)
        );
        assert_eq!(t(BaseOperator::NumericEquals, "10.000"), Some(true));
        assert_eq!(t(BaseOperator::NumericNotEquals, "10.000"), Some(true));
        assert_eq!(t(BaseOperator::NumericEquals, "ten"), None);
    }

    #[test]
    fn policy_values_must_be_numbers() {
        assert!(crate::condition::strict(|u| NumericValues::compile(
            &[PolicyValue::String("1.5"), PolicyValue::Number("-2")],
            u
        ))
        .is_ok());
        let err = crate::condition::strict(|u| {
            NumericValues::compile(&[PolicyValue::String("1"), PolicyValue::Bool(true)], u)
        })
        .unwrap_err();
        assert_eq!(err.index, 1);
        assert!(crate::condition::strict(|u| NumericValues::compile(
            &[PolicyValue::String("${aws:x}")],
            u
        ))
        .is_err());
    }
}
