//! Request ids shaped like AWS's: 26 upper-case base32 characters (`O4YUOZLCSHNYVGX7UUNZFUE4YA`).

const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

pub fn new() -> String {
    let bits = u128::from_le_bytes(*uuid::Uuid::new_v4().as_bytes());
    (0..26)
        .map(|i| ALPHABET[((bits >> (i * 5)) & 31) as usize] as char)
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn shape_and_uniqueness() {
        let (a, b) = (super::new(), super::new());
        assert_eq!(a.len(), 26);
        assert!(a
            .bytes()
            .all(|c| c.is_ascii_uppercase() || (b'2'..=b'7').contains(&c)));
        assert_ne!(a, b);
    }
}
