"""Grants: CreateGrant, ListGrants, ListRetirableGrants, RetireGrant, RevokeGrant, and the
GrantTokens parameter of other operations (docs/kms-behaviour.md#grant-ids-and-tokens,
docs/kms-behaviour.md#create-grant)."""

from __future__ import annotations

import base64
import re
import uuid
from datetime import datetime
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from botocore.model import ListShape

from tests._support import (
    ACCOUNT,
    ARN_PREFIX,
    DRY_RUN,
    MS,
    OTHER_ACCESS_KEY_ID,
    OTHER_ACCOUNT,
    REGION,
    ROOT,
    UNKNOWN_KEY_ID,
    assert_valid_output,
    body,
    error,
    key_arn,
    ml_kem_in_model,
    mock_now,
    new_key,
    refused,
    service_model,
)

GRANTEE = f"arn:aws:iam::{ACCOUNT}:role/grantee"
OTHER_GRANTEE = f"arn:aws:iam::{ACCOUNT}:role/other-grantee"
RETIRER = f"arn:aws:iam::{ACCOUNT}:role/retirer"
UNKNOWN_GRANT_ID = "0c237476b39f8bc44e45212e08498fbe3151305030726c0590dd8d3e9f3d6a60"
GRANT_ID = re.compile(r"[0-9a-f]{64}")
RETIRE_NEEDS = ("ValidationException", "Grant token OR (grant ID, key ID) must be specified")

# Key types and the operations a grant on them may allow (docs/kms-behaviour.md#grant-operations).
COMMON = ["CreateGrant", "RetireGrant", "DescribeKey"]
KEY_TYPES: dict[str, tuple[str, str]] = {
    "symmetric": ("SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT"),
    "rsa-encrypt": ("RSA_2048", "ENCRYPT_DECRYPT"),
    "rsa-sign": ("RSA_2048", "SIGN_VERIFY"),
    "ecc-sign": ("ECC_NIST_P256", "SIGN_VERIFY"),
    "ecc-agreement": ("ECC_NIST_P256", "KEY_AGREEMENT"),
    "hmac": ("HMAC_256", "GENERATE_VERIFY_MAC"),
    **({"ml-kem": ("ML_KEM_768", "ENCAPSULATE_DECAPSULATE")} if ml_kem_in_model() else {}),
}
ALLOWED: dict[str, list[str]] = {
    "symmetric": [
        "Decrypt",
        "Encrypt",
        "GenerateDataKey",
        "GenerateDataKeyWithoutPlaintext",
        "GenerateDataKeyPair",
        "GenerateDataKeyPairWithoutPlaintext",
        "ReEncryptFrom",
        "ReEncryptTo",
        *COMMON,
    ],
    "rsa-encrypt": ["Encrypt", "Decrypt", "ReEncryptFrom", "ReEncryptTo", "GetPublicKey", *COMMON],
    "rsa-sign": ["Sign", "Verify", "GetPublicKey", *COMMON],
    "ecc-sign": ["Sign", "Verify", "GetPublicKey", *COMMON],
    "ecc-agreement": ["DeriveSharedSecret", "GetPublicKey", *COMMON],
    "hmac": ["GenerateMac", "VerifyMac", *COMMON],
    **(
        {"ml-kem": ["Encapsulate", "Decapsulate", "GetPublicKey", *COMMON]}
        if ml_kem_in_model()
        else {}
    ),
}
ASYMMETRIC_OR_HMAC = [kind for kind in KEY_TYPES if kind != "symmetric"]


def grant_operations() -> list[str]:
    """The GrantOperation enum, in the model's order."""
    shape = service_model().operation_model("CreateGrant").input_shape
    assert shape is not None
    operations = shape.members["Operations"]
    assert isinstance(operations, ListShape)
    return list(operations.member.metadata["enum"])


ALLOWED_CASES = [
    (kind, operation)
    for kind, operations in ALLOWED.items()
    for operation in operations
    if operation != "CreateGrant"  # alone it is refused whatever the key
]
REFUSED_CASES = [
    (kind, operation)
    for kind, operations in ALLOWED.items()
    for operation in grant_operations()
    if operation not in operations
]


def create(client: Any, key_id: str, **kwargs: Any) -> dict[str, Any]:
    """CreateGrant with a default grantee and operations; returns the response body."""
    params: dict[str, Any] = {"GranteePrincipal": GRANTEE, "Operations": ["Encrypt", "Decrypt"]}
    params.update(kwargs)
    return body(client.create_grant(KeyId=key_id, **params))


def grants(client: Any, key_id: str, **kwargs: Any) -> list[dict[str, Any]]:
    """The grants ListGrants shows on one page that holds them all."""
    response = client.list_grants(KeyId=key_id, **kwargs)
    assert response["Truncated"] is False
    assert "NextMarker" not in response
    found: list[dict[str, Any]] = response["Grants"]
    return found


def grant_ids(client: Any, key_id: str, **kwargs: Any) -> list[str]:
    return [entry["GrantId"] for entry in grants(client, key_id, **kwargs)]


def retirable(client: Any, principal: str, **kwargs: Any) -> list[dict[str, Any]]:
    response = client.list_retirable_grants(RetiringPrincipal=principal, **kwargs)
    assert response["Truncated"] is False
    found: list[dict[str, Any]] = response["Grants"]
    return found


def entry(
    key_id: str, grant_id: str, created: datetime, operations: list[str], **optional: Any
) -> dict[str, Any]:
    """The exact GrantListEntry of a grant made by this account for GRANTEE."""
    expected: dict[str, Any] = {
        "KeyId": key_arn(key_id),
        "GrantId": grant_id,
        "CreationDate": created,
        "GranteePrincipal": GRANTEE,
        "IssuingAccount": ROOT,
        "Operations": operations,
    }
    expected.update(optional)
    return expected


@pytest.fixture
def other_client(kms_mock: Any) -> Any:
    """A client whose access key belongs to account 111122223333."""
    kms_mock.identities.add(OTHER_ACCESS_KEY_ID, account_id=OTHER_ACCOUNT)
    return boto3.client(
        "kms",
        region_name=REGION,
        aws_access_key_id=OTHER_ACCESS_KEY_ID,
        aws_secret_access_key="other-secret",
    )


# CreateGrant: response and listing -------------------------------------------------


