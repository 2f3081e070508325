//! Step 3, patterns: policy strings → compiled matchers — ARN patterns, for `Resource`/`NotResource`
//! entries and the values of `ArnLike`/`ArnEquals`/`ArnNotLike`/`ArnNotEquals`.
//!
//! AWS rules implemented here, in our words (SEMANTICS §5, §7.6.8, §8.9, §11.9, §11.15):
//!
//! * the pattern `*` alone matches any resource, even one that is not an ARN;
//! * otherwise pattern and request are split at their first five `:`; a request
//!   that is not a six-part ARN (such as the literal `*`) never matches;
//! * the first five parts are matched one against one, so `*` and `?` there never
//!   reach across a `:`; the sixth, the resource part, is one glob in which `*` and
//!   `?` also match `/` and `:`;
//! * a pattern with fewer than six parts matches only through a trailing `*`, which
//!   then covers the rest of the ARN (`arn:aws:s3:*` is every S3 ARN);
//! * only `*` and `?` (and recognised policy variables) are special; matching is
//!   case-sensitive.
//!
//! Most patterns have literal partition, service, region and account. Those are
//! compiled to one glob over the whole string ([`ArnPattern::whole_string_pieces`]),
//! which pattern sets can bucket by literal prefix.

use std::fmt;

use crate::pattern::glob::{all_resolvable, has_wildcards, match_pieces};
use crate::pattern::pieces::{has_variables, parse_pieces, Piece, Wildcards};
use crate::request::Context;
use crate::util::arn::split_arn;

/// Where policy variables may appear in an ARN pattern (SEMANTICS §5.10, §8.9).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VariableScope {
    /// `Resource`/`NotResource` entries: variables only in the resource part; a
    /// `${...}` in the first five segments is literal text.
    ResourcePart,
    /// ARN condition values: a variable may sit in any segment. Variables are
    /// recognised before splitting at `:`, because `${aws:PrincipalAccount}` itself
    /// contains a colon.
    Anywhere,
}

/// Something legal but suspicious about an ARN pattern, reported at compile time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ArnPatternWarning {
    /// A `*` or `?` in the service segment, which IAM documents as not allowed; the
    /// pattern is still matched by the usual rules (SEMANTICS §5.11).
    WildcardInService {
        /// The service segment as written.
        service: Box<str>,
    },
    /// Fewer than six segments and no trailing `*`: the pattern matches no resource
    /// (SEMANTICS §5.11, §11.9).
    MatchesNothing,
    /// A wildcard inside the resource-type token (`…:*tance/ID`). AWS calls this
    /// incorrect; we still match the resource part as one glob (SEMANTICS §11.15).
    WildcardInResourceType {
        /// The resource-type token as written.
        resource_type: Box<str>,
    },
}

impl fmt::Display for ArnPatternWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ArnPatternWarning::WildcardInService { service } => write!(
                f,
                "wildcard in the service segment `{service}`; IAM does not allow wildcards there"
            ),
            ArnPatternWarning::MatchesNothing => f.write_str(
                "fewer than six `:`-separated segments and no trailing `*`, so it matches nothing",
            ),
            ArnPatternWarning::WildcardInResourceType { resource_type } => write!(
                f,
                "wildcard inside the resource type `{resource_type}`; it is matched as part of the whole resource part"
            ),
        }
    }
}

/// One compiled ARN pattern.
///
/// ```
/// use iamsim_engine::internal::pattern::arn::{ArnPattern, VariableScope};
/// use iamsim_engine::request::Context;
///
/// let context = Context::new();
/// let logs = ArnPattern::parse("arn:aws:logs:us-east-1:*", true, VariableScope::ResourcePart);
/// let stream = "arn:aws:logs:us-east-1:111122223333:log-group:app:log-stream:s1";
/// assert_eq!(logs.matches(stream, &context), Some(true));
///
/// let arn_like = ArnPattern::parse("arn:aws:sns:*:111122223333:connect-*", true, VariableScope::Anywhere);
/// assert_eq!(arn_like.matches("arn:aws:sns:eu-west-2:111122223333:connect-events", &context), Some(true));
/// // `*` in the region cannot reach across `:` into the account.
/// assert_eq!(arn_like.matches("arn:aws:sns:eu-west-2:9:x:111122223333:connect-x", &context), Some(false));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArnPattern {
    as_written: Box<str>,
    shape: ArnShape,
    has_variables: bool,
    warnings: Vec<ArnPatternWarning>,
}

