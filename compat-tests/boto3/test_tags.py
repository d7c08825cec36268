"""Tagging (wire-protocol.md §5.8): shared TagResource/UntagResource/ListTagsForResource."""

ACCOUNT = "123456789012"
DB_ARN = f"arn:aws:timestream:us-east-1:{ACCOUNT}:database/tagged_db"
TABLE_ARN = f"arn:aws:timestream:us-east-1:{ACCOUNT}:database/tagged_db/table/tagged_t"


def tags_of(resp):
    return {t["Key"]: t["Value"] for t in resp["Tags"]}


def test_create_database_with_tags(write, query):
    db = write.create_database(
        DatabaseName="tagged_db",
        Tags=[{"Key": "env", "Value": "dev"}, {"Key": "team", "Value": "iot"}],
    )["Database"]
    assert db["Arn"] == DB_ARN
    assert tags_of(write.list_tags_for_resource(ResourceARN=DB_ARN)) == {"env": "dev", "team": "iot"}
    # The query client sends the same X-Amz-Target; the database ARN routes it.
    q = query.list_tags_for_resource(ResourceARN=DB_ARN)
    assert tags_of(q) == {"env": "dev", "team": "iot"}
    assert "NextToken" not in q


def test_create_table_with_tags(write, query):
    write.create_database(DatabaseName="tagged_db")
    t = write.create_table(
        DatabaseName="tagged_db", TableName="tagged_t",
        Tags=[{"Key": "kind", "Value": "metrics"}],
    )["Table"]
    assert t["Arn"] == TABLE_ARN
    assert tags_of(write.list_tags_for_resource(ResourceARN=TABLE_ARN)) == {"kind": "metrics"}
    assert tags_of(query.list_tags_for_resource(ResourceARN=TABLE_ARN)) == {"kind": "metrics"}
    # Table tags are not the database's.
    assert write.list_tags_for_resource(ResourceARN=DB_ARN)["Tags"] == []


def test_tag_resource_overwrite_and_untag(write, query):
    write.create_database(DatabaseName="tagged_db", Tags=[{"Key": "env", "Value": "dev"}])
    write.tag_resource(
        ResourceARN=DB_ARN,
        Tags=[{"Key": "env", "Value": "prod"}, {"Key": "owner", "Value": "alice"},
              {"Key": "Env", "Value": "case-sensitive"}],
    )
    assert tags_of(write.list_tags_for_resource(ResourceARN=DB_ARN)) == {
        "env": "prod", "owner": "alice", "Env": "case-sensitive"}

    write.untag_resource(ResourceARN=DB_ARN, TagKeys=["owner", "Env"])
    assert tags_of(write.list_tags_for_resource(ResourceARN=DB_ARN)) == {"env": "prod"}
    assert tags_of(query.list_tags_for_resource(ResourceARN=DB_ARN)) == {"env": "prod"}

    # Empty value is allowed (TagValue 0..256).
    write.tag_resource(ResourceARN=DB_ARN, Tags=[{"Key": "empty", "Value": ""}])
    assert tags_of(write.list_tags_for_resource(ResourceARN=DB_ARN))["empty"] == ""


def test_tag_resource_via_query_client(write, query):
    write.create_database(DatabaseName="tagged_db")
    query.tag_resource(ResourceARN=DB_ARN, Tags=[{"Key": "via", "Value": "query"}])
    assert tags_of(write.list_tags_for_resource(ResourceARN=DB_ARN)) == {"via": "query"}
    query.untag_resource(ResourceARN=DB_ARN, TagKeys=["via"])
    assert write.list_tags_for_resource(ResourceARN=DB_ARN)["Tags"] == []


def test_tags_unknown_arn(write, query, tsl):
    ghost = f"arn:aws:timestream:us-east-1:{ACCOUNT}:database/ghost"
    ghost_table = f"arn:aws:timestream:us-east-1:{ACCOUNT}:database/ghost/table/t"
    with tsl.raises("ResourceNotFoundException", status=404):
        write.list_tags_for_resource(ResourceARN=ghost)
    with tsl.raises("ResourceNotFoundException", status=404):
        query.list_tags_for_resource(ResourceARN=ghost)
    with tsl.raises("ResourceNotFoundException", status=404):
        write.tag_resource(ResourceARN=ghost, Tags=[{"Key": "k", "Value": "v"}])
    with tsl.raises("ResourceNotFoundException", status=404):
        write.untag_resource(ResourceARN=ghost, TagKeys=["k"])
    with tsl.raises("ResourceNotFoundException", status=404):
        write.list_tags_for_resource(ResourceARN=ghost_table)


def test_tags_gone_after_delete_and_recreate(write):
    write.create_database(DatabaseName="tagged_db", Tags=[{"Key": "old", "Value": "1"}])
    write.delete_database(DatabaseName="tagged_db")
    write.create_database(DatabaseName="tagged_db")
    assert write.list_tags_for_resource(ResourceARN=DB_ARN)["Tags"] == []
