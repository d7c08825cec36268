"""Account settings (wire-protocol.md §5.7) through the timestream-query client."""

import pytest

PRICING = {"BYTES_SCANNED", "COMPUTE_UNITS"}


def test_describe_account_settings(query):
    resp = query.describe_account_settings()
    assert resp["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert resp.get("QueryPricingModel") in PRICING, resp
    if "MaxQueryTCU" in resp:
        assert isinstance(resp["MaxQueryTCU"], int)
    if "QueryCompute" in resp:
        assert resp["QueryCompute"].get("ComputeMode", "ON_DEMAND") in {"ON_DEMAND", "PROVISIONED"}


def test_update_account_settings_max_query_tcu(query):
    resp = query.update_account_settings(MaxQueryTCU=8)
    assert resp["MaxQueryTCU"] == 8
    assert resp.get("QueryPricingModel") in PRICING
    assert query.describe_account_settings()["MaxQueryTCU"] == 8
    resp = query.update_account_settings(MaxQueryTCU=1000)
    assert resp["MaxQueryTCU"] == 1000
    assert query.describe_account_settings()["MaxQueryTCU"] == 1000
    resp = query.update_account_settings(MaxQueryTCU=4)
    assert resp["MaxQueryTCU"] == 4
    assert query.describe_account_settings()["MaxQueryTCU"] == 4


@pytest.mark.parametrize("tcu", [6, 0, 2, 1004, -4])
def test_update_account_settings_invalid_tcu(query, tsl, tcu):
    query.update_account_settings(MaxQueryTCU=12)
    with tsl.raises("ValidationException", status=400):
        query.update_account_settings(MaxQueryTCU=tcu)
    # A rejected update changes nothing.
    assert query.describe_account_settings()["MaxQueryTCU"] == 12


def test_update_account_settings_pricing_model_one_way(query, tsl):
    resp = query.update_account_settings(QueryPricingModel="COMPUTE_UNITS")
    assert resp["QueryPricingModel"] == "COMPUTE_UNITS"
    assert query.describe_account_settings()["QueryPricingModel"] == "COMPUTE_UNITS"
    with tsl.raises("ValidationException", status=400):
        query.update_account_settings(QueryPricingModel="BYTES_SCANNED")
    assert query.describe_account_settings()["QueryPricingModel"] == "COMPUTE_UNITS"


def test_account_settings_reset(tsl, endpoint):
    q = tsl.query(endpoint)
    before = q.describe_account_settings()
    new = 20 if before.get("MaxQueryTCU") == 16 else 16
    q.update_account_settings(MaxQueryTCU=new)
    assert q.describe_account_settings()["MaxQueryTCU"] == new
    tsl.reset(endpoint)
    after = q.describe_account_settings()
    assert after.get("MaxQueryTCU") == before.get("MaxQueryTCU")
