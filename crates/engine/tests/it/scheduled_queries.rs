//! The scheduled-query catalog: pending invocations move only when a run is recorded (so every
//! missed invocation comes due in order), state changes, idempotent creation, run history, and
//! persistence across a reopen.

use engine::{Engine, Error, Scope};
use protocol::operations::create_scheduled_query::CreateScheduledQueryInput;
use protocol::shapes::{
    ErrorReportConfiguration, NotificationConfiguration, S3Configuration, ScheduleConfiguration,
    ScheduledQueryRunStatus, ScheduledQueryRunSummary, ScheduledQueryState, SnsConfiguration,
};
use protocol::timestamp::from_nanos;

use crate::support::{engine_at, scope, NOW_MS};

const NOW: i64 = NOW_MS * 1_000_000;
const MINUTE: i64 = 60_000_000_000;
const HOUR: i64 = 60 * MINUTE;

fn input(name: &str, schedule: &str) -> CreateScheduledQueryInput {
    CreateScheduledQueryInput {
        name: name.into(),
        query_string: "SELECT 1".into(),
        schedule_configuration: ScheduleConfiguration {
            schedule_expression: schedule.into(),
        },
        notification_configuration: NotificationConfiguration {
            sns_configuration: SnsConfiguration {
                topic_arn: "arn:aws:sns:us-east-1:123456789012:t".into(),
            },
        },
        target_configuration: None,
        client_token: None,
        scheduled_query_execution_role_arn: "arn:aws:iam::123456789012:role/r".into(),
        tags: vec![],
        kms_key_id: None,
        error_report_configuration: ErrorReportConfiguration {
            s3_configuration: S3Configuration {
                bucket_name: Some("bucket".into()),
                object_key_prefix: None,
                encryption_option: None,
                kms_key_id: None,
            },
        },
    }
}

fn run(invocation: i64, success: bool) -> ScheduledQueryRunSummary {
    ScheduledQueryRunSummary {
        invocation_time: Some(from_nanos(invocation)),
        run_status: Some(ScheduledQueryRunStatus::new(false, success)),
        ..Default::default()
    }
}

/// Runs every due invocation as the scheduler does, returning their times.
fn run_due(engine: &Engine, now: i64) -> Vec<i64> {
    let mut ran = Vec::new();
    while let Some(due) = engine.next_due_invocation(now).unwrap() {
        engine
            .record_scheduled_query_run(
                &due.scope,
                &due.arn,
                &run(due.invocation_ns, true),
                Some(due.invocation_ns),
                false,
            )
            .unwrap();
        ran.push(due.invocation_ns);
    }
    ran
}

#[test]
fn missed_invocations_come_due_one_by_one_in_order() {
    let engine = engine_at(None);
    // Created at 00:00:00 exactly; a second query created 20 s later in the same minute runs
    // on the same minute boundaries.
    let hourly = engine
        .create_scheduled_query(&scope(), input("hourly", "rate(1 hour)"))
        .unwrap();
    engine.clock().freeze_at_ns(NOW + 20_000_000_000);
    let every_20 = engine
        .create_scheduled_query(&scope(), input("twenty", "rate(20 minutes)"))
        .unwrap();
    assert!(hourly.starts_with("arn:aws:timestream:us-east-1:123456789012:scheduled-query/hourly-"));
    assert_eq!(hourly.rsplit('-').next().map(str::len), Some(12));
    assert_eq!(
        engine.earliest_pending_invocation().unwrap(),
        Some(NOW + 20 * MINUTE)
    );
    assert_eq!(engine.next_due_invocation(NOW + 19 * MINUTE).unwrap(), None);

    let ran = run_due(&engine, NOW + 2 * HOUR);
    assert_eq!(
        ran,
        [20, 40, 60, 60, 80, 100, 120, 120].map(|m| NOW + m * MINUTE),
        "both queries, earliest first"
    );
    let d = engine.describe_scheduled_query(&scope(), &hourly).unwrap();
    assert_eq!(d.previous_invocation_time, Some(from_nanos(NOW + 2 * HOUR)));
    assert_eq!(d.next_invocation_time, Some(from_nanos(NOW + 3 * HOUR)));
    assert_eq!(
        d.last_run_summary.and_then(|r| r.invocation_time),
        Some(from_nanos(NOW + 2 * HOUR))
    );
    let d = engine
        .describe_scheduled_query(&scope(), &every_20)
        .unwrap();
    assert_eq!(d.next_invocation_time, Some(from_nanos(NOW + 140 * MINUTE)));
}

