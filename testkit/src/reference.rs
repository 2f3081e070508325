//! A deliberately naive reference evaluator: a second, independent reading of
//! `docs/SEMANTICS.md` (a copy of `../shared/SEMANTICS.md`), written for obviousness rather than speed, used as a
//! correctness oracle for the optimised engine.
//!
//! What is shared with the engine and what is not:
//! * shared: JSON parsing and the typed policy model (`Policy`, `Statement`, …), the
//!   request and its accessors (`principal()`, `caller()`, `principal_account()`,
//!   `resource_account()`, `context()`), condition-operator *name* parsing, and the
//!   typed value comparisons of the Numeric, Date, IP and Binary families (one policy
//!   value against one request value, through a one-value `CompiledCondition` of the
//!   positive operator);
//! * re-implemented here: action, resource and principal matching (one regex of the
//!   [`crate::oracle`] per pattern), policy variables, String/StringLike/Bool/Arn*/Null comparisons, set
//!   qualifiers, `IfExists`, absent keys, NOR of negated operators, NotPrincipal
//!   exclusion and the whole decision algorithm of SEMANTICS §9.
//!
//! Nothing here calls the engine's pattern, compile or evaluation code.

use crate::oracle::{self, Glob, RegexCache, ANY_ONE, ANY_RUN, SEGMENT_ONE, SEGMENT_RUN};
use iamsim_engine::decision::Decision;
use iamsim_engine::internal::condition::{
    BaseOperator, CompiledCondition, ConditionOperator, PolicyValue, SetQualifier,
};
use iamsim_engine::model::{
    ConditionEntry, Effect, Policy, PolicyVersion, PrincipalType, PrincipalValue, ScalarValue,
    Statement,
};
use iamsim_engine::request::{Caller, CallerAccount, Context, ContextValue, Request, RCP_SERVICES};

/// The parsed (not compiled) policies of one case, by layer (SEMANTICS §1.1).
#[derive(Debug, Default)]
pub struct RefPolicies {
    pub identity: Vec<Policy>,
    pub resource: Option<Policy>,
    pub boundary: Option<Policy>,
    pub session: Option<Policy>,
    pub scp: Vec<Policy>,
    pub rcp: Vec<Policy>,
    /// Regex source → compiled regex, so that a pattern is compiled once per case.
    regexes: RegexCache,
}

impl RefPolicies {
    pub fn new(
        identity: Vec<Policy>,
        resource: Option<Policy>,
        boundary: Option<Policy>,
        session: Option<Policy>,
        scp: Vec<Policy>,
        rcp: Vec<Policy>,
    ) -> Self {
        RefPolicies {
            identity,
            resource,
            boundary,
            session,
            scp,
            rcp,
            regexes: RegexCache::default(),
        }
    }

    /// Every policy of every layer.
    pub fn all(&self) -> impl Iterator<Item = &Policy> {
        self.identity
            .iter()
            .chain(self.resource.iter())
            .chain(self.boundary.iter())
            .chain(self.session.iter())
            .chain(self.scp.iter())
            .chain(self.rcp.iter())
    }

    fn is_match(&self, source: &str, text: &str) -> bool {
        self.regexes.is_match(source, text)
    }
}

/// The reference decision for `request` under `policies`.
pub fn reference_decision(policies: &RefPolicies, request: &Request) -> Decision {
    Evaluation {
        p: policies,
        r: request,
    }
    .decide()
}

// ---------------------------------------------------------------------------
// Wildcard text: literal characters, `*`, `?`, and policy variables (SEMANTICS §8).

#[derive(Debug, Clone, PartialEq)]
enum Token {
    /// One literal character.
    Char(char),
    /// `*`: any run of characters.
    Star,
    /// `?`: exactly one character.
    One,
    /// `${name}` or `${name, 'default'}`.
    Variable {
        name: String,
        default: Option<String>,
    },
}

