"""WriteRecords (wire-protocol.md §5.1 limits, §5.3 retention changes, §5.4) through boto3.

Records are read back through the admin API (`GET /_timestream_local/records`), and the engine
clock is moved through `POST /_timestream_local/clock`. Reset does not restore the clock, so every
test that touches it uses the ``clock`` fixture, which puts it back (offset 0, running) afterwards.
"""

import json
import re
import threading
import urllib.parse

import pytest

NS_PER_MS = 1_000_000
NS_PER_S = 1_000_000_000
MS_PER_MIN = 60_000
MS_PER_H = 3_600_000
MS_PER_DAY = 86_400_000

REJECTED_MESSAGE = "One or more records have been rejected. See RejectedRecords for details."
SAME_VERSION = (
    "A record already exists with the same time, dimensions, measure name, and record version. "
    "A higher record version must be specified in order to update the measure value. "
    "Specifying record version is supported by the latest SDKs."
)
UNIQUE_DIMS = "A record must contain dimensions with unique names."
ISO_MS = r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)"
MEMORY_WINDOW_RE = re.compile(
    r"^The record timestamp is outside the time range \[" + ISO_MS + ", " + ISO_MS
    + r"\) of the memory store\.$"
)
INGESTION_WINDOW_RE = re.compile(
    r"^The record timestamp is outside the time range \[" + ISO_MS + ", " + ISO_MS
    + r"\) of the data ingestion window\.$"
)

WALK_DIMS = [
    {"Name": "hostname", "Value": "web-server-01"},
    {"Name": "region", "Value": "us-east-1"},
    {"Name": "service", "Value": "api"},
]
WALK_DIMS_SORTED = [["hostname", "web-server-01"], ["region", "us-east-1"], ["service", "api"]]

DB = "wr_db"
TBL = "wr_t"


# --------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------


def lower_version(v, existing):
    return (
        f"The record version {v} is lower than the existing version {existing}. "
        "A higher version is required to update the measure value."
    )


def admin_get(tsl, endpoint, path):
    r = tsl.http("GET", f"{endpoint}/_timestream_local/{path}")
    assert r.status == 200, r
    return r.json


def admin_post(tsl, endpoint, path, body):
    r = tsl.http(
        "POST",
        f"{endpoint}/_timestream_local/{path}",
        body=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
    )
    assert r.status == 200, r
    return r.json


def read_records(tsl, endpoint, db=DB, table=TBL):
    q = urllib.parse.urlencode({"database": db, "table": table})
    return admin_get(tsl, endpoint, f"records?{q}")["records"]


def engine_now_ms(tsl, endpoint):
    return admin_get(tsl, endpoint, "clock")["now_ns"] // NS_PER_MS


def memory_tier_records(tsl, endpoint):
    return admin_get(tsl, endpoint, "state")["memory_tier"]["records"]


def iso_ms(ms):
    """Milliseconds since the epoch → `YYYY-MM-DDTHH:MM:SS.mmmZ` (as in AWS's reasons)."""
    import datetime as dt

    t = dt.datetime.fromtimestamp(ms / 1000, tz=dt.timezone.utc)
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


def parse_iso_ms(s):
    import datetime as dt

    t = dt.datetime.strptime(s, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=dt.timezone.utc)
    return round(t.timestamp() * 1000)


def make_table(write, db=DB, table=TBL, mem_h=24, mag_d=365, magnetic_writes=False, schema=None,
               create_db=True):
    if create_db:
        write.create_database(DatabaseName=db)
    kw = dict(
        DatabaseName=db,
        TableName=table,
        RetentionProperties={
            "MemoryStoreRetentionPeriodInHours": mem_h,
            "MagneticStoreRetentionPeriodInDays": mag_d,
        },
        MagneticStoreWriteProperties={"EnableMagneticStoreWrites": magnetic_writes},
    )
    if schema is not None:
        kw["Schema"] = schema
    write.create_table(**kw)


def rec(time_ms, name="cpu", value="1.5", vtype=None, dims=None, unit=None, version=None,
        values=None):
    r = {"Dimensions": dims if dims is not None else [{"Name": "host", "Value": "h1"}],
         "MeasureName": name, "Time": str(time_ms)}
    if values is not None:
        r["MeasureValues"] = values
        r["MeasureValueType"] = "MULTI"
    elif value is not None:
        r["MeasureValue"] = value
    if vtype is not None:
        r["MeasureValueType"] = vtype
    if unit is not None:
        r["TimeUnit"] = unit
    if version is not None:
        r["Version"] = version
    return r


def put(write, records, common=None, db=DB, table=TBL):
    kw = dict(DatabaseName=db, TableName=table, Records=records)
    if common is not None:
        kw["CommonAttributes"] = common
    return write.write_records(**kw)


def put_rejected(write, tsl, records, common=None, db=DB, table=TBL):
    """Expect RejectedRecordsException (419); return its RejectedRecords list."""
    with tsl.raises("RejectedRecordsException", status=419) as h:
        put(write, records, common=common, db=db, table=table)
    resp = h["error"].response
    assert "RejectedRecords" in resp, resp
    return resp["RejectedRecords"]


def put_invalid(write, tsl, records, common=None, message=None, db=DB, table=TBL):
    """Expect a request-level ValidationException (400); return the message."""
    with tsl.raises("ValidationException", message, status=400) as h:
        put(write, records, common=common, db=db, table=table)
    return h["error"].response["Error"]["Message"]


def one_rejection(rejected, index):
    assert [r["RecordIndex"] for r in rejected] == [index], rejected
    return rejected[0]


def ingested(resp, total, memory, magnetic=0):
    assert resp["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert resp["RecordsIngested"] == {
        "Total": total, "MemoryStore": memory, "MagneticStore": magnetic
    }, resp["RecordsIngested"]


def by_measure(records):
    out = {}
    for r in records:
        assert r["measure_name"] not in out, f"duplicate measure {r['measure_name']}: {records}"
        out[r["measure_name"]] = r
    return out


class Clock:
    def __init__(self, tsl, endpoint):
        self.tsl = tsl
        self.endpoint = endpoint

    def set(self, **body):
        return admin_post(self.tsl, self.endpoint, "clock", body)

    def now_ms(self):
        return engine_now_ms(self.tsl, self.endpoint)

    def freeze_ms(self):
        """Freeze the engine clock on a whole millisecond near now; return it."""
        ms = self.now_ms()
        got = self.set(at_ns=ms * NS_PER_MS)
        assert got["frozen"] is True and got["now_ns"] == ms * NS_PER_MS, got
        return ms

    def advance_ms(self, ms):
        return self.set(advance_ns=ms * NS_PER_MS)


@pytest.fixture
def clock(tsl, endpoint, monkeypatch):
    """Engine-clock control. The server checks SigV4 request times against the engine clock, so
    while this fixture is active boto3 signs with the engine's time instead of the system's."""
    import datetime as dt

    import botocore.auth

    c = Clock(tsl, endpoint)
    c.set(offset_ns=0)

    def engine_datetime():
        ns = admin_get(tsl, endpoint, "clock")["now_ns"]
        return dt.datetime.fromtimestamp(ns / NS_PER_S, tz=dt.timezone.utc).replace(tzinfo=None)

    monkeypatch.setattr(botocore.auth, "get_current_datetime", engine_datetime)
    yield c
    c.set(offset_ns=0)


@pytest.fixture
def table(write):
    """wr_db.wr_t: memory 24 h, magnetic 365 d, magnetic writes off."""
    make_table(write)
    return write


# --------------------------------------------------------------------------
# walkthrough
# --------------------------------------------------------------------------


