"""Coral-style input validation (wire-protocol.md §5.10, compat-tests/README.md).

botocore only checks `required`, JSON types and minimums client-side, so these
tests use a client with parameter_validation=False (``write_nv``) or raw signed
requests (``tsl.raw``) to reach the server with invalid input.
"""

import pytest

LEN_MIN_3 = "Member must have length greater than or equal to 3"
LEN_MAX_256 = "Member must have length less than or equal to 256"
NAME_PATTERN = "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"
NOT_NULL = "Member must not be null"
CORAL_TYPE = "com.amazon.coral.validate#ValidationException"


def test_validation_length_min_database_name(write_nv, tsl):
    msg = tsl.coral([tsl.violation("ab", "databaseName", LEN_MIN_3)])
    assert msg == ("1 validation error detected: Value 'ab' at 'databaseName' failed to satisfy "
                   "constraint: Member must have length greater than or equal to 3")
    with tsl.raises("ValidationException", msg, status=400):
        write_nv.create_database(DatabaseName="ab")
    assert write_nv.list_databases()["Databases"] == []


def test_validation_length_min_table_name(write_nv, tsl):
    write_nv.create_database(DatabaseName="val_db")
    msg = tsl.coral([tsl.violation("t", "tableName", LEN_MIN_3)])
    with tsl.raises("ValidationException", msg, status=400):
        write_nv.create_table(DatabaseName="val_db", TableName="t")


def test_validation_length_max_database_name(write_nv, tsl):
    long_name = "x" * 257
    msg = tsl.coral([tsl.violation(long_name, "databaseName", LEN_MAX_256)])
    with tsl.raises("ValidationException", msg, status=400):
        write_nv.create_database(DatabaseName=long_name)
    # 256 is fine.
    ok = "y" * 256
    assert write_nv.create_database(DatabaseName=ok)["Database"]["DatabaseName"] == ok


def test_validation_pattern_database_name(write_nv, tsl):
    msg = tsl.coral([tsl.violation("bad name!", "databaseName", NAME_PATTERN)])
    with tsl.raises("ValidationException", msg, status=400):
        write_nv.create_database(DatabaseName="bad name!")


def test_validation_raw_coral_type(endpoint, tsl):
    r = tsl.raw(endpoint, "CreateDatabase", {"DatabaseName": "bad name!"})
    assert r.status == 400, r
    assert r.json["__type"] == CORAL_TYPE, r
    assert r.message == tsl.coral([tsl.violation("bad name!", "databaseName", NAME_PATTERN)]), r
    assert r.headers.get("content-type", "").startswith("application/x-amz-json-1.0"), r.headers


@pytest.mark.parametrize("value,constraint", [
    (21, "Member must have value less than or equal to 20"),
    (0, "Member must have value greater than or equal to 1"),
])
def test_validation_range_max_results(write_nv, tsl, value, constraint):
    msg = tsl.coral([tsl.violation(str(value), "maxResults", constraint)])
    with tsl.raises("ValidationException", msg, status=400):
        write_nv.list_databases(MaxResults=value)
    with tsl.raises("ValidationException", msg, status=400):
        write_nv.list_tables(MaxResults=value)


@pytest.mark.parametrize("hours,constraint", [
    (0, "Member must have value greater than or equal to 1"),
    (9000, "Member must have value less than or equal to 8766"),
])
def test_validation_range_memory_retention(write_nv, tsl, hours, constraint):
    write_nv.create_database(DatabaseName="ret_db")
    msg = tsl.coral([tsl.violation(
        str(hours), "retentionProperties.memoryStoreRetentionPeriodInHours", constraint)])
    retention = {"MemoryStoreRetentionPeriodInHours": hours,
                 "MagneticStoreRetentionPeriodInDays": 365}
    with tsl.raises("ValidationException", msg, status=400):
        write_nv.create_table(DatabaseName="ret_db", TableName="tbl", RetentionProperties=retention)
    write_nv.create_table(DatabaseName="ret_db", TableName="ok_t")
    with tsl.raises("ValidationException", msg, status=400):
        write_nv.update_table(DatabaseName="ret_db", TableName="ok_t", RetentionProperties=retention)
    # The failed update changed nothing.
    t = write_nv.describe_table(DatabaseName="ret_db", TableName="ok_t")["Table"]
    assert t["RetentionProperties"]["MemoryStoreRetentionPeriodInHours"] == 6


def test_validation_range_magnetic_retention(write_nv, tsl):
    write_nv.create_database(DatabaseName="ret_db")
    msg = tsl.coral([tsl.violation(
        "73001", "retentionProperties.magneticStoreRetentionPeriodInDays",
        "Member must have value less than or equal to 73000")])
    with tsl.raises("ValidationException", msg, status=400):
        write_nv.create_table(
            DatabaseName="ret_db", TableName="tbl",
            RetentionProperties={"MemoryStoreRetentionPeriodInHours": 6,
                                 "MagneticStoreRetentionPeriodInDays": 73001})


