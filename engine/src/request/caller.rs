//! Step 2, the request — its caller: who is calling, classified once from the
//! principal string (SEMANTICS §1.3).

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
        let Some(parts) = crate::util::arn::split_arn(principal) else {
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
