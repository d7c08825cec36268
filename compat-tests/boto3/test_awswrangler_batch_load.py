"""awswrangler's batch load (``wr.timestream.batch_load``) against the server with moto's S3
server as its S3: the DataFrame goes to S3 as CSV, a batch load task ingests it, and every
record is read back with ``wr.timestream.query``.
"""

from __future__ import annotations

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
