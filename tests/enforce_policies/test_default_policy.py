"""Key policies under ``mock_kms(enforce_policies=True)``: off by default, the default key
policy, and another account's principals (docs/kms-behaviour.md#authorization).
"""

from __future__ import annotations

import pytest

from kmsmock import KmsMock
from tests._support import OTHER_ACCOUNT, ROOT, refused
from tests.enforce_policies._policies import (
    FOREIGN_ROLE,
    FOREIGN_ROOT,
    FOREIGN_SESSION,
    FOREIGN_STRANGER,
    OPERATIONS,
    OTHER_ROLE,
    ROLE,
    SESSION,
    USER,
    As,
    Client,
    Statement,
    allow,
    deny,
    document,
    encrypt,
    make_key,
    not_allowed,
)

pytestmark = pytest.mark.kms_mock(enforce_policies=True)


# Off by default ---------------------------------------------------------------


@pytest.mark.kms_mock  # no options: the defaults
@pytest.mark.parametrize(
    "statement",
    [
        pytest.param(allow(ROLE, "kms:*"), id="allow-only-a-role"),
        pytest.param(deny(OTHER_ROLE, "kms:*"), id="explicit-deny"),
    ],
)
def test_without_enforce_policies_a_policy_stops_no_one(
    kms_mock: KmsMock, as_principal: As, admin: Client, statement: Statement
) -> None:
    assert kms_mock.enforce_policies is False
    key = make_key(admin, statement)

    blob = encrypt(as_principal(OTHER_ROLE), key)["CiphertextBlob"]

    assert as_principal(OTHER_ROLE).decrypt(CiphertextBlob=blob)["Plaintext"] == b"secret"
    assert as_principal(FOREIGN_ROLE).encrypt(KeyId=key, Plaintext=b"x")["KeyId"] == key


def test_the_marker_turns_enforcement_on(kms_mock: KmsMock) -> None:
    assert kms_mock.enforce_policies is True


# The default key policy and cross-account use -----------------------------------


@pytest.mark.parametrize("principal", [ROOT, USER, ROLE, SESSION])
@pytest.mark.parametrize(
    "operation", ["Encrypt", "GenerateDataKey", "DescribeKey", "GetKeyPolicy", "DisableKey"]
)
def test_default_policy_lets_every_principal_of_the_account_do_anything(
    as_principal: As, root: Client, principal: str, operation: str
) -> None:
    key = root.create_key()["KeyMetadata"]["Arn"]

    OPERATIONS[operation](as_principal(principal), key)


def test_default_policy_lets_a_principal_decrypt_what_another_encrypted(
    as_principal: As, root: Client
) -> None:
    key = root.create_key()["KeyMetadata"]["Arn"]
    blob = encrypt(as_principal(ROLE), key)["CiphertextBlob"]

    assert as_principal(USER).decrypt(CiphertextBlob=blob)["Plaintext"] == b"secret"


@pytest.mark.parametrize("principal", [FOREIGN_ROLE, FOREIGN_ROOT, FOREIGN_SESSION])
@pytest.mark.parametrize("operation", ["Encrypt", "DescribeKey", "CreateGrant"])
def test_default_policy_denies_another_accounts_principal(
    as_principal: As, root: Client, principal: str, operation: str
) -> None:
    key = root.create_key()["KeyMetadata"]["Arn"]

    found = refused(lambda: OPERATIONS[operation](as_principal(principal), key))

    assert found == not_allowed(principal, operation, key)


@pytest.mark.parametrize(
    "named",
    [
        pytest.param(FOREIGN_ROOT, id="account-root"),
        pytest.param(OTHER_ACCOUNT, id="bare-account-id"),
        pytest.param(FOREIGN_ROLE, id="principal-arn"),
        pytest.param("*", id="anyone-AWS"),
    ],
)
def test_policy_naming_the_other_account_or_principal_allows_it(
    as_principal: As, root: Client, named: str
) -> None:
    policy = document(
        allow(ROOT, "kms:*"), allow(named, ["kms:Encrypt", "kms:Decrypt", "kms:DescribeKey"])
    )
    key = root.create_key(Policy=policy)["KeyMetadata"]["Arn"]
    foreign = as_principal(FOREIGN_ROLE)

    blob = encrypt(foreign, key)["CiphertextBlob"]

    assert foreign.decrypt(CiphertextBlob=blob)["KeyId"] == key
    assert foreign.describe_key(KeyId=key)["KeyMetadata"]["Arn"] == key


def test_policy_principal_star_string_allows_another_account(
    as_principal: As, root: Client
) -> None:
    policy = document(allow(ROOT, "kms:*"), allow("*", "kms:Encrypt"))
    key = root.create_key(Policy=policy)["KeyMetadata"]["Arn"]

    assert encrypt(as_principal(FOREIGN_ROLE), key)["KeyId"] == key


def test_policy_naming_one_foreign_principal_does_not_allow_its_neighbour(
    as_principal: As, root: Client
) -> None:
    policy = document(allow(ROOT, "kms:*"), allow(FOREIGN_ROLE, "kms:Encrypt"))
    key = root.create_key(Policy=policy)["KeyMetadata"]["Arn"]

    found = refused(lambda: encrypt(as_principal(FOREIGN_STRANGER), key))

    assert found == not_allowed(FOREIGN_STRANGER, "Encrypt", key)


def test_policy_naming_the_foreign_account_allows_only_the_actions_listed(
    as_principal: As, root: Client
) -> None:
    policy = document(allow(ROOT, "kms:*"), allow(FOREIGN_ROOT, "kms:Encrypt"))
    key = root.create_key(Policy=policy)["KeyMetadata"]["Arn"]

    found = refused(lambda: as_principal(FOREIGN_ROLE).describe_key(KeyId=key))

    assert found == not_allowed(FOREIGN_ROLE, "DescribeKey", key)
