//! Record conflict resolution, [MS-PPGRH] 3.1.7.32: which of two versions of one
//! record is "newer".

use std::cmp::Ordering;

use peernet_storage::RecordRow;

/// Compares two versions of one record by [MS-PPGRH] 3.1.7.32: higher version; then
/// the one that was updated (non-empty Last Modified By); then the lexicographically
/// higher Last Modified By; then the later Last Modification Time; then the larger
/// security data; then the higher security data bytes. `Greater` means `a` is newer,
/// `Equal` that they are the same record ("already present").
pub fn compare(a: &RecordRow, b: &RecordRow) -> Ordering {
    a.version
        .cmp(&b.version)
        .then_with(|| (!a.modified_by_id.is_empty()).cmp(&!b.modified_by_id.is_empty()))
        .then_with(|| a.modified_by_id.cmp(&b.modified_by_id))
        .then_with(|| a.last_modified.cmp(&b.last_modified))
        .then_with(|| a.security_data.len().cmp(&b.security_data.len()))
        .then_with(|| a.security_data.cmp(&b.security_data))
}

/// Whether `incoming` replaces `stored` (is strictly newer).
pub fn is_newer(incoming: &RecordRow, stored: &RecordRow) -> bool {
    compare(incoming, stored) == Ordering::Greater
}

#[cfg(test)]
mod tests {
    use super::*;
    use peernet_protocol::Guid;

    fn row(version: u32, by: &str, t: u64, sd: &[u8]) -> RecordRow {
        RecordRow {
            id: Guid::from_bytes([1; 16]),
            record_type: Guid::from_bytes([2; 16]),
            version,
            flags: 0,
            creator_id: "c".into(),
            modified_by_id: by.into(),
            attributes: None,
            created: 1,
            expiration: 10,
            last_modified: t,
            data: vec![],
            security_data: sd.to_vec(),
        }
    }

    #[test]
    fn each_rule_decides_in_the_order_of_the_spec() {
        // Version first, whatever else differs.
        assert!(is_newer(&row(3, "a", 0, b""), &row(2, "z", 9, b"zzzz")));
        // Updated beats not updated.
        assert!(is_newer(&row(2, "a", 0, b""), &row(2, "", 9, b"zz")));
        // Higher modifier.
        assert!(is_newer(&row(2, "b", 0, b""), &row(2, "a", 9, b"zz")));
        // Later modification time.
        assert!(is_newer(&row(2, "a", 5, b""), &row(2, "a", 4, b"zz")));
        // Larger security data, then higher bytes.
        assert!(is_newer(&row(2, "a", 5, b"aaa"), &row(2, "a", 5, b"zz")));
        assert!(is_newer(&row(2, "a", 5, b"ab"), &row(2, "a", 5, b"aa")));
        // Same record: neither is newer.
        let r = row(2, "a", 5, b"ab");
        assert_eq!(compare(&r, &r.clone()), Ordering::Equal);
        assert!(!is_newer(&r, &r));
    }

    #[test]
    fn the_order_is_total_and_antisymmetric() {
        let rows = [
            row(1, "", 0, b""),
            row(1, "a", 0, b""),
            row(1, "a", 1, b""),
            row(1, "b", 0, b"x"),
            row(2, "a", 0, b"x"),
            row(2, "a", 0, b"y"),
        ];
        for a in &rows {
            for b in &rows {
                assert_eq!(compare(a, b), compare(b, a).reverse());
            }
        }
    }
}
