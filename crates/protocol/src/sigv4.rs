//! AWS Signature Version 4 verification for `POST /` requests (wire-protocol.md §2.2), for the
//! signed-header sets of boto3/CLI, the Rust SDK and JS v3 alike: whatever `SignedHeaders` names
//! is canonicalised, so no client's set is special-cased.
//!
//! What is checked, and with which AWS error (texts as AWS/Coral words them where recorded):
//!
//! | check | where | error |
//! |---|---|---|
//! | `AWS4-HMAC-SHA256`, `Credential`, `SignedHeaders`, `Signature` present | [`Authorization::parse`] | `IncompleteSignatureException` |
//! | credential has 5 `/`-separated parts | [`Authorization::parse`] | `IncompleteSignatureException` `Credential must have exactly 5 slash-delimited elements, …` |
//! | scope region plausible ([`is_plausible_region`]), service `timestream`, terminator `aws4_request` | [`Authorization::parse`] | `InvalidSignatureException` `Credential should be scoped to a valid region, not 'X'. ` (one sentence per failed part, concatenated) |
//! | `X-Amz-Date` (basic ISO 8601) or else `Date` (RFC 1123/2822, or basic ISO 8601) present and parseable | [`check_date`] | `IncompleteSignatureException` |
//! | scope date = request date | [`check_date`] | `InvalidSignatureException` `Date in Credential scope does not match YYYYMMDD …` |
//! | request date within ±[`MAX_SKEW`] | [`check_date`] | `InvalidSignatureException` `Signature expired: …` / `Signature not yet current: …` |
//! | `host` and `x-amz-target` listed in `SignedHeaders` | [`verify`] | `InvalidSignatureException` `'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.` |
//! | `x-amz-content-sha256`, when sent, is `UNSIGNED-PAYLOAD` or the body's hash | [`verify`] | `InvalidSignatureException` (mismatch) |
//! | HMAC | [`verify`] | `InvalidSignatureException` (mismatch) |
//!
//! AWS checks the signed headers before the date and the scope; here the scope is checked while
//! parsing (so that `--auth off` can fall back to the default region on a bad one) and the
//! signed headers only where a signature is verified. Sources of the texts: responses recorded
//! from Coral services (DynamoDB, STS, SQS) and the AWS SigV4 reimplementation
//! `scratchstack-aws-signature`; `'X-Amz-Target' must be a 'SignedHeader' …` is ours, in the
//! form AWS uses for other required headers (Timestream's own wording is unpublished).

use chrono::{DateTime, NaiveDateTime, TimeDelta, Utc};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

use crate::{AwsError, ErrorCode};

/// How far the request date may be from the engine clock.
pub const MAX_SKEW: TimeDelta = TimeDelta::minutes(15);

/// The longest region name a credential scope may carry. Real names are at most 15 characters
/// (`ap-southeast-5`, `us-isof-south-1`); the region becomes part of the state key and of every
/// ARN, so an arbitrary string must not get there.
pub const MAX_REGION_LEN: usize = 32;

/// The payload hash a client puts in `x-amz-content-sha256` when it does not sign the body; the
/// canonical request then ends with this literal instead of the body's hash.
pub const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";

const ALGORITHM: &str = "AWS4-HMAC-SHA256";
const AMZ_DATE_FORMAT: &str = "%Y%m%dT%H%M%SZ";

