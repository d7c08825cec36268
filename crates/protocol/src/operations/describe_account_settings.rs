use serde::Deserialize;

use crate::shapes::AccountSettings;

super::operation!(
    DescribeAccountSettings,
    "DescribeAccountSettings",
    DescribeAccountSettingsInput,
    AccountSettings
);

#[derive(Debug, Deserialize)]
pub struct DescribeAccountSettingsInput {}
