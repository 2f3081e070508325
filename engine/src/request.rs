//! Step: the request, normalised once. A [`Request`] carries the caller, action,
//! resource and context; building it lower-cases the action, splits the service
//! prefix, splits the resource ARN and classifies the caller, so that evaluation
//! itself never allocates or re-parses.

/// A context value: one string or a set of strings (a multivalued key).
///
/// JSON booleans and numbers are normalised to their text (`true`, `10`) when a
/// context is built from JSON; an empty `Multi` is a present key with no values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ContextValue {
    /// A single-valued key.
    Single(Box<str>),
    /// A multivalued key (a JSON array in the request).
    Multi(Vec<Box<str>>),
}

impl ContextValue {
    /// The values as a slice: one element for `Single`.
    pub fn values(&self) -> &[Box<str>] {
        match self {
            ContextValue::Single(v) => std::slice::from_ref(v),
            ContextValue::Multi(v) => v,
        }
    }
}

/// The request context: condition keys present in the request.
///
/// Key names compare case-insensitively (IAM User Guide, Condition element), so
/// they are stored lower-cased; the spelling the caller used is kept for messages.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Context {
    /// Sorted by lower-cased key; at most one entry per key.
    entries: Vec<ContextEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct ContextEntry {
    key: Box<str>,
    key_as_written: Box<str>,
    value: ContextValue,
}

impl Context {
    /// An empty context.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `key` (any case) to `value`, replacing an earlier value of the same key.
    pub fn insert(&mut self, key: &str, value: ContextValue) {
        let lower = key.to_ascii_lowercase();
        match self
            .entries
            .binary_search_by(|e| (*e.key).cmp(lower.as_str()))
        {
            Ok(i) => {
                self.entries[i].value = value;
                self.entries[i].key_as_written = key.into();
            }
            Err(i) => self.entries.insert(
                i,
                ContextEntry {
                    key: lower.into_boxed_str(),
                    key_as_written: key.into(),
                    value,
                },
            ),
        }
    }

    /// Sets a single-valued key.
    pub fn insert_str(&mut self, key: &str, value: &str) {
        self.insert(key, ContextValue::Single(value.into()));
    }

    /// True when `key` (any case) is present.
    pub fn contains(&self, key: &str) -> bool {
        self.get_any_case(key).is_some()
    }

    /// Looks up an already lower-cased key. This is the hot-path lookup: compiled
    /// conditions lower-case their key once at compile time.
    pub fn get(&self, lowercase_key: &str) -> Option<&ContextValue> {
        self.entries
            .binary_search_by(|e| (*e.key).cmp(lowercase_key))
            .ok()
            .map(|i| &self.entries[i].value)
    }

    /// Looks up a key in any case (allocates only for keys with upper-case letters).
    pub fn get_any_case(&self, key: &str) -> Option<&ContextValue> {
        if key.bytes().any(|b| b.is_ascii_uppercase()) {
            self.get(&key.to_ascii_lowercase())
        } else {
            self.get(key)
        }
    }

    /// Number of keys.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when no key is present.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// `(key as written, value)` pairs, ordered by lower-cased key.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &ContextValue)> {
        self.entries.iter().map(|e| (&*e.key_as_written, &e.value))
    }

    /// Removes every key, keeping the allocation (batch loops reuse one context).
    pub fn clear(&mut self) {
        self.entries.clear();
    }
}

