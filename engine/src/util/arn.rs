//! Step 0, leaf utility: splitting an ARN into its six parts, shared by request
//! normalisation and the ARN patterns.

/// Splits an ARN at its first five `:` into partition-prefix `arn`, partition,
/// service, region, account and resource part. The resource part keeps any further
/// `:`. `None` when `s` has fewer than five colons (it is not an ARN).
///
/// ```
/// use iamsim_engine::internal::pattern::split_arn;
/// assert_eq!(
///     split_arn("arn:aws:logs:us-east-1:111122223333:log-group:app:*"),
///     Some(["arn", "aws", "logs", "us-east-1", "111122223333", "log-group:app:*"])
/// );
/// assert_eq!(split_arn("*"), None);
/// ```
pub fn split_arn(s: &str) -> Option<[&str; 6]> {
    let (prefix, rest) = s.split_once(':')?;
    let (partition, rest) = rest.split_once(':')?;
    let (service, rest) = rest.split_once(':')?;
    let (region, rest) = rest.split_once(':')?;
    let (account, resource) = rest.split_once(':')?;
    Some([prefix, partition, service, region, account, resource])
}
