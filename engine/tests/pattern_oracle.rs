//! The wildcard matcher against an anchored-regex oracle, on generated patterns and
//! near-matching texts (SEMANTICS §4.3, §5.3–5.6, §8.5), and the pattern sets against
//! a linear scan of their entries. The test kit's seeded generator keeps runs
//! reproducible.

// Inside `mod pattern` so that `cargo test pattern` selects these tests too.
mod pattern {
    use iamsim_engine::internal::pattern::arn::{ArnPattern, VariableScope};
    use iamsim_engine::internal::pattern::glob::glob_match_str;
    use iamsim_engine::internal::pattern::pieces::{parse_pieces, Wildcards};
    use iamsim_engine::internal::pattern::{
        glob_match, ActionPattern, ActionPatternSet, ResourcePatternSet,
    };
    use iamsim_engine::request::Context;
    use iamsim_testkit::generate::{instantiate, mutate, near_match, random_string};
    use iamsim_testkit::oracle::{literal, Glob, Oracle};
    use iamsim_testkit::Rng;

    /// Characters patterns are built from: wildcards, separators, regex metacharacters,
    /// a backslash and a two-byte character.
    const PATTERN_CHARS: &[char] = &['a', 'b', '/', ':', '*', '?', 'é', '.', '[', '\\'];
    /// Characters texts are built from; `*` and `?` here are ordinary characters.
    const TEXT_CHARS: &[char] = &['a', 'b', '/', ':', 'é', '.', '[', '\\', '*', '?'];

    #[test]
    fn glob_agrees_with_regex_oracle() {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        let (mut matched, mut total) = (0, 0);
        let mut pattern = String::new();
        let oracle = Oracle::default();
        for case in 0..20_000 {
            // Five near-matching texts per pattern, so regex compilation stays cheap.
            if case % 5 == 0 {
                pattern = random_string(&mut rng, PATTERN_CHARS, 8);
            }
            let instance = instantiate(&mut rng, &pattern, TEXT_CHARS);
            let text = mutate(&mut rng, &instance, TEXT_CHARS);
            let expected = oracle.is_match(&pattern, &text);
            assert_eq!(
                glob_match_str(&pattern, &text),
                expected,
                "pattern {pattern:?} against {text:?}"
            );
            matched += usize::from(expected);
            total += 1;
        }
        // The generator must exercise both answers, not just one.
        assert!(
            matched > total / 5 && matched < total * 4 / 5,
            "{matched} of {total} matched"
        );
    }

    #[test]
    fn glob_with_variables_agrees_with_oracle_on_substituted_text() {
        // A substituted value is literal text (SEMANTICS §8.5): the oracle escapes it.
        let mut rng = Rng(0x0123_4567_89ab_cdef);
        let oracle = Oracle::default();
        for _ in 0..5_000 {
            let value = random_string(&mut rng, TEXT_CHARS, 3);
            let mut context = Context::new();
            context.insert_str("aws:username", &value);
            let (mut pattern, mut expected_pieces, mut text) =
                (String::new(), Vec::new(), String::new());
            for _ in 0..rng.below(6) {
                if rng.one_in(3) {
                    pattern.push_str("${aws:username}");
                    expected_pieces.extend(literal(&value));
                    text.push_str(&value);
                } else {
                    match *rng.pick(&['a', '/', '*', '?', ':']) {
                        '*' => {
                            pattern.push('*');
                            expected_pieces.push(Glob::Star);
                            text.push_str(&random_string(&mut rng, TEXT_CHARS, 3));
                        }
                        '?' => {
                            pattern.push('?');
                            expected_pieces.push(Glob::One);
                            text.push(*rng.pick(TEXT_CHARS));
                        }
                        c => {
                            pattern.push(c);
                            expected_pieces.push(Glob::Literal(c));
                            text.push(c);
                        }
                    }
                }
            }
            let text = mutate(&mut rng, &text, TEXT_CHARS);
            let expected = oracle.pieces_match(expected_pieces, &text);
            let pieces = parse_pieces(&pattern, true, Wildcards::Recognised);
            assert_eq!(
                glob_match(&pieces, &text, &context),
                Some(expected),
                "pattern {pattern:?} with value {value:?} against {text:?}"
            );
            if pattern.contains("${") {
                assert_eq!(glob_match(&pieces, &text, &Context::new()), None);
            }
        }
    }

