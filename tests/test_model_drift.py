"""A botocore newer than kmsmock's known model: what it adds raises a library error naming
it, and so does a declared gap; nothing is ignored and nothing fails inside a handler."""

from __future__ import annotations

from typing import Any

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
    monkeypatch.setattr(core, "_PLANS", {})  # plans hold the guard worked out before
    return copied


def test_create_key_member_unknown_to_kmsmock_raises_parameter_not_implemented(
    client, older_known_model
):
    del older_known_model["CreateKey"]["Description"]
    with pytest.raises(ParameterNotImplementedError) as info:
        client.create_key(Description="made by a newer botocore")
    assert str(info.value) == (
        "kmsmock does not implement the Description parameter of KMS operation "
        "'CreateKey' yet. See docs/operations.md."
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
        "kmsmock does not implement KeySpec HMAC_384 in KMS operation 'CreateKey' yet. "
        "See docs/operations.md."
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
