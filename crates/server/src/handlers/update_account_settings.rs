use protocol::operations::update_account_settings::UpdateAccountSettingsInput;
use protocol::shapes::AccountSettings;
use protocol::AwsError;

use crate::state::RequestContext;

pub async fn update_account_settings(
    ctx: &RequestContext,
    input: UpdateAccountSettingsInput,
) -> Result<AccountSettings, AwsError> {
    ctx.engine_call(move |engine, scope| engine.update_account_settings(scope, input))
        .await
}