def test_create_grant_returns_hex_grant_id_and_token(client, key_id):
    response = client.create_grant(KeyId=key_id, GranteePrincipal=GRANTEE, Operations=["Encrypt"])
    assert_valid_output("CreateGrant", response)
    found = body(response)
    assert set(found) == {"GrantId", "GrantToken"}
    assert GRANT_ID.fullmatch(found["GrantId"])
    # Opaque, base64url-style, 1-8192 characters (docs/kms-behaviour.md#grant-ids-and-tokens).
    assert re.fullmatch(r"[A-Za-z0-9_=-]{1,8192}", found["GrantToken"])


def test_create_grant_two_grants_have_different_ids_and_tokens(client, key_id):
    first, second = create(client, key_id), create(client, key_id)
    assert first["GrantId"] != second["GrantId"]
    assert first["GrantToken"] != second["GrantToken"]


def test_list_grants_new_key_has_no_grants(client, key_id):
    response = client.list_grants(KeyId=key_id)
    assert_valid_output("ListGrants", response)
    assert body(response) == {"Grants": [], "Truncated": False}


def test_list_grants_shows_minimal_grant_exactly(client, kms_mock, key_id):
    kms_mock.clock.advance(days=3)  # CreationDate follows the mock's clock, not real time
    before = mock_now(kms_mock)
    grant_id = create(client, key_id, Operations=["Decrypt", "Encrypt"])["GrantId"]
    after = mock_now(kms_mock)

    response = client.list_grants(KeyId=key_id)

    assert_valid_output("ListGrants", response)
    [found] = response["Grants"]
    assert before - MS <= found["CreationDate"] <= after + MS
    assert found == entry(key_id, grant_id, found["CreationDate"], ["Decrypt", "Encrypt"])
    assert response["Truncated"] is False


def test_list_grants_shows_name_retiring_principal_and_constraints_when_given(client, key_id):
    constraints = {"EncryptionContextSubset": {"app": "billing"}}
    grant_id = create(
        client,
        key_id,
        Operations=["GenerateDataKey"],
        Name="billing-grant",
        RetiringPrincipal=RETIRER,
        Constraints=constraints,
    )["GrantId"]

    [found] = grants(client, key_id)

    assert found == entry(
        key_id,
        grant_id,
        found["CreationDate"],
        ["GenerateDataKey"],
        Name="billing-grant",
        RetiringPrincipal=RETIRER,
        Constraints=constraints,
    )


def test_list_grants_by_key_arn_shows_key_arn(client, key_id):
    grant_id = create(client, key_arn(key_id))["GrantId"]
    assert [(e["KeyId"], e["GrantId"]) for e in grants(client, key_arn(key_id))] == [
        (key_arn(key_id), grant_id)
    ]


def test_list_grants_shows_only_the_keys_own_grants(client, key_id):
    other = new_key(client)
    mine = create(client, key_id)["GrantId"]
    create(client, other)
    assert grant_ids(client, key_id) == [mine]


# CreateGrant: Name idempotency -----------------------------------------------------


def test_create_grant_same_name_same_parameters_returns_same_grant_new_token(client, key_id):
    params: dict[str, Any] = {
        "Name": "app",
        "RetiringPrincipal": RETIRER,
        "Constraints": {"EncryptionContextEquals": {"a": "1"}},
    }
    first = create(client, key_id, Operations=["Encrypt", "Decrypt"], **params)
    again = create(client, key_id, Operations=["Encrypt", "Decrypt"], **params)
    assert again["GrantId"] == first["GrantId"]
    assert again["GrantToken"] != first["GrantToken"]
    assert grant_ids(client, key_id) == [first["GrantId"]]


def test_create_grant_same_name_operations_reordered_returns_same_grant(client, key_id):
    first = create(client, key_id, Name="app", Operations=["Encrypt", "Decrypt", "DescribeKey"])
    again = create(client, key_id, Name="app", Operations=["DescribeKey", "Decrypt", "Encrypt"])
    assert again["GrantId"] == first["GrantId"]
    assert again["GrantToken"] != first["GrantToken"]
    [found] = grants(client, key_id)
    assert found["Operations"] == ["Encrypt", "Decrypt", "DescribeKey"]


def test_create_grant_both_tokens_of_idempotent_grant_retire_it(client, key_id):
    first = create(client, key_id, Name="app")
    again = create(client, key_id, Name="app")
    client.retire_grant(GrantToken=again["GrantToken"])
    assert grants(client, key_id) == []
    # The first token names the same grant, now gone.
    assert refused(lambda: client.retire_grant(GrantToken=first["GrantToken"])) == (
        "NotFoundException",
        f"Grant ID {first['GrantId']} not found",
    )


@pytest.mark.parametrize(
    "change",
    [
        {"GranteePrincipal": OTHER_GRANTEE},
        {"Operations": ["Encrypt"]},
        {"Operations": ["Encrypt", "Decrypt", "DescribeKey"]},
        {"RetiringPrincipal": RETIRER},
        {"Constraints": {"EncryptionContextSubset": {"a": "1"}}},
    ],
    ids=["grantee", "fewer-operations", "more-operations", "retiring", "constraints"],
)
def test_create_grant_same_name_different_parameters_creates_new_grant(client, key_id, change):
    first = create(client, key_id, Name="app")["GrantId"]
    second = create(client, key_id, Name="app", **change)["GrantId"]
    assert second != first
    assert grant_ids(client, key_id) == [first, second]


def test_create_grant_same_name_on_other_key_creates_new_grant(client, key_id):
    other = new_key(client)
    first = create(client, key_id, Name="app")["GrantId"]
    second = create(client, other, Name="app")["GrantId"]
    assert second != first
    assert grant_ids(client, other) == [second]


def test_create_grant_without_name_always_creates_new_grant(client, key_id):
    first = create(client, key_id)["GrantId"]
    second = create(client, key_id)["GrantId"]
    assert second != first
    assert grant_ids(client, key_id) == [first, second]


def test_create_grant_name_of_retired_grant_creates_new_grant(client, key_id):
    first = create(client, key_id, Name="app")
    client.retire_grant(GrantToken=first["GrantToken"])
    second = create(client, key_id, Name="app")["GrantId"]
    assert second != first["GrantId"]
    assert grant_ids(client, key_id) == [second]


# CreateGrant: operations per key type ----------------------------------------------