/// Splits policy text into tokens. `variables`: the policy is Version 2012-10-17 and
/// variables are allowed here. `wildcards`: `*` and `?` are special here.
fn tokens(text: &str, variables: bool, wildcards: bool) -> Vec<Token> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        // §8.2: `${` starts a variable that ends at the first `}`.
        if variables && c == '$' && chars.get(i + 1) == Some(&'{') {
            if let Some(end) = chars[i + 2..].iter().position(|&c| c == '}') {
                let inner: String = chars[i + 2..i + 2 + end].iter().collect();
                i += end + 3;
                match inner.as_str() {
                    // §8.6: the escapes for literal `*`, `?` and `$`.
                    "*" | "?" | "$" => out.push(Token::Char(inner.chars().next().unwrap())),
                    _ => out.push(variable(&inner)),
                }
                continue;
            }
        }
        out.push(match c {
            '*' if wildcards => Token::Star,
            '?' if wildcards => Token::One,
            c => Token::Char(c),
        });
        i += 1;
    }
    out
}

/// `name` or `name, 'default'`. Text that is not of that form is all name (and so
/// resolves to nothing).
fn variable(inner: &str) -> Token {
    if let Some((name, tail)) = inner.split_once(',') {
        let tail = tail.trim();
        if tail.len() >= 2 && tail.starts_with('\'') && tail.ends_with('\'') {
            return Token::Variable {
                name: name.trim().to_owned(),
                default: Some(tail[1..tail.len() - 1].to_owned()),
            };
        }
    }
    Token::Variable {
        name: inner.to_owned(),
        default: None,
    }
}

/// §8.4: a present single-valued key gives its value, else the default, else nothing.
/// §8.5: the substituted text is literal (its `*` and `?` are plain characters).
fn substitute(tokens: &[Token], context: &Context) -> Option<Vec<Token>> {
    let mut out = Vec::new();
    for t in tokens {
        match t {
            Token::Variable { name, default } => {
                let value = match context.get_any_case(name) {
                    Some(ContextValue::Single(v)) => v.to_string(),
                    _ => default.clone()?,
                };
                out.extend(value.chars().map(Token::Char));
            }
            other => out.push(other.clone()),
        }
    }
    Some(out)
}

/// The regex text of variable-free tokens; `star`/`one` are what `*`/`?` become.
fn glob_body(tokens: &[Token], star: &str, one: &str) -> String {
    let pieces = tokens.iter().map(|t| match t {
        Token::Char(c) => Glob::Literal(*c),
        Token::Star => Glob::Star,
        Token::One => Glob::One,
        Token::Variable { .. } => unreachable!("substitute variables first"),
    });
    oracle::regex_body(pieces, star, one)
}

/// An anchored, case-sensitive regex for variable-free tokens.
fn regex_source(tokens: &[Token], star: &str, one: &str) -> String {
    oracle::anchored(&glob_body(tokens, star, one))
}

fn literal_text(tokens: &[Token]) -> String {
    tokens
        .iter()
        .map(|t| match t {
            Token::Char(c) => *c,
            _ => unreachable!("literal text only"),
        })
        .collect()
}

/// Splits at the first five `:` (SEMANTICS §5.2); `None` for fewer than five.
fn split_arn(s: &str) -> Option<Vec<&str>> {
    let parts: Vec<&str> = s.splitn(6, ':').collect();
    (parts.len() == 6).then_some(parts)
}

// ---------------------------------------------------------------------------
// Principal matching (SEMANTICS §6).

/// The kinds by which a `Principal` names the caller.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Kinds {
    wildcard: bool,
    account: bool,
    direct: bool,
    role: bool,
    federating_user: bool,
}

impl Kinds {
    fn any(self) -> bool {
        self.wildcard || self.account || self.direct || self.role || self.federating_user
    }

    fn union(self, o: Kinds) -> Kinds {
        Kinds {
            wildcard: self.wildcard || o.wildcard,
            account: self.account || o.account,
            direct: self.direct || o.direct,
            role: self.role || o.role,
            federating_user: self.federating_user || o.federating_user,
        }
    }
}

struct Evaluation<'a> {
    p: &'a RefPolicies,
    r: &'a Request,
}