#[test]
fn a_manual_run_leaves_the_pending_invocation_alone() {
    let engine = engine_at(None);
    let arn = engine
        .create_scheduled_query(&scope(), input("q", "rate(1 hour)"))
        .unwrap();
    engine
        .record_scheduled_query_run(&scope(), &arn, &run(NOW - HOUR, true), None, false)
        .unwrap();
    let d = engine.describe_scheduled_query(&scope(), &arn).unwrap();
    assert_eq!(d.next_invocation_time, Some(from_nanos(NOW + HOUR)));
    assert_eq!(d.previous_invocation_time, None);
    assert!(d.last_run_summary.is_some());
}

#[test]
fn disabling_stops_invocations_and_enabling_skips_the_missed_ones() {
    let engine = engine_at(None);
    let arn = engine
        .create_scheduled_query(&scope(), input("q", "rate(1 hour)"))
        .unwrap();
    assert!(engine
        .update_scheduled_query(&scope(), &arn, ScheduledQueryState::Disabled)
        .unwrap());
    assert!(!engine
        .update_scheduled_query(&scope(), &arn, ScheduledQueryState::Disabled)
        .unwrap());
    assert_eq!(engine.next_due_invocation(NOW + 5 * HOUR).unwrap(), None);
    engine.clock().freeze_at_ns(NOW + 5 * HOUR + 30 * MINUTE);
    engine
        .update_scheduled_query(&scope(), &arn, ScheduledQueryState::Enabled)
        .unwrap();
    let d = engine.describe_scheduled_query(&scope(), &arn).unwrap();
    assert_eq!(d.state, ScheduledQueryState::Enabled);
    assert_eq!(d.next_invocation_time, Some(from_nanos(NOW + 6 * HOUR)));
}

#[test]
fn a_non_recoverable_failure_disables_the_query() {
    let engine = engine_at(None);
    let arn = engine
        .create_scheduled_query(&scope(), input("q", "rate(1 hour)"))
        .unwrap();
    let recorded = engine
        .record_scheduled_query_run(
            &scope(),
            &arn,
            &run(NOW + HOUR, false),
            Some(NOW + HOUR),
            true,
        )
        .unwrap();
    assert!(recorded.disabled);
    assert_eq!(recorded.next_ns, None);
    let d = engine.describe_scheduled_query(&scope(), &arn).unwrap();
    assert_eq!(d.state, ScheduledQueryState::Disabled);
    assert_eq!(d.recently_failed_runs.len(), 1);
}

#[test]
fn history_keeps_the_last_five_failures_newest_first() {
    let engine = engine_at(None);
    let arn = engine
        .create_scheduled_query(&scope(), input("q", "rate(1 minute)"))
        .unwrap();
    for i in 0..150 {
        // Every tenth run fails.
        let summary = run(NOW + i * MINUTE, i % 10 != 0);
        engine
            .record_scheduled_query_run(&scope(), &arn, &summary, None, false)
            .unwrap();
    }
    let d = engine.describe_scheduled_query(&scope(), &arn).unwrap();
    let failed: Vec<_> = d
        .recently_failed_runs
        .iter()
        .map(|r| r.invocation_time)
        .collect();
    assert_eq!(
        failed,
        [140, 130, 120, 110, 100].map(|m| Some(from_nanos(NOW + m * MINUTE)))
    );
    assert_eq!(
        d.last_run_summary.and_then(|r| r.invocation_time),
        Some(from_nanos(NOW + 149 * MINUTE))
    );
    let all = engine.all_scheduled_queries().unwrap();
    assert_eq!(all[0].1.len(), 100);
}

