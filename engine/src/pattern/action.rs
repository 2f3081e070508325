//! Step 3, patterns: policy strings → compiled matchers — one `Action`/`NotAction` entry.
//!
//! AWS rules implemented here (SEMANTICS §4, §2.6.9, §2.7.7): `*` alone is every
//! action; anything else is `service:name`, split at the first `:`; the service
//! prefix is compared as a whole word and the name as a glob, both ignoring case.
//! Case is folded once here and once per request, never per comparison.

use crate::pattern::glob::{has_wildcards, match_pieces};
use crate::pattern::pieces::{parse_pieces, Piece, Wildcards};

/// Why an `Action`/`NotAction` entry was rejected (SEMANTICS §2.6.9).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ActionPatternError {
    /// Not `*` and no `:` between service prefix and action name (`s3GetObject`).
    #[error("action `{0}` has no `:` between the service prefix and the action name")]
    MissingColon(String),
    /// A `*` or `?` in the service prefix (`s3*:GetObject`); IAM does not allow it.
    #[error("action `{0}` has a wildcard in its service prefix")]
    WildcardInService(String),
    /// Nothing before the `:` (`:GetObject`).
    #[error("action `{0}` has an empty service prefix")]
    EmptyService(String),
}

/// One compiled `Action`/`NotAction` entry.
///
/// ```
/// use iamsim_engine::internal::pattern::ActionPattern;
/// let pattern = ActionPattern::parse("S3:Get*")?;
/// assert!(pattern.matches("s3", "getobject"));
/// assert!(!pattern.matches("s3express", "getobject"));
/// assert_eq!(pattern.service(), Some("s3"));
/// # Ok::<(), iamsim_engine::internal::pattern::ActionPatternError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionPattern {
    as_written: Box<str>,
    kind: ActionKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum ActionKind {
    /// `*`: every action of every service.
    Any,
    /// `service:name`, both lower-cased; `name` holds the pieces of the name glob.
    Service { service: Box<str>, name: Vec<Piece> },
}

impl ActionPattern {
    /// Compiles an entry as written in the policy.
    ///
    /// Whitespace and commas are kept as they are: ` s3:GetObject` and
    /// `s3:Get,s3:Put` are accepted and match only what they literally say
    /// (SEMANTICS §2.7.7).
    ///
    /// # Errors
    ///
    /// [`ActionPatternError`] for an entry IAM rejects: no `:`, a wildcard in the
    /// service prefix, or an empty service prefix (SEMANTICS §2.6.9).
    pub fn parse(text: &str) -> Result<ActionPattern, ActionPatternError> {
        if text == "*" {
            return Ok(ActionPattern {
                as_written: text.into(),
                kind: ActionKind::Any,
            });
        }
        // The service prefix ends at the first `:`; later colons belong to the name.
        let Some((service, name)) = text.split_once(':') else {
            return Err(ActionPatternError::MissingColon(text.to_owned()));
        };
        if service.contains(['*', '?']) {
            return Err(ActionPatternError::WildcardInService(text.to_owned()));
        }
        if service.is_empty() {
            return Err(ActionPatternError::EmptyService(text.to_owned()));
        }
        // Actions never hold policy variables, so `${` is literal here (SEMANTICS §8.1).
        let name = parse_pieces(&name.to_ascii_lowercase(), false, Wildcards::Recognised);
        Ok(ActionPattern {
            as_written: text.into(),
            kind: ActionKind::Service {
                service: service.to_ascii_lowercase().into_boxed_str(),
                name,
            },
        })
    }

    /// True when the request action `service_lc:name_lc` (both already ASCII
    /// lower-cased) is covered by this entry.
    pub fn matches(&self, service_lc: &str, name_lc: &str) -> bool {
        match &self.kind {
            ActionKind::Any => true,
            // Whole-word service comparison: `s3:*` never covers `s3express:…`.
            ActionKind::Service { service, name } => {
                **service == *service_lc && match_pieces(name, name_lc, None)
            }
        }
    }

    /// The lower-cased service prefix, or `None` for `*`.
    pub fn service(&self) -> Option<&str> {
        match &self.kind {
            ActionKind::Any => None,
            ActionKind::Service { service, .. } => Some(service),
        }
    }

    /// True for the entry `*` (every action).
    pub fn is_any(&self) -> bool {
        matches!(self.kind, ActionKind::Any)
    }

    /// The entry exactly as written in the policy.
    pub fn as_written(&self) -> &str {
        &self.as_written
    }

    /// The lower-cased pieces of the name glob, or `None` for `*`.
    pub fn name_pieces(&self) -> Option<&[Piece]> {
        match &self.kind {
            ActionKind::Any => None,
            ActionKind::Service { name, .. } => Some(name),
        }
    }

    /// True when the name contains a `*` or `?` (the entry covers more than one action).
    pub fn has_wildcard(&self) -> bool {
        match &self.kind {
            ActionKind::Any => true,
            ActionKind::Service { name, .. } => has_wildcards(name),
        }
    }
}