@pytest.mark.parametrize("kind", list(KEY_TYPES))
def test_create_grant_all_allowed_operations_of_key_type_is_accepted(client, kind):
    key_id = new_key(client, *KEY_TYPES[kind])
    grant_id = create(client, key_id, Operations=ALLOWED[kind])["GrantId"]
    [found] = grants(client, key_id)
    assert found == entry(key_id, grant_id, found["CreationDate"], ALLOWED[kind])


@pytest.mark.parametrize(("kind", "operation"), ALLOWED_CASES)
def test_create_grant_allowed_operation_is_accepted(client, kind, operation):
    key_id = new_key(client, *KEY_TYPES[kind])
    grant_id = create(client, key_id, Operations=[operation])["GrantId"]
    assert [(e["GrantId"], e["Operations"]) for e in grants(client, key_id)] == [
        (grant_id, [operation])
    ]


@pytest.mark.parametrize(("kind", "operation"), REFUSED_CASES)
def test_create_grant_operation_not_valid_for_key_type_raises_validation(client, kind, operation):
    key_id = new_key(client, *KEY_TYPES[kind])
    assert refused(lambda: create(client, key_id, Operations=[operation])) == (
        "ValidationException",
        # Unverified against AWS: the text (docs/kms-behaviour.md#grant-operations); kmsmock's
        # wording.
        f"The grant operations {operation} are not valid for KMS key {key_arn(key_id)}.",
    )
    assert grants(client, key_id) == []


def test_create_grant_mixed_operations_names_only_the_invalid_ones_in_order(client, key_id):
    operations = ["Verify", "Encrypt", "Sign", "DescribeKey", "GenerateMac"]
    assert refused(lambda: create(client, key_id, Operations=operations)) == (
        "ValidationException",
        f"The grant operations Verify, Sign, GenerateMac are not valid for KMS key "
        f"{key_arn(key_id)}.",
    )
    assert grants(client, key_id) == []


def test_grant_operation_enum_matches_reference_table():
    # Every GrantOperation value is allowed for at least one key type, and nothing else is.
    union = {operation for operations in ALLOWED.values() for operation in operations}
    assert union == set(grant_operations())


@pytest.mark.parametrize("kind", list(KEY_TYPES))
def test_create_grant_only_create_grant_raises_validation(client, kind):
    key_id = new_key(client, *KEY_TYPES[kind])
    assert refused(lambda: create(client, key_id, Operations=["CreateGrant"])) == (
        "ValidationException",
        "Grants must not contain only the CreateGrant operation.",
    )
    assert grants(client, key_id) == []


def test_create_grant_create_grant_twice_only_raises_validation(client, key_id):
    assert refused(lambda: create(client, key_id, Operations=["CreateGrant", "CreateGrant"])) == (
        "ValidationException",
        "Grants must not contain only the CreateGrant operation.",
    )


def test_create_grant_create_grant_with_another_operation_is_accepted(client, key_id):
    create(client, key_id, Operations=["CreateGrant", "Encrypt"])
    assert [e["Operations"] for e in grants(client, key_id)] == [["CreateGrant", "Encrypt"]]


@pytest.mark.parametrize("which", ["client", "unchecked_client"])
def test_create_grant_empty_operations_raises_validation(request, key_id, which):
    # botocore does not check the list's length; the model sets no minimum
    # (docs/kms-behaviour.md#create-grant).
    caller = request.getfixturevalue(which)
    assert refused(lambda: create(caller, key_id, Operations=[])) == (
        "ValidationException",
        "1 validation error detected: Value '[]' at 'operations' failed to satisfy "
        "constraint: Member must have length greater than or equal to 1",
    )
    assert grants(caller, key_id) == []


@pytest.mark.parametrize("which", ["client", "unchecked_client"])
def test_create_grant_operation_outside_enum_raises_enum_validation(request, key_id, which):
    # botocore does not check enums client-side (docs/kms-behaviour.md#client-side-validation):
    # kmsmock answers.
    caller = request.getfixturevalue(which)
    assert refused(lambda: create(caller, key_id, Operations=["Encrypt", "ListGrants"])) == (
        "ValidationException",
        "1 validation error detected: Value 'ListGrants' at 'operations.2.member' failed to "
        f"satisfy constraint: Member must satisfy enum value set: "
        f"[{', '.join(grant_operations())}]",
    )
    assert grants(caller, key_id) == []


# CreateGrant: constraints ----------------------------------------------------------


@pytest.mark.parametrize(
    "constraints",
    [
        {"EncryptionContextSubset": {"app": "billing", "stage": "prod"}},
        {"EncryptionContextEquals": {"app": "billing"}},
        {
            "EncryptionContextSubset": {"app": "billing"},
            "EncryptionContextEquals": {"app": "billing", "team": "pay"},
        },
    ],
    ids=["subset", "equals", "both"],
)
def test_create_grant_constraints_on_symmetric_key_are_listed(client, key_id, constraints):
    grant_id = create(client, key_id, Constraints=constraints)["GrantId"]
    [found] = grants(client, key_id)
    assert found == entry(
        key_id, grant_id, found["CreationDate"], ["Encrypt", "Decrypt"], Constraints=constraints
    )


@pytest.mark.parametrize("kind", ASYMMETRIC_OR_HMAC)
def test_create_grant_constraints_on_asymmetric_or_hmac_key_raise_validation(client, kind):
    key_id = new_key(client, *KEY_TYPES[kind])
    constraints = {"EncryptionContextSubset": {"app": "billing"}}
    call = {"Operations": ["DescribeKey"], "Constraints": constraints}
    assert refused(lambda: create(client, key_id, **call)) == (
        "ValidationException",
        # Unverified against AWS: the text (docs/kms-behaviour.md#create-grant); kmsmock's wording.
        "Grant constraints are supported only for symmetric encryption KMS keys.",
    )
    assert grants(client, key_id) == []


@pytest.mark.parametrize("member", ["EncryptionContextSubset", "EncryptionContextEquals"])
def test_create_grant_constraint_with_eight_pairs_and_384_char_value_is_accepted(
    client, key_id, member
):
    pairs = {f"k{n}": "v" for n in range(7)} | {"long": "x" * 384}
    create(client, key_id, Constraints={member: pairs})
    assert [e["Constraints"] for e in grants(client, key_id)] == [{member: pairs}]


@pytest.mark.parametrize("member", ["EncryptionContextSubset", "EncryptionContextEquals"])
def test_create_grant_constraint_with_nine_pairs_raises_validation(client, key_id, member):
    pairs = {f"k{n}": "v" for n in range(9)}
    assert refused(lambda: create(client, key_id, Constraints={member: pairs})) == (
        "ValidationException",
        f"{member} can contain at most 8 encryption context pairs.",
    )
    assert grants(client, key_id) == []


