"""A key policy statement's elements deciding access: Principal, Effect Deny, Action,
Resource, and the two actions ReEncrypt needs (docs/kms-behaviour.md#authorization).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests._support import ACCOUNT, OTHER_ACCOUNT, REGION, ROOT, refused
from tests.enforce_policies._policies import (
    ADMIN_STATEMENT,
    FOREIGN_SESSION,
    OPERATIONS,
    OTHER_ROLE,
    OTHER_SESSION,
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
    explicitly_denied,
    key_id_of,
    make_key,
    not_allowed,
    set_policy,
)

pytestmark = pytest.mark.kms_mock(enforce_policies=True)


# Allow by exact principal ARN -----------------------------------------------------

ROLE_MAY = ["kms:Encrypt", "kms:DescribeKey"]


@pytest.mark.parametrize("operation", ["Encrypt", "DescribeKey"])
def test_role_is_allowed_the_actions_listed(
    as_principal: As, admin: Client, operation: str
) -> None:
    key = make_key(admin, allow(ROLE, ROLE_MAY))

    OPERATIONS[operation](as_principal(ROLE), key)


@pytest.mark.parametrize("operation", sorted(set(OPERATIONS) - {"Encrypt", "DescribeKey"}))
def test_role_is_denied_what_is_not_listed_and_the_message_names_the_action(
    as_principal: As, admin: Client, operation: str
) -> None:
    key = make_key(admin, allow(ROLE, ROLE_MAY))

    found = refused(lambda: OPERATIONS[operation](as_principal(ROLE), key))

    assert found == not_allowed(ROLE, operation, key)


def test_role_is_denied_decrypt_when_only_encrypt_is_listed(
    as_principal: As, admin: Client
) -> None:
    key = make_key(admin, allow(ROLE, ROLE_MAY))
    blob = encrypt(as_principal(ROLE), key)["CiphertextBlob"]

    found = refused(lambda: as_principal(ROLE).decrypt(CiphertextBlob=blob))

    assert found == not_allowed(ROLE, "Decrypt", key)


@pytest.mark.parametrize("principal", [OTHER_ROLE, USER, ROOT, OTHER_SESSION, FOREIGN_SESSION])
def test_principals_not_named_are_denied(as_principal: As, admin: Client, principal: str) -> None:
    key = make_key(admin, allow(ROLE, ROLE_MAY))

    found = refused(lambda: encrypt(as_principal(principal), key))

    assert found == not_allowed(principal, "Encrypt", key)


def test_assumed_role_session_is_covered_by_a_statement_naming_its_role(
    as_principal: As, admin: Client
) -> None:
    key = make_key(admin, allow(ROLE, ["kms:Encrypt", "kms:Decrypt"]))
    session = as_principal(SESSION)

    blob = encrypt(session, key)["CiphertextBlob"]

    assert session.decrypt(CiphertextBlob=blob)["Plaintext"] == b"secret"


def test_assumed_role_session_denial_names_the_session(as_principal: As, admin: Client) -> None:
    key = make_key(admin, allow(ROLE, "kms:Encrypt"))

    found = refused(lambda: as_principal(SESSION).describe_key(KeyId=key))

    assert found == not_allowed(SESSION, "DescribeKey", key)


@pytest.mark.parametrize(
    "identifier",
    [
        pytest.param(key_id_of, id="key-id"),
        pytest.param(lambda arn: "alias/app-key", id="alias-name"),
        pytest.param(
            lambda arn: arn.replace(":key/", ":alias/").rsplit("/", 1)[0] + "/app-key",
            id="alias-arn",
        ),
    ],
)
def test_denial_names_the_key_arn_whatever_identifier_the_request_used(
    as_principal: As, admin: Client, identifier: Callable[[str], str]
) -> None:
    key = make_key(admin, allow(ROLE, "kms:DescribeKey"))
    admin.create_alias(AliasName="alias/app-key", TargetKeyId=key)

    found = refused(lambda: encrypt(as_principal(ROLE), identifier(key)))

    assert found == not_allowed(ROLE, "Encrypt", key)


def test_decrypt_without_key_id_is_authorised_on_the_key_in_the_ciphertext(
    as_principal: As, admin: Client
) -> None:
    key = make_key(admin, allow(ROLE, "kms:Encrypt"))
    blob = encrypt(admin, key)["CiphertextBlob"]

    found = refused(lambda: as_principal(ROLE).decrypt(CiphertextBlob=blob))

    assert found == not_allowed(ROLE, "Decrypt", key)


# Explicit Deny --------------------------------------------------------------------


@pytest.mark.parametrize("deny_first", [False, True], ids=["allow-first", "deny-first"])
def test_explicit_deny_wins_over_allow(as_principal: As, admin: Client, deny_first: bool) -> None:
    statements = [allow(ROLE, "kms:*"), deny(ROLE, "kms:Decrypt")]
    key = make_key(admin, *(reversed(statements) if deny_first else statements))
    role = as_principal(ROLE)
    blob = encrypt(role, key)["CiphertextBlob"]

    found = refused(lambda: role.decrypt(CiphertextBlob=blob))

    assert found == explicitly_denied(ROLE, "Decrypt", key)


def test_explicit_deny_wins_over_account_delegation(as_principal: As, root: Client) -> None:
    policy = document(allow(ROOT, "kms:*"), deny(ROLE, "kms:Encrypt"))
    key = root.create_key(Policy=policy)["KeyMetadata"]["Arn"]

    found = refused(lambda: encrypt(as_principal(ROLE), key))

    assert found == explicitly_denied(ROLE, "Encrypt", key)
    assert encrypt(as_principal(OTHER_ROLE), key)["KeyId"] == key


def test_explicit_deny_of_a_role_covers_its_sessions(as_principal: As, root: Client) -> None:
    policy = document(allow(ROOT, "kms:*"), deny(ROLE, "kms:Encrypt"))
    key = root.create_key(Policy=policy)["KeyMetadata"]["Arn"]

    found = refused(lambda: encrypt(as_principal(SESSION), key))

    assert found == explicitly_denied(SESSION, "Encrypt", key)


def test_explicit_deny_wins_over_a_grant(as_principal: As, admin: Client) -> None:
    key = make_key(admin, deny(ROLE, "kms:Decrypt"))
    admin.create_grant(KeyId=key, GranteePrincipal=ROLE, Operations=["Decrypt"])
    blob = encrypt(admin, key)["CiphertextBlob"]

    found = refused(lambda: as_principal(ROLE).decrypt(CiphertextBlob=blob))

    assert found == explicitly_denied(ROLE, "Decrypt", key)


@pytest.mark.parametrize(
    "excepted",
    [
        pytest.param([ROLE], id="role-only"),
        # AWS's documented form: the account ARN is listed beside the excepted principal,
        # and excepts that principal only, not every principal of the account.
        pytest.param([ROOT, ROLE], id="role-and-account"),
    ],
)
@pytest.mark.parametrize(
    ("principal", "expected"),
    [
        pytest.param(ROLE, None, id="excepted-role"),
        pytest.param(OTHER_ROLE, "deny", id="anyone-else"),
    ],
)
def test_deny_with_not_principal_denies_everyone_but_those_listed(
    as_principal: As, root: Client, excepted: list[str], principal: str, expected: str | None
) -> None:
    not_principal = {
        "Effect": "Deny",
        "NotPrincipal": {"AWS": excepted},
        "Action": "kms:Encrypt",
        "Resource": "*",
    }
    key = root.create_key(Policy=document(allow(ROOT, "kms:*"), not_principal))["KeyMetadata"][
        "Arn"
    ]

    if expected is None:
        assert encrypt(as_principal(principal), key)["KeyId"] == key
    else:
        found = refused(lambda: encrypt(as_principal(principal), key))
        assert found == explicitly_denied(principal, "Encrypt", key)


@pytest.mark.parametrize(
    ("operation", "denied"),
    [("Encrypt", False), ("DescribeKey", False), ("GenerateDataKey", True), ("DisableKey", True)],
)
def test_deny_with_not_action_denies_every_other_action(
    as_principal: As, admin: Client, operation: str, denied: bool
) -> None:
    not_action = {
        "Effect": "Deny",
        "Principal": {"AWS": ROLE},
        "NotAction": ["kms:Encrypt", "kms:Describe*"],
        "Resource": "*",
    }
    key = make_key(admin, allow(ROLE, "kms:*"), not_action)
    call = OPERATIONS[operation]

    if denied:
        assert refused(lambda: call(as_principal(ROLE), key)) == explicitly_denied(
            ROLE, operation, key
        )
    else:
        call(as_principal(ROLE), key)


def test_deny_whose_condition_does_not_hold_has_no_effect(as_principal: As, admin: Client) -> None:
    conditional = deny(
        ROLE,
        "kms:Encrypt",
        Condition={"StringEquals": {"kms:EncryptionContext:dept": "hr"}},
    )
    key = make_key(admin, allow(ROLE, "kms:Encrypt"), conditional)
    role = as_principal(ROLE)

    assert encrypt(role, key, {"dept": "finance"})["KeyId"] == key
    assert refused(lambda: encrypt(role, key, {"dept": "hr"})) == explicitly_denied(
        ROLE, "Encrypt", key
    )


# Action wildcards and case --------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "operation", "allowed"),
    [
        ("kms:*", "Encrypt", True),
        ("kms:*", "ScheduleKeyDeletion", True),
        ("*", "Encrypt", True),
        ("kms:Describe*", "DescribeKey", True),
        ("kms:Describe*", "Encrypt", False),
        ("kms:Generate*", "GenerateDataKey", True),
        ("kms:Generate*", "GenerateDataKeyWithoutPlaintext", True),
        ("kms:Generate*", "GenerateDataKeyPair", True),
        ("kms:Generate*", "Encrypt", False),
        ("kms:Get*", "GetKeyPolicy", True),
        ("kms:Get*", "ListKeyPolicies", False),
        ("kms:Enc?ypt", "Encrypt", True),
        ("kms:Encrypt", "Encrypt", True),
        ("kms:encrypt", "Encrypt", True),
        ("KMS:ENCRYPT", "Encrypt", True),
        ("Kms:DescRIBE*", "DescribeKey", True),
        ("kms:Decrypt", "Encrypt", False),
        ("kms:Encrypt", "GenerateDataKey", False),
        ("s3:*", "Encrypt", False),
    ],
)
def test_action_patterns(
    as_principal: As, admin: Client, pattern: str, operation: str, allowed: bool
) -> None:
    key = make_key(admin, allow(ROLE, [pattern]))
    call = OPERATIONS[operation]

    if allowed:
        call(as_principal(ROLE), key)
    else:
        assert refused(lambda: call(as_principal(ROLE), key)) == not_allowed(ROLE, operation, key)


def test_action_list_allows_each_action_listed(as_principal: As, admin: Client) -> None:
    key = make_key(admin, allow(ROLE, ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey"]))
    role = as_principal(ROLE)

    blob = role.generate_data_key(KeyId=key, KeySpec="AES_128")["CiphertextBlob"]

    assert len(role.decrypt(CiphertextBlob=blob)["Plaintext"]) == 16
    assert refused(lambda: role.describe_key(KeyId=key)) == not_allowed(ROLE, "DescribeKey", key)


# Resource -------------------------------------------------------------------------


def _with_resource(resource: Callable[[str, str], Any] | None) -> Callable[..., Statement]:
    def build(key: str, other: str) -> Statement:
        statement = allow(ROLE, "kms:Encrypt")
        del statement["Resource"]
        if resource is not None:
            statement["Resource"] = resource(key, other)
        return statement

    return build


@pytest.mark.parametrize(
    ("resource", "allowed"),
    [
        pytest.param(lambda key, other: "*", True, id="star"),
        pytest.param(lambda key, other: key, True, id="own-arn"),
        pytest.param(lambda key, other: [other, key], True, id="list-with-own-arn"),
        pytest.param(
            lambda key, other: f"arn:aws:kms:{REGION}:{ACCOUNT}:key/*", True, id="arn-wildcard"
        ),
        pytest.param(lambda key, other: other, False, id="other-keys-arn"),
        pytest.param(
            lambda key, other: f"arn:aws:kms:{REGION}:{OTHER_ACCOUNT}:key/*",
            False,
            id="other-accounts-keys",
        ),
        pytest.param(
            lambda key, other: f"arn:aws:kms:{REGION}:{ACCOUNT}:alias/*", False, id="aliases"
        ),
        pytest.param(None, False, id="no-resource"),
    ],
)
def test_resource_element(
    as_principal: As,
    admin: Client,
    resource: Callable[[str, str], Any] | None,
    allowed: bool,
) -> None:
    key = make_key(admin)
    other = make_key(admin)
    set_policy(admin, key, ADMIN_STATEMENT, _with_resource(resource)(key, other))

    if allowed:
        assert encrypt(as_principal(ROLE), key)["KeyId"] == key
    else:
        assert refused(lambda: encrypt(as_principal(ROLE), key)) == not_allowed(
            ROLE, "Encrypt", key
        )


def test_deny_on_another_keys_arn_has_no_effect(as_principal: As, admin: Client) -> None:
    other = make_key(admin)
    key = make_key(admin, allow(ROLE, "kms:Encrypt"), deny(ROLE, "kms:Encrypt", Resource=other))

    assert encrypt(as_principal(ROLE), key)["KeyId"] == key


def test_deny_without_resource_has_no_effect(as_principal: As, admin: Client) -> None:
    no_resource = deny(ROLE, "kms:Encrypt")
    del no_resource["Resource"]
    key = make_key(admin, allow(ROLE, "kms:Encrypt"), no_resource)

    assert encrypt(as_principal(ROLE), key)["KeyId"] == key


def test_statement_without_action_has_no_effect(as_principal: As, admin: Client) -> None:
    no_action = allow(ROLE, "kms:Encrypt")
    del no_action["Action"]
    key = make_key(admin, no_action)

    assert refused(lambda: encrypt(as_principal(ROLE), key)) == not_allowed(ROLE, "Encrypt", key)


# ReEncrypt ------------------------------------------------------------------------


@pytest.mark.parametrize("name_source", [True, False], ids=["source-key-id", "key-from-blob"])
@pytest.mark.parametrize(
    ("source_actions", "destination_actions", "denied"),
    [
        pytest.param(["kms:ReEncryptFrom"], ["kms:ReEncryptTo"], None, id="from-and-to"),
        pytest.param(["kms:ReEncrypt*"], ["kms:ReEncrypt*"], None, id="wildcard"),
        pytest.param(["kms:ReEncryptTo"], ["kms:ReEncryptTo"], "source", id="source-lacks-from"),
        pytest.param(
            ["kms:ReEncryptFrom"], ["kms:ReEncryptFrom"], "destination", id="dest-lacks-to"
        ),
        pytest.param(["kms:Decrypt"], ["kms:ReEncryptTo"], "source", id="decrypt-is-not-from"),
        pytest.param(["kms:ReEncryptFrom"], ["kms:Encrypt"], "destination", id="encrypt-is-not-to"),
        pytest.param(["kms:ReEncrypt"], ["kms:ReEncrypt"], "source", id="no-such-action"),
    ],
)
def test_re_encrypt_needs_from_on_the_source_and_to_on_the_destination(
    as_principal: As,
    admin: Client,
    name_source: bool,
    source_actions: list[str],
    destination_actions: list[str],
    denied: str | None,
) -> None:
    source = make_key(admin, allow(ROLE, source_actions))
    destination = make_key(admin, allow(ROLE, destination_actions))
    blob = encrypt(admin, source)["CiphertextBlob"]
    role = as_principal(ROLE)
    named = {"SourceKeyId": source} if name_source else {}

    def call() -> Any:
        return role.re_encrypt(CiphertextBlob=blob, DestinationKeyId=destination, **named)

    if denied is None:
        response = call()
        assert (response["SourceKeyId"], response["KeyId"]) == (source, destination)
    elif denied == "source":
        assert refused(call) == not_allowed(ROLE, "ReEncryptFrom", source)
    else:
        assert refused(call) == not_allowed(ROLE, "ReEncryptTo", destination)


@pytest.mark.parametrize(
    ("actions", "missing"),
    [
        pytest.param(["kms:ReEncryptFrom", "kms:ReEncryptTo"], None, id="both"),
        pytest.param(["kms:ReEncryptFrom"], "ReEncryptTo", id="only-from"),
        pytest.param(["kms:ReEncryptTo"], "ReEncryptFrom", id="only-to"),
    ],
)
def test_re_encrypt_under_the_same_key_needs_both_actions(
    as_principal: As, admin: Client, actions: list[str], missing: str | None
) -> None:
    key = make_key(admin, allow(ROLE, actions))
    blob = encrypt(admin, key, {"v": "1"})["CiphertextBlob"]
    role = as_principal(ROLE)

    def call() -> Any:
        return role.re_encrypt(
            CiphertextBlob=blob,
            SourceEncryptionContext={"v": "1"},
            DestinationKeyId=key,
            DestinationEncryptionContext={"v": "2"},
        )

    if missing is None:
        assert call()["KeyId"] == key
    else:
        assert refused(call) == not_allowed(ROLE, missing, key)


def test_re_encrypt_explicit_deny_of_to_on_the_destination(as_principal: As, admin: Client) -> None:
    source = make_key(admin, allow(ROLE, "kms:ReEncrypt*"))
    destination = make_key(admin, allow(ROLE, "kms:*"), deny(ROLE, "kms:ReEncryptTo"))
    blob = encrypt(admin, source)["CiphertextBlob"]

    found = refused(
        lambda: as_principal(ROLE).re_encrypt(CiphertextBlob=blob, DestinationKeyId=destination)
    )

    assert found == explicitly_denied(ROLE, "ReEncryptTo", destination)
