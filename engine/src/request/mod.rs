//! Step 2, the request, normalised once. A [`Request`] carries the caller, action,
//! resource and context; building it lower-cases the action, splits the service
//! prefix, splits the resource ARN and classifies the caller, so that evaluation
//! itself never allocates or re-parses.
//!
//! * [`Context`] and [`ContextValue`]: the condition keys of the request.
//! * [`Caller`]: the principal, classified.
//! * [`Request`]: the whole request, normalised when built or refilled.

mod caller;
mod context;
mod scope;

pub use caller::Caller;
pub use context::{Context, ContextValue};
pub use scope::{CallerAccount, NotInForce, RCP_SERVICES};

use crate::util::str_map::{bytes_eq, hash_str, StrKey};

/// The byte offsets of the first five `:` of `s`, or `None` when it has fewer (it is
/// not an ARN). One pass over the bytes.
fn arn_colons(s: &str) -> Option<[usize; 5]> {
    let mut colons = [0usize; 5];
    let mut found = 0;
    for (i, b) in s.bytes().enumerate() {
        if b == b':' {
            if let Some(slot) = colons.get_mut(found) {
                *slot = i;
            }
            found += 1;
            if found == colons.len() {
                return Some(colons);
            }
        }
    }
    None
}

/// Sets an optional owned string from a borrowed one, reusing its buffer.
fn set_optional(slot: &mut Option<String>, value: Option<&str>) {
    match (slot.as_mut(), value) {
        (Some(current), Some(value)) => {
            if current != value {
                current.clear();
                current.push_str(value);
            }
        }
        (_, value) => *slot = value.map(str::to_owned),
    }
}

/// One request to evaluate: caller, action, resource, context.
///
/// Build it once; evaluation reads the normalised parts (lower-cased action, service
/// prefix, caller classification, accounts) without recomputing them.
///
/// ```
/// use iamsim_engine::request::Request;
/// let r = Request::new("arn:aws:iam::123456789012:user/alice", "S3:GetObject", "arn:aws:s3:::b/k");
/// assert_eq!(r.service(), "s3");
/// assert_eq!(r.action_name(), "getobject");
/// assert_eq!(r.resource_account(), Some("123456789012"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    principal: String,
    caller: Caller,
    explicit_principal_account: Option<String>,
    explicit_resource_account: Option<String>,
    action: String,
    action_lower: String,
    colon: Option<usize>,
    /// [`hash_str`] of the service prefix and of the action name, for the compiled
    /// set's index.
    action_hashes: (u64, u64),
    resource: String,
    /// Byte offsets of the resource's first five `:` when it is an ARN, found once
    /// here so that evaluation never splits it again.
    resource_colons: Option<[usize; 5]>,
    context: Context,
    caller_account: CallerAccount,
}

impl Request {
    /// A request with an empty context.
    pub fn new(principal: &str, action: &str, resource: &str) -> Request {
        let mut r = Request {
            principal: String::new(),
            caller: Caller::Other,
            explicit_principal_account: None,
            explicit_resource_account: None,
            action: String::new(),
            action_lower: String::new(),
            colon: None,
            action_hashes: (0, 0),
            resource: String::new(),
            resource_colons: None,
            context: Context::new(),
            caller_account: CallerAccount::Member,
        };
        r.set_principal(principal);
        r.set_action(action);
        r.set_resource(resource);
        r
    }

    /// Replaces the context.
    pub fn with_context(mut self, context: Context) -> Self {
        self.context = context;
        self
    }

    /// Sets the caller's account explicitly (default: the account of the principal ARN).
    pub fn with_principal_account(mut self, account: &str) -> Self {
        self.explicit_principal_account = Some(account.to_owned());
        self
    }

    /// Sets the resource owner's account explicitly (default: the resource ARN's
    /// account field, or the caller's account when that is empty or the resource is `*`).
    pub fn with_resource_account(mut self, account: &str) -> Self {
        self.explicit_resource_account = Some(account.to_owned());
        self
    }

    /// Sets the caller, reusing this request's buffers. A batch loop that sets the
    /// same caller again keeps the classification it already has.
    pub fn set_principal(&mut self, principal: &str) {
        if self.principal == principal {
            return;
        }
        self.principal.clear();
        self.principal.push_str(principal);
        self.caller = Caller::classify(principal);
    }

