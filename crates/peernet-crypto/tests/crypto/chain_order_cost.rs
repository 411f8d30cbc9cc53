//! The work of `order_chain` is bounded: at most one signature verification per certificate
//! plus `ORDER_EXTRA_VERIFICATIONS`, however many certificates share a name (without the
//! bound, 64 certificates with one name cost 64·63 = 4032 verifications).

use crate::cert_support::{Pki, serial};
use peernet_crypto::chain::{
    ORDER_EXTRA_VERIFICATIONS, order_chain, order_chain_counted, validate_chain,
};
use peernet_crypto::{Certificate, ChainError, PrivateKey, Role};

const N: usize = 64;

fn ders(chain: &[Certificate]) -> Vec<Vec<u8>> {
    chain.iter().map(|c| c.der().to_vec()).collect()
}

/// `N` GMCs with the same subject and issuer peer name (member 1's) and member 1's key,
/// signed by `signer`: with member 1's key every certificate's signature verifies under
/// every other's key, so each one links to all the others.
fn same_named(pki: &Pki, signer: &PrivateKey) -> Vec<Vec<u8>> {
    let grc = pki.grc();
    let first = pki.sign_at(1, &pki.gmc_builder(1, &grc, &[Role::ADMIN], &[]));
    (0..N)
        .map(|k| {
            let mut b = pki.gmc_builder(1, &first, &[Role::ADMIN], &[]);
            b.serial = serial(u8::try_from(k).unwrap()).to_vec();
            b.serial[0] = 0x33;
            let c = b.sign(signer).unwrap();
            assert_eq!(c.subject_peer_name(), c.issuer_peer_name());
            c.der().to_vec()
        })
        .collect()
}

#[test]
fn same_named_certificates_cost_at_most_one_verification_each_plus_the_margin() {
    let bound = N + ORDER_EXTRA_VERIFICATIONS;
    for pki in Pki::both() {
        // Every pair links (same key): 64·63 successful verifications without the bound.
        let set = same_named(pki, pki.key(1));
        let (r, verifications) = order_chain_counted(&set);
        assert!(
            verifications <= bound,
            "{:?}: {verifications} verifications for {N} same-named certificates (bound {bound})",
            pki.profile
        );
        assert!(
            matches!(r, Err(ChainError::ForeignCertificate { .. })),
            "{:?}: {r:?}",
            pki.profile
        );
        // No pair links (signed by a stranger): 64·63 failed verifications without the bound.
        let set = same_named(pki, &pki.stranger);
        let (r, verifications) = order_chain_counted(&set);
        assert!(verifications <= bound, "{verifications} (bound {bound})");
        assert!(
            matches!(r, Err(ChainError::ForeignCertificate { .. })),
            "{r:?}"
        );
    }
}

#[test]
fn chains_with_distinct_names_take_one_verification_per_link() {
    for pki in Pki::both() {
        // 25 (valid), 26 (ordered, then too long for validate_chain) and 40 certificates:
        // the bound does not cap the length.
        for len in [2, 25, 26, 40] {
            let chain = pki.chain(len, Role::MEMBER);
            let mut d = ders(&chain);
            d.reverse();
            let (r, verifications) = order_chain_counted(&d);
            assert_eq!(r.unwrap(), chain, "{:?} {len}", pki.profile);
            assert_eq!(verifications, len - 1, "{:?} {len}", pki.profile);
        }
        let chain = order_chain(&ders(&pki.chain(26, Role::MEMBER))).unwrap();
        assert!(matches!(
            validate_chain(&chain, &pki.policy()),
            Err(ChainError::ChainTooLong { len: 26 })
        ));
    }
}