    #[test]
    fn adversarial_star_runs() {
        // Guards the single-backup-point matcher: these must return, and correctly.
        let many_a = "a".repeat(10_000);
        assert!(!glob_match_str(&format!("{}*b", "*a".repeat(49)), &many_a));
        assert!(glob_match_str(&format!("{}*", "*a".repeat(49)), &many_a));
        assert!(!glob_match_str(&format!("*{}b*", "a".repeat(30)), &many_a));
        assert!(!glob_match_str(
            &format!("*{}", "?".repeat(10_001)),
            &many_a
        ));
        assert!(glob_match_str(&"*?".repeat(50), &many_a));
        let many_e = "é".repeat(5_000);
        assert!(!glob_match_str(&format!("{}*b", "*é".repeat(49)), &many_e));
    }

    /// The reference ARN matcher, written from SEMANTICS §5 without any shortcut.
    fn reference_arn_match(oracle: &Oracle, pattern: &str, text: &str) -> bool {
        if pattern == "*" {
            return true;
        }
        let segments: Vec<&str> = text.splitn(6, ':').collect();
        if segments.len() < 6 {
            return false;
        }
        let parts: Vec<&str> = pattern.splitn(6, ':').collect();
        if parts.len() == 6 {
            return parts
                .iter()
                .zip(&segments)
                .all(|(part, segment)| oracle.is_match(part, segment));
        }
        let Some((last, leading)) = parts.split_last() else {
            return false;
        };
        if !last.ends_with('*') {
            return false;
        }
        let leading_match = leading
            .iter()
            .zip(&segments)
            .all(|(part, segment)| oracle.is_match(part, segment));
        // Only the `*` ending the last part crosses `:` (SEMANTICS §5.3): the part
        // must match its own segment, and that `*` then covers the segments after it.
        let own_segment = segments.get(leading.len()).copied().unwrap_or("");
        leading_match && oracle.is_match(last, own_segment)
    }

    const ARN_SEGMENT_CHARS: &[char] = &['a', 'b', '*', '?'];
    const ARN_RESOURCE_CHARS: &[char] = &['a', 'b', '/', ':', '*', '?'];
    const ARN_TEXT_CHARS: &[char] = &['a', 'b', '/', ':', '*'];

    fn random_arn_pattern(rng: &mut Rng) -> String {
        if rng.one_in(40) {
            return "*".to_owned();
        }
        let parts = if rng.one_in(4) { 1 + rng.below(5) } else { 6 };
        let mut pattern = String::new();
        for index in 0..parts {
            if index > 0 {
                pattern.push(':');
            }
            let literal_prefix = rng.one_in(2);
            let segment = match index {
                0 if literal_prefix => "arn".to_owned(),
                1 if literal_prefix => "aws".to_owned(),
                2 if literal_prefix => (*rng.pick(&["s3", "logs", "ab"])).to_owned(),
                5 => random_string(rng, ARN_RESOURCE_CHARS, 6),
                _ => random_string(rng, ARN_SEGMENT_CHARS, 2),
            };
            pattern.push_str(&segment);
        }
        if parts < 6 && rng.one_in(2) {
            pattern.push('*');
        }
        pattern
    }

    fn near_arn(rng: &mut Rng, pattern: &str) -> String {
        near_match(rng, pattern, ARN_TEXT_CHARS)
    }

    #[test]
    fn arn_pattern_agrees_with_reference() {
        let mut rng = Rng(0xdead_beef_cafe_f00d);
        let oracle = Oracle::default();
        let context = Context::new();
        let (mut matched, mut total) = (0, 0);
        let mut pattern = String::new();
        for case in 0..20_000 {
            if case % 5 == 0 {
                pattern = random_arn_pattern(&mut rng);
            }
            let text = if rng.one_in(5) {
                let other = random_arn_pattern(&mut rng);
                near_arn(&mut rng, &other)
            } else {
                near_arn(&mut rng, &pattern)
            };
            let expected = reference_arn_match(&oracle, &pattern, &text);
            for scope in [VariableScope::ResourcePart, VariableScope::Anywhere] {
                for variables in [true, false] {
                    let compiled = ArnPattern::parse(&pattern, variables, scope);
                    assert_eq!(
                        compiled.matches(&text, &context),
                        Some(expected),
                        "ARN pattern {pattern:?} ({scope:?}) against {text:?}"
                    );
                }
            }
            matched += usize::from(expected);
            total += 1;
        }
        assert!(
            matched > total / 10 && matched < total * 9 / 10,
            "{matched} of {total} matched"
        );
    }

