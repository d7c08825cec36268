use serde::{Deserialize, Serialize};

use crate::shapes::Endpoint;

super::operation!(
    DescribeEndpoints,
    "DescribeEndpoints",
    DescribeEndpointsInput,
    DescribeEndpointsOutput
);

#[derive(Debug, Deserialize)]
pub struct DescribeEndpointsInput {}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeEndpointsOutput {
    pub endpoints: Vec<Endpoint>,
}
