"""Query through boto3, as the walkthrough uses it: the paginator, AWS's ColumnInfo/Datum shapes,
and the walkthrough's queries over data written with WriteRecords."""
import time

import botocore.exceptions
import pytest

DIMS = lambda host: [  # noqa: E731
    {"Name": "hostname", "Value": host},
    {"Name": "region", "Value": "us-east-1"},
    {"Name": "service", "Value": "api"},
]


def run_query(query, query_string, **kwargs):
    """The walkthrough's helper, verbatim but for returning the pages too."""
    paginator = query.get_paginator("query")
    pages = list(paginator.paginate(QueryString=query_string, **kwargs))
    rows = []
    for page in pages:
        for row in page["Rows"]:
            rows.append([col.get("ScalarValue", "NULL") for col in row["Data"]])
    return rows, pages


@pytest.fixture
def metrics(write):
    write.create_database(DatabaseName="monitoring")
    write.create_table(
        DatabaseName="monitoring",
        TableName="server_metrics",
        RetentionProperties={"MemoryStoreRetentionPeriodInHours": 24, "MagneticStoreRetentionPeriodInDays": 365},
    )
    now_ms = int(time.time() * 1000)
    records = []
    for minute in range(20):
        t = str(now_ms - minute * 60_000)
        records.append({"Dimensions": DIMS("web-server-01"), "MeasureName": "cpu_usage",
                        "MeasureValue": f"{50 + minute}.5", "MeasureValueType": "DOUBLE", "Time": t})
        hot = "95.0" if minute < 5 else "40.0"
        records.append({"Dimensions": DIMS("web-server-02"), "MeasureName": "cpu_usage",
                        "MeasureValue": hot, "MeasureValueType": "DOUBLE", "Time": t})
    write.write_records(DatabaseName="monitoring", TableName="server_metrics", Records=records)
    write.write_records(DatabaseName="monitoring", TableName="server_metrics", Records=[{
        "Dimensions": DIMS("web-server-01"), "MeasureName": "server_health", "MeasureValueType": "MULTI",
        "MeasureValues": [{"Name": "cpu_usage", "Value": "72.5", "Type": "DOUBLE"},
                          {"Name": "memory_usage_mb", "Value": "3421", "Type": "BIGINT"}],
        "Time": str(now_ms)}])
    return now_ms


def test_latest_cpu_per_server(query, metrics):
    rows, pages = run_query(query, """
        SELECT hostname, measure_value::double AS cpu_usage, time
        FROM monitoring.server_metrics
        WHERE measure_name = 'cpu_usage' AND time > ago(1h)
        ORDER BY time DESC""")
    assert len(rows) == 40
    columns = pages[0]["ColumnInfo"]
    assert columns == [
        {"Name": "hostname", "Type": {"ScalarType": "VARCHAR"}},
        {"Name": "cpu_usage", "Type": {"ScalarType": "DOUBLE"}},
        {"Name": "time", "Type": {"ScalarType": "TIMESTAMP"}},
    ]
    assert rows[0][2].endswith("000000") and len(rows[0][2]) == len("2026-01-01 00:00:00.000000000")
    assert pages[0]["QueryId"].isalnum()
    assert pages[0]["QueryStatus"]["ProgressPercentage"] == 100.0


def test_five_minute_buckets(query, metrics):
    rows, _ = run_query(query, """
        SELECT hostname, bin(time, 5m) AS five_min_bucket,
               AVG(measure_value::double) AS avg_cpu, MAX(measure_value::double) AS max_cpu
        FROM monitoring.server_metrics
        WHERE measure_name = 'cpu_usage' AND time > ago(1h)
        GROUP BY hostname, bin(time, 5m)
        ORDER BY five_min_bucket DESC""")
    assert {r[0] for r in rows} == {"web-server-01", "web-server-02"}
    buckets = [r[1] for r in rows]
    assert buckets == sorted(buckets, reverse=True)
    assert all(b[14:16] in {"00", "05", "10", "15", "20", "25", "30", "35", "40", "45", "50", "55"} and b[17:] == "00.000000000" for b in buckets)
    assert all(float(r[3]) >= float(r[2]) for r in rows)


