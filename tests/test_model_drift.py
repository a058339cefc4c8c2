"""A botocore newer than kmsmock's known model: what it adds raises a library error naming
it, and so does a declared gap; nothing is ignored and nothing fails inside a handler."""

from __future__ import annotations

from typing import Any

import botocore
import pytest

from kmsmock import FeatureNotImplementedError, ParameterNotImplementedError
from kmsmock.service import core
from kmsmock.wire import known_model
from tests._support import ACCOUNT


@pytest.fixture
def key_id(client: Any) -> str:
    found: str = client.create_key()["KeyMetadata"]["KeyId"]
    return found


@pytest.fixture
def older_known_model(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """known_model.OPERATIONS as a copy the test may cut down, as if kmsmock were written
    against an older botocore than the installed one."""
    copied = {name: dict(paths) for name, paths in known_model.OPERATIONS.items()}
    monkeypatch.setattr(known_model, "OPERATIONS", copied)
    monkeypatch.setattr(known_model, "BOTOCORE_VERSION", "1.40.0")
    monkeypatch.setattr(core, "_PLANS", {})  # plans hold the guard worked out before
    return copied


def test_create_key_member_unknown_to_kmsmock_raises_parameter_not_implemented(
    client, older_known_model
):
    del older_known_model["CreateKey"]["Description"]
    with pytest.raises(ParameterNotImplementedError) as info:
        client.create_key(Description="made by a newer botocore")
    assert str(info.value) == (
        "kmsmock does not know the Description parameter in KMS operation 'CreateKey' of "
        f"the installed botocore {botocore.__version__} (it knows botocore 1.40.0's KMS "
        "model): upgrade kmsmock, or pin botocore==1.40.0. "
        "Coverage: https://github.com/kmsmock/kmsmock/blob/main/docs/operations.md"
    )
    assert client.list_keys()["Keys"] == []
    assert client.create_key()["KeyMetadata"]["Description"] == ""


def test_create_key_enum_value_unknown_to_kmsmock_raises_feature_not_implemented(
    client, older_known_model
):
    known = older_known_model["CreateKey"]["KeySpec"]
    older_known_model["CreateKey"]["KeySpec"] = tuple(v for v in known if v != "HMAC_384")
    with pytest.raises(FeatureNotImplementedError) as info:
        client.create_key(KeySpec="HMAC_384", KeyUsage="GENERATE_VERIFY_MAC")
    assert str(info.value) == (
        "kmsmock does not know KeySpec HMAC_384 in KMS operation 'CreateKey' of the "
        f"installed botocore {botocore.__version__} (it knows botocore 1.40.0's KMS "
        "model): upgrade kmsmock, or pin botocore==1.40.0. "
        "Coverage: https://github.com/kmsmock/kmsmock/blob/main/docs/operations.md"
    )
    assert client.create_key(KeySpec="HMAC_256", KeyUsage="GENERATE_VERIFY_MAC")


def test_create_grant_list_enum_value_unknown_to_kmsmock_raises_feature_not_implemented(
    client, key_id, older_known_model
):
    known = older_known_model["CreateGrant"]["Operations[]"]
    older_known_model["CreateGrant"]["Operations[]"] = tuple(v for v in known if v != "Decrypt")
    with pytest.raises(FeatureNotImplementedError, match=r"Operations\[\] Decrypt"):
        client.create_grant(
            KeyId=key_id,
            GranteePrincipal=f"arn:aws:iam::{ACCOUNT}:role/app",
            Operations=["Encrypt", "Decrypt"],
        )
    assert client.list_grants(KeyId=key_id)["Grants"] == []


@pytest.fixture
def declared_gaps(monkeypatch: pytest.MonkeyPatch) -> dict[str, dict[str, str | None]]:
    """known_model.GAPS as a dict the test fills, as if a release declared parts not built."""
    gaps: dict[str, dict[str, str | None]] = {}
    monkeypatch.setattr(known_model, "GAPS", gaps)
    monkeypatch.setattr(core, "_PLANS", {})
    return gaps


def test_create_key_declared_gap_parameter_raises_parameter_not_implemented_yet(
    client, declared_gaps
):
    declared_gaps["CreateKey"] = {"Description": None}
    with pytest.raises(ParameterNotImplementedError) as info:
        client.create_key(Description="not built")
    assert (info.value.parameter, info.value.installed_botocore) == ("Description", None)
    assert str(info.value) == (
        "kmsmock does not implement the Description parameter of KMS operation "
        "'CreateKey' yet. "
        "Coverage: https://github.com/kmsmock/kmsmock/blob/main/docs/operations.md"
    )
    assert client.list_keys()["Keys"] == []


def test_create_key_declared_gap_feature_raises_feature_not_implemented_yet(client, declared_gaps):
    declared_gaps["CreateKey"] = {"Tags": "tags on a new key"}
    with pytest.raises(FeatureNotImplementedError) as info:
        client.create_key(Tags=[{"TagKey": "team", "TagValue": "a"}])
    assert str(info.value) == (
        "kmsmock does not implement tags on a new key in KMS operation 'CreateKey' yet. "
        "Coverage: https://github.com/kmsmock/kmsmock/blob/main/docs/operations.md"
    )
    assert client.list_keys()["Keys"] == []
