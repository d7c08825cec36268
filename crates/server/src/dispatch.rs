//! The one `match` on `X-Amz-Target`: every operation of both service models has an arm. The
//! four names both services share are routed by ARN (TagResource, UntagResource,
//! ListTagsForResource: `…:scheduled-query/…` is the query service's) or answered once
//! (DescribeEndpoints).

use std::future::Future;

use protocol::operations::{self as ops, Operation};
use protocol::validate::validate_input;
use protocol::{AwsError, ErrorCode, Service};
use serde_json::Value;

use crate::handlers;
use crate::state::RequestContext;

/// What `X-Amz-Target` carries before the operation's name.
pub const TARGET_PREFIX: &str = "Timestream_20181101.";

/// The name as `'static` when it names one of the models' operations.
pub fn operation_name(name: &str) -> Option<&'static str> {
    static NAMES: std::sync::LazyLock<Vec<&'static str>> =
        std::sync::LazyLock::new(protocol::model::all_operations);
    NAMES.iter().find(|n| **n == name).copied()
}

pub async fn dispatch(
    ctx: &RequestContext,
    operation: &str,
    target: &str,
    body: &[u8],
) -> Result<Vec<u8>, AwsError> {
    use Service::{Query, Write};
    match operation {
        "CreateDatabase" => {
            invoke::<ops::create_database::CreateDatabase, _, _>(
                ctx,
                Write,
                body,
                handlers::create_database,
            )
            .await
        }
        "DescribeDatabase" => {
            invoke::<ops::describe_database::DescribeDatabase, _, _>(
                ctx,
                Write,
                body,
                handlers::describe_database,
            )
            .await
        }
        "ListDatabases" => {
            invoke::<ops::list_databases::ListDatabases, _, _>(
                ctx,
                Write,
                body,
                handlers::list_databases,
            )
            .await
        }
        "UpdateDatabase" => {
            invoke::<ops::update_database::UpdateDatabase, _, _>(
                ctx,
                Write,
                body,
                handlers::update_database,
            )
            .await
        }
        "DeleteDatabase" => {
            invoke::<ops::delete_database::DeleteDatabase, _, _>(
                ctx,
                Write,
                body,
                handlers::delete_database,
            )
            .await
        }
        "CreateTable" => {
            invoke::<ops::create_table::CreateTable, _, _>(ctx, Write, body, handlers::create_table)
                .await
        }
        "DescribeTable" => {
            invoke::<ops::describe_table::DescribeTable, _, _>(
                ctx,
                Write,
                body,
                handlers::describe_table,
            )
            .await
        }
        "ListTables" => {
            invoke::<ops::list_tables::ListTables, _, _>(ctx, Write, body, handlers::list_tables)
                .await
        }
        "UpdateTable" => {
            invoke::<ops::update_table::UpdateTable, _, _>(ctx, Write, body, handlers::update_table)
                .await
        }
        "DeleteTable" => {
            invoke::<ops::delete_table::DeleteTable, _, _>(ctx, Write, body, handlers::delete_table)
                .await
        }
        "DescribeEndpoints" => {
            invoke::<ops::describe_endpoints::DescribeEndpoints, _, _>(
                ctx,
                Write,
                body,
                handlers::describe_endpoints,
            )
            .await
        }
        "TagResource" => {
            let service = service_of_arn(body);
            invoke::<ops::tag_resource::TagResource, _, _>(
                ctx,
                service,
                body,
                handlers::tag_resource,
            )
            .await
        }
        "UntagResource" => {
            let service = service_of_arn(body);
            invoke::<ops::untag_resource::UntagResource, _, _>(
                ctx,
                service,
                body,
                handlers::untag_resource,
            )
            .await
        }
        "ListTagsForResource" => {
            let service = service_of_arn(body);
            invoke::<ops::list_tags_for_resource::ListTagsForResource, _, _>(
                ctx,
                service,
                body,
                handlers::list_tags_for_resource,
            )
            .await
        }
        "DescribeAccountSettings" => {
            invoke::<ops::describe_account_settings::DescribeAccountSettings, _, _>(
                ctx,
                Query,
                body,
                handlers::describe_account_settings,
            )
            .await
        }
        "UpdateAccountSettings" => {
            invoke::<ops::update_account_settings::UpdateAccountSettings, _, _>(
                ctx,
                Query,
                body,
                handlers::update_account_settings,
            )
            .await
        }
        "WriteRecords" => {
            invoke::<ops::write_records::WriteRecords, _, _>(
                ctx,
                Write,
                body,
                handlers::write_records,
            )
            .await
        }
        "CreateBatchLoadTask" => {
            invoke::<ops::create_batch_load_task::CreateBatchLoadTask, _, _>(
                ctx,
                Write,
                body,
                handlers::create_batch_load_task,
            )
            .await
        }
        "DescribeBatchLoadTask" => {
            invoke::<ops::describe_batch_load_task::DescribeBatchLoadTask, _, _>(
                ctx,
                Write,
                body,
                handlers::describe_batch_load_task,
            )
            .await
        }
        "ListBatchLoadTasks" => {
            invoke::<ops::list_batch_load_tasks::ListBatchLoadTasks, _, _>(
                ctx,
                Write,
                body,
                handlers::list_batch_load_tasks,
            )
            .await
        }
        "ResumeBatchLoadTask" => {
            invoke::<ops::resume_batch_load_task::ResumeBatchLoadTask, _, _>(
                ctx,
                Write,
                body,
                handlers::resume_batch_load_task,
            )
            .await
        }
        "Query" => invoke::<ops::query::Query, _, _>(ctx, Query, body, handlers::query).await,
        "PrepareQuery" => {
            invoke::<ops::prepare_query::PrepareQuery, _, _>(
                ctx,
                Query,
                body,
                handlers::prepare_query,
            )
            .await
        }
        "CancelQuery" => {
            invoke::<ops::cancel_query::CancelQuery, _, _>(ctx, Query, body, handlers::cancel_query)
                .await
        }
        "CreateScheduledQuery" => {
            invoke::<ops::create_scheduled_query::CreateScheduledQuery, _, _>(
                ctx,
                Query,
                body,
                handlers::create_scheduled_query,
            )
            .await
        }
        "DescribeScheduledQuery" => {
            invoke::<ops::describe_scheduled_query::DescribeScheduledQuery, _, _>(
                ctx,
                Query,
                body,
                handlers::describe_scheduled_query,
            )
            .await
        }
        "ListScheduledQueries" => {
            invoke::<ops::list_scheduled_queries::ListScheduledQueries, _, _>(
                ctx,
                Query,
                body,
                handlers::list_scheduled_queries,
            )
            .await
        }
        "UpdateScheduledQuery" => {
            invoke::<ops::update_scheduled_query::UpdateScheduledQuery, _, _>(
                ctx,
                Query,
                body,
                handlers::update_scheduled_query,
            )
            .await
        }
        "DeleteScheduledQuery" => {
            invoke::<ops::delete_scheduled_query::DeleteScheduledQuery, _, _>(
                ctx,
                Query,
                body,
                handlers::delete_scheduled_query,
            )
            .await
        }
        "ExecuteScheduledQuery" => {
            invoke::<ops::execute_scheduled_query::ExecuteScheduledQuery, _, _>(
                ctx,
                Query,
                body,
                handlers::execute_scheduled_query,
            )
            .await
        }
        _ => Err(AwsError::new(
            ErrorCode::UnknownOperationException,
            if target.is_empty() {
                "The request has no X-Amz-Target header; expected Timestream_20181101.<Operation>."
                    .to_owned()
            } else {
                format!("The operation {target} is not recognized.")
            },
        )),
    }
}

