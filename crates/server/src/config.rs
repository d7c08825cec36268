//! Command-line flags, each with an environment-variable equivalent.

use std::collections::HashMap;
use std::path::PathBuf;

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
    /// Directory standing in for S3: `s3://BUCKET/KEY` is `DIR/BUCKET/KEY` (scheduled-query
    /// error reports). Default: `s3` inside --data-dir, else a temporary directory.
    #[arg(long, env = "TIMESTREAM_LOCAL_S3_DIR")]
    pub s3_dir: Option<PathBuf>,
    /// An SNS-compatible endpoint (LocalStack, moto) to publish scheduled-query notifications
    /// to, SigV4-signed with AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (default test/test).
    /// Without it notifications are logged and kept for the admin API only.
    #[arg(long, env = "TIMESTREAM_LOCAL_SNS_ENDPOINT_URL")]
    pub sns_endpoint_url: Option<String>,
    /// Do not serve: ask the server at --host/--port for its health and exit 0 if it is up
    /// (for container health checks, where no HTTP client is installed).
    #[arg(long)]
    pub health_check: bool,
}

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
}