    /// Sets the action, reusing buffers; it is lower-cased once here.
    pub fn set_action(&mut self, action: &str) {
        self.action.clear();
        self.action.push_str(action);
        self.action_lower.clear();
        self.action_lower.push_str(action);
        self.action_lower.make_ascii_lowercase();
        self.colon = self.action_lower.find(':');
        self.action_hashes = (hash_str(self.service()), hash_str(self.action_name()));
    }

    /// Sets the resource, reusing buffers; an ARN is split into its parts once here.
    pub fn set_resource(&mut self, resource: &str) {
        self.resource.clear();
        self.resource.push_str(resource);
        self.resource_colons = arn_colons(resource);
    }

    /// Sets or clears the explicit accounts (reusing their buffers).
    pub fn set_accounts(
        &mut self,
        principal_account: Option<&str>,
        resource_account: Option<&str>,
    ) {
        set_optional(&mut self.explicit_principal_account, principal_account);
        set_optional(&mut self.explicit_resource_account, resource_account);
    }

    /// Says where the caller's account stands in the organization (default: a
    /// member account); SCPs restrict only member accounts (SEMANTICS §9.4a).
    pub fn set_caller_account(&mut self, standing: CallerAccount) {
        self.caller_account = standing;
    }

    /// Where the caller's account stands in the organization.
    pub fn caller_account(&self) -> CallerAccount {
        self.caller_account
    }

    /// The context, for building it in place.
    pub fn context_mut(&mut self) -> &mut Context {
        &mut self.context
    }

    /// The context.
    pub fn context(&self) -> &Context {
        &self.context
    }

    /// The caller string as given.
    pub fn principal(&self) -> &str {
        &self.principal
    }

    /// The classified caller.
    pub fn caller(&self) -> &Caller {
        &self.caller
    }

    /// The action as given.
    pub fn action(&self) -> &str {
        &self.action
    }

    /// The lower-cased service prefix (`s3`), or the whole action if it has no `:`.
    pub fn service(&self) -> &str {
        match self.colon {
            Some(i) => self.action_lower.get(..i).unwrap_or(""),
            None => &self.action_lower,
        }
    }

    /// The lower-cased action name after the first `:` (empty without a colon).
    pub fn action_name(&self) -> &str {
        match self.colon {
            Some(i) => self.action_lower.get(i + 1..).unwrap_or(""),
            None => "",
        }
    }

    /// The service prefix and action name with their hashes (computed once, by
    /// `set_action`).
    #[inline]
    pub(crate) fn action_keys(&self) -> (StrKey<'_>, StrKey<'_>) {
        (
            StrKey {
                text: self.service(),
                hash: self.action_hashes.0,
            },
            StrKey {
                text: self.action_name(),
                hash: self.action_hashes.1,
            },
        )
    }

    /// The resource as given (an ARN, or `*`).
    pub fn resource(&self) -> &str {
        &self.resource
    }

    /// The caller's account: explicit, else from the principal ARN.
    pub fn principal_account(&self) -> Option<&str> {
        self.explicit_principal_account
            .as_deref()
            .or_else(|| self.caller.account())
    }

    /// The resource ARN split at its first five `:` (as
    /// [`split_arn`](crate::util::arn::split_arn) would), without searching it again.
    #[inline]
    pub(crate) fn resource_arn(&self) -> Option<[&str; 6]> {
        let [a, b, c, d, e] = self.resource_colons?;
        let r = self.resource.as_str();
        Some([
            r.get(..a)?,
            r.get(a + 1..b)?,
            r.get(b + 1..c)?,
            r.get(c + 1..d)?,
            r.get(d + 1..e)?,
            r.get(e + 1..)?,
        ])
    }

    /// The resource owner's account (SEMANTICS 1.4).
    pub fn resource_account(&self) -> Option<&str> {
        if let Some(a) = &self.explicit_resource_account {
            return Some(a);
        }
        match self.resource_arn() {
            Some([.., account, _]) if !account.is_empty() => Some(account),
            _ => self.principal_account(),
        }
    }

