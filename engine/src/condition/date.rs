//! Step 4, conditions: condition blocks → typed, compiled tests — the Date family
//! (`DateEquals`, `DateNotEquals`, `DateLessThan[Equals]`, `DateGreaterThan[Equals]`).
//!
//! Rules (IAM User Guide, "Date condition operators"; SEMANTICS 7.6.4): values are
//! W3C / ISO 8601 date-times or integer epoch seconds; both sides become one instant
//! (seconds since the Unix epoch plus nanoseconds, UTC) before comparing, so
//! `2024-03-01T01:30:00+05:30` equals `2024-02-29T20:00:00Z` and an epoch-seconds
//! request value compares with an ISO policy value. No wildcards, no variables.

use super::{
    ordering_satisfies, parse_each, BaseOperator, ConditionDiagnostic, ConditionValueError,
    ConditionValueErrorKind, PolicyValue, ValueTest,
};

/// Compiled policy values of a Date operator.
#[derive(Debug, Clone)]
pub(super) struct DateValues {
    instants: Box<[Instant]>,
}

impl DateValues {
    /// Parses every value as an instant; a JSON number is epoch seconds.
    pub(super) fn compile(
        values: &[PolicyValue<'_>],
        unreadable: &mut Vec<ConditionValueError>,
    ) -> Self {
        let instants = parse_each(
            values,
            ConditionValueErrorKind::NotADate,
            Instant::parse,
            unreadable,
        );
        DateValues { instants }
    }

    /// Whether `request` compares true against at least one policy instant.
    pub(super) fn test(&self, base: BaseOperator, request: &str) -> ValueTest {
        let Some(request) = Instant::parse(request) else {
            return ValueTest::incomparable(ConditionDiagnostic::RequestValueNotDate);
        };
        ValueTest::found(
            self.instants
                .iter()
                .any(|policy| ordering_satisfies(base, request.cmp(policy))),
        )
    }
}

/// A point in time: seconds since 1970-01-01T00:00:00Z, then nanoseconds.
/// Field order makes the derived ordering chronological.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Instant {
    seconds: i64,
    nanos: u32,
}

impl Instant {
    /// Accepts:
    /// * epoch seconds: `-?digits` (integers only);
    /// * `YYYY-MM-DD` (midnight UTC);
    /// * `YYYY-MM-DDThh:mm[:ss[.fraction]][zone]`, `T` in either case, zone `Z`,
    ///   `±hh:mm`, `±hhmm` or `±hh`; no zone means UTC. Fractions beyond nanoseconds
    ///   are truncated; a leap second `:60` is accepted and rolls into the next minute.
    fn parse(text: &str) -> Option<Instant> {
        let unsigned = text.strip_prefix('-').unwrap_or(text);
        if !unsigned.is_empty() && unsigned.bytes().all(|b| b.is_ascii_digit()) {
            return text
                .parse()
                .ok()
                .map(|seconds| Instant { seconds, nanos: 0 });
        }
        parse_iso8601(text.as_bytes())
    }
}

/// A cursor over ASCII bytes for the ISO 8601 parser.
struct Cursor<'a> {
    rest: &'a [u8],
}

impl Cursor<'_> {
    fn digits(&mut self, count: usize) -> Option<i64> {
        let (head, rest) = self.rest.split_at_checked(count)?;
        let mut value = 0i64;
        for &b in head {
            if !b.is_ascii_digit() {
                return None;
            }
            value = value * 10 + i64::from(b - b'0');
        }
        self.rest = rest;
        Some(value)
    }

    fn eat(&mut self, byte: u8) -> bool {
        match self.rest.split_first() {
            Some((&b, rest)) if b == byte => {
                self.rest = rest;
                true
            }
            _ => false,
        }
    }

    fn peek(&self) -> Option<u8> {
        self.rest.first().copied()
    }
}

