"""Table catalog scenarios (wire-protocol.md §5.3) through boto3 with endpoint_url=."""

import datetime as dt
import time

ACCOUNT = "123456789012"
REGION = "us-east-1"
TOO_MANY_KEYS = (
    "You have specified too many partition keys to be used in your composite partition key. "
    "Only 1 partition keys can be specified."
)


def table_arn(db, table, region=REGION, account=ACCOUNT):
    return f"arn:aws:timestream:{region}:{account}:database/{db}/table/{table}"


def assert_default_schema(schema):
    keys = schema["CompositePartitionKey"]
    assert len(keys) == 1, schema
    assert keys[0]["Type"] == "MEASURE", schema


def test_create_table_defaults(write):
    write.create_database(DatabaseName="defaults_db")
    t = write.create_table(DatabaseName="defaults_db", TableName="metrics")["Table"]
    assert t["TableName"] == "metrics"
    assert t["DatabaseName"] == "defaults_db"
    assert t["Arn"] == table_arn("defaults_db", "metrics")
    assert t["TableStatus"] == "ACTIVE"
    assert t["RetentionProperties"] == {
        "MemoryStoreRetentionPeriodInHours": 6,
        "MagneticStoreRetentionPeriodInDays": 73000,
    }
    assert t["MagneticStoreWriteProperties"]["EnableMagneticStoreWrites"] is False
    assert "MagneticStoreRejectedDataLocation" not in t["MagneticStoreWriteProperties"]
    assert_default_schema(t["Schema"])
    assert isinstance(t["CreationTime"], dt.datetime)
    assert t["CreationTime"] == t["LastUpdatedTime"]

    d = write.describe_table(DatabaseName="defaults_db", TableName="metrics")["Table"]
    for key in ("Arn", "TableName", "DatabaseName", "TableStatus", "RetentionProperties",
                "MagneticStoreWriteProperties", "Schema", "CreationTime", "LastUpdatedTime"):
        assert d[key] == t[key], key


def test_create_table_walkthrough(write):
    """The walkthrough's `create-table` (retention 24 h / 365 d) through boto3."""
    write.create_database(DatabaseName="monitoring")
    t = write.create_table(
        DatabaseName="monitoring",
        TableName="server_metrics",
        RetentionProperties={
            "MemoryStoreRetentionPeriodInHours": 24,
            "MagneticStoreRetentionPeriodInDays": 365,
        },
    )["Table"]
    assert t["Arn"] == table_arn("monitoring", "server_metrics")
    assert t["RetentionProperties"] == {
        "MemoryStoreRetentionPeriodInHours": 24,
        "MagneticStoreRetentionPeriodInDays": 365,
    }
    assert t["TableStatus"] == "ACTIVE"
    assert t["MagneticStoreWriteProperties"]["EnableMagneticStoreWrites"] is False
    assert_default_schema(t["Schema"])
    d = write.describe_table(DatabaseName="monitoring", TableName="server_metrics")["Table"]
    assert d["RetentionProperties"] == t["RetentionProperties"]
    assert write.describe_database(DatabaseName="monitoring")["Database"]["TableCount"] == 1


def test_create_table_full_options(write):
    write.create_database(DatabaseName="opts_db")
    mswp = {
        "EnableMagneticStoreWrites": True,
        "MagneticStoreRejectedDataLocation": {
            "S3Configuration": {
                "BucketName": "rejected-bucket",
                "ObjectKeyPrefix": "prefix",
                "EncryptionOption": "SSE_S3",
            }
        },
    }
    schema = {"CompositePartitionKey": [
        {"Type": "DIMENSION", "Name": "hostname", "EnforcementInRecord": "REQUIRED"}
    ]}
    t = write.create_table(
        DatabaseName="opts_db", TableName="tbl",
        MagneticStoreWriteProperties=mswp, Schema=schema,
    )["Table"]
    assert t["MagneticStoreWriteProperties"] == mswp
    assert t["Schema"] == schema
    d = write.describe_table(DatabaseName="opts_db", TableName="tbl")["Table"]
    assert d["MagneticStoreWriteProperties"] == mswp
    assert d["Schema"] == schema


