//! Rebuilding root→leaf order from an unordered set of certificates (as a PKCS#7 reader
//! returns them): never from position; cycles, duplicates and foreign certificates rejected.

use crate::cert_support::Pki;
use peernet_crypto::chain::{order_chain, validate_chain};
use peernet_crypto::{Certificate, ChainError, Profile, Role};

fn ders(chain: &[Certificate]) -> Vec<Vec<u8>> {
    chain.iter().map(|c| c.der().to_vec()).collect()
}

#[test]
fn any_permutation_is_reordered() {
    for pki in Pki::both() {
        let chain = pki.chain(25, Role::MEMBER);
        let mut d = ders(&chain);
        d.reverse();
        let ordered = order_chain(&d).unwrap();
        assert_eq!(ordered, chain);
        validate_chain(&ordered, &pki.policy()).unwrap();
        // A fixed shuffle (stride 7 over 25 is a permutation).
        let shuffled: Vec<Vec<u8>> = (0..25)
            .map(|k| ders(&chain)[(k * 7) % 25].clone())
            .collect();
        assert_eq!(order_chain(&shuffled).unwrap(), chain);
    }
}

#[test]
fn single_and_pair() {
    let pki = Pki::get(Profile::Windows);
    let chain = pki.chain(2, Role::ADMIN);
    assert_eq!(
        order_chain(&[chain[1].der(), chain[0].der()]).unwrap(),
        chain
    );
    assert_eq!(order_chain(&[chain[0].der()]).unwrap(), chain[..1].to_vec());
    assert!(matches!(
        order_chain::<&[u8]>(&[]),
        Err(ChainError::EmptyChain)
    ));
}

#[test]
fn duplicates_rejected() {
    let pki = Pki::get(Profile::Modern);
    let chain = pki.chain(3, Role::MEMBER);
    let d = [
        chain[0].der(),
        chain[1].der(),
        chain[2].der(),
        chain[1].der(),
    ];
    assert!(matches!(
        order_chain(&d),
        Err(ChainError::DuplicateCertificate { index: 3, first: 1 })
    ));
}

#[test]
fn foreign_certificates_rejected() {
    let pki = Pki::get(Profile::Modern);
    let chain = pki.chain(3, Role::MEMBER);
    // An IDC does not link into the chain.
    let idc = pki.idc_params(1).issue(pki.key(1)).unwrap();
    let r = order_chain(&[chain[0].der(), idc.der(), chain[1].der(), chain[2].der()]);
    assert!(
        matches!(r, Err(ChainError::ForeignCertificate { index: 1 })),
        "{r:?}"
    );
    // A second leaf under the same parent is a branch, not a chain.
    let other_leaf = pki.sign_at(2, &pki.gmc_builder(2, &chain[1], &[Role::ADMIN], &[]));
    let r = order_chain(&[
        chain[0].der(),
        chain[1].der(),
        chain[2].der(),
        other_leaf.der(),
    ]);
    assert!(
        matches!(r, Err(ChainError::ForeignCertificate { .. })),
        "{r:?}"
    );
    // A GMC whose IAN matches but whose signature is by another key does not link.
    let mut b = pki.gmc_builder(2, &chain[1], &[Role::MEMBER], &["participant"]);
    b.serial[15] = 77;
    let forged = b.sign(&pki.stranger).unwrap();
    let r = order_chain(&[chain[0].der(), chain[1].der(), forged.der()]);
    assert!(
        matches!(r, Err(ChainError::ForeignCertificate { index: 2 })),
        "{r:?}"
    );
    // A certificate of another profile's group.
    let win = Pki::get(Profile::Windows).grc();
    let r = order_chain(&[chain[0].der(), chain[1].der(), chain[2].der(), win.der()]);
    assert!(
        matches!(r, Err(ChainError::ForeignCertificate { index: 3 })),
        "{r:?}"
    );
}

#[test]
fn cycles_detected() {
    for pki in Pki::both() {
        // B issued by C and C issued by B: each signature verifies, SAN/IAN link both ways.
        let (kb, kc) = (pki.key(1), pki.key(2));
        let (nb, nc) = (pki.member_name(1), pki.member_name(2));
        let grc = pki.grc();
        let mut b = pki.gmc_builder(1, &grc, &[Role::ADMIN], &[]);
        b.set_extension(peernet_crypto::Extension::issuer_alt_name(&nc));
        let cert_b = b.sign(kc).unwrap();
        let mut c = pki.gmc_builder(2, &grc, &[Role::ADMIN], &[]);
        c.set_extension(peernet_crypto::Extension::subject_alt_name(&nc));
        c.set_extension(peernet_crypto::Extension::issuer_alt_name(&nb));
        let cert_c = c.sign(kb).unwrap();
        let r = order_chain(&[cert_b.der(), cert_c.der()]);
        assert!(matches!(r, Err(ChainError::CircularChain { .. })), "{r:?}");
        // The same cycle next to a valid root: still a cycle.
        let r = order_chain(&[grc.der(), cert_b.der(), cert_c.der()]);
        assert!(matches!(r, Err(ChainError::CircularChain { .. })), "{r:?}");
    }
}

#[test]
fn malformed_member_reported_with_index() {
    let pki = Pki::get(Profile::Modern);
    let chain = pki.chain(2, Role::MEMBER);
    let r = order_chain(&[chain[0].der(), &[0x30, 0x03, 0x02, 0x01, 0x00][..]]);
    assert!(
        matches!(r, Err(ChainError::MalformedInChain { index: 1, .. })),
        "{r:?}"
    );
}
