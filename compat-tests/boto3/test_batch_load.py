"""Batch load tasks through boto3 (wire-protocol.md §5.9; developer guide, "Batch load"): the four
operations, CSV files read from S3 (here a directory, ``--s3-dir``, where a bucket is a
directory), data models (multi-measure, mixed, from an S3 file), CSV options, bad rows counted
in the ProgressReport and listed in the error report, ResumeBatchLoadTask's rules, listing, and
a restart in the middle of a load.

Every loaded record is checked by querying the table.
"""

import json
import time

import pytest

from conftest import LENIENT_KEY, LENIENT_SECRET, ServerProcess

SOURCE = "bl-source"
REPORTS = "bl-reports"
MODELS = "bl-models"
DB = "batchdb"
TABLE = "metrics"
TERMINAL = {"SUCCEEDED", "FAILED", "PROGRESS_STOPPED"}


@pytest.fixture(scope="module")
def s3_dir(tmp_path_factory):
    d = tmp_path_factory.mktemp("s3")
    for bucket in (SOURCE, REPORTS, MODELS):
        (d / bucket).mkdir()
    return d


@pytest.fixture(scope="module")
def server(s3_dir):
    srv = ServerProcess(
        ["--credentials", f"{LENIENT_KEY}:{LENIENT_SECRET}", "--s3-dir", str(s3_dir)]
    ).start()
    yield srv
    srv.stop()


@pytest.fixture
def table(write):
    write.create_database(DatabaseName=DB)
    write.create_table(DatabaseName=DB, TableName=TABLE)
    return TABLE


def now_ms():
    return int(time.time() * 1000)


def put(s3_dir, bucket, key, text):
    path = s3_dir / bucket / key
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


MULTI_MODEL = {
    "TimeColumn": "time",
    "TimeUnit": "MILLISECONDS",
    "DimensionMappings": [
        {"SourceColumn": "host", "DestinationColumn": "hostname"},
        {"SourceColumn": "region"},
    ],
    "MultiMeasureMappings": {
        "TargetMultiMeasureName": "metrics",
        "MultiMeasureAttributeMappings": [
            {"SourceColumn": "cpu", "MeasureValueType": "DOUBLE"},
            {"SourceColumn": "mem", "TargetMultiMeasureAttributeName": "memory",
             "MeasureValueType": "BIGINT"},
            {"SourceColumn": "status", "MeasureValueType": "VARCHAR"},
        ],
    },
}


def task_request(prefix, model=MULTI_MODEL, csv=None, report_prefix="reports", **kw):
    source = {"DataSourceS3Configuration": {"BucketName": SOURCE, "ObjectKeyPrefix": prefix},
              "DataFormat": "CSV"}
    if csv is not None:
        source["CsvConfiguration"] = csv
    req = {
        "TargetDatabaseName": DB,
        "TargetTableName": TABLE,
        "DataSourceConfiguration": source,
        "ReportConfiguration": {"ReportS3Configuration": {"BucketName": REPORTS,
                                                          "ObjectKeyPrefix": report_prefix}},
        "DataModelConfiguration": {"DataModel": model},
    }
    req.update(kw)
    return req


def wait(write, task_id, timeout=180, statuses=TERMINAL):
    deadline = time.time() + timeout
    while True:
        d = write.describe_batch_load_task(TaskId=task_id)["BatchLoadTaskDescription"]
        if d["TaskStatus"] in statuses:
            return d
        assert time.time() < deadline, d
        time.sleep(0.05)


def rows(query, sql):
    out = []
    for page in query.get_paginator("query").paginate(QueryString=sql):
        names = [c["Name"] for c in page["ColumnInfo"]]
        for r in page["Rows"]:
            out.append({n: d.get("ScalarValue") for n, d in zip(names, r["Data"])})
    return out


