//! Peer-name syntax (PNRP 2.2.4) and authority derivation (PNRP 1.3.1.1), with properties.

use peernet_crypto::name::{PeerName, authority_of, validate_classifier};
use peernet_crypto::{ChainError, Error, ErrorKind, NameError, PkcsError, PrivateKey, Profile};
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
        Err(NameError::InvalidPeerName { .. })
    ));
    assert!(matches!(
        PeerName::parse("0.a\0"),
        Err(NameError::InvalidClassifier { .. })
    ));
    assert!(matches!(
        PeerName::parse(&format!("0.{}", "é".repeat(150))),
        Err(NameError::ClassifierTooLong { len: 150 })
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
fn facade_kinds() {
    assert_eq!(
        PeerName::parse("x").unwrap_err().kind(),
        ErrorKind::InvalidPeerName
    );
    assert_eq!(
        PeerName::parse("0.\0").unwrap_err().kind(),
        ErrorKind::InvalidClassifier
    );
    assert_eq!(
        validate_classifier(&"x".repeat(150)).unwrap_err().kind(),
        ErrorKind::ClassifierTooLong
    );
    assert_eq!(
        ChainError::ChainTooLong { len: 26 }.kind(),
        ErrorKind::ChainTooLong
    );
    assert_eq!(
        ChainError::CircularChain { index: 0 }.kind(),
        ErrorKind::CircularChain
    );
    assert_eq!(
        ChainError::ChainLink { index: 1 }.kind(),
        ErrorKind::InvalidCredential
    );
    assert_eq!(ChainError::ChainLink { index: 1 }.rule(), Some("P3"));
    assert!(
        ChainError::ChainLink { index: 1 }
            .to_string()
            .starts_with("P3:")
    );
    assert_eq!(Error::Key { reason: "x".into() }.rule(), None);
    // Nested in the top error: same kind, rule and message.
    let top = Error::from(ChainError::ChainLink { index: 1 });
    assert_eq!(top.kind(), ErrorKind::InvalidCredential);
    assert_eq!(top.rule(), Some("P3"));
    assert!(top.to_string().starts_with("P3:"));
    assert_eq!(
        Error::from(PkcsError::InvalidPassword).kind(),
        ErrorKind::InvalidPassword
    );
    assert_eq!(Error::Key { reason: "x".into() }.kind(), ErrorKind::Other);
}