def test_walkthrough_write_records(write, tsl, endpoint):
    make_table(write, db="monitoring", table="server_metrics", mem_h=24, mag_d=365)
    now = engine_now_ms(tsl, endpoint)
    current_time = str(now)
    records = [
        {"Dimensions": WALK_DIMS, "MeasureName": "cpu_usage", "MeasureValue": "72.5",
         "MeasureValueType": "DOUBLE", "Time": current_time, "TimeUnit": "MILLISECONDS"},
        {"Dimensions": WALK_DIMS, "MeasureName": "memory_usage_mb", "MeasureValue": "3421",
         "MeasureValueType": "BIGINT", "Time": current_time, "TimeUnit": "MILLISECONDS"},
    ]
    resp = write.write_records(DatabaseName="monitoring", TableName="server_metrics",
                               Records=records)
    ingested(resp, 2, 2, 0)

    got = by_measure(read_records(tsl, endpoint, "monitoring", "server_metrics"))
    assert set(got) == {"cpu_usage", "memory_usage_mb"}
    cpu, mem = got["cpu_usage"], got["memory_usage_mb"]
    for r in (cpu, mem):
        assert r["dimensions"] == WALK_DIMS_SORTED
        assert r["time_ns"] == now * NS_PER_MS
        assert r["version"] == 1
        assert r["tier"] == "memory"
    assert cpu["measures"] == {"DOUBLE": 72.5}
    assert isinstance(cpu["measures"]["DOUBLE"], float)
    assert mem["measures"] == {"BIGINT": 3421}
    assert isinstance(mem["measures"]["BIGINT"], int)
    assert memory_tier_records(tsl, endpoint) == 2


def test_walkthrough_multi_measure(write, tsl, endpoint):
    make_table(write, db="monitoring", table="server_metrics", mem_h=24, mag_d=365)
    now = engine_now_ms(tsl, endpoint)
    multi_measure_record = {
        "Dimensions": WALK_DIMS,
        "MeasureName": "server_health",
        "MeasureValues": [
            {"Name": "cpu_usage", "Value": "72.5", "Type": "DOUBLE"},
            {"Name": "memory_usage_mb", "Value": "3421", "Type": "BIGINT"},
            {"Name": "disk_usage_percent", "Value": "45.2", "Type": "DOUBLE"},
            {"Name": "network_in_bytes", "Value": "1048576", "Type": "BIGINT"},
        ],
        "MeasureValueType": "MULTI",
        "Time": str(now),
        "TimeUnit": "MILLISECONDS",
    }
    resp = write.write_records(DatabaseName="monitoring", TableName="server_metrics",
                               Records=[multi_measure_record])
    ingested(resp, 1, 1, 0)
    [r] = read_records(tsl, endpoint, "monitoring", "server_metrics")
    assert r["measure_name"] == "server_health"
    assert r["dimensions"] == WALK_DIMS_SORTED
    assert r["time_ns"] == now * NS_PER_MS
    assert r["version"] == 1
    assert r["tier"] == "memory"
    assert r["measures"] == {
        "cpu_usage": {"DOUBLE": 72.5},
        "memory_usage_mb": {"BIGINT": 3421},
        "disk_usage_percent": {"DOUBLE": 45.2},
        "network_in_bytes": {"BIGINT": 1048576},
    }


# --------------------------------------------------------------------------
# CommonAttributes, defaults, units, types
# --------------------------------------------------------------------------


def test_common_attributes_merged(table, tsl, endpoint):
    write = table
    now = engine_now_ms(tsl, endpoint)
    common = {
        "Dimensions": [{"Name": "region", "Value": "eu-west-1"}, {"Name": "az", "Value": "a"}],
        "MeasureName": "cpu",
        "MeasureValueType": "BIGINT",
        "Time": str(now - 1000),
        "Version": 5,
    }
    records = [
        # everything but dims and value from common
        {"Dimensions": [{"Name": "host", "Value": "h1"}], "MeasureValue": "7"},
        # record overrides name, type, time and version
        {"Dimensions": [{"Name": "host", "Value": "h2"}], "MeasureName": "load",
         "MeasureValue": "0.25", "MeasureValueType": "DOUBLE", "Time": str(now - 2000),
         "Version": 9},
        # no record-level dimensions at all
        {"MeasureName": "mem", "MeasureValue": "11"},
    ]
    ingested(put(write, records, common=common), 3, 3)
    got = by_measure(read_records(tsl, endpoint))
    assert got["cpu"]["dimensions"] == [["az", "a"], ["host", "h1"], ["region", "eu-west-1"]]
    assert got["cpu"]["measures"] == {"BIGINT": 7}
    assert got["cpu"]["time_ns"] == (now - 1000) * NS_PER_MS
    assert got["cpu"]["version"] == 5

    assert got["load"]["dimensions"] == [["az", "a"], ["host", "h2"], ["region", "eu-west-1"]]
    assert got["load"]["measures"] == {"DOUBLE": 0.25}
    assert got["load"]["time_ns"] == (now - 2000) * NS_PER_MS
    assert got["load"]["version"] == 9

    assert got["mem"]["dimensions"] == [["az", "a"], ["region", "eu-west-1"]]
    assert got["mem"]["measures"] == {"BIGINT": 11}
    assert got["mem"]["version"] == 5


def test_common_attributes_time_unit_applies_to_record_time(table, tsl, endpoint):
    write = table
    now_s = engine_now_ms(tsl, endpoint) // 1000 - 10
    common = {"TimeUnit": "SECONDS", "MeasureValueType": "BIGINT"}
    ingested(put(write, [rec(now_s, name="a", value="1")], common=common), 1, 1)
    [r] = read_records(tsl, endpoint)
    assert r["time_ns"] == now_s * NS_PER_S
    assert r["measures"] == {"BIGINT": 1}


def test_common_attributes_multi_measure(table, tsl, endpoint):
    """The usual AWS sample shape: MULTI, name and time in CommonAttributes."""
    write = table
    now = engine_now_ms(tsl, endpoint)
    common = {"MeasureName": "metrics", "MeasureValueType": "MULTI", "Time": str(now),
              "Dimensions": [{"Name": "region", "Value": "r1"}]}
    records = [
        {"Dimensions": [{"Name": "host", "Value": f"h{i}"}],
         "MeasureValues": [{"Name": "cpu", "Value": str(i + 0.5), "Type": "DOUBLE"},
                           {"Name": "up", "Value": "true", "Type": "BOOLEAN"}]}
        for i in range(3)
    ]
    ingested(put(write, records, common=common), 3, 3)
    got = read_records(tsl, endpoint)
    assert len(got) == 3
    for r in got:
        host = dict(map(tuple, r["dimensions"]))["host"]
        i = int(host[1:])
        assert r["dimensions"] == [["host", host], ["region", "r1"]]
        assert r["measure_name"] == "metrics"
        assert r["measures"] == {"cpu": {"DOUBLE": i + 0.5}, "up": {"BOOLEAN": True}}


def test_defaults_double_milliseconds_version_1(table, tsl, endpoint):
    write = table
    now = engine_now_ms(tsl, endpoint)
    r0 = {"Dimensions": [{"Name": "host", "Value": "h1"}], "MeasureName": "cpu",
          "MeasureValue": "42", "Time": str(now)}
    ingested(put(write, [r0]), 1, 1)
    [r] = read_records(tsl, endpoint)
    assert r["measures"] == {"DOUBLE": 42.0}
    assert isinstance(r["measures"]["DOUBLE"], float)
    assert r["time_ns"] == now * NS_PER_MS
    assert r["version"] == 1


