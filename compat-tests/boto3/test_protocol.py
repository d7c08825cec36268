"""Protocol-level behaviour: dispatch errors, headers, regions, endpoint discovery."""

import email.utils
import datetime as dt
import re

import pytest
from botocore.exceptions import ClientError


# ---------------------------------------------------------------- dispatch

def test_unknown_operation(endpoint, tsl):
    r = tsl.raw(endpoint, "FlyToTheMoon", {})
    assert r.status == 400, r
    assert r.error_type == "UnknownOperationException", r
    assert "x-amzn-requestid" in r.headers, r.headers


def test_unknown_operation_wrong_prefix(endpoint, tsl):
    r = tsl.raw(endpoint, None, {}, headers={"X-Amz-Target": "DynamoDB_20120810.ListTables"})
    assert r.status == 400, r
    assert r.error_type == "UnknownOperationException", r


def test_admin_api_not_reachable_through_target(endpoint, tsl, write):
    write.create_database(DatabaseName="keep_me")
    for target in ("reset", "_timestream_local/reset", "Reset"):
        r = tsl.raw(endpoint, target, {})
        assert r.status == 400, (target, r)
        assert r.error_type == "UnknownOperationException", (target, r)
    assert write.describe_database(DatabaseName="keep_me")["Database"]["DatabaseName"] == "keep_me"


def test_malformed_json(endpoint, tsl):
    r = tsl.raw(endpoint, "CreateDatabase", b'{"DatabaseName": "x_db"')
    assert r.status == 400, r
    assert r.error_type == "SerializationException", r
    r = tsl.raw(endpoint, "ListDatabases", b"not json at all")
    assert r.status == 400, r
    assert r.error_type == "SerializationException", r


def test_wrong_json_type(endpoint, tsl, write):
    r = tsl.raw(endpoint, "CreateDatabase", {"DatabaseName": 123})
    assert r.status == 400, r
    assert r.error_type == "SerializationException", r
    r = tsl.raw(endpoint, "ListDatabases", {"MaxResults": "ten"})
    assert r.status == 400, r
    assert r.error_type == "SerializationException", r
    r = tsl.raw(endpoint, "CreateDatabase", [])
    assert r.status == 400, r
    assert r.error_type == "SerializationException", r
    r = tsl.raw(endpoint, "CreateTable", {"DatabaseName": "x_db", "TableName": "t_1",
                                          "RetentionProperties": "long"})
    assert r.status == 400, r
    assert r.error_type == "SerializationException", r
    # Nothing was created by any of these.
    assert write.list_databases()["Databases"] == []


def test_empty_body_operation_without_input(endpoint, tsl):
    r = tsl.raw(endpoint, "ListDatabases", {})
    assert r.status == 200, r
    assert r.json["Databases"] == []
    r = tsl.raw(endpoint, "DescribeEndpoints", {})
    assert r.status == 200, r
    assert len(r.json["Endpoints"]) >= 1


def test_delete_returns_empty_object(endpoint, tsl, write):
    write.create_database(DatabaseName="empty_out")
    r = tsl.raw(endpoint, "DeleteDatabase", {"DatabaseName": "empty_out"})
    assert r.status == 200, r
    assert r.json == {} or r.body == b"", r


# Operations that may not be built yet. Each is called with a valid request; one
# that is not built must answer HTTP 501 UnsupportedOperationException naming it.
NOT_YET_CANDIDATES = [
    ("query", "query", {"QueryString": "SELECT 1"}, "Query"),
    ("write", "list_batch_load_tasks", {}, "ListBatchLoadTasks"),
    ("write", "describe_batch_load_task", {"TaskId": "ABC123"}, "DescribeBatchLoadTask"),
    ("write", "resume_batch_load_task", {"TaskId": "ABC123"}, "ResumeBatchLoadTask"),
]


