//! Witnesses: concrete request parts synthesized from policy text, so that a diff
//! also looks at resources and context values the scenario itself does not list.
//!
//! * For a `Resource`/`NotResource` pattern: one ARN it matches (each `*` and `?`
//!   filled with a letter) and near misses — the nearest ARNs it does not match
//!   (the parent of a `…/*` pattern, one letter changed or added).
//! * For a condition entry: its boundary values — each listed value (a like-pattern
//!   filled in), a value just outside each (one letter off, a number ±1, the address
//!   just outside a CIDR range, the other boolean), and all listed values at once as
//!   a multivalued key. "Key absent" needs no witness: it is the request without the
//!   key, which the base request space already holds.

use iamsim_engine::internal::pattern::glob::glob_match_str;
use iamsim_engine::model::ScalarValue;

/// Fills a pattern's wildcards with letters: a string the pattern matches (when it
/// has no policy variables).
pub fn fill(pattern: &str) -> String {
    pattern
        .chars()
        .map(|c| match c {
            '*' => 'w',
            '?' => 'q',
            c => c,
        })
        .collect()
}

/// True when the text contains a policy variable (`${aws:username}`): its value
/// depends on the request, so no fixed string is a witness for it.
pub fn has_variable(pattern: &str) -> bool {
    pattern.contains("${")
}

/// Strings near `pattern` that it does not match, nearest first (at most `limit`).
/// `matches(pattern, text)` is the matcher to check them with (case-sensitive glob
/// for ARNs and `StringLike`; an exact comparison for `StringEquals`).
pub fn near_misses(
    pattern: &str,
    matches: &dyn Fn(&str, &str) -> bool,
    limit: usize,
) -> Vec<String> {
    let filled = fill(pattern);
    let mut candidates: Vec<String> = Vec::new();
    // The parent of `…/*`: a bucket for an object pattern, an instance for its
    // sub-resources.
    if let Some(star) = pattern.find(['*', '?']) {
        if let Some(slash) = pattern[..star].rfind('/') {
            candidates.push(pattern[..slash].to_owned());
        }
        // One letter changed just before the first wildcard: a sibling name.
        let before: String = filled[..star].to_owned();
        if let Some(last) = before.chars().last() {
            let mut sibling = before[..before.len() - last.len_utf8()].to_owned();
            sibling.push(if last == 'x' { 'y' } else { 'x' });
            sibling.push_str(&filled[star..]);
            candidates.push(sibling);
        }
    }
    candidates.push(format!("{filled}x"));
    if let Some(last) = filled.chars().last() {
        let mut changed = filled[..filled.len() - last.len_utf8()].to_owned();
        changed.push(if last == 'x' { 'y' } else { 'x' });
        candidates.push(changed);
        candidates.push(filled[..filled.len() - last.len_utf8()].to_owned());
    }
    candidates.push(format!("x{filled}"));
    let mut out: Vec<String> = Vec::new();
    for c in candidates {
        if out.len() >= limit {
            break;
        }
        if !c.is_empty() && !matches(pattern, &c) && !out.contains(&c) {
            out.push(c);
        }
    }
    out
}

/// Case-sensitive IAM wildcard matching (`*`, `?`).
pub fn glob(pattern: &str, text: &str) -> bool {
    glob_match_str(pattern, text)
}

/// The operator family of a condition operator, without its set qualifier
/// (`ForAnyValue:`, `ForAllValues:`) or `IfExists`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// `StringLike`, `StringNotLike`, `ArnLike`, `ArnNotLike`, `ArnEquals`, `ArnNotEquals`
    /// (ARN equality also takes wildcards).
    Like,
    /// `StringEquals`, `StringNotEquals` and their `IgnoreCase` forms.
    Equals,
    /// `Numeric…`.
    Numeric,
    /// `Date…`.
    Date,
    /// `Bool`.
    Bool,
    /// `IpAddress`, `NotIpAddress`.
    Ip,
    /// `Null`.
    Null,
    /// `BinaryEquals` and anything not known: the listed values only.
    Other,
}

impl Family {
    /// The family of an operator as written.
    pub fn of(operator: &str) -> Family {
        let op = operator
            .split_once(':')
            .map_or(operator, |(_, rest)| rest)
            .trim_end_matches("IfExists");
        if op.starts_with("StringLike") || op.starts_with("StringNotLike") || op.starts_with("Arn")
        {
            Family::Like
        } else if op.starts_with("String") {
            Family::Equals
        } else if op.starts_with("Numeric") {
            Family::Numeric
        } else if op.starts_with("Date") {
            Family::Date
        } else if op == "Bool" {
            Family::Bool
        } else if op == "IpAddress" || op == "NotIpAddress" {
            Family::Ip
        } else if op == "Null" {
            Family::Null
        } else {
            Family::Other
        }
    }
}

/// The text of a condition value.
pub fn scalar_text(v: &ScalarValue) -> String {
    match v {
        ScalarValue::String(s) | ScalarValue::Number(s) => s.clone(),
        ScalarValue::Bool(b) => b.to_string(),
    }
}

