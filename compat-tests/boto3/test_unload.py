"""UNLOAD against both S3 backends: the server's local directory (``--s3-dir``) and moto's
S3 server (``--s3-endpoint-url``). Every file is read back — CSV by hand, Parquet with pyarrow
and DuckDB — and compared with the ``Query`` answer of the same SELECT; awswrangler's
``wr.timestream.unload`` round-trips through moto.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import time
from pathlib import Path

import pytest

from conftest import REGION, moto_client

DB, TABLE = "unload_db", "metrics"
BUCKET = "unload-bucket"
HOSTS = ["h1", "h2", "h3"]
ROWS = 60


class Backend:
    """One server and the S3 it writes to."""

    def __init__(self, name, url, read, keys):
        self.name, self.url, self.read, self.keys = name, url, read, keys

    def read_url(self, url: str) -> bytes:
        bucket, key = url.removeprefix("s3://").split("/", 1)
        return self.read(bucket, key)


@pytest.fixture(scope="module")
def dir_backend(module_server_factory, tmp_path_factory):
    s3_dir = tmp_path_factory.mktemp("s3")
    (s3_dir / BUCKET).mkdir()
    srv = module_server_factory("--s3-dir", str(s3_dir))

    def keys(bucket, prefix):
        root = s3_dir / bucket
        return sorted(str(p.relative_to(root)) for p in root.rglob("*")
                      if p.is_file() and str(p.relative_to(root)).startswith(prefix))

    return Backend("dir", srv.url, lambda b, k: (s3_dir / b / k).read_bytes(), keys)


@pytest.fixture(scope="module")
def moto_backend(module_server_factory, moto_server):
    s3 = moto_client("s3", moto_server)
    s3.create_bucket(Bucket=BUCKET)
    srv = module_server_factory("--s3-endpoint-url", moto_server,
                                env={"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test"})

    def keys(bucket, prefix):
        pages = s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
        return sorted(o["Key"] for p in pages for o in p.get("Contents", []))

    backend = Backend("moto", srv.url,
                      lambda b, k: s3.get_object(Bucket=b, Key=k)["Body"].read(), keys)
    backend.moto_url = moto_server
    return backend


@pytest.fixture(params=["dir", "moto"])
def backend(request, tsl):
    b = request.getfixturevalue(f"{request.param}_backend")
    populate(tsl, b)
    return b


def populate(tsl, b):
    """The table, written once per server."""
    write = tsl.write(b.url)
    try:
        write.create_database(DatabaseName=DB)
    except write.exceptions.ConflictException:
        return
    write.create_table(DatabaseName=DB, TableName=TABLE)
    now = int(time.time() * 1000)
    records = []
    for i in range(ROWS):
        records.append({
            "Dimensions": [{"Name": "host", "Value": HOSTS[i % 3]},
                           {"Name": "note", "Value": ["plain", "a,b", 'say "hi"'][i % 3]}],
            "MeasureName": "m",
            "MeasureValueType": "MULTI",
            "MeasureValues": [
                {"Name": "cpu", "Value": str(i / 4), "Type": "DOUBLE"},
                {"Name": "count", "Value": str(i), "Type": "BIGINT"},
                {"Name": "ok", "Value": ["true", "false"][i % 2], "Type": "BOOLEAN"},
            ],
            "Time": str(now - i * 1000),
        })
    for chunk in range(0, ROWS, 100):
        write.write_records(DatabaseName=DB, TableName=TABLE, Records=records[chunk:chunk + 100])


SELECT = (f'SELECT note, cpu, count, ok, time, host FROM "{DB}"."{TABLE}" ORDER BY time')


def query_rows(query, sql=SELECT):
    """The Query answer as lists of scalar strings (None for NULL)."""
    rows, columns = [], None
    for page in query.get_paginator("query").paginate(QueryString=sql):
        columns = columns or [c["Name"] for c in page["ColumnInfo"]]
        for r in page["Rows"]:
            rows.append([d.get("ScalarValue") for d in r["Data"]])
    return columns, rows


def unload(query, sql):
    out = query.query(QueryString=sql)
    assert [c["Name"] for c in out["ColumnInfo"]] == ["rows", "metadataFile", "manifestFile"]
    assert [c["Type"] for c in out["ColumnInfo"]] == [
        {"ScalarType": "BIGINT"}, {"ScalarType": "VARCHAR"}, {"ScalarType": "VARCHAR"}]
    rows, metadata, manifest = (d["ScalarValue"] for d in out["Rows"][0]["Data"])
    return int(rows), metadata, manifest


def test_csv_matches_the_query_answer(backend, tsl):
    query = tsl.query(backend.url)
    columns, expected = query_rows(query)
    rows, metadata_url, manifest_url = unload(
        query, f"UNLOAD ({SELECT}) TO 's3://{BUCKET}/csv-{backend.name}/' "
               "WITH (format = 'CSV', compression = 'NONE', include_header = 'true')")
    assert rows == ROWS
    manifest = json.loads(backend.read_url(manifest_url))
    metadata = json.loads(backend.read_url(metadata_url))
    assert [c["Name"] for c in metadata["ColumnInfo"]] == columns
    assert manifest["query_metadata"]["total_row_count"] == ROWS
    assert manifest["query_metadata"]["result_format"] == "CSV"
    got = []
    for f in manifest["result_files"]:
        assert f["url"].startswith(f"s3://{BUCKET}/csv-{backend.name}/results/")
        body = backend.read_url(f["url"])
        assert f["file_metadata"]["content_length_in_bytes"] == len(body)
        lines = list(csv.reader(io.StringIO(body.decode()), escapechar="\\"))
        assert lines[0] == columns
        assert f["file_metadata"]["row_count"] == len(lines) - 1
        got += [[v if v != "" else None for v in line] for line in lines[1:]]
    assert got == expected
    # The data, manifest and metadata files are all in the folder, nothing else.
    keys = backend.keys(BUCKET, f"csv-{backend.name}/")
    assert len(keys) == len(manifest["result_files"]) + 2


def test_gzip_csv_is_gzip(backend, tsl):
    query = tsl.query(backend.url)
    _, expected = query_rows(query)
    _, _, manifest_url = unload(
        query, f"UNLOAD ({SELECT}) TO 's3://{BUCKET}/gz-{backend.name}' WITH (format = 'CSV')")
    manifest = json.loads(backend.read_url(manifest_url))
    text = "".join(gzip.decompress(backend.read_url(f["url"])).decode()
                   for f in manifest["result_files"])
    assert all(f["url"].endswith(".csv.gz") for f in manifest["result_files"])
    assert len(text.splitlines()) == len(expected)


def test_parquet_reads_back_with_pyarrow_and_duckdb(backend, tsl, tmp_path):
    import duckdb
    import pyarrow.parquet as pq

    query = tsl.query(backend.url)
    columns, expected = query_rows(query)
    rows, _, manifest_url = unload(
        query, f"UNLOAD ({SELECT}) TO 's3://{BUCKET}/pq-{backend.name}' "
               "WITH (format = 'PARQUET', compression = 'GZIP')")
    assert rows == ROWS
    manifest = json.loads(backend.read_url(manifest_url))
    assert manifest["query_metadata"]["result_format"] == "PARQUET"
    tables = []
    for i, f in enumerate(manifest["result_files"]):
        path = tmp_path / f"{i}.parquet"
        path.write_bytes(backend.read_url(f["url"]))
        tables.append(pq.read_table(path))
    table = tables[0] if len(tables) == 1 else __import__("pyarrow").concat_tables(tables)
    assert table.column_names == columns
    types = {f.name: str(f.type) for f in table.schema}
    assert types == {"note": "string", "cpu": "double", "count": "int64", "ok": "bool",
                     "time": "timestamp[ns]", "host": "string"}
    got = table.to_pylist()
    for row, want in zip(got, expected):
        assert row["note"] == want[0] and row["host"] == want[5]
        assert row["cpu"] == float(want[1]) and row["count"] == int(want[2])
        assert row["ok"] == (want[3] == "true")
        assert str(row["time"]).replace("T", " ") .startswith(want[4][:23])
    assert len(got) == len(expected)
    # DuckDB reads the same files and agrees on the aggregates.
    con = duckdb.connect()
    files = [str(tmp_path / f"{i}.parquet") for i in range(len(tables))]
    count, total = con.execute(
        "SELECT count(*), sum(count) FROM read_parquet(?)", [files]).fetchone()
    assert count == ROWS and total == sum(int(r[2]) for r in expected)


def test_partitions_are_folders(backend, tsl):
    query = tsl.query(backend.url)
    _, expected = query_rows(query)
    _, metadata_url, manifest_url = unload(
        query, f"UNLOAD ({SELECT}) TO 's3://{BUCKET}/part-{backend.name}' "
               "WITH (format = 'CSV', compression = 'NONE', partitioned_by = ARRAY['host'])")
    manifest = json.loads(backend.read_url(manifest_url))
    by_host = {}
    for f in manifest["result_files"]:
        folder = f["url"].rsplit("/", 2)[-2]
        assert folder.startswith("host=")
        lines = list(csv.reader(io.StringIO(backend.read_url(f["url"]).decode()),
                                escapechar="\\"))
        by_host.setdefault(folder.removeprefix("host="), []).extend(lines)
    assert sorted(by_host) == HOSTS
    for host, lines in by_host.items():
        want = [r[:5] for r in expected if r[5] == host]
        assert sorted(lines) == sorted([[v or "" for v in r] for r in want])
    # The metadata still lists the partition column.
    metadata = json.loads(backend.read_url(metadata_url))
    assert metadata["ColumnInfo"][-1]["Name"] == "host"


def test_a_missing_bucket_is_a_validation_error(backend, tsl):
    query = tsl.query(backend.url)
    with pytest.raises(query.exceptions.ValidationException) as e:
        query.query(QueryString=f"UNLOAD ({SELECT}) TO 's3://no-such-bucket-here/x'")
    assert "no-such-bucket-here" in str(e.value)


def test_awswrangler_unload_round_trips(moto_backend, tsl, monkeypatch):
    import awswrangler as wr

    backend = moto_backend
    populate(tsl, backend)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setattr(wr.config, "s3_endpoint_url", backend.moto_url)
    monkeypatch.setattr(wr.config, "timestream_query_endpoint_url", backend.url)
    monkeypatch.setattr(wr.config, "timestream_write_endpoint_url", backend.url)
    sql = f'SELECT host, cpu, count FROM "{DB}"."{TABLE}"'
    expected = wr.timestream.query(sql).sort_values(["count"]).reset_index(drop=True)
    assert len(expected) == ROWS
    for fmt in ["PARQUET", "CSV"]:
        df = wr.timestream.unload(sql=sql, path=f"s3://{BUCKET}/wr-{fmt}/", unload_format=fmt)
        df = df.sort_values(["count"]).reset_index(drop=True)
        assert list(df.columns) == ["host", "cpu", "count"]
        assert df["count"].astype(int).tolist() == expected["count"].astype(int).tolist()
        assert df["cpu"].astype(float).tolist() == expected["cpu"].astype(float).tolist()
        assert df["host"].astype(str).tolist() == expected["host"].astype(str).tolist()
    # Partitioned Parquet: awswrangler reads the partition column back from the folders.
    df = wr.timestream.unload(sql=sql, path=f"s3://{BUCKET}/wr-part/", partition_cols=["count"])
    assert sorted(df["count"].astype(int).tolist()) == list(range(ROWS))