def test_not_yet_built_operation_501(tsl, endpoint):
    unsupported = []
    for which, method, kwargs, op in NOT_YET_CANDIDATES:
        client = tsl.client("timestream-" + which, endpoint)
        try:
            getattr(client, method)(**kwargs)
            continue
        except ClientError as e:
            status = e.response["ResponseMetadata"]["HTTPStatusCode"]
            code = e.response["Error"]["Code"]
            msg = e.response["Error"].get("Message", "")
        if status == 501 or code == "UnsupportedOperationException":
            assert status == 501, (op, status, code, msg)
            assert code == "UnsupportedOperationException", (op, status, code, msg)
            assert op in msg, (op, msg)
            unsupported.append(op)
        else:
            assert code != "UnknownOperationException", (
                f"{op} is a real Timestream operation; it must not be UnknownOperationException")
    # Every operation of both models is built today (the batch-load ones last); one that is
    # not would still have to answer as checked above.
    assert unsupported == [], unsupported


# ---------------------------------------------------------------- headers

def _check_headers(headers):
    headers = {k.lower(): v for k, v in headers.items()}
    rid = headers.get("x-amzn-requestid")
    assert rid and rid.strip(), headers
    date = headers.get("date")
    assert date, headers
    parsed = email.utils.parsedate_to_datetime(date)
    assert parsed.tzinfo is not None, date
    now = dt.datetime.now(dt.timezone.utc)
    assert abs((now - parsed).total_seconds()) < 60, (date, now)
    assert re.match(r"^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$", date), date
    return rid


def test_response_headers_success(write):
    resp = write.list_databases()
    hdrs = resp["ResponseMetadata"]["HTTPHeaders"]
    rid = _check_headers(hdrs)
    assert resp["ResponseMetadata"]["RequestId"] == rid
    assert hdrs["content-type"].startswith("application/x-amz-json-1.0"), hdrs
    other = write.list_databases()["ResponseMetadata"]["RequestId"]
    assert other != rid, "request ids must be unique"


def test_response_headers_error(write, tsl):
    with tsl.raises("ResourceNotFoundException") as h:
        write.describe_database(DatabaseName="nope_db")
    meta = h["error"].response["ResponseMetadata"]
    rid = _check_headers(meta["HTTPHeaders"])
    assert meta["RequestId"] == rid
    assert meta["HTTPHeaders"]["content-type"].startswith("application/x-amz-json-1.0")


def test_response_headers_raw_errors(endpoint, tsl):
    for r in (tsl.raw(endpoint, "FlyToTheMoon", {}),
              tsl.raw(endpoint, "ListDatabases", b"{"),
              tsl.raw(endpoint, "CreateDatabase", {}),
              tsl.raw(endpoint, "ListDatabases", {}, sign=False)):
        assert r.status >= 400, r
        _check_headers(r.headers)
        assert isinstance(r.json, dict) and "__type" in r.json, r
        assert isinstance(r.json.get("Message"), str), r


# ---------------------------------------------------------------- regions

def test_state_isolated_per_region(tsl, endpoint):
    east = tsl.write(endpoint, region="us-east-1")
    west = tsl.write(endpoint, region="eu-west-1")
    east.create_database(DatabaseName="east_only")
    assert [d["DatabaseName"] for d in west.list_databases()["Databases"]] == []
    with tsl.raises("ResourceNotFoundException", "The database east_only does not exist.", status=404):
        west.describe_database(DatabaseName="east_only")
    # Same name in the other region is a different database with its own ARN.
    w = west.create_database(DatabaseName="east_only")["Database"]
    assert w["Arn"] == "arn:aws:timestream:eu-west-1:123456789012:database/east_only"
    e = east.describe_database(DatabaseName="east_only")["Database"]
    assert e["Arn"] == "arn:aws:timestream:us-east-1:123456789012:database/east_only"
    west.create_table(DatabaseName="east_only", TableName="tbl")
    assert east.describe_database(DatabaseName="east_only")["Database"]["TableCount"] == 0
    assert west.describe_database(DatabaseName="east_only")["Database"]["TableCount"] == 1

    state = tsl.admin(endpoint, "GET", "state").json
    scopes = {(s["account"], s["region"]): s for s in state["scopes"]}
    assert scopes[("123456789012", "us-east-1")]["databases"] == 1
    assert scopes[("123456789012", "us-east-1")]["tables"] == 0
    assert scopes[("123456789012", "eu-west-1")]["databases"] == 1
    assert scopes[("123456789012", "eu-west-1")]["tables"] == 1


