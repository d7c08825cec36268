//! Opaque `NextToken`s: the key of the last item returned, hex-encoded behind a version tag, so
//! a token survives concurrent inserts and deletes (the next page starts after that key).

use crate::Error;

const PREFIX: &str = "tsl1";

pub fn encode(last_key: &str) -> String {
    format!("{PREFIX}{}", hex::encode(last_key))
}

pub fn decode(token: &str) -> Result<String, Error> {
    token
        .strip_prefix(PREFIX)
        .and_then(|h| hex::decode(h).ok())
        .and_then(|b| String::from_utf8(b).ok())
        .ok_or(Error::InvalidNextToken)
}

/// Page size within the operation's `MaxResults` range; `default` when absent.
pub fn page_size(max_results: Option<i32>, default: usize) -> usize {
    max_results
        .and_then(|n| usize::try_from(n).ok())
        .filter(|n| *n > 0)
        .unwrap_or(default)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_rejects_foreign_tokens() {
        assert_eq!(decode(&encode("db\u{0}t")).unwrap(), "db\u{0}t");
        assert!(decode("garbage").is_err());
        assert!(decode("tsl1zz").is_err());
    }
}
