//! Property tests: for every document type, `parse(write(x)) == x` and writing is stable;
//! the reader never panics on arbitrary or mutated input.

use proptest::prelude::*;

use peernet_protocol::{
    AttributeValue, Clause, ClauseValue, Compare, DateTime, GmcInvitation, GroupConfig,
    IdentityExport, IdentityInfo, Invitation, InvitationVersion, PasswordInvitation, Pattern,
    PatternItem, RecordAttribute, RecordAttributes, Scope, SearchNode, SearchQuery, XmlDocument,
};

/// Characters XML 1.0 allows, biased towards the ones that need escaping or normalising.
fn xml_char() -> impl Strategy<Value = char> {
    prop_oneof![
        3 => prop::char::range(' ', '~'),
        1 => prop::sample::select(vec!['&', '<', '>', '"', '\'', '\r', '\n', '\t', ' ', '*', '?', '\\', ']', '\u{FEFF}', '\u{10FFFF}', 'é', '😀']),
        1 => any::<char>().prop_filter("XML 1.0 Char", |c| {
            !matches!(*c, '\u{0}'..='\u{8}' | '\u{B}' | '\u{C}' | '\u{E}'..='\u{1F}' | '\u{FFFE}' | '\u{FFFF}')
        }),
    ]
}

fn text() -> impl Strategy<Value = String> {
    prop::collection::vec(xml_char(), 0..40).prop_map(|v| v.into_iter().collect())
}

fn bytes() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(any::<u8>(), 0..200)
}

fn scope() -> impl Strategy<Value = Scope> {
    prop::sample::select(Scope::ALL.to_vec())
}

fn name() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9éßЖ]{1,12}"
}

fn date() -> impl Strategy<Value = DateTime> {
    (
        1u16..=9999,
        1u8..=12,
        1u8..=28,
        0u8..24,
        0u8..60,
        0u8..60,
        0u32..1_000_000_000,
        1u8..=9,
        -1439i16..=1439,
        0usize..8,
    )
        .prop_map(|(y, mo, d, h, mi, s, ns, digits, off, form)| {
            let zone = if form % 2 == 0 {
                "Z".to_owned()
            } else {
                format!(
                    "{}{:02}:{:02}",
                    if off < 0 { '-' } else { '+' },
                    off.unsigned_abs() / 60,
                    off.unsigned_abs() % 60
                )
            };
            let frac = format!("{ns:09}");
            let text = match form {
                0 => format!("{y:04}"),
                1 => format!("{y:04}-{mo:02}"),
                2 => format!("{y:04}-{mo:02}-{d:02}"),
                3 | 4 => format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}{zone}"),
                5 | 6 => format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}{zone}"),
                _ => format!(
                    "{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{}{zone}",
                    &frac[..usize::from(digits)]
                ),
            };
            DateTime::parse(&text).unwrap_or_else(|| panic!("generated date {text}"))
        })
}

fn attribute_value() -> impl Strategy<Value = AttributeValue> {
    prop_oneof![
        text().prop_map(AttributeValue::String),
        any::<i32>().prop_map(AttributeValue::Int),
        date().prop_map(AttributeValue::Date),
    ]
}

fn attributes() -> impl Strategy<Value = RecordAttributes> {
    prop::collection::btree_map(name(), attribute_value(), 0..8).prop_map(|m| RecordAttributes {
        attributes: m
            .into_iter()
            .map(|(name, value)| RecordAttribute { name, value })
            .collect(),
    })
}

fn pattern() -> impl Strategy<Value = Pattern> {
    prop::collection::vec(
        prop_oneof![
            Just(PatternItem::AnyString),
            Just(PatternItem::AnyChar),
            text().prop_map(PatternItem::Literal),
        ],
        0..6,
    )
    .prop_map(Pattern::from_items)
}

fn compare() -> impl Strategy<Value = Compare> {
    prop::sample::select(vec![
        Compare::Equal,
        Compare::NotEqual,
        Compare::Less,
        Compare::Greater,
        Compare::LessOrEqual,
        Compare::GreaterOrEqual,
    ])
}

fn clause() -> impl Strategy<Value = SearchNode> {
    let value = prop_oneof![
        pattern().prop_map(ClauseValue::String),
        any::<i32>().prop_map(ClauseValue::Int),
        date().prop_map(ClauseValue::Date),
    ];
    (name(), compare(), value).prop_map(|(attribute, compare, value)| {
        SearchNode::Clause(Clause {
            attribute,
            compare,
            value,
        })
    })
}

fn node() -> impl Strategy<Value = SearchNode> {
    clause().prop_recursive(5, 40, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 1..4).prop_map(SearchNode::And),
            prop::collection::vec(inner, 1..4).prop_map(SearchNode::Or),
        ]
    })
}

fn invitation() -> impl Strategy<Value = Invitation> {
    prop_oneof![
        (any::<bool>(), text(), scope(), 0u8..=1, bytes()).prop_map(
            |(v11, cloud_name, scope, cloud_flags, gmc)| {
                Invitation::Gmc(GmcInvitation {
                    version: if v11 {
                        InvitationVersion::V1_1
                    } else {
                        InvitationVersion::V1_0
                    },
                    cloud_name,
                    scope,
                    cloud_flags,
                    gmc,
                })
            }
        ),
        (text(), scope(), 0u8..=1, text(), text()).prop_map(
            |(cloud_name, scope, cloud_flags, group_peer_name, group_friendly_name)| {
                Invitation::Password(PasswordInvitation {
                    cloud_name,
                    scope,
                    cloud_flags,
                    group_peer_name,
                    group_friendly_name,
                })
            }
        ),
    ]
}

