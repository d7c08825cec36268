"""Time-series queries through boto3: the walkthrough's interpolation step and queries 4-12 of
AWS's Python sample application (awslabs/amazon-timestream-tools,
sample_apps/python/live_analytics/basic_example/QueryExample.py), verbatim but for the database
and table names, over data written here, against values computed here independently (plain
Python: bins, linear / LOCF / constant fill, a natural cubic spline, filter and reduce).

The engine clock is frozen on a whole minute, so `ago(2h)` and the sample points are exact.
"""

import datetime as dt
import json
from decimal import ROUND_HALF_UP, Decimal

import pytest

NS_PER_S = 1_000_000_000
DATABASE_NAME = "devops"
TABLE_NAME = "host_metrics"
HOSTNAME = "host-24Gju"

# (seconds before now, cpu) of host-24Gju: one sample per 30 s bin, bins missing in between so
# that gap filling has work to do; values are multiples of 4, so every quarter-step linear
# value is exact and ROUND(…, 2) never meets a tie.
SAMPLES = [(3600, 40), (3570, 48), (3510, 72), (3480, 80), (3390, 64), (3360, 60), (3300, 76),
           (3270, 92), (3240, 20)]
# A second host for the fleet-wide LOCF query (8).
OTHER = [(3600, 12), (3540, 16), (3500, 4)]


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


@pytest.fixture
def now_ns(tsl, endpoint, monkeypatch, write):
    """Engine clock frozen on a whole minute; the sample data written."""
    import botocore.auth

    c = Clock(tsl, endpoint)
    c.set(offset_ns=0)
    now = c.now_ns() // (60 * NS_PER_S) * 60 * NS_PER_S
    c.set(at_ns=now)
    monkeypatch.setattr(
        botocore.auth, "get_current_datetime",
        lambda: dt.datetime.fromtimestamp(now / NS_PER_S, tz=dt.timezone.utc).replace(tzinfo=None))
    write.create_database(DatabaseName=DATABASE_NAME)
    write.create_table(DatabaseName=DATABASE_NAME, TableName=TABLE_NAME,
                       RetentionProperties={"MemoryStoreRetentionPeriodInHours": 24,
                                            "MagneticStoreRetentionPeriodInDays": 7})
    records = []
    for host, samples in ((HOSTNAME, SAMPLES), ("host-other", OTHER)):
        for ago, cpu in samples:
            records.append({
                "Dimensions": [{"Name": "region", "Value": "us-east-1"},
                               {"Name": "az", "Value": "us-east-1a"},
                               {"Name": "hostname", "Value": host}],
                "MeasureName": "cpu_utilization", "MeasureValueType": "DOUBLE",
                "MeasureValue": str(float(cpu)), "Time": str(now - ago * NS_PER_S),
                "TimeUnit": "NANOSECONDS"})
    write.write_records(DatabaseName=DATABASE_NAME, TableName=TABLE_NAME, Records=records)
    yield now
    c.set(offset_ns=0)


def rows(query, sql):
    pages = list(query.get_paginator("query").paginate(QueryString=sql))
    return [[d for d in r["Data"]] for p in pages for r in p["Rows"]], pages[0]["ColumnInfo"]


def ts(now, ago):
    t = dt.datetime.fromtimestamp((now - ago * NS_PER_S) / NS_PER_S, tz=dt.timezone.utc)
    return t.strftime("%Y-%m-%d %H:%M:%S.000000000")


