"""Grants giving access beside the key policy, and grant constraints
(docs/kms-behaviour.md#authorization, docs/kms-behaviour.md#grant-constraints).
"""

from __future__ import annotations

from typing import Any

import pytest

from tests._support import refused
from tests.enforce_policies._policies import (
    ADMIN,
    CONTEXT_OPERATIONS,
    FOREIGN_ROLE,
    FOREIGN_STRANGER,
    OPERATIONS,
    OTHER_ROLE,
    ROLE,
    SESSION,
    As,
    Client,
    encrypt,
    grant,
    make_key,
    not_allowed,
    run_with_context,
)

pytestmark = pytest.mark.kms_mock(enforce_policies=True)


def test_grant_lets_a_role_without_statement_decrypt(as_principal: As, admin: Client) -> None:
    key = make_key(admin)
    blob = encrypt(admin, key)["CiphertextBlob"]
    role = as_principal(ROLE)
    assert refused(lambda: role.decrypt(CiphertextBlob=blob)) == not_allowed(ROLE, "Decrypt", key)

    grant(admin, key, ["Decrypt"])

    assert role.decrypt(CiphertextBlob=blob)["Plaintext"] == b"secret"


@pytest.mark.parametrize("operation", ["Encrypt", "GenerateDataKey", "DescribeKey", "ListGrants"])
def test_grant_allows_only_its_operations(as_principal: As, admin: Client, operation: str) -> None:
    key = make_key(admin)
    grant(admin, key, ["Decrypt"])

    found = refused(lambda: OPERATIONS[operation](as_principal(ROLE), key))

    assert found == not_allowed(ROLE, operation, key)


@pytest.mark.parametrize(
    "operation", ["Encrypt", "GenerateDataKey", "GenerateDataKeyWithoutPlaintext", "DescribeKey"]
)
def test_grant_allows_each_of_its_operations(
    as_principal: As, admin: Client, operation: str
) -> None:
    key = make_key(admin)
    grant(admin, key, [operation])

    OPERATIONS[operation](as_principal(ROLE), key)


def test_grant_to_a_role_covers_its_sessions(as_principal: As, admin: Client) -> None:
    key = make_key(admin)
    grant(admin, key, ["Encrypt", "Decrypt"])
    session = as_principal(SESSION)

    blob = encrypt(session, key)["CiphertextBlob"]

    assert session.decrypt(CiphertextBlob=blob)["KeyId"] == key


def test_grant_to_another_principal_does_not_help(as_principal: As, admin: Client) -> None:
    key = make_key(admin)
    grant(admin, key, ["Encrypt"], grantee=OTHER_ROLE)

    assert refused(lambda: encrypt(as_principal(ROLE), key)) == not_allowed(ROLE, "Encrypt", key)


def test_grant_on_another_key_does_not_help(as_principal: As, admin: Client) -> None:
    key = make_key(admin)
    other = make_key(admin)
    grant(admin, other, ["Encrypt"])

    assert refused(lambda: encrypt(as_principal(ROLE), key)) == not_allowed(ROLE, "Encrypt", key)
    assert encrypt(as_principal(ROLE), other)["KeyId"] == other


def test_grant_lets_another_accounts_principal_use_the_key(as_principal: As, root: Client) -> None:
    key = root.create_key()["KeyMetadata"]["Arn"]
    foreign = as_principal(FOREIGN_ROLE)
    assert refused(lambda: encrypt(foreign, key)) == not_allowed(FOREIGN_ROLE, "Encrypt", key)

    grant(root, key, ["Encrypt"], grantee=FOREIGN_ROLE)

    assert encrypt(foreign, key)["KeyId"] == key


def test_grant_is_usable_with_its_token(as_principal: As, admin: Client) -> None:
    key = make_key(admin)
    token = grant(admin, key, ["Encrypt"])["GrantToken"]

    response = as_principal(ROLE).encrypt(KeyId=key, Plaintext=b"x", GrantTokens=[token])

    assert response["KeyId"] == key


