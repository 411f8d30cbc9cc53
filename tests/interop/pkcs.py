#!/usr/bin/env python3
"""Python `cryptography` side of the PKCS#12 / PKCS#7 / PKCS#8 interop tests.

Usage (all files DER; prints "ok" and exits 0 on success, exits non-zero otherwise):
  pkcs.py read-pfx  PFX PASSWORD KEY.der CERT.der [OTHER_CERT.der ...]
      load_key_and_certificates; the key must equal KEY (private numbers), the
      certificate CERT, the additional certificates OTHER_CERT (any order).
  pkcs.py write-pfx OUT PASSWORD best|3des KEY.der CERT.der [OTHER_CERT.der ...]
      serialize_key_and_certificates with BestAvailableEncryption, or the
      PBESv1SHA1And3KeyTripleDESCBC builder (SHA-1 MAC).
  pkcs.py read-p7   P7B CERT.der [CERT.der ...]
      load_der_pkcs7_certificates; must hold exactly these certificates (any order).
  pkcs.py read-p8   BLOB PASSWORD KEY.der
      load_der_private_key(password=...); must equal KEY.
"""
import sys

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.serialization import pkcs7, pkcs12


def read(path):
    with open(path, "rb") as f:
        return f.read()


def key_der(key):
    return key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def same_key(a, b):
    return key_der(a) == key_der(b)


def der(cert):
    return cert.public_bytes(serialization.Encoding.DER)


def fail(msg):
    print("FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


def main(argv):
    cmd = argv[1]
    if cmd == "read-pfx":
        pfx, pw, key, cert, others = argv[2], argv[3], argv[4], argv[5], argv[6:]
        k, c, extra = pkcs12.load_key_and_certificates(read(pfx), pw.encode("utf-8"))
        if k is None or not same_key(k, serialization.load_der_private_key(read(key), None)):
            fail("private key differs")
        if c is None or der(c) != read(cert):
            fail("certificate differs")
        if sorted(der(x) for x in extra) != sorted(read(o) for o in others):
            fail("additional certificates differ")
    elif cmd == "write-pfx":
        out, pw, enc, key, cert, others = argv[2], argv[3], argv[4], argv[5], argv[6], argv[7:]
        if enc == "best":
            alg = serialization.BestAvailableEncryption(pw.encode("utf-8"))
        else:
            alg = (
                serialization.PrivateFormat.PKCS12.encryption_builder()
                .kdf_rounds(2000)
                .key_cert_algorithm(pkcs12.PBES.PBESv1SHA1And3KeyTripleDESCBC)
                .hmac_hash(hashes.SHA1())
                .build(pw.encode("utf-8"))
            )
        data = pkcs12.serialize_key_and_certificates(
            b"python",
            serialization.load_der_private_key(read(key), None),
            x509.load_der_x509_certificate(read(cert)),
            [x509.load_der_x509_certificate(read(o)) for o in others] or None,
            alg,
        )
        with open(out, "wb") as f:
            f.write(data)
    elif cmd == "read-p7":
        p7, certs = argv[2], argv[3:]
        got = pkcs7.load_der_pkcs7_certificates(read(p7))
        if sorted(der(c) for c in got) != sorted(read(c) for c in certs):
            fail("certificates differ")
    elif cmd == "read-p8":
        blob, pw, key = argv[2], argv[3], argv[4]
        k = serialization.load_der_private_key(read(blob), pw.encode("utf-8"))
        if not same_key(k, serialization.load_der_private_key(read(key), None)):
            fail("private key differs")
    else:
        fail("unknown command " + cmd)
    print("ok")


if __name__ == "__main__":
    main(sys.argv)
