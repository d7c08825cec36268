"""Hardening (issue 17): SigV4 as AWS checks it, and validation messages that keep sensitive
members out (README "Authentication", crates/protocol/src/sigv4.rs, validate.rs).

Every signed request here is signed by botocore's own ``SigV4Auth``; a subclass only leaves
chosen headers out of ``SignedHeaders``, so a refusal is due to the rule under test, not to a
signature computed differently.

Texts and where they come from:
* ``'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.`` —
  AWS's (InvalidSignatureException on Coral JSON services);
* ``'X-Amz-Target' must be a 'SignedHeader' in the AWS Authorization.`` — ours, in AWS's form;
* ``Credential should be scoped to a valid region, not 'X'. `` — AWS's (InvalidSignatureException);
* ``Value at 'queryString' failed to satisfy constraint: …`` — AWS's form for sensitive members.
"""

import datetime as dt
import hashlib
import json
import re

import botocore.auth
import pytest
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

KEY = "AKIDHARDEN"
SECRET = "hardensecret"
TARGET_PREFIX = "Timestream_20181101."
MISMATCH = (
    "The request signature we calculated does not match the signature you provided. "
    "Check your AWS Secret Access Key and signing method. Consult the service documentation "
    "for details."
)
HOST_UNSIGNED = "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."
TARGET_UNSIGNED = "'X-Amz-Target' must be a 'SignedHeader' in the AWS Authorization."
AMZ_DATE = r"\d{8}T\d{6}Z"


class _SigV4Leaving(botocore.auth.SigV4Auth):
    """botocore's SigV4 signer, leaving the named headers out of SignedHeaders."""

    def __init__(self, credentials, service, region, leave_out=()):
        super().__init__(credentials, service, region)
        self._leave_out = {h.lower() for h in leave_out}

    def headers_to_sign(self, request):
        headers = super().headers_to_sign(request)
        for name in self._leave_out:
            if name in headers:
                del headers[name]
        return headers


def signed(tsl, url, operation, body=None, *, key=KEY, secret=SECRET, region="us-east-1",
           leave_out=(), headers=None, after=None, send_body=None, when=None):
    """POST / signed by botocore; ``after`` headers are added once signed (unsigned)."""
    data = json.dumps({} if body is None else body).encode()
    hdrs = {"Content-Type": "application/x-amz-json-1.0",
            "X-Amz-Target": TARGET_PREFIX + operation}
    hdrs.update(headers or {})
    req = AWSRequest(method="POST", url=url + "/", data=data, headers=hdrs)
    signer = _SigV4Leaving(Credentials(key, secret), "timestream", region, leave_out)
    if when is not None:
        naive = when.astimezone(dt.timezone.utc).replace(tzinfo=None)
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(botocore.auth, "get_current_datetime", lambda: naive)
            signer.add_auth(req)
    else:
        signer.add_auth(req)
    out = dict(req.headers.items())
    out.update(after or {})
    return tsl.http("POST", url + "/", body=data if send_body is None else send_body,
                    headers=out), out


def signed_headers(sent):
    return re.search(r"SignedHeaders=([^,]+)", sent["Authorization"]).group(1).split(";")


@pytest.fixture(scope="module")
def strict_server(module_server_factory):
    return module_server_factory("--auth", "strict", "--credentials", f"{KEY}:{SECRET}")


@pytest.fixture
def strict(strict_server, tsl):
    tsl.reset(strict_server.url)
    return strict_server.url


def scopes(tsl, url):
    r = tsl.admin(url, "GET", "state")
    assert r.status == 200, r
    return {(s["account"], s["region"]) for s in r.json["scopes"]}


# ---------------------------------------------------------------- signed headers

def test_botocore_signature_is_accepted(tsl, strict):
    r, sent = signed(tsl, strict, "CreateDatabase", {"DatabaseName": "plain_db"})
    assert r.status == 200, r
    assert {"host", "x-amz-target", "x-amz-date"} <= set(signed_headers(sent))


@pytest.mark.parametrize("left_out,message", [
    ("host", HOST_UNSIGNED),
    ("x-amz-target", TARGET_UNSIGNED),
])
def test_required_header_left_unsigned_is_refused(tsl, strict, left_out, message):
    r, sent = signed(tsl, strict, "CreateDatabase", {"DatabaseName": "unsigned_db"},
                     leave_out=[left_out])
    assert left_out not in signed_headers(sent)
    assert r.status == 400, r
    assert r.error_type == "InvalidSignatureException", r
    assert r.message == message, r
    assert tsl.write(strict, key=KEY, secret=SECRET).list_databases()["Databases"] == []


def test_lenient_configured_key_needs_host_signed(tsl, endpoint):
    r, _ = signed(tsl, endpoint, "ListDatabases", key=tsl.LENIENT_KEY,
                  secret=tsl.LENIENT_SECRET, leave_out=["host"])
    assert (r.status, r.error_type, r.message) == (400, "InvalidSignatureException",
                                                   HOST_UNSIGNED), r
    r, _ = signed(tsl, endpoint, "ListDatabases", key=tsl.LENIENT_KEY,
                  secret=tsl.LENIENT_SECRET, leave_out=["x-amz-target"])
    assert (r.status, r.message) == (400, TARGET_UNSIGNED), r