def test_grant_for_re_encrypt(as_principal: As, admin: Client) -> None:
    source = make_key(admin)
    destination = make_key(admin)
    grant(admin, source, ["ReEncryptFrom"])
    blob = encrypt(admin, source)["CiphertextBlob"]
    role = as_principal(ROLE)

    def call() -> Any:
        return role.re_encrypt(CiphertextBlob=blob, DestinationKeyId=destination)

    assert refused(call) == not_allowed(ROLE, "ReEncryptTo", destination)
    grant(admin, destination, ["ReEncryptTo"])
    assert call()["KeyId"] == destination


@pytest.mark.parametrize("operation", CONTEXT_OPERATIONS)
@pytest.mark.parametrize(
    ("context", "allowed"),
    [
        pytest.param({"Dept": "finance"}, True, id="same-pairs"),
        pytest.param({"dept": "finance"}, True, id="key-case-insensitive"),
        pytest.param({"Dept": "finance", "x": "y"}, True, id="extra-pairs"),
        pytest.param({"Dept": "Finance"}, False, id="value-case-sensitive"),
        pytest.param({"x": "y"}, False, id="pair-missing"),
        pytest.param(None, False, id="no-context"),
    ],
)
def test_grant_with_encryption_context_subset(
    as_principal: As,
    admin: Client,
    operation: str,
    context: dict[str, str] | None,
    allowed: bool,
) -> None:
    key = make_key(admin)
    grant(
        admin,
        key,
        ["Encrypt", "Decrypt", "GenerateDataKey"],
        Constraints={"EncryptionContextSubset": {"Dept": "finance"}},
    )
    role = as_principal(ROLE)

    if allowed:
        assert run_with_context(operation, admin, role, key, context)["KeyId"] == key
    else:
        found = refused(lambda: run_with_context(operation, admin, role, key, context))
        assert found == not_allowed(ROLE, operation, key)


@pytest.mark.parametrize("operation", CONTEXT_OPERATIONS)
@pytest.mark.parametrize(
    ("context", "allowed"),
    [
        pytest.param({"Dept": "finance", "Team": "a"}, True, id="same-pairs"),
        pytest.param({"team": "a", "DEPT": "finance"}, True, id="key-case-insensitive"),
        pytest.param({"Dept": "finance", "Team": "a", "x": "y"}, False, id="extra-pair"),
        pytest.param({"Dept": "finance"}, False, id="pair-missing"),
        pytest.param({"Dept": "finance", "Team": "A"}, False, id="value-case-sensitive"),
        pytest.param(None, False, id="no-context"),
    ],
)
def test_grant_with_encryption_context_equals(
    as_principal: As,
    admin: Client,
    operation: str,
    context: dict[str, str] | None,
    allowed: bool,
) -> None:
    key = make_key(admin)
    grant(
        admin,
        key,
        ["Encrypt", "Decrypt", "GenerateDataKey"],
        Constraints={"EncryptionContextEquals": {"Dept": "finance", "Team": "a"}},
    )
    role = as_principal(ROLE)

    if allowed:
        assert run_with_context(operation, admin, role, key, context)["KeyId"] == key
    else:
        found = refused(lambda: run_with_context(operation, admin, role, key, context))
        assert found == not_allowed(ROLE, operation, key)


def test_grant_constraints_do_not_apply_to_describe_key(as_principal: As, admin: Client) -> None:
    key = make_key(admin)
    grant(
        admin,
        key,
        ["DescribeKey", "Encrypt"],
        Constraints={"EncryptionContextEquals": {"dept": "finance"}},
    )

    assert as_principal(ROLE).describe_key(KeyId=key)["KeyMetadata"]["Arn"] == key


def test_grant_constraints_apply_to_re_encrypt_source_context(
    as_principal: As, admin: Client
) -> None:
    key = make_key(admin)
    grant(
        admin,
        key,
        ["ReEncryptFrom", "ReEncryptTo"],
        Constraints={"EncryptionContextSubset": {"dept": "finance"}},
    )
    blob = encrypt(admin, key, {"dept": "hr"})["CiphertextBlob"]

    found = refused(
        lambda: as_principal(ROLE).re_encrypt(
            CiphertextBlob=blob,
            SourceEncryptionContext={"dept": "hr"},
            DestinationKeyId=key,
            DestinationEncryptionContext={"dept": "finance"},
        )
    )

    assert found == not_allowed(ROLE, "ReEncryptFrom", key)