def test_validation_enum_partition_key_type(write_nv, tsl):
    write_nv.create_database(DatabaseName="enum_db")
    msg = tsl.coral([tsl.violation(
        "FOO", "schema.compositePartitionKey.1.member.type",
        "Member must satisfy enum value set: [DIMENSION, MEASURE]")])
    with tsl.raises("ValidationException", msg, status=400):
        write_nv.create_table(
            DatabaseName="enum_db", TableName="tbl",
            Schema={"CompositePartitionKey": [{"Type": "FOO"}]})


def test_validation_enum_query_pricing_model(tsl, endpoint):
    q = tsl.query(endpoint, validate=False)
    msg = tsl.coral([tsl.violation(
        "FOO", "queryPricingModel",
        "Member must satisfy enum value set: [BYTES_SCANNED, COMPUTE_UNITS]")])
    with tsl.raises("ValidationException", msg, status=400):
        q.update_account_settings(QueryPricingModel="FOO")


def test_validation_tag_key_length(write_nv, tsl):
    key = "k" * 129
    msg = tsl.coral([tsl.violation(
        key, "tags.1.member.key", "Member must have length less than or equal to 128")])
    with tsl.raises("ValidationException", msg, status=400):
        write_nv.create_database(DatabaseName="tagval_db", Tags=[{"Key": key, "Value": "v"}])


def test_validation_resource_arn_empty(write_nv, tsl):
    msg = tsl.coral([tsl.violation(
        "", "resourceARN", "Member must have length greater than or equal to 1")])
    with tsl.raises("ValidationException", msg, status=400):
        write_nv.list_tags_for_resource(ResourceARN="")


def test_validation_required_null(endpoint, tsl):
    r = tsl.raw(endpoint, "CreateDatabase", {})
    assert r.status == 400, r
    assert r.error_type == "ValidationException", r
    assert r.json["__type"] == CORAL_TYPE, r
    assert r.message == "1 validation error detected: Value null at 'databaseName' failed to satisfy constraint: Member must not be null", r

    r = tsl.raw(endpoint, "DescribeTable", {"DatabaseName": "x_db"})
    assert r.status == 400, r
    assert r.message == tsl.coral([tsl.violation(None, "tableName", NOT_NULL)]), r


def test_validation_required_null_nested(write_nv, tsl):
    write_nv.create_database(DatabaseName="null_db")
    msg = tsl.coral([tsl.violation(
        None, "retentionProperties.magneticStoreRetentionPeriodInDays", NOT_NULL)])
    with tsl.raises("ValidationException", msg, status=400):
        write_nv.create_table(DatabaseName="null_db", TableName="tbl",
                              RetentionProperties={"MemoryStoreRetentionPeriodInHours": 6})


def _items(message):
    head, _, rest = message.partition(": ")
    return head, set(rest.split("; "))


def test_validation_several_violations(write_nv, tsl):
    write_nv.create_database(DatabaseName="multi_db")
    with tsl.raises("ValidationException", status=400) as h:
        write_nv.create_table(
            DatabaseName="multi_db", TableName="t_ok",
            RetentionProperties={"MemoryStoreRetentionPeriodInHours": 0,
                                 "MagneticStoreRetentionPeriodInDays": 80000})
    message = h["error"].response["Error"]["Message"]
    head, items = _items(message)
    assert head == "2 validation errors detected", message
    assert items == {
        tsl.violation("0", "retentionProperties.memoryStoreRetentionPeriodInHours",
                      "Member must have value greater than or equal to 1"),
        tsl.violation("80000", "retentionProperties.magneticStoreRetentionPeriodInDays",
                      "Member must have value less than or equal to 73000"),
    }, message


def test_validation_several_violations_same_member(write_nv, tsl):
    with tsl.raises("ValidationException", status=400) as h:
        write_nv.create_database(DatabaseName="a!")
    message = h["error"].response["Error"]["Message"]
    head, items = _items(message)
    assert head == "2 validation errors detected", message
    assert items == {
        tsl.violation("a!", "databaseName", LEN_MIN_3),
        tsl.violation("a!", "databaseName", NAME_PATTERN),
    }, message


def test_validation_before_existence_checks(write_nv, tsl):
    """Framework validation answers before the database lookup."""
    msg = tsl.coral([tsl.violation("bad name!", "tableName", NAME_PATTERN)])
    with tsl.raises("ValidationException", msg, status=400):
        write_nv.create_table(DatabaseName="does_not_exist", TableName="bad name!")
