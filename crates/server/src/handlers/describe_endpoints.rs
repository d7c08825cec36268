//! DescribeEndpoints for both services. Clients use the `Address` differently (§3.5): botocore
//! needs a full URL or it dials https; JS v3 replaces only the host name; the Rust SDK prefixes
//! `https://`. So the address is chosen by the caller's User-Agent, from its own `Host` header.

use protocol::operations::describe_endpoints::{DescribeEndpointsInput, DescribeEndpointsOutput};
use protocol::shapes::Endpoint;
use protocol::AwsError;

use crate::state::RequestContext;

/// As AWS answers.
const CACHE_PERIOD_MINUTES: i64 = 1440;

pub async fn describe_endpoints(
    ctx: &RequestContext,
    _input: DescribeEndpointsInput,
) -> Result<DescribeEndpointsOutput, AwsError> {
    let address = address_for(&ctx.user_agent, &ctx.host, ctx.tls);
    Ok(DescribeEndpointsOutput {
        endpoints: vec![Endpoint {
            address,
            cache_period_in_minutes: CACHE_PERIOD_MINUTES,
        }],
    })
}

fn address_for(user_agent: &str, host: &str, tls: bool) -> String {
    let ua = user_agent.to_ascii_lowercase();
    if ua.contains("aws-sdk-js") {
        host_without_port(host).to_owned()
    } else if ua.contains("aws-sdk-rust") {
        host.to_owned()
    } else {
        format!("{}://{host}", if tls { "https" } else { "http" })
    }
}

fn host_without_port(host: &str) -> &str {
    if let Some(rest) = host.strip_prefix('[') {
        return rest.split_once(']').map_or(host, |(h, _)| h);
    }
    host.rsplit_once(':').map_or(host, |(h, _)| h)
}

#[cfg(test)]
mod tests {
    use super::address_for;

    #[test]
    fn address_per_client() {
        let boto = "Boto3/1.44.5 md/Botocore#1.44.5 ua/2.1 os/linux";
        assert_eq!(
            address_for(boto, "localhost:4577", false),
            "http://localhost:4577"
        );
        assert_eq!(
            address_for("aws-cli/1.46.3 Python/3.11", "localhost:4577", true),
            "https://localhost:4577"
        );
        assert_eq!(
            address_for("aws-sdk-js/3.1138.0 ua/2.1", "localhost:4577", false),
            "localhost"
        );
        assert_eq!(
            address_for("aws-sdk-js/3.1138.0", "[::1]:4577", false),
            "::1"
        );
        assert_eq!(
            address_for("aws-sdk-rust/1.3.9 os/linux", "localhost:4577", false),
            "localhost:4577"
        );
        assert_eq!(
            address_for("curl/8", "127.0.0.1:1", false),
            "http://127.0.0.1:1"
        );
    }
}