/// How a pattern is matched, decided once at parse time.
#[derive(Debug, Clone, PartialEq, Eq)]
enum ArnShape {
    /// Exactly `*`: any text at all.
    Any,
    /// Six parts whose first five are literal: the literal `arn:…:…:…:…:` prefix pins
    /// the request's first five colons, so one glob over the whole string decides.
    Whole(Vec<Piece>),
    /// Six parts, matched part by part (a wildcard or variable before the resource part).
    Segments(Vec<Vec<Piece>>),
    /// Fewer than six parts, the last ending in `*`: the leading parts are matched one
    /// by one and the last one is a glob over the rest of the request ARN.
    Short {
        leading: Vec<Vec<Piece>>,
        last: Vec<Piece>,
    },
    /// Fewer than six parts and no trailing `*`: matches nothing.
    Nothing,
}

/// Six-part ARNs have this many parts.
const ARN_PARTS: usize = 6;

impl ArnPattern {
    /// Compiles `text`. Infallible: odd patterns still have a meaning, and what is
    /// suspicious about them is reported by [`ArnPattern::warnings`].
    /// `variables_enabled` is true for `Version: 2012-10-17` policies only.
    pub fn parse(text: &str, variables_enabled: bool, scope: VariableScope) -> ArnPattern {
        // `*` alone is "every resource", including requests for the resource `*`.
        if text == "*" {
            return ArnPattern {
                as_written: text.into(),
                shape: ArnShape::Any,
                has_variables: false,
                warnings: Vec::new(),
            };
        }
        if scope == VariableScope::ResourcePart {
            if let Some(pattern) = Self::parse_literal_prefix(text, variables_enabled) {
                return pattern;
            }
        }
        Self::parse_parts(text, variables_enabled, scope)
    }

    /// [`ArnPattern::parse`] by splitting into parts first: every shape.
    fn parse_parts(text: &str, variables_enabled: bool, scope: VariableScope) -> ArnPattern {
        let parts: Vec<Vec<Piece>> = match scope {
            // In Resource entries the first five segments are plain text, so the raw
            // text is split first and only the resource part may hold variables.
            VariableScope::ResourcePart => text
                .splitn(ARN_PARTS, ':')
                .enumerate()
                .map(|(index, segment)| {
                    let in_resource_part = index + 1 == ARN_PARTS;
                    parse_pieces(
                        segment,
                        variables_enabled && in_resource_part,
                        Wildcards::Recognised,
                    )
                })
                .collect(),
            // In ARN condition values variables may sit anywhere and contain `:`.
            VariableScope::Anywhere => {
                split_pieces_at_colons(parse_pieces(text, variables_enabled, Wildcards::Recognised))
            }
        };
        let has_variables = parts.iter().any(|part| has_variables(part));
        let mut warnings = Vec::new();
        if let Some(service) = parts.get(2).filter(|service| has_wildcards(service)) {
            warnings.push(ArnPatternWarning::WildcardInService {
                service: render(service).into_boxed_str(),
            });
        }
        if let (Some(service), Some(resource)) = (parts.get(2), parts.get(5)) {
            let service_is_s3 = matches!(&service[..], [Piece::Literal(name)] if &**name == "s3");
            warnings.extend(resource_type_warning(service_is_s3, resource));
        }
        let shape = shape_of(parts);
        if shape == ArnShape::Nothing {
            warnings.push(ArnPatternWarning::MatchesNothing);
        }
        ArnPattern {
            as_written: text.into(),
            shape,
            has_variables,
            warnings,
        }
    }

    /// The common case of a `Resource` entry, without splitting it into parts: six
    /// parts whose first five hold no wildcard (variables are literal text there) are
    /// one glob over the whole string, the literal `arn:…:…:…:…:` prefix merged into
    /// the resource part's first piece. The same pattern [`ArnPattern::parse`]'s
    /// general path builds, for a fraction of the allocations; `None` for other shapes.
    fn parse_literal_prefix(text: &str, variables_enabled: bool) -> Option<ArnPattern> {
        let mut colons = text.match_indices(':').map(|(at, _)| at);
        let service_start = colons.nth(1)? + 1;
        let service_end = colons.next()?;
        let prefix_end = colons.nth(1)? + 1;
        let prefix = text.get(..prefix_end)?;
        if prefix.bytes().any(|b| b == b'*' || b == b'?') {
            return None;
        }
        let resource = text.get(prefix_end..)?;
        let mut pieces = parse_pieces(resource, variables_enabled, Wildcards::Recognised);
        let service_is_s3 = text.get(service_start..service_end) == Some("s3");
        let warnings: Vec<ArnPatternWarning> = resource_type_warning(service_is_s3, &pieces)
            .into_iter()
            .collect();
        let has_variables = has_variables(&pieces);
        match pieces.first_mut() {
            Some(Piece::Literal(first)) => {
                let mut merged = String::with_capacity(prefix.len() + first.len());
                merged.push_str(prefix);
                merged.push_str(first);
                *first = merged.into_boxed_str();
            }
            _ => pieces.insert(0, Piece::Literal(prefix.into())),
        }
        Some(ArnPattern {
            as_written: text.into(),
            shape: ArnShape::Whole(pieces),
            has_variables,
            warnings,
        })
    }

