"""SigV4 authentication (wire-protocol.md §2.4, compat-tests/README.md "Auth").

A strict server is started with ``--auth strict --credentials AKIDSTRICT:strictsecret``;
the module server runs in the default lenient mode with AKIDLENIENT configured.
"""

import datetime as dt
import re

import pytest

STRICT_KEY = "AKIDSTRICT"
STRICT_SECRET = "strictsecret"
MISMATCH = (
    "The request signature we calculated does not match the signature you provided. "
    "Check your AWS Secret Access Key and signing method. Consult the service documentation "
    "for details."
)
UNRECOGNIZED = "The security token included in the request is invalid."
AMZ_DATE = r"\d{8}T\d{6}Z"


@pytest.fixture(scope="module")
def strict_server(module_server_factory):
    # Module-scoped: one strict server for all strict-mode tests.
    return module_server_factory("--auth", "strict", "--credentials", f"{STRICT_KEY}:{STRICT_SECRET}")


@pytest.fixture
def strict(strict_server, tsl):
    tsl.reset(strict_server.url)
    return strict_server.url


# ---------------------------------------------------------------- strict mode

def test_strict_good_key_works(tsl, strict):
    w = tsl.write(strict, key=STRICT_KEY, secret=STRICT_SECRET)
    db = w.create_database(DatabaseName="strict_db")["Database"]
    assert db["DatabaseName"] == "strict_db"
    assert [d["DatabaseName"] for d in w.list_databases()["Databases"]] == ["strict_db"]
    q = tsl.query(strict, key=STRICT_KEY, secret=STRICT_SECRET)
    assert q.describe_account_settings()["ResponseMetadata"]["HTTPStatusCode"] == 200


def test_strict_wrong_secret(tsl, strict):
    w = tsl.write(strict, key=STRICT_KEY, secret="not-the-secret")
    with tsl.raises("InvalidSignatureException", MISMATCH, status=400):
        w.list_databases()
    with tsl.raises("InvalidSignatureException", MISMATCH, status=400):
        w.create_database(DatabaseName="never_db")
    ok = tsl.write(strict, key=STRICT_KEY, secret=STRICT_SECRET)
    assert ok.list_databases()["Databases"] == []


def test_strict_unknown_key(tsl, strict):
    w = tsl.write(strict, key="AKIDUNKNOWN", secret=STRICT_SECRET)
    with tsl.raises("UnrecognizedClientException", UNRECOGNIZED, status=400):
        w.list_databases()


def test_strict_missing_authorization(tsl, strict):
    r = tsl.raw(strict, "ListDatabases", {}, sign=False)
    assert r.status == 400, r
    assert r.error_type == "MissingAuthenticationTokenException", r
    assert r.message == "Missing Authentication Token", r


@pytest.mark.parametrize("auth", [
    "AWS4-HMAC-SHA256 garbage",
    "AWS4-HMAC-SHA256 Credential=AKIDSTRICT/20240101/us-east-1/timestream/aws4_request",
    "AWS4-HMAC-SHA256 Credential=AKIDSTRICT/20240101/us-east-1/timestream/aws4_request, "
    "SignedHeaders=host;x-amz-date",
    "Bearer abc.def.ghi",
    "",
])
def test_strict_garbled_authorization(tsl, strict, auth):
    r = tsl.raw(strict, "ListDatabases", {}, key=STRICT_KEY, secret=STRICT_SECRET,
                authorization=auth)
    assert r.status == 400, r
    if auth == "":
        assert r.error_type in ("IncompleteSignatureException",
                                "MissingAuthenticationTokenException"), r
    else:
        assert r.error_type == "IncompleteSignatureException", r
    assert isinstance(r.message, str) and r.message, r


def test_strict_signature_expired(tsl, strict):
    when = dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=20)
    sent = when.strftime("%Y%m%dT%H%M%SZ")
    r = tsl.raw(strict, "ListDatabases", {}, key=STRICT_KEY, secret=STRICT_SECRET, when=when)
    assert r.status == 400, r
    assert r.error_type == "InvalidSignatureException", r
    m = re.fullmatch(
        rf"Signature expired: ({AMZ_DATE}) is now earlier than ({AMZ_DATE}) \(({AMZ_DATE}) - 15 min\.\)",
        r.message or "")
    assert m, r.message
    assert m.group(1) == sent, (sent, r.message)


def test_strict_signature_not_yet_current(tsl, strict):
    when = dt.datetime.now(dt.timezone.utc) + dt.timedelta(minutes=20)
    sent = when.strftime("%Y%m%dT%H%M%SZ")
    r = tsl.raw(strict, "ListDatabases", {}, key=STRICT_KEY, secret=STRICT_SECRET, when=when)
    assert r.status == 400, r
    assert r.error_type == "InvalidSignatureException", r
    m = re.fullmatch(
        rf"Signature not yet current: ({AMZ_DATE}) is still later than ({AMZ_DATE}) \(({AMZ_DATE}) \+ 15 min\.\)",
        r.message or "")
    assert m, r.message
    assert m.group(1) == sent, (sent, r.message)


def test_strict_small_clock_skew_accepted(tsl, strict):
    when = dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=10)
    r = tsl.raw(strict, "ListDatabases", {}, key=STRICT_KEY, secret=STRICT_SECRET, when=when)
    assert r.status == 200, r
    assert r.json == {"Databases": []} or r.json.get("Databases") == [], r