def test_hot_servers(query, metrics):
    rows, _ = run_query(query, """
        SELECT DISTINCT hostname FROM monitoring.server_metrics
        WHERE measure_name = 'cpu_usage' AND measure_value::double > 90.0 AND time > ago(15m)""")
    assert rows == [["web-server-02"]]


def test_lag_window(query, metrics):
    rows, _ = run_query(query, """
        SELECT hostname, time, measure_value::double AS current_value,
               measure_value::double - LAG(measure_value::double) OVER (PARTITION BY hostname ORDER BY time) AS change_from_previous
        FROM monitoring.server_metrics
        WHERE measure_name = 'cpu_usage' AND time > ago(1h)
        ORDER BY hostname, time""")
    assert rows[0][3] == "NULL"
    assert rows[1][3] == "-1.0"


def test_select_star_and_nulls(query, metrics):
    _, pages = run_query(query, "SELECT * FROM monitoring.server_metrics WHERE measure_name = 'server_health'")
    page = pages[0]
    assert [c["Name"] for c in page["ColumnInfo"]] == [
        "hostname", "region", "service", "measure_name", "time", "measure_value::double", "cpu_usage", "memory_usage_mb"]
    data = page["Rows"][0]["Data"]
    assert data[5] == {"NullValue": True}
    assert data[6] == {"ScalarValue": "72.5"}
    assert data[7] == {"ScalarValue": "3421"}


def test_paginator_with_max_rows(query, metrics):
    rows, pages = run_query(query, "SELECT time FROM monitoring.server_metrics WHERE measure_name = 'cpu_usage'", MaxRows=7)
    assert len(rows) == 40
    assert len(pages) == 6
    assert all(len(p["Rows"]) <= 7 for p in pages)
    assert "NextToken" not in pages[-1]
    assert all("ColumnInfo" in p for p in pages)


def test_empty_table_returns_columns_and_no_rows(query, write, metrics):
    write.create_table(DatabaseName="monitoring", TableName="empty")
    rows, pages = run_query(query, "SELECT * FROM monitoring.empty")
    assert rows == []
    assert [c["Name"] for c in pages[0]["ColumnInfo"]] == ["measure_name", "time"]


def test_errors(query, metrics):
    with pytest.raises(botocore.exceptions.ClientError) as e:
        query.query(QueryString='SELECT * FROM "abc"."sampleDB" LIMIT 10')
    assert e.value.response["Error"]["Code"] == "ValidationException"
    assert e.value.response["Error"]["Message"] == "Requested database 'abc' not found for identifier 'abc.sampleDB' at line 1:16"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        query.query(QueryString="SELECT vehicleName FROM monitoring.server_metrics")
    assert e.value.response["Error"]["Message"] == "line 1:8: Column 'vehicleName' does not exist"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        query.query(QueryString="SELECT 1 / 0")
    assert e.value.response["Error"]["Code"] == "QueryExecutionException"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        query.query(QueryString="SELECT time FROM monitoring.server_metrics", NextToken="forged-token-value")
    assert e.value.response["Error"]["Message"] == "Invalid pagination token"


# ------------------------------------------------------------ metadata statements

def test_show_and_describe(query, metrics):
    rows, pages = run_query(query, "SHOW DATABASES")
    assert rows == [["monitoring"]]
    assert pages[0]["ColumnInfo"] == [{"Name": "Database", "Type": {"ScalarType": "VARCHAR"}}]
    assert pages[0]["QueryStatus"]["CumulativeBytesMetered"] == 0
    rows, pages = run_query(query, 'SHOW TABLES FROM "monitoring" LIKE \'server%\'')
    assert rows == [["server_metrics"]]
    assert pages[0]["ColumnInfo"] == [{"Name": "Table", "Type": {"ScalarType": "VARCHAR"}}]
    _, pages = run_query(query, "DESCRIBE monitoring.server_metrics")
    assert [c["Name"] for c in pages[0]["ColumnInfo"]] == ["Column", "Type", "Timestream attribute type"]
    described = [[d["ScalarValue"] for d in r["Data"]] for r in pages[0]["Rows"]]
    assert described == [
        ["hostname", "varchar", "DIMENSION"], ["region", "varchar", "DIMENSION"],
        ["service", "varchar", "DIMENSION"], ["measure_name", "varchar", "MEASURE_NAME"],
        ["time", "timestamp", "TIMESTAMP"], ["measure_value::double", "double", "MEASURE_VALUE"],
        ["cpu_usage", "double", "MULTI"], ["memory_usage_mb", "bigint", "MULTI"]]


