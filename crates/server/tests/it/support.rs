use chrono::Utc;
use serde_json::Value;
use sha2::{Digest, Sha256};
use timestream_local::{Config, Server, ShutdownHandle};
use tokio::task::JoinHandle;

pub struct TestServer {
    pub url: String,
    shutdown: ShutdownHandle,
    task: Option<JoinHandle<std::io::Result<()>>>,
}

impl TestServer {
    pub async fn start(config: Config) -> Self {
        let server = Server::start(config).await.expect("server starts");
        let addr = server.local_addr();
        let shutdown = server.shutdown_handle();
        let task = tokio::spawn(server.run_until_shutdown());
        Self {
            url: format!("http://{addr}"),
            shutdown,
            task: Some(task),
        }
    }

    pub async fn with_args(args: &[&str]) -> Self {
        let mut all = vec!["timestream-local", "--port", "0", "--log-level", "warn"];
        all.extend_from_slice(args);
        Self::start(<Config as clap::Parser>::parse_from(all)).await
    }

    pub async fn stop(mut self) {
        self.shutdown.shutdown();
        if let Some(task) = self.task.take() {
            task.await.expect("server task").expect("clean shutdown");
        }
    }
}

pub struct Reply {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

impl Reply {
    pub fn error_code(&self) -> &str {
        self.body["__type"]
            .as_str()
            .unwrap_or_default()
            .rsplit('#')
            .next()
            .unwrap_or_default()
    }

    pub fn message(&self) -> &str {
        self.body["Message"].as_str().unwrap_or_default()
    }
}

/// Sends an AWS request; signs it as boto3 does when `key` is given.
pub async fn call(url: &str, operation: &str, body: &str, key: Option<(&str, &str)>) -> Reply {
    call_at(url, operation, body, key, Utc::now()).await
}

pub async fn call_at(
    url: &str,
    operation: &str,
    body: &str,
    key: Option<(&str, &str)>,
    when: chrono::DateTime<Utc>,
) -> Reply {
    let host = url.trim_start_matches("http://").to_owned();
    let target = format!("Timestream_20181101.{operation}");
    let mut req = reqwest::Client::new()
        .post(format!("{url}/"))
        .header("content-type", "application/x-amz-json-1.0")
        .header("x-amz-target", &target)
        .body(body.to_owned());
    if let Some((akid, secret)) = key {
        let amz_date = when.format("%Y%m%dT%H%M%SZ").to_string();
        let headers = vec![
            (
                "content-type".to_owned(),
                "application/x-amz-json-1.0".to_owned(),
            ),
            ("host".to_owned(), host),
            ("x-amz-date".to_owned(), amz_date.clone()),
            ("x-amz-target".to_owned(), target),
        ];
        let auth = protocol::sigv4::Authorization {
            access_key: akid.to_owned(),
            date: amz_date[..8].to_owned(),
            region: "us-east-1".to_owned(),
            service: "timestream".to_owned(),
            signed_headers: headers.iter().map(|(k, _)| k.clone()).collect(),
            signature: String::new(),
        };
        let signed = protocol::sigv4::Request {
            method: "POST",
            path: "/",
            query: "",
            headers: &headers,
            body: body.as_bytes(),
        };
        let hash = hex::encode(Sha256::digest(body.as_bytes()));
        let sig = protocol::sigv4::signature(&auth, &signed, &amz_date, secret, &hash).unwrap();
        req = req.header("x-amz-date", &amz_date).header(
            "authorization",
            format!(
                "AWS4-HMAC-SHA256 Credential={akid}/{}/us-east-1/timestream/aws4_request, SignedHeaders={}, Signature={sig}",
                &amz_date[..8],
                auth.signed_headers.join(";")
            ),
        );
    }
    let resp = req.send().await.expect("request sent");
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let text = resp.text().await.expect("body");
    let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
    Reply {
        status,
        headers,
        body,
    }
}