/// Boundary values for one condition entry: (values inside, values just outside).
/// A value with a policy variable has no fixed witness and is left out.
pub fn boundary_values(family: Family, values: &[String]) -> (Vec<String>, Vec<String>) {
    let mut inside = Vec::new();
    let mut outside = Vec::new();
    let push = |list: &mut Vec<String>, v: String| {
        if !list.contains(&v) {
            list.push(v);
        }
    };
    for v in values.iter().filter(|v| !has_variable(v)) {
        match family {
            Family::Like => {
                push(&mut inside, fill(v));
                for m in near_misses(v, &glob, 2) {
                    push(&mut outside, m);
                }
            }
            Family::Equals => {
                push(&mut inside, v.clone());
                push(&mut outside, format!("{v}x"));
                if let Some(last) = v.chars().last() {
                    let mut changed = v[..v.len() - last.len_utf8()].to_owned();
                    changed.push(if last == 'x' { 'y' } else { 'x' });
                    push(&mut outside, changed);
                }
            }
            Family::Numeric => {
                push(&mut inside, v.clone());
                if let Ok(n) = v.parse::<i64>() {
                    push(&mut outside, n.saturating_sub(1).to_string());
                    push(&mut outside, n.saturating_add(1).to_string());
                } else if let Ok(f) = v.parse::<f64>() {
                    push(&mut outside, (f - 1.0).to_string());
                    push(&mut outside, (f + 1.0).to_string());
                }
            }
            Family::Date => {
                push(&mut inside, v.clone());
                // Epoch seconds move by one; an ISO 8601 date is witnessed as written.
                if let Ok(n) = v.parse::<i64>() {
                    push(&mut outside, n.saturating_sub(1).to_string());
                    push(&mut outside, n.saturating_add(1).to_string());
                }
            }
            Family::Bool => {
                push(&mut inside, "true".into());
                push(&mut inside, "false".into());
            }
            Family::Ip => match ipv4_range(v) {
                Some((low, high)) => {
                    push(&mut inside, std::net::Ipv4Addr::from(low).to_string());
                    push(&mut inside, std::net::Ipv4Addr::from(high).to_string());
                    if let Some(below) = low.checked_sub(1) {
                        push(&mut outside, std::net::Ipv4Addr::from(below).to_string());
                    }
                    if let Some(above) = high.checked_add(1) {
                        push(&mut outside, std::net::Ipv4Addr::from(above).to_string());
                    }
                }
                None => push(&mut inside, v.split('/').next().unwrap_or(v).to_owned()),
            },
            Family::Null => {
                // `Null` tests presence: any value is "present".
                push(&mut inside, "x".into());
            }
            Family::Other => push(&mut inside, v.clone()),
        }
    }
    (inside, outside)
}

/// The first and last address of an IPv4 CIDR range (or of one address).
fn ipv4_range(text: &str) -> Option<(u32, u32)> {
    let (addr, bits) = match text.split_once('/') {
        Some((a, b)) => (a, b.parse::<u32>().ok()?),
        None => (text, 32),
    };
    if bits > 32 {
        return None;
    }
    let addr: std::net::Ipv4Addr = addr.trim().parse().ok()?;
    let addr = u32::from(addr);
    let mask = if bits == 0 {
        0
    } else {
        u32::MAX << (32 - bits)
    };
    Some((addr & mask, (addr & mask) | !mask))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_filled_pattern_matches_and_near_misses_do_not() {
        let p = "arn:aws:s3:::connect-recordings-mycc/*";
        assert!(glob(p, &fill(p)));
        let misses = near_misses(p, &glob, 3);
        assert_eq!(misses[0], "arn:aws:s3:::connect-recordings-mycc");
        assert!(misses.iter().all(|m| !glob(p, m)), "{misses:?}");
        let exact = "arn:aws:s3:::b";
        assert_eq!(near_misses(exact, &glob, 1), ["arn:aws:s3:::bx"]);
        assert!(near_misses("*", &glob, 3).is_empty(), "`*` has no miss");
    }

    #[test]
    fn boundary_values_per_family() {
        let (i, o) = boundary_values(Family::Like, &["AROAX:*".into()]);
        assert_eq!(i, ["AROAX:w"]);
        assert!(
            o.iter().all(|v| !glob("AROAX:*", v)) && !o.is_empty(),
            "{o:?}"
        );
        let (i, o) = boundary_values(Family::Numeric, &["10".into()]);
        assert_eq!(
            (i, o),
            (vec!["10".to_owned()], vec!["9".into(), "11".into()])
        );
        let (i, o) = boundary_values(Family::Ip, &["203.0.113.0/24".into()]);
        assert_eq!(i, ["203.0.113.0", "203.0.113.255"]);
        assert_eq!(o, ["203.0.112.255", "203.0.114.0"]);
        let (i, _) = boundary_values(Family::Like, &["${aws:username}/*".into()]);
        assert!(i.is_empty(), "variables have no fixed witness");
        assert_eq!(
            Family::of("ForAnyValue:StringNotLikeIfExists"),
            Family::Like
        );
        assert_eq!(Family::of("StringEqualsIgnoreCase"), Family::Equals);
        assert_eq!(Family::of("NotIpAddress"), Family::Ip);
    }
}