def test_lenient_unknown_key_is_not_verified(tsl, endpoint):
    """Lenient mode verifies no signature of an unknown key, so what it signs is not checked."""
    r, _ = signed(tsl, endpoint, "ListDatabases", key="AKIDWHOEVER", secret="x",
                  leave_out=["host", "x-amz-target"])
    assert r.status == 200, r


# ---------------------------------------------------------------- Date instead of X-Amz-Date

def test_date_header_instead_of_x_amz_date(tsl, strict):
    # botocore signs with Date (RFC 1123, "-0000" zone) when the request carries one.
    r, sent = signed(tsl, strict, "CreateDatabase", {"DatabaseName": "dated_db"},
                     headers={"Date": "to be replaced"})
    assert "X-Amz-Date" not in sent and "date" in signed_headers(sent), sent
    assert re.fullmatch(r"\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} (-0000|GMT)", sent["Date"])
    assert r.status == 200, r
    assert r.json["Database"]["DatabaseName"] == "dated_db"


def test_date_header_signature_is_verified(tsl, strict):
    r, _ = signed(tsl, strict, "ListDatabases", headers={"Date": "x"}, secret="wrong")
    assert (r.status, r.error_type, r.message) == (400, "InvalidSignatureException", MISMATCH), r
    # Tampering with the signed Date breaks the signature too.
    r, sent = signed(tsl, strict, "ListDatabases", headers={"Date": "x"})
    moved = dict(sent)
    when = dt.datetime.now(dt.timezone.utc) - dt.timedelta(seconds=2)
    moved["Date"] = when.strftime("%a, %d %b %Y %H:%M:%S GMT")
    r = tsl.http("POST", strict + "/", body=b"{}", headers=moved)
    assert (r.status, r.message) == (400, MISMATCH), r


def test_date_header_skew_is_checked(tsl, strict):
    when = dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=20)
    r, _ = signed(tsl, strict, "ListDatabases", headers={"Date": "x"}, when=when)
    assert r.status == 400 and r.error_type == "InvalidSignatureException", r
    m = re.fullmatch(rf"Signature expired: ({AMZ_DATE}) is now earlier than {AMZ_DATE} "
                     rf"\({AMZ_DATE} - 15 min\.\)", r.message or "")
    assert m and m.group(1) == when.strftime("%Y%m%dT%H%M%SZ"), r.message


def test_unreadable_date_header(tsl, strict):
    _, sent = signed(tsl, strict, "ListDatabases", headers={"Date": "x"})
    sent = dict(sent, Date="last tuesday")
    r = tsl.http("POST", strict + "/", body=b"{}", headers=sent)
    assert (r.status, r.error_type) == (400, "IncompleteSignatureException"), r
    assert r.message == ("Date must be in ISO-8601 'basic format'. Got 'last tuesday'. "
                         "See http://en.wikipedia.org/wiki/ISO_8601"), r


# ---------------------------------------------------------------- x-amz-content-sha256

def test_unsigned_payload_is_honoured(tsl, strict):
    r, sent = signed(tsl, strict, "CreateDatabase", {"DatabaseName": "unsigned_payload_db"},
                     headers={"X-Amz-Content-SHA256": "UNSIGNED-PAYLOAD"})
    assert "x-amz-content-sha256" in signed_headers(sent)
    assert r.status == 200, r
    # The body is not covered by such a signature (as SigV4 defines): another body passes.
    r, _ = signed(tsl, strict, "CreateDatabase", {"DatabaseName": "signed_name_db"},
                  headers={"X-Amz-Content-SHA256": "UNSIGNED-PAYLOAD"},
                  send_body=b'{"DatabaseName": "sent_name_db"}')
    assert r.status == 200 and r.json["Database"]["DatabaseName"] == "sent_name_db", r


def test_unsigned_payload_claim_needs_an_unsigned_payload_signature(tsl, strict):
    """Signed over the body's hash, then claiming UNSIGNED-PAYLOAD: the claim is used, and fails."""
    r, _ = signed(tsl, strict, "ListDatabases",
                  after={"X-Amz-Content-SHA256": "UNSIGNED-PAYLOAD"})
    assert (r.status, r.error_type, r.message) == (400, "InvalidSignatureException", MISMATCH), r


def test_content_sha256_must_match_the_body(tsl, strict):
    body = {"DatabaseName": "hashed_db"}
    digest = hashlib.sha256(json.dumps(body).encode()).hexdigest()
    r, _ = signed(tsl, strict, "CreateDatabase", body, headers={"X-Amz-Content-SHA256": digest})
    assert r.status == 200, r
    r, _ = signed(tsl, strict, "CreateDatabase", body, headers={"X-Amz-Content-SHA256": digest},
                  send_body=b'{"DatabaseName": "other_db"}')
    assert (r.status, r.message) == (400, MISMATCH), r


