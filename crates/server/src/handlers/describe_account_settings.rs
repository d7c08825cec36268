use protocol::operations::describe_account_settings::DescribeAccountSettingsInput;
use protocol::shapes::AccountSettings;
use protocol::AwsError;

use crate::state::RequestContext;

pub async fn describe_account_settings(
    ctx: &RequestContext,
    _input: DescribeAccountSettingsInput,
) -> Result<AccountSettings, AwsError> {
    Ok(ctx.engine().describe_account_settings(&ctx.scope)?)
}
