"""The web console in a real browser (Debian's Chromium through playwright-core, driven by
drive.mjs) against a spawned server: boto3 writes the walkthrough's table and scheduled queries,
the browser browses, queries, watches and moves the clock, and every figure the page showed is
compared here with what boto3 and the admin API answer. Screenshots of each page are left in
compat-tests/console/artifacts/ (kept by CI as artifacts; README shows one).
"""

import json
import os
import shutil
import subprocess
import time
import urllib.parse
from pathlib import Path

import botocore.exceptions
import pytest

from conftest import ServerProcess

HERE = Path(__file__).parent
ARTIFACTS = HERE / "artifacts"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
NS_PER_S = 1_000_000_000
NS_PER_MIN = 60 * NS_PER_S
NS_PER_H = 60 * NS_PER_MIN
HOSTS = ("host-1", "host-2", "host-3")
BUCKET = "timestream-errors"
ROLE = "arn:aws:iam::123456789012:role/TimestreamScheduledQueryRole"
TOPIC = "arn:aws:sns:us-east-1:123456789012:timestream-notifications"
SAMPLE = """SELECT hostname,
       bin(time, 5m) AS five_min_bucket,
       AVG(measure_value::double) AS avg_cpu,
       MAX(measure_value::double) AS max_cpu
FROM monitoring.server_metrics
WHERE measure_name = 'cpu_usage'
  AND time > ago(1h)
GROUP BY hostname, bin(time, 5m)
ORDER BY five_min_bucket DESC"""
HOURLY = (
    "SELECT hostname, bin(time, 1h) AS hour, AVG(measure_value::double) AS avg_cpu "
    "FROM monitoring.server_metrics WHERE measure_name = 'cpu_usage' "
    "AND time > @scheduled_runtime - 1h GROUP BY hostname, bin(time, 1h)"
)


def target(table):
    return {
        "TimestreamConfiguration": {
            "DatabaseName": "monitoring",
            "TableName": table,
            "TimeColumn": "hour",
            "DimensionMappings": [{"Name": "hostname", "DimensionValueType": "VARCHAR"}],
            "MultiMeasureMappings": {
                "TargetMultiMeasureName": "cpu_summary",
                "MultiMeasureAttributeMappings": [
                    {"SourceColumn": "avg_cpu", "MeasureValueType": "DOUBLE"}
                ],
            },
        }
    }


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    s3_dir = tmp_path_factory.mktemp("s3")
    (s3_dir / BUCKET).mkdir()
    srv = ServerProcess(["--s3-dir", str(s3_dir)]).start()
    yield srv
    srv.stop()


def all_rows(query, sql):
    pages = list(query.get_paginator("query").paginate(QueryString=sql))
    columns = pages[0]["ColumnInfo"]
    rows = [[d.get("ScalarValue", "NULL") for d in r["Data"]] for p in pages for r in p["Rows"]]
    return columns, rows


def written_data(write, query):
    """monitoring.server_metrics: cpu_usage of three hosts each minute of the last hour (memory
    tier) and two days ago (magnetic tier); one record rejected; two scheduled queries, one
    whose target table rejects some of its results."""
    now_ns = time.time_ns()
    write.create_database(DatabaseName="monitoring")
    for table, memory_hours, magnetic_writes in (("server_metrics", 24, True),
                                                 ("metrics_hourly", 24, True),
                                                 ("summary_strict", 1, False)):
        write.create_table(
            DatabaseName="monitoring",
            TableName=table,
            RetentionProperties={"MemoryStoreRetentionPeriodInHours": memory_hours,
                                 "MagneticStoreRetentionPeriodInDays": 365},
            MagneticStoreWriteProperties={"EnableMagneticStoreWrites": magnetic_writes},
        )
    write.tag_resource(
        ResourceARN=write.describe_table(DatabaseName="monitoring", TableName="server_metrics")[
            "Table"]["Arn"],
        Tags=[{"Key": "team", "Value": "observability"}],
    )

    def record(host, t, value):
        return {
            "Dimensions": [{"Name": "hostname", "Value": host}, {"Name": "region", "Value": "eu-west-1"}],
            "MeasureName": "cpu_usage", "MeasureValueType": "DOUBLE",
            "MeasureValue": f"{value:.1f}", "Time": str(t), "TimeUnit": "NANOSECONDS",
        }

    recent = [record(h, now_ns - m * NS_PER_MIN, 20 + 10 * i + m % 7)
              for m in range(1, 60) for i, h in enumerate(HOSTS)]
    old = [record(h, now_ns - 48 * NS_PER_H - m * NS_PER_MIN, 50.0) for m in range(2) for h in HOSTS]
    for batch in (recent[i:i + 100] for i in range(0, len(recent), 100)):
        write.write_records(DatabaseName="monitoring", TableName="server_metrics", Records=batch)
    write.write_records(DatabaseName="monitoring", TableName="server_metrics", Records=old)
    # The same record with another value and no higher version: rejected, with AWS's reason.
    with pytest.raises(botocore.exceptions.ClientError) as rejected:
        write.write_records(DatabaseName="monitoring", TableName="server_metrics",
                            Records=[record("host-1", recent[0]["Time"], 99.0)])
    [refusal] = rejected.value.response["RejectedRecords"]

    # The previous hour's bin is more than an hour old: summary_strict (1-hour memory store, no
    # magnetic writes) rejects it, so that query's runs fail with an error report.
    for name, table in (("hourly-cpu-summary", "metrics_hourly"),
                        ("broken-summary", "summary_strict")):
        query.create_scheduled_query(
            Name=name, QueryString=HOURLY,
            ScheduleConfiguration={"ScheduleExpression": "rate(1 hour)"},
            NotificationConfiguration={"SnsConfiguration": {"TopicArn": TOPIC}},
            ScheduledQueryExecutionRoleArn=ROLE,
            TargetConfiguration=target(table),
            ErrorReportConfiguration={"S3Configuration": {"BucketName": BUCKET}},
        )
    return {"recent": len(recent), "old": len(old), "reason": refusal["Reason"],
            "existing_version": refusal["ExistingVersion"]}