    fn random_resource_entry(rng: &mut Rng) -> String {
        match rng.below(8) {
            0 => format!(
                "arn:aws:s3:::{}/${{aws:username}}/*",
                random_string(rng, &['a', 'b'], 2)
            ),
            1 => "arn:aws:s3:::x/${aws:userid}".to_owned(),
            2 => format!("arn:aws:s3:::{}", random_string(rng, &['a', 'b'], 3)),
            3 => format!("arn:aws:s3:::{}*", random_string(rng, &['a', 'b'], 3)),
            4 => format!(
                "arn:aws:s3:::{}*{}",
                random_string(rng, &['a', 'b'], 2),
                random_string(rng, &['a', 'b'], 2)
            ),
            _ => random_arn_pattern(rng),
        }
    }

    #[test]
    fn resource_set_agrees_with_linear_scan() {
        let mut rng = Rng(0x1234_5678_9abc_def1);
        let mut context = Context::new();
        context.insert_str("aws:username", "ab");
        for _ in 0..3_000 {
            let entries: Vec<String> = (0..1 + rng.below(12))
                .map(|_| random_resource_entry(&mut rng))
                .collect();
            let patterns: Vec<ArnPattern> = entries
                .iter()
                .map(|text| ArnPattern::parse(text, true, VariableScope::ResourcePart))
                .collect();
            let set = ResourcePatternSet::new(patterns);
            for _ in 0..8 {
                let source = &entries[rng.below(entries.len())];
                let text = match rng.below(6) {
                    0 => "*".to_owned(),
                    1 => near_arn(&mut rng, &source.replace("${aws:username}", "ab")),
                    _ => instantiate(
                        &mut rng,
                        &source.replace("${aws:username}", "ab"),
                        ARN_TEXT_CHARS,
                    ),
                };
                let results: Vec<Option<bool>> = set
                    .patterns()
                    .iter()
                    .map(|p| p.matches(&text, &context))
                    .collect();
                let result = set.matches(&text, &context);
                assert_eq!(
                    result.matched,
                    results.contains(&Some(true)),
                    "{text:?} in {entries:?}"
                );
                assert_eq!(
                    result.unresolved,
                    results.contains(&None),
                    "{text:?} in {entries:?}"
                );
                assert_eq!(
                    set.first_match(&text, &context),
                    results.iter().position(|r| *r == Some(true)),
                    "{text:?} in {entries:?}"
                );
            }
        }
    }

    fn random_action(rng: &mut Rng) -> String {
        if rng.one_in(30) {
            return "*".to_owned();
        }
        let service = *rng.pick(&["s3", "S3", "s3express", "connect"]);
        format!(
            "{service}:{}",
            random_string(rng, &['g', 'E', 't', '*', '?'], 4)
        )
    }

    #[test]
    fn action_set_agrees_with_linear_scan() {
        let mut rng = Rng(0x0f0f_0f0f_1234_4321);
        let oracle = Oracle::default();
        for _ in 0..3_000 {
            let entries: Vec<String> = (0..1 + rng.below(10))
                .map(|_| random_action(&mut rng))
                .collect();
            let patterns: Vec<ActionPattern> = entries
                .iter()
                .filter_map(|text| ActionPattern::parse(text).ok())
                .collect();
            let set = ActionPatternSet::new(patterns);
            for _ in 0..8 {
                let source = entries[rng.below(entries.len())].to_ascii_lowercase();
                let instance = instantiate(&mut rng, &source, &['g', 'e', 't']);
                let action = mutate(&mut rng, &instance, &['g', 'e', 't']);
                let (service, name) = action.split_once(':').unwrap_or(("s3", action.as_str()));
                let first = set.patterns().iter().position(|p| p.matches(service, name));
                assert_eq!(
                    set.matches(service, name),
                    first.is_some(),
                    "{action:?} in {entries:?}"
                );
                assert_eq!(
                    set.first_match(service, name),
                    first,
                    "{action:?} in {entries:?}"
                );
                // And the name glob itself agrees with the oracle.
                for pattern in set.patterns() {
                    let expected = match pattern.as_written().to_ascii_lowercase().split_once(':') {
                        None => true,
                        Some((s, n)) => s == service && oracle.is_match(n, name),
                    };
                    assert_eq!(
                        pattern.matches(service, name),
                        expected,
                        "{pattern} vs {action:?}"
                    );
                }
            }
        }
    }
}