def round2(x):
    return float(Decimal(repr(x)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


# --------------------------------------------------------------------------
# independent references
# --------------------------------------------------------------------------


def grid(samples, step):
    """SEQUENCE(min, max, step) over sample times, as seconds-ago values (descending)."""
    first, last = samples[0][0], samples[-1][0]
    return list(range(first, last - 1, -step))


def linear(samples, at):
    for (a0, v0), (a1, v1) in zip(samples, samples[1:]):
        if a1 <= at <= a0:
            return v0 if at == a0 else v0 + (v1 - v0) * (a0 - at) / (a0 - a1)
    raise AssertionError(at)


def locf(samples, at):
    return [v for a, v in samples if a >= at][-1]


def fill(samples, at, constant):
    return dict(samples).get(at, constant)


def spline(samples, at):
    """Natural cubic spline through the samples (time in seconds from the first)."""
    x = [samples[0][0] - a for a, _ in samples]
    y = [float(v) for _, v in samples]
    n = len(x)
    h = [x[i + 1] - x[i] for i in range(n - 1)]
    # Solve for the second derivatives m (m[0] = m[n-1] = 0), tridiagonal.
    a, b, c, d = [0.0] * n, [1.0] * n, [0.0] * n, [0.0] * n
    for i in range(1, n - 1):
        a[i], b[i], c[i] = h[i - 1], 2 * (h[i - 1] + h[i]), h[i]
        d[i] = 6 * ((y[i + 1] - y[i]) / h[i] - (y[i] - y[i - 1]) / h[i - 1])
    for i in range(1, n):
        w = a[i] / b[i - 1]
        b[i] -= w * c[i - 1]
        d[i] -= w * d[i - 1]
    m = [0.0] * n
    for i in range(n - 2, 0, -1):
        m[i] = (d[i] - c[i] * m[i + 1]) / b[i]
    t = samples[0][0] - at
    for i in range(n - 1):
        if x[i] <= t <= x[i + 1]:
            u, v = x[i + 1] - t, t - x[i]
            return (m[i] * u ** 3 / (6 * h[i]) + m[i + 1] * v ** 3 / (6 * h[i])
                    + (y[i] / h[i] - m[i] * h[i] / 6) * u + (y[i + 1] / h[i] - m[i + 1] * h[i] / 6) * v)
    raise AssertionError(at)


def scalars(result):
    return [[d.get("ScalarValue", "NULL") for d in r] for r in result]


# --------------------------------------------------------------------------
# the queries
# --------------------------------------------------------------------------

BINNED = (
    "WITH binned_timeseries AS ( "
    "    SELECT hostname, BIN(time, 30s) AS binned_timestamp, ROUND(AVG(measure_value::double), 2) AS avg_cpu_utilization "
    "    FROM " + DATABASE_NAME + "." + TABLE_NAME + " "
    "    WHERE measure_name = 'cpu_utilization' "
    "       AND hostname = '" + HOSTNAME + "' "
    "        AND time > ago(2h) "
    "    GROUP BY hostname, BIN(time, 30s) "
    "), interpolated_timeseries AS ( "
    "    SELECT hostname, "
    "        {function}( "
    "            CREATE_TIME_SERIES(binned_timestamp, avg_cpu_utilization), "
    "                SEQUENCE(min(binned_timestamp), max(binned_timestamp), 15s){extra}) AS interpolated_avg_cpu_utilization "
    "    FROM binned_timeseries "
    "    GROUP BY hostname "
    ") "
    "SELECT time, ROUND(value, 2) AS interpolated_cpu "
    "FROM interpolated_timeseries "
    "CROSS JOIN UNNEST(interpolated_avg_cpu_utilization)"
)


@pytest.mark.parametrize("function,extra,reference", [
    ("INTERPOLATE_LINEAR", "", linear),                                    # QUERY_4
    ("INTERPOLATE_LOCF", "", locf),                                        # QUERY_5
    ("INTERPOLATE_FILL", ", 10.0", lambda s, at: fill(s, at, 10.0)),      # QUERY_6
])
def test_sample_app_gap_filling(query, now_ns, function, extra, reference):
    result, columns = rows(query, BINNED.format(function=function, extra=extra))
    assert [c["Name"] for c in columns] == ["time", "interpolated_cpu"]
    assert columns[0]["Type"] == {"ScalarType": "TIMESTAMP"}
    expected = [[ts(now_ns, at), repr(round2(float(reference(SAMPLES, at))))]
                for at in grid(SAMPLES, 15)]
    assert scalars(result) == expected


def test_sample_app_spline(query, now_ns):                                 # QUERY_7
    result, _ = rows(query, BINNED.format(function="INTERPOLATE_SPLINE_CUBIC", extra=""))
    got = scalars(result)
    assert [g[0] for g in got] == [ts(now_ns, at) for at in grid(SAMPLES, 15)]
    for (_, value), at in zip(got, grid(SAMPLES, 15)):
        assert abs(float(value) - spline(SAMPLES, at)) <= 0.0051, (at, value, spline(SAMPLES, at))
    # The samples themselves are kept exactly.
    assert [float(got[i][1]) for i in (0, 2, 6)] == [40.0, 48.0, 72.0]


def test_sample_app_fleet_locf(query, now_ns):                             # QUERY_8
    sql = (
        "WITH per_host_min_max_timestamp AS ( "
        "    SELECT hostname, min(time) as min_timestamp, max(time) as max_timestamp "
        "    FROM " + DATABASE_NAME + "." + TABLE_NAME + " "
        "    WHERE measure_name = 'cpu_utilization' "
        "        AND time > ago(2h) "
        "    GROUP BY hostname "
        "), interpolated_timeseries AS ( "
        "    SELECT m.hostname, "
        "        INTERPOLATE_LOCF( "
        "            CREATE_TIME_SERIES(time, measure_value::double), "
        "                SEQUENCE(MIN(ph.min_timestamp), MAX(ph.max_timestamp), 1s)) as interpolated_avg_cpu_utilization "
        "    FROM " + DATABASE_NAME + "." + TABLE_NAME + " m "
        "        INNER JOIN per_host_min_max_timestamp ph ON m.hostname = ph.hostname "
        "    WHERE measure_name = 'cpu_utilization' "
        "        AND time > ago(2h) "
        "    GROUP BY m.hostname "
        ") "
        "SELECT hostname, AVG(cpu_utilization) AS avg_cpu_utilization "
        "FROM interpolated_timeseries "
        "CROSS JOIN UNNEST(interpolated_avg_cpu_utilization) AS t (time, cpu_utilization) "
        "GROUP BY hostname "
        "ORDER BY avg_cpu_utilization DESC"
    )
    result, _ = rows(query, sql)
    expected = []
    for host, samples in ((HOSTNAME, SAMPLES), ("host-other", OTHER)):
        values = [locf(samples, at) for at in grid(samples, 1)]
        expected.append((host, sum(values) / len(values)))
    expected.sort(key=lambda e: -e[1])
    got = [(r[0]["ScalarValue"], float(r[1]["ScalarValue"])) for r in result]
    assert [g[0] for g in got] == [e[0] for e in expected]
    for (_, g), (_, e) in zip(got, expected):
        assert abs(g - e) < 1e-9


def time_series_view(select_extra=""):
    return (
        "WITH time_series_view AS ( "
        "    SELECT " + select_extra + "INTERPOLATE_LINEAR( "
        "        CREATE_TIME_SERIES(time, ROUND(measure_value::double,2)), "
        "        SEQUENCE(min(time), max(time), 10s)) AS cpu_utilization "
        "    FROM " + DATABASE_NAME + "." + TABLE_NAME + " "
        "    WHERE hostname = '" + HOSTNAME + "' "
        "        AND  "
        "measure_name = 'cpu_utilization' "
        "        AND time > ago(2h) "
        "    GROUP BY hostname "
        ") "
    )


def interpolated_10s():
    return [(at, linear(SAMPLES, at)) for at in grid(SAMPLES, 10)]


def test_sample_app_filter_and_reduce(query, now_ns):                      # QUERY_9
    sql = time_series_view() + (
        "SELECT FILTER(cpu_utilization, x -> x.value > 70.0) AS cpu_above_threshold, "
        "    REDUCE(FILTER(cpu_utilization, x -> x.value > 70.0), 0, (s, x) -> s + 1, s -> s) AS count_cpu_above_threshold, "
        "    ROUND(REDUCE(cpu_utilization, CAST(ROW(0, 0) AS ROW(count_high BIGINT, count_total BIGINT)), "
        "        (s, x) -> CAST(ROW(s.count_high + IF(x.value > 70.0, 1, 0), s.count_total + 1) AS ROW(count_high BIGINT, count_total BIGINT)), "
        "        s -> IF(s.count_total = 0, NULL, CAST(s.count_high AS DOUBLE) / s.count_total)), 4) AS fraction_cpu_above_threshold "
        "FROM time_series_view"
    )
    [[above, count, fraction]], columns = rows(query, sql)
    points = interpolated_10s()
    high = [(at, v) for at, v in points if v > 70.0]
    assert "TimeSeriesMeasureValueColumnInfo" in columns[0]["Type"]
    assert [(p["Time"], float(p["Value"]["ScalarValue"])) for p in above["TimeSeriesValue"]] == [
        (ts(now_ns, at), v) for at, v in high]
    assert int(count["ScalarValue"]) == len(high)
    expected = Decimal(repr(len(high) / len(points))).quantize(Decimal("0.0001"), ROUND_HALF_UP)
    assert float(fraction["ScalarValue"]) == float(expected)


def test_sample_app_filter_with_time(query, now_ns):                       # QUERY_10
    sql = (
        "WITH time_series_view AS ( "
        "    SELECT min(time) AS oldest_time, INTERPOLATE_LINEAR( "
        "        CREATE_TIME_SERIES(time, ROUND(measure_value::double, 2)), "
        "        SEQUENCE(min(time), max(time), 10s)) AS cpu_utilization "
        "    FROM " + DATABASE_NAME + "." + TABLE_NAME + " "
        "    WHERE  "
        " hostname = '" + HOSTNAME + "' "
        "        AND  "
        "measure_name = 'cpu_utilization' "
        "        AND time > ago(2h) "
        "    GROUP BY hostname "
        ") "
        "SELECT FILTER(cpu_utilization, x -> x.value < 75 AND x.time > oldest_time + 1m) "
        "FROM time_series_view"
    )
    [[kept]], _ = rows(query, sql)
    first = SAMPLES[0][0]
    expected = [(ts(now_ns, at), v) for at, v in interpolated_10s() if v < 75 and at < first - 60]
    assert [(p["Time"], float(p["Value"]["ScalarValue"])) for p in kept["TimeSeriesValue"]] == expected


def test_sample_app_reduce_count_and_average(query, now_ns):              # QUERY_11, QUERY_12
    count_sql = time_series_view() + (
        "SELECT REDUCE(cpu_utilization, "
        "    DOUBLE '0.0', "
        "    (s, x) -> s + 1, "
        "    s -> s) AS count_cpu "
        "FROM time_series_view"
    )
    [[count]], _ = rows(query, count_sql)
    points = interpolated_10s()
    assert float(count["ScalarValue"]) == float(len(points))
    avg_sql = time_series_view() + (
        "SELECT REDUCE(cpu_utilization, "
        "    CAST(ROW(0.0, 0) AS ROW(sum DOUBLE, count INTEGER)), "
        "    (s, x) -> CAST(ROW(x.value + s.sum, s.count + 1) AS ROW(sum DOUBLE, count INTEGER)), "
        "     s -> IF(s.count = 0, NULL, s.sum / s.count)) AS avg_cpu "
        "FROM time_series_view"
    )
    [[avg]], _ = rows(query, avg_sql)
    assert abs(float(avg["ScalarValue"]) - sum(v for _, v in points) / len(points)) < 1e-9


def test_walkthrough_interpolation(query, tsl, endpoint, now_ns, write):
    """The walkthrough's step: INTERPOLATE_LINEAR over SEQUENCE(ago(1h), now(), 1m)."""
    write.create_database(DatabaseName="monitoring")
    write.create_table(DatabaseName="monitoring", TableName="server_metrics",
                       RetentionProperties={"MemoryStoreRetentionPeriodInHours": 24,
                                            "MagneticStoreRetentionPeriodInDays": 365})
    samples = [(3540, 10.0), (1800, 40.0), (600, 16.0)]
    write.write_records(DatabaseName="monitoring", TableName="server_metrics", Records=[
        {"Dimensions": [{"Name": "hostname", "Value": "web-server-01"}],
         "MeasureName": "cpu_usage", "MeasureValueType": "DOUBLE", "MeasureValue": str(v),
         "Time": str(now_ns - ago * NS_PER_S), "TimeUnit": "NANOSECONDS"} for ago, v in samples])
    sql = """SELECT hostname,
       INTERPOLATE_LINEAR(
         CREATE_TIME_SERIES(time, measure_value::double),
         SEQUENCE(ago(1h), now(), 1m)
       ) AS interpolated_cpu
FROM monitoring.server_metrics
WHERE measure_name = 'cpu_usage'
  AND time > ago(1h)
GROUP BY hostname"""
    [[host, series]], columns = rows(query, sql)
    prepared = query.prepare_query(QueryString=sql, ValidateOnly=True)["Columns"]
    assert [(c["Name"], c["Type"]) for c in prepared] == [
        ("hostname", {"ScalarType": "VARCHAR"}),
        ("interpolated_cpu", {"TimeSeriesMeasureValueColumnInfo": {"Type": {"ScalarType": "DOUBLE"}}}),
    ]
    assert host["ScalarValue"] == "web-server-01"
    assert columns[1] == {"Name": "interpolated_cpu",
                          "Type": {"TimeSeriesMeasureValueColumnInfo": {
                              "Type": {"ScalarType": "DOUBLE"}}}}
    # Requested minutes inside [first sample, last sample] get values; the ends are not
    # extrapolated.
    expected = [(ts(now_ns, at), linear(samples, at)) for at in range(3600, -1, -60)
                if samples[-1][0] <= at <= samples[0][0]]
    got = [(p["Time"], float(p["Value"]["ScalarValue"])) for p in series["TimeSeriesValue"]]
    assert [g[0] for g in got] == [e[0] for e in expected]
    for (_, g), (_, e) in zip(got, expected):
        assert abs(g - e) < 1e-9