def drive(endpoint):
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: scripts/test installs Debian's chromium (apt)")
    if ARTIFACTS.exists():
        shutil.rmtree(ARTIFACTS)
    done = subprocess.run(
        ["node", str(HERE / "drive.mjs"), endpoint, str(ARTIFACTS)],
        cwd=HERE, capture_output=True, text=True, timeout=240,
    )
    assert done.returncode == 0, f"drive.mjs failed:\n{done.stderr[-4000:]}"
    return json.loads(done.stdout)


def test_the_console_in_a_browser(write, query, tsl, endpoint):
    data = written_data(write, query)
    seen = drive(endpoint)

    assert seen["console_errors"] == [], seen["console_errors"]
    assert seen["failed_requests"] == [], seen["failed_requests"]
    # The only error answers: the query with an error and the query cancelled.
    assert sorted(map(tuple, seen["error_responses"])) == [
        ("/_timestream_local/aws/Query", 400, "QueryExecutionException"),
        ("/_timestream_local/aws/Query", 400, "ValidationException"),
    ], seen["error_responses"]

    # The catalog: the table's settings, tiers, measures, dimensions and tags as boto3 sees them.
    catalog = seen["catalog"]
    assert catalog["memory_records"] == f"{data['recent']:,}"
    assert catalog["magnetic_records"] == str(data["old"])
    details = catalog["details"]
    assert details["Memory store retention"] == "24 hours"
    assert details["Magnetic store retention"] == "365 days"
    assert details["Magnetic store writes"] == "enabled"
    assert details["Tags"] == "team = observability"
    _, measures = all_rows(query, "SHOW MEASURES FROM monitoring.server_metrics")
    assert [m[:2] for m in catalog["measures"]] == [m[:2] for m in measures]
    assert sorted(catalog["dimensions"]) == ["hostname", "region"]

    # "Query this table": the first 100 rows, with each column's name and type as ColumnInfo says.
    assert seen["query_this_table_sql"] == (
        'SELECT * FROM "monitoring"."server_metrics"\nORDER BY time DESC\nLIMIT 100')
    columns, rows = all_rows(query, seen["query_this_table_sql"])
    table = seen["table_query"]
    assert table["columns"] == [[c["Name"], c["Type"]["ScalarType"].lower()] for c in columns]
    assert table["count"] == "100" and len(table["rows"]) == 100
    assert table["rows"] == rows
    assert seen["table_query_second_page"] == "Rows 1–100 of 100"

    # A walkthrough sample run with Ctrl+Enter: every cell as boto3 reads it, and a chart with
    # one line per host and numeric column.
    assert seen["sample_sql"] == SAMPLE
    _, rows = all_rows(query, SAMPLE)
    sample = seen["sample"]
    assert sample["rows"] == rows[:100]
    assert sample["count"] == str(len(rows))
    assert sample["chart_canvas"] and sample["chart_lines"] == str(2 * len(HOSTS))
    assert set(sample["legend"]) == {"time"} | {
        f"{h} · {c}" for h in HOSTS for c in ("avg_cpu", "max_cpu")}, sample["legend"]

    # The interpolation sample's TIMESERIES cells: a line per host.
    series = seen["timeseries"]
    assert series["columns"] == [["hostname", "varchar"], ["interpolated_cpu", "timeseries(double)"]]
    assert series["chart_lines"] == str(len(HOSTS)), series
    assert set(series["legend"]) == {"time"} | {f"{h} · interpolated_cpu" for h in HOSTS}

    # An error as the API words it, its position marked in the editor.
    bad = "SELECT hostname, nope\nFROM monitoring.server_metrics"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        query.query(QueryString=bad)
    error = e.value.response["Error"]
    assert seen["error"]["text"] == f"{error['Code']} {error['Message']}"
    assert error["Message"].startswith("line 1:18:"), error["Message"]
    assert seen["error"]["marked"] == "nope"

    # CancelQuery from the page stops the running query.
    assert seen["cancel_enabled_while_running"]
    assert "cancel" in seen["cancel"]["text"].lower(), seen["cancel"]
    assert seen["cancel"]["seconds"] < 5, seen["cancel"]
    running = tsl.http("GET", f"{endpoint}/_timestream_local/queries").json["queries"]
    assert running == [], running

    # The live view: what was ingested and rejected, with the reason boto3 got.
    live = seen["live"]
    assert live["accepted"] == f"{data['recent'] + data['old']:,}"
    assert live["rejected"] == "1"
    [rejection] = live["rejections"]
    assert rejection[1:] == ["monitoring.server_metrics", "0",
                             f"{data['reason']} (existing version {data['existing_version']})"]
    assert "WriteRecords" in live["log_operations"]
    assert all("(console)" not in op for op in live["log_operations"])

    # The clock: frozen, then moved one hour by a button.
    def ns(text):
        return int(_parse_rfc3339_ns(text))

    assert ns(live["clock_after"]) - ns(live["clock_frozen"]) == NS_PER_H

    # Scheduled queries: Run now on each; the broken one failed with an error report shown.
    by_name = {q["name"]: q for q in seen["scheduled"]}
    arns = {q["Name"]: q["Arn"] for q in query.list_scheduled_queries()["ScheduledQueries"]}
    for name, status in (("hourly-cpu-summary", "MANUAL_TRIGGER_SUCCESS"),
                         ("broken-summary", "MANUAL_TRIGGER_FAILURE")):
        last = query.describe_scheduled_query(ScheduledQueryArn=arns[name])["ScheduledQuery"][
            "LastRunSummary"]
        shown = by_name[name]["runs"][0]
        assert last["RunStatus"] == status == shown[1], (last, shown)
        stats = last["ExecutionStats"]
        assert shown[2:4] == [str(stats["QueryResultRows"]), str(stats["RecordsIngested"])], shown
        assert stats["QueryResultRows"] in (len(HOSTS), 2 * len(HOSTS))  # one or two hour bins
    broken_runs = by_name["broken-summary"]["runs"]
    assert last["FailureReason"] in broken_runs[0][6]
    location = last["ErrorReportLocation"]["S3ReportLocation"]
    assert f"s3://{location['BucketName']}/{location['ObjectKey']}" in broken_runs[0][6]
    report = json.loads(seen["error_report"])
    [error] = report["errors"]
    assert error["reason"].startswith("The record timestamp is outside the time range"), error

    # A phone-width screen: nothing wider than the screen.
    assert seen["phone_catalog_overflow"] <= 0, seen["phone_catalog_overflow"]
    assert seen["phone_catalog_sticking_out"] == [], seen["phone_catalog_sticking_out"]
    assert seen["phone_query_overflow"] <= 0, seen["phone_query_overflow"]

    for name in ("catalog", "query", "query-error", "live", "scheduled", "catalog-phone",
                 "query-phone"):
        assert (ARTIFACTS / f"{name}.png").stat().st_size > 10_000, name