fn group_config() -> impl Strategy<Value = GroupConfig> {
    (
        text(),
        text(),
        text(),
        scope(),
        any::<u32>(),
        bytes(),
        prop::option::of(bytes()),
    )
        .prop_map(
            |(
                identity_peer_name,
                group_peer_name,
                cloud_name,
                scope,
                cloud_flags,
                gmc,
                group_key,
            )| GroupConfig {
                identity_peer_name,
                group_peer_name,
                cloud_name,
                scope,
                cloud_flags,
                gmc,
                group_key,
            },
        )
}

fn check<T: XmlDocument + PartialEq + std::fmt::Debug>(doc: &T) -> Result<(), TestCaseError> {
    let xml = doc
        .to_xml()
        .map_err(|e| TestCaseError::fail(e.to_string()))?;
    let back = T::parse(&xml)
        .map_err(|e| TestCaseError::fail(format!("{e}\n{}", String::from_utf8_lossy(&xml))))?;
    prop_assert_eq!(&back, doc);
    prop_assert_eq!(
        back.to_xml()
            .map_err(|e| TestCaseError::fail(e.to_string()))?,
        xml
    );
    Ok(())
}

fn parse_all(input: &[u8]) {
    // Any outcome is fine; panicking is not. Accepted documents must round-trip stably.
    fn one<T: XmlDocument + PartialEq + std::fmt::Debug>(input: &[u8]) {
        if let Ok(doc) = T::parse(input)
            && let Ok(xml) = doc.to_xml()
        {
            let again = T::parse(&xml).expect("writer output parses");
            assert_eq!(again, doc);
        }
    }
    if let Ok(mut doc) = IdentityExport::parse(input) {
        // The IDENTITY/IDENTITYDATA spelling is read but written as PEERNAME/DATA.
        doc.element_names = Default::default();
        let xml = doc.to_xml().expect("accepted export writes");
        assert_eq!(
            IdentityExport::parse(&xml).expect("writer output parses"),
            doc
        );
    }
    one::<IdentityInfo>(input);
    one::<GroupConfig>(input);
    one::<Invitation>(input);
    one::<RecordAttributes>(input);
    one::<SearchQuery>(input);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn identity_export_round_trips(peer_name in text(), data in bytes()) {
        check(&IdentityExport::new(peer_name, data))?;
    }

    #[test]
    fn identity_info_round_trips(idc in bytes()) {
        check(&IdentityInfo { idc })?;
    }

    #[test]
    fn group_config_round_trips(doc in group_config()) {
        check(&doc)?;
    }

    #[test]
    fn invitation_round_trips(doc in invitation()) {
        check(&doc)?;
    }

    #[test]
    fn attributes_round_trip(doc in attributes()) {
        check(&doc)?;
    }

    #[test]
    fn search_round_trips(root in node()) {
        check(&SearchQuery { root })?;
    }

    #[test]
    fn date_text_round_trips(d in date()) {
        prop_assert_eq!(DateTime::parse(&d.to_string()), Some(d));
    }

    #[test]
    fn date_order_agrees_with_equality(a in date(), b in date()) {
        prop_assert_eq!(a.cmp(&b) == std::cmp::Ordering::Equal, a == b);
        prop_assert_eq!(a.cmp(&b), b.cmp(&a).reverse());
    }

    #[test]
    fn pattern_escaping_round_trips(p in pattern()) {
        prop_assert_eq!(Pattern::from_escaped(&p.to_escaped()), Some(p));
    }

    #[test]
    fn literal_and_contains_patterns(hay in text(), needle in text()) {
        prop_assert!(Pattern::literal(&hay).matches(&hay));
        let contains = Pattern::from_items([PatternItem::AnyString, PatternItem::Literal(needle.clone()), PatternItem::AnyString]);
        prop_assert_eq!(contains.matches(&hay), hay.contains(&needle));
        let prefix = Pattern::from_items([PatternItem::Literal(needle.clone()), PatternItem::AnyString]);
        prop_assert_eq!(prefix.matches(&hay), hay.starts_with(&needle));
        let ones = Pattern::from_items(vec![PatternItem::AnyChar; hay.chars().count()]);
        prop_assert!(ones.matches(&hay));
    }

    #[test]
    fn arbitrary_bytes_never_panic(input in prop::collection::vec(any::<u8>(), 0..400)) {
        parse_all(&input);
    }

    #[test]
    fn mutated_documents_never_panic(
        which in 0usize..4,
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..3), 1..6),
    ) {
        let base: Vec<u8> = match which {
            0 => GroupConfig {
                identity_peer_name: "a.b".into(), group_peer_name: "c.d".into(), cloud_name: "Global_".into(),
                scope: Scope::Global, cloud_flags: 0, gmc: vec![1, 2, 3], group_key: Some(vec![4]),
            }.to_xml().unwrap(),
            1 => IdentityExport::new("a.b", vec![1, 2, 3]).to_xml().unwrap(),
            2 => SearchQuery::parse_str("<peersearch><and><clause attrib=\"a\" type=\"string\">x*\\?</clause><or><clause attrib=\"b\" type=\"int\" compare=\"less\">3</clause></or></and></peersearch>").unwrap().to_xml().unwrap(),
            _ => RecordAttributes::parse_str("<attributes><attribute name=\"a\" type=\"date\">2002-01-31T10:00:00.5+01:00</attribute><attribute name=\"b\" type=\"string\">&amp;x</attribute></attributes>").unwrap().to_xml().unwrap(),
        };
        let mut input = base;
        for (at, byte, op) in edits {
            let i = at.index(input.len().max(1));
            match op {
                0 if i < input.len() => input[i] = byte,
                1 => input.insert(i.min(input.len()), byte),
                _ if i < input.len() => { input.remove(i); }
                _ => {}
            }
        }
        parse_all(&input);
    }
}
