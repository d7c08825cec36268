"""Scheduled queries through boto3 (wire-protocol.md §5.6): the six operations, the scheduler on
the engine clock (moved through `POST /_timestream_local/clock`, which answers once every
invocation it made due has run), target writes, run history, notifications and error reports.

The module's server keeps S3 in a directory of the test's (``--s3-dir``), so error reports can
be read back as files.
"""

import datetime as dt
import json
import urllib.parse

import pytest

from conftest import LENIENT_KEY, LENIENT_SECRET, ServerProcess

NS_PER_S = 1_000_000_000
NS_PER_MIN = 60 * NS_PER_S
NS_PER_H = 60 * NS_PER_MIN

TOPIC = "arn:aws:sns:us-east-1:123456789012:timestream-notifications"
ROLE = "arn:aws:iam::123456789012:role/TimestreamScheduledQueryRole"
BUCKET = "timestream-errors"
ERROR_REPORTS = {"S3Configuration": {"BucketName": BUCKET, "ObjectKeyPrefix": "reports"}}
HOURLY = (
    "SELECT hostname, bin(time, 1h) AS hour, AVG(measure_value::double) AS avg_cpu, "
    "MAX(measure_value::double) AS max_cpu FROM monitoring.server_metrics "
    "WHERE measure_name = 'cpu_usage' AND {window} GROUP BY hostname, bin(time, 1h)"
)
WALKTHROUGH_QUERY = HOURLY.format(window="time > @scheduled_runtime - 1h")
HOURLY_TARGET = {
    "TimestreamConfiguration": {
        "DatabaseName": "monitoring",
        "TableName": "metrics_hourly",
        "TimeColumn": "hour",
        "DimensionMappings": [{"Name": "hostname", "DimensionValueType": "VARCHAR"}],
        "MultiMeasureMappings": {
            "TargetMultiMeasureName": "cpu_summary",
            "MultiMeasureAttributeMappings": [
                {"SourceColumn": "avg_cpu", "MeasureValueType": "DOUBLE"},
                {"SourceColumn": "max_cpu", "MeasureValueType": "DOUBLE"},
            ],
        },
    }
}


@pytest.fixture(scope="module")
def s3_dir(tmp_path_factory):
    # A bucket is a directory of --s3-dir; it must exist, as in S3.
    s3_dir = tmp_path_factory.mktemp("s3")
    (s3_dir / BUCKET).mkdir()
    return s3_dir


@pytest.fixture(scope="module")
def server(s3_dir):
    """This module's server: S3 is a directory the tests read."""
    srv = ServerProcess(
        ["--credentials", f"{LENIENT_KEY}:{LENIENT_SECRET}", "--s3-dir", str(s3_dir)]
    ).start()
    yield srv
    srv.stop()


