//! AWS Signature Version 4 verification for `POST /` requests (wire-protocol.md §2.2), for the
//! signed-header sets of boto3/CLI, the Rust SDK and JS v3 alike: whatever `SignedHeaders` names
//! is canonicalised, so no client's set is special-cased.

use chrono::{DateTime, NaiveDateTime, TimeDelta, Utc};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

use crate::{AwsError, ErrorCode};

/// How far `X-Amz-Date` may be from the engine clock.
pub const MAX_SKEW: TimeDelta = TimeDelta::minutes(15);

const ALGORITHM: &str = "AWS4-HMAC-SHA256";
const AMZ_DATE_FORMAT: &str = "%Y%m%dT%H%M%SZ";

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum Error {
    #[error("missing Authorization header")]
    Missing,
    #[error("malformed Authorization header: {0}")]
    Incomplete(String),
    #[error("signature mismatch")]
    Mismatch,
    #[error("request expired")]
    Expired {
        amz_date: String,
        earliest: String,
        now: String,
    },
    #[error("request not yet current")]
    NotYetCurrent {
        amz_date: String,
        latest: String,
        now: String,
    },
    #[error("unknown access key")]
    UnknownAccessKey,
}

impl From<Error> for AwsError {
    fn from(e: Error) -> Self {
        match e {
            Error::Missing => AwsError::new(
                ErrorCode::MissingAuthenticationTokenException,
                "Missing Authentication Token",
            ),
            Error::Incomplete(m) => AwsError::new(ErrorCode::IncompleteSignatureException, m),
            Error::Mismatch => AwsError::new(
                ErrorCode::InvalidSignatureException,
                "The request signature we calculated does not match the signature you provided. \
                 Check your AWS Secret Access Key and signing method. Consult the service \
                 documentation for details.",
            ),
            Error::Expired { amz_date, earliest, now } => AwsError::new(
                ErrorCode::InvalidSignatureException,
                format!("Signature expired: {amz_date} is now earlier than {earliest} ({now} - 15 min.)"),
            ),
            Error::NotYetCurrent { amz_date, latest, now } => AwsError::new(
                ErrorCode::InvalidSignatureException,
                format!("Signature not yet current: {amz_date} is still later than {latest} ({now} + 15 min.)"),
            ),
            Error::UnknownAccessKey => AwsError::new(
                ErrorCode::UnrecognizedClientException,
                "The security token included in the request is invalid.",
            ),
        }
    }
}

/// The parsed `Authorization` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authorization {
    pub access_key: String,
    pub date: String,
    pub region: String,
    pub service: String,
    pub signed_headers: Vec<String>,
    pub signature: String,
}

impl Authorization {
    pub fn parse(header: &str) -> Result<Self, Error> {
        let rest = header
            .strip_prefix(ALGORITHM)
            .filter(|r| r.starts_with(' '))
            .ok_or_else(|| {
                Error::Incomplete(format!(
                    "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header and must start with '{ALGORITHM}'. Authorization={header}"
                ))
            })?;
        let (mut credential, mut signed, mut signature) = (None, None, None);
        for part in rest.split(',') {
            let part = part.trim();
            if let Some((k, v)) = part.split_once('=') {
                match k {
                    "Credential" => credential = Some(v),
                    "SignedHeaders" => signed = Some(v),
                    "Signature" => signature = Some(v),
                    _ => {}
                }
            }
        }
        let missing = |name: &str| {
            Error::Incomplete(format!(
                "Authorization header requires '{name}' parameter. Authorization={header}"
            ))
        };
        let credential = credential.ok_or_else(|| missing("Credential"))?;
        let signed = signed.ok_or_else(|| missing("SignedHeaders"))?;
        let signature = signature.ok_or_else(|| missing("Signature"))?;
        let scope: Vec<&str> = credential.split('/').collect();
        let [access_key, date, region, service, terminator] = scope[..] else {
            return Err(Error::Incomplete(format!(
                "Credential should be scoped to a valid region, not '{credential}'. "
            )));
        };
        if terminator != "aws4_request" {
            return Err(Error::Incomplete(format!(
                "Credential should be scoped with a valid terminator: 'aws4_request', not '{terminator}'. "
            )));
        }
        if service != "timestream" {
            return Err(Error::Incomplete(
                "Credential should be scoped to correct service: 'timestream'. ".to_owned(),
            ));
        }
        if access_key.is_empty()
            || signature.len() != 64
            || !signature.bytes().all(|b| b.is_ascii_hexdigit())
        {
            return Err(Error::Incomplete(format!(
                "Authorization header is malformed. Authorization={header}"
            )));
        }
        Ok(Self {
            access_key: access_key.to_owned(),
            date: date.to_owned(),
            region: region.to_owned(),
            service: service.to_owned(),
            signed_headers: signed.split(';').map(str::to_owned).collect(),
            signature: signature.to_ascii_lowercase(),
        })
    }
}