@pytest.mark.parametrize("member", ["EncryptionContextSubset", "EncryptionContextEquals"])
def test_create_grant_constraint_value_over_384_chars_raises_validation(client, key_id, member):
    pairs = {"ok": "v", "long": "x" * 385}
    assert refused(lambda: create(client, key_id, Constraints={member: pairs})) == (
        "ValidationException",
        f"An encryption context value in {member} exceeds 384 characters.",
    )
    assert grants(client, key_id) == []


# CreateGrant: key identifiers, key states, DryRun ----------------------------------


def test_create_grant_disabled_key_raises_disabled(client, key_id):
    client.disable_key(KeyId=key_id)
    assert refused(lambda: create(client, key_id)) == (
        "DisabledException",
        f"{key_arn(key_id)} is disabled.",
    )
    assert grants(client, key_id) == []


def test_create_grant_pending_deletion_key_raises_invalid_state(client, key_id):
    client.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    assert refused(lambda: create(client, key_id)) == (
        "KMSInvalidStateException",
        f"{key_arn(key_id)} is pending deletion.",
    )
    assert grants(client, key_id) == []


def test_create_grant_pending_import_key_raises_invalid_state(client):
    key_id = client.create_key(Origin="EXTERNAL")["KeyMetadata"]["KeyId"]
    assert refused(lambda: create(client, key_id)) == (
        "KMSInvalidStateException",
        f"{key_arn(key_id)} is pending import.",
    )
    assert grants(client, key_id) == []


@pytest.mark.parametrize("form", ["id", "arn"])
def test_create_grant_unknown_key_raises_not_found(client, form):
    given = UNKNOWN_KEY_ID if form == "id" else key_arn(UNKNOWN_KEY_ID)
    assert refused(lambda: create(client, given)) == (
        "NotFoundException",
        f"Key '{key_arn(UNKNOWN_KEY_ID)}' does not exist",
    )


def test_create_grant_malformed_key_id_raises_not_found(client):
    assert refused(lambda: create(client, "fake-key-id")) == (
        "NotFoundException",
        "Invalid keyId 'fake-key-id'",
    )


@pytest.mark.parametrize("form", ["name", "arn"])
def test_create_grant_alias_raises_not_found(client, key_id, form):
    client.create_alias(AliasName="alias/app", TargetKeyId=key_id)
    given = "alias/app" if form == "name" else f"{ARN_PREFIX}:alias/app"
    assert refused(lambda: create(client, given)) == (
        "NotFoundException",
        f"Invalid keyId '{given}'",
    )
    assert grants(client, key_id) == []


def test_create_grant_dry_run_raises_dry_run_and_creates_nothing(client, key_id):
    assert refused(lambda: create(client, key_id, DryRun=True)) == DRY_RUN
    assert grants(client, key_id) == []


def test_create_grant_dry_run_false_creates_grant(client, key_id):
    grant_id = create(client, key_id, DryRun=False)["GrantId"]
    assert grant_ids(client, key_id) == [grant_id]


@pytest.mark.parametrize(
    ("member", "value", "pattern"),
    [
        ("Name", "bad name", "^[a-zA-Z0-9:/_-]+$"),
        ("GranteePrincipal", "bad principal", "^[\\w+=,.@:/-]+$"),
        ("RetiringPrincipal", "bad principal", "^[\\w+=,.@:/-]+$"),
    ],
)
def test_create_grant_value_outside_pattern_raises_validation(
    client, key_id, member, value, pattern
):
    wire = member[0].lower() + member[1:]
    assert refused(lambda: create(client, key_id, **{member: value})) == (
        "ValidationException",
        f"1 validation error detected: Value '{value}' at '{wire}' failed to satisfy "
        f"constraint: Member must satisfy regular expression pattern: {pattern}",
    )
    assert grants(client, key_id) == []


def test_create_grant_dry_run_invalid_operation_raises_validation_not_dry_run(client, key_id):
    assert refused(lambda: create(client, key_id, Operations=["Sign"], DryRun=True)) == (
        "ValidationException",
        f"The grant operations Sign are not valid for KMS key {key_arn(key_id)}.",
    )


def test_create_grant_dry_run_disabled_key_raises_disabled_not_dry_run(client, key_id):
    client.disable_key(KeyId=key_id)
    assert refused(lambda: create(client, key_id, DryRun=True)) == (
        "DisabledException",
        f"{key_arn(key_id)} is disabled.",
    )


def test_create_grant_dry_run_same_name_creates_nothing(client, key_id):
    first = create(client, key_id, Name="app")["GrantId"]
    assert refused(lambda: create(client, key_id, Name="app", DryRun=True)) == DRY_RUN
    assert grant_ids(client, key_id) == [first]


# ListGrants: filters -----------------------------------------------------------------


def test_list_grants_grant_id_filter_returns_only_that_grant(client, key_id):
    create(client, key_id)
    wanted = create(client, key_id, Operations=["Encrypt"])["GrantId"]
    create(client, key_id)
    [found] = grants(client, key_id, GrantId=wanted)
    assert found == entry(key_id, wanted, found["CreationDate"], ["Encrypt"])


@pytest.mark.parametrize(
    "grant_id",
    [UNKNOWN_GRANT_ID, "abc", "upper"],
    ids=["unknown", "malformed", "uppercase-of-existing"],
)
def test_list_grants_grant_id_filter_not_matching_raises_invalid_grant_id(client, key_id, grant_id):
    existing = create(client, key_id)["GrantId"]
    given = existing.upper() if grant_id == "upper" else grant_id
    assert refused(lambda: client.list_grants(KeyId=key_id, GrantId=given)) == (
        "InvalidGrantIdException",
        "",
    )


def test_list_grants_grant_id_of_other_keys_grant_raises_invalid_grant_id(client, key_id):
    other = new_key(client)
    create(client, key_id)
    theirs = create(client, other)["GrantId"]
    assert refused(lambda: client.list_grants(KeyId=key_id, GrantId=theirs)) == (
        "InvalidGrantIdException",
        "",
    )


