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