/// What verification needs of the request.
pub struct Request<'a> {
    pub method: &'a str,
    /// The path as received (already percent-encoded), e.g. `/`.
    pub path: &'a str,
    /// The raw query string without `?`.
    pub query: &'a str,
    /// Header names in lower case; repeated names appear repeatedly.
    pub headers: &'a [(String, String)],
    pub body: &'a [u8],
}

impl Request<'_> {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Checks `X-Amz-Date` against the scope and against `now` (±[`MAX_SKEW`]).
pub fn check_date(
    auth: &Authorization,
    req: &Request<'_>,
    now: DateTime<Utc>,
) -> Result<String, Error> {
    let amz_date = req
        .header("x-amz-date")
        .ok_or_else(|| {
            Error::Incomplete(
                "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header."
                    .to_owned(),
            )
        })?
        .to_owned();
    let when = NaiveDateTime::parse_from_str(&amz_date, AMZ_DATE_FORMAT)
        .map_err(|_| {
            Error::Incomplete(format!(
                "Date must be in ISO-8601 'basic format'. Got '{amz_date}'."
            ))
        })?
        .and_utc();
    if !amz_date.starts_with(&auth.date) {
        return Err(Error::Mismatch);
    }
    let fmt = |t: DateTime<Utc>| t.format(AMZ_DATE_FORMAT).to_string();
    if when < now - MAX_SKEW {
        return Err(Error::Expired {
            amz_date,
            earliest: fmt(now - MAX_SKEW),
            now: fmt(now),
        });
    }
    if when > now + MAX_SKEW {
        return Err(Error::NotYetCurrent {
            amz_date,
            latest: fmt(now + MAX_SKEW),
            now: fmt(now),
        });
    }
    Ok(amz_date)
}

/// Recomputes the signature with `secret` and compares it in constant time.
pub fn verify(
    auth: &Authorization,
    req: &Request<'_>,
    amz_date: &str,
    secret: &str,
) -> Result<(), Error> {
    let payload_hash = hex::encode(Sha256::digest(req.body));
    if let Some(claimed) = req.header("x-amz-content-sha256") {
        if claimed != payload_hash && claimed != "UNSIGNED-PAYLOAD" {
            return Err(Error::Mismatch);
        }
    }
    let expected = signature(auth, req, amz_date, secret, &payload_hash)?;
    let matches = expected.len() == auth.signature.len()
        && expected
            .bytes()
            .zip(auth.signature.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0;
    if matches {
        Ok(())
    } else {
        Err(Error::Mismatch)
    }
}

/// The SigV4 signature of `req` (also what tests and benchmarks sign with).
pub fn signature(
    auth: &Authorization,
    req: &Request<'_>,
    amz_date: &str,
    secret: &str,
    payload_hash: &str,
) -> Result<String, Error> {
    let mut canonical = String::with_capacity(512);
    canonical.push_str(req.method);
    canonical.push('\n');
    canonical.push_str(if req.path.is_empty() { "/" } else { req.path });
    canonical.push('\n');
    canonical.push_str(&canonical_query(req.query));
    canonical.push('\n');
    for name in &auth.signed_headers {
        let values: Vec<String> = req
            .headers
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| collapse_spaces(v))
            .collect();
        if values.is_empty() {
            return Err(Error::Mismatch);
        }
        canonical.push_str(name);
        canonical.push(':');
        canonical.push_str(&values.join(","));
        canonical.push('\n');
    }
    canonical.push('\n');
    canonical.push_str(&auth.signed_headers.join(";"));
    canonical.push('\n');
    canonical.push_str(payload_hash);

    let scope = format!(
        "{}/{}/{}/aws4_request",
        auth.date, auth.region, auth.service
    );
    let string_to_sign = format!(
        "{ALGORITHM}\n{amz_date}\n{scope}\n{}",
        hex::encode(Sha256::digest(canonical.as_bytes()))
    );
    let k_date = hmac(format!("AWS4{secret}").as_bytes(), auth.date.as_bytes());
    let k_region = hmac(&k_date, auth.region.as_bytes());
    let k_service = hmac(&k_region, auth.service.as_bytes());
    let k_signing = hmac(&k_service, b"aws4_request");
    Ok(hex::encode(hmac(&k_signing, string_to_sign.as_bytes())))
}