def _parse_rfc3339_ns(text):
    """`2026-12-08T01:02:03.123456789Z` → ns since the epoch."""
    import datetime as dt

    whole, _, fraction = text.rstrip("Z").partition(".")
    seconds = dt.datetime.fromisoformat(whole).replace(tzinfo=dt.timezone.utc).timestamp()
    return int(seconds) * NS_PER_S + int((fraction or "0").ljust(9, "0")[:9])


def test_the_page_is_served_to_browsers_only_and_the_api_stays_post(endpoint, tsl):
    """GET / with Accept: text/html is the console (no data in it, served to anyone); the same
    GET from an API client, and any other path, answer as before."""
    page = tsl.http("GET", f"{endpoint}/", headers={"Accept": "text/html,*/*"})
    assert page.status == 200
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert b"/_timestream_local/console/app.js" in page.body
    assert "default-src 'self'" in page.headers["content-security-policy"]
    script = tsl.http("GET", f"{endpoint}/_timestream_local/console/app.js")
    assert script.status == 200 and len(script.body) > 10_000
    assert tsl.http("GET", f"{endpoint}/_timestream_local/console/nope.js").status == 404
    api = tsl.http("GET", f"{endpoint}/", headers={"Accept": "application/json"})
    assert api.status == 400 and api.error_type == "UnknownOperationException"