/// Decode, validate against the model, run the handler, encode.
async fn invoke<'a, O, F, Fut>(
    ctx: &'a RequestContext,
    service: Service,
    body: &[u8],
    handler: F,
) -> Result<Vec<u8>, AwsError>
where
    O: Operation,
    F: FnOnce(&'a RequestContext, O::Input) -> Fut,
    Fut: Future<Output = Result<O::Output, AwsError>> + 'a,
{
    let value = decode(body)?;
    validate_input(service, O::NAME, &value)?;
    let input: O::Input = serde_json::from_value(value).map_err(|e| {
        AwsError::serialization(format!("The request body does not match {}: {e}", O::NAME))
    })?;
    let output = handler(ctx, input).await?;
    serde_json::to_vec(&output)
        .map_err(|e| AwsError::internal(format!("cannot encode the response: {e}")))
}

/// An empty body is `{}` (operations without input members may be sent without one).
fn decode(body: &[u8]) -> Result<Value, AwsError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Value::Object(Default::default()));
    }
    serde_json::from_slice(body)
        .map_err(|e| AwsError::serialization(format!("The request body is not valid JSON: {e}")))
}

fn service_of_arn(body: &[u8]) -> Service {
    let arn = serde_json::from_slice::<Value>(body)
        .ok()
        .and_then(|v| {
            v.get("ResourceARN")
                .and_then(Value::as_str)
                .map(str::to_owned)
        })
        .unwrap_or_default();
    if arn.contains(":scheduled-query/") {
        Service::Query
    } else {
        Service::Write
    }
}