    /// Same-account request: both accounts known and equal. A service principal
    /// is never same-account.
    pub fn is_same_account(&self) -> bool {
        if matches!(self.caller, Caller::Service) {
            return false;
        }
        match (self.principal_account(), self.resource_account()) {
            (Some(a), Some(b)) => bytes_eq(a.as_bytes(), b.as_bytes()),
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn callers_are_classified() {
        let c = |p: &str| Caller::classify(p);
        assert!(
            matches!(c("arn:aws:iam::111122223333:user/dev/alice"), Caller::User { name, .. } if &*name == "alice")
        );
        assert!(
            matches!(c("arn:aws:iam::111122223333:role/svc/Admin"), Caller::Role { role_name, .. } if &*role_name == "Admin")
        );
        assert!(
            matches!(c("arn:aws:sts::111122223333:assumed-role/Admin/bob"), Caller::RoleSession { role_name, .. } if &*role_name == "Admin")
        );
        assert!(matches!(
            c("arn:aws:sts::111122223333:federated-user/carol"),
            Caller::FederatedUser { .. }
        ));
        assert!(matches!(
            c("arn:aws:iam::111122223333:root"),
            Caller::Root { .. }
        ));
        assert_eq!(c("sns.amazonaws.com"), Caller::Service);
        assert_eq!(c("anonymous"), Caller::Anonymous);
        assert_eq!(c("cognito-identity.example"), Caller::Other);
    }

    #[test]
    fn accounts_default_per_semantics() {
        let r = Request::new(
            "arn:aws:iam::111122223333:user/a",
            "s3:GetObject",
            "arn:aws:s3:::b/k",
        );
        assert_eq!(r.resource_account(), Some("111122223333"));
        assert!(r.is_same_account());
        let r = Request::new(
            "arn:aws:iam::111122223333:user/a",
            "kms:Decrypt",
            "arn:aws:kms:us-east-1:444455556666:key/k",
        );
        assert!(!r.is_same_account());
        let r = r.with_resource_account("111122223333");
        assert!(r.is_same_account());
        let r = Request::new(
            "sns.amazonaws.com",
            "sqs:SendMessage",
            "arn:aws:sqs:us-east-1:1:q",
        );
        assert!(!r.is_same_account());
    }

    #[test]
    fn resource_split_once_agrees_with_split_arn() {
        // Guards the per-request split: it must be exactly `split_arn`'s.
        let mut r = Request::new("arn:aws:iam::1:user/a", "s3:GetObject", "*");
        for resource in [
            "*",
            "",
            "arn:aws:s3:::b/k:with:colons",
            "arn:aws:logs:us-east-1:111122223333:log-group:app:*",
            "arn:aws:s3",
            "a:b:c:d:e",
            "a:b:c:d:e:",
            "arn:é:s3:::ü/ключ",
            ":::::",
        ] {
            r.set_resource(resource);
            assert_eq!(
                r.resource_arn(),
                crate::util::arn::split_arn(resource),
                "{resource}"
            );
        }
    }

    #[test]
    fn setters_reuse_and_reclassify() {
        let mut r = Request::new("arn:aws:iam::111122223333:user/a", "S3:Get", "*");
        r.set_principal("arn:aws:iam::111122223333:user/a");
        assert!(matches!(r.caller(), Caller::User { .. }));
        r.set_principal("arn:aws:iam::111122223333:root");
        assert!(matches!(r.caller(), Caller::Root { .. }));
        r.set_accounts(Some("1"), Some("2"));
        r.set_accounts(Some("3"), None);
        assert_eq!(r.principal_account(), Some("3"));
        assert_eq!(r.resource_account(), Some("3"));
        r.set_accounts(None, Some("4"));
        assert_eq!(r.principal_account(), Some("111122223333"));
        assert_eq!(r.resource_account(), Some("4"));
        r.set_action("Connect:DescribeUser");
        assert_eq!((r.service(), r.action_name()), ("connect", "describeuser"));
        assert_eq!(r.action(), "Connect:DescribeUser");
    }

    #[test]
    fn cleared_context_reuses_entries_and_stays_correct() {
        // Guards the spare entries: a refilled context equals a fresh one, whatever
        // was in it before, and the hashed lookup agrees with the plain one.
        let mut reused = Context::new();
        let rounds: [&[(&str, &str)]; 4] = [
            &[("aws:userId", "a"), ("aws:PrincipalArn", "p"), ("x", "1")],
            &[("AWS:USERID", "b"), ("y", "2")],
            &[],
            &[
                ("x", "3"),
                ("aws:userid", "c"),
                ("aws:PrincipalArn", "q"),
                ("z", "4"),
            ],
        ];
        for round in rounds {
            reused.clear();
            let mut fresh = Context::new();
            for (k, v) in round {
                reused.insert_str(k, v);
                fresh.insert_str(k, v);
            }
            assert_eq!(reused, fresh);
            assert_eq!(format!("{reused:?}"), format!("{fresh:?}"));
            assert_eq!(
                reused.iter().collect::<Vec<_>>(),
                fresh.iter().collect::<Vec<_>>()
            );
            for key in ["aws:userid", "aws:principalarn", "x", "y", "z", "w"] {
                let hashed = reused.get_hashed(key, hash_str(key));
                assert_eq!(hashed, fresh.get(key), "{key}");
                assert_eq!(reused.get(key), fresh.get(key), "{key}");
            }
        }
        assert_eq!(reused.clone(), reused);
    }

    #[test]
    fn merge_from_and_large_contexts_agree_with_insert() {
        let mut big = Context::new();
        for i in (0..40).rev() {
            big.insert_str(&format!("Tag/K{i}"), &format!("v{i}"));
        }
        big.insert("multi", ContextValue::Multi(vec!["a".into(), "b".into()]));
        let mut target = Context::new();
        for round in 0..3 {
            target.clear();
            target.insert_str("tag/k7", "old");
            target.merge_from(&big);
            let mut expected = Context::new();
            expected.insert_str("tag/k7", "old");
            for (k, v) in big.iter() {
                expected.insert(k, v.clone());
            }
            assert_eq!(target, expected, "round {round}");
            assert_eq!(target.len(), 41);
            assert_eq!(
                target.get_hashed("tag/k39", hash_str("tag/k39")),
                Some(&ContextValue::Single("v39".into()))
            );
            let mut updated = big.clone();
            updated.insert_ref("TAG/K3", &ContextValue::Single("new".into()));
            assert_eq!(
                updated.get("tag/k3"),
                Some(&ContextValue::Single("new".into()))
            );
            assert_eq!(
                updated.iter().find(|(k, _)| *k == "TAG/K3").map(|_| ()),
                Some(())
            );
        }
    }

    #[test]
    fn set_single_at_replaces_the_value_of_that_key_only() {
        let mut c = Context::new();
        c.insert_str("aws:SourceIp", "10.0.0.1");
        c.insert_str("aws:userid", "AIDA");
        c.insert("tags", ContextValue::Multi(vec!["a".into()]));
        let mut expected = c.clone();
        let at = c.position("AWS:SOURCEIP").expect("present");
        assert_eq!(c.position("aws:nothere"), None);
        for value in ["10.0.0.2", "192.168.100.200", ""] {
            assert!(c.set_single_at(at, "AWS:SourceIP", value));
            expected.insert_str("AWS:SourceIP", value);
            assert_eq!(c, expected);
            assert_eq!(
                c.iter().map(|(k, _)| k).collect::<Vec<_>>(),
                ["AWS:SourceIP", "aws:userid", "tags"]
            );
        }
        let tags = c.position("tags").expect("present");
        assert!(c.set_single_at(tags, "tags", "b"));
        expected.insert_str("tags", "b");
        assert_eq!(c, expected);
        // The wrong key or position changes nothing.
        assert!(!c.set_single_at(at, "aws:userid", "x"));
        assert!(!c.set_single_at(99, "aws:SourceIp", "x"));
        assert_eq!(c, expected);
    }

    #[test]
    fn keys_are_case_insensitive_values_are_not() {
        let mut c = Context::new();
        c.insert_str("aws:userId", "AROAX:Alice");
        assert_eq!(
            c.get("aws:userid"),
            Some(&ContextValue::Single("AROAX:Alice".into()))
        );
        assert!(c.contains("AWS:USERID"));
        c.insert_str("AWS:UserID", "other");
        assert_eq!(c.len(), 1);
        assert_eq!(
            c.get_any_case("aws:userId").map(|v| v.values().len()),
            Some(1)
        );
    }
}
