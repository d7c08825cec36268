"""Requests built to cost the server CPU (issue 17) get a clean AWS answer, do not starve anyone
else, and leave the server correct.

Each hostile request runs in a thread while a plain ListDatabases is timed: it must be answered
within 2 s. The hostile request itself must come back (no dropped connection) with AWS's error,
and the server must answer correctly afterwards.
"""

from __future__ import annotations

import threading
import time

import botocore.exceptions
import pytest

DB, TABLE = "starve_db", "starve_t"
TOO_LARGE = "line 1:1: statement is too large (stack overflow while parsing)"


@pytest.fixture
def table(write):
    write.create_database(DatabaseName=DB)
    write.create_table(DatabaseName=DB, TableName=TABLE)
    yield
    write.delete_table(DatabaseName=DB, TableName=TABLE)
    write.delete_database(DatabaseName=DB)


def wide_record(measures: int) -> dict:
    return {
        "Dimensions": [{"Name": "host", "Value": "a"}],
        "MeasureName": "wide",
        "MeasureValueType": "MULTI",
        "MeasureValues": [
            {"Name": f"m{i}", "Value": str(i), "Type": "BIGINT"} for i in range(measures)
        ],
        "Time": str(int(time.time() * 1000)),
    }


def hostile_cases(write, query):
    """(name, call, check of the raised ClientError)."""

    def write_wide():
        write.write_records(DatabaseName=DB, TableName=TABLE, Records=[wide_record(100_000)])

    def rejected_at_256(e):
        assert e.response["Error"]["Code"] == "RejectedRecordsException"
        [rejected] = e.response["RejectedRecords"]
        assert rejected["RecordIndex"] == 0
        assert "at most 256" in rejected["Reason"], rejected

    def too_large(e):
        assert e.response["Error"]["Code"] == "ValidationException"
        assert e.response["Error"]["Message"] == TOO_LARGE

    def validation(fragment):
        def check(e):
            assert e.response["Error"]["Code"] == "ValidationException"
            assert fragment in e.response["Error"]["Message"], e.response["Error"]["Message"]

        return check

    return [
        ("100 000 measures in one record", write_wide, rejected_at_256),
        ("ARRAY nested 2 000 deep",
         lambda: query.query(QueryString="SELECT " + "ARRAY[" * 2000 + "1" + "]" * 2000),
         too_large),
        ("3 000 UNION ALL",
         lambda: query.query(QueryString=" UNION ALL ".join(["SELECT 1"] * 3000)),
         too_large),
        ("multi-byte character inside a cast suffix",
         lambda: query.query(QueryString=f"SELECT measure_value::doubl€ FROM {DB}.{TABLE}"),
         validation("found: €")),
        ("error position after multi-byte literals",
         lambda: query.query(QueryString="SELECT '" + "€" * 3000 + "', nosuchcolumn"),
         validation("nosuchcolumn")),
    ]


def test_hostile_requests_are_answered_without_starving_others(table, write, query):
    for name, hostile, check in hostile_cases(write, query):
        outcome = {}

        def run():
            started = time.monotonic()
            try:
                hostile()
                outcome["result"] = "succeeded"
            except botocore.exceptions.ClientError as e:
                outcome["error"] = e
            except Exception as e:  # a dropped connection, a timeout: the finding itself
                outcome["result"] = repr(e)
            outcome["took"] = time.monotonic() - started

        worker = threading.Thread(target=run)
        worker.start()
        time.sleep(0.05)
        started = time.monotonic()
        databases = write.list_databases()["Databases"]
        waited = time.monotonic() - started
        worker.join(60)
        assert not worker.is_alive(), f"{name}: no answer within 60 s"
        assert waited < 2.0, f"{name}: ListDatabases waited {waited:.2f} s"
        assert DB in [d["DatabaseName"] for d in databases]
        assert "error" in outcome, f"{name}: {outcome}"
        check(outcome["error"])
        print(f"{name}: answered in {outcome['took']:.2f} s, ListDatabases in {waited:.3f} s")

    # Still correct: a write and its read.
    now = str(int(time.time() * 1000))
    write.write_records(DatabaseName=DB, TableName=TABLE, Records=[{
        "Dimensions": [{"Name": "host", "Value": "a"}], "MeasureName": "cpu",
        "MeasureValue": "1.5", "MeasureValueType": "DOUBLE", "Time": now}])
    rows = query.query(QueryString=f"SELECT measure_value::double FROM {DB}.{TABLE}")["Rows"]
    assert rows == [{"Data": [{"ScalarValue": "1.5"}]}]