#[test]
fn names_conflict_client_tokens_repeat_and_unknown_arns_are_not_found() {
    let engine = engine_at(None);
    let mut first = input("q", "rate(1 hour)");
    first.client_token = Some("t".repeat(32));
    let arn = engine
        .create_scheduled_query(&scope(), first.clone())
        .unwrap();
    assert_eq!(
        engine
            .create_scheduled_query(&scope(), first.clone())
            .unwrap(),
        arn
    );
    assert!(matches!(
        engine.create_scheduled_query(&scope(), input("q", "rate(1 hour)")),
        Err(Error::ScheduledQueryExists(name)) if name == "q"
    ));
    let other_region = Scope::new("123456789012", "eu-west-1");
    assert!(matches!(
        engine.describe_scheduled_query(&other_region, &arn),
        Err(Error::ScheduledQueryNotFound(_))
    ));
    assert!(matches!(
        engine.create_scheduled_query(&scope(), input("bad", "rate(0 minutes)")),
        Err(Error::InvalidScheduledQuery(m)) if m.starts_with("Invalid schedule expression rate(0 minutes)")
    ));
    engine.delete_scheduled_query(&scope(), &arn).unwrap();
    assert!(matches!(
        engine.delete_scheduled_query(&scope(), &arn),
        Err(Error::ScheduledQueryNotFound(_))
    ));
    let aws = Error::ScheduledQueryNotFound(arn.clone()).to_aws();
    let body: serde_json::Value = serde_json::from_slice(&aws.to_body()).unwrap();
    assert_eq!(body["ScheduledQueryArn"], serde_json::json!(arn));
}

#[test]
fn list_pages_in_name_order() {
    let engine = engine_at(None);
    for name in ["c", "a", "b"] {
        engine
            .create_scheduled_query(&scope(), input(name, "cron(0 9 * * ? *)"))
            .unwrap();
    }
    let (page, token) = engine
        .list_scheduled_queries(&scope(), Some(2), None)
        .unwrap();
    assert_eq!(
        page.iter().map(|q| q.name.as_str()).collect::<Vec<_>>(),
        ["a", "b"]
    );
    // 2026-01-01 09:00 is the next 09:00 after midnight.
    assert_eq!(
        page[0].next_invocation_time,
        Some(from_nanos(NOW + 9 * HOUR))
    );
    let (page, token) = engine
        .list_scheduled_queries(&scope(), Some(2), token.as_deref())
        .unwrap();
    assert_eq!(
        page.iter().map(|q| q.name.as_str()).collect::<Vec<_>>(),
        ["c"]
    );
    assert_eq!(token, None);
}

#[test]
fn scheduled_queries_and_runs_survive_a_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let arn = {
        let engine = engine_at(Some(dir.path()));
        let arn = engine
            .create_scheduled_query(&scope(), input("q", "rate(1 hour)"))
            .unwrap();
        engine
            .record_scheduled_query_run(
                &scope(),
                &arn,
                &run(NOW + HOUR, true),
                Some(NOW + HOUR),
                false,
            )
            .unwrap();
        arn
    };
    let engine = engine_at(Some(dir.path()));
    let d = engine.describe_scheduled_query(&scope(), &arn).unwrap();
    assert_eq!(d.next_invocation_time, Some(from_nanos(NOW + 2 * HOUR)));
    assert_eq!(
        d.last_run_summary.and_then(|r| r.run_status),
        Some(ScheduledQueryRunStatus::AutoTriggerSuccess)
    );
}