fn parse_iso8601(text: &[u8]) -> Option<Instant> {
    let mut c = Cursor { rest: text };
    let year = c.digits(4)?;
    let month = eat_then(&mut c, b'-', 2)?;
    let day = eat_then(&mut c, b'-', 2)?;
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    let days = days_from_civil(year, month, day);
    if c.rest.is_empty() {
        return Some(Instant {
            seconds: days * 86_400,
            nanos: 0,
        });
    }
    if !(c.eat(b'T') || c.eat(b't')) {
        return None;
    }
    let hour = c.digits(2)?;
    let minute = eat_then(&mut c, b':', 2)?;
    let mut second = 0;
    let mut nanos = 0u32;
    if c.peek() == Some(b':') {
        second = eat_then(&mut c, b':', 2)?;
        if c.eat(b'.') {
            nanos = fraction_nanos(&mut c)?;
        }
    }
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let offset_seconds = zone_offset(&mut c)?;
    if !c.rest.is_empty() {
        return None;
    }
    // Local time minus its UTC offset gives UTC.
    let seconds = days * 86_400 + hour * 3_600 + minute * 60 + second - offset_seconds;
    Some(Instant { seconds, nanos })
}

/// Requires `separator`, then `count` digits.
fn eat_then(c: &mut Cursor<'_>, separator: u8, count: usize) -> Option<i64> {
    if c.eat(separator) {
        c.digits(count)
    } else {
        None
    }
}

/// One or more fraction digits after `.`, as nanoseconds (extra digits truncated).
fn fraction_nanos(c: &mut Cursor<'_>) -> Option<u32> {
    let count = c.rest.iter().take_while(|b| b.is_ascii_digit()).count();
    if count == 0 {
        return None;
    }
    let (fraction, rest) = c.rest.split_at_checked(count)?;
    c.rest = rest;
    let mut nanos = 0u32;
    for position in 0..9 {
        let digit = fraction.get(position).map_or(0, |b| u32::from(b - b'0'));
        nanos = nanos * 10 + digit;
    }
    Some(nanos)
}

/// `Z`, `±hh:mm`, `±hhmm`, `±hh`, or nothing (UTC); the offset east of UTC in seconds.
fn zone_offset(c: &mut Cursor<'_>) -> Option<i64> {
    let sign = match c.peek() {
        None => return Some(0),
        Some(b'Z' | b'z') => {
            c.rest = c.rest.get(1..)?;
            return Some(0);
        }
        Some(b'+') => 1,
        Some(b'-') => -1,
        Some(_) => return None,
    };
    c.rest = c.rest.get(1..)?;
    let hours = c.digits(2)?;
    let minutes = if c.rest.is_empty() {
        0
    } else if c.peek() == Some(b':') {
        eat_then(c, b':', 2)?
    } else {
        c.digits(2)?
    };
    if hours > 23 || minutes > 59 {
        return None;
    }
    Some(sign * (hours * 3_600 + minutes * 60))
}

