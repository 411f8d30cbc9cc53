#!/usr/bin/env python3
"""Python `cryptography` side of the certificate interop test: an independent parser and
signature verifier for every certificate kind peernet writes.

Usage: certs.py FIXTURES_DIR PASSWORD
  For each profile (windows, modern) under FIXTURES_DIR:
  * der/<p>/idc.der and every der/<p>/chain-N/*.der parse with x509.load_der_x509_certificate;
    the version is v3, the serial is 16 bytes, the signature algorithm is the profile's
    (sha1WithRSAEncryption / ecdsa-with-SHA256), the public key is RSA-1024 / P-256;
  * the IDC and each GRC verify with their own key, each GMC with its parent's key
    (RSA PKCS#1 v1.5 SHA-1 / ECDSA SHA-256), computed here over tbs_certificate_bytes;
  * the peer-name extensions decode (otherName .44.0.2 / .44.0.3 with a UniversalString)
    and each name's authority is SHA-1 of the SubjectPublicKeyInfo as serialised here;
    the IDC's 2.5.29.17 is a DNSName and its EKU lists Peer Auth and serverAuth;
  * p7b/<p>-chain-N.p7b and p7b/<p>-idc.p7b load with load_der_pkcs7_certificates and hold
    exactly the certificates of der/;
  * pfx/<p>-idc.pfx loads with load_key_and_certificates(PASSWORD): the certificate is the
    IDC and the key's public half is the IDC's key.
Prints "ok" and exits 0 on success; raises otherwise.
"""
import hashlib
import os
import sys
import uuid

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.serialization import pkcs7, pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, ExtensionOID, SignatureAlgorithmOID

OID_CERT_TYPE = x509.ObjectIdentifier("1.3.6.1.4.1.311.44.0.1")
OID_CERT_VERSION = x509.ObjectIdentifier("1.3.6.1.4.1.311.44.0.4")
OID_SAN_LEGACY = x509.ObjectIdentifier("2.5.29.7")
OID_IAN_LEGACY = x509.ObjectIdentifier("2.5.29.8")
OID_GROUP_PEERNAME = x509.ObjectIdentifier("1.3.6.1.4.1.311.44.3.1")
OID_ROLES = x509.ObjectIdentifier("1.3.6.1.4.1.311.44.3.3")
OID_CLASSIFIERS = x509.ObjectIdentifier("1.3.6.1.4.1.311.44.3.5")
OID_KP_PEER_AUTH = x509.ObjectIdentifier("1.3.6.1.4.1.311.44.3.4")
TYPE_PEERNAME = "1.3.6.1.4.1.311.44.0.2"
TYPE_CLASSIFIER = "1.3.6.1.4.1.311.44.0.3"
# Role GUIDs (PPSEC 2.2.5.3) in Windows' GUID memory layout (first three fields
# little-endian, spec Q6), as peernet writes them.
ROLES = {
    uuid.UUID("04387127-aa56-450a-8ce5-4f565c6790f4").bytes_le: "admin",
    uuid.UUID("4370fd89-dc18-4cfb-8dbf-9853a8a9f905").bytes_le: "inviting",
    uuid.UUID("f12dc4c7-0857-4ca0-93fc-b1bb19a3d8c2").bytes_le: "member",
}


def read(path):
    with open(path, "rb") as f:
        return f.read()


def tlv(data, pos=0):
    """Minimal DER reader (definite lengths): returns (tag, content, next_pos)."""
    tag = data[pos]
    n = data[pos + 1]
    pos += 2
    if n & 0x80:
        k = n & 0x7F
        n = int.from_bytes(data[pos:pos + k], "big")
        pos += k
    return tag, data[pos:pos + n], pos + n


def children(content):
    out, pos = [], 0
    while pos < len(content):
        tag, body, pos = tlv(content, pos)
        out.append((tag, body))
    return out


def other_names(value, type_id):
    """GeneralNames (SEQUENCE OF otherName) with `type_id` and a UniversalString value."""
    tag, seq, end = tlv(value)
    assert tag == 0x30 and end == len(value), "not one SEQUENCE"
    names = []
    for t, on in children(seq):
        assert t == 0xA0, "GeneralName is not otherName"
        (t1, oid), (t2, explicit) = children(on)
        assert t1 == 0x06 and t2 == 0xA0
        assert dotted(oid) == type_id, (dotted(oid), type_id)
        ((t3, ucs4),) = children(explicit)
        assert t3 == 0x1C, "not a UniversalString"
        names.append(ucs4.decode("utf-32-be"))
    return names