    /// Whether the request resource or condition value `text` is covered.
    ///
    /// `None` when the entry holds a policy variable that `context` cannot resolve:
    /// such an entry matches nothing (SEMANTICS §5.10, §8.7), and the caller decides
    /// what that means for a negated operator or a `NotResource`.
    pub fn matches(&self, text: &str, context: &Context) -> Option<bool> {
        let parts_match = |parts: &[Vec<Piece>], segments: &[&str]| {
            parts
                .iter()
                .zip(segments)
                .all(|(part, segment)| match_pieces(part, segment, Some(context)))
        };
        match &self.shape {
            ArnShape::Any => return Some(true),
            ArnShape::Nothing => return Some(false),
            _ if self.has_variables && !self.all_resolvable(context) => return None,
            _ => {}
        }
        let matched = match &self.shape {
            ArnShape::Any => true,
            ArnShape::Nothing => false,
            ArnShape::Whole(pieces) => match_pieces(pieces, text, Some(context)),
            // Part against part: `*` and `?` cannot reach across a `:` before the
            // resource part, because both sides are already split there.
            ArnShape::Segments(parts) => {
                split_arn(text).is_some_and(|segments| parts_match(parts, &segments))
            }
            // Only a `*` that ends a segment may expand past `:` (SEMANTICS §5.3):
            // the last written part is matched against its own request segment (its
            // trailing `*` takes the rest of that segment), and that `*` then covers
            // every following segment. Wildcards earlier in the part stay inside the
            // segment. The request must still be an ARN.
            ArnShape::Short { leading, last } => match split_arn(text) {
                Some(segments) if parts_match(leading, &segments) => segments
                    .get(leading.len())
                    .is_some_and(|segment| match_pieces(last, segment, Some(context))),
                _ => false,
            },
        };
        Some(matched)
    }

    /// The entry exactly as written in the policy.
    pub fn as_written(&self) -> &str {
        &self.as_written
    }

    /// What is suspicious about this pattern (empty for ordinary patterns).
    pub fn warnings(&self) -> &[ArnPatternWarning] {
        &self.warnings
    }

    /// The pieces of one glob over the whole request string, when the pattern can be
    /// matched that way (six parts, no wildcard or variable before the resource part).
    pub fn whole_string_pieces(&self) -> Option<&[Piece]> {
        match &self.shape {
            ArnShape::Whole(pieces) => Some(pieces),
            _ => None,
        }
    }

    /// True for the pattern `*`, which matches everything.
    pub fn is_any(&self) -> bool {
        self.shape == ArnShape::Any
    }

    /// True when the pattern holds a policy variable.
    pub fn has_variables(&self) -> bool {
        self.has_variables
    }

    /// True when the pattern can never match (a short pattern without trailing `*`).
    pub(crate) fn never_matches(&self) -> bool {
        self.shape == ArnShape::Nothing
    }

    /// True when every variable in the pattern resolves in `context`.
    pub(crate) fn all_resolvable(&self, context: &Context) -> bool {
        match &self.shape {
            ArnShape::Any | ArnShape::Nothing => true,
            ArnShape::Whole(pieces) => all_resolvable(pieces, context),
            ArnShape::Segments(parts) => parts.iter().all(|part| all_resolvable(part, context)),
            ArnShape::Short { leading, last } => {
                all_resolvable(last, context)
                    && leading.iter().all(|part| all_resolvable(part, context))
            }
        }
    }
}

impl fmt::Display for ArnPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.as_written)
    }
}

/// Decides how the split `parts` (one to six) are matched.
fn shape_of(mut parts: Vec<Vec<Piece>>) -> ArnShape {
    if parts.len() == ARN_PARTS {
        let leading_literal = parts
            .iter()
            .take(ARN_PARTS - 1)
            .all(|part| !has_wildcards(part) && !has_variables(part));
        if !leading_literal {
            return ArnShape::Segments(parts);
        }
        let mut whole = Vec::new();
        for (index, part) in parts.into_iter().enumerate() {
            if index > 0 {
                push_literal(&mut whole, ":");
            }
            for piece in part {
                push_piece(&mut whole, piece);
            }
        }
        return ArnShape::Whole(whole);
    }
    // Shorter patterns only match through a `*` ending the last written part.
    match parts.pop() {
        Some(last) if last.last() == Some(&Piece::Star) => ArnShape::Short {
            leading: parts,
            last,
        },
        _ => ArnShape::Nothing,
    }
}