impl Evaluation<'_> {
    // --- §4 actions -------------------------------------------------------

    fn action_entry_matches(&self, pattern: &str) -> bool {
        // §4.1
        if pattern == "*" {
            return true;
        }
        // §4.2/4.3: the prefix as a whole word, the name as a glob, both ignoring case.
        let Some((prefix, name)) = pattern.split_once(':') else {
            return false;
        };
        let prefix = oracle::regex_body(oracle::literal(&format!("{prefix}:")), ANY_RUN, ANY_ONE);
        let name = glob_body(&tokens(name, false, true), ANY_RUN, ANY_ONE);
        let source = format!("(?i){}", oracle::anchored(&format!("{prefix}{name}")));
        self.p.is_match(&source, self.r.action())
    }

    // --- §5 resources -----------------------------------------------------

    fn resource_entry_matches(&self, pattern: &str, variables: bool) -> bool {
        // §5.1
        if pattern == "*" {
            return true;
        }
        // §5.2: a request that is not a six-part ARN matches only `*`.
        let Some(request) = split_arn(self.r.resource()) else {
            return false;
        };
        let parts: Vec<&str> = pattern.splitn(6, ':').collect();
        if parts.len() == 6 {
            // §5.3: the first five segments one by one (no variables there, §5.10).
            for i in 0..5 {
                let seg = regex_source(&tokens(parts[i], false, true), ANY_RUN, ANY_ONE);
                if !self.p.is_match(&seg, request[i]) {
                    return false;
                }
            }
            // §5.4/5.10: the resource part as one glob, variables substituted literally;
            // an unresolvable variable makes the entry match nothing.
            let Some(resource_part) =
                substitute(&tokens(parts[5], variables, true), self.r.context())
            else {
                return false;
            };
            let source = regex_source(&resource_part, ANY_RUN, ANY_ONE);
            return self.p.is_match(&source, request[5]);
        }
        // §5.3/5.11: fewer than six segments match only through a trailing `*`, which
        // expands past `:` over the rest of the request ARN; other wildcards stay
        // inside their segment.
        let last = parts.len() - 1;
        let Some(head) = parts[last].strip_suffix('*') else {
            return false;
        };
        for i in 0..last {
            let seg = regex_source(&tokens(parts[i], false, true), SEGMENT_RUN, SEGMENT_ONE);
            if !self.p.is_match(&seg, request[i]) {
                return false;
            }
        }
        let rest = request[last..].join(":");
        let head = glob_body(&tokens(head, false, true), SEGMENT_RUN, SEGMENT_ONE);
        let source = oracle::anchored(&format!("{head}{ANY_RUN}"));
        self.p.is_match(&source, &rest)
    }

    // --- §6 principals ----------------------------------------------------

    /// The caller's account for `Principal` purposes: none for services and anonymous.
    fn caller_account(&self) -> Option<&str> {
        match self.r.caller() {
            Caller::Service | Caller::Anonymous => None,
            _ => self.r.principal_account(),
        }
    }

    fn principal_kinds(&self, value: &PrincipalValue) -> Kinds {
        let mut k = Kinds::default();
        let lists = match value {
            // §6.1
            PrincipalValue::Everyone => {
                k.wildcard = true;
                return k;
            }
            PrincipalValue::Typed(lists) => lists,
        };
        let caller = self.r.principal();
        for (t, entries) in lists {
            for e in entries {
                let text = e.value.as_str();
                if *t != PrincipalType::Aws {
                    // §6.7: Service, Federated and CanonicalUser need an identical caller.
                    k.direct |= caller == text;
                    continue;
                }
                if text == "*" {
                    k.wildcard = true;
                    continue;
                }
                // §6.2: a 12-digit id or the root ARN names the account.
                if text.len() == 12 && text.chars().all(|c| c.is_ascii_digit()) {
                    k.account |= self.caller_account() == Some(text);
                    continue;
                }
                let Some(arn) = split_arn(text) else {
                    k.direct |= caller == text;
                    continue;
                };
                let (service, account, resource) = (arn[2], arn[4], arn[5]);
                if service == "iam" && resource == "root" {
                    k.account |= self.caller_account() == Some(account);
                } else if service == "iam" && resource.starts_with("user/") {
                    // §6.3: the user exactly.
                    k.direct |= caller == text;
                    // §6.6: the IAM user who created the caller's federated-user session.
                    if let Some(federating) = self.federating_user_arn() {
                        k.federating_user |= federating == text;
                    }
                } else if service == "iam" && resource.starts_with("role/") {
                    // §6.4: every session of the role, and the role itself.
                    let role_name = resource.rsplit('/').next().unwrap();
                    k.role |= self.caller_role() == Some((account.to_owned(), role_name));
                } else {
                    // §6.5/6.6: session and federated-user ARNs name exactly that caller.
                    k.direct |= caller == text;
                }
            }
        }
        k
    }

    /// `arn:P:iam::A:user/Name` for a caller `arn:P:sts::A:federated-user/Name` (§1.3).
    fn federating_user_arn(&self) -> Option<String> {
        let arn = split_arn(self.r.principal())?;
        let name = arn[5].strip_prefix("federated-user/")?;
        (arn[2] == "sts").then(|| format!("arn:{}:iam::{}:user/{}", arn[1], arn[4], name))
    }

    /// (account, role name) of a role or role-session caller (§1.3).
    fn caller_role(&self) -> Option<(String, &str)> {
        let arn = split_arn(self.r.principal())?;
        match arn[2] {
            "iam" => {
                let path = arn[5].strip_prefix("role/")?;
                Some((arn[4].to_owned(), path.rsplit('/').next()?))
            }
            "sts" => {
                let rest = arn[5].strip_prefix("assumed-role/")?;
                let (role, _session) = rest.split_once('/')?;
                Some((arn[4].to_owned(), role))
            }
            _ => None,
        }
    }

    /// §6.9: a NotPrincipal Deny skips the caller only when its whole identity chain is
    /// listed, and never skips a caller that has a permissions boundary.
    fn excluded_by_not_principal(&self, value: &PrincipalValue) -> bool {
        if self.p.boundary.is_some() {
            return false;
        }
        let k = self.principal_kinds(value);
        if k.wildcard {
            return true;
        }
        match self.r.caller() {
            // own ARN + account
            Caller::User { .. } | Caller::FederatedUser { .. } => k.direct && k.account,
            // session ARN + role ARN + account
            Caller::RoleSession { .. } => k.direct && k.role && k.account,
            // the caller is the role ARN itself: role ARN + account
            Caller::Role { .. } => k.role && k.account,
            // the root ARN is the account
            Caller::Root { .. } => k.account,
            Caller::Service | Caller::Anonymous | Caller::Other => k.direct,
        }
    }

    // --- §7 conditions ----------------------------------------------------

    fn condition_holds(&self, c: &ConditionEntry, variables: bool) -> bool {
        let op = ConditionOperator::parse(&c.operator.value)
            .unwrap_or_else(|e| panic!("the case compiled, so the operator parses: {e}"));
        let found = self.r.context().get_any_case(&c.key.value);
        // §7.6.9 / §7.5: Null looks at presence only; the listed values are ORed.
        if op.base == BaseOperator::Null {
            return c.values.iter().any(|v| {
                let asserts_absent = scalar_text(&v.value).eq_ignore_ascii_case("true");
                asserts_absent == found.is_none()
            });
        }
        let (positive, negated) = positive_form(op.base);
        let passes = |request_value: &str| {
            let any = c
                .values
                .iter()
                .any(|p| self.compare(positive, request_value, &p.value, variables));
            // §7.4 / §7.1: negated operators are "equal to none of them" (NOR), i.e.
            // `not (positive operator)`. A request value that does not parse compares
            // false against every policy value (§7.6.3/4/7), so a negated operator
            // holds for it (`NotIpAddress` on `not-an-ip` is true).
            any != negated
        };
        match (op.qualifier, found) {
            // §7.5 / §7.7: absent keys.
            (SetQualifier::ForAllValues, None) => true,
            (SetQualifier::ForAnyValue, None) => false,
            (SetQualifier::Single, None) => op.if_exists || negated,
            // §7.4 / §7.9
            (SetQualifier::Single, Some(ContextValue::Single(v))) => passes(v),
            // §7.8: a multivalued key without a set qualifier: false for every operator.
            (SetQualifier::Single, Some(ContextValue::Multi(_))) => false,
            // §7.7
            (SetQualifier::ForAllValues, Some(v)) => v.values().iter().all(|x| passes(x)),
            (SetQualifier::ForAnyValue, Some(v)) => v.values().iter().any(|x| passes(x)),
        }
    }

    /// Does one request value compare true against one policy value under a positive
    /// operator (§7.6)? An unresolvable variable matches nothing (§8.7).
    fn compare(
        &self,
        op: BaseOperator,
        request: &str,
        policy: &ScalarValue,
        variables: bool,
    ) -> bool {
        let text = scalar_text(policy);
        let context = self.r.context();
        match op {
            BaseOperator::StringEquals | BaseOperator::StringEqualsIgnoreCase => {
                let Some(t) = substitute(&tokens(text, variables, false), context) else {
                    return false;
                };
                let value = literal_text(&t);
                if op == BaseOperator::StringEquals {
                    request == value
                } else {
                    request.to_lowercase() == value.to_lowercase()
                }
            }
            BaseOperator::StringLike => {
                let Some(t) = substitute(&tokens(text, variables, true), context) else {
                    return false;
                };
                self.p
                    .is_match(&regex_source(&t, ANY_RUN, ANY_ONE), request)
            }
            BaseOperator::ArnEquals | BaseOperator::ArnLike => {
                self.arn_like(text, variables, request)
            }
            // §7.6.5 (variables: §11.7, engines MAY substitute; we do).
            BaseOperator::Bool => {
                let Some(t) = substitute(&tokens(text, variables, false), context) else {
                    return false;
                };
                let policy = literal_text(&t).to_ascii_lowercase();
                let request = request.to_ascii_lowercase();
                (request == "true" || request == "false") && request == policy
            }
            // §7.6.3/4/6/7: typed comparisons, shared with the engine.
            _ => typed_compare(op, request, policy),
        }
    }

    /// §7.6.8 / §8.9: six parts each matched separately; variables are recognised
    /// before splitting and stay in the segment they were written in.
    fn arn_like(&self, pattern: &str, variables: bool, request: &str) -> bool {
        let Some(request) = split_arn(request) else {
            return false;
        };
        let mut segments: Vec<Vec<Token>> = vec![Vec::new()];
        for t in tokens(pattern, variables, true) {
            if t == Token::Char(':') && segments.len() < 6 {
                segments.push(Vec::new());
            } else {
                segments.last_mut().unwrap().push(t);
            }
        }
        if segments.len() != 6 {
            return false;
        }
        segments
            .iter()
            .zip(request)
            .all(|(seg, req)| match substitute(seg, self.r.context()) {
                Some(t) => self.p.is_match(&regex_source(&t, ANY_RUN, ANY_ONE), req),
                None => false,
            })
    }

    // --- §3 statements ----------------------------------------------------

    /// `Some(kinds)` when the statement applies (kinds: how its `Principal` matched,
    /// empty without one), `None` when it does not.
    fn applies(&self, policy: &Policy, s: &Statement, in_resource_policy: bool) -> Option<Kinds> {
        let variables = policy.version == PolicyVersion::V2012_10_17;
        // §4.4
        let any_action = s
            .action
            .entries
            .iter()
            .any(|e| self.action_entry_matches(&e.value));
        if any_action == s.action.negated {
            return None;
        }
        // §5.9; a resource policy statement without Resource covers its own resource.
        if let Some(resource) = &s.resource {
            let any = resource
                .entries
                .iter()
                .any(|e| self.resource_entry_matches(&e.value, variables));
            if any == resource.negated {
                return None;
            }
        }
        let mut kinds = Kinds::default();
        if let Some(p) = &s.principal {
            if p.negated {
                if self.excluded_by_not_principal(&p.value) {
                    return None;
                }
            } else {
                kinds = self.principal_kinds(&p.value);
                if !kinds.any() {
                    return None;
                }
            }
        }
        // §9.2a: the bucket owner's root keeps access to the bucket policy.
        if in_resource_policy && s.effect == Effect::Deny && self.bucket_owner_root() {
            return None;
        }
        // §7.1: every condition must hold.
        if !s
            .conditions
            .iter()
            .all(|c| self.condition_holds(c, variables))
        {
            return None;
        }
        Some(kinds)
    }

    fn bucket_owner_root(&self) -> bool {
        matches!(self.r.caller(), Caller::Root { .. })
            && [
                "s3:GetBucketPolicy",
                "s3:PutBucketPolicy",
                "s3:DeleteBucketPolicy",
            ]
            .iter()
            .any(|a| a.eq_ignore_ascii_case(self.r.action()))
            && self.r.principal_account().is_some()
            && self.r.principal_account() == self.r.resource_account()
    }

    fn has_applying(&self, policy: &Policy, effect: Effect, in_resource_policy: bool) -> bool {
        policy
            .statements
            .iter()
            .filter(|s| s.effect == effect)
            .any(|s| self.applies(policy, s, in_resource_policy).is_some())
    }

    // --- §9 decision ------------------------------------------------------

    fn same_account(&self) -> bool {
        // §1.4: a service principal is never same-account.
        if matches!(self.r.caller(), Caller::Service) {
            return false;
        }
        match (self.r.principal_account(), self.r.resource_account()) {
            (Some(a), Some(b)) => a == b,
            _ => false,
        }
    }

    /// §9.5: a KMS key, or an IAM role as the target of `sts:AssumeRole*`.
    fn special_target(&self) -> bool {
        let Some((service, name)) = self.r.action().split_once(':') else {
            return false;
        };
        let Some(arn) = split_arn(self.r.resource()) else {
            return false;
        };
        // "A KMS key": the ARN must be one (service part `kms`, compared as written,
        // like every ARN part), not merely have a `key/` resource part.
        let kms_key =
            service.eq_ignore_ascii_case("kms") && arn[2] == "kms" && arn[5].starts_with("key/");
        let trust = service.eq_ignore_ascii_case("sts")
            && name.to_ascii_lowercase().starts_with("assumerole")
            && arn[2] == "iam"
            && arn[5].starts_with("role/");
        kms_key || trust
    }

    /// §9.8: outcomes STS fixes whatever the policies say.
    fn fixed_by_service(&self) -> Option<Decision> {
        let action = self.r.action().to_ascii_lowercase();
        match action.as_str() {
            "sts:getcalleridentity" => Some(Decision::Allowed),
            "sts:assumerole" if matches!(self.r.caller(), Caller::Root { .. }) => {
                Some(Decision::ImplicitDeny)
            }
            // An authentication operation: no policy controls it.
            "sts:getsessiontoken"
                if matches!(self.r.caller(), Caller::User { .. } | Caller::Root { .. }) =>
            {
                Some(Decision::Allowed)
            }
            _ => None,
        }
    }

    /// §9.4a: SCPs restrict IAM users, roles and root users of member accounts only;
    /// not service-linked roles (path `/aws-service-role/`, read from the role ARN or
    /// from `aws:PrincipalArn`), service principals or anonymous callers.
    fn scps_restrict(&self) -> bool {
        if matches!(
            self.r.caller(),
            Caller::Service | Caller::Anonymous | Caller::Other
        ) {
            return false;
        }
        let role_arn = if self.r.principal().contains(":role/") {
            Some(self.r.principal().to_owned())
        } else {
            match self.r.context().get_any_case("aws:PrincipalArn") {
                Some(ContextValue::Single(v)) => Some(v.to_string()),
                _ => None,
            }
        };
        let service_linked = role_arn.is_some_and(|arn| arn.contains(":role/aws-service-role/"));
        !service_linked && self.r.caller_account() == CallerAccount::Member
    }

    /// §9.3a: RCPs apply to the actions of the services that support them.
    fn rcps_apply(&self) -> bool {
        let service = self
            .r
            .action()
            .split(':')
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        RCP_SERVICES.contains(&service.as_str())
    }

    fn decide(&self) -> Decision {
        if let Some(fixed) = self.fixed_by_service() {
            return fixed;
        }
        let p = self.p;
        let no_levels: &[Policy] = &[];
        let scp = if self.scps_restrict() {
            &p.scp[..]
        } else {
            no_levels
        };
        let rcp = if self.rcps_apply() {
            &p.rcp[..]
        } else {
            no_levels
        };
        // §9.2 step 1: an applying Deny anywhere.
        let deny = p
            .identity
            .iter()
            .chain(p.boundary.iter())
            .chain(p.session.iter())
            .chain(scp.iter())
            .chain(rcp.iter())
            .any(|policy| self.has_applying(policy, Effect::Deny, false))
            || p.resource
                .iter()
                .any(|policy| self.has_applying(policy, Effect::Deny, true));
        if deny {
            return Decision::ExplicitDeny;
        }
        // §9.3 step 2: RCPs only take away through Deny (done above).
        // §9.4 step 3: every SCP level must allow.
        if scp
            .iter()
            .any(|level| !self.has_applying(level, Effect::Allow, false))
        {
            return Decision::ImplicitDeny;
        }
        // §9.5 step 4.
        let id_allow = p
            .identity
            .iter()
            .any(|policy| self.has_applying(policy, Effect::Allow, false));
        let bnd_ok = p
            .boundary
            .as_ref()
            .is_none_or(|b| self.has_applying(b, Effect::Allow, false));
        let sess_ok = match &p.session {
            Some(s) => self.has_applying(s, Effect::Allow, false),
            None => !matches!(self.r.caller(), Caller::FederatedUser { .. }),
        };
        let mut k = Kinds::default();
        if let Some(policy) = &p.resource {
            for s in policy
                .statements
                .iter()
                .filter(|s| s.effect == Effect::Allow)
            {
                if let Some(kinds) = self.applies(policy, s, true) {
                    k = k.union(kinds);
                }
            }
        }
        let special = self.special_target();
        let allowed = match self.r.caller() {
            // 9.5.1 (and §11.11 for special targets)
            Caller::Root { .. } => {
                if self.same_account() {
                    !special || k.any()
                } else {
                    k.any()
                }
            }
            // 9.5.2; callers without an AWS identity (anonymous, other strings) are
            // treated alike: only a grant to them or to everyone counts.
            Caller::Service | Caller::Anonymous | Caller::Other => k.direct || k.wildcard,
            // 9.5.3
            _ if self.same_account() => {
                k.direct
                    || k.wildcard
                    || ((k.role || k.federating_user) && bnd_ok && sess_ok)
                    || (id_allow && bnd_ok && sess_ok && (!special || k.account))
            }
            // 9.5.4
            _ => id_allow && bnd_ok && sess_ok && k.any(),
        };
        if allowed {
            Decision::Allowed
        } else {
            Decision::ImplicitDeny
        }
    }
}