def dotted(oid):
    first = oid[0]
    arcs = [str(first // 40) if first < 80 else "2", str(first % 40 if first < 80 else first - 80)]
    v = 0
    for b in oid[1:]:
        v = (v << 7) | (b & 0x7F)
        if not b & 0x80:
            arcs.append(str(v))
            v = 0
    return ".".join(arcs)


def octet4(value):
    tag, body, end = tlv(value)
    assert tag == 0x04 and len(body) == 4 and end == len(value), value.hex()
    return body


def ext(cert, oid):
    return cert.extensions.get_extension_for_oid(oid)


def spki_der(cert):
    return cert.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def authority(cert):
    return hashlib.sha1(spki_der(cert)).hexdigest()


def check_common(cert, profile):
    assert cert.version == x509.Version.v3
    serial = cert.serial_number.to_bytes(16, "big")
    assert serial[0] != 0 and serial[0] < 0x80, "serial is not 16 DER content bytes"
    key = cert.public_key()
    if profile == "windows":
        assert cert.signature_algorithm_oid == SignatureAlgorithmOID.RSA_WITH_SHA1
        assert isinstance(key, rsa.RSAPublicKey) and key.key_size == 1024
    else:
        assert cert.signature_algorithm_oid == SignatureAlgorithmOID.ECDSA_WITH_SHA256
        assert isinstance(key, ec.EllipticCurvePublicKey) and key.curve.name == "secp256r1"
    assert ext(cert, OID_CERT_TYPE).critical
    assert octet4(ext(cert, OID_CERT_VERSION).value.value) == b"\x01\x00\x02\x00"
    eku = ext(cert, ExtensionOID.EXTENDED_KEY_USAGE).value
    assert OID_KP_PEER_AUTH in eku and ExtendedKeyUsageOID.SERVER_AUTH in eku


def cert_type(cert):
    return int.from_bytes(octet4(ext(cert, OID_CERT_TYPE).value.value), "little")


def peer_name(cert, oid):
    (name,) = other_names(ext(cert, oid).value.value, TYPE_PEERNAME)
    return name


def verify(cert, issuer):
    """Verify `cert`'s signature with `issuer`'s public key, here, not by peernet."""
    key = issuer.public_key()
    if isinstance(key, rsa.RSAPublicKey):
        key.verify(cert.signature, cert.tbs_certificate_bytes, padding.PKCS1v15(), hashes.SHA1())
    else:
        key.verify(cert.signature, cert.tbs_certificate_bytes, ec.ECDSA(hashes.SHA256()))


def check_idc(idc, profile):
    check_common(idc, profile)
    assert cert_type(idc) == 3
    verify(idc, idc)
    name = peer_name(idc, OID_SAN_LEGACY)
    auth, classifier = name.split(".", 1)
    assert auth == authority(idc), "IDC peer name authority is not SHA-1(SPKI)"
    dns = ext(idc, ExtensionOID.SUBJECT_ALTERNATIVE_NAME).value.get_values_for_type(x509.DNSName)
    assert dns == [f"{classifier}.p{auth}.pnrp.net"], dns


def check_chain(chain, profile):
    grc = chain[0]
    for c in chain:
        check_common(c, profile)
    assert cert_type(grc) == 2
    verify(grc, grc)
    group = peer_name(grc, OID_GROUP_PEERNAME)
    assert group.split(".", 1)[0] == authority(grc), "group authority is not SHA-1(GRC SPKI)"
    assert peer_name(grc, OID_SAN_LEGACY) == group
    for parent, c in zip(chain, chain[1:]):
        assert cert_type(c) == 1
        verify(c, parent)
        assert peer_name(c, OID_GROUP_PEERNAME) == group
        assert peer_name(c, OID_IAN_LEGACY) == peer_name(parent, OID_SAN_LEGACY)
        member = peer_name(c, OID_SAN_LEGACY)
        assert member.split(".", 1)[0] == authority(c)
        roles_ext = ext(c, OID_ROLES)
        assert roles_ext.critical
        tag, seq, _ = tlv(roles_ext.value.value)
        roles = [ROLES[body] for t, body in children(seq)]
        assert roles and all(t == 0x04 for t, _ in children(seq))
        classifiers = other_names(ext(c, OID_CLASSIFIERS).value.value, TYPE_CLASSIFIER)
        assert classifiers == ([] if roles == ["admin"] else ["participant"]), classifiers
        aki = ext(c, ExtensionOID.AUTHORITY_KEY_IDENTIFIER).value
        expected = x509.SubjectKeyIdentifier.from_public_key(parent.public_key()).digest
        assert aki.key_identifier == expected, "AKI is not SHA-1 of the issuer key bits"


def main():
    root, password = sys.argv[1], sys.argv[2].encode()
    counted = 0
    for profile in ("windows", "modern"):
        base = os.path.join(root, "der", profile)
        idc_der = read(os.path.join(base, "idc.der"))
        idc = x509.load_der_x509_certificate(idc_der)
        check_idc(idc, profile)
        counted += 1
        p7 = pkcs7.load_der_pkcs7_certificates(read(os.path.join(root, "p7b", f"{profile}-idc.p7b")))
        assert [c.public_bytes(serialization.Encoding.DER) for c in p7] == [idc_der]
        for length in (1, 2, 25, 26):
            d = os.path.join(base, f"chain-{length}")
            ders = [read(os.path.join(d, f)) for f in sorted(os.listdir(d))]
            chain = [x509.load_der_x509_certificate(b) for b in ders]
            assert len(chain) == length
            check_chain(chain, profile)
            counted += length
            bundle = read(os.path.join(root, "p7b", f"{profile}-chain-{length}.p7b"))
            got = sorted(c.public_bytes(serialization.Encoding.DER) for c in pkcs7.load_der_pkcs7_certificates(bundle))
            assert got == sorted(ders), f"{profile}-chain-{length}.p7b"
        key, cert, extra = pkcs12.load_key_and_certificates(
            read(os.path.join(root, "pfx", f"{profile}-idc.pfx")), password
        )
        assert cert.public_bytes(serialization.Encoding.DER) == idc_der and not extra
        assert key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        ) == spki_der(idc), f"{profile}-idc.pfx key is not the IDC's"
    print(f"checked {counted} certificates", file=sys.stderr)
    print("ok")


if __name__ == "__main__":
    main()