def test_table_arn_uses_request_region(tsl, endpoint):
    west = tsl.write(endpoint, region="eu-west-1")
    west.create_database(DatabaseName="w_db")
    t = west.create_table(DatabaseName="w_db", TableName="w_t")["Table"]
    assert t["Arn"] == "arn:aws:timestream:eu-west-1:123456789012:database/w_db/table/w_t"


# ---------------------------------------------------------------- endpoint discovery

def test_describe_endpoints_explicit_client(write, query, endpoint):
    for client in (write, query):
        resp = client.describe_endpoints()
        eps = resp["Endpoints"]
        assert len(eps) >= 1
        assert eps[0]["Address"] == endpoint, (eps, endpoint)
        assert eps[0]["CachePeriodInMinutes"] == 1440


@pytest.mark.parametrize("ua,form", [
    ("Boto3/1.44.8 md/Botocore#1.44.8 ua/2.1 os/linux", "url"),
    ("aws-cli/1.46.3 md/Botocore#1.43.62 ua/2.1 os/linux", "url"),
    ("Botocore/1.44.8 ua/2.1", "url"),
    ("aws-sdk-js/3.1138.0 ua/2.1 os/linux lang/js md/nodejs#20", "host"),
    ("aws-sdk-rust/1.3.9 os/linux lang/rust/1.85.0", "hostport"),
    ("curl/8.0", "url"),
])
def test_describe_endpoints_address_by_user_agent(endpoint, server, tsl, ua, form):
    r = tsl.raw(endpoint, "DescribeEndpoints", {}, user_agent=ua)
    assert r.status == 200, r
    expected = {"url": endpoint, "host": server.host, "hostport": server.host_port}[form]
    assert r.json["Endpoints"][0]["Address"] == expected, (ua, r.json)
    assert r.json["Endpoints"][0]["CachePeriodInMinutes"] == 1440


def test_discovery_write_client_from_env(tsl, endpoint):
    client, sent = tsl.env_client("timestream-write", endpoint)
    db = client.create_database(DatabaseName="discovered_db")["Database"]
    assert db["Arn"] == "arn:aws:timestream:us-east-1:123456789012:database/discovered_db"
    desc = client.describe_database(DatabaseName="discovered_db")["Database"]
    assert desc["DatabaseName"] == "discovered_db"
    ops = [op for op, _ in sent]
    assert ops[0] == "DescribeEndpoints", sent
    assert ops.count("DescribeEndpoints") == 1, sent  # cached for 1440 minutes
    assert ops[1:] == ["CreateDatabase", "DescribeDatabase"], sent
    for op, url in sent:
        assert url.rstrip("/") == endpoint, (op, url)
    # The explicit client sees what the discovering client created.
    assert tsl.write(endpoint).describe_database(DatabaseName="discovered_db")["Database"]["Arn"] == db["Arn"]


def test_discovery_query_client_from_env(tsl, endpoint):
    client, sent = tsl.env_client("timestream-query", endpoint)
    resp = client.describe_account_settings()
    assert resp.get("QueryPricingModel") in {"BYTES_SCANNED", "COMPUTE_UNITS"}, resp
    ops = [op for op, _ in sent]
    assert ops == ["DescribeEndpoints", "DescribeAccountSettings"], sent
    for op, url in sent:
        assert url.rstrip("/") == endpoint, (op, url)


def test_discovery_error_propagates(tsl, endpoint):
    client, sent = tsl.env_client("timestream-write", endpoint)
    with tsl.raises("ResourceNotFoundException", "The database nowhere_db does not exist.", status=404):
        client.describe_database(DatabaseName="nowhere_db")
    assert [op for op, _ in sent] == ["DescribeEndpoints", "DescribeDatabase"], sent