def test_the_console_calls_the_api_with_json_only(endpoint, tsl):
    """The console's way into the AWS operations takes only a JSON body: a form another web
    page could post without a CORS preflight is refused before anything runs."""
    url = f"{endpoint}/_timestream_local/aws/CreateDatabase"
    body = json.dumps({"DatabaseName": "from_a_form"}).encode()
    refused = tsl.http("POST", url, body=body, headers={"Content-Type": "text/plain"})
    assert refused.status == 400 and refused.error_type == "SerializationException"
    created = tsl.http("POST", url, body=body, headers={"Content-Type": "application/json"})
    assert created.status == 200, created
    assert created.json["Database"]["DatabaseName"] == "from_a_form"
    # Validated and answered exactly as the AWS API does.
    again = tsl.http("POST", url, body=body, headers={"Content-Type": "application/json"})
    assert again.status == 409 and again.error_type == "ConflictException"
    assert again.message == "The database from_a_form already exists."
    q = urllib.parse.urlencode({"region": "eu-west-1"})
    other = tsl.http("POST", f"{endpoint}/_timestream_local/aws/ListDatabases?{q}", body=b"{}",
                     headers={"Content-Type": "application/json"})
    assert other.status == 200 and other.json["Databases"] == []


def test_pages_of_other_sites_cannot_use_the_admin_api(endpoint, tsl):
    """A browser sends `Origin` with every POST: another site's page (a form posting to
    /reset, say) is refused before anything runs; so is a rebound DNS name while the admin API
    is open to loopback callers. The console's own requests and non-browser clients pass."""
    host = endpoint.split("://", 1)[1]
    created = tsl.http("POST", f"{endpoint}/_timestream_local/aws/CreateDatabase",
                       body=json.dumps({"DatabaseName": "kept"}).encode(),
                       headers={"Content-Type": "application/json", "Origin": endpoint})
    assert created.status == 200, created
    for headers in ({"Origin": "https://evil.example"}, {"Origin": "null"},
                    {"Host": f"rebound.example:{host.rsplit(':', 1)[1]}"}):
        refused = tsl.http("POST", f"{endpoint}/_timestream_local/reset", body=b"",
                           headers=headers)
        assert refused.status == 403, (headers, refused)
    assert tsl.http("GET", f"{endpoint}/_timestream_local/health",
                    headers={"Origin": "https://evil.example"}).status == 200
    names = tsl.http("POST", f"{endpoint}/_timestream_local/aws/ListDatabases", body=b"{}",
                     headers={"Content-Type": "application/json", "Host": f"localhost:{host.rsplit(':', 1)[1]}"})
    assert [d["DatabaseName"] for d in names.json["Databases"]] == ["kept"]


def test_the_request_log_reads_on_from_where_a_reader_stopped(endpoint, tsl, write):
    """`GET activity?after=SEQ` gives the AWS requests logged after SEQ, oldest first, each with
    its operation, status and error; `next_seq` tells a reader whether the server restarted."""
    seq = tsl.http("GET", f"{endpoint}/_timestream_local/activity").json["next_seq"]
    write.list_databases()
    with pytest.raises(botocore.exceptions.ClientError):
        write.describe_database(DatabaseName="absent")
    activity = tsl.http("GET", f"{endpoint}/_timestream_local/activity?after={seq - 1}").json
    logged = [(r["seq"], r["operation"], r["source"], r["status"], r.get("error"))
              for r in activity["requests"]]
    assert logged == [
        (seq, "ListDatabases", "api", 200, None),
        (seq + 1, "DescribeDatabase", "api", 404, "ResourceNotFoundException"),
    ], logged
    assert activity["next_seq"] == seq + 2


def test_with_an_admin_token_the_page_asks_for_it_once(server_factory, tsl):
    """Started with --admin-token, the console's calls are refused until the page has the
    token: it asks once (a prompt), then works on every page."""
    srv = server_factory("--admin-token", "s3cret")
    endpoint = f"http://{srv.host_port}"
    tsl.write(endpoint).create_database(DatabaseName="guarded")
    done = subprocess.run(["node", str(HERE / "drive_token.mjs"), endpoint, "s3cret"],
                          cwd=HERE, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"drive_token.mjs failed:\n{done.stderr[-4000:]}"
    seen = json.loads(done.stdout)
    assert len(seen["prompts"]) == 1 and "--admin-token" in seen["prompts"][0], seen
    assert seen["databases"] == ["guarded"]
