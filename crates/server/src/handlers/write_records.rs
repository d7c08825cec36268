use protocol::operations::write_records::{WriteRecordsInput, WriteRecordsOutput};
use protocol::AwsError;

use crate::state::RequestContext;

pub async fn write_records(
    ctx: &RequestContext,
    input: WriteRecordsInput,
) -> Result<WriteRecordsOutput, AwsError> {
    let outcome = ctx.engine().write_records(&ctx.scope, input).await?;
    Ok(WriteRecordsOutput {
        records_ingested: outcome.ingested,
    })
}