/// Splits tokenised text at the first five `:` found in its literal pieces, so a
/// colon inside a variable's name never splits (SEMANTICS §8.9).
fn split_pieces_at_colons(pieces: Vec<Piece>) -> Vec<Vec<Piece>> {
    let mut parts = Vec::new();
    let mut current = Vec::new();
    for piece in pieces {
        match piece {
            Piece::Literal(literal) if parts.len() + 1 < ARN_PARTS => {
                let mut rest: &str = &literal;
                while parts.len() + 1 < ARN_PARTS {
                    let Some((before, after)) = rest.split_once(':') else {
                        break;
                    };
                    push_literal(&mut current, before);
                    parts.push(std::mem::take(&mut current));
                    rest = after;
                }
                push_literal(&mut current, rest);
            }
            other => push_piece(&mut current, other),
        }
    }
    parts.push(current);
    parts
}

/// Appends literal text, merging it into a preceding literal.
fn push_literal(pieces: &mut Vec<Piece>, text: &str) {
    if text.is_empty() {
        return;
    }
    if let Some(Piece::Literal(previous)) = pieces.last_mut() {
        let mut merged = String::with_capacity(previous.len() + text.len());
        merged.push_str(previous);
        merged.push_str(text);
        *previous = merged.into_boxed_str();
    } else {
        pieces.push(Piece::Literal(text.into()));
    }
}

/// Appends a piece, merging adjacent literals.
fn push_piece(pieces: &mut Vec<Piece>, piece: Piece) {
    match piece {
        Piece::Literal(literal) => push_literal(pieces, &literal),
        other => pieces.push(other),
    }
}

/// Pieces back as policy text, for messages.
fn render(pieces: &[Piece]) -> String {
    let mut text = String::new();
    for piece in pieces {
        match piece {
            Piece::Star => text.push('*'),
            Piece::AnyChar => text.push('?'),
            Piece::Literal(literal) => text.push_str(literal),
            Piece::Variable(variable) => {
                text.push_str("${");
                text.push_str(&variable.key_as_written);
                text.push('}');
            }
        }
    }
    text
}

