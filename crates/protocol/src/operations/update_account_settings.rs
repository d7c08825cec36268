use serde::Deserialize;

use crate::shapes::{AccountSettings, QueryComputeRequest, QueryPricingModel};

super::operation!(
    UpdateAccountSettings,
    "UpdateAccountSettings",
    UpdateAccountSettingsInput,
    AccountSettings
);

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UpdateAccountSettingsInput {
    #[serde(rename = "MaxQueryTCU")]
    pub max_query_tcu: Option<i32>,
    pub query_pricing_model: Option<QueryPricingModel>,
    pub query_compute: Option<QueryComputeRequest>,
}
