#![no_main]

//! `peernet_protocol::decode_document` on any bytes: no panic; whatever decodes encodes
//! back (same encoding, same byte-order-mark form) to bytes that decode to the same text
//! with no trailing NULs; and the decoded text goes through the invitation reader's
//! round-trip check, as the CLI hands it over.

use libfuzzer_sys::fuzz_target;
use peernet_protocol::{DocumentType, Invitation, decode_document, encode_document};

fuzz_target!(|data: &[u8]| {
    let Ok(d) = decode_document(DocumentType::Invitation, data) else {
        return;
    };
    let again = encode_document(&d.text, d.encoding, d.byte_order_mark);
    let d2 = decode_document(DocumentType::Invitation, &again).expect("re-encoded text decodes");
    assert_eq!(d2.text, d.text, "decode(encode(decode(x))) != decode(x)");
    assert_eq!(
        (d2.encoding, d2.byte_order_mark, d2.trailing_nuls),
        (d.encoding, d.byte_order_mark, 0)
    );
    peernet_fuzz::check::<Invitation>(d.text.as_bytes());
});