def test_strict_tampered_body(tsl, strict):
    """A signature over one body must not validate another body."""
    r = tsl.raw(strict, "CreateDatabase", {"DatabaseName": "signed_db"},
                key=STRICT_KEY, secret=STRICT_SECRET,
                send_body=b'{"DatabaseName": "evil_db"}')
    assert r.status == 400, r
    assert r.error_type == "InvalidSignatureException", r
    assert r.message == MISMATCH, r
    w = tsl.write(strict, key=STRICT_KEY, secret=STRICT_SECRET)
    assert w.list_databases()["Databases"] == []


def test_strict_wrong_service_in_scope(tsl, strict):
    r = tsl.raw(strict, "ListDatabases", {}, key=STRICT_KEY, secret=STRICT_SECRET, service="dynamodb")
    assert r.status == 400, r
    assert r.error_type in ("InvalidSignatureException", "IncompleteSignatureException"), r


def test_strict_session_token_accepted(tsl, strict):
    w = tsl.write(strict, key=STRICT_KEY, secret=STRICT_SECRET, token="FwoGZXIvYXdzEXAMPLETOKEN")
    db = w.create_database(DatabaseName="token_db")["Database"]
    assert db["DatabaseName"] == "token_db"
    r = tsl.raw(strict, "ListDatabases", {}, key=STRICT_KEY, secret=STRICT_SECRET,
                token="another-session-token")
    assert r.status == 200, r
    assert [d["DatabaseName"] for d in r.json["Databases"]] == ["token_db"]


def test_strict_other_region_scope(tsl, strict):
    """The region in the credential scope is honoured (and selects the state scope)."""
    w = tsl.write(strict, key=STRICT_KEY, secret=STRICT_SECRET, region="ap-southeast-2")
    db = w.create_database(DatabaseName="apse2_db")["Database"]
    assert db["Arn"] == "arn:aws:timestream:ap-southeast-2:123456789012:database/apse2_db"


def test_strict_admin_api_needs_no_signature(tsl, strict):
    r = tsl.admin(strict, "GET", "health")
    assert r.status == 200, r
    assert r.json == {"status": "ok", "reasons": []}


# ---------------------------------------------------------------- lenient mode (module server)

def test_lenient_any_key_works(tsl, endpoint):
    for key, secret in (("AKIDEXAMPLE", "secret"), ("AKIDANYTHING", "whatever"),
                        ("ASIAxxxxxxxxxxxxxxxx", "x")):
        w = tsl.write(endpoint, key=key, secret=secret)
        assert w.list_databases()["Databases"] == [], key
    w = tsl.write(endpoint, key="AKIDRANDOM", secret="random")
    assert w.create_database(DatabaseName="lenient_db")["Database"]["DatabaseName"] == "lenient_db"


def test_lenient_configured_key_verified(tsl, endpoint):
    good = tsl.write(endpoint, key=tsl.LENIENT_KEY, secret=tsl.LENIENT_SECRET)
    assert good.list_databases()["Databases"] == []
    bad = tsl.write(endpoint, key=tsl.LENIENT_KEY, secret="wrong-secret")
    with tsl.raises("InvalidSignatureException", MISMATCH, status=400):
        bad.list_databases()
    with tsl.raises("InvalidSignatureException", MISMATCH, status=400):
        bad.create_database(DatabaseName="nope_db")
    assert good.list_databases()["Databases"] == []


def test_lenient_still_requires_signature(tsl, endpoint):
    r = tsl.raw(endpoint, "ListDatabases", {}, sign=False)
    assert r.status == 400, r
    assert r.error_type == "MissingAuthenticationTokenException", r
    assert r.message == "Missing Authentication Token", r


def test_lenient_clock_skew_checked(tsl, endpoint):
    when = dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=20)
    r = tsl.raw(endpoint, "ListDatabases", {}, key="AKIDANY", secret="any", when=when)
    assert r.status == 400, r
    assert r.error_type == "InvalidSignatureException", r
    assert (r.message or "").startswith("Signature expired: "), r


# ---------------------------------------------------------------- auth off, env-var config

def test_auth_off_accepts_unsigned(server_factory, tsl):
    srv = server_factory("--auth", "off")
    r = tsl.raw(srv.url, "CreateDatabase", {"DatabaseName": "open_db"}, sign=False)
    assert r.status == 200, r
    assert r.json["Database"]["DatabaseName"] == "open_db"
    assert r.json["Database"]["Arn"] == "arn:aws:timestream:us-east-1:123456789012:database/open_db"


def test_auth_strict_from_env_vars(server_factory, tsl):
    srv = server_factory(env={"TIMESTREAM_LOCAL_AUTH": "strict",
                              "TIMESTREAM_LOCAL_CREDENTIALS": "AKIDENVONE:secretone,AKIDENVTWO:secrettwo"})
    for key, secret in (("AKIDENVONE", "secretone"), ("AKIDENVTWO", "secrettwo")):
        assert tsl.write(srv.url, key=key, secret=secret).list_databases()["Databases"] == []
    with tsl.raises("UnrecognizedClientException", UNRECOGNIZED, status=400):
        tsl.write(srv.url, key="AKIDEXAMPLE", secret="secret").list_databases()