def test_show_measures_shapes_as_recorded(query, metrics):
    _, pages = run_query(query, "SHOW MEASURES FROM monitoring.server_metrics")
    page = pages[0]
    # The ColumnInfo of grafana's recorded show-measures.json.
    assert page["ColumnInfo"] == [
        {"Name": "measure_name", "Type": {"ScalarType": "VARCHAR"}},
        {"Name": "data_type", "Type": {"ScalarType": "VARCHAR"}},
        {"Name": "dimensions", "Type": {"ArrayColumnInfo": {"Type": {"RowColumnInfo": [
            {"Name": "dimension_name", "Type": {"ScalarType": "VARCHAR"}},
            {"Name": "data_type", "Type": {"ScalarType": "VARCHAR"}}]}}}},
    ]
    first = page["Rows"][0]["Data"]
    assert first[0] == {"ScalarValue": "cpu_usage"}
    assert first[1] == {"ScalarValue": "double"}
    assert first[2]["ArrayValue"][0] == {"RowValue": {"Data": [
        {"ScalarValue": "hostname"}, {"ScalarValue": "varchar"}]}}
    assert page["Rows"][1]["Data"][:2] == [{"ScalarValue": "server_health"}, {"ScalarValue": "multi"}]


# ------------------------------------------------------------ PrepareQuery, CancelQuery, tokens

def test_prepare_query_describes_columns(query, metrics):
    out = query.prepare_query(QueryString="""
        SELECT hostname, measure_value::double AS cpu, 1 AS one, avg(measure_value::double)
        FROM monitoring.server_metrics GROUP BY hostname, measure_value::double""", ValidateOnly=True)
    assert out["Parameters"] == []
    assert out["Columns"] == [
        {"Name": "hostname", "Type": {"ScalarType": "VARCHAR"}, "DatabaseName": "monitoring",
         "TableName": "server_metrics", "Aliased": False},
        {"Name": "cpu", "Type": {"ScalarType": "DOUBLE"}, "DatabaseName": "monitoring",
         "TableName": "server_metrics", "Aliased": True},
        {"Name": "one", "Type": {"ScalarType": "INTEGER"}, "Aliased": True},
        {"Name": "_col3", "Type": {"ScalarType": "DOUBLE"}, "Aliased": False},
    ]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        query.prepare_query(QueryString="SELECT nope FROM monitoring.server_metrics", ValidateOnly=True)
    assert e.value.response["Error"]["Message"] == "line 1:8: Column 'nope' does not exist"


def test_prepare_query_reports_scheduled_runtime_parameter(query, metrics):
    sql = """SELECT hostname, max(measure_value::double) AS peak FROM monitoring.server_metrics
             WHERE time BETWEEN @scheduled_runtime - 1h AND @scheduled_runtime GROUP BY hostname"""
    out = query.prepare_query(QueryString=sql, ValidateOnly=True)
    assert out["Parameters"] == [{"Name": "@scheduled_runtime", "Type": {"ScalarType": "TIMESTAMP"}}]
    assert [c["Name"] for c in out["Columns"]] == ["hostname", "peak"]
    # A plain Query has nothing to bind it to; `?` is not Timestream SQL; other names are unknown.
    for text, message in [
        (sql, "line 2:33: @scheduled_runtime is bound only when a scheduled query runs"),
        ("SELECT ? + 1", "line 1:8: Incorrect number of parameters: expected 1 but found 0"),
        ("SELECT @limit", "line 1:8: Unknown parameter @limit: the only query parameter is @scheduled_runtime"),
    ]:
        with pytest.raises(botocore.exceptions.ClientError) as e:
            query.query(QueryString=text)
        assert e.value.response["Error"]["Code"] == "ValidationException"
        assert e.value.response["Error"]["Message"] == message


