"""Server contract (compat-tests/README.md): startup line, flags, admin API, data dir."""

import re


def test_startup_line(server):
    assert re.fullmatch(r"timestream-local listening on http://127\.0\.0\.1:\d+", server.first_line), \
        server.first_line
    assert server.url == f"http://127.0.0.1:{server.port}"
    assert server.port > 0


def test_admin_health(tsl, endpoint):
    r = tsl.admin(endpoint, "GET", "health")
    assert r.status == 200, r
    assert r.json == {"status": "ok", "reasons": []}, r


def test_admin_reset(tsl, endpoint, write, query):
    write.create_database(DatabaseName="r_db", Tags=[{"Key": "a", "Value": "b"}])
    write.create_table(DatabaseName="r_db", TableName="r_t")
    tsl.write(endpoint, region="eu-west-1").create_database(DatabaseName="r_db_eu")
    r = tsl.admin(endpoint, "POST", "reset")
    assert r.status == 200, r
    assert write.list_databases()["Databases"] == []
    assert write.list_tables()["Tables"] == []
    assert tsl.write(endpoint, region="eu-west-1").list_databases()["Databases"] == []
    with tsl.raises("ResourceNotFoundException"):
        write.list_tags_for_resource(
            ResourceARN="arn:aws:timestream:us-east-1:123456789012:database/r_db")
    state = tsl.admin(endpoint, "GET", "state").json
    for scope in state["scopes"]:
        assert scope["databases"] == 0 and scope["tables"] == 0, state
    # The same name can be created again after a reset.
    assert write.create_database(DatabaseName="r_db")["Database"]["TableCount"] == 0


def test_admin_state_summary(tsl, endpoint, write):
    empty = tsl.admin(endpoint, "GET", "state")
    assert empty.status == 200, empty
    assert isinstance(empty.json.get("scopes"), list), empty
    for scope in empty.json["scopes"]:
        assert scope["databases"] == 0 and scope["tables"] == 0, empty.json

    write.create_database(DatabaseName="s_db1")
    write.create_database(DatabaseName="s_db2")
    write.create_table(DatabaseName="s_db1", TableName="tbl1")
    write.create_table(DatabaseName="s_db1", TableName="tbl2")
    write.create_table(DatabaseName="s_db2", TableName="tbl3")
    state = tsl.admin(endpoint, "GET", "state").json
    matching = [s for s in state["scopes"]
                if s["account"] == "123456789012" and s["region"] == "us-east-1"]
    assert len(matching) == 1, state
    assert matching[0]["databases"] == 2, state
    assert matching[0]["tables"] == 3, state


def test_account_id_flag(server_factory, tsl):
    srv = server_factory("--account-id", "111122223333")
    w = tsl.write(srv.url)
    db = w.create_database(DatabaseName="acct_db")["Database"]
    assert db["Arn"] == "arn:aws:timestream:us-east-1:111122223333:database/acct_db"
    t = w.create_table(DatabaseName="acct_db", TableName="tbl")["Table"]
    assert t["Arn"] == "arn:aws:timestream:us-east-1:111122223333:database/acct_db/table/tbl"
    state = tsl.admin(srv.url, "GET", "state").json
    assert any(s["account"] == "111122223333" and s["databases"] == 1 for s in state["scopes"]), state


def test_data_dir_persistence(server_factory, tsl, tmp_path):
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    first = server_factory("--data-dir", str(data_dir))
    w = tsl.write(first.url)
    created = w.create_database(DatabaseName="persisted_db",
                                Tags=[{"Key": "keep", "Value": "yes"}])["Database"]
    w.create_table(DatabaseName="persisted_db", TableName="persisted_t",
                   RetentionProperties={"MemoryStoreRetentionPeriodInHours": 24,
                                        "MagneticStoreRetentionPeriodInDays": 365})
    first.stop()
    assert not first.running()

    second = server_factory("--data-dir", str(data_dir))
    w2 = tsl.write(second.url)
    db = w2.describe_database(DatabaseName="persisted_db")["Database"]
    assert db["Arn"] == created["Arn"]
    assert db["CreationTime"] == created["CreationTime"]
    assert db["KmsKeyId"] == created["KmsKeyId"]
    assert db["TableCount"] == 1
    t = w2.describe_table(DatabaseName="persisted_db", TableName="persisted_t")["Table"]
    assert t["RetentionProperties"] == {"MemoryStoreRetentionPeriodInHours": 24,
                                        "MagneticStoreRetentionPeriodInDays": 365}
    tags = w2.list_tags_for_resource(ResourceARN=created["Arn"])["Tags"]
    assert tags == [{"Key": "keep", "Value": "yes"}]


def test_data_dir_from_env_var(server_factory, tsl, tmp_path):
    data_dir = tmp_path / "envdata"
    data_dir.mkdir()
    first = server_factory(env={"TIMESTREAM_LOCAL_DATA_DIR": str(data_dir)})
    tsl.write(first.url).create_database(DatabaseName="env_persisted")
    first.stop()
    second = server_factory("--data-dir", str(data_dir))
    db = tsl.write(second.url).describe_database(DatabaseName="env_persisted")["Database"]
    assert db["DatabaseName"] == "env_persisted"


def test_without_data_dir_nothing_persists(server_factory, tsl):
    first = server_factory()
    tsl.write(first.url).create_database(DatabaseName="ephemeral_db")
    first.stop()
    second = server_factory()
    assert tsl.write(second.url).list_databases()["Databases"] == []


def test_sigterm_stops_server(server_factory):
    # SIGTERM sent the moment the banner is read: the handler is already installed (exit code
    # 0, a clean shutdown rather than death by the signal) and the request is not lost.
    for _ in range(5):
        srv = server_factory()
        rc = srv.stop(timeout=10)
        assert not srv.killed, "server did not exit within 10 s of SIGTERM"
        assert rc == 0 and not srv.running(), rc


def test_tls_same_port(server_factory, tsl, tmp_path):
    ca = tmp_path / "ca.pem"
    srv = server_factory("--tls", "--tls-ca-file", str(ca))
    assert re.fullmatch(
        r"timestream-local listening on http://127\.0\.0\.1:\d+ \(TLS on the same port\)",
        srv.first_line), srv.first_line
    assert srv.url == f"http://127.0.0.1:{srv.port}"
    pem = ca.read_text()
    assert pem.startswith("-----BEGIN CERTIFICATE-----"), pem[:60]

    import boto3
    from botocore.config import Config

    https = boto3.session.Session(
        aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="secret", region_name="us-east-1",
    ).client("timestream-write", endpoint_url=f"https://localhost:{srv.port}", verify=str(ca),
             config=Config(retries={"total_max_attempts": 1, "mode": "standard"}))
    db = https.create_database(DatabaseName="tls_db")["Database"]
    assert db["Arn"] == "arn:aws:timestream:us-east-1:123456789012:database/tls_db"
    # Plain HTTP on the same port sees the same state.
    assert tsl.write(srv.url).describe_database(DatabaseName="tls_db")["Database"]["Arn"] == db["Arn"]
    # DescribeEndpoints over TLS gives boto3 a full https URL it can use.
    eps = https.describe_endpoints()["Endpoints"]
    assert eps[0]["Address"] == f"https://localhost:{srv.port}", eps
