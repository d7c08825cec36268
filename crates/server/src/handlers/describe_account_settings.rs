use protocol::operations::describe_account_settings::DescribeAccountSettingsInput;
use protocol::shapes::AccountSettings;
use protocol::AwsError;

use crate::state::RequestContext;

pub async fn describe_account_settings(
    ctx: &RequestContext,
    _input: DescribeAccountSettingsInput,
) -> Result<AccountSettings, AwsError> {
    ctx.engine_call(|engine, scope| engine.describe_account_settings(scope))
        .await
}