def test_deeply_nested_statements_are_refused_not_fatal(query):
    """Expressions nest as deep as the query text allows; the server answers every one (a result
    or Trino's "statement is too large") and stays up: it used to overflow its stack."""
    too_large = "line 1:1: statement is too large (stack overflow while parsing)"
    fine = {
        "SELECT " + "+".join(["1"] * 200): "200",
        "SELECT " + "(" * 500 + "7" + ")" * 500: "7",
        "SELECT 1 WHERE " + " OR ".join(["1 = 2"] * 999 + ["1 = 1"]): "1",
        "SELECT cardinality(" + "ARRAY[" * 99 + "1" + "]" * 99 + ")": "1",
    }
    for sql, value in fine.items():
        assert query.query(QueryString=sql)["Rows"] == [{"Data": [{"ScalarValue": value}]}]
    for sql in [
        "SELECT " + "+".join(["1"] * 100_000),
        "SELECT " + "abs(" * 201 + "1" + ")" * 201,
        "SELECT " + "(" * 5000 + "1" + ")" * 5000,
        "SELECT 1 WHERE " + " AND ".join(["true"] * 5000),
        # Planning cost grows with the cube of ARRAY nesting and the square of set operations
        # (issue 17: depth 600 took 45 s, 3 000 UNION ALL 12 s).
        "SELECT " + "ARRAY[" * 101 + "1" + "]" * 101,
        " UNION ALL ".join(["SELECT 1"] * 1002),
    ]:
        with pytest.raises(botocore.exceptions.ClientError) as e:
            query.query(QueryString=sql)
        assert e.value.response["Error"]["Code"] == "ValidationException"
        assert e.value.response["Error"]["Message"] == too_large
    assert query.query(QueryString="SELECT 1")["Rows"] == [{"Data": [{"ScalarValue": "1"}]}]


