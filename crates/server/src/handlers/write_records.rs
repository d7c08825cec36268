use protocol::operations::write_records::{WriteRecordsInput, WriteRecordsOutput};
use protocol::AwsError;

use crate::state::RequestContext;

/// Not through [`RequestContext::engine_call`]: the engine's `write_records` is async (the
/// records go to the writer thread, and the request waits for its answer). Its preamble runs in
/// this task: the table's settings (one indexed read on a pooled read connection, which the
/// engine hands to tokio's blocking pool) and the records' validation (CPU only).
pub async fn write_records(
    ctx: &RequestContext,
    input: WriteRecordsInput,
) -> Result<WriteRecordsOutput, AwsError> {
    let outcome = ctx.state.engine.write_records(&ctx.scope, input).await?;
    Ok(WriteRecordsOutput {
        records_ingested: outcome.ingested,
    })
}