def test_every_time_unit_gives_the_same_instant(table, tsl, endpoint):
    write = table
    t_s = engine_now_ms(tsl, endpoint) // 1000 - 60
    as_unit = {
        "SECONDS": str(t_s),
        "MILLISECONDS": str(t_s * 1000),
        "MICROSECONDS": str(t_s * 1_000_000),
        "NANOSECONDS": str(t_s * 1_000_000_000),
    }
    records = [
        {"Dimensions": [{"Name": "unit", "Value": unit}], "MeasureName": "v",
         "MeasureValue": "1", "Time": t, "TimeUnit": unit}
        for unit, t in as_unit.items()
    ]
    ingested(put(write, records), 4, 4)
    got = read_records(tsl, endpoint)
    assert len(got) == 4
    assert {r["dimensions"][0][1]: r["time_ns"] for r in got} == {
        u: t_s * NS_PER_S for u in as_unit
    }


def test_sub_millisecond_precision_kept(table, tsl, endpoint):
    write = table
    t_ns = (engine_now_ms(tsl, endpoint) - 5000) * NS_PER_MS + 123_456
    records = [
        rec(t_ns, name="ns", unit="NANOSECONDS"),
        rec(t_ns // 1000, name="us", unit="MICROSECONDS"),
    ]
    ingested(put(write, records), 2, 2)
    got = by_measure(read_records(tsl, endpoint))
    assert got["ns"]["time_ns"] == t_ns
    assert got["us"]["time_ns"] == (t_ns // 1000) * 1000


def test_timestamp_measure_values_are_milliseconds(table, tsl, endpoint):
    write = table
    now = engine_now_ms(tsl, endpoint)
    ts_ms = 1_700_000_000_123
    records = [
        rec(now, name="seen", value=str(ts_ms), vtype="TIMESTAMP"),
        rec(now, name="multi", values=[
            {"Name": "first_seen", "Value": str(ts_ms), "Type": "TIMESTAMP"},
            {"Name": "count", "Value": "3", "Type": "BIGINT"},
        ]),
    ]
    ingested(put(write, records), 2, 2)
    got = by_measure(read_records(tsl, endpoint))
    assert got["seen"]["measures"] == {"TIMESTAMP": ts_ms * NS_PER_MS}
    assert got["multi"]["measures"] == {
        "first_seen": {"TIMESTAMP": ts_ms * NS_PER_MS},
        "count": {"BIGINT": 3},
    }


def test_boolean_and_varchar_values(table, tsl, endpoint):
    write = table
    now = engine_now_ms(tsl, endpoint)
    records = [
        rec(now, name="up", value="true", vtype="BOOLEAN"),
        rec(now, name="down", value="false", vtype="BOOLEAN"),
        rec(now, name="status", value="ok, 100%", vtype="VARCHAR"),
        rec(now, name="big", value="-9223372036854775808", vtype="BIGINT"),
    ]
    ingested(put(write, records), 4, 4)
    got = by_measure(read_records(tsl, endpoint))
    assert got["up"]["measures"] == {"BOOLEAN": True}
    assert got["down"]["measures"] == {"BOOLEAN": False}
    assert got["status"]["measures"] == {"VARCHAR": "ok, 100%"}
    assert got["big"]["measures"] == {"BIGINT": -9223372036854775808}


# --------------------------------------------------------------------------
# request-level validation: ValidationException, nothing stored
# --------------------------------------------------------------------------


def test_dimension_in_common_and_record_rejects_request(table, tsl, endpoint):
    write = table
    now = engine_now_ms(tsl, endpoint)
    common = {"Dimensions": [{"Name": "host", "Value": "c"}]}
    good = rec(now, name="ok", dims=[{"Name": "region", "Value": "r"}])
    bad = rec(now, name="bad", dims=[{"Name": "host", "Value": "h1"}])
    msg = put_invalid(write, tsl, [good, bad], common=common)
    assert msg.startswith(UNIQUE_DIMS), msg
    assert read_records(tsl, endpoint) == []


def test_dimension_twice_in_record_rejects_request(table, tsl, endpoint):
    write = table
    now = engine_now_ms(tsl, endpoint)
    good = rec(now, name="ok")
    bad = rec(now, name="bad", dims=[{"Name": "host", "Value": "a"},
                                     {"Name": "host", "Value": "b"}])
    msg = put_invalid(write, tsl, [good, bad])
    assert msg.startswith(UNIQUE_DIMS), msg
    # same name and same value is still a duplicate
    bad2 = rec(now, name="bad", dims=[{"Name": "host", "Value": "a"},
                                      {"Name": "host", "Value": "a"}])
    msg = put_invalid(write, tsl, [good, bad2])
    assert msg.startswith(UNIQUE_DIMS), msg
    assert read_records(tsl, endpoint) == []


@pytest.mark.parametrize("bad_time", ["abc", "12ab", "now", "0x10"])
def test_non_numeric_time_rejects_request(table, tsl, endpoint, bad_time):
    write = table
    now = engine_now_ms(tsl, endpoint)
    records = [rec(now, name="ok"), rec(now, name="bad")]
    records[1]["Time"] = bad_time
    put_invalid(write, tsl, records, message="Invalid time for record.")
    assert read_records(tsl, endpoint) == []


def test_non_numeric_common_time_rejects_request(table, tsl, endpoint):
    write = table
    r = {"Dimensions": [{"Name": "host", "Value": "h"}], "MeasureName": "m",
         "MeasureValue": "1"}
    put_invalid(write, tsl, [r], common={"Time": "yesterday"},
                message="Invalid time for record.")
    assert read_records(tsl, endpoint) == []


@pytest.mark.parametrize("version", [0, -1, -9223372036854775808])
def test_non_positive_version_rejects_request(table, tsl, endpoint, version):
    write = table
    now = engine_now_ms(tsl, endpoint)
    records = [rec(now, name="ok"), rec(now, name="bad", version=version)]
    put_invalid(write, tsl, records)
    assert read_records(tsl, endpoint) == []
    # also through CommonAttributes
    put_invalid(write, tsl, [rec(now, name="ok")], common={"Version": version})
    assert read_records(tsl, endpoint) == []


def test_multi_with_measure_value_rejects_request(table, tsl, endpoint):
    write = table
    now = engine_now_ms(tsl, endpoint)
    bad = rec(now, name="bad", values=[{"Name": "a", "Value": "1", "Type": "DOUBLE"}])
    bad["MeasureValue"] = "1"
    put_invalid(write, tsl, [rec(now, name="ok"), bad])
    assert read_records(tsl, endpoint) == []


def test_multi_without_measure_values_rejects_request(table, tsl, endpoint):
    write = table
    now = engine_now_ms(tsl, endpoint)
    bad = rec(now, name="bad", value=None, vtype="MULTI")
    put_invalid(write, tsl, [rec(now, name="ok"), bad])
    assert read_records(tsl, endpoint) == []


@pytest.mark.parametrize("vtype", [None, "DOUBLE", "BIGINT", "VARCHAR"])
def test_measure_values_without_multi_rejects_request(table, tsl, endpoint, vtype):
    write = table
    now = engine_now_ms(tsl, endpoint)
    bad = {"Dimensions": [{"Name": "host", "Value": "h"}], "MeasureName": "bad",
           "Time": str(now), "MeasureValues": [{"Name": "a", "Value": "1", "Type": "DOUBLE"}]}
    if vtype is not None:
        bad["MeasureValueType"] = vtype
    put_invalid(write, tsl, [rec(now, name="ok"), bad])
    assert read_records(tsl, endpoint) == []


def test_scalar_without_measure_value_rejects_request(table, tsl, endpoint):
    write = table
    now = engine_now_ms(tsl, endpoint)
    bad = rec(now, name="bad", value=None, vtype="BIGINT")
    put_invalid(write, tsl, [rec(now, name="ok"), bad])
    assert read_records(tsl, endpoint) == []


def test_101_records_rejects_request(tsl, endpoint, write_nv):
    make_table(write_nv)
    now = engine_now_ms(tsl, endpoint)
    records = [rec(now - i, name="m") for i in range(101)]
    msg = put_invalid(write_nv, tsl, records)
    assert msg.startswith("1 validation error detected: Value '["), msg
    assert msg.endswith(
        "' at 'records' failed to satisfy constraint: "
        "Member must have length less than or equal to 100"
    ), msg
    assert read_records(tsl, endpoint) == []
    # exactly 100 is fine
    ingested(put(write_nv, records[:100]), 100, 100)
    assert len(read_records(tsl, endpoint)) == 100


def test_missing_measure_name_rejects_request(table, tsl, endpoint):
    write = table
    now = engine_now_ms(tsl, endpoint)
    bad = rec(now)
    del bad["MeasureName"]
    put_invalid(write, tsl, [rec(now, name="ok"), bad])
    assert read_records(tsl, endpoint) == []


def test_missing_time_rejects_request(table, tsl, endpoint):
    write = table
    now = engine_now_ms(tsl, endpoint)
    bad = rec(now, name="bad")
    del bad["Time"]
    put_invalid(write, tsl, [rec(now, name="ok"), bad])
    assert read_records(tsl, endpoint) == []


def test_empty_records_rejects_request(tsl, endpoint, write_nv):
    make_table(write_nv)
    put_invalid(write_nv, tsl, [], message=tsl.coral([tsl.violation(
        "[]", "records", "Member must have length greater than or equal to 1")]))


def test_bad_dimension_value_type_rejects_request(tsl, endpoint, write_nv):
    make_table(write_nv)
    now = engine_now_ms(tsl, endpoint)
    bad = rec(now, name="bad", dims=[{"Name": "host", "Value": "h"},
                                     {"Name": "n", "Value": "1", "DimensionValueType": "BIGINT"}])
    put_invalid(write_nv, tsl, [rec(now, name="ok"), bad], message=tsl.coral([tsl.violation(
        "BIGINT", "records.2.member.dimensions.2.member.dimensionValueType",
        "Member must satisfy enum value set: [VARCHAR]")]))
    assert read_records(tsl, endpoint) == []


def test_bad_measure_value_type_rejects_request(tsl, endpoint, write_nv):
    make_table(write_nv)
    now = engine_now_ms(tsl, endpoint)
    bad = rec(now, name="bad", vtype="FLOAT")
    put_invalid(write_nv, tsl, [bad], message=tsl.coral([tsl.violation(
        "FLOAT", "records.1.member.measureValueType",
        "Member must satisfy enum value set: [DOUBLE, BIGINT, VARCHAR, BOOLEAN, TIMESTAMP, MULTI]",
    )]))
    assert read_records(tsl, endpoint) == []


def test_multi_type_inside_measure_values_rejects_request(table, tsl, endpoint):
    write = table
    now = engine_now_ms(tsl, endpoint)
    bad = rec(now, name="bad", values=[{"Name": "a", "Value": "1", "Type": "MULTI"}])
    put_invalid(write, tsl, [rec(now, name="ok"), bad])
    assert read_records(tsl, endpoint) == []


# --------------------------------------------------------------------------
# record-level rejections: RejectedRecordsException (419), partial success
# --------------------------------------------------------------------------


def test_invalid_double_partial_success(table, tsl, endpoint):
    write = table
    now = engine_now_ms(tsl, endpoint)
    records = [
        rec(now, name="a", value="1.5"),
        rec(now, name="b", value="abc"),
        rec(now, name="c", value="2.5"),
    ]
    with tsl.raises("RejectedRecordsException", REJECTED_MESSAGE, status=419) as h:
        put(write, records)
    rejected = h["error"].response["RejectedRecords"]
    assert rejected == [
        {"RecordIndex": 1, "Reason": "The measure value abc is not a valid DOUBLE."}
    ], rejected
    assert "RecordsIngested" not in h["error"].response
    got = by_measure(read_records(tsl, endpoint))
    assert set(got) == {"a", "c"}
    assert got["a"]["measures"] == {"DOUBLE": 1.5}
    assert got["c"]["measures"] == {"DOUBLE": 2.5}


@pytest.mark.parametrize("vtype,value", [
    ("BIGINT", "1.5"),
    ("BIGINT", "abc"),
    ("BIGINT", "9223372036854775808"),
    ("BOOLEAN", "yes"),
    ("TIMESTAMP", "abc"),
    ("DOUBLE", "1.2.3"),
])
def test_invalid_typed_values_rejected(table, tsl, endpoint, vtype, value):
    write = table
    now = engine_now_ms(tsl, endpoint)
    records = [rec(now, name="good", value="1", vtype="BIGINT"),
               rec(now, name="bad", value=value, vtype=vtype)]
    r = one_rejection(put_rejected(write, tsl, records), 1)
    assert r["Reason"] == f"The measure value {value} is not a valid {vtype}.", r
    assert "ExistingVersion" not in r
    assert [x["measure_name"] for x in read_records(tsl, endpoint)] == ["good"]


def test_invalid_multi_attribute_value_rejected(table, tsl, endpoint):
    write = table
    now = engine_now_ms(tsl, endpoint)
    records = [
        rec(now, name="bad", values=[{"Name": "x", "Value": "1", "Type": "DOUBLE"},
                                     {"Name": "y", "Value": "abc", "Type": "DOUBLE"}]),
        rec(now, name="good", values=[{"Name": "x", "Value": "2", "Type": "DOUBLE"}]),
    ]
    r = one_rejection(put_rejected(write, tsl, records), 0)
    assert r["Reason"] == "The measure value abc is not a valid DOUBLE.", r
    [stored] = read_records(tsl, endpoint)
    assert stored["measure_name"] == "good"
    assert stored["measures"] == {"x": {"DOUBLE": 2.0}}


def test_several_rejected_records_listed_in_order(table, tsl, endpoint):
    write = table
    now = engine_now_ms(tsl, endpoint)
    records = [rec(now, name=f"m{i}", value="x" if i % 3 == 0 else str(i)) for i in range(10)]
    rejected = put_rejected(write, tsl, records)
    assert [r["RecordIndex"] for r in rejected] == [0, 3, 6, 9], rejected
    assert all(r["Reason"] == "The measure value x is not a valid DOUBLE." for r in rejected)
    assert sorted(r["measure_name"] for r in read_records(tsl, endpoint)) == [
        f"m{i}" for i in range(10) if i % 3
    ]


def test_all_records_rejected(table, tsl, endpoint):
    write = table
    now = engine_now_ms(tsl, endpoint)
    rejected = put_rejected(write, tsl, [rec(now, value="x"), rec(now + 1, value="y")])
    assert [r["RecordIndex"] for r in rejected] == [0, 1]
    assert read_records(tsl, endpoint) == []


def test_too_old_rejected_memory_window_reason(write, tsl, endpoint):
    """Running clock: bounds are now − retention and now + 15 min (within a few seconds)."""
    make_table(write, mem_h=1, mag_d=1)
    now = engine_now_ms(tsl, endpoint)
    old = now - 2 * MS_PER_H
    r = one_rejection(put_rejected(write, tsl, [rec(now, name="ok"), rec(old, name="old")]), 1)
    m = MEMORY_WINDOW_RE.match(r["Reason"])
    assert m, r["Reason"]
    lo, hi = parse_iso_ms(m.group(1)), parse_iso_ms(m.group(2))
    assert abs(lo - (now - MS_PER_H)) < 5000, (r["Reason"], iso_ms(now - MS_PER_H))
    assert abs(hi - (now + 15 * MS_PER_MIN)) < 5000, (r["Reason"], iso_ms(now + 15 * MS_PER_MIN))
    assert "ExistingVersion" not in r
    [stored] = read_records(tsl, endpoint)
    assert stored["measure_name"] == "ok"


def test_memory_window_exact_bounds_frozen_clock(write, tsl, endpoint, clock):
    make_table(write, mem_h=1, mag_d=1)
    now = clock.freeze_ms()
    lo, hi = now - MS_PER_H, now + 15 * MS_PER_MIN
    records = [
        rec(lo, name="at_lower"),            # accepted (closed lower bound)
        rec(lo - 1, name="below_lower"),     # rejected
        rec(hi - 1, name="below_upper"),     # accepted
        rec(hi, name="at_upper"),            # rejected (open upper bound)
        rec(now + 14 * MS_PER_MIN, name="plus_14min"),   # accepted
        rec(now + 16 * MS_PER_MIN, name="plus_16min"),   # rejected
    ]
    rejected = put_rejected(write, tsl, records)
    assert [r["RecordIndex"] for r in rejected] == [1, 3, 5], rejected
    expected = (f"The record timestamp is outside the time range [{iso_ms(lo)}, {iso_ms(hi)}) "
                "of the memory store.")
    for r in rejected:
        assert r["Reason"] == expected
    assert sorted(r["measure_name"] for r in read_records(tsl, endpoint)) == [
        "at_lower", "below_upper", "plus_14min"
    ]


def test_future_records(table, tsl, endpoint):
    write = table
    now = engine_now_ms(tsl, endpoint)
    ingested(put(write, [rec(now + 14 * MS_PER_MIN, name="soon")]), 1, 1)
    r = one_rejection(put_rejected(write, tsl, [rec(now + 16 * MS_PER_MIN, name="late")]), 0)
    m = MEMORY_WINDOW_RE.match(r["Reason"])
    assert m, r["Reason"]
    assert abs(parse_iso_ms(m.group(2)) - (now + 15 * MS_PER_MIN)) < 5000, r["Reason"]
    r = one_rejection(put_rejected(write, tsl, [rec(now + 10 * MS_PER_DAY, name="late")]), 0)
    assert MEMORY_WINDOW_RE.match(r["Reason"]), r["Reason"]
    assert [x["measure_name"] for x in read_records(tsl, endpoint)] == ["soon"]


def test_magnetic_writes_accept_old_records(write, tsl, endpoint):
    make_table(write, mem_h=1, mag_d=1, magnetic_writes=True)
    now = engine_now_ms(tsl, endpoint)
    ingested(put(write, [rec(now - 3 * MS_PER_H, name="old")]), 1, 0, 1)
    ingested(put(write, [rec(now, name="new"), rec(now - 20 * MS_PER_H, name="older")]), 2, 1, 1)
    got = by_measure(read_records(tsl, endpoint))
    assert got["old"]["tier"] == "magnetic"
    assert got["older"]["tier"] == "magnetic"
    assert got["new"]["tier"] == "memory"
    assert got["old"]["time_ns"] == (now - 3 * MS_PER_H) * NS_PER_MS
    assert got["old"]["measures"] == {"DOUBLE": 1.5}
    assert memory_tier_records(tsl, endpoint) == 1


def test_magnetic_writes_outside_ingestion_window(write, tsl, endpoint):
    make_table(write, mem_h=1, mag_d=1, magnetic_writes=True)
    now = engine_now_ms(tsl, endpoint)
    records = [
        rec(now - 2 * MS_PER_H, name="ok"),
        rec(now - MS_PER_DAY - 2 * MS_PER_H, name="too_old"),
        rec(now + 16 * MS_PER_MIN, name="too_new"),
    ]
    rejected = put_rejected(write, tsl, records)
    assert [r["RecordIndex"] for r in rejected] == [1, 2], rejected
    for r in rejected:
        m = INGESTION_WINDOW_RE.match(r["Reason"])
        assert m, r["Reason"]
        lo, hi = parse_iso_ms(m.group(1)), parse_iso_ms(m.group(2))
        # lower bound: now − (magnetic + memory retention), give or take
        assert now - MS_PER_DAY - MS_PER_H - 5000 <= lo <= now - MS_PER_DAY + 5000, r["Reason"]
        assert abs(hi - (now + 15 * MS_PER_MIN)) < 5000, r["Reason"]
    [stored] = read_records(tsl, endpoint)
    assert stored["measure_name"] == "ok" and stored["tier"] == "magnetic"


# --------------------------------------------------------------------------
# upserts
# --------------------------------------------------------------------------


def test_upsert_sequence(table, tsl, endpoint):
    write = table
    t = engine_now_ms(tsl, endpoint) - 1000

    ingested(put(write, [rec(t, value="10")]), 1, 1)
    # identical rewrite: idempotent
    ingested(put(write, [rec(t, value="10")]), 1, 1)
    [r] = read_records(tsl, endpoint)
    assert (r["measures"], r["version"]) == ({"DOUBLE": 10.0}, 1)

    # different value, same (default) version
    x = one_rejection(put_rejected(write, tsl, [rec(t, value="11")]), 0)
    assert x["Reason"] == SAME_VERSION, x
    assert x["ExistingVersion"] == 1, x
    # explicit version 1 is the same thing
    x = one_rejection(put_rejected(write, tsl, [rec(t, value="11", version=1)]), 0)
    assert x["Reason"] == SAME_VERSION and x["ExistingVersion"] == 1, x
    [r] = read_records(tsl, endpoint)
    assert (r["measures"], r["version"]) == ({"DOUBLE": 10.0}, 1)

    # higher version, different value: replaced
    ingested(put(write, [rec(t, value="12", version=2)]), 1, 1)
    [r] = read_records(tsl, endpoint)
    assert (r["measures"], r["version"]) == ({"DOUBLE": 12.0}, 2)

    # lower version, different value
    x = one_rejection(put_rejected(write, tsl, [rec(t, value="13", version=1)]), 0)
    assert x["Reason"] == lower_version(1, 2), x
    assert x["ExistingVersion"] == 2, x
    # no Version means 1
    x = one_rejection(put_rejected(write, tsl, [rec(t, value="13")]), 0)
    assert x["Reason"] == lower_version(1, 2) and x["ExistingVersion"] == 2, x
    # same version 2, different value
    x = one_rejection(put_rejected(write, tsl, [rec(t, value="13", version=2)]), 0)
    assert x["Reason"] == SAME_VERSION and x["ExistingVersion"] == 2, x
    [r] = read_records(tsl, endpoint)
    assert (r["measures"], r["version"]) == ({"DOUBLE": 12.0}, 2)

    # same value, higher version: only the version moves
    ingested(put(write, [rec(t, value="12", version=7)]), 1, 1)
    [r] = read_records(tsl, endpoint)
    assert (r["measures"], r["version"]) == ({"DOUBLE": 12.0}, 7)
    # same value, same version: idempotent
    ingested(put(write, [rec(t, value="12", version=7)]), 1, 1)
    [r] = read_records(tsl, endpoint)
    assert (r["measures"], r["version"]) == ({"DOUBLE": 12.0}, 7)
    assert memory_tier_records(tsl, endpoint) == 1


def test_upsert_version_conflict_partial_success(table, tsl, endpoint):
    write = table
    t = engine_now_ms(tsl, endpoint) - 1000
    ingested(put(write, [rec(t, name="a", value="1", version=3)]), 1, 1)
    rejected = put_rejected(write, tsl, [
        rec(t, name="b", value="5"),
        rec(t, name="a", value="2", version=2),
        rec(t, name="c", value="6"),
    ])
    x = one_rejection(rejected, 1)
    assert x == {"RecordIndex": 1, "Reason": lower_version(2, 3), "ExistingVersion": 3}, x
    got = by_measure(read_records(tsl, endpoint))
    assert set(got) == {"a", "b", "c"}
    assert got["a"]["measures"] == {"DOUBLE": 1.0} and got["a"]["version"] == 3


def test_upsert_large_versions(table, tsl, endpoint):
    write = table
    t = engine_now_ms(tsl, endpoint) - 1000
    big = 9223372036854775807
    ingested(put(write, [rec(t, value="1", version=big - 1)]), 1, 1)
    ingested(put(write, [rec(t, value="2", version=big)]), 1, 1)
    [r] = read_records(tsl, endpoint)
    assert (r["measures"], r["version"]) == ({"DOUBLE": 2.0}, big)
    x = one_rejection(put_rejected(write, tsl, [rec(t, value="3", version=big - 1)]), 0)
    assert x["Reason"] == lower_version(big - 1, big) and x["ExistingVersion"] == big, x


def test_upsert_multi_measure(table, tsl, endpoint):
    write = table
    t = engine_now_ms(tsl, endpoint) - 1000
    v1 = [{"Name": "a", "Value": "1", "Type": "BIGINT"},
          {"Name": "b", "Value": "2", "Type": "BIGINT"}]
    v1_reordered = [v1[1], v1[0]]
    v2 = [{"Name": "a", "Value": "1", "Type": "BIGINT"},
          {"Name": "b", "Value": "3", "Type": "BIGINT"}]
    subset = [{"Name": "a", "Value": "1", "Type": "BIGINT"}]

    ingested(put(write, [rec(t, name="m", values=v1)]), 1, 1)
    ingested(put(write, [rec(t, name="m", values=v1)]), 1, 1)
    ingested(put(write, [rec(t, name="m", values=v1_reordered)]), 1, 1)
    [r] = read_records(tsl, endpoint)
    assert (r["measures"], r["version"]) == ({"a": {"BIGINT": 1}, "b": {"BIGINT": 2}}, 1)

    # one attribute differs
    x = one_rejection(put_rejected(write, tsl, [rec(t, name="m", values=v2)]), 0)
    assert x["Reason"] == SAME_VERSION and x["ExistingVersion"] == 1, x
    # a subset of the attributes is a different set of values too
    x = one_rejection(put_rejected(write, tsl, [rec(t, name="m", values=subset)]), 0)
    assert x["Reason"] == SAME_VERSION and x["ExistingVersion"] == 1, x
    [r] = read_records(tsl, endpoint)
    assert (r["measures"], r["version"]) == ({"a": {"BIGINT": 1}, "b": {"BIGINT": 2}}, 1)

    ingested(put(write, [rec(t, name="m", values=v2, version=2)]), 1, 1)
    [r] = read_records(tsl, endpoint)
    assert (r["measures"], r["version"]) == ({"a": {"BIGINT": 1}, "b": {"BIGINT": 3}}, 2)

    x = one_rejection(put_rejected(write, tsl, [rec(t, name="m", values=v1, version=1)]), 0)
    assert x["Reason"] == lower_version(1, 2) and x["ExistingVersion"] == 2, x

    ingested(put(write, [rec(t, name="m", values=v2, version=4)]), 1, 1)
    [r] = read_records(tsl, endpoint)
    assert (r["measures"], r["version"]) == ({"a": {"BIGINT": 1}, "b": {"BIGINT": 3}}, 4)


def test_upsert_identity_dimensions_are_a_set(table, tsl, endpoint):
    write = table
    t = engine_now_ms(tsl, endpoint) - 1000
    d_ab = [{"Name": "host", "Value": "a"}, {"Name": "region", "Value": "r"}]
    d_ba = [{"Name": "region", "Value": "r"}, {"Name": "host", "Value": "a"}]
    ingested(put(write, [rec(t, value="1", dims=d_ab)]), 1, 1)
    # reordered dimensions: same identity
    ingested(put(write, [rec(t, value="1", dims=d_ba)]), 1, 1)
    x = one_rejection(put_rejected(write, tsl, [rec(t, value="2", dims=d_ba)]), 0)
    assert x["Reason"] == SAME_VERSION and x["ExistingVersion"] == 1, x
    # split between CommonAttributes and the record: same identity
    x = one_rejection(put_rejected(
        write, tsl, [rec(t, value="2", dims=[{"Name": "host", "Value": "a"}])],
        common={"Dimensions": [{"Name": "region", "Value": "r"}]}), 0)
    assert x["Reason"] == SAME_VERSION and x["ExistingVersion"] == 1, x
    ingested(put(write, [rec(t, value="2", dims=d_ba, version=2)]), 1, 1)
    [r] = read_records(tsl, endpoint)
    assert r["dimensions"] == [["host", "a"], ["region", "r"]]
    assert (r["measures"], r["version"]) == ({"DOUBLE": 2.0}, 2)

    # anything else in the identity differing makes a new record
    ingested(put(write, [
        rec(t, value="9", dims=[{"Name": "host", "Value": "b"}, {"Name": "region", "Value": "r"}]),
        rec(t, value="9", dims=[{"Name": "host", "Value": "a"}]),
        rec(t, value="9", dims=d_ab + [{"Name": "zone", "Value": "z"}]),
        rec(t, value="9", dims=d_ab, name="other"),
        rec(t + 1, value="9", dims=d_ab),
    ]), 5, 5)
    assert len(read_records(tsl, endpoint)) == 6


def test_upsert_in_magnetic_store(write, tsl, endpoint):
    """Magnetic-store updates with a version <= the existing one are not reported in
    RejectedRecords (AWS reports them asynchronously to S3); higher versions replace."""
    make_table(write, mem_h=1, mag_d=2, magnetic_writes=True)
    t = engine_now_ms(tsl, endpoint) - 5 * MS_PER_H
    ingested(put(write, [rec(t, value="1")]), 1, 0, 1)
    put(write, [rec(t, value="2")])          # same version, different value: no 419
    [r] = read_records(tsl, endpoint)
    assert (r["measures"], r["version"], r["tier"]) == ({"DOUBLE": 1.0}, 1, "magnetic")
    ingested(put(write, [rec(t, value="3", version=2)]), 1, 0, 1)
    put(write, [rec(t, value="4", version=1)])  # lower version: no 419
    [r] = read_records(tsl, endpoint)
    assert (r["measures"], r["version"], r["tier"]) == ({"DOUBLE": 3.0}, 2, "magnetic")


def test_upsert_identity_same_instant_different_units(table, tsl, endpoint):
    write = table
    t_s = engine_now_ms(tsl, endpoint) // 1000 - 30
    ingested(put(write, [rec(t_s, value="1", unit="SECONDS")]), 1, 1)
    ingested(put(write, [rec(t_s * 1000, value="1")]), 1, 1)
    x = one_rejection(put_rejected(write, tsl, [rec(t_s * NS_PER_S, value="2",
                                                    unit="NANOSECONDS")]), 0)
    assert x["Reason"] == SAME_VERSION and x["ExistingVersion"] == 1, x
    assert len(read_records(tsl, endpoint)) == 1


# --------------------------------------------------------------------------
# names and limits (record-level)
# --------------------------------------------------------------------------


@pytest.mark.parametrize("dim", ["time", "measure_value", "ts_x", "measure_name",
                                 "ts_non_existent_col"])
def test_reserved_dimension_names_rejected(table, tsl, endpoint, dim):
    write = table
    now = engine_now_ms(tsl, endpoint)
    records = [rec(now, name="good"),
               rec(now, name="bad", dims=[{"Name": dim, "Value": "v"}])]
    r = one_rejection(put_rejected(write, tsl, records), 1)
    assert r["Reason"], r
    assert [x["measure_name"] for x in read_records(tsl, endpoint)] == ["good"]


def test_reserved_measure_names_rejected(table, tsl, endpoint):
    write = table
    now = engine_now_ms(tsl, endpoint)
    records = [
        rec(now, name="ts_cpu"),
        rec(now, name="good"),
        rec(now, name="multi", values=[{"Name": "ts_cpu", "Value": "1", "Type": "DOUBLE"}]),
    ]
    rejected = put_rejected(write, tsl, records)
    assert [r["RecordIndex"] for r in rejected] == [0, 2], rejected
    assert all(r["Reason"] for r in rejected)
    assert [x["measure_name"] for x in read_records(tsl, endpoint)] == ["good"]


def test_dimension_name_length_in_bytes(table, tsl, endpoint):
    write = table
    now = engine_now_ms(tsl, endpoint)
    records = [
        rec(now, name="n60", dims=[{"Name": "d" * 60, "Value": "v"}]),
        rec(now, name="n61", dims=[{"Name": "d" * 61, "Value": "v"}]),
        rec(now, name="u60", dims=[{"Name": "é" * 30, "Value": "v"}]),   # 60 bytes
        rec(now, name="u62", dims=[{"Name": "é" * 31, "Value": "v"}]),   # 31 chars, 62 bytes
    ]
    rejected = put_rejected(write, tsl, records)
    assert [r["RecordIndex"] for r in rejected] == [1, 3], rejected
    assert sorted(x["measure_name"] for x in read_records(tsl, endpoint)) == ["n60", "u60"]


def test_record_size_limit(table, tsl, endpoint):
    write = table
    now = engine_now_ms(tsl, endpoint)
    big_dims = [{"Name": f"d{i}", "Value": "v" * 250} for i in range(9)]   # > 2250 bytes
    records = [
        rec(now, name="small", value="x" * 1000, vtype="VARCHAR"),
        rec(now, name="big_value", value="x" * 2048, vtype="VARCHAR"),
        rec(now, name="big_dims", dims=big_dims),
        rec(now, name="big_multi", values=[
            {"Name": f"a{i}", "Value": "x" * 200, "Type": "VARCHAR"} for i in range(12)
        ]),
    ]
    rejected = put_rejected(write, tsl, records)
    assert [r["RecordIndex"] for r in rejected] == [1, 2, 3], rejected
    assert [x["measure_name"] for x in read_records(tsl, endpoint)] == ["small"]


def test_dimension_then_multi_attribute_name_clash(table, tsl, endpoint):
    write = table
    now = engine_now_ms(tsl, endpoint)
    records = [
        rec(now, name="m1", dims=[{"Name": "region", "Value": "r"}]),
        rec(now, name="m2", dims=[{"Name": "host", "Value": "h"}],
            values=[{"Name": "region", "Value": "1", "Type": "DOUBLE"}]),
    ]
    r = one_rejection(put_rejected(write, tsl, records), 1)
    assert r["Reason"], r
    # and in a later request too
    r = one_rejection(put_rejected(write, tsl, [records[1]]), 0)
    assert r["Reason"], r
    assert [x["measure_name"] for x in read_records(tsl, endpoint)] == ["m1"]


def test_multi_attribute_then_dimension_name_clash(table, tsl, endpoint):
    write = table
    now = engine_now_ms(tsl, endpoint)
    ingested(put(write, [rec(now, name="m1", values=[
        {"Name": "region", "Value": "1", "Type": "DOUBLE"}])]), 1, 1)
    r = one_rejection(put_rejected(write, tsl, [
        rec(now, name="m2", dims=[{"Name": "region", "Value": "r"}])]), 0)
    assert r["Reason"], r
    assert [x["measure_name"] for x in read_records(tsl, endpoint)] == ["m1"]


def test_measure_type_change_rejected(table, tsl, endpoint):
    write = table
    now = engine_now_ms(tsl, endpoint)
    ingested(put(write, [rec(now, name="cpu", value="1.5", vtype="DOUBLE")]), 1, 1)
    r = one_rejection(put_rejected(write, tsl, [
        rec(now - 1, name="ok", value="1"),
        rec(now - 1, name="cpu", value="2", vtype="BIGINT",
            dims=[{"Name": "host", "Value": "other"}]),
    ]), 1)
    assert "DOUBLE" in r["Reason"] and "BIGINT" in r["Reason"], r
    # same value type again is fine
    ingested(put(write, [rec(now - 2, name="cpu", value="3", vtype="DOUBLE")]), 1, 1)
    got = read_records(tsl, endpoint)
    assert sorted(x["measure_name"] for x in got) == ["cpu", "cpu", "ok"]
    assert all(list(x["measures"]) == ["DOUBLE"] for x in got), got


def test_measure_type_change_within_one_request(table, tsl, endpoint):
    write = table
    now = engine_now_ms(tsl, endpoint)
    r = one_rejection(put_rejected(write, tsl, [
        rec(now, name="cpu", value="1", vtype="BIGINT"),
        rec(now - 1, name="cpu", value="1.5", vtype="DOUBLE"),
    ]), 1)
    assert "DOUBLE" in r["Reason"] and "BIGINT" in r["Reason"], r
    [x] = read_records(tsl, endpoint)
    assert x["measures"] == {"BIGINT": 1}


def test_required_dimension_partition_key(write, tsl, endpoint):
    make_table(write, schema={"CompositePartitionKey": [
        {"Type": "DIMENSION", "Name": "hostname", "EnforcementInRecord": "REQUIRED"}]})
    now = engine_now_ms(tsl, endpoint)
    rejected = put_rejected(write, tsl, [
        rec(now, name="without", dims=[{"Name": "region", "Value": "r"}]),
        rec(now, name="with", dims=[{"Name": "hostname", "Value": "h"}]),
    ])
    r = one_rejection(rejected, 0)
    assert r["Reason"], r
    # supplied through CommonAttributes counts
    ingested(put(write, [rec(now, name="common", dims=[])],
                 common={"Dimensions": [{"Name": "hostname", "Value": "h"}]}), 1, 1)
    assert sorted(x["measure_name"] for x in read_records(tsl, endpoint)) == ["common", "with"]


def test_optional_dimension_partition_key(write, tsl, endpoint):
    make_table(write, schema={"CompositePartitionKey": [
        {"Type": "DIMENSION", "Name": "hostname", "EnforcementInRecord": "OPTIONAL"}]})
    now = engine_now_ms(tsl, endpoint)
    ingested(put(write, [
        rec(now, name="without", dims=[{"Name": "region", "Value": "r"}]),
        rec(now, name="with", dims=[{"Name": "hostname", "Value": "h"}]),
    ]), 2, 2)
    assert len(read_records(tsl, endpoint)) == 2


def test_enforcement_change_to_optional_applies(write, tsl, endpoint):
    make_table(write, schema={"CompositePartitionKey": [
        {"Type": "DIMENSION", "Name": "hostname", "EnforcementInRecord": "REQUIRED"}]})
    now = engine_now_ms(tsl, endpoint)
    no_host = [{"Name": "region", "Value": "r"}]
    one_rejection(put_rejected(write, tsl, [rec(now, dims=no_host)]), 0)
    write.update_table(DatabaseName=DB, TableName=TBL, Schema={"CompositePartitionKey": [
        {"Type": "DIMENSION", "Name": "hostname", "EnforcementInRecord": "OPTIONAL"}]})
    ingested(put(write, [rec(now, dims=no_host)]), 1, 1)


# --------------------------------------------------------------------------
# unknown resources
# --------------------------------------------------------------------------


def test_unknown_database(write, tsl, endpoint):
    now = engine_now_ms(tsl, endpoint)
    with tsl.raises("ResourceNotFoundException", "The database ghost_db does not exist.",
                    status=404):
        put(write, [rec(now)], db="ghost_db", table="t")


def test_unknown_table(write, tsl, endpoint):
    write.create_database(DatabaseName=DB)
    now = engine_now_ms(tsl, endpoint)
    with tsl.raises("ResourceNotFoundException", "The table ghost_t does not exist.",
                    status=404):
        put(write, [rec(now)], table="ghost_t")


# --------------------------------------------------------------------------
# tiering, expiry, deletion, retention changes
# --------------------------------------------------------------------------


def test_tiering_and_expiry_follow_the_clock(write, tsl, endpoint, clock):
    make_table(write, mem_h=1, mag_d=1)
    now = clock.freeze_ms()
    ingested(put(write, [rec(now, value="4.5")]), 1, 1)
    [r] = read_records(tsl, endpoint)
    assert r["tier"] == "memory"
    assert memory_tier_records(tsl, endpoint) == 1
    bytes_before = admin_get(tsl, endpoint, "state")["memory_tier"]["bytes"]
    assert bytes_before > 0

    clock.advance_ms(2 * MS_PER_H)
    [r] = read_records(tsl, endpoint)
    assert r["tier"] == "magnetic"
    assert r["measures"] == {"DOUBLE": 4.5}
    assert r["time_ns"] == now * NS_PER_MS
    assert memory_tier_records(tsl, endpoint) == 0

    clock.advance_ms(2 * MS_PER_DAY)
    assert read_records(tsl, endpoint) == []
    assert memory_tier_records(tsl, endpoint) == 0


def test_tiering_running_clock_offset(write, tsl, endpoint, clock):
    make_table(write, mem_h=1, mag_d=1)
    now = engine_now_ms(tsl, endpoint)
    ingested(put(write, [rec(now, name="a"), rec(now - 30 * MS_PER_MIN, name="b")]), 2, 2)
    clock.set(offset_ns=45 * MS_PER_MIN * NS_PER_MS)
    got = by_measure(read_records(tsl, endpoint))
    assert got["a"]["tier"] == "memory"
    assert got["b"]["tier"] == "magnetic"
    assert memory_tier_records(tsl, endpoint) == 1


def test_delete_table_removes_records(write, tsl, endpoint):
    make_table(write)
    now = engine_now_ms(tsl, endpoint)
    ingested(put(write, [rec(now, name="a"), rec(now, name="b")]), 2, 2)
    write.delete_table(DatabaseName=DB, TableName=TBL)
    make_table(write, create_db=False)
    assert read_records(tsl, endpoint) == []
    assert memory_tier_records(tsl, endpoint) == 0
    # the old schema is gone too: 'a' may now be BIGINT
    ingested(put(write, [rec(now, name="a", value="1", vtype="BIGINT")]), 1, 1)
    [r] = read_records(tsl, endpoint)
    assert r["measures"] == {"BIGINT": 1} and r["version"] == 1


def test_update_table_lengthening_memory_retention(write, tsl, endpoint, clock):
    make_table(write, mem_h=1, mag_d=30)
    change = clock.freeze_ms()
    write.update_table(DatabaseName=DB, TableName=TBL, RetentionProperties={
        "MemoryStoreRetentionPeriodInHours": 24, "MagneticStoreRetentionPeriodInDays": 30})

    # right after the change, the old (1 h) lower bound still holds
    r = one_rejection(put_rejected(write, tsl, [rec(change - 3 * MS_PER_H, name="old")]), 0)
    m = MEMORY_WINDOW_RE.match(r["Reason"])
    assert m, r["Reason"]
    assert parse_iso_ms(m.group(1)) == change - MS_PER_H, r["Reason"]
    assert parse_iso_ms(m.group(2)) == change + 15 * MS_PER_MIN, r["Reason"]
    ingested(put(write, [rec(change - MS_PER_H + 1000, name="recent")]), 1, 1)

    # the window fills in as time passes: 2 h later, 3 h back is inside
    clock.advance_ms(2 * MS_PER_H + MS_PER_MIN)
    now = change + 2 * MS_PER_H + MS_PER_MIN
    ingested(put(write, [rec(now - 3 * MS_PER_H, name="three_h")]), 1, 1)
    # ...but what was older than 1 h at the time of the change still is not
    one_rejection(put_rejected(write, tsl, [rec(change - 3 * MS_PER_H, name="old")]), 0)

    # a full day later the whole 24 h window is usable
    clock.advance_ms(MS_PER_DAY)
    now += MS_PER_DAY
    ingested(put(write, [rec(now - 23 * MS_PER_H, name="twenty_three_h")]), 1, 1)
    r = one_rejection(put_rejected(write, tsl, [rec(now - 25 * MS_PER_H, name="x")]), 0)
    m = MEMORY_WINDOW_RE.match(r["Reason"])
    assert m and parse_iso_ms(m.group(1)) == now - 24 * MS_PER_H, r["Reason"]


def test_update_table_shortening_memory_retention(write, tsl, endpoint, clock):
    make_table(write, mem_h=24, mag_d=30)
    now = clock.freeze_ms()
    ingested(put(write, [rec(now - 3 * MS_PER_H, name="before")]), 1, 1)
    write.update_table(DatabaseName=DB, TableName=TBL, RetentionProperties={
        "MemoryStoreRetentionPeriodInHours": 1, "MagneticStoreRetentionPeriodInDays": 30})
    r = one_rejection(put_rejected(write, tsl, [rec(now - 3 * MS_PER_H, name="after")]), 0)
    assert r["Reason"] == (
        f"The record timestamp is outside the time range [{iso_ms(now - MS_PER_H)}, "
        f"{iso_ms(now + 15 * MS_PER_MIN)}) of the memory store."
    ), r
    ingested(put(write, [rec(now - 30 * MS_PER_MIN, name="recent")]), 1, 1)
    # the data written before the change is still there
    assert sorted(x["measure_name"] for x in read_records(tsl, endpoint)) == ["before", "recent"]


def test_enabling_magnetic_writes_via_update_table(write, tsl, endpoint):
    make_table(write, mem_h=1, mag_d=2)
    now = engine_now_ms(tsl, endpoint)
    one_rejection(put_rejected(write, tsl, [rec(now - 5 * MS_PER_H)]), 0)
    write.update_table(DatabaseName=DB, TableName=TBL,
                       MagneticStoreWriteProperties={"EnableMagneticStoreWrites": True})
    ingested(put(write, [rec(now - 5 * MS_PER_H)]), 1, 0, 1)
    [r] = read_records(tsl, endpoint)
    assert r["tier"] == "magnetic"


# --------------------------------------------------------------------------
# concurrency
# --------------------------------------------------------------------------


def test_concurrent_writers(table, tsl, endpoint):
    threads_n, calls, per_call = 8, 50, 100
    base = engine_now_ms(tsl, endpoint) - 10 * MS_PER_MIN
    acknowledged = [[] for _ in range(threads_n)]
    failures = []

    def worker(tid):
        client = tsl.write(endpoint)
        for c in range(calls):
            records = [
                rec(base + c * per_call + j, name="m", value=str(j),
                    dims=[{"Name": "writer", "Value": f"w{tid}"}])
                for j in range(per_call)
            ]
            try:
                resp = client.write_records(DatabaseName=DB, TableName=TBL, Records=records)
            except Exception as e:  # noqa: BLE001 - reported below
                failures.append((tid, c, repr(e)))
                continue
            if resp["RecordsIngested"]["Total"] != per_call:
                failures.append((tid, c, resp["RecordsIngested"]))
                continue
            acknowledged[tid].extend((f"w{tid}", (base + c * per_call + j) * NS_PER_MS)
                                     for j in range(per_call))

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(threads_n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert not any(t.is_alive() for t in threads), "writers did not finish"

    stored = read_records(tsl, endpoint)
    keys = [(r["dimensions"][0][1], r["time_ns"]) for r in stored]
    counts = {}
    for k in keys:
        counts[k] = counts.get(k, 0) + 1
    dups = {k: n for k, n in counts.items() if n > 1}
    assert not dups, f"{len(dups)} records stored more than once"
    acked = [k for per in acknowledged for k in per]
    missing = [k for k in acked if k not in counts]
    assert not missing, f"{len(missing)} acknowledged records missing, e.g. {missing[:3]}"
    assert not failures, f"{len(failures)} calls failed, e.g. {failures[:3]}"
    assert len(stored) == threads_n * calls * per_call
    assert memory_tier_records(tsl, endpoint) == threads_n * calls * per_call
