//! Lint findings: every policy warning under a code — IAM Access Analyzer's own
//! `ValidatePolicy` issue code where one means the same (`INVALID_ACTION`,
//! `UNIQUE_SIDS_REQUIRED`, `TYPE_MISMATCH`, …), an `IAMSIM_` code for checks
//! Access Analyzer does not have — with its finding type and where to read more.
//! Commands write them as text, JSON, SARIF or GitHub annotations.

use crate::warning::Warning;
use std::fmt;

/// How serious a finding is: Access Analyzer's four finding types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FindingType {
    /// The policy does not do what it says, or AWS refuses it.
    Error,
    /// It grants more than it likely means to.
    SecurityWarning,
    /// It works, but not as well or as clearly as it could.
    Warning,
    /// It could be simpler.
    Suggestion,
}

impl FindingType {
    /// `ERROR`, `SECURITY_WARNING`, `WARNING`, `SUGGESTION`, as Access Analyzer spells them.
    pub fn as_str(self) -> &'static str {
        match self {
            FindingType::Error => "ERROR",
            FindingType::SecurityWarning => "SECURITY_WARNING",
            FindingType::Warning => "WARNING",
            FindingType::Suggestion => "SUGGESTION",
        }
    }
}

impl fmt::Display for FindingType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One check: its code, type, a one-line title and what to do about a finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    /// The issue code (`INVALID_ACTION`).
    pub code: &'static str,
    /// Its finding type.
    pub finding_type: FindingType,
    /// What it finds, in a line.
    pub title: &'static str,
    /// What to do about it.
    pub help: &'static str,
}

impl Rule {
    /// Where to read more: Access Analyzer's check reference for its own codes;
    /// `None` for iamsim's (the README's list of policy warnings describes them).
    pub fn learn_more(&self) -> Option<String> {
        if self.code.starts_with("IAMSIM_") {
            None
        } else {
            Some(format!(
                "https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html#access-analyzer-reference-policy-checks-{}-{}",
                self.finding_type.as_str().to_ascii_lowercase().replace('_', "-"),
                self.code.to_ascii_lowercase().replace('_', "-")
            ))
        }
    }
}

const fn rule(
    code: &'static str,
    finding_type: FindingType,
    title: &'static str,
    help: &'static str,
) -> Rule {
    Rule {
        code,
        finding_type,
        title,
        help,
    }
}

use FindingType::{Error as E, Suggestion as S, Warning as W};

