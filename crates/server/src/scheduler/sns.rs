//! Publishing notifications to an SNS-compatible endpoint (`--sns-endpoint-url`, plain HTTP:
//! LocalStack, moto): SNS's query API (`Action=Publish`, form-encoded), SigV4-signed for service
//! `sns` in the topic's region with the same signer the server verifies with. Each message is
//! sent in the background, so a slow or absent endpoint never delays a run; failures are logged.

use std::time::Duration;

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::rt::TokioIo;
use protocol::sigv4::{self, Authorization};
use sha2::{Digest, Sha256};
use tokio::net::TcpStream;

/// How long one publish may take.
const PUBLISH_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Debug, thiserror::Error)]
pub enum SnsError {
    #[error("--sns-endpoint-url must be http://HOST[:PORT][/PATH], not {0}")]
    Endpoint(String),
    #[error("cannot reach {0}: {1}")]
    Connect(String, std::io::Error),
    #[error("HTTP: {0}")]
    Http(#[from] hyper::Error),
    #[error("the request could not be built: {0}")]
    Request(#[from] http::Error),
    #[error("SNS answered {status}: {body}")]
    Refused { status: u16, body: String },
    #[error("no answer within {PUBLISH_TIMEOUT:?}")]
    Timeout,
}

#[derive(Debug, Clone)]
pub struct SnsPublisher {
    /// `host:port` to connect to, and the `Host` header.
    authority: String,
    path: String,
    access_key: String,
    secret: String,
}

impl SnsPublisher {
    /// A publisher for `endpoint` (`http://host:port[/path]`), signing with the standard
    /// `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` (default `test` / `test`).
    pub fn new(endpoint: &str) -> Result<Self, SnsError> {
        let rest = endpoint
            .strip_prefix("http://")
            .ok_or_else(|| SnsError::Endpoint(endpoint.to_owned()))?;
        let (authority, path) = match rest.find('/') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, "/"),
        };
        if authority.is_empty() {
            return Err(SnsError::Endpoint(endpoint.to_owned()));
        }
        let authority = if authority.contains(':') {
            authority.to_owned()
        } else {
            format!("{authority}:80")
        };
        let env = |name: &str| std::env::var(name).unwrap_or_else(|_| "test".to_owned());
        Ok(Self {
            authority,
            path: path.to_owned(),
            access_key: env("AWS_ACCESS_KEY_ID"),
            secret: env("AWS_SECRET_ACCESS_KEY"),
        })
    }

    /// Publishes `message` to `topic_arn` in the background.
    pub fn publish(&self, topic_arn: String, message: String) {
        let publisher = self.clone();
        tokio::spawn(async move {
            let sent =
                tokio::time::timeout(PUBLISH_TIMEOUT, publisher.publish_now(&topic_arn, &message))
                    .await
                    .unwrap_or(Err(SnsError::Timeout));
            match sent {
                Ok(()) => tracing::debug!(topic_arn, "notification published"),
                Err(e) => tracing::warn!(topic_arn, error = %e, "notification not published"),
            }
        });
    }

    /// Publishes `message` to `topic_arn` and waits for SNS's answer.
    pub async fn publish_now(&self, topic_arn: &str, message: &str) -> Result<(), SnsError> {
        // arn:aws:sns:REGION:ACCOUNT:NAME
        let region = topic_arn
            .split(':')
            .nth(3)
            .unwrap_or("us-east-1")
            .to_owned();
        let body = format!(
            "Action=Publish&Version=2010-03-31&TopicArn={}&Message={}",
            form_encode(topic_arn),
            form_encode(message)
        );
        let now = chrono::Utc::now();
        let amz_date = now.format("%Y%m%dT%H%M%SZ").to_string();
        let content_type = "application/x-www-form-urlencoded; charset=utf-8";
        let payload_hash = hex::encode(Sha256::digest(body.as_bytes()));
        let headers = vec![
            ("content-type".to_owned(), content_type.to_owned()),
            ("host".to_owned(), self.authority.clone()),
            ("x-amz-date".to_owned(), amz_date.clone()),
        ];
        let mut auth = Authorization {
            access_key: self.access_key.clone(),
            date: now.format("%Y%m%d").to_string(),
            region,
            service: "sns".to_owned(),
            signed_headers: headers.iter().map(|(n, _)| n.clone()).collect(),
            signature: String::new(),
        };
        let request = sigv4::Request {
            method: "POST",
            path: &self.path,
            query: "",
            headers: &headers,
            body: body.as_bytes(),
        };
        auth.signature = sigv4::signature(&auth, &request, &amz_date, &self.secret, &payload_hash)
            .map_err(|_| SnsError::Endpoint(self.authority.clone()))?;
        let authorization = format!(
            "AWS4-HMAC-SHA256 Credential={}/{}/{}/sns/aws4_request, SignedHeaders={}, Signature={}",
            auth.access_key,
            auth.date,
            auth.region,
            auth.signed_headers.join(";"),
            auth.signature
        );

        let stream = TcpStream::connect(&self.authority)
            .await
            .map_err(|e| SnsError::Connect(self.authority.clone(), e))?;
        let (mut sender, connection) =
            hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::debug!(error = %e, "SNS connection closed with error");
            }
        });
        let request = http::Request::post(self.path.as_str())
            .header("host", &self.authority)
            .header("content-type", content_type)
            .header("x-amz-date", &amz_date)
            .header("authorization", authorization)
            .body(Full::new(Bytes::from(body)))?;
        let response = sender.send_request(request).await?;
        let status = response.status();
        if status.is_success() {
            return Ok(());
        }
        let body = response.into_body().collect().await?.to_bytes();
        Err(SnsError::Refused {
            status: status.as_u16(),
            body: String::from_utf8_lossy(&body).into_owned(),
        })
    }
}

/// `application/x-www-form-urlencoded` as SigV4 and SNS expect it: unreserved characters kept,
/// everything else percent-encoded (spaces as `%20`).
fn form_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(char::from(b));
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_and_encoding() {
        let p = SnsPublisher::new("http://localhost:5000").unwrap();
        assert_eq!(
            (p.authority.as_str(), p.path.as_str()),
            ("localhost:5000", "/")
        );
        let p = SnsPublisher::new("http://sns.local/x").unwrap();
        assert_eq!(
            (p.authority.as_str(), p.path.as_str()),
            ("sns.local:80", "/x")
        );
        assert!(SnsPublisher::new("https://sns.amazonaws.com").is_err());
        assert!(SnsPublisher::new("http:///x").is_err());
        assert_eq!(form_encode("a b/{\"é\"}"), "a%20b%2F%7B%22%C3%A9%22%7D");
    }
}