impl std::fmt::Display for ActionPattern {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.as_written)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Splits and lower-cases a request action the way the request does.
    fn request(action: &str) -> (String, String) {
        let lower = action.to_ascii_lowercase();
        match lower.split_once(':') {
            Some((service, name)) => (service.to_owned(), name.to_owned()),
            None => (lower, String::new()),
        }
    }

    macro_rules! action_cases {
        ($($name:ident: $pattern:expr, $action:expr => $expected:expr;)*) => {$(
            #[test]
            fn $name() {
                let pattern = match ActionPattern::parse($pattern) {
                    Ok(pattern) => pattern,
                    Err(error) => panic!("{error}"),
                };
                let (service, name) = request($action);
                assert_eq!(
                    pattern.matches(&service, &name),
                    $expected,
                    "action pattern {:?} against {:?}",
                    $pattern,
                    $action
                );
            }
        )*};
    }

    action_cases! {
        exact: "sqs:SendMessage", "sqs:SendMessage" => true;
        policy_case_insensitive: "S3:getobject", "s3:GetObject" => true;
        request_case_insensitive: "s3:GetObject", "S3:GETOBJECT" => true;
        star_every_action: "*", "connect:DescribeInstance" => true;
        service_star: "s3:*", "s3:PutObject" => true;
        service_star_not_s3express: "s3:*", "s3express:CreateSession" => false;
        connect_not_connect_campaigns: "connect:*", "connect-campaigns:ListCampaigns" => false;
        connect_campaigns_not_connect: "connect-campaigns:*", "connect:ListInstances" => false;
        other_service: "connect:*", "logs:GetLogEvents" => false;
        trailing_wildcard: "logs:Describe*", "logs:DescribeLogGroups" => true;
        trailing_wildcard_miss: "logs:Describe*", "logs:DeleteLogGroup" => false;
        inner_wildcards: "iam:*AccessKey*", "iam:ListAccessKeys" => true;
        question_mark: "s3:Get?bject", "s3:GetObject" => true;
        question_needs_one_char: "s3:GetObject?", "s3:GetObject" => false;
        question_only_one_char: "s3:Get?Object", "s3:GetObject" => false;
        star_matches_empty: "s3:GetObject*", "s3:GetObject" => true;
        wildcard_case_insensitive: "LOGS:describe*", "logs:DescribeLogStreams" => true;
        no_implicit_prefix: "s3:Get", "s3:GetObject" => false;
        leading_space_not_trimmed: " s3:GetObject", "s3:GetObject" => false;
        comma_not_split: "s3:GetObject,s3:PutObject", "s3:GetObject" => false;
        trailing_space_not_trimmed: "s3:GetObject ", "s3:GetObject" => false;
        later_colons_in_name: "a:b:*", "a:b:c" => true;
        later_colons_not_service: "a:*", "a:b:c" => true;
        brackets_literal: "s3:Get[O]bject", "s3:GetObject" => false;
        dollar_literal: "s3:${x}", "s3:${x}" => true;
    }

    #[test]
    fn errors() {
        assert_eq!(
            ActionPattern::parse("s3GetObject"),
            Err(ActionPatternError::MissingColon("s3GetObject".into()))
        );
        assert_eq!(
            ActionPattern::parse("s3*:GetObject"),
            Err(ActionPatternError::WildcardInService(
                "s3*:GetObject".into()
            ))
        );
        assert_eq!(
            ActionPattern::parse("s?:GetObject"),
            Err(ActionPatternError::WildcardInService("s?:GetObject".into()))
        );
        assert_eq!(
            ActionPattern::parse("*:GetObject"),
            Err(ActionPatternError::WildcardInService("*:GetObject".into()))
        );
        assert_eq!(
            ActionPattern::parse(":GetObject"),
            Err(ActionPatternError::EmptyService(":GetObject".into()))
        );
        assert_eq!(
            ActionPattern::parse(""),
            Err(ActionPatternError::MissingColon(String::new()))
        );
        assert_eq!(
            ActionPatternError::WildcardInService("s3*:GetObject".into()).to_string(),
            "action `s3*:GetObject` has a wildcard in its service prefix"
        );
    }

    #[test]
    fn accessors() -> Result<(), ActionPatternError> {
        let any = ActionPattern::parse("*")?;
        assert!(any.is_any());
        assert_eq!(any.service(), None);
        assert_eq!(any.as_written(), "*");
        let get = ActionPattern::parse("S3:Get*")?;
        assert!(!get.is_any());
        assert!(get.has_wildcard());
        assert_eq!(get.service(), Some("s3"));
        assert_eq!(get.as_written(), "S3:Get*");
        assert_eq!(get.to_string(), "S3:Get*");
        assert!(!ActionPattern::parse("s3:GetObject")?.has_wildcard());
        Ok(())
    }
}