fn hmac(key: &[u8], data: &[u8]) -> Vec<u8> {
    // HMAC accepts keys of any length, so `new_from_slice` cannot fail here.
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(key) else {
        return Vec::new();
    };
    mac.update(data);
    mac.finalize().into_bytes().to_vec()
}

fn collapse_spaces(v: &str) -> String {
    v.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn canonical_query(query: &str) -> String {
    if query.is_empty() {
        return String::new();
    }
    let mut pairs: Vec<(&str, &str)> = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| p.split_once('=').unwrap_or((p, "")))
        .collect();
    pairs.sort_unstable();
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A request captured from boto3 1.44 (wire-protocol.md §2.1), re-signed with a known secret.
    fn boto3_request() -> (Vec<(String, String)>, &'static [u8]) {
        let headers = vec![
            ("host".to_owned(), "localhost:18081".to_owned()),
            (
                "x-amz-target".to_owned(),
                "Timestream_20181101.ListDatabases".to_owned(),
            ),
            (
                "content-type".to_owned(),
                "application/x-amz-json-1.0".to_owned(),
            ),
            ("x-amz-date".to_owned(), "20261123T224431Z".to_owned()),
        ];
        (headers, b"{}")
    }

    fn auth_header(sig: &str) -> String {
        format!("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261123/us-east-1/timestream/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature={sig}")
    }

    fn now() -> DateTime<Utc> {
        NaiveDateTime::parse_from_str("20261123T224500Z", AMZ_DATE_FORMAT)
            .unwrap()
            .and_utc()
    }

    #[test]
    fn verifies_a_correct_signature_and_rejects_a_wrong_secret() {
        let (headers, body) = boto3_request();
        let req = Request {
            method: "POST",
            path: "/",
            query: "",
            headers: &headers,
            body,
        };
        let unsigned = Authorization::parse(&auth_header(&"0".repeat(64))).unwrap();
        let hash = hex::encode(Sha256::digest(body));
        let sig = signature(&unsigned, &req, "20261123T224431Z", "secret", &hash).unwrap();
        let auth = Authorization::parse(&auth_header(&sig)).unwrap();
        let date = check_date(&auth, &req, now()).unwrap();
        assert_eq!(verify(&auth, &req, &date, "secret"), Ok(()));
        assert_eq!(verify(&auth, &req, &date, "other"), Err(Error::Mismatch));
    }

    #[test]
    fn body_is_covered_by_the_signature() {
        let (headers, body) = boto3_request();
        let req = Request {
            method: "POST",
            path: "/",
            query: "",
            headers: &headers,
            body,
        };
        let unsigned = Authorization::parse(&auth_header(&"0".repeat(64))).unwrap();
        let sig = signature(
            &unsigned,
            &req,
            "20261123T224431Z",
            "s",
            &hex::encode(Sha256::digest(body)),
        )
        .unwrap();
        let auth = Authorization::parse(&auth_header(&sig)).unwrap();
        let tampered = Request {
            body: b"{\"MaxResults\":1}",
            ..req
        };
        assert_eq!(
            verify(&auth, &tampered, "20261123T224431Z", "s"),
            Err(Error::Mismatch)
        );
    }

    #[test]
    fn clock_skew_is_fifteen_minutes_each_way() {
        let (headers, body) = boto3_request();
        let req = Request {
            method: "POST",
            path: "/",
            query: "",
            headers: &headers,
            body,
        };
        let auth = Authorization::parse(&auth_header(&"a".repeat(64))).unwrap();
        let late = now() + TimeDelta::minutes(16);
        let err = AwsError::from(check_date(&auth, &req, late).unwrap_err());
        assert_eq!(err.message, "Signature expired: 20261123T224431Z is now earlier than 20261123T224600Z (20261123T230100Z - 15 min.)");
        let early = now() - TimeDelta::minutes(16);
        assert!(matches!(
            check_date(&auth, &req, early),
            Err(Error::NotYetCurrent { .. })
        ));
        assert!(check_date(&auth, &req, now() + TimeDelta::minutes(14)).is_ok());
    }

    #[test]
    fn malformed_headers_are_incomplete() {
        for bad in [
            "Bearer x",
            "AWS4-HMAC-SHA256 Credential=AKID/20261123/us-east-1/timestream/aws4_request",
            "AWS4-HMAC-SHA256 Credential=AKID/20261123/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=aa",
        ] {
            assert!(matches!(Authorization::parse(bad), Err(Error::Incomplete(_))), "{bad}");
        }
    }
}