def ts(ms):
    """A millisecond time as Timestream's query text renders it."""
    import datetime as dt
    t = dt.datetime.fromtimestamp(ms // 1000, tz=dt.timezone.utc)
    return t.strftime("%Y-%m-%d %H:%M:%S") + f".{ms % 1000:03d}000000"


def report(s3_dir, task_id, prefix="reports"):
    return json.loads((s3_dir / REPORTS / prefix / task_id / "error_report.json").read_text())


# --------------------------------------------------------------------------
# loads
# --------------------------------------------------------------------------


def test_multi_measure_csv_is_loaded_record_by_record(write, query, table, s3_dir):
    t0 = now_ms() - 60_000
    lines = ["time,host,region,cpu,mem,status"]
    expected = {}
    for i in range(50):
        host = f"h{i % 5}"
        lines.append(f"{t0 + i},{host},eu,{i / 2},{i * 10},ok{i}")
        expected[(host, ts(t0 + i))] = (f"{i / 2}", f"{i * 10}", f"ok{i}")
    put(s3_dir, SOURCE, "multi/part-1.csv", "\n".join(lines[:26]) + "\n")
    put(s3_dir, SOURCE, "multi/part-2.csv", "\n".join([lines[0]] + lines[26:]) + "\n")
    task_id = write.create_batch_load_task(**task_request("multi/", RecordVersion=7))["TaskId"]
    assert 3 <= len(task_id) <= 32 and task_id.isalnum() and task_id.upper() == task_id
    d = wait(write, task_id)
    assert d["TaskStatus"] == "SUCCEEDED", d
    p = d["ProgressReport"]
    assert (p["RecordsProcessed"], p["RecordsIngested"], p["ParseFailures"],
            p["RecordIngestionFailures"], p["FileFailures"]) == (50, 50, 0, 0, 0)
    assert p["BytesMetered"] > 0
    assert d["RecordVersion"] == 7
    assert d["DataModelConfiguration"] == {"DataModel": MULTI_MODEL}
    assert d["TargetDatabaseName"] == DB and d["TargetTableName"] == TABLE
    assert "ErrorMessage" not in d
    got = rows(query, f"SELECT hostname, region, time, measure_name, cpu, memory, status "
                      f"FROM {DB}.{TABLE}")
    assert len(got) == 50
    for r in got:
        assert r["region"] == "eu" and r["measure_name"] == "metrics"
        cpu, mem, status = expected[(r["hostname"], r["time"])]
        assert (float(r["cpu"]), r["memory"], r["status"]) == (float(cpu), mem, status)
    # No errors, no report.
    assert not (s3_dir / REPORTS / "reports" / task_id).exists()


def test_record_version_applies_to_every_record(write, query, table, s3_dir, tsl, endpoint):
    t0 = now_ms() - 60_000
    put(s3_dir, SOURCE, "version/a.csv", f"time,host,region,cpu,mem,status\n{t0},h,eu,1.5,2,x\n")
    task_id = write.create_batch_load_task(**task_request("version/", RecordVersion=5))["TaskId"]
    assert wait(write, task_id)["TaskStatus"] == "SUCCEEDED"
    r = tsl.http("GET", f"{endpoint}/_timestream_local/records?database={DB}&table={TABLE}")
    [rec] = r.json["records"]
    assert rec["version"] == 5, rec
    # A lower version with another value is refused: the loaded record has version 5.
    with tsl.raises("RejectedRecordsException"):
        write.write_records(DatabaseName=DB, TableName=TABLE, Records=[{
            "Dimensions": [{"Name": "hostname", "Value": "h"}, {"Name": "region", "Value": "eu"}],
            "MeasureName": "metrics", "MeasureValueType": "MULTI", "Time": str(t0),
            "MeasureValues": [{"Name": "cpu", "Value": "9.5", "Type": "DOUBLE"}],
            "Version": 4}])


def test_mixed_measure_mappings(write, query, table, s3_dir):
    t0 = now_ms() - 60_000
    put(s3_dir, SOURCE, "mixed/data.csv", "\n".join([
        "ts,host,kind,cpu,mem",
        f"{t0},a,cpu,1.5,10",
        f"{t0 + 1},a,both,2.5,20",
        f"{t0 + 2},b,cpu,3.5,",
        f"{t0 + 3},b,other,4.5,40",
    ]) + "\n")
    model = {
        "TimeColumn": "ts",
        "DimensionMappings": [{"SourceColumn": "host"}],
        "MeasureNameColumn": "kind",
        "MixedMeasureMappings": [
            {"MeasureName": "cpu", "SourceColumn": "cpu", "TargetMeasureName": "cpu_usage",
             "MeasureValueType": "DOUBLE"},
            {"MeasureName": "both", "MeasureValueType": "MULTI", "TargetMeasureName": "pair",
             "MultiMeasureAttributeMappings": [
                 {"SourceColumn": "cpu", "MeasureValueType": "DOUBLE"},
                 {"SourceColumn": "mem", "MeasureValueType": "BIGINT"}]},
        ],
    }
    task_id = write.create_batch_load_task(**task_request("mixed/", model))["TaskId"]
    d = wait(write, task_id)
    assert d["TaskStatus"] == "SUCCEEDED", d
    assert d["ProgressReport"]["RecordsProcessed"] == 4
    got = rows(query, f"SELECT host, time, measure_name, measure_value::double AS v, cpu, mem "
                      f"FROM {DB}.{TABLE} ORDER BY time")
    assert [(r["host"], r["time"], r["measure_name"], r["v"], r["cpu"], r["mem"]) for r in got] == [
        ("a", ts(t0), "cpu_usage", "1.5", None, None),
        ("a", ts(t0 + 1), "pair", None, "2.5", "20"),
        ("b", ts(t0 + 2), "cpu_usage", "3.5", None, None),
    ]


def test_csv_options(write, query, table, s3_dir):
    t0 = now_ms() - 60_000
    put(s3_dir, SOURCE, "opts/data.csv", "\n".join([
        "time;host;region;cpu;mem;status",
        f"{t0}; a ;eu; 1.5 ;NA;'semi;colon'",
        f"{t0 + 1};b;eu;2.5;7;'it\\'s'",
        f"{t0 + 2};c;NA;NA;8;plain",
    ]) + "\n")
    csv = {"ColumnSeparator": ";", "QuoteChar": "'", "EscapeChar": "\\", "NullValue": "NA",
           "TrimWhiteSpace": True}
    task_id = write.create_batch_load_task(**task_request("opts/", csv=csv))["TaskId"]
    d = wait(write, task_id)
    assert d["TaskStatus"] == "SUCCEEDED", d
    assert d["DataSourceConfiguration"]["CsvConfiguration"] == csv
    got = rows(query, f"SELECT hostname, region, cpu, memory, status FROM {DB}.{TABLE} "
                      "ORDER BY time")
    assert got == [
        {"hostname": "a", "region": "eu", "cpu": "1.5", "memory": None, "status": "semi;colon"},
        {"hostname": "b", "region": "eu", "cpu": "2.5", "memory": "7", "status": "it's"},
        {"hostname": "c", "region": None, "cpu": None, "memory": "8", "status": "plain"},
    ]


def test_bad_rows_are_counted_reported_and_skipped(write, query, table, s3_dir):
    t0 = now_ms() - 60_000
    old = now_ms() - 7 * 3_600_000  # outside the 6-hour memory store, magnetic writes off
    put(s3_dir, SOURCE, "bad/data.csv", "\n".join([
        "time,host,region,cpu,mem,status",
        f"{t0},a,eu,1.0,1,ok",          # line 2
        f"{t0 + 1},b,eu,oops,2,ok",     # 3: not a DOUBLE
        f"{t0 + 2},c,eu,1.0,x,ok",      # 4: not a BIGINT
        f"{t0 + 3},d,eu,1.0,4,ok",      # 5
        f",e,eu,1.0,5,ok",              # 6: no time
        f"{old},f,eu,1.0,6,ok",         # 7: outside the ingestion window
        f"{old + 1},g,eu,1.0,7,ok",     # 8: outside the ingestion window
        f"{t0 + 4},h,eu,1.0",           # 9: too few fields
        f"{t0 + 5},i,eu,1.0,9,ok",      # 10
    ]) + "\n")
    put(s3_dir, SOURCE, "bad/no-header-columns.csv", "a,b\n1,2\n")
    task_id = write.create_batch_load_task(**task_request("bad/"))["TaskId"]
    d = wait(write, task_id)
    assert d["TaskStatus"] == "FAILED", d
    p = d["ProgressReport"]
    assert (p["RecordsProcessed"], p["RecordsIngested"], p["ParseFailures"],
            p["RecordIngestionFailures"], p["FileFailures"]) == (9, 3, 4, 2, 1), p
    url = f"s3://{REPORTS}/reports/{task_id}/error_report.json"
    assert url in d["ErrorMessage"], d["ErrorMessage"]
    rep = report(s3_dir, task_id)
    assert rep["taskId"] == task_id and rep["taskErrors"] == []
    by_file = {f["fileName"]: f["errors"] for f in rep["fileErrors"]}
    assert set(by_file) == {"bad/data.csv", "bad/no-header-columns.csv"}
    ranges = {e["reason"]: e["lineRanges"] for e in by_file["bad/data.csv"]}
    assert ranges["The value oops is not a valid DOUBLE."] == [[3, 3]]
    assert ranges["The value x is not a valid BIGINT."] == [[4, 4]]
    assert ranges["The value of the TimeColumn time is NULL."] == [[6, 6]]
    assert ranges["The row has 4 fields; the header has 6."] == [[9, 9]]
    [window] = [r for r in ranges if "outside the time range" in r]
    assert ranges[window] == [[7, 8]]
    [missing] = by_file["bad/no-header-columns.csv"]
    assert "is not in the header" in missing["reason"] and missing["lineRanges"] == []
    got = rows(query, f"SELECT hostname FROM {DB}.{TABLE} ORDER BY time")
    assert [r["hostname"] for r in got] == ["a", "d", "i"]


def test_data_model_from_s3_and_missing_buckets(write, query, table, s3_dir):
    t0 = now_ms() - 60_000
    put(s3_dir, SOURCE, "s3model/a.csv", f"time,host,region,cpu,mem,status\n{t0},a,eu,1,2,x\n")
    put(s3_dir, MODELS, "models/multi.json", json.dumps(MULTI_MODEL))
    req = task_request("s3model/")
    req["DataModelConfiguration"] = {
        "DataModelS3Configuration": {"BucketName": MODELS, "ObjectKey": "models/multi.json"}}
    d = wait(write, write.create_batch_load_task(**req)["TaskId"])
    assert d["TaskStatus"] == "SUCCEEDED", d
    assert len(rows(query, f"SELECT * FROM {DB}.{TABLE}")) == 1

    req["DataModelConfiguration"]["DataModelS3Configuration"]["ObjectKey"] = "models/none.json"
    d = wait(write, write.create_batch_load_task(**req)["TaskId"])
    assert d["TaskStatus"] == "FAILED"
    assert d["ErrorMessage"] == f"The data model file s3://{MODELS}/models/none.json does not exist."

    req = task_request("s3model/")
    req["DataSourceConfiguration"]["DataSourceS3Configuration"]["BucketName"] = "no-such-bucket"
    d = wait(write, write.create_batch_load_task(**req)["TaskId"])
    assert d["TaskStatus"] == "FAILED"
    assert d["ErrorMessage"] == (
        "The S3 bucket no-such-bucket of the DataSourceS3Configuration does not exist.")

    req = task_request("s3model/")
    req["ReportConfiguration"]["ReportS3Configuration"]["BucketName"] = "no-report-bucket"
    d = wait(write, write.create_batch_load_task(**req)["TaskId"])
    assert d["TaskStatus"] == "FAILED"
    assert "no-report-bucket of the ReportS3Configuration does not exist" in d["ErrorMessage"]

    d = wait(write, write.create_batch_load_task(**task_request("nothing-here/"))["TaskId"])
    assert d["TaskStatus"] == "FAILED"
    assert d["ErrorMessage"] == f"No objects were found under s3://{SOURCE}/nothing-here/."


# --------------------------------------------------------------------------
# the operations and their errors
# --------------------------------------------------------------------------


def test_validation_errors(write, write_nv, table, tsl):
    V = "ValidationException"
    with tsl.raises(V, tsl.coral([tsl.violation(
            "abc", "taskId", "Member must satisfy regular expression pattern: [A-Z0-9]+")])):
        write_nv.describe_batch_load_task(TaskId="abc")
    with tsl.raises(V, tsl.coral([tsl.violation(
            "AB", "taskId", "Member must have length greater than or equal to 3")])):
        write_nv.resume_batch_load_task(TaskId="AB")
    with tsl.raises(V, tsl.coral([tsl.violation(
            "0", "maxResults", "Member must have value greater than or equal to 1")])):
        write_nv.list_batch_load_tasks(MaxResults=0)
    with tsl.raises(V, tsl.coral([tsl.violation(
            "101", "maxResults", "Member must have value less than or equal to 100")])):
        write_nv.list_batch_load_tasks(MaxResults=101)
    with tsl.raises(V) as e:
        write_nv.list_batch_load_tasks(TaskStatus="DONE")
    assert "taskStatus" in e["error"].response["Error"]["Message"]
    with tsl.raises(V) as e:
        write_nv.create_batch_load_task(**task_request("x/", ClientToken=""))
    assert "clientToken" in e["error"].response["Error"]["Message"]
    bad_bucket = task_request("x/")
    bad_bucket["DataSourceConfiguration"]["DataSourceS3Configuration"]["BucketName"] = "Bad_Bucket"
    with tsl.raises(V) as e:
        write_nv.create_batch_load_task(**bad_bucket)
    assert ("'dataSourceConfiguration.dataSourceS3Configuration.bucketName' failed to satisfy "
            "constraint: Member must satisfy regular expression pattern") in \
        e["error"].response["Error"]["Message"]
    with tsl.raises(V) as e:
        write_nv.create_batch_load_task(**task_request("x/", csv={"ColumnSeparator": ";;"}))
    assert "columnSeparator" in e["error"].response["Error"]["Message"]
    missing = task_request("x/")
    del missing["DataSourceConfiguration"]["DataFormat"]
    with tsl.raises(V) as e:
        write_nv.create_batch_load_task(**missing)
    assert "Value null at 'dataSourceConfiguration.dataFormat'" in \
        e["error"].response["Error"]["Message"]

    # What the model cannot say.
    cases = [
        (task_request("x/", ReportConfiguration={}),
         "ReportConfiguration must contain a ReportS3Configuration."),
        (task_request("x/", RecordVersion=0),
         "Invalid RecordVersion 0. The record version must be a positive number."),
        (task_request("x/", DataModelConfiguration={}),
         "DataModelConfiguration needs exactly one of DataModel and DataModelS3Configuration."),
        (task_request("x/", model={**MULTI_MODEL, "MixedMeasureMappings": [
            {"SourceColumn": "cpu", "MeasureValueType": "DOUBLE"}]}),
         "A DataModel needs exactly one of MultiMeasureMappings and MixedMeasureMappings."),
        (task_request("x/", model={**MULTI_MODEL, "MultiMeasureMappings": {
            "MultiMeasureAttributeMappings": [{"SourceColumn": "cpu"}]}}),
         "MultiMeasureMappings needs a TargetMultiMeasureName when no MeasureNameColumn is "
         "given."),
        (task_request("x/", csv={"ColumnSeparator": ",", "QuoteChar": ","}),
         "The QuoteChar and the ColumnSeparator must differ."),
    ]
    for req, message in cases:
        with tsl.raises(V, message, 400):
            write_nv.create_batch_load_task(**req)

    with tsl.raises("ResourceNotFoundException", "The table nope does not exist."):
        write.create_batch_load_task(**task_request("x/", TargetTableName="nope"))
    with tsl.raises("ResourceNotFoundException", "The database nodb does not exist."):
        write.create_batch_load_task(**task_request("x/", TargetDatabaseName="nodb"))
    with tsl.raises("ResourceNotFoundException",
                    "The batch load task ABC123 does not exist."):
        write.describe_batch_load_task(TaskId="ABC123")
    with tsl.raises("ResourceNotFoundException",
                    "The batch load task ABC123 does not exist."):
        write.resume_batch_load_task(TaskId="ABC123")
    assert write.list_batch_load_tasks()["BatchLoadTasks"] == []


def test_client_token_makes_create_idempotent(write, table, s3_dir):
    first = write.create_batch_load_task(**task_request("none/", ClientToken="tok-1"))["TaskId"]
    again = write.create_batch_load_task(**task_request("none/", ClientToken="tok-1"))["TaskId"]
    assert first == again
    other = write.create_batch_load_task(**task_request("none/"))["TaskId"]
    assert other != first


def stop(tsl, endpoint, task_id):
    r = tsl.http("POST", f"{endpoint}/_timestream_local/batch-load-tasks/{task_id}/stop", body=b"")
    assert r.status == 200, r
    return r.json["stopped"]


def test_resume_rules(write, query, table, s3_dir, tsl, endpoint):
    import datetime as dt
    t0 = now_ms() - 60_000
    put(s3_dir, SOURCE, "resume/a.csv", "time,host,region,cpu,mem,status\n" + "".join(
        f"{t0 + i},h{i % 7},eu,{i},{i},s\n" for i in range(5000)))
    # Stopped before it ran (CREATED is active): PROGRESS_STOPPED, resumable for 15 days.
    task_id = write.create_batch_load_task(**task_request("resume/"))["TaskId"]
    if not stop(tsl, endpoint, task_id):
        pytest.skip("the runner finished the task before it could be stopped")
    d = wait(write, task_id, statuses={"PROGRESS_STOPPED"})
    assert d["ErrorMessage"] == "The task was stopped through the admin API."
    until = d["ResumableUntil"] - d["LastUpdatedTime"]
    assert until == dt.timedelta(days=15), until
    [listed] = write.list_batch_load_tasks(TaskStatus="PROGRESS_STOPPED")["BatchLoadTasks"]
    assert listed["TaskId"] == task_id and listed["ResumableUntil"] == d["ResumableUntil"]
    assert write.resume_batch_load_task(TaskId=task_id)["ResponseMetadata"]["HTTPStatusCode"] == 200
    d = wait(write, task_id)
    assert d["TaskStatus"] == "SUCCEEDED", d
    assert d["ProgressReport"]["RecordsIngested"] == 5000
    assert "ResumableUntil" not in d
    [[count]] = [[r["n"]] for r in rows(query, f"SELECT count(*) AS n FROM {DB}.{TABLE}")]
    assert count == "5000"
    # Only a PROGRESS_STOPPED task can be resumed.
    with tsl.raises("ValidationException",
                    f"The batch load task {task_id} cannot be resumed: its status is SUCCEEDED. "
                    "Only a task in status PROGRESS_STOPPED can be resumed."):
        write.resume_batch_load_task(TaskId=task_id)


def test_resume_after_resumable_until_is_refused(write, table, tsl, endpoint, s3_dir):
    t0 = now_ms() - 60_000
    put(s3_dir, SOURCE, "late/a.csv", "time,host,region,cpu,mem,status\n" + "".join(
        f"{t0 + i},h,eu,{i},{i},s\n" for i in range(5000)))
    task_id = write.create_batch_load_task(**task_request("late/"))["TaskId"]
    if not stop(tsl, endpoint, task_id):
        pytest.skip("the runner finished the task before it could be stopped")
    r = tsl.http("POST", f"{endpoint}/_timestream_local/clock",
                 body=json.dumps({"advance_ns": 16 * 86_400 * 10**9}).encode(),
                 headers={"Content-Type": "application/json"})
    assert r.status == 200
    try:
        r = tsl.raw(endpoint, "ResumeBatchLoadTask", {"TaskId": task_id})
        assert r.error_type == "ValidationException", r.json
        assert "it was resumable until" in r.json["message"], r.json
    finally:
        tsl.http("POST", f"{endpoint}/_timestream_local/clock",
                 body=json.dumps({"offset_ns": 0}).encode(),
                 headers={"Content-Type": "application/json"})


def test_list_filters_by_status_and_paginates(write, table, s3_dir):
    t0 = now_ms() - 60_000
    put(s3_dir, SOURCE, "list/a.csv", f"time,host,region,cpu,mem,status\n{t0},a,eu,1,2,x\n")
    ok, failed = [], []
    for i in range(3):
        ok.append(write.create_batch_load_task(**task_request("list/"))["TaskId"])
        failed.append(write.create_batch_load_task(**task_request(f"missing-{i}/"))["TaskId"])
    for t in ok + failed:
        wait(write, t)

    def all_pages(**kw):
        seen, token = [], None
        while True:
            page = write.list_batch_load_tasks(MaxResults=2, **kw, **(
                {"NextToken": token} if token else {}))
            assert len(page["BatchLoadTasks"]) <= 2
            seen += page["BatchLoadTasks"]
            token = page.get("NextToken")
            if not token:
                return seen

    succeeded = all_pages(TaskStatus="SUCCEEDED")
    assert {t["TaskId"] for t in succeeded} == set(ok)
    assert all(t["TaskStatus"] == "SUCCEEDED" and t["DatabaseName"] == DB
               and t["TableName"] == TABLE for t in succeeded)
    assert {t["TaskId"] for t in all_pages(TaskStatus="FAILED")} == set(failed)
    everything = all_pages()
    assert len(everything) == 6
    assert [t["CreationTime"] for t in everything] == sorted(
        (t["CreationTime"] for t in everything), reverse=True)
    assert all_pages(TaskStatus="PENDING_RESUME") == []


# --------------------------------------------------------------------------
# 100 000 rows: bad rows, and a restart in the middle
# --------------------------------------------------------------------------

N = 100_000


def big_csv(t0, bad_every=0):
    """N rows over 100 hosts; every `bad_every`-th row (if any) has a bad cpu value. Returns the
    text, the expected (host, time ms) -> cpu of the good rows, and the bad lines."""
    out = ["time,host,region,cpu,mem,status"]
    good, bad_lines = {}, []
    for i in range(N):
        host, t = f"host-{i % 100}", t0 + i // 100
        if bad_every and i % bad_every == 7:
            out.append(f"{t},{host},eu,not-a-number,{i},s")
            bad_lines.append(i + 2)
        else:
            out.append(f"{t},{host},eu,{i},{i},s")
            good[(host, t)] = i
    return "\n".join(out) + "\n", good, bad_lines


def check_table(query, good, t0):
    got = rows(query, f"SELECT hostname, to_milliseconds(time) AS t, cpu FROM {DB}.{TABLE}")
    assert len(got) == len(good)
    seen = set()
    for r in got:
        key = (r["hostname"], int(r["t"]))
        assert key not in seen, key
        seen.add(key)
        assert float(r["cpu"]) == good[key], (key, r)


def test_100k_rows_with_bad_rows(write, query, table, s3_dir):
    t0 = now_ms() - 1_800_000
    text, good, bad_lines = big_csv(t0, bad_every=997)
    put(s3_dir, SOURCE, "big/data.csv", text)
    task_id = write.create_batch_load_task(**task_request("big/"))["TaskId"]
    d = wait(write, task_id, timeout=600)
    assert d["TaskStatus"] == "FAILED", d
    p = d["ProgressReport"]
    assert p["RecordsProcessed"] == N
    assert p["ParseFailures"] == len(bad_lines) > 0
    assert p["RecordsIngested"] == N - len(bad_lines)
    assert p["RecordIngestionFailures"] == 0 and p["FileFailures"] == 0
    assert p["BytesMetered"] == len(text.encode()) - len(text.split("\n", 1)[0]) - 1
    [f] = report(s3_dir, task_id)["fileErrors"]
    assert f["fileName"] == "big/data.csv"
    [e] = f["errors"]
    assert e["reason"] == "The value not-a-number is not a valid DOUBLE."
    assert e["lineRanges"] == [[line, line] for line in bad_lines]
    check_table(query, good, t0)


def test_restart_in_the_middle_of_a_load(tsl, server_factory, tmp_path):
    s3 = tmp_path / "s3"
    for bucket in (SOURCE, REPORTS):
        (s3 / bucket).mkdir(parents=True)
    data = tmp_path / "data"
    args = ("--data-dir", str(data), "--s3-dir", str(s3))
    first = server_factory(*args)
    write = tsl.write(first.url)
    write.create_database(DatabaseName=DB)
    write.create_table(DatabaseName=DB, TableName=TABLE)
    t0 = now_ms() - 1_800_000
    text, good, _ = big_csv(t0)
    put(s3, SOURCE, "restart/data.csv", text)
    task_id = write.create_batch_load_task(**task_request("restart/"))["TaskId"]
    # Kill the server (no shutdown) once part of the file is in.
    deadline = time.time() + 120
    while True:
        d = write.describe_batch_load_task(TaskId=task_id)["BatchLoadTaskDescription"]
        if d["ProgressReport"]["RecordsProcessed"] > 0:
            break
        assert time.time() < deadline, d
        time.sleep(0.01)
    first.proc.kill()
    first.proc.wait(timeout=10)
    assert d["TaskStatus"] == "IN_PROGRESS" and d["ProgressReport"]["RecordsProcessed"] < N, d

    second = server_factory(*args)
    write, query = tsl.write(second.url), tsl.query(second.url)
    d = wait(write, task_id, timeout=600)
    assert d["TaskStatus"] == "SUCCEEDED", d
    p = d["ProgressReport"]
    # A batch committed but not yet recorded when the process died is read again: its
    # records are written again as identical no-op upserts and counted again.
    assert N <= p["RecordsProcessed"] <= N + 10_000, p
    assert p["RecordsIngested"] == p["RecordsProcessed"]
    check_table(query, good, t0)
