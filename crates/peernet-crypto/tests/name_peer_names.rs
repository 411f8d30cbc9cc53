//! Peer-name syntax (PNRP 2.2.4) and authority derivation (PNRP 1.3.1.1), with properties.

use peernet_crypto::name::{PeerName, authority_of, validate_classifier};
use peernet_crypto::{Error, PrivateKey, Profile};
use proptest::prelude::*;

#[test]
fn authority_is_sha1_of_spki() {
    let k = PrivateKey::generate(Profile::Modern).unwrap();
    let n = k.peer_name("app").unwrap();
    let digest = ring::digest::digest(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY, k.public_key_der());
    assert_eq!(n.authority(), hex::encode(digest.as_ref()));
    assert_eq!(n.authority(), authority_of(k.public_key_der()));
    assert!(n.matches_key(k.public_key_der()));
    assert_eq!(
        n.participant().as_str(),
        format!("{}.participant", n.authority())
    );
}

#[test]
fn error_kinds_map_to_distinct_hresults() {
    assert!(matches!(
        PeerName::parse("xyz"),
        Err(Error::InvalidPeerName { .. })
    ));
    assert!(matches!(
        PeerName::parse("0.a\0"),
        Err(Error::InvalidClassifier { .. })
    ));
    assert!(matches!(
        PeerName::parse(&format!("0.{}", "é".repeat(150))),
        Err(Error::ClassifierTooLong { len: 150 })
    ));
    assert!(validate_classifier("").is_ok());
}

#[test]
fn dotless_secure_form_is_rejected() {
    // .NET accepts "<authority>" alone; the ABNF (and we) require the dot.
    let a = "6520c005f63fc1864b7d8f3cabebd4916ae7f33d";
    assert!(PeerName::parse(a).is_err());
    assert!(PeerName::parse(&format!("{a}.")).is_ok());
}

proptest! {
    #[test]
    fn parse_display_round_trip(auth in "(0|[0-9a-f]{40})", classifier in "[^\u{0}]{0,40}") {
        let text = format!("{auth}.{classifier}");
        let n = PeerName::parse(&text).unwrap();
        prop_assert_eq!(n.to_string(), text.clone());
        prop_assert_eq!(n.authority(), auth.as_str());
        prop_assert_eq!(n.classifier(), classifier.as_str());
        prop_assert_eq!(PeerName::parse(n.as_str()).unwrap(), n);
    }

    #[test]
    fn uppercase_authorities_are_rejected(auth in "[0-9a-f]{39}[A-F]") {
        let text = format!("{}.x", auth);
        prop_assert!(PeerName::parse(&text).is_err());
    }

    #[test]
    fn parser_never_panics(s in "\\PC{0,200}") {
        let _ = PeerName::parse(&s);
    }
}

#[test]
fn facade_hints() {
    assert_eq!(
        PeerName::parse("x").unwrap_err().peer_error_hint(),
        Some("PEER_E_INVALID_PEER_NAME")
    );
    assert_eq!(
        PeerName::parse("0.\0").unwrap_err().peer_error_hint(),
        Some("PEER_E_INVALID_CLASSIFIER")
    );
    assert_eq!(
        validate_classifier(&"x".repeat(150))
            .unwrap_err()
            .peer_error_hint(),
        Some("PEER_E_CLASSIFIER_TOO_LONG")
    );
    assert_eq!(
        Error::ChainTooLong { len: 26 }.peer_error_hint(),
        Some("PEER_E_CHAIN_TOO_LONG")
    );
    assert_eq!(
        Error::CircularChain { index: 0 }.peer_error_hint(),
        Some("PEER_E_CIRCULAR_CHAIN_DETECTED")
    );
    assert_eq!(
        Error::ChainLink { index: 1 }.peer_error_hint(),
        Some("PEER_E_INVALID_CREDENTIAL")
    );
    assert_eq!(Error::ChainLink { index: 1 }.rule(), Some("P3"));
    assert!(Error::ChainLink { index: 1 }.to_string().starts_with("P3:"));
    assert_eq!(Error::Key { reason: "x".into() }.rule(), None);
}