# ---------------------------------------------------------------- credential scope region

BAD_REGIONS = ["", "nowhere", "US-EAST-1", "us-east-1a", "us_east_1", "local",
               "a" * 40, "us-" + "x" * 40 + "-1"]


@pytest.mark.parametrize("region", BAD_REGIONS)
def test_implausible_region_is_refused_strict(tsl, strict, region):
    r, _ = signed(tsl, strict, "CreateDatabase", {"DatabaseName": "region_db"}, region=region)
    assert (r.status, r.error_type) == (400, "InvalidSignatureException"), r
    assert r.message == f"Credential should be scoped to a valid region, not '{region}'. ", r
    assert all(reg != region for _, reg in scopes(tsl, strict))


@pytest.mark.parametrize("region", BAD_REGIONS)
def test_implausible_region_is_refused_lenient_any_key(tsl, endpoint, region):
    r, _ = signed(tsl, endpoint, "CreateDatabase", {"DatabaseName": "region_db"},
                  key="AKIDANYONE", secret="x", region=region)
    assert (r.status, r.error_type) == (400, "InvalidSignatureException"), r
    assert r.message == f"Credential should be scoped to a valid region, not '{region}'. ", r
    assert all(reg != region for _, reg in scopes(tsl, endpoint))


@pytest.mark.parametrize("region", ["us-east-1", "eu-central-1", "us-gov-west-1",
                                    "cn-north-1", "ap-southeast-4", "us-isob-east-1",
                                    "eusc-de-east-1"])
def test_real_regions_are_accepted(tsl, strict, region):
    r, _ = signed(tsl, strict, "CreateDatabase", {"DatabaseName": "region_db"}, region=region)
    assert r.status == 200, r
    assert r.json["Database"]["Arn"].startswith(f"arn:aws:timestream:{region}:"), r
    w = tsl.write(strict, key=KEY, secret=SECRET, region=region)
    assert [d["DatabaseName"] for d in w.list_databases()["Databases"]] == ["region_db"]


def test_auth_off_falls_back_to_default_region(server_factory, tsl):
    srv = server_factory("--auth", "off")
    r, _ = signed(tsl, srv.url, "CreateDatabase", {"DatabaseName": "off_db"}, region="bogus")
    assert r.status == 200, r
    assert r.json["Database"]["Arn"] == "arn:aws:timestream:us-east-1:123456789012:database/off_db"
    r, _ = signed(tsl, srv.url, "CreateDatabase", {"DatabaseName": "off_db"},
                  region="eu-west-1")
    assert r.json["Database"]["Arn"].startswith("arn:aws:timestream:eu-west-1:"), r
    assert {reg for _, reg in scopes(tsl, srv.url)} == {"us-east-1", "eu-west-1"}


# ---------------------------------------------------------------- sensitive members

def test_huge_query_string_is_not_echoed(tsl, endpoint):
    huge = "SELECT 1 " + "-" * (300 * 1024)
    for op, body in (("Query", {"QueryString": huge}),
                     ("PrepareQuery", {"QueryString": huge})):
        r = tsl.raw(endpoint, op, body)
        assert (r.status, r.error_type) == (400, "ValidationException"), (op, r)
        assert r.message == tsl.coral([
            "Value at 'queryString' failed to satisfy constraint: "
            "Member must have length less than or equal to 262144"]), (op, r.message[:300])
        assert len(r.body) < 1000, (op, len(r.body))


def test_short_sensitive_values_are_redacted_too(tsl, endpoint):
    r = tsl.raw(endpoint, "Query", {"QueryString": "SELECT 1", "ClientToken": "tok-123",
                                    "MaxRows": 0})
    assert r.status == 400 and r.error_type == "ValidationException", r
    assert r.message == tsl.coral([
        "Value at 'clientToken' failed to satisfy constraint: "
        "Member must have length greater than or equal to 32",
        tsl.violation("0", "maxRows", "Member must have value greater than or equal to 1"),
    ]), r
    assert "tok-123" not in r.body.decode()
    r = tsl.raw(endpoint, "Query", {"QueryString": ""})
    assert r.message == tsl.coral([
        "Value at 'queryString' failed to satisfy constraint: "
        "Member must have length greater than or equal to 1"]), r


def test_missing_sensitive_member_is_still_value_null(tsl, endpoint):
    r = tsl.raw(endpoint, "Query", {})
    assert r.message == tsl.coral([tsl.violation(None, "queryString",
                                                 "Member must not be null")]), r


def test_non_sensitive_values_are_still_echoed(tsl, endpoint):
    r = tsl.raw(endpoint, "CreateDatabase", {"DatabaseName": "ab"})
    assert r.message == tsl.coral([tsl.violation(
        "ab", "databaseName", "Member must have length greater than or equal to 3")]), r