def test_create_table_missing_database(write, tsl):
    with tsl.raises("ResourceNotFoundException", "The database ghost_db does not exist.", status=404):
        write.create_table(DatabaseName="ghost_db", TableName="tbl")


def test_create_table_conflict(write, tsl):
    write.create_database(DatabaseName="conf_db")
    write.create_table(DatabaseName="conf_db", TableName="dup_t")
    with tsl.raises("ConflictException", "The table dup_t already exists.", status=409):
        write.create_table(DatabaseName="conf_db", TableName="dup_t")
    # Same table name in another database is fine.
    write.create_database(DatabaseName="conf_db2")
    t = write.create_table(DatabaseName="conf_db2", TableName="dup_t")["Table"]
    assert t["Arn"] == table_arn("conf_db2", "dup_t")


def test_create_table_too_many_partition_keys(write, tsl):
    write.create_database(DatabaseName="pk_db")
    schema = {"CompositePartitionKey": [
        {"Type": "DIMENSION", "Name": "a", "EnforcementInRecord": "REQUIRED"},
        {"Type": "DIMENSION", "Name": "b", "EnforcementInRecord": "OPTIONAL"},
    ]}
    with tsl.raises("ValidationException", TOO_MANY_KEYS, status=400):
        write.create_table(DatabaseName="pk_db", TableName="tbl", Schema=schema)
    with tsl.raises("ResourceNotFoundException", "The table tbl does not exist."):
        write.describe_table(DatabaseName="pk_db", TableName="tbl")


def test_update_table(write, tsl):
    write.create_database(DatabaseName="ut_db")
    created = write.create_table(
        DatabaseName="ut_db", TableName="tbl",
        RetentionProperties={"MemoryStoreRetentionPeriodInHours": 24,
                             "MagneticStoreRetentionPeriodInDays": 365},
        Schema={"CompositePartitionKey": [
            {"Type": "DIMENSION", "Name": "host", "EnforcementInRecord": "REQUIRED"}]},
    )["Table"]
    time.sleep(1.1)

    # Only MagneticStoreWriteProperties supplied: retention and schema unchanged.
    t1 = write.update_table(
        DatabaseName="ut_db", TableName="tbl",
        MagneticStoreWriteProperties={"EnableMagneticStoreWrites": True},
    )["Table"]
    assert t1["MagneticStoreWriteProperties"]["EnableMagneticStoreWrites"] is True
    assert t1["RetentionProperties"] == created["RetentionProperties"]
    assert t1["Schema"] == created["Schema"]
    assert t1["Arn"] == created["Arn"]
    assert t1["TableStatus"] == "ACTIVE"
    assert t1["CreationTime"] == created["CreationTime"]
    assert t1["LastUpdatedTime"] > created["LastUpdatedTime"], (created, t1)

    # Only RetentionProperties supplied: magnetic writes and schema unchanged.
    t2 = write.update_table(
        DatabaseName="ut_db", TableName="tbl",
        RetentionProperties={"MemoryStoreRetentionPeriodInHours": 48,
                             "MagneticStoreRetentionPeriodInDays": 730},
    )["Table"]
    assert t2["RetentionProperties"] == {"MemoryStoreRetentionPeriodInHours": 48,
                                         "MagneticStoreRetentionPeriodInDays": 730}
    assert t2["MagneticStoreWriteProperties"]["EnableMagneticStoreWrites"] is True
    assert t2["Schema"] == created["Schema"]

    # Only Schema supplied: EnforcementInRecord may change; the rest stays.
    t3 = write.update_table(
        DatabaseName="ut_db", TableName="tbl",
        Schema={"CompositePartitionKey": [
            {"Type": "DIMENSION", "Name": "host", "EnforcementInRecord": "OPTIONAL"}]},
    )["Table"]
    assert t3["Schema"]["CompositePartitionKey"][0]["EnforcementInRecord"] == "OPTIONAL"
    assert t3["RetentionProperties"] == t2["RetentionProperties"]
    assert t3["MagneticStoreWriteProperties"]["EnableMagneticStoreWrites"] is True

    d = write.describe_table(DatabaseName="ut_db", TableName="tbl")["Table"]
    assert d["RetentionProperties"] == t2["RetentionProperties"]
    assert d["Schema"] == t3["Schema"]
    assert d["MagneticStoreWriteProperties"]["EnableMagneticStoreWrites"] is True

    with tsl.raises("ResourceNotFoundException", "The table nope does not exist.", status=404):
        write.update_table(DatabaseName="ut_db", TableName="nope",
                           MagneticStoreWriteProperties={"EnableMagneticStoreWrites": False})


