//! Property tests: whatever goes into a GMC comes back out of the parser; delegation laws.

use std::time::Duration;

use crate::cert_support::{Pki, t0};
use peernet_crypto::cert::{Certificate, Validity};
use peernet_crypto::role::{Delegation, check_delegation, classifier_delegated};
use peernet_crypto::{Profile, Role};
use proptest::prelude::*;

fn role() -> impl Strategy<Value = Role> {
    prop_oneof![
        Just(Role::ADMIN),
        Just(Role::INVITING_MEMBER),
        Just(Role::MEMBER)
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn gmc_fields_round_trip(
        friendly in "[^\u{0}]{0,60}",
        classifiers in prop::collection::vec("[^\u{0}]{0,40}", 0..5),
        roles in prop::collection::vec(role(), 1..4),
        secs in 0u64..4_000_000_000,
        serial in prop::array::uniform16(any::<u8>()),
    ) {
        let pki = Pki::get(Profile::Modern);
        let grc = pki.grc();
        let mut p = pki.gmc_params(1, &roles, &[]);
        p.subject_friendly_name = friendly.clone();
        p.classifiers = classifiers.clone();
        let start = t0() + Duration::from_secs(secs);
        p.validity = Validity::new(start, start + Duration::from_secs(86_400 * 400 * 365));
        let mut s = serial;
        s[0] = (s[0] & 0x7f) | 1;
        p.serial = s;
        let c = p.issue(&grc, &pki.group_key).unwrap();
        let back = Certificate::from_der(c.der()).unwrap();
        prop_assert_eq!(back.subject_friendly_name(), friendly.as_str());
        prop_assert_eq!(back.classifiers(), Some(classifiers));
        prop_assert_eq!(back.roles(), Some(roles));
        prop_assert_eq!(back.validity(), p.validity);
        prop_assert_eq!(back.serial16(), Some(s));
        prop_assert!(back.verify_signed_by(grc.public_key_der()).is_ok());
    }

    #[test]
    fn exact_delegation_implies_prefix_delegation(
        list in prop::collection::vec("[a-c]{0,3}", 1..4),
        c in "[a-c]{0,4}",
    ) {
        if classifier_delegated(&list, &[Role::MEMBER], &c) {
            prop_assert!(classifier_delegated(&list, &[Role::ADMIN], &c));
        }
        // Every entry of the delegator's list is delegable to every role.
        for l in &list {
            prop_assert!(classifier_delegated(&list, &[Role::MEMBER], l));
        }
        // An empty delegator list delegates everything.
        prop_assert_eq!(check_delegation(Some(&[]), &[Role::MEMBER], std::slice::from_ref(&c)), Delegation::Allowed);
    }
}