fn is_leap_year(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap_year(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_from_march = (month + 9) % 12;
    let day_of_year = (153 * month_from_march + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn at(text: &str) -> Instant {
        Instant::parse(text).unwrap_or_else(|| panic!("{text} should parse"))
    }

    fn secs(text: &str) -> i64 {
        at(text).seconds
    }

    #[test]
    fn epoch_and_iso_agree() {
        assert_eq!(secs("1970-01-01"), 0);
        assert_eq!(secs("1970-01-01T00:00:00Z"), 0);
        assert_eq!(secs("2024-05-01T12:00:00Z"), 1_714_564_800);
        assert_eq!(secs("2030-01-01T00:00:00Z"), 1_893_456_000);
        assert_eq!(secs("2023-11-14T22:13:20Z"), 1_700_000_000);
        assert_eq!(secs("1714564800"), 1_714_564_800);
        assert_eq!(secs("-86400"), secs("1969-12-31"));
        assert_eq!(
            secs("2000-03-01T00:00:00Z") - secs("2000-02-28T00:00:00Z"),
            2 * 86_400
        );
    }

    #[test]
    fn offsets() {
        assert_eq!(at("2024-03-01T01:30:00+05:30"), at("2024-02-29T20:00:00Z"));
        assert_eq!(at("2024-01-01T00:00:00-05:00"), at("2024-01-01T05:00:00Z"));
        assert_eq!(at("2024-01-01T09:00:00+0900"), at("2024-01-01T00:00:00Z"));
        assert_eq!(at("2024-01-01T09:00:00+09"), at("2024-01-01T00:00:00Z"));
        assert_eq!(at("2024-01-01T00:00:00"), at("2024-01-01T00:00:00Z"));
        assert_eq!(at("2024-01-01t00:00z"), at("2024-01-01"));
    }

    #[test]
    fn fractions() {
        let t = at("2024-01-01T00:00:00.5Z");
        assert_eq!((t.seconds, t.nanos), (secs("2024-01-01"), 500_000_000));
        assert_eq!(at("2024-01-01T00:00:00.123456789123Z").nanos, 123_456_789);
        assert!(at("2024-01-01T00:00:00.001Z") > at("2024-01-01T00:00:00Z"));
        assert_eq!(at("2024-01-01T00:00:00.000Z"), at("2024-01-01T00:00:00Z"));
    }

    #[test]
    fn leap_second_rolls_over() {
        assert_eq!(at("2016-12-31T23:59:60Z"), at("2017-01-01T00:00:00Z"));
    }

    #[test]
    fn rejects_malformed() {
        for bad in [
            "",
            "-",
            "2024-01",
            "2024-13-01",
            "2023-02-29",
            "2024-00-10",
            "2024-01-32",
            "2024-01-01T",
            "2024-01-01T24:00:00Z",
            "2024-01-01T00:60:00Z",
            "2024-01-01T00:00:61Z",
            "2024-01-01T00:00:00.Z",
            "2024-01-01T00:00:00+5:30",
            "2024-01-01T00:00:00+05:60",
            "2024-01-01 00:00:00Z",
            "2024-01-01T00:00:00ZZ",
            "2024-01-01Z",
            "24-01-01",
            "1.5",
            "now",
            "99999999999999999999999",
        ] {
            assert!(Instant::parse(bad).is_none(), "{bad}");
        }
        assert!(Instant::parse("2024-02-29").is_some());
        // All digits is always epoch seconds, never a bare year.
        assert_eq!(secs("2024"), 2024);
    }

    #[test]
    fn operators() {
        let values = crate::condition::strict(|u| {
            DateValues::compile(&[PolicyValue::String("2022-01-01T00:00:00Z")], u)
        })
        .unwrap();
        assert_eq!(
            values
                .test(BaseOperator::DateGreaterThan, "1700000000")
                .any_match,
            Some(true)
        );
        assert_eq!(
            values
                .test(BaseOperator::DateLessThan, "1700000000")
                .any_match,
            Some(false)
        );
        assert_eq!(
            values
                .test(BaseOperator::DateEquals, "1640995200")
                .any_match,
            Some(true)
        );
        assert_eq!(
            values
                .test(BaseOperator::DateGreaterThanEquals, "2022-01-01")
                .any_match,
            Some(true)
        );
        assert_eq!(
            values.test(BaseOperator::DateEquals, "yesterday").any_match,
            None
        );
        assert!(crate::condition::strict(|u| DateValues::compile(
            &[PolicyValue::Number("1893456000")],
            u
        ))
        .is_ok());
        assert!(
            crate::condition::strict(|u| DateValues::compile(&[PolicyValue::Bool(true)], u))
                .is_err()
        );
        assert!(crate::condition::strict(|u| DateValues::compile(
            &[PolicyValue::String("2024-01-0*")],
            u
        ))
        .is_err());
    }
}