def test_describe_table_not_found(write, tsl):
    write.create_database(DatabaseName="dt_db")
    with tsl.raises("ResourceNotFoundException", "The table missing_t does not exist.", status=404):
        write.describe_table(DatabaseName="dt_db", TableName="missing_t")
    with tsl.raises("ResourceNotFoundException", status=404) as h:
        write.describe_table(DatabaseName="no_such_db", TableName="missing_t")
    msg = h["error"].response["Error"]["Message"]
    assert msg in ("The database no_such_db does not exist.", "The table missing_t does not exist."), msg


def test_delete_table(write, tsl):
    write.create_database(DatabaseName="del_t_db")
    write.create_table(DatabaseName="del_t_db", TableName="gone")
    resp = write.delete_table(DatabaseName="del_t_db", TableName="gone")
    assert resp["ResponseMetadata"]["HTTPStatusCode"] == 200
    with tsl.raises("ResourceNotFoundException", "The table gone does not exist."):
        write.describe_table(DatabaseName="del_t_db", TableName="gone")
    assert write.list_tables(DatabaseName="del_t_db")["Tables"] == []


def test_delete_table_not_found(write, tsl):
    write.create_database(DatabaseName="dtnf_db")
    with tsl.raises("ResourceNotFoundException", "The table nope_t does not exist.", status=404):
        write.delete_table(DatabaseName="dtnf_db", TableName="nope_t")
    with tsl.raises("ResourceNotFoundException", status=404) as h:
        write.delete_table(DatabaseName="no_such_db", TableName="nope_t")
    msg = h["error"].response["Error"]["Message"]
    assert msg in ("The database no_such_db does not exist.", "The table nope_t does not exist."), msg


def test_list_tables(write, tsl):
    write.create_database(DatabaseName="lt_a")
    write.create_database(DatabaseName="lt_b")
    write.create_table(DatabaseName="lt_a", TableName="tbl1")
    write.create_table(DatabaseName="lt_a", TableName="tbl2")
    write.create_table(DatabaseName="lt_b", TableName="tbl3")

    in_a = write.list_tables(DatabaseName="lt_a")
    assert sorted(t["TableName"] for t in in_a["Tables"]) == ["tbl1", "tbl2"]
    assert all(t["DatabaseName"] == "lt_a" for t in in_a["Tables"])
    assert "NextToken" not in in_a
    for t in in_a["Tables"]:
        assert t["Arn"] == table_arn("lt_a", t["TableName"])
        assert t["TableStatus"] == "ACTIVE"
        assert t["RetentionProperties"]["MemoryStoreRetentionPeriodInHours"] == 6

    everything = write.list_tables()
    pairs = sorted((t["DatabaseName"], t["TableName"]) for t in everything["Tables"])
    assert pairs == [("lt_a", "tbl1"), ("lt_a", "tbl2"), ("lt_b", "tbl3")]

    with tsl.raises("ResourceNotFoundException", "The database lt_zzz does not exist.", status=404):
        write.list_tables(DatabaseName="lt_zzz")


def test_list_tables_pagination(write):
    write.create_database(DatabaseName="ltp_db")
    expected = {f"tbl_{i:02d}" for i in range(25)}
    for name in sorted(expected):
        write.create_table(DatabaseName="ltp_db", TableName=name)
    sizes, seen, tokens = [], [], []
    kwargs = {"DatabaseName": "ltp_db", "MaxResults": 10}
    for _ in range(10):
        page = write.list_tables(**kwargs)
        sizes.append(len(page["Tables"]))
        seen.extend(t["TableName"] for t in page["Tables"])
        token = page.get("NextToken")
        if not token:
            assert "NextToken" not in page
            break
        assert token not in tokens
        tokens.append(token)
        kwargs = {"DatabaseName": "ltp_db", "MaxResults": 10, "NextToken": token}
    assert sizes == [10, 10, 5]
    assert len(seen) == 25 and set(seen) == expected