/// For a negated operator, its positive counterpart and `true`.
fn positive_form(op: BaseOperator) -> (BaseOperator, bool) {
    use BaseOperator as B;
    match op {
        B::StringNotEquals => (B::StringEquals, true),
        B::StringNotEqualsIgnoreCase => (B::StringEqualsIgnoreCase, true),
        B::StringNotLike => (B::StringLike, true),
        B::NumericNotEquals => (B::NumericEquals, true),
        B::DateNotEquals => (B::DateEquals, true),
        B::NotIpAddress => (B::IpAddress, true),
        B::ArnNotEquals => (B::ArnEquals, true),
        B::ArnNotLike => (B::ArnLike, true),
        other => (other, false),
    }
}

fn scalar_text(v: &ScalarValue) -> &str {
    match v {
        ScalarValue::String(s) | ScalarValue::Number(s) => s,
        ScalarValue::Bool(true) => "true",
        ScalarValue::Bool(false) => "false",
    }
}

/// The engine's typed comparison of one request value with one policy value under a
/// positive operator: a one-value condition over a one-key context. A side that does
/// not parse compares false (SEMANTICS 7.6.3/4/6/7) — the request value, or the policy
/// value, which the engine loads and reports as unreadable rather than refusing the
/// policy.
fn typed_compare(op: BaseOperator, request: &str, policy: &ScalarValue) -> bool {
    const KEY: &str = "reference:value";
    let operator = ConditionOperator {
        qualifier: SetQualifier::Single,
        base: op,
        if_exists: false,
    };
    let value = match policy {
        ScalarValue::String(s) => PolicyValue::String(s),
        ScalarValue::Number(n) => PolicyValue::Number(n),
        ScalarValue::Bool(b) => PolicyValue::Bool(*b),
    };
    let Ok(condition) = CompiledCondition::compile(operator, KEY, &[value], false) else {
        return false;
    };
    if !condition.unreadable_values().is_empty() {
        return false;
    }
    let mut context = Context::new();
    context.insert_str(KEY, request);
    condition.evaluate(&context).matched
}