/// Every check iamsim runs, by code.
pub const RULES: &[Rule] = &[
    rule("JSON_SYNTAX_ERROR", E, "The document is not valid JSON", "Fix the JSON at the position given."),
    rule("IAMSIM_POLICY_REFUSED", E, "The document is JSON but not a policy iamsim (and AWS) accepts", "Fix the element the message names."),
    rule("INVALID_ACTION", E, "An action the action catalog does not have", "Fix the action name; the message lists the nearest real ones. Actions AWS shipped after the pinned catalog go in a --catalog-overlay file."),
    rule("INVALID_SERVICE_IN_ACTION", E, "An action of a service the action catalog does not have", "Fix the service prefix; the message lists the nearest real ones."),
    rule("INVALID_SERVICE_CONDITION_KEY", E, "A condition key its service does not have", "Fix the key name; a condition on a key no request has never matches (a negated one always does)."),
    rule("INVALID_GLOBAL_CONDITION_KEY", E, "An aws: condition key that does not exist", "Fix the key name against the IAM User Guide's global condition keys."),
    rule("UNSUPPORTED_ACTION_FOR_CONDITION_KEY", E, "A condition key none of the statement's actions supports", "AWS never supplies the key for these actions, so the condition always sees it absent: use a key the actions support, or move the condition to a statement whose actions do."),
    rule("TYPE_MISMATCH", W, "An operator of another type than its condition key", "Use an operator of the key's type (the message names it)."),
    rule("TYPE_MISMATCH_NUMBER", W, "A numeric operator with a value that is not a number", "Write the value as a number; an unreadable value never matches."),
    rule("TYPE_MISMATCH_DATE", W, "A date operator with a value that is not a date", "Write an ISO 8601 date or an epoch time; an unreadable value never matches."),
    rule("TYPE_MISMATCH_IP_RANGE", W, "An IP address operator with a value that is not an address or CIDR range", "Write the range in CIDR form; an unreadable value never matches."),
    rule("TYPE_MISMATCH_BOOLEAN", W, "A Bool operator with a value other than true or false", "Write true or false; an unreadable value never matches."),
    rule("TYPE_MISMATCH_STRING", W, "A binary operator with a value that is not base-64", "Write the value base-64 encoded; an unreadable value never matches."),
    rule("EMPTY_ARRAY_CONDITION", S, "A condition key with no values", "Give the key values, or remove it."),
    rule("UNIQUE_SIDS_REQUIRED", E, "Two statements share a Sid", "Give each statement its own Sid."),
    rule("UNSUPPORTED_SID", E, "A Sid with characters other than letters and digits where IAM stores the policy", "Use only [a-zA-Z0-9] in the Sid."),
    rule("MISSING_VERSION", W, "No Version element: the 2008 policy language applies", "Add \"Version\": \"2012-10-17\"."),
    rule("VARIABLE_UNSUPPORTED_IN_VERSION", E, "A policy variable in a policy without Version 2012-10-17, where it is literal text", "Add \"Version\": \"2012-10-17\"."),
    rule("MISSING_ARN_FIELD", E, "A resource ARN with fewer than six fields and no trailing *, which matches nothing", "Write the ARN as arn:partition:service:region:account:resource."),
    rule("POLICY_SIZE_EXCEEDS_ROLE_TRUST_POLICY_QUOTA", W, "A role trust policy over IAM's size quota", "Shorten the policy, or raise the account's quota (up to 4,096 characters)."),
    rule("POLICY_SIZE_EXCEEDS_RESOURCE_POLICY_QUOTA", W, "A resource policy over its service's size quota", "Shorten the policy; the service refuses larger documents."),
    rule("IAMSIM_POLICY_SIZE_QUOTA", W, "A policy over AWS's size quota for its kind", "Shorten the policy; AWS refuses larger documents."),
    rule("IAMSIM_ARN_WILDCARD_IN_SERVICE", E, "A wildcard in an ARN's service field", "IAM does not allow wildcards there: name the service."),
    rule("IAMSIM_ARN_WILDCARD_IN_RESOURCE_TYPE", W, "A wildcard inside an ARN's resource type", "It is matched as part of the whole resource part; check that it matches what you mean."),
    rule("IAMSIM_RESOURCE_WHITE_SPACE", E, "A resource with white space at its start or end, which IAM does not trim", "Remove the white space: \" *\" matches no resource at all."),
    rule("IAMSIM_ACTION_WHITE_SPACE", E, "An action with white space or a comma, which matches nothing it looks like", "Write one action per entry, without spaces."),
    rule("IAMSIM_RESOURCE_SERVICE_MISMATCH", E, "A resource of a service no action of the statement takes", "The statement never applies to it: fix the ARN, or add the actions of its service."),
];

/// The rule of `code`. Panics on a code no rule has: codes come from this crate.
pub fn rule_of(code: &str) -> &'static Rule {
    RULES
        .iter()
        .find(|r| r.code == code)
        .unwrap_or_else(|| panic!("no lint rule has code {code}"))
}

/// One finding: a warning with its rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The rule that found it.
    pub rule: &'static Rule,
    /// Where and what.
    pub warning: Warning,
}

impl Finding {
    /// The finding of a warning.
    pub fn of(warning: Warning) -> Finding {
        Finding {
            rule: rule_of(warning.code),
            warning,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_links_follow_access_analyzers_anchors() {
        let mut codes: Vec<&str> = RULES.iter().map(|r| r.code).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), RULES.len());
        assert_eq!(
            rule_of("UNIQUE_SIDS_REQUIRED").learn_more().as_deref(),
            Some("https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html#access-analyzer-reference-policy-checks-error-unique-sids-required")
        );
        assert_eq!(rule_of("IAMSIM_RESOURCE_WHITE_SPACE").learn_more(), None);
    }
}