def test_list_grants_grantee_filter_returns_only_that_grantees_grants(client, key_id):
    first = create(client, key_id, GranteePrincipal=OTHER_GRANTEE)["GrantId"]
    create(client, key_id)
    third = create(client, key_id, GranteePrincipal=OTHER_GRANTEE)["GrantId"]
    found = grants(client, key_id, GranteePrincipal=OTHER_GRANTEE)
    assert [(e["GrantId"], e["GranteePrincipal"]) for e in found] == [
        (first, OTHER_GRANTEE),
        (third, OTHER_GRANTEE),
    ]


def test_list_grants_grantee_filter_without_match_returns_empty(client, key_id):
    create(client, key_id)
    response = client.list_grants(KeyId=key_id, GranteePrincipal=OTHER_GRANTEE)
    assert body(response) == {"Grants": [], "Truncated": False}


# ListGrants: pages -----------------------------------------------------------------


def test_list_grants_limit_pages_in_creation_order(client, key_id):
    created = [create(client, key_id)["GrantId"] for _ in range(5)]
    pages: list[list[str]] = []
    truncated: list[bool] = []
    marker: dict[str, str] = {}
    while True:
        response = client.list_grants(KeyId=key_id, Limit=2, **marker)
        assert_valid_output("ListGrants", response)
        pages.append([e["GrantId"] for e in response["Grants"]])
        truncated.append(response["Truncated"])
        if not response["Truncated"]:
            assert "NextMarker" not in response
            break
        marker = {"Marker": response["NextMarker"]}
    assert pages == [created[0:2], created[2:4], created[4:5]]
    assert truncated == [True, True, False]


def test_list_grants_paginator_returns_all_grants_once(client, key_id):
    created = [create(client, key_id)["GrantId"] for _ in range(5)]
    paginator = client.get_paginator("list_grants")
    listed = [
        e["GrantId"]
        for page in paginator.paginate(KeyId=key_id, PaginationConfig={"PageSize": 2})
        for e in page["Grants"]
    ]
    assert listed == created


@pytest.fixture
def key_with_101_grants(client: Any, key_id: str) -> tuple[str, list[str]]:
    created = [create(client, key_id, Operations=["Encrypt"])["GrantId"] for _ in range(101)]
    return key_id, created


def test_list_grants_limit_above_100_is_clamped_to_100(client, key_with_101_grants):
    key_id, created = key_with_101_grants
    first = client.list_grants(KeyId=key_id, Limit=1000)
    assert [e["GrantId"] for e in first["Grants"]] == created[:100]
    assert first["Truncated"] is True
    rest = client.list_grants(KeyId=key_id, Limit=1000, Marker=first["NextMarker"])
    assert [e["GrantId"] for e in rest["Grants"]] == created[100:]
    assert rest["Truncated"] is False


def test_list_grants_default_limit_is_50(client, key_with_101_grants):
    key_id, created = key_with_101_grants
    first = client.list_grants(KeyId=key_id)
    assert [e["GrantId"] for e in first["Grants"]] == created[:50]
    assert first["Truncated"] is True


@pytest.mark.parametrize("operation", ["ListGrants", "ListRetirableGrants"])
def test_list_grants_marker_not_issued_by_kms_raises_invalid_marker(client, key_id, operation):
    create(client, key_id, RetiringPrincipal=RETIRER)
    if operation == "ListGrants":
        call, params = client.list_grants, {"KeyId": key_id}
    else:
        call, params = client.list_retirable_grants, {"RetiringPrincipal": RETIRER}
    assert refused(lambda: call(Marker="garbage", **params)) == (
        "InvalidMarkerException",
        "Invalid marker: garbage",
    )


# ListGrants: key states and removed grants -----------------------------------------


def test_list_grants_disabled_key_lists_grants(client, key_id):
    grant_id = create(client, key_id)["GrantId"]
    client.disable_key(KeyId=key_id)
    assert grant_ids(client, key_id) == [grant_id]


def test_list_grants_pending_deletion_key_lists_grants(client, key_id):
    grant_id = create(client, key_id)["GrantId"]
    client.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    assert grant_ids(client, key_id) == [grant_id]


def test_cancel_key_deletion_keeps_grants(client, key_id):
    grant_id = create(client, key_id)["GrantId"]
    client.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    client.cancel_key_deletion(KeyId=key_id)
    assert grant_ids(client, key_id) == [grant_id]


def test_list_grants_unknown_key_raises_not_found(client):
    assert refused(lambda: client.list_grants(KeyId=UNKNOWN_KEY_ID)) == (
        "NotFoundException",
        f"Key '{key_arn(UNKNOWN_KEY_ID)}' does not exist",
    )


def test_list_grants_alias_raises_not_found(client, key_id):
    client.create_alias(AliasName="alias/app", TargetKeyId=key_id)
    assert refused(lambda: client.list_grants(KeyId="alias/app")) == (
        "NotFoundException",
        "Invalid keyId 'alias/app'",
    )


@pytest.mark.parametrize("how", ["retire", "revoke"])
def test_list_grants_removed_grant_is_not_listed(client, key_id, how):
    first = create(client, key_id)
    second = create(client, key_id)["GrantId"]
    if how == "retire":
        client.retire_grant(GrantToken=first["GrantToken"])
    else:
        client.revoke_grant(KeyId=key_id, GrantId=first["GrantId"])
    assert grant_ids(client, key_id) == [second]


# ListRetirableGrants ---------------------------------------------------------------


def test_list_retirable_grants_lists_matching_grants_on_all_keys_in_creation_order(client, key_id):
    other = new_key(client)
    g1 = create(client, key_id, RetiringPrincipal=RETIRER)["GrantId"]
    g2 = create(client, other, RetiringPrincipal=RETIRER, Operations=["Decrypt"])["GrantId"]
    create(client, key_id, RetiringPrincipal=OTHER_GRANTEE)
    create(client, key_id)
    g5 = create(client, key_id, RetiringPrincipal=RETIRER, Name="n")["GrantId"]

    response = client.list_retirable_grants(RetiringPrincipal=RETIRER)

    assert_valid_output("ListRetirableGrants", response)
    found = response["Grants"]
    assert response["Truncated"] is False
    assert found == [
        entry(
            key_id, g1, found[0]["CreationDate"], ["Encrypt", "Decrypt"], RetiringPrincipal=RETIRER
        ),
        entry(other, g2, found[1]["CreationDate"], ["Decrypt"], RetiringPrincipal=RETIRER),
        entry(
            key_id,
            g5,
            found[2]["CreationDate"],
            ["Encrypt", "Decrypt"],
            RetiringPrincipal=RETIRER,
            Name="n",
        ),
    ]