def test_sql_cannot_touch_the_servers_files(query, metrics, tmp_path):
    """Timestream SQL is read-only: DataFusion's COPY / CREATE EXTERNAL TABLE / SET never run
    (they used to write files as the server's user), and the store is intact afterwards."""
    victim = tmp_path / "victim.csv"
    victim.write_text("precious\n")
    for sql in [
        f"COPY (SELECT 1) TO '{victim}'",
        f"COPY monitoring.server_metrics TO '{tmp_path}/dump.json' STORED AS JSON",
        f"COPY (SELECT 1) TO '{tmp_path}/dir/' STORED AS CSV",
        f"CREATE EXTERNAL TABLE e STORED AS CSV LOCATION '{victim}'",
        "SET datafusion.execution.batch_size = 1",
    ]:
        for call in (lambda: query.query(QueryString=sql),
                     lambda: query.prepare_query(QueryString=sql, ValidateOnly=True)):
            with pytest.raises(botocore.exceptions.ClientError) as e:
                call()
            assert e.value.response["Error"]["Code"] == "ValidationException"
            assert "mismatched input" in e.value.response["Error"]["Message"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["victim.csv"]
    assert victim.read_text() == "precious\n"
    rows = query.query(QueryString="SELECT count(*) FROM monitoring.server_metrics")["Rows"]
    assert rows == [{"Data": [{"ScalarValue": "41"}]}]


def test_cancel_a_paged_query(query, metrics):
    first = query.query(QueryString="SELECT time FROM monitoring.server_metrics", MaxRows=5)
    assert "NextToken" in first
    out = query.cancel_query(QueryId=first["QueryId"])
    assert "CancellationMessage" not in out
    again = query.cancel_query(QueryId=first["QueryId"])
    assert first["QueryId"] in again["CancellationMessage"]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        query.query(QueryString="SELECT time FROM monitoring.server_metrics", NextToken=first["NextToken"])
    assert e.value.response["Error"]["Code"] == "ConflictException"
    assert e.value.response["Error"]["Message"] == "Unable to poll results for a cancelled query"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        query.cancel_query(QueryId="NEVERISSUED")
    assert e.value.response["Error"]["Code"] == "ValidationException"


def test_cancel_a_running_query(query, tsl, endpoint):
    """CancelQuery reaches a query still running: its Query call answers the cancellation at
    once, and the work stops. A Query call answers only when its query is done, so the running
    query's id comes from the admin API's list (found by the call's ClientToken)."""
    import concurrent.futures

    endless = ("SELECT count(*) FROM UNNEST(sequence(1, 10000)) AS a(x) "
               "CROSS JOIN UNNEST(sequence(1, 10000)) AS b(y) "
               "CROSS JOIN UNNEST(sequence(1, 10000)) AS c(z)")
    token = "cancel-me-" + "x" * 30
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        running = pool.submit(query.query, QueryString=endless, ClientToken=token)
        deadline = time.monotonic() + 10
        mine = []
        while not mine and time.monotonic() < deadline:
            listed = tsl.http("GET", f"{endpoint}/_timestream_local/queries").json["queries"]
            mine = [q for q in listed if q.get("client_token") == token]
            time.sleep(0.05)
        [q] = mine
        assert q["query_string"] == endless and q["region"] == "us-east-1"
        cancelled_at = time.monotonic()
        assert "CancellationMessage" not in query.cancel_query(QueryId=q["query_id"])
        with pytest.raises(botocore.exceptions.ClientError) as e:
            running.result(timeout=10)
        assert time.monotonic() - cancelled_at < 5
    assert e.value.response["Error"]["Code"] == "QueryExecutionException"
    assert q["query_id"] in e.value.response["Error"]["Message"]
    assert tsl.http("GET", f"{endpoint}/_timestream_local/queries").json["queries"] == []
    again = query.cancel_query(QueryId=q["query_id"])
    assert q["query_id"] in again["CancellationMessage"]


def test_client_token_makes_query_idempotent(query, metrics):
    token = "a" * 32
    first = query.query(QueryString="SELECT count(*) FROM monitoring.server_metrics", ClientToken=token)
    second = query.query(QueryString="SELECT count(*) FROM monitoring.server_metrics", ClientToken=token)
    assert second["QueryId"] == first["QueryId"]
    assert second["Rows"] == first["Rows"] == [{"Data": [{"ScalarValue": "41"}]}]
    other = query.query(QueryString="SELECT count(*) FROM monitoring.server_metrics", ClientToken="b" * 32)
    assert other["QueryId"] != first["QueryId"]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        query.query(QueryString="SELECT 1", ClientToken=token)
    assert e.value.response["Error"]["Code"] == "ValidationException"


def test_query_insights_when_asked(query, metrics):
    plain = query.query(QueryString="SELECT * FROM monitoring.server_metrics WHERE time > ago(10m)")
    assert "QueryInsightsResponse" not in plain
    out = query.query(QueryString="SELECT * FROM monitoring.server_metrics WHERE time > ago(10m)",
                      QueryInsights={"Mode": "ENABLED_WITH_RATE_CONTROL"})
    insights = out["QueryInsightsResponse"]
    assert insights["QueryTableCount"] == 1
    assert insights["OutputRows"] == len(out["Rows"]) > 0
    assert insights["OutputBytes"] > 0
    temporal = insights["QueryTemporalRange"]["Max"]
    assert temporal["TableArn"].endswith(":database/monitoring/table/server_metrics")
    assert 0 < temporal["Value"] <= 10 * 60 * 10**9
    assert insights["QuerySpatialCoverage"]["Max"]["Value"] == 1.0
    assert out["QueryStatus"]["CumulativeBytesScanned"] > 0
