//! Scheduled queries with the AWS SDK for Rust (explicit endpoint): create, execute, describe,
//! and the modeled ResourceNotFoundException with its ScheduledQueryArn.

mod common;

use aws_sdk_timestreamquery::operation::describe_scheduled_query::DescribeScheduledQueryError;
use aws_sdk_timestreamquery::primitives::DateTime;
use aws_sdk_timestreamquery::types::{
    DimensionMapping, DimensionValueType, ErrorReportConfiguration, MultiMeasureAttributeMapping,
    MultiMeasureMappings, NotificationConfiguration, S3Configuration, ScalarMeasureValueType,
    ScheduleConfiguration, ScheduledQueryRunStatus, ScheduledQueryState, SnsConfiguration,
    TargetConfiguration, TimestreamConfiguration,
};
use aws_sdk_timestreamwrite::types::{Dimension, MeasureValueType, Record};
use common::*;

#[tokio::test]
async fn create_execute_describe() {
    let server = Server::start();
    let (write, _) = write_client(&server.url);
    let (query, _) = query_client(&server.url);
    write.create_database().database_name("monitoring").send().await.expect("CreateDatabase");
    for table in ["server_metrics", "metrics_hourly"] {
        write
            .create_table()
            .database_name("monitoring")
            .table_name(table)
            .send()
            .await
            .expect("CreateTable");
    }
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_millis() as i64;
    // All points in the previous whole hour, so each host has one hourly bin.
    let hour_ms = now_ms / 3_600_000 * 3_600_000 - 3_600_000;
    let records = [("a", "40", 10), ("a", "60", 20), ("b", "90", 5)].map(|(host, value, minutes)| {
        Record::builder()
            .dimensions(Dimension::builder().name("hostname").value(host).build().expect("dim"))
            .measure_name("cpu_usage")
            .measure_value(value)
            .measure_value_type(MeasureValueType::Double)
            .time((hour_ms + minutes * 60_000).to_string())
            .build()
    });
    write
        .write_records()
        .database_name("monitoring")
        .table_name("server_metrics")
        .set_records(Some(records.to_vec()))
        .send()
        .await
        .expect("WriteRecords");

    let target = TimestreamConfiguration::builder()
        .database_name("monitoring")
        .table_name("metrics_hourly")
        .time_column("hour")
        .dimension_mappings(
            DimensionMapping::builder()
                .name("hostname")
                .dimension_value_type(DimensionValueType::Varchar)
                .build()
                .expect("mapping"),
        )
        .multi_measure_mappings(
            MultiMeasureMappings::builder()
                .target_multi_measure_name("cpu")
                .multi_measure_attribute_mappings(
                    MultiMeasureAttributeMapping::builder()
                        .source_column("max_cpu")
                        .measure_value_type(ScalarMeasureValueType::Double)
                        .build()
                        .expect("attribute"),
                )
                .build()
                .expect("multi"),
        )
        .build()
        .expect("target");
    let created = query
        .create_scheduled_query()
        .name("rs-hourly")
        .query_string(
            "SELECT hostname, bin(time, 1h) AS hour, MAX(measure_value::double) AS max_cpu \
             FROM monitoring.server_metrics WHERE time > @scheduled_runtime - 2h \
             GROUP BY hostname, bin(time, 1h)",
        )
        .schedule_configuration(
            ScheduleConfiguration::builder()
                .schedule_expression("cron(0 * * * ? *)")
                .build()
                .expect("schedule"),
        )
        .notification_configuration(
            NotificationConfiguration::builder()
                .sns_configuration(
                    SnsConfiguration::builder()
                        .topic_arn(format!("arn:aws:sns:{REGION}:{ACCOUNT_ID}:t"))
                        .build()
                        .expect("sns"),
                )
                .build(),
        )
        .target_configuration(
            TargetConfiguration::builder()
                .timestream_configuration(target)
                .build(),
        )
        .scheduled_query_execution_role_arn(format!("arn:aws:iam::{ACCOUNT_ID}:role/r"))
        .error_report_configuration(
            ErrorReportConfiguration::builder()
                .s3_configuration(
                    S3Configuration::builder()
                        .bucket_name("errors-bucket")
                        .build()
                        .expect("s3"),
                )
                .build(),
        )
        .send()
        .await
        .expect("CreateScheduledQuery");
    let arn = created.arn().to_owned();
    assert!(
        arn.starts_with(&format!("arn:aws:timestream:{REGION}:{ACCOUNT_ID}:scheduled-query/rs-hourly-")),
        "{arn}"
    );

    let invocation = DateTime::from_secs(now_ms / 1000);
    query
        .execute_scheduled_query()
        .scheduled_query_arn(&arn)
        .invocation_time(invocation)
        .send()
        .await
        .expect("ExecuteScheduledQuery");

    let described = query
        .describe_scheduled_query()
        .scheduled_query_arn(&arn)
        .send()
        .await
        .expect("DescribeScheduledQuery");
    let d = described.scheduled_query().expect("ScheduledQuery");
    assert_eq!(d.state(), &ScheduledQueryState::Enabled);
    // cron(0 * * * ? *): the next whole hour.
    let next = d.next_invocation_time().expect("NextInvocationTime");
    assert_eq!(next.secs() % 3600, 0);
    assert!(next.secs() > now_ms / 1000 && next.secs() <= now_ms / 1000 + 3600);
    let run = d.last_run_summary().expect("LastRunSummary");
    assert_eq!(run.run_status(), Some(&ScheduledQueryRunStatus::ManualTriggerSuccess));
    assert_eq!(run.invocation_time(), Some(&invocation));
    let stats = run.execution_stats().expect("ExecutionStats");
    assert_eq!((stats.query_result_rows(), stats.records_ingested()), (2, 2));

    query
        .delete_scheduled_query()
        .scheduled_query_arn(&arn)
        .send()
        .await
        .expect("DeleteScheduledQuery");
    let err = query
        .describe_scheduled_query()
        .scheduled_query_arn(&arn)
        .send()
        .await
        .expect_err("deleted")
        .into_service_error();
    match err {
        DescribeScheduledQueryError::ResourceNotFoundException(e) => {
            assert_eq!(e.scheduled_query_arn(), Some(arn.as_str()));
            assert_eq!(e.message(), Some(format!("The scheduled query {arn} does not exist.").as_str()));
        }
        other => panic!("expected ResourceNotFoundException, got {other:?}"),
    }
}
