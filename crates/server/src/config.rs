//! Command-line flags, each with an environment-variable equivalent.

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Parser, ValueEnum};

#[derive(Debug, Clone, Parser)]
#[command(
    name = "timestream-local",
    version,
    about = "A local, AWS-API-compatible emulator of Amazon Timestream for LiveAnalytics"
)]
pub struct Config {
    /// Address to listen on.
    #[arg(long, env = "TIMESTREAM_LOCAL_HOST", default_value = "127.0.0.1")]
    pub host: String,
    /// Port to listen on; 0 picks a free one (the startup line says which).
    #[arg(long, env = "TIMESTREAM_LOCAL_PORT", default_value_t = 4577)]
    pub port: u16,
    /// Directory of the SQLite store; state survives restarts. Default: in memory.
    #[arg(long, env = "TIMESTREAM_LOCAL_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// Region assumed when a request carries no SigV4 scope (with --auth off).
    #[arg(long, env = "TIMESTREAM_LOCAL_REGION", default_value = "us-east-1")]
    pub region: String,
    /// Account that owns every resource (unless a credential names its own).
    #[arg(
        long,
        env = "TIMESTREAM_LOCAL_ACCOUNT_ID",
        default_value = "123456789012"
    )]
    pub account_id: String,
    /// lenient: any access key, configured ones HMAC-verified; strict: configured keys only;
    /// off: no SigV4 checks.
    #[arg(long, env = "TIMESTREAM_LOCAL_AUTH", value_enum, default_value_t = AuthMode::Lenient)]
    pub auth: AuthMode,
    /// Access keys as ACCESS_KEY_ID:SECRET[:ACCOUNT_ID]; repeat the flag or separate with commas.
    #[arg(
        long = "credentials",
        env = "TIMESTREAM_LOCAL_CREDENTIALS",
        value_delimiter = ','
    )]
    pub credentials: Vec<String>,
    /// Log filter (error, warn, info, debug, trace, or a tracing directive).
    #[arg(long, env = "TIMESTREAM_LOCAL_LOG_LEVEL", default_value = "info")]
    pub log_level: String,
    /// Also accept TLS on the same port, with a certificate for localhost signed by a local CA
    /// generated at start-up (for clients whose endpoint discovery forces https).
    #[arg(long, env = "TIMESTREAM_LOCAL_TLS")]
    pub tls: bool,
    /// Write the PEM of that local CA here, for clients to trust (SSL_CERT_FILE).
    #[arg(long, env = "TIMESTREAM_LOCAL_TLS_CA_FILE", requires = "tls")]
    pub tls_ca_file: Option<PathBuf>,
    /// Directory standing in for S3 (UNLOAD, batch load, scheduled-query error reports):
    /// `s3://BUCKET/KEY` is `DIR/BUCKET/KEY`, and a bucket exists when `DIR/BUCKET` does.
    /// Default: `s3` inside --data-dir, else a temporary directory.
    #[arg(
        long,
        env = "TIMESTREAM_LOCAL_S3_DIR",
        conflicts_with = "s3_endpoint_url"
    )]
    pub s3_dir: Option<PathBuf>,
    /// An S3-compatible endpoint (LocalStack, MinIO, moto) to use for S3 instead of a
    /// directory, path-style, signed with AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY /
    /// AWS_SESSION_TOKEN (default test/test) for --s3-region.
    #[arg(long, env = "TIMESTREAM_LOCAL_S3_ENDPOINT_URL")]
    pub s3_endpoint_url: Option<String>,
    /// The region of --s3-endpoint-url (default: AWS_REGION, else --region).
    #[arg(long, env = "TIMESTREAM_LOCAL_S3_REGION", requires = "s3_endpoint_url")]
    pub s3_region: Option<String>,
    /// An SNS-compatible endpoint (LocalStack, moto) to publish scheduled-query notifications
    /// to, SigV4-signed with AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (default test/test).
    /// Without it notifications are logged and kept for the admin API only.
    #[arg(long, env = "TIMESTREAM_LOCAL_SNS_ENDPOINT_URL")]
    pub sns_endpoint_url: Option<String>,
    /// Do not serve: ask the server at --host/--port for its health and exit 0 if it is up
    /// (for container health checks, where no HTTP client is installed).
    #[arg(long)]
    pub health_check: bool,
    /// Token the admin API (`/_timestream_local/`) requires, as `Authorization: Bearer TOKEN`
    /// or `x-timestream-local-admin-token: TOKEN`. Without one the admin API is open on a
    /// loopback address and refused (403) on any other.
    #[arg(long, env = "TIMESTREAM_LOCAL_ADMIN_TOKEN", hide_env_values = true)]
    pub admin_token: Option<String>,
    /// Connections served at once; further ones wait in the listen backlog, unanswered, until
    /// one closes.
    #[arg(
        long,
        env = "TIMESTREAM_LOCAL_MAX_CONNECTIONS",
        default_value_t = 1024,
        value_parser = clap::value_parser!(u32).range(1..)
    )]
    pub max_connections: u32,
    /// Milliseconds a request head may take, from a new connection (TLS handshake included) or
    /// from its first byte on a kept-alive one, before the connection is closed. This and the
    /// other hidden `*-timeout-ms` flags exist so tests can shorten the limits.
    #[arg(long, hide = true, default_value_t = 10_000, value_parser = clap::value_parser!(u64).range(1..))]
    pub header_timeout_ms: u64,
    /// Milliseconds a request body may take to arrive in full, from the end of its head.
    #[arg(long, hide = true, default_value_t = 30_000, value_parser = clap::value_parser!(u64).range(1..))]
    pub body_timeout_ms: u64,
    /// Milliseconds a kept-alive connection may wait for its next request.
    #[arg(long, hide = true, default_value_t = 60_000, value_parser = clap::value_parser!(u64).range(1..))]
    pub idle_timeout_ms: u64,
    /// Milliseconds shutdown waits for in-flight requests before it gives up on them.
    #[arg(long, hide = true, default_value_t = 10_000)]
    pub drain_timeout_ms: u64,
    /// Memory, in MiB, that all running queries may hold together: a sort, join or aggregate
    /// beyond it spills to disk or fails with a QueryExecutionException.
    #[arg(
        long,
        env = "TIMESTREAM_LOCAL_QUERY_MEMORY_LIMIT_MB",
        default_value_t = 1024,
        value_parser = clap::value_parser!(u64).range(1..)
    )]
    pub query_memory_limit_mb: u64,
    /// Milliseconds a query may run (AWS: 60 s).
    #[arg(long, hide = true, default_value_t = 60_000, value_parser = clap::value_parser!(u64).range(1..))]
    pub query_timeout_ms: u64,
}

