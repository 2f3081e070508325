//! The flagship Connect scenario in a few lines: the instance administrator reads a
//! call recording, and the recordings bucket's lock denies it.
//!
//! Run with `cargo run -p iamsim-engine --example flagship`.

use iamsim_engine::{render_text, CompiledPolicySet, Policy, PolicyKind, PolicySet, Request};

const ADMIN_POLICY: &str = include_str!("../../fixtures/connect/instance-admin-policy.json");
const BUCKET_LOCK: &str = include_str!("../../fixtures/connect/recordings-bucket-lock.json");

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Parse: text → typed policies, with the location of every element.
    let admin = Policy::parse(
        ADMIN_POLICY,
        PolicyKind::Identity,
        "fixtures/connect/instance-admin-policy.json",
    )?;
    let lock = Policy::parse(
        BUCKET_LOCK,
        PolicyKind::Resource,
        "fixtures/connect/recordings-bucket-lock.json",
    )?;

    // Compile once: the set is immutable and can be shared between threads.
    let set = CompiledPolicySet::compile(&PolicySet {
        identity: vec![admin],
        resource: Some(lock),
        ..PolicySet::default()
    })?;

    // Evaluate one request: the instance admin's session reads a recording.
    let mut request = Request::new(
        "arn:aws:sts::123456789012:assumed-role/ConnectInstanceAdmin/alice",
        "s3:GetObject",
        "arn:aws:s3:::connect-recordings-mycc/x.wav",
    );
    request
        .context_mut()
        .insert_str("aws:userid", "AROAXINSTADMINEXAMPLE:alice");
    let response = set.evaluate(&request);
    println!("{}", serde_json::to_string(&response.to_json_form(&set))?);

    // Explain: every statement of every layer, with each condition's outcome.
    let explanation = set.explain(&request);
    print!("{}", render_text(&set, &request, &explanation));
    Ok(())
}