def test_list_retirable_grants_unknown_principal_returns_empty(client, key_id):
    create(client, key_id, RetiringPrincipal=RETIRER)
    response = client.list_retirable_grants(RetiringPrincipal=OTHER_GRANTEE)
    assert_valid_output("ListRetirableGrants", response)
    assert body(response) == {"Grants": [], "Truncated": False}


def test_list_retirable_grants_does_not_match_grantee(client, key_id):
    create(client, key_id, GranteePrincipal=RETIRER, Operations=["RetireGrant", "Encrypt"])
    assert retirable(client, RETIRER) == []


def test_list_retirable_grants_limit_pages_across_keys(client, key_id):
    other = new_key(client)
    created = [
        create(client, k, RetiringPrincipal=RETIRER)["GrantId"]
        for k in (key_id, other, key_id, other, key_id)
    ]
    first = client.list_retirable_grants(RetiringPrincipal=RETIRER, Limit=3)
    assert [e["GrantId"] for e in first["Grants"]] == created[:3]
    assert first["Truncated"] is True
    rest = client.list_retirable_grants(
        RetiringPrincipal=RETIRER, Limit=3, Marker=first["NextMarker"]
    )
    assert [e["GrantId"] for e in rest["Grants"]] == created[3:]
    assert rest["Truncated"] is False
    assert "NextMarker" not in rest


def test_list_retirable_grants_ignores_other_regions(client, key_id):
    west = boto3.client("kms", region_name="us-west-2")
    west_key = west.create_key()["KeyMetadata"]["KeyId"]
    create(west, west_key, RetiringPrincipal=RETIRER)
    mine = create(client, key_id, RetiringPrincipal=RETIRER)["GrantId"]
    assert [e["GrantId"] for e in retirable(client, RETIRER)] == [mine]


def test_list_retirable_grants_removed_grant_is_not_listed(client, key_id):
    gone = create(client, key_id, RetiringPrincipal=RETIRER)
    kept = create(client, key_id, RetiringPrincipal=RETIRER)["GrantId"]
    client.retire_grant(GrantToken=gone["GrantToken"])
    assert [e["GrantId"] for e in retirable(client, RETIRER)] == [kept]


# RetireGrant -----------------------------------------------------------------------


def test_retire_grant_by_token_removes_grant(client, key_id):
    made = create(client, key_id)
    response = client.retire_grant(GrantToken=made["GrantToken"])
    assert body(response) == {}
    assert grants(client, key_id) == []


def test_retire_grant_by_token_from_another_region_raises_not_found_and_keeps_grant(client, key_id):
    made = create(client, key_id)
    elsewhere = boto3.client("kms", region_name="eu-west-1")
    with pytest.raises(ClientError) as info:
        elsewhere.retire_grant(GrantToken=made["GrantToken"])
    assert error(info.value) == ("NotFoundException", f"Grant ID {made['GrantId']} not found")
    assert grant_ids(client, key_id) == [made["GrantId"]]


def test_grant_tokens_are_opaque(client, key_id):
    made = create(client, key_id)
    token = made["GrantToken"]
    decoded = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    assert ACCOUNT.encode() not in decoded
    assert uuid.UUID(key_id).bytes not in decoded
    assert bytes.fromhex(made["GrantId"]) not in decoded
    assert len(token) >= 200


def test_retire_grant_by_key_arn_and_grant_id_removes_grant(client, key_id):
    made = create(client, key_id)
    kept = create(client, key_id)["GrantId"]
    response = client.retire_grant(KeyId=key_arn(key_id), GrantId=made["GrantId"])
    assert body(response) == {}
    assert grant_ids(client, key_id) == [kept]


@pytest.mark.parametrize("given", ["nothing", "key-only", "grant-id-only"])
def test_retire_grant_without_token_or_key_and_grant_id_raises_validation(client, key_id, given):
    grant_id = create(client, key_id)["GrantId"]
    params = {
        "nothing": {},
        "key-only": {"KeyId": key_arn(key_id)},
        "grant-id-only": {"GrantId": grant_id},
    }[given]
    assert refused(lambda: client.retire_grant(**params)) == RETIRE_NEEDS
    assert grant_ids(client, key_id) == [grant_id]


@pytest.mark.parametrize(
    "token",
    ["not-a-token", "AQ", "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo" * 4],
    ids=["garbage", "short-base64", "long-base64"],
)
def test_retire_grant_token_not_issued_by_kms_raises_invalid_grant_token(client, key_id, token):
    grant_id = create(client, key_id)["GrantId"]
    assert refused(lambda: client.retire_grant(GrantToken=token)) == (
        "InvalidGrantTokenException",
        "",
    )
    assert grant_ids(client, key_id) == [grant_id]


@pytest.mark.parametrize("how", ["token", "key-and-grant-id"])
def test_retire_grant_twice_raises_not_found(client, key_id, how):
    made = create(client, key_id)
    if how == "token":
        params = {"GrantToken": made["GrantToken"]}
    else:
        params = {"KeyId": key_arn(key_id), "GrantId": made["GrantId"]}
    client.retire_grant(**params)
    assert refused(lambda: client.retire_grant(**params)) == (
        "NotFoundException",
        f"Grant ID {made['GrantId']} not found",
    )


def test_retire_grant_malformed_grant_id_raises_invalid_grant_id(client, key_id):
    grant_id = create(client, key_id)["GrantId"]
    assert refused(lambda: client.retire_grant(KeyId=key_arn(key_id), GrantId="abc")) == (
        "InvalidGrantIdException",
        "",
    )
    assert grant_ids(client, key_id) == [grant_id]


def test_retire_grant_unknown_grant_id_raises_not_found(client, key_id):
    assert refused(
        lambda: client.retire_grant(KeyId=key_arn(key_id), GrantId=UNKNOWN_GRANT_ID)
    ) == ("NotFoundException", f"Grant ID {UNKNOWN_GRANT_ID} not found")


def test_retire_grant_unknown_key_raises_not_found(client):
    params = {"KeyId": key_arn(UNKNOWN_KEY_ID), "GrantId": UNKNOWN_GRANT_ID}
    assert refused(lambda: client.retire_grant(**params)) == (
        "NotFoundException",
        f"Key '{key_arn(UNKNOWN_KEY_ID)}' does not exist",
    )


