"""Batch load with an S3-compatible endpoint (moto's server, ``--s3-endpoint-url``) as the
server's S3 (test_batch_load.py covers the rest against ``--s3-dir``): awswrangler's
``wr.timestream.batch_load`` round trip, every record read back with ``wr.timestream.query``;
and bad rows counted, skipped and reported in an error report read back from the endpoint.
"""

from __future__ import annotations

import json
import time

import pytest

from conftest import REGION, moto_client

DB, TABLE = "wr_batch_db", "wr_batch"
BUCKET, REPORTS = "wr-batch-data", "wr-batch-reports"


@pytest.fixture
def wrangler(server_factory, moto_server, tsl, monkeypatch):
    import awswrangler as wr

    s3 = moto_client("s3", moto_server)
    for bucket in (BUCKET, REPORTS):
        try:
            s3.create_bucket(Bucket=bucket)
        except s3.exceptions.BucketAlreadyOwnedByYou:
            pass
    srv = server_factory("--s3-endpoint-url", moto_server,
                         env={"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test"})
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setattr(wr.config, "s3_endpoint_url", moto_server)
    monkeypatch.setattr(wr.config, "timestream_query_endpoint_url", srv.url)
    monkeypatch.setattr(wr.config, "timestream_write_endpoint_url", srv.url)
    write = tsl.write(srv.url)
    write.create_database(DatabaseName=DB)
    write.create_table(DatabaseName=DB, TableName=TABLE,
                       RetentionProperties={"MemoryStoreRetentionPeriodInHours": 24,
                                            "MagneticStoreRetentionPeriodInDays": 365})
    return wr


def test_batch_load_round_trips(wrangler):
    import pandas as pd

    wr = wrangler
    now_ms = int(time.time() * 1000) - 3_600_000
    n = 500
    df = pd.DataFrame({
        "time": [now_ms - i * 1000 for i in range(n)],
        "region": [f"r{i % 4}" for i in range(n)],
        "host": [f"h{i % 25}" for i in range(n)],
        "cpu": [i / 8 for i in range(n)],
        "mem": [float(i % 100) for i in range(n)],
        "measure": ["metrics"] * n,
    })
    response = wr.timestream.batch_load(
        df=df,
        path=f"s3://{BUCKET}/load-{now_ms}/",
        database=DB,
        table=TABLE,
        time_col="time",
        dimensions_cols=["region", "host"],
        measure_cols=["cpu", "mem"],
        measure_name_col="measure",
        report_s3_configuration={"BucketName": REPORTS},
        timestream_batch_load_wait_polling_delay=0.2,
    )
    description = response["BatchLoadTaskDescription"]
    assert description["TaskStatus"] == "SUCCEEDED"
    progress = description["ProgressReport"]
    assert progress["RecordsProcessed"] == n and progress["RecordsIngested"] == n
    assert progress.get("ParseFailures", 0) == 0
    got = wr.timestream.query(
        f'SELECT region, host, cpu, mem, to_milliseconds(time) AS t FROM "{DB}"."{TABLE}"')
    got = got.sort_values("t", ascending=False).reset_index(drop=True)
    assert len(got) == n
    assert got["t"].astype(int).tolist() == df["time"].tolist()
    assert got["cpu"].astype(float).tolist() == df["cpu"].tolist()
    assert got["mem"].astype(float).tolist() == df["mem"].tolist()
    assert got["region"].astype(str).tolist() == df["region"].tolist()
    assert got["host"].astype(str).tolist() == df["host"].tolist()


def test_bad_rows_and_the_error_report_on_an_s3_endpoint(server_factory, moto_server, tsl):
    """The same task as test_batch_load.py's bad-rows test, its CSV and report on moto."""
    s3 = moto_client("s3", moto_server)
    for bucket in (BUCKET, REPORTS):
        try:
            s3.create_bucket(Bucket=bucket)
        except s3.exceptions.BucketAlreadyOwnedByYou:
            pass
    srv = server_factory("--s3-endpoint-url", moto_server,
                         env={"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test"})
    write, query = tsl.write(srv.url), tsl.query(srv.url)
    write.create_database(DatabaseName=DB)
    write.create_table(DatabaseName=DB, TableName=TABLE)
    t0 = int(time.time() * 1000) - 60_000
    prefix = f"bad-{t0}/"
    s3.put_object(Bucket=BUCKET, Key=prefix + "data.csv", Body="\n".join([
        "time,host,cpu",
        f"{t0},a,1.5",        # line 2
        f"{t0 + 1},b,oops",   # 3: not a DOUBLE
        f"{t0 + 2},c,2.5",    # 4
    ]).encode() + b"\n")
    task_id = write.create_batch_load_task(
        TargetDatabaseName=DB, TargetTableName=TABLE,
        DataSourceConfiguration={
            "DataSourceS3Configuration": {"BucketName": BUCKET, "ObjectKeyPrefix": prefix},
            "DataFormat": "CSV"},
        ReportConfiguration={"ReportS3Configuration": {"BucketName": REPORTS,
                                                       "ObjectKeyPrefix": prefix}},
        DataModelConfiguration={"DataModel": {
            "TimeColumn": "time", "TimeUnit": "MILLISECONDS",
            "DimensionMappings": [{"SourceColumn": "host"}],
            "MultiMeasureMappings": {
                "TargetMultiMeasureName": "m",
                "MultiMeasureAttributeMappings": [
                    {"SourceColumn": "cpu", "MeasureValueType": "DOUBLE"}]}}},
    )["TaskId"]
    deadline = time.time() + 60
    while True:
        d = write.describe_batch_load_task(TaskId=task_id)["BatchLoadTaskDescription"]
        if d["TaskStatus"] in ("SUCCEEDED", "FAILED", "PROGRESS_STOPPED"):
            break
        assert time.time() < deadline, d
        time.sleep(0.05)
    assert d["TaskStatus"] == "FAILED", d
    p = d["ProgressReport"]
    assert (p["RecordsProcessed"], p["RecordsIngested"], p["ParseFailures"]) == (3, 2, 1), p
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=REPORTS, Prefix=prefix)["Contents"]]
    assert keys == [f"{prefix}{task_id}/error_report.json"]
    report = json.loads(s3.get_object(Bucket=REPORTS, Key=keys[0])["Body"].read())
    assert report["taskId"] == task_id
    [file_errors] = report["fileErrors"]
    assert file_errors["fileName"] == prefix + "data.csv"
    assert file_errors["errors"] == [{"reason": "The value oops is not a valid DOUBLE.",
                                      "lineRanges": [[3, 3]]}]
    got = query.query(QueryString=f"SELECT host, cpu FROM {DB}.{TABLE} ORDER BY time")
    assert [[c["ScalarValue"] for c in r["Data"]] for r in got["Rows"]] == [["a", "1.5"],
                                                                             ["c", "2.5"]]
