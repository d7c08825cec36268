"""Database catalog scenarios (wire-protocol.md §5.2) through boto3 with endpoint_url=."""

import datetime as dt
import time

ACCOUNT = "123456789012"
REGION = "us-east-1"


def db_arn(name, region=REGION, account=ACCOUNT):
    return f"arn:aws:timestream:{region}:{account}:database/{name}"


def test_create_database(write):
    resp = write.create_database(DatabaseName="monitoring")
    db = resp["Database"]
    assert db["DatabaseName"] == "monitoring"
    assert db["Arn"] == db_arn("monitoring")
    assert db["TableCount"] == 0
    assert isinstance(db.get("KmsKeyId"), str) and db["KmsKeyId"], db
    assert db["KmsKeyId"].startswith("arn:aws:kms:"), db["KmsKeyId"]
    assert isinstance(db["CreationTime"], dt.datetime)
    assert db["CreationTime"] == db["LastUpdatedTime"]
    now = dt.datetime.now(dt.timezone.utc)
    assert abs((now - db["CreationTime"]).total_seconds()) < 120, db["CreationTime"]
    # Describe returns the same record.
    desc = write.describe_database(DatabaseName="monitoring")["Database"]
    for key in ("Arn", "DatabaseName", "TableCount", "KmsKeyId", "CreationTime", "LastUpdatedTime"):
        assert desc[key] == db[key], key


def test_create_database_with_kms_key(write):
    key = "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555"
    db = write.create_database(DatabaseName="withkey", KmsKeyId=key)["Database"]
    assert db["KmsKeyId"] == key
    assert write.describe_database(DatabaseName="withkey")["Database"]["KmsKeyId"] == key


def test_create_database_conflict(write, tsl):
    write.create_database(DatabaseName="dup_db")
    with tsl.raises("ConflictException", "The database dup_db already exists.", status=409):
        write.create_database(DatabaseName="dup_db")
    # Names are case-sensitive: a different case is a different database.
    assert write.create_database(DatabaseName="DUP_db")["Database"]["DatabaseName"] == "DUP_db"


def test_describe_database_not_found(write, tsl):
    with tsl.raises("ResourceNotFoundException", "The database nope_db does not exist.", status=404):
        write.describe_database(DatabaseName="nope_db")


def test_update_database(write, tsl):
    created = write.create_database(DatabaseName="upd_db")["Database"]
    time.sleep(1.1)
    new_key = "arn:aws:kms:us-east-1:123456789012:key/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
    updated = write.update_database(DatabaseName="upd_db", KmsKeyId=new_key)["Database"]
    assert updated["KmsKeyId"] == new_key
    assert updated["DatabaseName"] == "upd_db"
    assert updated["Arn"] == created["Arn"]
    assert updated["CreationTime"] == created["CreationTime"]
    assert updated["LastUpdatedTime"] > created["LastUpdatedTime"], (created, updated)
    described = write.describe_database(DatabaseName="upd_db")["Database"]
    assert described["KmsKeyId"] == new_key
    assert described["LastUpdatedTime"] == updated["LastUpdatedTime"]

    # Same key again: no change, LastUpdatedTime stays.
    time.sleep(1.1)
    same = write.update_database(DatabaseName="upd_db", KmsKeyId=new_key)["Database"]
    assert same["KmsKeyId"] == new_key
    assert same["LastUpdatedTime"] == updated["LastUpdatedTime"], (updated, same)

    with tsl.raises("ResourceNotFoundException", "The database missing_db does not exist.", status=404):
        write.update_database(DatabaseName="missing_db", KmsKeyId=new_key)


def test_delete_database(write, tsl):
    write.create_database(DatabaseName="del_db")
    resp = write.delete_database(DatabaseName="del_db")
    assert resp["ResponseMetadata"]["HTTPStatusCode"] == 200
    with tsl.raises("ResourceNotFoundException", "The database del_db does not exist."):
        write.describe_database(DatabaseName="del_db")
    names = [d["DatabaseName"] for d in write.list_databases()["Databases"]]
    assert "del_db" not in names
    with tsl.raises("ResourceNotFoundException", "The database del_db does not exist.", status=404):
        write.delete_database(DatabaseName="del_db")
    # The name can be reused afterwards.
    assert write.create_database(DatabaseName="del_db")["Database"]["TableCount"] == 0


def test_delete_database_not_empty(write, tsl):
    write.create_database(DatabaseName="full_db")
    write.create_table(DatabaseName="full_db", TableName="tbl1")
    with tsl.raises(
        "ValidationException",
        "Cannot delete database full_db because it still has tables. Delete the tables first.",
        status=400,
    ):
        write.delete_database(DatabaseName="full_db")
    # Still there, still has its table.
    assert write.describe_database(DatabaseName="full_db")["Database"]["TableCount"] == 1
    write.delete_table(DatabaseName="full_db", TableName="tbl1")
    write.delete_database(DatabaseName="full_db")
    with tsl.raises("ResourceNotFoundException"):
        write.describe_database(DatabaseName="full_db")


def test_list_databases_pagination(write):
    expected = {f"page_db_{i:02d}" for i in range(25)}
    for name in sorted(expected):
        write.create_database(DatabaseName=name)

    sizes = []
    seen = []
    tokens = []
    kwargs = {"MaxResults": 10}
    for _ in range(10):  # bounded
        page = write.list_databases(**kwargs)
        dbs = page["Databases"]
        sizes.append(len(dbs))
        seen.extend(d["DatabaseName"] for d in dbs)
        for d in dbs:
            assert d["Arn"] == db_arn(d["DatabaseName"])
            assert d["TableCount"] == 0
        token = page.get("NextToken")
        if not token:
            assert "NextToken" not in page, "last page must omit NextToken (not send empty)"
            break
        assert token not in tokens, "NextToken repeated"
        tokens.append(token)
        kwargs = {"MaxResults": 10, "NextToken": token}
    assert sizes == [10, 10, 5]
    assert len(seen) == 25 and set(seen) == expected, seen


def test_list_databases_default_page(write):
    for i in range(3):
        write.create_database(DatabaseName=f"small_{i}")
    page = write.list_databases()
    assert sorted(d["DatabaseName"] for d in page["Databases"]) == ["small_0", "small_1", "small_2"]
    assert "NextToken" not in page


def test_list_databases_empty(write):
    page = write.list_databases()
    assert page["Databases"] == []
    assert "NextToken" not in page


def test_table_count_live(write):
    write.create_database(DatabaseName="count_db")
    assert write.describe_database(DatabaseName="count_db")["Database"]["TableCount"] == 0
    write.create_table(DatabaseName="count_db", TableName="tbl_a")
    write.create_table(DatabaseName="count_db", TableName="tbl_b")
    assert write.describe_database(DatabaseName="count_db")["Database"]["TableCount"] == 2
    listed = {d["DatabaseName"]: d for d in write.list_databases()["Databases"]}
    assert listed["count_db"]["TableCount"] == 2
    write.delete_table(DatabaseName="count_db", TableName="tbl_a")
    assert write.describe_database(DatabaseName="count_db")["Database"]["TableCount"] == 1