@pytest.mark.parametrize("how", ["token", "key-and-grant-id"])
def test_retire_grant_dry_run_keeps_grant(client, key_id, how):
    made = create(client, key_id)
    if how == "token":
        params = {"GrantToken": made["GrantToken"]}
    else:
        params = {"KeyId": key_arn(key_id), "GrantId": made["GrantId"]}
    assert refused(lambda: client.retire_grant(DryRun=True, **params)) == DRY_RUN
    assert grant_ids(client, key_id) == [made["GrantId"]]


def test_retire_grant_dry_run_of_retired_grant_raises_not_found(client, key_id):
    made = create(client, key_id)
    client.retire_grant(GrantToken=made["GrantToken"])
    assert refused(lambda: client.retire_grant(GrantToken=made["GrantToken"], DryRun=True)) == (
        "NotFoundException",
        f"Grant ID {made['GrantId']} not found",
    )


@pytest.mark.parametrize("state", ["disabled", "pending-deletion"])
def test_retire_grant_works_in_any_key_state(client, key_id, state):
    made = create(client, key_id)
    if state == "disabled":
        client.disable_key(KeyId=key_id)
    else:
        client.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    client.retire_grant(GrantToken=made["GrantToken"])
    assert grants(client, key_id) == []


# RevokeGrant -----------------------------------------------------------------------


@pytest.mark.parametrize("form", ["id", "arn"])
def test_revoke_grant_removes_grant(client, key_id, form):
    made = create(client, key_id)["GrantId"]
    kept = create(client, key_id)["GrantId"]
    response = client.revoke_grant(KeyId=key_id if form == "id" else key_arn(key_id), GrantId=made)
    assert body(response) == {}
    assert grant_ids(client, key_id) == [kept]


def test_revoke_grant_unknown_grant_id_raises_not_found(client, key_id):
    kept = create(client, key_id)["GrantId"]
    assert refused(lambda: client.revoke_grant(KeyId=key_id, GrantId=UNKNOWN_GRANT_ID)) == (
        "NotFoundException",
        f"Grant ID {UNKNOWN_GRANT_ID} not found",
    )
    assert grant_ids(client, key_id) == [kept]


def test_revoke_grant_of_other_keys_grant_raises_not_found(client, key_id):
    other = new_key(client)
    theirs = create(client, other)["GrantId"]
    assert refused(lambda: client.revoke_grant(KeyId=key_id, GrantId=theirs)) == (
        "NotFoundException",
        f"Grant ID {theirs} not found",
    )
    assert grant_ids(client, other) == [theirs]


def test_revoke_grant_twice_raises_not_found(client, key_id):
    made = create(client, key_id)["GrantId"]
    client.revoke_grant(KeyId=key_id, GrantId=made)
    assert refused(lambda: client.revoke_grant(KeyId=key_id, GrantId=made)) == (
        "NotFoundException",
        f"Grant ID {made} not found",
    )


@pytest.mark.parametrize("grant_id", ["abc", "upper"], ids=["short", "uppercase"])
def test_revoke_grant_malformed_grant_id_raises_invalid_grant_id(client, key_id, grant_id):
    made = create(client, key_id)["GrantId"]
    given = made.upper() if grant_id == "upper" else grant_id
    assert refused(lambda: client.revoke_grant(KeyId=key_id, GrantId=given)) == (
        "InvalidGrantIdException",
        "",
    )
    assert grant_ids(client, key_id) == [made]


def test_revoke_grant_dry_run_keeps_grant(client, key_id):
    made = create(client, key_id)["GrantId"]
    assert refused(lambda: client.revoke_grant(KeyId=key_id, GrantId=made, DryRun=True)) == (
        DRY_RUN
    )
    assert grant_ids(client, key_id) == [made]


def test_revoke_grant_unknown_key_raises_not_found(client):
    assert refused(lambda: client.revoke_grant(KeyId=UNKNOWN_KEY_ID, GrantId=UNKNOWN_GRANT_ID)) == (
        "NotFoundException",
        f"Key '{key_arn(UNKNOWN_KEY_ID)}' does not exist",
    )


def test_revoke_grant_alias_raises_not_found(client, key_id):
    client.create_alias(AliasName="alias/app", TargetKeyId=key_id)
    made = create(client, key_id)["GrantId"]
    assert refused(lambda: client.revoke_grant(KeyId="alias/app", GrantId=made)) == (
        "NotFoundException",
        "Invalid keyId 'alias/app'",
    )
    assert grant_ids(client, key_id) == [made]


# GrantTokens on other operations ---------------------------------------------------


def test_encrypt_and_decrypt_with_live_grant_token_succeed(client, key_id):
    token = create(client, key_id)["GrantToken"]
    blob = client.encrypt(KeyId=key_id, Plaintext=b"secret", GrantTokens=[token])
    assert blob["KeyId"] == key_arn(key_id)
    plain = client.decrypt(CiphertextBlob=blob["CiphertextBlob"], GrantTokens=[token])
    assert (plain["KeyId"], plain["Plaintext"]) == (key_arn(key_id), b"secret")


def test_describe_key_with_live_grant_token_succeeds(client, key_id):
    token = create(client, key_id, Operations=["DescribeKey"])["GrantToken"]
    metadata = client.describe_key(KeyId=key_id, GrantTokens=[token])["KeyMetadata"]
    assert metadata == client.describe_key(KeyId=key_id)["KeyMetadata"]


def test_sign_with_live_grant_token_succeeds(client):
    key_id = new_key(client, *KEY_TYPES["ecc-sign"])
    token = create(client, key_id, Operations=["Sign", "Verify"])["GrantToken"]
    params = {"KeyId": key_id, "Message": b"m", "SigningAlgorithm": "ECDSA_SHA_256"}
    signature = client.sign(GrantTokens=[token], **params)["Signature"]
    verified = client.verify(Signature=signature, GrantTokens=[token], **params)
    assert verified["SignatureValid"] is True


def test_create_grant_with_grant_token_of_parent_grant_succeeds(client, key_id):
    token = create(client, key_id, Operations=["CreateGrant", "Encrypt"])["GrantToken"]
    child = create(client, key_id, Operations=["Encrypt"], GrantTokens=[token])["GrantId"]
    assert child in grant_ids(client, key_id)


def test_several_grant_tokens_are_accepted(client, key_id):
    tokens = [create(client, key_id)["GrantToken"] for _ in range(3)]
    blob = client.encrypt(KeyId=key_id, Plaintext=b"x", GrantTokens=tokens)
    assert blob["KeyId"] == key_arn(key_id)