/// The network front's limits, from [`Config`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub max_connections: usize,
    pub header_timeout: Duration,
    pub body_timeout: Duration,
    pub idle_timeout: Duration,
    pub drain_timeout: Duration,
    /// Request bodies larger than this are refused (declared) or cut off (streamed).
    pub max_body: usize,
}

/// Larger than any valid request (a 256 KiB query, or 100 records of 2 KiB, JSON-escaped).
pub const MAX_BODY: usize = 8 * 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AuthMode {
    Lenient,
    Strict,
    Off,
}

/// A configured access key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credential {
    pub secret: String,
    pub account: Option<String>,
}

impl Config {
    /// The configured access keys by id, or a message naming the malformed entry.
    pub fn credential_map(&self) -> Result<HashMap<String, Credential>, String> {
        self.credentials
            .iter()
            .filter(|c| !c.trim().is_empty())
            .map(|entry| {
                let mut parts = entry.trim().splitn(3, ':');
                match (parts.next(), parts.next(), parts.next()) {
                    (Some(id), Some(secret), account) if !id.is_empty() && !secret.is_empty() => {
                        Ok((
                            id.to_owned(),
                            Credential {
                                secret: secret.to_owned(),
                                account: account.map(str::to_owned),
                            },
                        ))
                    }
                    _ => Err(format!(
                        "--credentials entry '{entry}' is not ACCESS_KEY_ID:SECRET[:ACCOUNT_ID]"
                    )),
                }
            })
            .collect()
    }