/// Who is calling, as far as the evaluation rules care (SEMANTICS §1.3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Caller {
    /// `arn:P:iam::A:user/[path/]name`.
    User {
        /// The account.
        account: Box<str>,
        /// The user name (last path element).
        name: Box<str>,
    },
    /// `arn:P:iam::A:role/[path/]name`: a session of that role whose name is unknown.
    Role {
        /// The account.
        account: Box<str>,
        /// The role name (last path element).
        role_name: Box<str>,
    },
    /// `arn:P:sts::A:assumed-role/Role/Session`.
    RoleSession {
        /// The account.
        account: Box<str>,
        /// The role name.
        role_name: Box<str>,
    },
    /// `arn:P:sts::A:federated-user/Name` (GetFederationToken).
    FederatedUser {
        /// The account.
        account: Box<str>,
        /// The federated user name, which is also the federating IAM user's name.
        name: Box<str>,
    },
    /// `arn:P:iam::A:root`.
    Root {
        /// The account.
        account: Box<str>,
    },
    /// A service principal such as `sns.amazonaws.com`.
    Service,
    /// The word `anonymous`: an unauthenticated caller.
    Anonymous,
    /// Anything else (an identity-provider string, a canonical user id…).
    Other,
}

impl Caller {
    /// Classifies a caller string.
    pub fn classify(principal: &str) -> Caller {
        if principal == "anonymous" {
            return Caller::Anonymous;
        }
        let Some(parts) = crate::pattern::split_arn(principal) else {
            return if principal.ends_with(".amazonaws.com")
                || principal.ends_with(".amazonaws.com.cn")
            {
                Caller::Service
            } else {
                Caller::Other
            };
        };
        let [_, _, service, _, account, resource] = parts;
        let account: Box<str> = account.into();
        match (service, resource.split_once('/')) {
            ("iam", None) if resource == "root" => Caller::Root { account },
            ("iam", Some(("user", path))) => Caller::User {
                account,
                name: last_path_element(path).into(),
            },
            ("iam", Some(("role", path))) => Caller::Role {
                account,
                role_name: last_path_element(path).into(),
            },
            ("sts", Some(("assumed-role", rest))) => match rest.split_once('/') {
                Some((role, _session)) => Caller::RoleSession {
                    account,
                    role_name: role.into(),
                },
                None => Caller::Other,
            },
            ("sts", Some(("federated-user", name))) => Caller::FederatedUser {
                account,
                name: name.into(),
            },
            _ => Caller::Other,
        }
    }

    /// The caller's account, when the caller belongs to one.
    pub fn account(&self) -> Option<&str> {
        match self {
            Caller::User { account, .. }
            | Caller::Role { account, .. }
            | Caller::RoleSession { account, .. }
            | Caller::FederatedUser { account, .. }
            | Caller::Root { account } => Some(account),
            Caller::Service | Caller::Anonymous | Caller::Other => None,
        }
    }
}

fn last_path_element(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
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
    resource: String,
    context: Context,
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
            resource: String::new(),
            context: Context::new(),
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

    /// Sets the caller, reusing this request's buffers.
    pub fn set_principal(&mut self, principal: &str) {
        self.principal.clear();
        self.principal.push_str(principal);
        self.caller = Caller::classify(principal);
    }

    /// Sets the action, reusing buffers; it is lower-cased once here.
    pub fn set_action(&mut self, action: &str) {
        self.action.clear();
        self.action.push_str(action);
        self.action_lower.clear();
        self.action_lower
            .extend(action.chars().map(|c| c.to_ascii_lowercase()));
        self.colon = self.action_lower.find(':');
    }

    /// Sets the resource, reusing buffers.
    pub fn set_resource(&mut self, resource: &str) {
        self.resource.clear();
        self.resource.push_str(resource);
    }

    /// Sets or clears the explicit accounts.
    pub fn set_accounts(
        &mut self,
        principal_account: Option<&str>,
        resource_account: Option<&str>,
    ) {
        self.explicit_principal_account = principal_account.map(str::to_owned);
        self.explicit_resource_account = resource_account.map(str::to_owned);
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

    /// The resource owner's account (SEMANTICS 1.4).
    pub fn resource_account(&self) -> Option<&str> {
        if let Some(a) = &self.explicit_resource_account {
            return Some(a);
        }
        match crate::pattern::split_arn(&self.resource) {
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
            (Some(a), Some(b)) => a == b,
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