ENCRYPT = "Encrypt"
DESCRIBE = "DescribeKey"
GENERATE = "GenerateDataKey"
CREATE = "CreateGrant"


def call_with_tokens(client: Any, key_id: str, operation: str, tokens: list[str]) -> Any:
    if operation == ENCRYPT:
        return client.encrypt(KeyId=key_id, Plaintext=b"x", GrantTokens=tokens)
    if operation == DESCRIBE:
        return client.describe_key(KeyId=key_id, GrantTokens=tokens)
    if operation == GENERATE:
        return client.generate_data_key(KeyId=key_id, KeySpec="AES_256", GrantTokens=tokens)
    return create(client, key_id, GrantTokens=tokens)


@pytest.mark.parametrize("operation", [ENCRYPT, GENERATE, CREATE])
def test_garbage_grant_token_raises_invalid_grant_token(client, key_id, operation):
    assert refused(lambda: call_with_tokens(client, key_id, operation, ["not-a-token"])) == (
        "InvalidGrantTokenException",
        "",
    )
    assert grants(client, key_id) == []


def test_describe_key_garbage_grant_token_raises_validation_exception(client, key_id):
    # DescribeKey's model does not declare InvalidGrantTokenException (SDKs would not
    # map it to a class), so the request is refused as invalid.
    assert refused(lambda: call_with_tokens(client, key_id, DESCRIBE, ["not-a-token"])) == (
        "ValidationException",
        "Grant token is not valid",
    )


@pytest.mark.parametrize("operation", [ENCRYPT, GENERATE])
def test_garbage_grant_token_among_live_ones_raises_invalid_grant_token(client, key_id, operation):
    token = create(client, key_id)["GrantToken"]
    assert refused(lambda: call_with_tokens(client, key_id, operation, [token, "not-a-token"])) == (
        "InvalidGrantTokenException",
        "",
    )


@pytest.mark.parametrize("operation", [ENCRYPT, DESCRIBE, GENERATE])
def test_grant_token_of_retired_grant_is_accepted(client, key_id, operation):
    made = create(client, key_id)
    client.retire_grant(GrantToken=made["GrantToken"])
    response = call_with_tokens(client, key_id, operation, [made["GrantToken"]])
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 200


def test_grant_token_of_revoked_grant_is_accepted(client, key_id):
    made = create(client, key_id)
    client.revoke_grant(KeyId=key_id, GrantId=made["GrantId"])
    blob = client.encrypt(KeyId=key_id, Plaintext=b"x", GrantTokens=[made["GrantToken"]])
    assert blob["KeyId"] == key_arn(key_id)


def test_grant_token_of_other_key_is_accepted(client, key_id):
    # A token only helps with its own key; it does not make a call on another key fail.
    token = create(client, new_key(client))["GrantToken"]
    blob = client.encrypt(KeyId=key_id, Plaintext=b"x", GrantTokens=[token])
    assert blob["KeyId"] == key_arn(key_id)


# Grants go with their key ----------------------------------------------------------


def test_deleted_key_grant_token_no_longer_retires(client, kms_mock, key_id):
    made = create(client, key_id, RetiringPrincipal=RETIRER)
    client.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    # Still there during the waiting period.
    assert [e["GrantId"] for e in retirable(client, RETIRER)] == [made["GrantId"]]
    kms_mock.clock.advance(days=8)

    assert refused(lambda: client.retire_grant(GrantToken=made["GrantToken"])) == (
        "NotFoundException",
        f"Grant ID {made['GrantId']} not found",
    )


def test_deleted_key_grant_is_no_longer_retirable(client, kms_mock, key_id):
    other = new_key(client)
    create(client, key_id, RetiringPrincipal=RETIRER)
    kept = create(client, other, RetiringPrincipal=RETIRER)["GrantId"]
    client.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    kms_mock.clock.advance(days=8)

    assert [e["GrantId"] for e in retirable(client, RETIRER)] == [kept]


def test_deleted_key_grant_token_is_still_accepted_elsewhere(client, kms_mock, key_id):
    token = create(client, key_id)["GrantToken"]
    other = new_key(client)
    client.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    kms_mock.clock.advance(days=8)
    blob = client.encrypt(KeyId=other, Plaintext=b"x", GrantTokens=[token])
    assert blob["KeyId"] == key_arn(other)


# Cross-account ---------------------------------------------------------------------


@pytest.fixture
def cross_account_grant(client: Any, other_client: Any, key_id: str) -> dict[str, Any]:
    """A grant account 111122223333 made on this account's key, by key ARN."""
    made = create(
        other_client,
        key_arn(key_id),
        GranteePrincipal=GRANTEE,
        RetiringPrincipal=RETIRER,
        Operations=["Decrypt"],
    )
    return made


def test_cross_account_grant_is_listed_by_owner_with_issuing_account(
    client, key_id, cross_account_grant
):
    [found] = grants(client, key_id)
    assert found == entry(
        key_id,
        cross_account_grant["GrantId"],
        found["CreationDate"],
        ["Decrypt"],
        IssuingAccount=f"arn:aws:iam::{OTHER_ACCOUNT}:root",
        RetiringPrincipal=RETIRER,
    )


def test_cross_account_grant_is_listed_by_issuer_with_list_grants_by_arn(
    other_client, key_id, cross_account_grant
):
    found = grants(other_client, key_arn(key_id))
    assert [(e["KeyId"], e["GrantId"]) for e in found] == [
        (key_arn(key_id), cross_account_grant["GrantId"])
    ]


def test_cross_account_grant_is_retirable_from_issuing_account(
    other_client, key_id, cross_account_grant
):
    [found] = retirable(other_client, RETIRER)
    assert found == entry(
        key_id,
        cross_account_grant["GrantId"],
        found["CreationDate"],
        ["Decrypt"],
        IssuingAccount=f"arn:aws:iam::{OTHER_ACCOUNT}:root",
        RetiringPrincipal=RETIRER,
    )


def test_cross_account_grant_retired_by_issuer_token(
    client, other_client, key_id, cross_account_grant
):
    other_client.retire_grant(GrantToken=cross_account_grant["GrantToken"])
    assert grants(client, key_id) == []


def test_cross_account_create_grant_by_bare_key_id_raises_not_found(other_client, key_id):
    assert refused(lambda: create(other_client, key_id)) == (
        "NotFoundException",
        f"Key '{key_arn(key_id, account=OTHER_ACCOUNT)}' does not exist",
    )