class Clock:
    def __init__(self, tsl, endpoint):
        self.tsl, self.endpoint = tsl, endpoint

    def set(self, **body):
        r = self.tsl.http("POST", f"{self.endpoint}/_timestream_local/clock",
                          body=json.dumps(body).encode(),
                          headers={"Content-Type": "application/json"})
        assert r.status == 200, r
        return r.json

    def now_ns(self):
        return self.tsl.http("GET", f"{self.endpoint}/_timestream_local/clock").json["now_ns"]

    def freeze_on_hour(self, hours_ago=0):
        """Freeze the engine clock on a whole hour; return it (ns)."""
        at = (self.now_ns() // NS_PER_H - hours_ago) * NS_PER_H
        self.set(at_ns=at)
        return at

    def advance_hours(self, hours):
        return self.set(advance_ns=hours * NS_PER_H)


@pytest.fixture
def clock(tsl, endpoint, monkeypatch):
    """Engine-clock control; boto3 signs with the engine's time while it is moved."""
    import botocore.auth

    c = Clock(tsl, endpoint)
    c.set(offset_ns=0)
    monkeypatch.setattr(
        botocore.auth,
        "get_current_datetime",
        lambda: dt.datetime.fromtimestamp(c.now_ns() / NS_PER_S, tz=dt.timezone.utc).replace(
            tzinfo=None
        ),
    )
    yield c
    c.set(offset_ns=0)


def admin_scheduled(tsl, endpoint, arn):
    r = tsl.http("GET", f"{endpoint}/_timestream_local/scheduled-queries")
    assert r.status == 200, r
    [q] = [q for q in r.json["scheduled_queries"] if q["arn"] == arn]
    return q


def target_rows(tsl, endpoint, table="metrics_hourly"):
    q = urllib.parse.urlencode({"database": "monitoring", "table": table})
    r = tsl.http("GET", f"{endpoint}/_timestream_local/records?{q}")
    assert r.status == 200, r
    return r.json["records"]


def metrics(write, start_ns, hours, memory_hours=24):
    """monitoring.server_metrics with cpu_usage of hosts a and b at minutes 5, 25 and 45 of each
    hour from `start_ns` on: host a reads 10 + hour index + minute/5, host b twice that."""
    write.create_database(DatabaseName="monitoring")
    write.create_table(
        DatabaseName="monitoring",
        TableName="server_metrics",
        RetentionProperties={"MemoryStoreRetentionPeriodInHours": memory_hours,
                             "MagneticStoreRetentionPeriodInDays": 365},
    )
    write.create_table(
        DatabaseName="monitoring",
        TableName="metrics_hourly",
        RetentionProperties={"MemoryStoreRetentionPeriodInHours": 168,
                             "MagneticStoreRetentionPeriodInDays": 730},
    )
    records = []
    for h in range(hours):
        for minute in (5, 25, 45):
            t = start_ns + h * NS_PER_H + minute * NS_PER_MIN
            for host, factor in (("a", 1), ("b", 2)):
                records.append({
                    "Dimensions": [{"Name": "hostname", "Value": host}],
                    "MeasureName": "cpu_usage", "MeasureValueType": "DOUBLE",
                    "MeasureValue": str(factor * (10 + h + minute / 5)),
                    "Time": str(t), "TimeUnit": "NANOSECONDS",
                })
    for i in range(0, len(records), 100):
        write.write_records(DatabaseName="monitoring", TableName="server_metrics",
                            Records=records[i:i + 100])


def create(query, name="hourly-cpu-summary", query_string=WALKTHROUGH_QUERY, schedule="rate(1 hour)",
           target=HOURLY_TARGET, **extra):
    kw = dict(
        Name=name,
        QueryString=query_string,
        ScheduleConfiguration={"ScheduleExpression": schedule},
        NotificationConfiguration={"SnsConfiguration": {"TopicArn": TOPIC}},
        ScheduledQueryExecutionRoleArn=ROLE,
        ErrorReportConfiguration=ERROR_REPORTS,
        **extra,
    )
    if target is not None:
        kw["TargetConfiguration"] = target
    return query.create_scheduled_query(**kw)["Arn"]


def describe(query, arn):
    return query.describe_scheduled_query(ScheduledQueryArn=arn)["ScheduledQuery"]


def ns_of(t):
    return round(t.timestamp()) * NS_PER_S


# --------------------------------------------------------------------------
# the scheduler
# --------------------------------------------------------------------------


def test_rate_query_runs_each_missed_hour_with_its_own_scheduled_runtime(write, query, tsl, endpoint,
                                                                      clock):
    """rate(1 hour), clock moved 3 h at once: exactly three runs, at creation + 1, 2, 3 h, each
    binding @scheduled_runtime to its own invocation time: each run summarises the hour that
    ended three hours before it."""
    created = clock.freeze_on_hour()
    metrics(write, created - 3 * NS_PER_H, 3)
    window = "time BETWEEN @scheduled_runtime - 4h AND @scheduled_runtime - 3h"
    arn = create(query, query_string=HOURLY.format(window=window))
    assert arn.startswith("arn:aws:timestream:us-east-1:123456789012:scheduled-query/hourly-cpu-summary-")
    d = describe(query, arn)
    assert d["State"] == "ENABLED"
    assert ns_of(d["CreationTime"]) == created
    assert ns_of(d["NextInvocationTime"]) == created + NS_PER_H
    assert "PreviousInvocationTime" not in d and "LastRunSummary" not in d

    clock.advance_hours(3)

    runs = admin_scheduled(tsl, endpoint, arn)["runs"]
    assert [r["InvocationTime"] * NS_PER_S for r in reversed(runs)] == [
        created + h * NS_PER_H for h in (1, 2, 3)
    ]
    assert all(r["RunStatus"] == "AUTO_TRIGGER_SUCCESS" for r in runs), runs
    assert all(r["ExecutionStats"]["QueryResultRows"] == 2 for r in runs), runs
    assert all(r["ExecutionStats"]["RecordsIngested"] == 2 for r in runs), runs
    d = describe(query, arn)
    assert ns_of(d["PreviousInvocationTime"]) == created + 3 * NS_PER_H
    assert ns_of(d["NextInvocationTime"]) == created + 4 * NS_PER_H
    last = d["LastRunSummary"]
    assert ns_of(last["InvocationTime"]) == created + 3 * NS_PER_H
    assert last["RunStatus"] == "AUTO_TRIGGER_SUCCESS"
    assert last["ExecutionStats"]["BytesMetered"] >= 10_000_000
    assert last["ExecutionStats"]["DataWrites"] > 0
    assert "RecentlyFailedRuns" not in d

    rows = sorted(
        (r["time_ns"], r["dimensions"], r["measure_name"], r["measures"])
        for r in target_rows(tsl, endpoint)
    )
    expected = []
    for h in range(3):
        for host, factor in (("a", 1), ("b", 2)):
            values = [factor * (10 + h + m / 5) for m in (5, 25, 45)]
            expected.append((
                created - (3 - h) * NS_PER_H, [["hostname", host]], "cpu_summary",
                {"avg_cpu": {"DOUBLE": sum(values) / 3}, "max_cpu": {"DOUBLE": max(values)}},
            ))
    assert rows == sorted(expected)

    # Nothing more runs until the next hour.
    clock.set(advance_ns=59 * NS_PER_MIN)
    assert len(admin_scheduled(tsl, endpoint, arn)["runs"]) == 3
    clock.set(advance_ns=NS_PER_MIN)
    assert len(admin_scheduled(tsl, endpoint, arn)["runs"]) == 4


def test_walkthrough_query_run_manually(write, query, tsl, endpoint, clock):
    """ExecuteScheduledQuery runs the walkthrough's query as if at InvocationTime: the hour
    before it, written to metrics_hourly; the pending automatic invocation is unchanged."""
    now = clock.freeze_on_hour()
    metrics(write, now - 2 * NS_PER_H, 2)
    arn = create(query)
    query.execute_scheduled_query(ScheduledQueryArn=arn,
                                  InvocationTime=dt.datetime.fromtimestamp(now / NS_PER_S,
                                                                           tz=dt.timezone.utc))
    d = describe(query, arn)
    last = d["LastRunSummary"]
    assert last["RunStatus"] == "MANUAL_TRIGGER_SUCCESS"
    assert ns_of(last["InvocationTime"]) == now
    assert last["ExecutionStats"]["RecordsIngested"] == 2
    assert ns_of(d["NextInvocationTime"]) == now + NS_PER_H
    assert "PreviousInvocationTime" not in d
    rows = sorted((r["dimensions"][0][1], r["time_ns"], r["measures"]["max_cpu"]["DOUBLE"])
                  for r in target_rows(tsl, endpoint))
    assert rows == [("a", now - NS_PER_H, 11 + 9), ("b", now - NS_PER_H, 2 * (11 + 9))]
    listed = query.list_scheduled_queries()["ScheduledQueries"]
    assert [q["LastRunStatus"] for q in listed] == ["MANUAL_TRIGGER_SUCCESS"]


def test_cron_schedule(write, query, clock):
    """cron(30 9 * * ? *): 09:30 UTC every day; the first invocation is the next 09:30."""
    now = clock.freeze_on_hour()
    metrics(write, now - NS_PER_H, 1)
    arn = create(query, schedule="cron(30 9 * * ? *)")
    next_ns = ns_of(describe(query, arn)["NextInvocationTime"])
    day = now // (24 * NS_PER_H) * 24 * NS_PER_H
    nine_thirty = day + 9 * NS_PER_H + 30 * NS_PER_MIN
    assert next_ns == (nine_thirty if nine_thirty > now else nine_thirty + 24 * NS_PER_H)


def test_disabled_queries_do_not_run_and_enabling_skips_what_was_missed(write, query, tsl,
                                                                        endpoint, clock):
    created = clock.freeze_on_hour()
    metrics(write, created - NS_PER_H, 1)
    arn = create(query)
    query.update_scheduled_query(ScheduledQueryArn=arn, State="DISABLED")
    d = describe(query, arn)
    assert d["State"] == "DISABLED" and "NextInvocationTime" not in d
    clock.advance_hours(3)
    assert admin_scheduled(tsl, endpoint, arn)["runs"] == []
    clock.set(advance_ns=10 * NS_PER_MIN)
    query.update_scheduled_query(ScheduledQueryArn=arn, State="ENABLED")
    assert ns_of(describe(query, arn)["NextInvocationTime"]) == created + 4 * NS_PER_H
    clock.advance_hours(1)
    runs = admin_scheduled(tsl, endpoint, arn)["runs"]
    assert [r["InvocationTime"] * NS_PER_S for r in runs] == [created + 4 * NS_PER_H]
    types = [n["type"] for n in admin_scheduled(tsl, endpoint, arn)["notifications"]]
    assert types == ["SCHEDULED_QUERY_CREATING", "SCHEDULED_QUERY_UPDATE", "SCHEDULED_QUERY_UPDATE",
                     "AUTO_TRIGGER_SUCCESS"]


def test_a_query_that_fails_every_run_does_not_stop_the_others(write, query, tsl, endpoint, clock,
                                                               s3_dir):
    """A run-time failure (division by zero) is recoverable: AUTO_TRIGGER_FAILURE with a report,
    and the query stays enabled; the other query keeps succeeding."""
    created = clock.freeze_on_hour()
    metrics(write, created - NS_PER_H, 1)
    failing = create(
        query, name="divides-by-zero", target=None,
        query_string="SELECT count(*) / (count(*) - count(*)) FROM monitoring.server_metrics "
                     "WHERE time > @scheduled_runtime - 2h",
    )
    fine = create(query, name="fine", query_string=HOURLY.format(window="time > @scheduled_runtime - 3h"))
    clock.advance_hours(2)
    failing_runs = admin_scheduled(tsl, endpoint, failing)["runs"]
    assert [r["RunStatus"] for r in failing_runs] == ["AUTO_TRIGGER_FAILURE"] * 2
    assert failing_runs[0]["FailureReason"] == "Division by zero"
    assert [r["RunStatus"] for r in admin_scheduled(tsl, endpoint, fine)["runs"]] == [
        "AUTO_TRIGGER_SUCCESS"] * 2
    d = describe(query, failing)
    assert d["State"] == "ENABLED"
    assert [ns_of(r["InvocationTime"]) for r in d["RecentlyFailedRuns"]] == [
        created + 2 * NS_PER_H, created + NS_PER_H]
    location = d["LastRunSummary"]["ErrorReportLocation"]["S3ReportLocation"]
    assert location["BucketName"] == BUCKET
    report = json.loads((s3_dir / BUCKET / location["ObjectKey"]).read_text())
    assert report["errors"] == [{"reason": "Division by zero"}]
    assert len(report["reportId"]) == 32


def test_rejected_target_records_give_a_report_and_a_failed_run(write, query, tsl, endpoint,
                                                                clock, s3_dir):
    """Records the target table refuses (outside its 1-hour memory store) fail the run with an
    error report at s3://BUCKET/PREFIX/<id>/<invocation>/<Auto|Manual>/<trigger>, listing each
    rejected record under its reason; the records the table accepts are written."""
    now = clock.freeze_on_hour()
    metrics(write, now - 3 * NS_PER_H, 3)
    write.update_table(DatabaseName="monitoring", TableName="metrics_hourly",
                       RetentionProperties={"MemoryStoreRetentionPeriodInHours": 2,
                                            "MagneticStoreRetentionPeriodInDays": 730})
    arn = create(query, query_string=HOURLY.format(window="time > @scheduled_runtime - 3h"))
    query.execute_scheduled_query(ScheduledQueryArn=arn,
                                  InvocationTime=dt.datetime.fromtimestamp(now / NS_PER_S,
                                                                           tz=dt.timezone.utc))
    last = describe(query, arn)["LastRunSummary"]
    assert last["RunStatus"] == "MANUAL_TRIGGER_FAILURE"
    assert last["ExecutionStats"]["QueryResultRows"] == 6
    assert last["ExecutionStats"]["RecordsIngested"] == 4
    assert "see the error report" in last["FailureReason"]
    location = last["ErrorReportLocation"]["S3ReportLocation"]
    key = location["ObjectKey"]
    query_id = arn.rsplit("/", 1)[1]
    assert key.startswith(f"reports/{query_id}/")
    assert key.split("/")[3] == "Manual"
    report = json.loads((s3_dir / BUCKET / key).read_text())
    [error] = report["errors"]
    assert error["reason"].startswith("The record timestamp is outside the time range")
    assert sorted(r["dimensions"][0]["value"] for r in error["records"]) == ["a", "b"]
    assert {r["time"] for r in error["records"]} == {str(now - 3 * NS_PER_H)}
    assert error["records"][0]["multiMeasureName"] == "cpu_summary"
    assert len(target_rows(tsl, endpoint)) == 4


def test_a_deleted_target_table_fails_the_run_and_disables_the_query(write, query, tsl, endpoint,
                                                                     clock):
    """A non-recoverable failure (AWS: a 4xx while ingesting): the run fails, no error report,
    and the query is disabled, with an update notification."""
    created = clock.freeze_on_hour()
    metrics(write, created - NS_PER_H, 1)
    arn = create(query, query_string=HOURLY.format(window="time > @scheduled_runtime - 3h"))
    write.delete_table(DatabaseName="monitoring", TableName="metrics_hourly")
    clock.advance_hours(2)
    d = describe(query, arn)
    assert d["State"] == "DISABLED" and "NextInvocationTime" not in d
    [failed] = d["RecentlyFailedRuns"]
    assert failed["RunStatus"] == "AUTO_TRIGGER_FAILURE"
    assert failed["FailureReason"] == "The table metrics_hourly does not exist."
    assert "ErrorReportLocation" not in failed
    notes = admin_scheduled(tsl, endpoint, arn)["notifications"]
    assert [n["type"] for n in notes] == ["SCHEDULED_QUERY_CREATING", "AUTO_TRIGGER_FAILURE",
                                          "SCHEDULED_QUERY_UPDATE"]
    assert notes[1]["scheduledQueryRunSummary"]["failureReason"] == failed["FailureReason"]
    assert notes[2]["state"] == "DISABLED"


def test_mixed_measure_mappings_with_a_measure_name_column(write, query, tsl, endpoint, clock):
    now = clock.freeze_on_hour()
    metrics(write, now - NS_PER_H, 1)
    target = {"TimestreamConfiguration": {
        "DatabaseName": "monitoring", "TableName": "metrics_hourly", "TimeColumn": "t",
        "DimensionMappings": [{"Name": "hostname", "DimensionValueType": "VARCHAR"}],
        "MeasureNameColumn": "measure_name",
        "MixedMeasureMappings": [
            {"MeasureName": "cpu_usage", "SourceColumn": "peak", "TargetMeasureName": "cpu_peak",
             "MeasureValueType": "DOUBLE"},
            {"MeasureName": "cpu_usage", "MeasureValueType": "MULTI", "TargetMeasureName": "stats",
             "MultiMeasureAttributeMappings": [
                 {"SourceColumn": "n", "MeasureValueType": "BIGINT", "TargetMultiMeasureAttributeName": "count"},
                 {"SourceColumn": "peak", "MeasureValueType": "DOUBLE"}]},
        ],
    }}
    arn = create(query, target=target, query_string=(
        "SELECT hostname, measure_name, bin(time, 1h) AS t, max(measure_value::double) AS peak, "
        "count(*) AS n FROM monitoring.server_metrics WHERE time > @scheduled_runtime - 2h "
        "GROUP BY hostname, measure_name, bin(time, 1h)"))
    query.execute_scheduled_query(ScheduledQueryArn=arn,
                                  InvocationTime=dt.datetime.fromtimestamp(now / NS_PER_S,
                                                                           tz=dt.timezone.utc))
    assert describe(query, arn)["LastRunSummary"]["RunStatus"] == "MANUAL_TRIGGER_SUCCESS"
    rows = sorted((r["dimensions"][0][1], r["measure_name"], json.dumps(r["measures"], sort_keys=True))
                  for r in target_rows(tsl, endpoint))
    assert rows == [
        ("a", "cpu_peak", '{"DOUBLE": 19.0}'),
        ("a", "stats", '{"count": {"BIGINT": 3}, "peak": {"DOUBLE": 19.0}}'),
        ("b", "cpu_peak", '{"DOUBLE": 38.0}'),
        ("b", "stats", '{"count": {"BIGINT": 3}, "peak": {"DOUBLE": 38.0}}'),
    ]


def test_queries_and_history_survive_a_restart(tsl, server_factory, tmp_path):
    data = tmp_path / "data"
    first = server_factory("--data-dir", str(data))
    write, query = tsl.write(first.url), tsl.query(first.url)
    now_ns = Clock(tsl, first.url).now_ns()
    metrics(write, (now_ns // NS_PER_H - 2) * NS_PER_H, 2)
    arn = create(query, Tags=[{"Key": "team", "Value": "ops"}])
    query.execute_scheduled_query(ScheduledQueryArn=arn,
                                  InvocationTime=dt.datetime.now(dt.timezone.utc))
    before = describe(query, arn)
    assert first.stop() == 0

    second = server_factory("--data-dir", str(data))
    query = tsl.query(second.url)
    after = describe(query, arn)
    assert after == before
    assert after["LastRunSummary"]["RunStatus"] == "MANUAL_TRIGGER_SUCCESS"
    assert query.list_tags_for_resource(ResourceARN=arn)["Tags"] == [{"Key": "team", "Value": "ops"}]
    # The scheduler picks the pending invocation up again.
    Clock(tsl, second.url).set(advance_ns=NS_PER_H)
    runs = admin_scheduled(tsl, second.url, arn)["runs"]
    assert [r["RunStatus"] for r in runs] == ["AUTO_TRIGGER_SUCCESS", "MANUAL_TRIGGER_SUCCESS"]
    assert runs[0]["InvocationTime"] * NS_PER_S == ns_of(before["NextInvocationTime"])


# --------------------------------------------------------------------------
# the operations and their errors
# --------------------------------------------------------------------------


def test_create_validates_the_query_and_the_target(write, query, tsl, clock):
    now = clock.freeze_on_hour()
    metrics(write, now - NS_PER_H, 1)
    cases = [
        (dict(query_string="SELECT nope FROM monitoring.server_metrics"),
         "line 1:8: Column 'nope' does not exist"),
        (dict(query_string="SELECT * FROM monitoring.missing"),
         "Requested table 'missing' not found for identifier 'monitoring.missing' at line 1:26"),
        (dict(target={"TimestreamConfiguration": {**HOURLY_TARGET["TimestreamConfiguration"],
                                                  "TableName": "nope"}}),
         "The target table monitoring.nope does not exist."),
        (dict(target={"TimestreamConfiguration": {**HOURLY_TARGET["TimestreamConfiguration"],
                                                  "TimeColumn": "hostname"}}),
         "The TimeColumn 'hostname' must be of type TIMESTAMP, not VARCHAR."),
        (dict(target={"TimestreamConfiguration": {**HOURLY_TARGET["TimestreamConfiguration"],
                                                  "DimensionMappings": [
                                                      {"Name": "host", "DimensionValueType": "VARCHAR"}]}}),
         "The dimension 'host' is not a column of the query result."),
        (dict(target={"TimestreamConfiguration": {
            k: v for k, v in HOURLY_TARGET["TimestreamConfiguration"].items()
            if k != "MultiMeasureMappings"}}),
         "TimestreamConfiguration needs exactly one of MultiMeasureMappings and MixedMeasureMappings."),
        (dict(schedule="rate(1 hours)"),
         "Invalid schedule expression rate(1 hours): the rate unit 'hours' must be 'hour' for "
         "a value of 1"),
        (dict(schedule="cron(0 9 * * * *)"), None),
        (dict(schedule="every hour"), None),
        (dict(query_string="SELECT 1 FROM monitoring.server_metrics WHERE time > @runtime"),
         None),
    ]
    for i, (kw, message) in enumerate(cases):
        with tsl.raises("ValidationException", message):
            create(query, name=f"bad-{i}", **kw)
    assert query.list_scheduled_queries()["ScheduledQueries"] == []


def test_duplicate_names_unknown_arns_and_client_tokens(write, query, tsl, clock):
    now = clock.freeze_on_hour()
    metrics(write, now - NS_PER_H, 1)
    token = "a" * 32
    arn = create(query, ClientToken=token)
    assert create(query, ClientToken=token) == arn
    with tsl.raises("ConflictException",
                    "A scheduled query with the name hourly-cpu-summary already exists."):
        create(query)
    missing = arn + "x"
    for call in (query.describe_scheduled_query, query.delete_scheduled_query,
                 lambda **kw: query.update_scheduled_query(State="DISABLED", **kw),
                 lambda **kw: query.execute_scheduled_query(InvocationTime=dt.datetime.now(), **kw)):
        with tsl.raises("ResourceNotFoundException",
                        f"The scheduled query {missing} does not exist.") as h:
            call(ScheduledQueryArn=missing)
        assert h["error"].response["ScheduledQueryArn"] == missing
    query.delete_scheduled_query(ScheduledQueryArn=arn)
    with tsl.raises("ResourceNotFoundException"):
        describe(query, arn)
    assert query.list_scheduled_queries()["ScheduledQueries"] == []


def test_tags_and_pagination(write, query, tsl, clock):
    now = clock.freeze_on_hour()
    metrics(write, now - NS_PER_H, 1)
    arns = [create(query, name=f"q{i}", Tags=[{"Key": "n", "Value": str(i)}]) for i in range(5)]
    pages = list(query.get_paginator("list_scheduled_queries").paginate(
        PaginationConfig={"PageSize": 2}))
    assert [len(p["ScheduledQueries"]) for p in pages] == [2, 2, 1]
    listed = [q for p in pages for q in p["ScheduledQueries"]]
    assert [q["Name"] for q in listed] == [f"q{i}" for i in range(5)]
    assert listed[0]["TargetDestination"] == {
        "TimestreamDestination": {"DatabaseName": "monitoring", "TableName": "metrics_hourly"}}
    assert ns_of(listed[0]["NextInvocationTime"]) == now + NS_PER_H
    assert query.list_tags_for_resource(ResourceARN=arns[1])["Tags"] == [{"Key": "n", "Value": "1"}]
    query.tag_resource(ResourceARN=arns[1], Tags=[{"Key": "team", "Value": "ops"}])
    query.untag_resource(ResourceARN=arns[1], TagKeys=["n"])
    assert query.list_tags_for_resource(ResourceARN=arns[1])["Tags"] == [
        {"Key": "team", "Value": "ops"}]
    query.delete_scheduled_query(ScheduledQueryArn=arns[1])
    with tsl.raises("ResourceNotFoundException"):
        query.list_tags_for_resource(ResourceARN=arns[1])


def test_model_validation_applies(query, tsl):
    """Members are checked against the model before anything else (Coral texts)."""
    with tsl.raises("ValidationException") as h:
        tsl.query(query.meta.endpoint_url, validate=False).create_scheduled_query(
            Name="bad name!", QueryString="SELECT 1",
            ScheduleConfiguration={"ScheduleExpression": "rate(1 hour)"},
            NotificationConfiguration={"SnsConfiguration": {"TopicArn": TOPIC}},
            ScheduledQueryExecutionRoleArn=ROLE,
            ErrorReportConfiguration={"S3Configuration": {"BucketName": "X"}},
        )
    message = h["error"].response["Error"]["Message"]
    assert message.startswith("3 validation errors detected: "), message
    assert "at 'name' failed to satisfy constraint: Member must satisfy regular expression" in message
    assert "at 'errorReportConfiguration.s3Configuration.bucketName'" in message


# --------------------------------------------------------------------------
# notifications published to an SNS-compatible endpoint (moto's server)
# --------------------------------------------------------------------------


@pytest.fixture
def moto_sns(tmp_path):
    """moto's server on a free port: an SNS topic with an SQS queue subscribed to it."""
    import socket
    import subprocess
    import sys
    import time
    from pathlib import Path

    import boto3

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    moto = Path(sys.executable).with_name("moto_server")
    log = open(tmp_path / "moto.log", "w")
    proc = subprocess.Popen([str(moto), "-H", "127.0.0.1", "-p", str(port)], stdout=log,
                            stderr=log, stdin=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    kw = dict(endpoint_url=url, region_name="us-east-1", aws_access_key_id="test",
              aws_secret_access_key="test")
    sns, sqs = boto3.client("sns", **kw), boto3.client("sqs", **kw)
    deadline = time.time() + 20
    while True:
        try:
            topic = sns.create_topic(Name="timestream-notifications")["TopicArn"]
            break
        except Exception:
            if time.time() > deadline:
                proc.kill()
                raise
            time.sleep(0.2)
    queue_url = sqs.create_queue(QueueName="notifications")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])[
        "Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)

    def received(expected, timeout=20):
        messages = []
        deadline = time.time() + timeout
        while len(messages) < expected and time.time() < deadline:
            out = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1)
            messages += [json.loads(json.loads(m["Body"])["Message"]) for m in out.get("Messages", [])]
        return messages

    yield url, topic, received
    proc.terminate()
    proc.wait(timeout=10)
    log.close()


def test_notifications_are_published_to_an_sns_endpoint(tsl, server_factory, moto_sns):
    sns_url, topic, received = moto_sns
    srv = server_factory("--sns-endpoint-url", sns_url,
                         env={"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test"})
    write, query = tsl.write(srv.url), tsl.query(srv.url)
    now_ns = Clock(tsl, srv.url).now_ns()
    metrics(write, (now_ns // NS_PER_H - 1) * NS_PER_H, 1)
    arn = query.create_scheduled_query(
        # Two hours back: the samples lie in the previous whole hour, whatever the minute now.
        Name="notified", QueryString=HOURLY.format(window="time > @scheduled_runtime - 2h"),
        ScheduleConfiguration={"ScheduleExpression": "rate(1 hour)"},
        NotificationConfiguration={"SnsConfiguration": {"TopicArn": topic}},
        TargetConfiguration=HOURLY_TARGET, ScheduledQueryExecutionRoleArn=ROLE,
        ErrorReportConfiguration=ERROR_REPORTS,
    )["Arn"]
    invocation = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    query.execute_scheduled_query(ScheduledQueryArn=arn, InvocationTime=invocation)
    messages = sorted(received(2), key=lambda m: m["type"])
    assert [m["type"] for m in messages] == ["MANUAL_TRIGGER_SUCCESS", "SCHEDULED_QUERY_CREATING"]
    assert all(m["arn"] == arn for m in messages)
    run = messages[0]["scheduledQueryRunSummary"]
    assert run["invocationEpochSecond"] == int(invocation.timestamp())
    assert run["runStatus"] == "MANUAL_TRIGGER_SUCCESS"
    assert run["executionStats"]["recordsIngested"] >= 1
    assert messages[0]["nextInvocationEpochSecond"] == ns_of(
        describe(query, arn)["NextInvocationTime"]) // NS_PER_S


def test_error_reports_go_to_an_s3_endpoint(tsl, server_factory, moto_server):
    """With --s3-endpoint-url the error report of a failed run lands on that endpoint (moto)."""
    from conftest import moto_client

    s3 = moto_client("s3", moto_server)
    try:
        s3.create_bucket(Bucket=BUCKET)
    except s3.exceptions.BucketAlreadyOwnedByYou:
        pass
    srv = server_factory("--s3-endpoint-url", moto_server,
                         env={"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test"})
    write, query = tsl.write(srv.url), tsl.query(srv.url)
    import time

    now = time.time_ns() // NS_PER_H * NS_PER_H
    metrics(write, now - 2 * NS_PER_H, 2)
    arn = create(query, name="divides-by-zero-on-s3", target=None,
                 query_string="SELECT count(*) / (count(*) - count(*)) "
                              "FROM monitoring.server_metrics")
    query.execute_scheduled_query(ScheduledQueryArn=arn,
                                  InvocationTime=dt.datetime.fromtimestamp(now / NS_PER_S,
                                                                           tz=dt.timezone.utc))
    last = describe(query, arn)["LastRunSummary"]
    assert last["RunStatus"] == "MANUAL_TRIGGER_FAILURE"
    location = last["ErrorReportLocation"]["S3ReportLocation"]
    assert location["BucketName"] == BUCKET
    body = s3.get_object(Bucket=BUCKET, Key=location["ObjectKey"])["Body"].read()
    assert json.loads(body)["errors"] == [{"reason": "Division by zero"}]