@pytest.mark.parametrize("how", ["retire-by-token", "retire-by-id", "revoke"])
def test_access_through_a_grant_ends_with_the_grant(
    as_principal: As, admin: Client, how: str
) -> None:
    key = make_key(admin)
    created = grant(admin, key, ["Encrypt"], RetiringPrincipal=ADMIN)
    role = as_principal(ROLE)
    assert encrypt(role, key)["KeyId"] == key

    if how == "retire-by-token":
        admin.retire_grant(GrantToken=created["GrantToken"])
    elif how == "retire-by-id":
        admin.retire_grant(KeyId=key, GrantId=created["GrantId"])
    else:
        admin.revoke_grant(KeyId=key, GrantId=created["GrantId"])

    assert refused(lambda: encrypt(role, key)) == not_allowed(ROLE, "Encrypt", key)


def test_grantee_retiring_its_own_grant_loses_access(as_principal: As, admin: Client) -> None:
    key = make_key(admin)
    created = grant(admin, key, ["Encrypt", "RetireGrant"])
    role = as_principal(ROLE)

    role.retire_grant(GrantToken=created["GrantToken"])

    assert refused(lambda: encrypt(role, key)) == not_allowed(ROLE, "Encrypt", key)


def test_revoke_grant_needs_the_key_policy(as_principal: As, admin: Client) -> None:
    key = make_key(admin)
    created = grant(admin, key, ["Encrypt"])

    found = refused(lambda: as_principal(ROLE).revoke_grant(KeyId=key, GrantId=created["GrantId"]))

    assert found == not_allowed(ROLE, "RevokeGrant", key)


def test_unrelated_principal_of_another_account_cannot_retire_a_grant(
    as_principal: As, admin: Client
) -> None:
    # docs/kms-behaviour.md#retiring-grants: the retiring principal, the grantee (with RetireGrant
    # in the grant) or the account that created the grant may retire it; no one else.
    key = make_key(admin)
    created = grant(admin, key, ["Encrypt"], RetiringPrincipal=ADMIN)

    found = refused(
        lambda: as_principal(FOREIGN_STRANGER).retire_grant(GrantToken=created["GrantToken"])
    )

    # Unverified against AWS: the message for this case.
    assert found[0] == "AccessDeniedException"
    assert encrypt(as_principal(ROLE), key)["KeyId"] == key


def test_create_grant_through_a_grant(as_principal: As, admin: Client) -> None:
    key = make_key(admin)
    grant(admin, key, ["CreateGrant", "Decrypt"])
    blob = encrypt(admin, key)["CiphertextBlob"]

    as_principal(ROLE).create_grant(KeyId=key, GranteePrincipal=OTHER_ROLE, Operations=["Decrypt"])

    assert as_principal(OTHER_ROLE).decrypt(CiphertextBlob=blob)["KeyId"] == key


def test_create_grant_through_a_grant_is_limited_to_the_parents_operations(
    as_principal: As, admin: Client
) -> None:
    # A child grant may allow only a subset of its parent's operations
    # (docs/kms-behaviour.md#grant-constraints).
    key = make_key(admin)
    grant(admin, key, ["CreateGrant", "Decrypt"])

    found = refused(
        lambda: as_principal(ROLE).create_grant(
            KeyId=key, GranteePrincipal=OTHER_ROLE, Operations=["Encrypt"]
        )
    )

    assert found == not_allowed(ROLE, "CreateGrant", key)


def test_create_grant_through_a_constrained_grant_with_equal_constraints(
    as_principal: As, admin: Client
) -> None:
    # A grant allowing CreateGrant with a constraint lets the grantee create child grants
    # with equal or stricter constraints (docs/kms-behaviour.md#grant-constraints).
    key = make_key(admin)
    constraints = {"EncryptionContextSubset": {"dept": "finance"}}
    grant(admin, key, ["CreateGrant", "Decrypt"], Constraints=constraints)

    created = as_principal(ROLE).create_grant(
        KeyId=key, GranteePrincipal=OTHER_ROLE, Operations=["Decrypt"], Constraints=constraints
    )

    assert len(created["GrantId"]) == 64