/// A wildcard mixed into the resource-type token (`*tance/ID`, `in?tance/ID`): the
/// text before the first `/` or `:` of the resource part, when more follows.
///
/// Deliberately quiet for a bare `*` token (`execute-api` ARNs such as `*/prod/*`
/// have no type token) and for S3, whose resource part starts with a bucket name.
fn resource_type_warning(service_is_s3: bool, resource: &[Piece]) -> Option<ArnPatternWarning> {
    if service_is_s3 {
        return None;
    }
    let mut token = Vec::new();
    for piece in resource {
        if let Piece::Literal(literal) = piece {
            if let Some((before, _)) = literal.split_once(['/', ':']) {
                push_literal(&mut token, before);
                let partial_wildcard = has_wildcards(&token) && token != [Piece::Star];
                return partial_wildcard.then(|| ArnPatternWarning::WildcardInResourceType {
                    resource_type: render(&token).into_boxed_str(),
                });
            }
        }
        token.push(piece.clone());
    }
    // No delimiter: the whole resource part is one name, not `type/id`.
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn context() -> Context {
        let mut context = Context::new();
        context.insert_str("aws:username", "alice");
        context.insert_str("aws:PrincipalAccount", "111122223333");
        context.insert_str("aws:PrincipalTag/team", "a*");
        context
    }

    /// The shortcut for literal-prefix `Resource` entries builds what the general
    /// path builds, warnings included.
    #[test]
    fn literal_prefix_shortcut_agrees_with_the_general_path() {
        let patterns = [
            "arn:aws:s3:::bucket",
            "arn:aws:s3:::",
            "arn:aws:s3:::b/${aws:username}/*",
            "arn:aws:s3:::${aws:username}",
            "arn:aws:connect:us-east-1:111122223333:instance/*",
            "arn:aws:connect:us-east-1:111122223333:*tance/ID",
            "arn:aws:connect:us-east-1:111122223333:in?tance/ID",
            "arn:aws:connect:us-east-1:111122223333:${x}/ID",
            "arn:aws:logs:us-east-1:1:log-group:a:*",
            "arn:aws:sqs:us-east-1:1:q?",
            "arn:aws:iam::1:role/a${*}b${$}c${?}",
            "arn:a${x}:s3:::b",
            "arn:aws:s3:::**x**",
            "arn:aws:s3:::é*é",
            "a:b:c:d:e:",
            "::::::",
        ];
        for text in patterns {
            for vars in [true, false] {
                let fast = ArnPattern::parse_literal_prefix(text, vars);
                let general = ArnPattern::parse_parts(text, vars, VariableScope::ResourcePart);
                assert_eq!(fast.as_ref(), Some(&general), "{text} {vars}");
            }
        }
        assert!(ArnPattern::parse_literal_prefix("arn:aws:s3:*:1:x", true).is_none());
        assert!(ArnPattern::parse_literal_prefix("arn:aws:s3:*", true).is_none());
    }

    macro_rules! arn_cases {
        ($($name:ident: $scope:ident, $pattern:expr, $text:expr => $expected:expr;)*) => {$(
            #[test]
            fn $name() {
                let pattern = ArnPattern::parse($pattern, true, VariableScope::$scope);
                assert_eq!(
                    pattern.matches($text, &context()),
                    $expected,
                    "ARN pattern {:?} against {:?}",
                    $pattern,
                    $text
                );
            }
        )*};
    }

    const T: Option<bool> = Some(true);
    const F: Option<bool> = Some(false);

    arn_cases! {
        // `*` alone (SEMANTICS §5.1, §5.8).
        star_alone_any_arn: ResourcePart, "*", "arn:aws:s3:::b/k" => T;
        star_alone_request_star: ResourcePart, "*", "*" => T;
        star_alone_non_arn: ResourcePart, "*", "not an arn" => T;
        star_alone_empty: ResourcePart, "*", "" => T;
        // Exact and anchored (§5.6).
        exact: ResourcePart, "arn:aws:s3:::acme-data/reports/q1.csv", "arn:aws:s3:::acme-data/reports/q1.csv" => T;
        bucket_not_object: ResourcePart, "arn:aws:s3:::acme-data", "arn:aws:s3:::acme-data/a.txt" => F;
        object_not_bucket: ResourcePart, "arn:aws:s3:::acme-data/*", "arn:aws:s3:::acme-data" => F;
        no_implicit_prefix: ResourcePart, "arn:aws:s3:::acme", "arn:aws:s3:::acme-dev" => F;
        instance_not_longer_id: ResourcePart, "arn:aws:connect:us-east-1:1:instance/abc", "arn:aws:connect:us-east-1:1:instance/abc-x" => F;
        // A specific ARN never matches the request resource `*` (§5.8).
        specific_not_request_star: ResourcePart, "arn:aws:connect:us-east-1:1:instance/abc", "*" => F;
        wildcard_arn_not_request_star: ResourcePart, "arn:aws:*:*:*:*", "*" => F;
        short_not_request_star: ResourcePart, "arn:*", "*" => F;
        // Resource part: `*`/`?` cross `/` and `:` (§5.4).
        star_spans_slash: ResourcePart, "arn:aws:s3:::acme-data/*/test/*", "arn:aws:s3:::acme-data/1/2/test/3/object.jpg" => T;
        star_spans_empty: ResourcePart, "arn:aws:s3:::acme-data/*/test/*", "arn:aws:s3:::acme-data//test/object.jpg" => T;
        star_needs_test_dir: ResourcePart, "arn:aws:s3:::acme-data/*/test/*", "arn:aws:s3:::acme-data/1-test/object.jpg" => F;
        star_spans_colon: ResourcePart, "arn:aws:logs:us-east-1:1:log-group:app:*", "arn:aws:logs:us-east-1:1:log-group:app:log-stream:2024/05/01/abc" => T;
        question_one: ResourcePart, "arn:aws:s3:::b/file?.txt", "arn:aws:s3:::b/file1.txt" => T;
        question_zero: ResourcePart, "arn:aws:s3:::b/file?.txt", "arn:aws:s3:::b/file.txt" => F;
        question_two: ResourcePart, "arn:aws:s3:::b/file?.txt", "arn:aws:s3:::b/file12.txt" => F;
        question_slash: ResourcePart, "arn:aws:s3:::b/x?y", "arn:aws:s3:::b/x/y" => T;
        question_multibyte: ResourcePart, "arn:aws:s3:::b/caf?", "arn:aws:s3:::b/café" => T;
        // Case sensitive (§5.7).
        case_sensitive: ResourcePart, "arn:aws:s3:::Acme-Data/*", "arn:aws:s3:::acme-data/a.txt" => F;
        // Nothing else special (§5.5).
        brackets_literal: ResourcePart, "arn:aws:s3:::b/[abc]", "arn:aws:s3:::b/a" => F;
        brackets_match_themselves: ResourcePart, "arn:aws:s3:::b/[abc]", "arn:aws:s3:::b/[abc]" => T;
        braces_literal: ResourcePart, "arn:aws:s3:::b/{x,y}", "arn:aws:s3:::b/x" => F;
        dot_literal: ResourcePart, "arn:aws:s3:::b/a.c", "arn:aws:s3:::b/abc" => F;
        plus_literal: ResourcePart, "arn:aws:s3:::b/a+", "arn:aws:s3:::b/aa" => F;
        backslash_literal: ResourcePart, "arn:aws:s3:::acme-archive/a\\*", "arn:aws:s3:::acme-archive/a\\b.txt" => T;
        backslash_not_escape: ResourcePart, "arn:aws:s3:::acme-archive/a\\*", "arn:aws:s3:::acme-archive/a*" => F;
        dollar_without_brace: ResourcePart, "arn:aws:s3:::acme-archive/$tmp/*", "arn:aws:s3:::acme-archive/$tmp/a" => T;
        request_star_is_literal: ResourcePart, "arn:aws:s3:::b/a*", "arn:aws:s3:::b/a*" => T;
        request_star_not_wildcard: ResourcePart, "arn:aws:s3:::b/ab", "arn:aws:s3:::b/a*" => F;
        // Segments 1–4 (§5.3).
        region_wildcard: ResourcePart, "arn:aws:connect:*:111122223333:instance/*/queue/*", "arn:aws:connect:eu-west-2:111122223333:instance/0f/queue/q-77" => T;
        star_matches_empty_segments: ResourcePart, "arn:aws:s3:*:*:acme-data/*", "arn:aws:s3:::acme-data/a.txt" => T;
        account_mismatch: ResourcePart, "arn:aws:connect:us-east-1:111122223333:instance/abc", "arn:aws:connect:us-east-1:444455556666:instance/abc" => F;
        region_mismatch: ResourcePart, "arn:aws:connect:us-east-1:111122223333:instance/abc", "arn:aws:connect:us-west-2:111122223333:instance/abc" => F;
        region_star_stays_in_segment: ResourcePart, "arn:aws:sns:*:111122223333:x", "arn:aws:sns:us-east-1:9:111122223333:x" => F;
        region_question_stays_in_segment: ResourcePart, "arn:aws:sns:us-east-?:1:x", "arn:aws:sns:us-east-:1:x" => F;
        region_partial_wildcard: ResourcePart, "arn:aws:s3:us-*-1:1:b", "arn:aws:s3:us-east-1:1:b" => T;
        account_question: ResourcePart, "arn:aws:sqs:us-east-1:11112222333?:q", "arn:aws:sqs:us-east-1:111122223333:q" => T;
        all_wildcards: ResourcePart, "arn:*:*:*:*:*", "arn:aws:s3:::b" => T;
        prefix_segment_wildcard: ResourcePart, "*:aws:s3:::b", "arn:aws:s3:::b" => T;
        segments_non_arn: ResourcePart, "arn:aws:*:::b", "b" => F;
        // Short patterns (§5.3, §11.9).
        short_service_star: ResourcePart, "arn:aws:s3:*", "arn:aws:s3:::acme-data/a.txt" => T;
        short_service_star_other_service: ResourcePart, "arn:aws:s3:*", "arn:aws:sqs:us-east-1:1:q" => F;
        short_service_star_not_s3express: ResourcePart, "arn:aws:s3:*", "arn:aws:s3express:us-east-1:1:bucket/b" => F;
        short_region_scoped: ResourcePart, "arn:aws:logs:us-east-1:*", "arn:aws:logs:us-east-1:111122223333:log-group:app:log-stream:s1" => T;
        short_region_scoped_miss: ResourcePart, "arn:aws:logs:us-east-1:*", "arn:aws:logs:us-west-2:111122223333:log-group:app:log-stream:s1" => F;
        short_partial_last: ResourcePart, "arn:aws:logs:us-*", "arn:aws:logs:us-west-2:1:log-group:x" => T;
        short_partial_last_miss: ResourcePart, "arn:aws:logs:us-*", "arn:aws:logs:eu-west-2:1:log-group:x" => F;
        short_account_star: ResourcePart, "arn:aws:logs:us-east-1:1111*", "arn:aws:logs:us-east-1:111122223333:log-group:x" => T;
        // Found by fuzzing against the reference: a wildcard that does not end the
        // last written part must not cross `:` into the following segments.
        short_inner_star_stays_in_segment: ResourcePart, "arn:aws:s3::*acme-data/*", "arn:aws:s3:::acme-data/a.txt" => F;
        short_inner_star_within_segment: ResourcePart, "arn:aws:logs:*-east-*", "arn:aws:logs:us-east-1:1:log-group:x" => T;
        short_inner_star_not_across: ResourcePart, "arn:aws:logs:*east*", "arn:aws:logs:us-west-2:1:log-group:east" => F;
        short_two_parts: ResourcePart, "arn:*", "arn:aws:s3:::b" => T;
        short_one_part: ResourcePart, "ar*", "arn:aws:s3:::b" => T;
        short_one_part_needs_arn: ResourcePart, "ar*", "arnold" => F;
        short_without_star: ResourcePart, "arn:aws:s3", "arn:aws:s3:::b" => F;
        short_without_star_exact: ResourcePart, "arn:aws:s3", "arn:aws:s3" => F;
        empty_pattern: ResourcePart, "", "" => F;
        empty_pattern_arn: ResourcePart, "", "arn:aws:s3:::b" => F;
        double_star_is_short: ResourcePart, "**", "arn:aws:s3:::b" => T;
        double_star_not_request_star: ResourcePart, "**", "*" => F;
        // Connect log groups: `mycc` does not cover `mycc-dev`.
        log_group_own: ResourcePart, "arn:aws:logs:*:*:log-group:/aws/connect/mycc:*", "arn:aws:logs:us-east-1:1:log-group:/aws/connect/mycc:log-stream:x" => T;
        log_group_dev: ResourcePart, "arn:aws:logs:*:*:log-group:/aws/connect/mycc:*", "arn:aws:logs:us-east-1:1:log-group:/aws/connect/mycc-dev:log-stream:x" => F;
        log_group_empty_stream: ResourcePart, "arn:aws:logs:*:*:log-group:/aws/connect/mycc:*", "arn:aws:logs:us-east-1:1:log-group:/aws/connect/mycc:log-stream:" => T;
        log_group_bare_not_stream: ResourcePart, "arn:aws:logs:us-east-1:1:log-group:/aws/connect/mycc", "arn:aws:logs:us-east-1:1:log-group:/aws/connect/mycc:log-stream:" => F;
        // Variables in Resource entries: resource part only (§5.10, §8.1).
        variable_in_resource_part: ResourcePart, "arn:aws:s3:::home/${aws:username}/*", "arn:aws:s3:::home/alice/x" => T;
        variable_other_user: ResourcePart, "arn:aws:s3:::home/${aws:username}/*", "arn:aws:s3:::home/bob/x" => F;
        variable_unresolvable: ResourcePart, "arn:aws:s3:::home/${aws:userid}/*", "arn:aws:s3:::home//x" => None;
        variable_value_literal: ResourcePart, "arn:aws:s3:::t/${aws:PrincipalTag/team}", "arn:aws:s3:::t/ab" => F;
        variable_value_literal_self: ResourcePart, "arn:aws:s3:::t/${aws:PrincipalTag/team}", "arn:aws:s3:::t/a*" => T;
        variable_in_account_is_literal: ResourcePart, "arn:aws:iam::${aws:PrincipalAccount}:user/alice", "arn:aws:iam::111122223333:user/alice" => F;
        escapes_in_resource_part: ResourcePart, "arn:aws:s3:::b/${*}${?}${$}", "arn:aws:s3:::b/*?$" => T;
        escapes_not_wildcards: ResourcePart, "arn:aws:s3:::b/${*}", "arn:aws:s3:::b/x" => F;
        // ARN condition values (§7.6.8, §8.9).
        arnlike_segments: Anywhere, "arn:aws:sns:*:111122223333:connect-*", "arn:aws:sns:us-east-1:111122223333:connect-events" => T;
        arnlike_segment_bounded: Anywhere, "arn:aws:someservice:*:111122223333:finance/*", "arn:aws:someservice:us-east-1:999999999999:store/abc:111122223333:finance/x" => F;
        arnlike_role_prefix: Anywhere, "arn:aws:iam::111122223333:role/Connect*", "arn:aws:iam::111122223333:role/ConnectAdmin" => T;
        arnlike_case: Anywhere, "arn:aws:sns:us-east-1:111122223333:Topic1", "arn:aws:sns:us-east-1:111122223333:topic1" => F;
        arnlike_variable_in_account: Anywhere, "arn:aws:iam::${aws:PrincipalAccount}:user/al*", "arn:aws:iam::111122223333:user/alice" => T;
        arnlike_variable_in_account_miss: Anywhere, "arn:aws:iam::${aws:PrincipalAccount}:user/al*", "arn:aws:iam::444455556666:user/alice" => F;
        arnlike_variable_unresolvable: Anywhere, "arn:aws:iam::${aws:SourceAccount}:user/*", "arn:aws:iam::1:user/a" => None;
        arnlike_non_arn: Anywhere, "arn:aws:iam::*:user/*", "alice" => F;
        arnlike_variable_then_star: Anywhere, "arn:aws:iam::${aws:username}:*", "arn:aws:iam::alice:x" => T;
    }

    #[test]
    fn split_arn_cases() {
        assert_eq!(
            split_arn("arn:aws:s3:::b/k"),
            Some(["arn", "aws", "s3", "", "", "b/k"])
        );
        assert_eq!(
            split_arn("a:b:c:d:e:f:g"),
            Some(["a", "b", "c", "d", "e", "f:g"])
        );
        assert_eq!(split_arn("::::"), None);
        assert_eq!(split_arn(":::::"), Some(["", "", "", "", "", ""]));
        assert_eq!(split_arn("*"), None);
    }

    #[test]
    fn common_patterns_compile_to_one_whole_string_glob() {
        let pattern = ArnPattern::parse("arn:aws:s3:::acme/*", true, VariableScope::ResourcePart);
        assert_eq!(
            pattern.whole_string_pieces(),
            Some(&[Piece::Literal("arn:aws:s3:::acme/".into()), Piece::Star][..])
        );
        let segments = ArnPattern::parse("arn:aws:s3:*:*:b", true, VariableScope::ResourcePart);
        assert_eq!(segments.whole_string_pieces(), None);
        let variable = ArnPattern::parse(
            "arn:aws:iam::${aws:PrincipalAccount}:user/x",
            true,
            VariableScope::Anywhere,
        );
        assert_eq!(variable.whole_string_pieces(), None);
        assert!(variable.has_variables());
        let literal_variable = ArnPattern::parse(
            "arn:aws:iam::${aws:PrincipalAccount}:user/x",
            true,
            VariableScope::ResourcePart,
        );
        assert!(literal_variable.whole_string_pieces().is_some());
        assert!(!literal_variable.has_variables());
    }

    #[test]
    fn variables_disabled_are_literal() {
        let pattern = ArnPattern::parse(
            "arn:aws:s3:::home/${aws:username}/*",
            false,
            VariableScope::ResourcePart,
        );
        assert_eq!(
            pattern.matches("arn:aws:s3:::home/alice/x", &context()),
            Some(false)
        );
        assert_eq!(
            pattern.matches("arn:aws:s3:::home/${aws:username}/x", &context()),
            Some(true)
        );
    }

    #[test]
    fn variable_holding_colon_in_anywhere_scope_does_not_split() {
        // carn-009: `${aws:PrincipalAccount}` contains `:` but is one account segment.
        let pattern = ArnPattern::parse(
            "arn:aws:iam::${aws:PrincipalAccount}:user/al*",
            true,
            VariableScope::Anywhere,
        );
        assert!(pattern.warnings().is_empty());
        assert_eq!(
            pattern.as_written(),
            "arn:aws:iam::${aws:PrincipalAccount}:user/al*"
        );
    }

    fn warnings_of(text: &str) -> Vec<ArnPatternWarning> {
        ArnPattern::parse(text, true, VariableScope::ResourcePart)
            .warnings()
            .to_vec()
    }

    #[test]
    fn warnings() {
        assert_eq!(warnings_of("*"), vec![]);
        assert_eq!(warnings_of("arn:aws:s3:::acme-*/x"), vec![]);
        assert_eq!(warnings_of("arn:aws:ec2:*:*:instance/*"), vec![]);
        assert_eq!(warnings_of("arn:aws:execute-api:*:*:*/prod/*"), vec![]);
        assert_eq!(
            warnings_of("arn:aws:logs:*:*:log-group:*:log-stream:s"),
            vec![]
        );
        assert_eq!(warnings_of("arn:aws:s3:*"), vec![]);
        assert_eq!(
            warnings_of("arn:aws:s3*:::b"),
            vec![ArnPatternWarning::WildcardInService {
                service: "s3*".into()
            }]
        );
        assert_eq!(
            warnings_of("arn:aws:s3"),
            vec![ArnPatternWarning::MatchesNothing]
        );
        assert_eq!(warnings_of(""), vec![ArnPatternWarning::MatchesNothing]);
        assert_eq!(
            warnings_of("arn:aws:ec2:us-east-1:1:*tance/i-1"),
            vec![ArnPatternWarning::WildcardInResourceType {
                resource_type: "*tance".into()
            }]
        );
        assert_eq!(
            warnings_of("arn:aws:ec2:us-east-1:1:in?tance/i-1"),
            vec![ArnPatternWarning::WildcardInResourceType {
                resource_type: "in?tance".into()
            }]
        );
        assert_eq!(
            ArnPatternWarning::MatchesNothing.to_string(),
            "fewer than six `:`-separated segments and no trailing `*`, so it matches nothing"
        );
    }

    #[test]
    fn resource_type_wildcard_still_matches_as_one_glob() {
        // SEMANTICS §11.15: such a Deny must still apply.
        let pattern = ArnPattern::parse(
            "arn:aws:ec2:us-east-1:1:*tance/i-1",
            true,
            VariableScope::ResourcePart,
        );
        assert_eq!(
            pattern.matches("arn:aws:ec2:us-east-1:1:instance/i-1", &context()),
            Some(true)
        );
    }
}