    /// The limits and timeouts of the network front.
    pub fn limits(&self) -> Limits {
        Limits {
            max_connections: usize::try_from(self.max_connections).unwrap_or(usize::MAX),
            header_timeout: Duration::from_millis(self.header_timeout_ms),
            body_timeout: Duration::from_millis(self.body_timeout_ms),
            idle_timeout: Duration::from_millis(self.idle_timeout_ms),
            drain_timeout: Duration::from_millis(self.drain_timeout_ms),
            max_body: MAX_BODY,
        }
    }

    /// The server's S3: the endpoint when one is given, else the directory.
    pub fn s3(&self) -> s3::S3 {
        match &self.s3_endpoint_url {
            Some(url) => {
                let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
                s3::S3::endpoint(s3::EndpointConfig {
                    url: url.clone(),
                    region: self
                        .s3_region
                        .clone()
                        .or_else(|| env("AWS_REGION"))
                        .unwrap_or_else(|| self.region.clone()),
                    access_key_id: env("AWS_ACCESS_KEY_ID").unwrap_or_else(|| "test".into()),
                    secret_access_key: env("AWS_SECRET_ACCESS_KEY")
                        .unwrap_or_else(|| "test".into()),
                    session_token: env("AWS_SESSION_TOKEN"),
                })
            }
            None => {
                s3::S3::directory(self.s3_dir.clone().unwrap_or_else(|| {
                    match &self.data_dir {
                        Some(dir) => dir.join("s3"),
                        None => std::env::temp_dir()
                            .join(format!("timestream-local-s3-{}", std::process::id())),
                    }
                }))
            }
        }
    }

    /// The query service's limits.
    pub fn query_limits(&self) -> query::QueryLimits {
        query::QueryLimits {
            timeout: Duration::from_millis(self.query_timeout_ms),
            memory_bytes: usize::try_from(self.query_memory_limit_mb)
                .unwrap_or(usize::MAX >> 20)
                .saturating_mul(1 << 20),
            ..query::QueryLimits::default()
        }
    }

    /// The configured admin token; an empty one counts as none.
    pub fn admin_token(&self) -> Option<&str> {
        self.admin_token.as_deref().filter(|t| !t.is_empty())
    }

    /// A configuration for tests: a free port, in memory, lenient auth, quiet.
    pub fn for_tests() -> Self {
        Self::parse_from(["timestream-local", "--port", "0", "--log-level", "warn"])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_parse_with_optional_account() {
        let c = Config::parse_from(["t", "--credentials", "AK1:s1,AK2:s2:111122223333"]);
        let map = c.credential_map().unwrap();
        assert_eq!(
            map["AK1"],
            Credential {
                secret: "s1".into(),
                account: None
            }
        );
        assert_eq!(map["AK2"].account.as_deref(), Some("111122223333"));
        let bad = Config::parse_from(["t", "--credentials", "nosecret"]);
        assert!(bad.credential_map().is_err());
    }

    #[test]
    fn limits_default_and_refuse_zero() {
        let c = Config::parse_from(["t"]);
        let limits = c.limits();
        assert_eq!(limits.max_connections, 1024);
        assert_eq!(limits.header_timeout, Duration::from_secs(10));
        assert_eq!(limits.idle_timeout, Duration::from_secs(60));
        assert_eq!(limits.drain_timeout, Duration::from_secs(10));
        assert!(Config::try_parse_from(["t", "--max-connections", "0"]).is_err());
        assert!(Config::try_parse_from(["t", "--header-timeout-ms", "0"]).is_err());
        assert_eq!(
            Config::parse_from(["t", "--admin-token", ""]).admin_token(),
            None
        );
    }
}