/// Headers that must be listed in `SignedHeaders`, with the name the error message gives them.
/// `host` is required by SigV4 itself; `x-amz-target` selects the operation in this protocol and
/// every AWS SDK signs it, so an unsigned one would let a captured request be replayed as
/// another operation.
const REQUIRED_SIGNED_HEADERS: [(&str, &str); 2] = [
    ("host", "'Host' or ':authority'"),
    ("x-amz-target", "'X-Amz-Target'"),
];

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum Error {
    #[error("missing Authorization header")]
    Missing,
    /// `IncompleteSignatureException`: the header or the date cannot be read.
    #[error("malformed Authorization header: {0}")]
    Incomplete(String),
    /// `InvalidSignatureException` with a specific text: a bad credential scope, a required
    /// header left unsigned, a scope date that is not the request's.
    #[error("invalid signature: {0}")]
    Invalid(String),
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
            Error::Invalid(m) => AwsError::new(ErrorCode::InvalidSignatureException, m),
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
    /// Parses the header and checks its credential scope: five parts, a plausible region
    /// ([`is_plausible_region`]), service `timestream`, terminator `aws4_request`.
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
                "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '{credential}'"
            )));
        };
        let mut scope_errors = String::new();
        if !is_plausible_region(region) {
            scope_errors.push_str(&format!(
                "Credential should be scoped to a valid region, not '{region}'. "
            ));
        }
        if service != "timestream" {
            scope_errors.push_str("Credential should be scoped to correct service: 'timestream'. ");
        }
        if terminator != "aws4_request" {
            scope_errors.push_str(&format!(
                "Credential should be scoped with a valid terminator: 'aws4_request', not '{terminator}'. "
            ));
        }
        if !scope_errors.is_empty() {
            return Err(Error::Invalid(scope_errors));
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

/// Whether `region` looks like an AWS region: at most [`MAX_REGION_LEN`] characters, a prefix
/// of two to four lower-case letters, one or more lower-case words, a number, joined by `-`
/// (`^[a-z]{2,4}(-[a-z]+)+-[0-9]+$`): `us-east-1`, `eu-central-1`, `us-gov-west-1`,
/// `cn-northwest-1`, `us-isob-east-1`, `eusc-de-east-1` — every partition's `regionRegex` in
/// botocore's `endpoints.json` fits. AWS refuses a scope naming another region than the
/// endpoint's; an emulator answers for every region, so it refuses only what cannot be one.
pub fn is_plausible_region(region: &str) -> bool {
    if region.len() > MAX_REGION_LEN {
        return false;
    }
    let parts: Vec<&str> = region.split('-').collect();
    let [first, words @ .., number] = parts.as_slice() else {
        return false;
    };
    let lower = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_lowercase());
    (2..=4).contains(&first.len())
        && lower(first)
        && !words.is_empty()
        && words.iter().all(|w| lower(w))
        && !number.is_empty()
        && number.bytes().all(|b| b.is_ascii_digit())
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

/// The request time SigV4 signs: `X-Amz-Date` (basic ISO 8601, `20261123T224431Z`) when sent,
/// else the `Date` header, which SigV4 allows, in RFC 1123/2822 form (`Mon, 23 Nov 2026 22:44:31
/// GMT`, or `-0000` as botocore writes it) or basic ISO 8601.
fn request_time(req: &Request<'_>) -> Result<DateTime<Utc>, Error> {
    let not_basic = |v: &str| {
        Error::Incomplete(format!(
            "Date must be in ISO-8601 'basic format'. Got '{v}'. See http://en.wikipedia.org/wiki/ISO_8601"
        ))
    };
    if let Some(v) = req.header("x-amz-date") {
        return NaiveDateTime::parse_from_str(v.trim(), AMZ_DATE_FORMAT)
            .map(|t| t.and_utc())
            .map_err(|_| not_basic(v));
    }
    if let Some(v) = req.header("date") {
        let v = v.trim();
        // The weekday is redundant and not checked (the AWS test suite's own `Date` is a
        // "Mon" that was a Friday); chrono would refuse a wrong one.
        let without_weekday = v.split_once(',').map_or(v, |(_, rest)| rest.trim_start());
        return DateTime::parse_from_rfc2822(without_weekday)
            .map(|t| t.with_timezone(&Utc))
            .or_else(|_| NaiveDateTime::parse_from_str(v, AMZ_DATE_FORMAT).map(|t| t.and_utc()))
            .map_err(|_| not_basic(v));
    }
    Err(Error::Incomplete(
        "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header."
            .to_owned(),
    ))
}

/// Checks the request date (`X-Amz-Date`, else `Date`) against the scope date and against `now`
/// (±[`MAX_SKEW`]); returns it in basic ISO 8601, the form the string to sign carries whichever
/// header held it, for [`verify`].
pub fn check_date(
    auth: &Authorization,
    req: &Request<'_>,
    now: DateTime<Utc>,
) -> Result<String, Error> {
    let when = request_time(req)?;
    let fmt = |t: DateTime<Utc>| t.format(AMZ_DATE_FORMAT).to_string();
    let amz_date = fmt(when);
    let day = amz_date.get(..8).unwrap_or_default();
    if auth.date != day {
        return Err(Error::Invalid(format!(
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '{}' != '{day}', from '{amz_date}'.",
            auth.date
        )));
    }
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

/// Checks that `host` and `x-amz-target` are signed, then recomputes the signature with
/// `secret` and compares it in constant time. The payload hash is the body's SHA-256, or the
/// literal `UNSIGNED-PAYLOAD` when `x-amz-content-sha256` says so (the body is then not covered,
/// as SigV4 defines); any other `x-amz-content-sha256` must be the body's hash.
pub fn verify(
    auth: &Authorization,
    req: &Request<'_>,
    amz_date: &str,
    secret: &str,
) -> Result<(), Error> {
    for (name, shown) in REQUIRED_SIGNED_HEADERS {
        if !auth
            .signed_headers
            .iter()
            .any(|h| h.eq_ignore_ascii_case(name))
        {
            return Err(Error::Invalid(format!(
                "{shown} must be a 'SignedHeader' in the AWS Authorization."
            )));
        }
    }
    let body_hash = hex::encode(Sha256::digest(req.body));
    let payload_hash = match req.header("x-amz-content-sha256").map(str::trim) {
        None => body_hash.as_str(),
        Some(UNSIGNED_PAYLOAD) => UNSIGNED_PAYLOAD,
        Some(claimed) if claimed.eq_ignore_ascii_case(&body_hash) => claimed,
        Some(_) => return Err(Error::Mismatch),
    };
    let expected = signature(auth, req, amz_date, secret, payload_hash)?;
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
            "AWS4-HMAC-SHA256 Credential=AKID/20261123/us-east-1/timestream/aws4_request, SignedHeaders=host, Signature=aa",
        ] {
            assert!(matches!(Authorization::parse(bad), Err(Error::Incomplete(_))), "{bad}");
        }
        let err = Authorization::parse(
            "AWS4-HMAC-SHA256 Credential=AKID/20261123/timestream/aws4_request, SignedHeaders=host, Signature=aa",
        )
        .unwrap_err();
        assert_eq!(
            AwsError::from(err).message,
            "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got 'AKID/20261123/timestream/aws4_request'"
        );
    }

    /// AWS SigV4 test suite vectors (service `service`, region `us-east-1`): `get-vanilla` and
    /// `post-vanilla` (2015 suite, `X-Amz-Date`) and the 2011 suite's `get-vanilla`, signed with
    /// the `Date` header (whose weekday, Monday, is wrong for 2011-09-09, as in the suite).
    #[test]
    fn aws_test_suite_vectors() {
        const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
        let empty = hex::encode(Sha256::digest(b""));
        let cases = [
            (
                "GET",
                "20150830",
                "service",
                "x-amz-date",
                "20150830T123600Z",
                "example.amazonaws.com",
                "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
            ),
            (
                "POST",
                "20150830",
                "service",
                "x-amz-date",
                "20150830T123600Z",
                "example.amazonaws.com",
                "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b",
            ),
            (
                "GET",
                "20110909",
                "host",
                "date",
                "Mon, 09 Sep 2011 23:36:00 GMT",
                "host.foo.com",
                "b27ccfbfa7df52a200ff74193ca6e32d4b48b8856fab7ebf1c595d0670a7e470",
            ),
        ];
        for (method, day, service, date_header, date, host, expected) in cases {
            let mut headers = vec![
                (date_header.to_owned(), date.to_owned()),
                ("host".to_owned(), host.to_owned()),
            ];
            headers.sort();
            let auth = Authorization {
                access_key: "AKIDEXAMPLE".to_owned(),
                date: day.to_owned(),
                region: "us-east-1".to_owned(),
                service: service.to_owned(),
                signed_headers: headers.iter().map(|(n, _)| n.clone()).collect(),
                signature: String::new(),
            };
            let req = Request {
                method,
                path: "/",
                query: "",
                headers: &headers,
                body: b"",
            };
            let amz_date = request_time(&req)
                .unwrap()
                .format(AMZ_DATE_FORMAT)
                .to_string();
            assert_eq!(
                signature(&auth, &req, &amz_date, SECRET, &empty).unwrap(),
                expected,
                "{method} {date}"
            );
        }
    }

    /// Signs `headers` + `body` (every header signed unless left out of `signed`) with `secret`.
    fn signed(
        headers: &[(String, String)],
        signed: &[&str],
        body: &[u8],
        payload_hash: &str,
    ) -> Authorization {
        let mut auth = Authorization::parse(&auth_header(&"0".repeat(64))).unwrap();
        auth.signed_headers = signed.iter().map(|s| (*s).to_owned()).collect();
        let req = Request {
            method: "POST",
            path: "/",
            query: "",
            headers,
            body,
        };
        let amz_date = check_date(&auth, &req, now()).unwrap();
        auth.signature = signature(&auth, &req, &amz_date, "secret", payload_hash).unwrap();
        auth
    }

    fn verify_at_now(
        auth: &Authorization,
        headers: &[(String, String)],
        body: &[u8],
    ) -> Result<(), AwsError> {
        let req = Request {
            method: "POST",
            path: "/",
            query: "",
            headers,
            body,
        };
        let amz_date = check_date(auth, &req, now())?;
        verify(auth, &req, &amz_date, "secret").map_err(AwsError::from)
    }

    #[test]
    fn host_and_target_must_be_signed() {
        let (headers, body) = boto3_request();
        let hash = hex::encode(Sha256::digest(body));
        let all = signed(
            &headers,
            &["content-type", "host", "x-amz-date", "x-amz-target"],
            body,
            &hash,
        );
        assert_eq!(verify_at_now(&all, &headers, body), Ok(()));
        let no_host = signed(
            &headers,
            &["content-type", "x-amz-date", "x-amz-target"],
            body,
            &hash,
        );
        let err = verify_at_now(&no_host, &headers, body).unwrap_err();
        assert_eq!(err.code, ErrorCode::InvalidSignatureException);
        assert_eq!(
            err.message,
            "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."
        );
        let no_target = signed(
            &headers,
            &["content-type", "host", "x-amz-date"],
            body,
            &hash,
        );
        let err = verify_at_now(&no_target, &headers, body).unwrap_err();
        assert_eq!(err.code, ErrorCode::InvalidSignatureException);
        assert_eq!(
            err.message,
            "'X-Amz-Target' must be a 'SignedHeader' in the AWS Authorization."
        );
    }

    #[test]
    fn date_header_signs_in_place_of_x_amz_date() {
        let (mut headers, body) = boto3_request();
        headers.retain(|(n, _)| n != "x-amz-date");
        let hash = hex::encode(Sha256::digest(body));
        for date in [
            "Mon, 23 Nov 2026 22:44:31 GMT",
            "Mon, 23 Nov 2026 22:44:31 -0000",
            "Mon, 23 Nov 2026 22:44:31 +0000",
            "Tue, 23 Nov 2026 22:44:31 GMT",
            "23 Nov 2026 22:44:31 GMT",
            "20261123T224431Z",
        ] {
            let mut with_date = headers.clone();
            with_date.push(("date".to_owned(), date.to_owned()));
            let auth = signed(
                &with_date,
                &["content-type", "date", "host", "x-amz-target"],
                body,
                &hash,
            );
            let req = Request {
                method: "POST",
                path: "/",
                query: "",
                headers: &with_date,
                body,
            };
            assert_eq!(
                check_date(&auth, &req, now()).as_deref(),
                Ok("20261123T224431Z"),
                "{date}"
            );
            assert_eq!(verify_at_now(&auth, &with_date, body), Ok(()), "{date}");
        }
        let mut bad = headers.clone();
        bad.push(("date".to_owned(), "yesterday".to_owned()));
        let auth = Authorization::parse(&auth_header(&"a".repeat(64))).unwrap();
        let req = Request {
            method: "POST",
            path: "/",
            query: "",
            headers: &bad,
            body,
        };
        let err = AwsError::from(check_date(&auth, &req, now()).unwrap_err());
        assert_eq!(err.code, ErrorCode::IncompleteSignatureException);
        assert_eq!(err.message, "Date must be in ISO-8601 'basic format'. Got 'yesterday'. See http://en.wikipedia.org/wiki/ISO_8601");
        let req = Request {
            method: "POST",
            path: "/",
            query: "",
            headers: &headers,
            body,
        };
        let err = AwsError::from(check_date(&auth, &req, now()).unwrap_err());
        assert_eq!(err.code, ErrorCode::IncompleteSignatureException);
    }

    #[test]
    fn x_amz_date_wins_over_date_and_must_match_the_scope_day() {
        let (mut headers, body) = boto3_request();
        headers.push((
            "date".to_owned(),
            "Tue, 24 Nov 2026 01:00:00 GMT".to_owned(),
        ));
        let auth = Authorization::parse(&auth_header(&"a".repeat(64))).unwrap();
        let req = Request {
            method: "POST",
            path: "/",
            query: "",
            headers: &headers,
            body,
        };
        assert_eq!(
            check_date(&auth, &req, now()).as_deref(),
            Ok("20261123T224431Z")
        );
        let other_day = Authorization {
            date: "20261122".to_owned(),
            ..auth
        };
        let err = AwsError::from(check_date(&other_day, &req, now()).unwrap_err());
        assert_eq!(err.code, ErrorCode::InvalidSignatureException);
        assert_eq!(err.message, "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20261122' != '20261123', from '20261123T224431Z'.");
    }

    #[test]
    fn unsigned_payload_is_the_literal_payload_hash() {
        let (mut headers, body) = boto3_request();
        headers.push((
            "x-amz-content-sha256".to_owned(),
            UNSIGNED_PAYLOAD.to_owned(),
        ));
        let names = [
            "content-type",
            "host",
            "x-amz-content-sha256",
            "x-amz-date",
            "x-amz-target",
        ];
        let auth = signed(&headers, &names, body, UNSIGNED_PAYLOAD);
        assert_eq!(verify_at_now(&auth, &headers, body), Ok(()));
        // The body is not covered: another body verifies too, as SigV4 defines.
        assert_eq!(
            verify_at_now(&auth, &headers, b"{\"MaxResults\":1}"),
            Ok(())
        );
        // Signed over the body's hash instead, the claim "UNSIGNED-PAYLOAD" does not verify.
        let over_body = signed(&headers, &names, body, &hex::encode(Sha256::digest(body)));
        assert!(verify_at_now(&over_body, &headers, body).is_err());
        // A claimed hash must be the body's (any case).
        let (mut headers, body) = boto3_request();
        let hash = hex::encode(Sha256::digest(body)).to_ascii_uppercase();
        headers.push(("x-amz-content-sha256".to_owned(), hash.clone()));
        let auth = signed(&headers, &names, body, &hash);
        assert_eq!(verify_at_now(&auth, &headers, body), Ok(()));
        let err = verify_at_now(&auth, &headers, b"{}  ").unwrap_err();
        assert_eq!(err.code, ErrorCode::InvalidSignatureException);
    }

    #[test]
    fn plausible_regions() {
        for ok in [
            "us-east-1",
            "eu-central-1",
            "ap-southeast-5",
            "us-gov-west-1",
            "cn-northwest-1",
            "us-isob-east-1",
            "eu-isoe-west-1",
            "eusc-de-east-1",
            "il-central-1",
            "mx-central-1",
        ] {
            assert!(is_plausible_region(ok), "{ok}");
        }
        let long = format!("us-{}-1", "e".repeat(MAX_REGION_LEN));
        for bad in [
            "",
            "us",
            "us-east",
            "useast1",
            "US-EAST-1",
            "u-east-1",
            "abcde-east-1",
            "us--1",
            "us-east-",
            "us-east-1a",
            "us-east-1 ",
            "local",
            "../etc",
            "us-east-1/x",
            &long,
        ] {
            assert!(!is_plausible_region(bad), "{bad:?}");
        }
    }

    #[test]
    fn credential_scope_errors_name_every_bad_part() {
        let header = |scope: &str| {
            format!("AWS4-HMAC-SHA256 Credential=AKID/20261123/{scope}, SignedHeaders=host;x-amz-target, Signature={}", "a".repeat(64))
        };
        let message = |scope: &str| {
            let err = AwsError::from(Authorization::parse(&header(scope)).unwrap_err());
            assert_eq!(err.code, ErrorCode::InvalidSignatureException, "{scope}");
            err.message
        };
        assert_eq!(
            message("/timestream/aws4_request"),
            "Credential should be scoped to a valid region, not ''. "
        );
        assert_eq!(
            message("moon-base-1x/timestream/aws4_request"),
            "Credential should be scoped to a valid region, not 'moon-base-1x'. "
        );
        assert_eq!(
            message("us-east-1/s3/aws4_request"),
            "Credential should be scoped to correct service: 'timestream'. "
        );
        assert_eq!(
            message("nowhere/dynamodb/aws5_request"),
            "Credential should be scoped to a valid region, not 'nowhere'. Credential should be scoped to correct service: 'timestream'. Credential should be scoped with a valid terminator: 'aws4_request', not 'aws5_request'. "
        );
        assert_eq!(
            Authorization::parse(&header("us-gov-west-1/timestream/aws4_request"))
                .unwrap()
                .region,
            "us-gov-west-1"
        );
    }
}
