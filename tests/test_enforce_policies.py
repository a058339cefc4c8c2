"""Key policies and grants deciding access under ``mock_kms(enforce_policies=True)``
(docs/kms-behaviour.md#authorization; grant constraints:
docs/kms-behaviour.md#grant-constraints), through boto3.

Keys here are made by an admin user whose statement allows it ``kms:*``; the account root
is left out of most policies on purpose, because a statement naming the account
delegates to IAM, which kmsmock takes to allow every principal of that account.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from kmsmock import KmsMock
from tests._support import ACCOUNT, DRY_RUN, REGION, error, key_arn

pytestmark = pytest.mark.kms_mock(enforce_policies=True)

OTHER_ACCOUNT = "111122223333"
ROOT = f"arn:aws:iam::{ACCOUNT}:root"
ADMIN = f"arn:aws:iam::{ACCOUNT}:user/admin"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/app"
SESSION = f"arn:aws:sts::{ACCOUNT}:assumed-role/app/worker-1"
OTHER_ROLE = f"arn:aws:iam::{ACCOUNT}:role/other"
OTHER_SESSION = f"arn:aws:sts::{ACCOUNT}:assumed-role/other/worker-1"
USER = f"arn:aws:iam::{ACCOUNT}:user/alice"
FOREIGN_ROOT = f"arn:aws:iam::{OTHER_ACCOUNT}:root"
FOREIGN_ROLE = f"arn:aws:iam::{OTHER_ACCOUNT}:role/partner"
FOREIGN_STRANGER = f"arn:aws:iam::{OTHER_ACCOUNT}:role/stranger"
# A session of a role named like ROLE, but in the other account.
FOREIGN_SESSION = f"arn:aws:sts::{OTHER_ACCOUNT}:assumed-role/app/worker-1"
UNKNOWN_KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab"
S3_VIA = f"s3.{REGION}.amazonaws.com"

Client = Any
As = Callable[[str], Client]
Statement = dict[str, Any]


# Helpers ---------------------------------------------------------------------------


@pytest.fixture
def as_principal(kms_mock: KmsMock) -> As:
    """A KMS client whose requests come from the principal ARN given."""
    made: dict[str, Client] = {}

    def client_for(principal: str) -> Client:
        if principal not in made:
            access_key_id = f"AKIAPOLICYTEST{len(made):06d}"
            kms_mock.identities.add(
                access_key_id, account_id=principal.split(":")[4], arn=principal
            )
            made[principal] = boto3.client(
                "kms",
                region_name=REGION,
                aws_access_key_id=access_key_id,
                aws_secret_access_key="x",
            )
        return made[principal]

    return client_for


@pytest.fixture
def admin(as_principal: As) -> Client:
    return as_principal(ADMIN)


@pytest.fixture
def root(as_principal: As) -> Client:
    return as_principal(ROOT)


def allow(principal: Any, actions: Any, **extra: Any) -> Statement:
    """An Allow statement on Resource "*"; ``extra`` adds or replaces elements."""
    named = principal if principal == "*" else {"AWS": principal}
    return {"Effect": "Allow", "Principal": named, "Action": actions, "Resource": "*", **extra}


def deny(principal: Any, actions: Any, **extra: Any) -> Statement:
    return {**allow(principal, actions, **extra), "Effect": "Deny"}


ADMIN_STATEMENT = allow(ADMIN, "kms:*")


def document(*statements: Statement) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def make_key(admin: Client, *statements: Statement, **create: Any) -> str:
    """A key whose policy is the admin's statement and ``statements``; its ARN."""
    policy = document(ADMIN_STATEMENT, *statements)
    arn: str = admin.create_key(Policy=policy, **create)["KeyMetadata"]["Arn"]
    return arn


def set_policy(admin: Client, key: str, *statements: Statement) -> None:
    admin.put_key_policy(KeyId=key, PolicyName="default", Policy=document(*statements))


def not_allowed(principal: str, action: str, key: str) -> tuple[str, str]:
    return (
        "AccessDeniedException",
        f"User: {principal} is not authorized to perform: kms:{action} on resource: {key} "
        f"because no resource-based policy allows the kms:{action} action",
    )


def explicitly_denied(principal: str, action: str, key: str) -> tuple[str, str]:
    return (
        "AccessDeniedException",
        f"User: {principal} is not authorized to perform: kms:{action} on resource: {key} "
        "with an explicit deny in a resource-based policy",
    )


def failure(call: Callable[[], Any]) -> tuple[str, str]:
    with pytest.raises(ClientError) as caught:
        call()
    return error(caught.value)


def context_args(context: dict[str, str] | None, member: str = "EncryptionContext") -> Any:
    return {member: context} if context else {}


def encrypt(client: Client, key: str, context: dict[str, str] | None = None) -> Any:
    return client.encrypt(KeyId=key, Plaintext=b"secret", **context_args(context))


def key_id_of(arn: str) -> str:
    return arn.rsplit("/", 1)[1]


# What one call of each key-policy operation looks like, for a client and a key ARN.
OPERATIONS: dict[str, Callable[[Client, str], Any]] = {
    "Encrypt": lambda c, k: encrypt(c, k),
    "GenerateDataKey": lambda c, k: c.generate_data_key(KeyId=k, KeySpec="AES_256"),
    "GenerateDataKeyWithoutPlaintext": lambda c, k: c.generate_data_key_without_plaintext(
        KeyId=k, KeySpec="AES_256"
    ),
    "GenerateDataKeyPair": lambda c, k: c.generate_data_key_pair(
        KeyId=k, KeyPairSpec="ECC_NIST_P256"
    ),
    "DescribeKey": lambda c, k: c.describe_key(KeyId=k),
    "GetKeyPolicy": lambda c, k: c.get_key_policy(KeyId=k, PolicyName="default"),
    "ListKeyPolicies": lambda c, k: c.list_key_policies(KeyId=k),
    "PutKeyPolicy": lambda c, k: c.put_key_policy(
        KeyId=k,
        PolicyName="default",
        Policy=document(ADMIN_STATEMENT),
        BypassPolicyLockoutSafetyCheck=True,
    ),
    "DisableKey": lambda c, k: c.disable_key(KeyId=k),
    "EnableKey": lambda c, k: c.enable_key(KeyId=k),
    "ScheduleKeyDeletion": lambda c, k: c.schedule_key_deletion(KeyId=k, PendingWindowInDays=7),
    "UpdateKeyDescription": lambda c, k: c.update_key_description(KeyId=k, Description="x"),
    "TagResource": lambda c, k: c.tag_resource(KeyId=k, Tags=[{"TagKey": "a", "TagValue": "b"}]),
    "UntagResource": lambda c, k: c.untag_resource(KeyId=k, TagKeys=["a"]),
    "ListResourceTags": lambda c, k: c.list_resource_tags(KeyId=k),
    "CreateGrant": lambda c, k: c.create_grant(
        KeyId=k, GranteePrincipal=OTHER_ROLE, Operations=["Decrypt"]
    ),
    "ListGrants": lambda c, k: c.list_grants(KeyId=k),
    "RevokeGrant": lambda c, k: c.revoke_grant(KeyId=k, GrantId="0" * 64),
    "EnableKeyRotation": lambda c, k: c.enable_key_rotation(KeyId=k),
    "GetKeyRotationStatus": lambda c, k: c.get_key_rotation_status(KeyId=k),
    "RotateKeyOnDemand": lambda c, k: c.rotate_key_on_demand(KeyId=k),
    "CreateAlias": lambda c, k: c.create_alias(AliasName="alias/new", TargetKeyId=k),
}


# 1. Off by default ---------------------------------------------------------------


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


# 2. The default key policy and cross-account use -----------------------------------


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

    found = failure(lambda: OPERATIONS[operation](as_principal(principal), key))

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

    found = failure(lambda: encrypt(as_principal(FOREIGN_STRANGER), key))

    assert found == not_allowed(FOREIGN_STRANGER, "Encrypt", key)


def test_policy_naming_the_foreign_account_allows_only_the_actions_listed(
    as_principal: As, root: Client
) -> None:
    policy = document(allow(ROOT, "kms:*"), allow(FOREIGN_ROOT, "kms:Encrypt"))
    key = root.create_key(Policy=policy)["KeyMetadata"]["Arn"]

    found = failure(lambda: as_principal(FOREIGN_ROLE).describe_key(KeyId=key))

    assert found == not_allowed(FOREIGN_ROLE, "DescribeKey", key)


# 3. Allow by exact principal ARN -----------------------------------------------------

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

    found = failure(lambda: OPERATIONS[operation](as_principal(ROLE), key))

    assert found == not_allowed(ROLE, operation, key)


def test_role_is_denied_decrypt_when_only_encrypt_is_listed(
    as_principal: As, admin: Client
) -> None:
    key = make_key(admin, allow(ROLE, ROLE_MAY))
    blob = encrypt(as_principal(ROLE), key)["CiphertextBlob"]

    found = failure(lambda: as_principal(ROLE).decrypt(CiphertextBlob=blob))

    assert found == not_allowed(ROLE, "Decrypt", key)


@pytest.mark.parametrize("principal", [OTHER_ROLE, USER, ROOT, OTHER_SESSION, FOREIGN_SESSION])
def test_principals_not_named_are_denied(as_principal: As, admin: Client, principal: str) -> None:
    key = make_key(admin, allow(ROLE, ROLE_MAY))

    found = failure(lambda: encrypt(as_principal(principal), key))

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

    found = failure(lambda: as_principal(SESSION).describe_key(KeyId=key))

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

    found = failure(lambda: encrypt(as_principal(ROLE), identifier(key)))

    assert found == not_allowed(ROLE, "Encrypt", key)


def test_decrypt_without_key_id_is_authorised_on_the_key_in_the_ciphertext(
    as_principal: As, admin: Client
) -> None:
    key = make_key(admin, allow(ROLE, "kms:Encrypt"))
    blob = encrypt(admin, key)["CiphertextBlob"]

    found = failure(lambda: as_principal(ROLE).decrypt(CiphertextBlob=blob))

    assert found == not_allowed(ROLE, "Decrypt", key)


# 4. Explicit Deny --------------------------------------------------------------------


@pytest.mark.parametrize("deny_first", [False, True], ids=["allow-first", "deny-first"])
def test_explicit_deny_wins_over_allow(as_principal: As, admin: Client, deny_first: bool) -> None:
    statements = [allow(ROLE, "kms:*"), deny(ROLE, "kms:Decrypt")]
    key = make_key(admin, *(reversed(statements) if deny_first else statements))
    role = as_principal(ROLE)
    blob = encrypt(role, key)["CiphertextBlob"]

    found = failure(lambda: role.decrypt(CiphertextBlob=blob))

    assert found == explicitly_denied(ROLE, "Decrypt", key)


def test_explicit_deny_wins_over_account_delegation(as_principal: As, root: Client) -> None:
    policy = document(allow(ROOT, "kms:*"), deny(ROLE, "kms:Encrypt"))
    key = root.create_key(Policy=policy)["KeyMetadata"]["Arn"]

    found = failure(lambda: encrypt(as_principal(ROLE), key))

    assert found == explicitly_denied(ROLE, "Encrypt", key)
    assert encrypt(as_principal(OTHER_ROLE), key)["KeyId"] == key


def test_explicit_deny_of_a_role_covers_its_sessions(as_principal: As, root: Client) -> None:
    policy = document(allow(ROOT, "kms:*"), deny(ROLE, "kms:Encrypt"))
    key = root.create_key(Policy=policy)["KeyMetadata"]["Arn"]

    found = failure(lambda: encrypt(as_principal(SESSION), key))

    assert found == explicitly_denied(SESSION, "Encrypt", key)


def test_explicit_deny_wins_over_a_grant(as_principal: As, admin: Client) -> None:
    key = make_key(admin, deny(ROLE, "kms:Decrypt"))
    admin.create_grant(KeyId=key, GranteePrincipal=ROLE, Operations=["Decrypt"])
    blob = encrypt(admin, key)["CiphertextBlob"]

    found = failure(lambda: as_principal(ROLE).decrypt(CiphertextBlob=blob))

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
        found = failure(lambda: encrypt(as_principal(principal), key))
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
        assert failure(lambda: call(as_principal(ROLE), key)) == explicitly_denied(
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
    assert failure(lambda: encrypt(role, key, {"dept": "hr"})) == explicitly_denied(
        ROLE, "Encrypt", key
    )


# 5. Action wildcards and case --------------------------------------------------------


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
        assert failure(lambda: call(as_principal(ROLE), key)) == not_allowed(ROLE, operation, key)


def test_action_list_allows_each_action_listed(as_principal: As, admin: Client) -> None:
    key = make_key(admin, allow(ROLE, ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey"]))
    role = as_principal(ROLE)

    blob = role.generate_data_key(KeyId=key, KeySpec="AES_128")["CiphertextBlob"]

    assert len(role.decrypt(CiphertextBlob=blob)["Plaintext"]) == 16
    assert failure(lambda: role.describe_key(KeyId=key)) == not_allowed(ROLE, "DescribeKey", key)


# 6. Resource -------------------------------------------------------------------------


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
        assert failure(lambda: encrypt(as_principal(ROLE), key)) == not_allowed(
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

    assert failure(lambda: encrypt(as_principal(ROLE), key)) == not_allowed(ROLE, "Encrypt", key)


# 7. Conditions -----------------------------------------------------------------------


def _allow_role_if(condition: dict[str, Any], actions: Any = None) -> Statement:
    wanted = actions or ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey"]
    return allow(ROLE, wanted, Condition=condition)


def _run_with_context(
    operation: str, admin: Client, role: Client, key: str, context: dict[str, str] | None
) -> Any:
    if operation == "Encrypt":
        return encrypt(role, key, context)
    if operation == "GenerateDataKey":
        return role.generate_data_key(KeyId=key, KeySpec="AES_256", **context_args(context))
    assert operation == "Decrypt"
    blob = encrypt(admin, key, context)["CiphertextBlob"]
    return role.decrypt(CiphertextBlob=blob, **context_args(context))


def _check_context_outcome(
    as_principal: As,
    admin: Client,
    condition: dict[str, Any],
    operation: str,
    context: dict[str, str] | None,
    allowed: bool,
) -> None:
    key = make_key(admin, _allow_role_if(condition))
    role = as_principal(ROLE)

    if allowed:
        assert _run_with_context(operation, admin, role, key, context)["KeyId"] == key
    else:
        found = failure(lambda: _run_with_context(operation, admin, role, key, context))
        assert found == not_allowed(ROLE, operation, key)


CONTEXT_OPERATIONS = ["Encrypt", "Decrypt", "GenerateDataKey"]


@pytest.mark.parametrize("operation", CONTEXT_OPERATIONS)
@pytest.mark.parametrize(
    ("context", "allowed"),
    [
        pytest.param({"dept": "finance"}, True, id="equal"),
        pytest.param({"dept": "finance", "other": "x"}, True, id="extra-pairs"),
        pytest.param({"DEPT": "finance"}, True, id="key-case-insensitive"),
        pytest.param({"dept": "Finance"}, False, id="value-case-sensitive"),
        pytest.param({"dept": "hr"}, False, id="other-value"),
        pytest.param({"team": "finance"}, False, id="other-key"),
        pytest.param(None, False, id="no-context"),
    ],
)
def test_string_equals_on_an_encryption_context_key(
    as_principal: As,
    admin: Client,
    operation: str,
    context: dict[str, str] | None,
    allowed: bool,
) -> None:
    condition = {"StringEquals": {"kms:EncryptionContext:dept": "finance"}}

    _check_context_outcome(as_principal, admin, condition, operation, context, allowed)


@pytest.mark.parametrize("operation", CONTEXT_OPERATIONS)
@pytest.mark.parametrize(
    ("context", "allowed"),
    [
        pytest.param({"project": "alpha-1"}, True, id="matches-star"),
        pytest.param({"project": "alpha-"}, True, id="star-matches-empty"),
        pytest.param({"project": "beta-7"}, True, id="second-pattern-question-mark"),
        pytest.param({"project": "beta-77"}, False, id="question-mark-is-one-char"),
        pytest.param({"project": "ALPHA-1"}, False, id="case-sensitive"),
        pytest.param({"project": "gamma"}, False, id="no-match"),
        pytest.param(None, False, id="no-context"),
    ],
)
def test_string_like_on_an_encryption_context_key(
    as_principal: As,
    admin: Client,
    operation: str,
    context: dict[str, str] | None,
    allowed: bool,
) -> None:
    condition = {"StringLike": {"kms:EncryptionContext:project": ["alpha-*", "beta-?"]}}

    _check_context_outcome(as_principal, admin, condition, operation, context, allowed)


@pytest.mark.parametrize("operation", ["Encrypt", "Decrypt"])
def test_string_like_treats_brackets_literally(
    as_principal: As, admin: Client, operation: str
) -> None:
    # IAM's StringLike has two wildcards, * and ?; every other character is literal.
    condition = {"StringLike": {"kms:EncryptionContext:project": "team[1]*"}}

    _check_context_outcome(
        as_principal, admin, condition, operation, {"project": "team[1]-x"}, True
    )


@pytest.mark.parametrize("operation", CONTEXT_OPERATIONS)
@pytest.mark.parametrize(
    ("context", "allowed"),
    [
        pytest.param({"dept": "finance"}, True, id="other-value"),
        pytest.param({"dept": "hr"}, False, id="excluded-value"),
        pytest.param({"DEPT": "hr"}, False, id="excluded-value-key-case"),
        pytest.param(None, True, id="key-absent"),
    ],
)
def test_string_not_equals_on_an_encryption_context_key(
    as_principal: As,
    admin: Client,
    operation: str,
    context: dict[str, str] | None,
    allowed: bool,
) -> None:
    # A negated operator holds when the request lacks the key (IAM's rule).
    condition = {"StringNotEquals": {"kms:EncryptionContext:dept": "hr"}}

    _check_context_outcome(as_principal, admin, condition, operation, context, allowed)


@pytest.mark.parametrize(
    ("context", "denied"),
    [
        pytest.param({"dept": "finance"}, False, id="required-value"),
        pytest.param({"dept": "hr"}, True, id="other-value"),
        pytest.param(None, True, id="key-absent"),
    ],
)
def test_deny_string_not_equals_requires_a_context_value(
    as_principal: As, admin: Client, context: dict[str, str] | None, denied: bool
) -> None:
    requirement = deny(
        ROLE,
        "kms:Encrypt",
        Condition={"StringNotEquals": {"kms:EncryptionContext:dept": "finance"}},
    )
    key = make_key(admin, allow(ROLE, "kms:Encrypt"), requirement)
    role = as_principal(ROLE)

    if denied:
        found = failure(lambda: encrypt(role, key, context))
        assert found == explicitly_denied(ROLE, "Encrypt", key)
    else:
        assert encrypt(role, key, context)["KeyId"] == key


@pytest.mark.parametrize(
    ("account", "principal", "allowed"),
    [
        pytest.param(ACCOUNT, ROLE, True, id="own-account-caller"),
        pytest.param(ACCOUNT, FOREIGN_ROLE, False, id="foreign-caller"),
        pytest.param(OTHER_ACCOUNT, FOREIGN_ROLE, True, id="foreign-account-named"),
        pytest.param(OTHER_ACCOUNT, ROLE, False, id="own-caller-other-account-named"),
    ],
)
def test_caller_account_condition(
    as_principal: As, admin: Client, account: str, principal: str, allowed: bool
) -> None:
    key = make_key(
        admin,
        allow("*", "kms:Encrypt", Condition={"StringEquals": {"kms:CallerAccount": account}}),
    )

    if allowed:
        assert encrypt(as_principal(principal), key)["KeyId"] == key
    else:
        found = failure(lambda: encrypt(as_principal(principal), key))
        assert found == not_allowed(principal, "Encrypt", key)


@pytest.mark.parametrize(
    ("condition", "principal", "allowed"),
    [
        pytest.param({"ArnEquals": {"aws:PrincipalArn": ROLE}}, ROLE, True, id="arn-equals"),
        pytest.param(
            {"ArnEquals": {"aws:PrincipalArn": ROLE}}, OTHER_ROLE, False, id="arn-equals-other"
        ),
        pytest.param({"StringEquals": {"aws:PrincipalArn": ROLE}}, ROLE, True, id="string-equals"),
        pytest.param(
            {"ArnLike": {"aws:PrincipalArn": f"arn:aws:iam::{ACCOUNT}:role/a*"}},
            ROLE,
            True,
            id="arn-like",
        ),
        pytest.param(
            {"ArnLike": {"aws:PrincipalArn": f"arn:aws:iam::{ACCOUNT}:role/a*"}},
            OTHER_ROLE,
            False,
            id="arn-like-other",
        ),
        pytest.param(
            {"ArnNotEquals": {"aws:PrincipalArn": OTHER_ROLE}}, ROLE, True, id="arn-not-equals"
        ),
        pytest.param(
            {"ArnNotEquals": {"aws:PrincipalArn": OTHER_ROLE}},
            OTHER_ROLE,
            False,
            id="arn-not-equals-excluded",
        ),
    ],
)
def test_principal_arn_condition(
    as_principal: As,
    admin: Client,
    condition: dict[str, Any],
    principal: str,
    allowed: bool,
) -> None:
    key = make_key(admin, allow("*", "kms:Encrypt", Condition=condition))

    if allowed:
        assert encrypt(as_principal(principal), key)["KeyId"] == key
    else:
        found = failure(lambda: encrypt(as_principal(principal), key))
        assert found == not_allowed(principal, "Encrypt", key)


def test_principal_arn_of_an_assumed_role_session_is_its_role(
    as_principal: As, admin: Client
) -> None:
    # IAM: for a role session, aws:PrincipalArn is the role's ARN, not the session's.
    key = make_key(
        admin,
        allow("*", "kms:Encrypt", Condition={"ArnEquals": {"aws:PrincipalArn": ROLE}}),
    )

    assert encrypt(as_principal(SESSION), key)["KeyId"] == key


@pytest.mark.parametrize(
    ("algorithm", "allowed"),
    [("RSAES_OAEP_SHA_256", True), ("RSAES_OAEP_SHA_1", False)],
)
def test_encryption_algorithm_condition_on_an_rsa_key(
    as_principal: As, admin: Client, algorithm: str, allowed: bool
) -> None:
    condition = {"StringEquals": {"kms:EncryptionAlgorithm": "RSAES_OAEP_SHA_256"}}
    key = make_key(
        admin,
        allow(ROLE, ["kms:Encrypt", "kms:Decrypt"], Condition=condition),
        KeySpec="RSA_2048",
        KeyUsage="ENCRYPT_DECRYPT",
    )
    role = as_principal(ROLE)

    def call() -> Any:
        return role.encrypt(KeyId=key, Plaintext=b"x", EncryptionAlgorithm=algorithm)

    if allowed:
        blob = call()["CiphertextBlob"]
        plain = role.decrypt(KeyId=key, CiphertextBlob=blob, EncryptionAlgorithm=algorithm)
        assert plain["Plaintext"] == b"x"
    else:
        assert failure(call) == not_allowed(ROLE, "Encrypt", key)


@pytest.mark.parametrize("explicit", [True, False], ids=["algorithm-given", "algorithm-default"])
def test_encryption_algorithm_condition_on_a_symmetric_key(
    as_principal: As, admin: Client, explicit: bool
) -> None:
    # AWS: such a condition works even when the request relies on the parameter's
    # default value (developer guide, "AWS KMS condition keys").
    condition = {"StringEquals": {"kms:EncryptionAlgorithm": "SYMMETRIC_DEFAULT"}}
    key = make_key(admin, allow(ROLE, "kms:Encrypt", Condition=condition))
    given = {"EncryptionAlgorithm": "SYMMETRIC_DEFAULT"} if explicit else {}

    response = as_principal(ROLE).encrypt(KeyId=key, Plaintext=b"x", **given)

    assert response["KeyId"] == key


def test_encryption_algorithm_condition_refuses_another_algorithm_on_a_symmetric_key(
    as_principal: As, admin: Client
) -> None:
    condition = {"StringEquals": {"kms:EncryptionAlgorithm": "RSAES_OAEP_SHA_256"}}
    key = make_key(admin, allow(ROLE, "kms:Encrypt", Condition=condition))

    assert failure(lambda: encrypt(as_principal(ROLE), key)) == not_allowed(ROLE, "Encrypt", key)


@pytest.mark.parametrize(
    ("algorithm", "allowed"),
    [("RSASSA_PSS_SHA_256", True), ("RSASSA_PKCS1_V1_5_SHA_256", False)],
)
@pytest.mark.parametrize("operation", ["Sign", "Verify"])
def test_signing_algorithm_condition(
    as_principal: As, admin: Client, operation: str, algorithm: str, allowed: bool
) -> None:
    condition = {"StringEquals": {"kms:SigningAlgorithm": "RSASSA_PSS_SHA_256"}}
    key = make_key(
        admin,
        allow(ROLE, ["kms:Sign", "kms:Verify"], Condition=condition),
        KeySpec="RSA_2048",
        KeyUsage="SIGN_VERIFY",
    )
    role = as_principal(ROLE)
    signature = admin.sign(KeyId=key, Message=b"m", SigningAlgorithm=algorithm)["Signature"]

    def call() -> Any:
        if operation == "Sign":
            return role.sign(KeyId=key, Message=b"m", SigningAlgorithm=algorithm)
        return role.verify(KeyId=key, Message=b"m", Signature=signature, SigningAlgorithm=algorithm)

    if allowed:
        assert call()["SigningAlgorithm"] == algorithm
    else:
        assert failure(call) == not_allowed(ROLE, operation, key)


@pytest.mark.parametrize("operation", ["Encrypt", "Decrypt"])
@pytest.mark.parametrize(
    ("context", "allowed"),
    [
        pytest.param(None, True, id="no-context"),
        pytest.param({"dept": "a"}, True, id="one-listed-key"),
        pytest.param({"dept": "a", "project": "b"}, True, id="all-listed-keys"),
        pytest.param({"dept": "a", "other": "c"}, False, id="unlisted-key"),
        pytest.param({"Dept": "a"}, False, id="keys-are-case-sensitive-values"),
    ],
)
def test_for_all_values_on_encryption_context_keys(
    as_principal: As,
    admin: Client,
    operation: str,
    context: dict[str, str] | None,
    allowed: bool,
) -> None:
    condition = {"ForAllValues:StringEquals": {"kms:EncryptionContextKeys": ["dept", "project"]}}

    _check_context_outcome(as_principal, admin, condition, operation, context, allowed)


@pytest.mark.parametrize("operation", ["Encrypt", "Decrypt"])
@pytest.mark.parametrize(
    ("context", "allowed"),
    [
        pytest.param({"dept": "a"}, True, id="the-key"),
        pytest.param({"dept": "a", "other": "c"}, True, id="the-key-and-another"),
        pytest.param({"other": "c"}, False, id="only-another-key"),
        pytest.param(None, False, id="no-context"),
    ],
)
def test_for_any_value_on_encryption_context_keys(
    as_principal: As,
    admin: Client,
    operation: str,
    context: dict[str, str] | None,
    allowed: bool,
) -> None:
    condition = {"ForAnyValue:StringEquals": {"kms:EncryptionContextKeys": "dept"}}

    _check_context_outcome(as_principal, admin, condition, operation, context, allowed)


@pytest.mark.parametrize(
    ("condition", "context", "allowed"),
    [
        pytest.param(
            {"Null": {"kms:EncryptionContextKeys": "false"}}, {"a": "b"}, True, id="present"
        ),
        pytest.param(
            {"Null": {"kms:EncryptionContextKeys": "false"}}, None, False, id="absent-refused"
        ),
        pytest.param(
            {"Null": {"kms:EncryptionContext:dept": "true"}}, None, True, id="must-be-absent"
        ),
        pytest.param(
            {"Null": {"kms:EncryptionContext:dept": "true"}},
            {"other": "b"},
            True,
            id="must-be-absent-other-key",
        ),
        pytest.param(
            {"Null": {"kms:EncryptionContext:dept": "true"}},
            {"dept": "b"},
            False,
            id="must-be-absent-present",
        ),
    ],
)
def test_null_condition(
    as_principal: As,
    admin: Client,
    condition: dict[str, Any],
    context: dict[str, str] | None,
    allowed: bool,
) -> None:
    _check_context_outcome(as_principal, admin, condition, "Encrypt", context, allowed)


@pytest.mark.parametrize(
    ("context", "allowed"),
    [
        pytest.param(None, True, id="absent"),
        pytest.param({"other": "x"}, True, id="other-key-only"),
        pytest.param({"dept": "finance"}, True, id="equal"),
        pytest.param({"dept": "hr"}, False, id="other-value"),
    ],
)
def test_if_exists_condition(
    as_principal: As, admin: Client, context: dict[str, str] | None, allowed: bool
) -> None:
    condition = {"StringEqualsIfExists": {"kms:EncryptionContext:dept": "finance"}}

    _check_context_outcome(as_principal, admin, condition, "Encrypt", context, allowed)


@pytest.mark.parametrize(
    "name",
    ["kms:EncryptionContext:dept", "KMS:ENCRYPTIONCONTEXT:dept", "kms:encryptioncontext:DEPT"],
)
def test_condition_key_names_are_case_insensitive(
    as_principal: As, admin: Client, name: str
) -> None:
    condition = {"StringEquals": {name: "finance"}}

    _check_context_outcome(as_principal, admin, condition, "Encrypt", {"dept": "finance"}, True)


@pytest.mark.parametrize(
    ("condition", "operations", "allowed"),
    [
        pytest.param(
            {"ForAllValues:StringEquals": {"kms:GrantOperations": ["Decrypt", "Encrypt"]}},
            ["Decrypt"],
            True,
            id="grant-operations-within",
        ),
        pytest.param(
            {"ForAllValues:StringEquals": {"kms:GrantOperations": ["Decrypt", "Encrypt"]}},
            ["Decrypt", "ReEncryptFrom"],
            False,
            id="grant-operations-beyond",
        ),
        pytest.param(
            {"StringEquals": {"kms:GranteePrincipal": OTHER_ROLE}},
            ["Decrypt"],
            True,
            id="grantee-principal",
        ),
        pytest.param(
            {"StringEquals": {"kms:GranteePrincipal": USER}},
            ["Decrypt"],
            False,
            id="other-grantee-principal",
        ),
        pytest.param(
            {"Bool": {"kms:GrantIsForAWSResource": "true"}},
            ["Decrypt"],
            False,
            id="not-for-an-aws-resource",
        ),
    ],
)
def test_create_grant_conditions(
    as_principal: As,
    admin: Client,
    condition: dict[str, Any],
    operations: list[str],
    allowed: bool,
) -> None:
    key = make_key(admin, allow(ROLE, "kms:CreateGrant", Condition=condition))

    def call() -> Any:
        return as_principal(ROLE).create_grant(
            KeyId=key, GranteePrincipal=OTHER_ROLE, Operations=operations
        )

    if allowed:
        assert len(call()["GrantId"]) == 64
    else:
        assert failure(call) == not_allowed(ROLE, "CreateGrant", key)


def test_conditions_must_all_hold(as_principal: As, admin: Client) -> None:
    condition = {
        "StringEquals": {"kms:EncryptionContext:dept": "finance", "kms:CallerAccount": ACCOUNT},
        "StringLike": {"kms:EncryptionContext:project": "alpha-*"},
    }
    key = make_key(admin, _allow_role_if(condition))
    role = as_principal(ROLE)

    assert encrypt(role, key, {"dept": "finance", "project": "alpha-1"})["KeyId"] == key
    assert failure(lambda: encrypt(role, key, {"dept": "finance"})) == not_allowed(
        ROLE, "Encrypt", key
    )
    assert failure(lambda: encrypt(role, key, {"project": "alpha-1"})) == not_allowed(
        ROLE, "Encrypt", key
    )


@pytest.mark.parametrize(
    ("tags", "allowed"),
    [
        pytest.param([{"TagKey": "env", "TagValue": "prod"}], True, id="tagged-prod"),
        pytest.param([{"TagKey": "env", "TagValue": "dev"}], False, id="tagged-dev"),
        pytest.param([{"TagKey": "team", "TagValue": "prod"}], False, id="other-tag"),
        pytest.param([], False, id="untagged"),
    ],
)
def test_resource_tag_condition(
    as_principal: As, admin: Client, tags: list[dict[str, str]], allowed: bool
) -> None:
    condition = {"StringEquals": {"aws:ResourceTag/env": "prod"}}
    key = make_key(admin, allow(ROLE, "kms:Encrypt", Condition=condition), Tags=tags)

    if allowed:
        assert encrypt(as_principal(ROLE), key)["KeyId"] == key
    else:
        found = failure(lambda: encrypt(as_principal(ROLE), key))
        assert found == not_allowed(ROLE, "Encrypt", key)


def test_resource_tag_condition_follows_tag_changes(as_principal: As, admin: Client) -> None:
    condition = {"StringEquals": {"aws:ResourceTag/env": "prod"}}
    key = make_key(admin, allow(ROLE, "kms:Encrypt", Condition=condition))
    role = as_principal(ROLE)
    assert failure(lambda: encrypt(role, key)) == not_allowed(ROLE, "Encrypt", key)

    admin.tag_resource(KeyId=key, Tags=[{"TagKey": "env", "TagValue": "prod"}])
    assert encrypt(role, key)["KeyId"] == key

    admin.untag_resource(KeyId=key, TagKeys=["env"])
    assert failure(lambda: encrypt(role, key)) == not_allowed(ROLE, "Encrypt", key)


def test_via_service_condition_makes_an_allow_inapplicable(as_principal: As, admin: Client) -> None:
    condition = {"StringEquals": {"kms:ViaService": S3_VIA}}
    key = make_key(admin, allow(ROLE, "kms:Encrypt", Condition=condition))

    assert failure(lambda: encrypt(as_principal(ROLE), key)) == not_allowed(ROLE, "Encrypt", key)


def test_deny_unless_via_service_denies_a_direct_call(as_principal: As, admin: Client) -> None:
    only_via_s3 = deny(
        ROLE, "kms:Encrypt", Condition={"StringNotEquals": {"kms:ViaService": S3_VIA}}
    )
    key = make_key(admin, allow(ROLE, "kms:Encrypt"), only_via_s3)

    found = failure(lambda: encrypt(as_principal(ROLE), key))

    assert found == explicitly_denied(ROLE, "Encrypt", key)


@pytest.mark.parametrize("principal", [ROOT, ROLE])
def test_aws_managed_key_refuses_a_direct_encrypt(as_principal: As, principal: str) -> None:
    client = as_principal(principal)
    key = client.describe_key(KeyId="alias/aws/s3")["KeyMetadata"]["Arn"]

    found = failure(lambda: encrypt(client, "alias/aws/s3"))

    assert found == not_allowed(principal, "Encrypt", key)


@pytest.mark.parametrize("operation", ["DescribeKey", "GetKeyPolicy", "ListResourceTags"])
def test_aws_managed_key_allows_the_account_its_metadata(as_principal: As, operation: str) -> None:
    client = as_principal(ROLE)
    key = client.describe_key(KeyId="alias/aws/s3")["KeyMetadata"]["Arn"]

    OPERATIONS[operation](client, key)


def test_aws_managed_key_denies_another_account_its_metadata(as_principal: As) -> None:
    key = as_principal(ROOT).describe_key(KeyId="alias/aws/s3")["KeyMetadata"]["Arn"]

    found = failure(lambda: as_principal(FOREIGN_ROLE).describe_key(KeyId=key))

    assert found == not_allowed(FOREIGN_ROLE, "DescribeKey", key)


# 8. ReEncrypt ------------------------------------------------------------------------


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
        assert failure(call) == not_allowed(ROLE, "ReEncryptFrom", source)
    else:
        assert failure(call) == not_allowed(ROLE, "ReEncryptTo", destination)


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
        assert failure(call) == not_allowed(ROLE, missing, key)


def test_re_encrypt_explicit_deny_of_to_on_the_destination(as_principal: As, admin: Client) -> None:
    source = make_key(admin, allow(ROLE, "kms:ReEncrypt*"))
    destination = make_key(admin, allow(ROLE, "kms:*"), deny(ROLE, "kms:ReEncryptTo"))
    blob = encrypt(admin, source)["CiphertextBlob"]

    found = failure(
        lambda: as_principal(ROLE).re_encrypt(CiphertextBlob=blob, DestinationKeyId=destination)
    )

    assert found == explicitly_denied(ROLE, "ReEncryptTo", destination)


# 9. Grants ---------------------------------------------------------------------------


def grant(admin: Client, key: str, operations: list[str], **extra: Any) -> dict[str, str]:
    found: dict[str, str] = admin.create_grant(
        KeyId=key, GranteePrincipal=extra.pop("grantee", ROLE), Operations=operations, **extra
    )
    return found


def test_grant_lets_a_role_without_statement_decrypt(as_principal: As, admin: Client) -> None:
    key = make_key(admin)
    blob = encrypt(admin, key)["CiphertextBlob"]
    role = as_principal(ROLE)
    assert failure(lambda: role.decrypt(CiphertextBlob=blob)) == not_allowed(ROLE, "Decrypt", key)

    grant(admin, key, ["Decrypt"])

    assert role.decrypt(CiphertextBlob=blob)["Plaintext"] == b"secret"


@pytest.mark.parametrize("operation", ["Encrypt", "GenerateDataKey", "DescribeKey", "ListGrants"])
def test_grant_allows_only_its_operations(as_principal: As, admin: Client, operation: str) -> None:
    key = make_key(admin)
    grant(admin, key, ["Decrypt"])

    found = failure(lambda: OPERATIONS[operation](as_principal(ROLE), key))

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

    assert failure(lambda: encrypt(as_principal(ROLE), key)) == not_allowed(ROLE, "Encrypt", key)


def test_grant_on_another_key_does_not_help(as_principal: As, admin: Client) -> None:
    key = make_key(admin)
    other = make_key(admin)
    grant(admin, other, ["Encrypt"])

    assert failure(lambda: encrypt(as_principal(ROLE), key)) == not_allowed(ROLE, "Encrypt", key)
    assert encrypt(as_principal(ROLE), other)["KeyId"] == other


def test_grant_lets_another_accounts_principal_use_the_key(as_principal: As, root: Client) -> None:
    key = root.create_key()["KeyMetadata"]["Arn"]
    foreign = as_principal(FOREIGN_ROLE)
    assert failure(lambda: encrypt(foreign, key)) == not_allowed(FOREIGN_ROLE, "Encrypt", key)

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

    assert failure(call) == not_allowed(ROLE, "ReEncryptTo", destination)
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
        assert _run_with_context(operation, admin, role, key, context)["KeyId"] == key
    else:
        found = failure(lambda: _run_with_context(operation, admin, role, key, context))
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
        assert _run_with_context(operation, admin, role, key, context)["KeyId"] == key
    else:
        found = failure(lambda: _run_with_context(operation, admin, role, key, context))
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

    found = failure(
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

    assert failure(lambda: encrypt(role, key)) == not_allowed(ROLE, "Encrypt", key)


def test_grantee_retiring_its_own_grant_loses_access(as_principal: As, admin: Client) -> None:
    key = make_key(admin)
    created = grant(admin, key, ["Encrypt", "RetireGrant"])
    role = as_principal(ROLE)

    role.retire_grant(GrantToken=created["GrantToken"])

    assert failure(lambda: encrypt(role, key)) == not_allowed(ROLE, "Encrypt", key)


def test_revoke_grant_needs_the_key_policy(as_principal: As, admin: Client) -> None:
    key = make_key(admin)
    created = grant(admin, key, ["Encrypt"])

    found = failure(lambda: as_principal(ROLE).revoke_grant(KeyId=key, GrantId=created["GrantId"]))

    assert found == not_allowed(ROLE, "RevokeGrant", key)


def test_unrelated_principal_of_another_account_cannot_retire_a_grant(
    as_principal: As, admin: Client
) -> None:
    # docs/kms-behaviour.md#retiring-grants: the retiring principal, the grantee (with RetireGrant
    # in the grant) or the account that created the grant may retire it; no one else.
    key = make_key(admin)
    created = grant(admin, key, ["Encrypt"], RetiringPrincipal=ADMIN)

    found = failure(
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

    found = failure(
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


# 10. Order of checks and IAM-only operations -----------------------------------------


@pytest.mark.parametrize("operation", ["Encrypt", "DescribeKey", "DisableKey", "GetKeyPolicy"])
@pytest.mark.parametrize("principal", [ROLE, ROOT])
def test_unknown_key_is_not_found_before_any_authorization(
    as_principal: As, admin: Client, operation: str, principal: str
) -> None:
    make_key(admin)  # a key exists, so the account state does too
    arn = key_arn(UNKNOWN_KEY_ID)

    found = failure(lambda: OPERATIONS[operation](as_principal(principal), UNKNOWN_KEY_ID))

    assert found == ("NotFoundException", f"Key '{arn}' does not exist")


def test_unknown_alias_is_not_found_before_any_authorization(
    as_principal: As, admin: Client
) -> None:
    make_key(admin)

    found = failure(lambda: encrypt(as_principal(ROLE), "alias/missing"))

    assert found == (
        "NotFoundException",
        f"Alias arn:aws:kms:{REGION}:{ACCOUNT}:alias/missing is not found.",
    )


@pytest.mark.parametrize("operation", ["Encrypt", "GenerateDataKey", "DescribeKey", "EnableKey"])
def test_disabled_key_answers_access_denied_before_its_state(
    as_principal: As, admin: Client, operation: str
) -> None:
    key = make_key(admin)
    admin.disable_key(KeyId=key)

    found = failure(lambda: OPERATIONS[operation](as_principal(ROLE), key))

    assert found == not_allowed(ROLE, operation, key)


def test_disabled_key_answers_disabled_to_an_allowed_principal(
    as_principal: As, admin: Client
) -> None:
    key = make_key(admin, allow(ROLE, "kms:Encrypt"))
    admin.disable_key(KeyId=key)

    found = failure(lambda: encrypt(as_principal(ROLE), key))

    assert found == ("DisabledException", f"{key} is disabled.")


def test_key_pending_deletion_answers_access_denied_to_a_denied_principal(
    as_principal: As, admin: Client
) -> None:
    key = make_key(admin)
    admin.schedule_key_deletion(KeyId=key, PendingWindowInDays=7)

    found = failure(lambda: encrypt(as_principal(ROLE), key))

    assert found == not_allowed(ROLE, "Encrypt", key)


def test_decrypt_of_a_disabled_keys_ciphertext_is_access_denied(
    as_principal: As, admin: Client
) -> None:
    key = make_key(admin)
    blob = encrypt(admin, key)["CiphertextBlob"]
    admin.disable_key(KeyId=key)

    found = failure(lambda: as_principal(ROLE).decrypt(CiphertextBlob=blob))

    assert found == not_allowed(ROLE, "Decrypt", key)


IAM_ONLY: dict[str, Callable[[Client, str], Any]] = {
    "CreateKey": lambda c, k: c.create_key(),
    "ListKeys": lambda c, k: c.list_keys(),
    "ListAliases": lambda c, k: c.list_aliases(),
    "ListAliases-KeyId": lambda c, k: c.list_aliases(KeyId=k),
    "GenerateRandom": lambda c, k: c.generate_random(NumberOfBytes=8),
    "ListRetirableGrants": lambda c, k: c.list_retirable_grants(RetiringPrincipal=ROLE),
}


@pytest.mark.parametrize("operation", sorted(IAM_ONLY))
def test_iam_only_operations_are_never_denied_by_key_policies(
    as_principal: As, admin: Client, operation: str
) -> None:
    key = make_key(admin, deny(ROLE, "kms:*"))
    # The same principal is refused the key itself ...
    assert failure(lambda: encrypt(as_principal(ROLE), key)) == explicitly_denied(
        ROLE, "Encrypt", key
    )

    # ... but not what IAM alone authorises.
    IAM_ONLY[operation](as_principal(ROLE), key)


def test_list_retirable_grants_lists_grants_on_a_key_the_caller_is_denied(
    as_principal: As, admin: Client
) -> None:
    key = make_key(admin, deny(ROLE, "kms:*"))
    grant(admin, key, ["Encrypt"], grantee=OTHER_ROLE, RetiringPrincipal=ROLE)

    grants = as_principal(ROLE).list_retirable_grants(RetiringPrincipal=ROLE)["Grants"]

    assert [g["KeyId"] for g in grants] == [key]


# Aliases: the action on the key through the key policy (docs/kms-behaviour.md#authorization) ---


def test_create_alias_needs_create_alias_on_the_key(as_principal: As, admin: Client) -> None:
    key = make_key(admin, allow(ROLE, "kms:Encrypt"))

    found = failure(
        lambda: as_principal(ROLE).create_alias(AliasName="alias/mine", TargetKeyId=key)
    )

    assert found == not_allowed(ROLE, "CreateAlias", key)


def test_create_alias_allowed_by_the_key_policy(as_principal: As, admin: Client) -> None:
    key = make_key(admin, allow(ROLE, "kms:CreateAlias"))

    as_principal(ROLE).create_alias(AliasName="alias/mine", TargetKeyId=key)

    assert admin.describe_key(KeyId="alias/mine")["KeyMetadata"]["Arn"] == key


def test_delete_alias_needs_delete_alias_on_the_key(as_principal: As, admin: Client) -> None:
    key = make_key(admin, allow(ROLE, "kms:Encrypt"))
    admin.create_alias(AliasName="alias/mine", TargetKeyId=key)

    found = failure(lambda: as_principal(ROLE).delete_alias(AliasName="alias/mine"))

    assert found == not_allowed(ROLE, "DeleteAlias", key)


def test_update_alias_needs_update_alias_on_the_new_key(as_principal: As, admin: Client) -> None:
    old = make_key(admin, allow(ROLE, "kms:UpdateAlias"))
    new = make_key(admin, allow(ROLE, "kms:Encrypt"))
    admin.create_alias(AliasName="alias/mine", TargetKeyId=old)

    found = failure(
        lambda: as_principal(ROLE).update_alias(AliasName="alias/mine", TargetKeyId=new)
    )

    assert found == not_allowed(ROLE, "UpdateAlias", new)


def test_update_alias_needs_update_alias_on_the_old_key(as_principal: As, admin: Client) -> None:
    old = make_key(admin, allow(ROLE, "kms:Encrypt"))
    new = make_key(admin, allow(ROLE, "kms:UpdateAlias"))
    admin.create_alias(AliasName="alias/mine", TargetKeyId=old)

    found = failure(
        lambda: as_principal(ROLE).update_alias(AliasName="alias/mine", TargetKeyId=new)
    )

    assert found == not_allowed(ROLE, "UpdateAlias", old)


# Lockout check and enforcement agree --------------------------------------------------


def test_session_may_set_a_policy_that_allows_its_role(as_principal: As, admin: Client) -> None:
    # The lockout check asks whether the caller could call PutKeyPolicy under the new policy
    # (docs/kms-behaviour.md#policy-validation); a statement naming its role lets the session do so
    # (docs/kms-behaviour.md#authorization).
    key = make_key(admin, allow(ROLE, "kms:*"))
    session = as_principal(SESSION)

    session.put_key_policy(KeyId=key, PolicyName="default", Policy=document(allow(ROLE, "kms:*")))

    assert encrypt(session, key)["KeyId"] == key


def test_policy_set_by_put_key_policy_takes_effect_at_once(as_principal: As, admin: Client) -> None:
    key = make_key(admin, allow(ROLE, "kms:Encrypt"))
    role = as_principal(ROLE)
    assert encrypt(role, key)["KeyId"] == key

    set_policy(admin, key, ADMIN_STATEMENT)

    assert failure(lambda: encrypt(role, key)) == not_allowed(ROLE, "Encrypt", key)


# 11. DryRun --------------------------------------------------------------------------

DRY_RUNS: dict[str, Callable[[Client, str], Any]] = {
    "Encrypt": lambda c, k: c.encrypt(KeyId=k, Plaintext=b"x", DryRun=True),
    "GenerateDataKey": lambda c, k: c.generate_data_key(KeyId=k, KeySpec="AES_256", DryRun=True),
    "Decrypt": lambda c, k: c.decrypt(KeyId=k, DryRun=True, DryRunModifiers=["IGNORE_CIPHERTEXT"]),
    "CreateGrant": lambda c, k: c.create_grant(
        KeyId=k, GranteePrincipal=OTHER_ROLE, Operations=["Decrypt"], DryRun=True
    ),
}


@pytest.mark.parametrize("operation", sorted(DRY_RUNS))
def test_dry_run_of_a_denied_call_is_access_denied(
    as_principal: As, admin: Client, operation: str
) -> None:
    key = make_key(admin)

    found = failure(lambda: DRY_RUNS[operation](as_principal(ROLE), key))

    assert found == not_allowed(ROLE, operation, key)


@pytest.mark.parametrize("operation", sorted(DRY_RUNS))
def test_dry_run_of_an_allowed_call_is_dry_run_operation(
    as_principal: As, admin: Client, operation: str
) -> None:
    key = make_key(admin, allow(ROLE, f"kms:{operation}"))

    found = failure(lambda: DRY_RUNS[operation](as_principal(ROLE), key))

    assert found == DRY_RUN


# 12. The journal ---------------------------------------------------------------------


def test_journal_records_the_denied_call(
    kms_mock: KmsMock, as_principal: As, admin: Client
) -> None:
    key = make_key(admin, allow(ROLE, "kms:DescribeKey"))
    role = as_principal(ROLE)
    role.describe_key(KeyId=key)

    failure(lambda: encrypt(role, key))

    allowed, denied = kms_mock.calls[-2:]
    assert (allowed.operation, allowed.principal, allowed.ok) == ("DescribeKey", ROLE, True)
    assert (denied.operation, denied.principal, denied.account) == ("Encrypt", ROLE, ACCOUNT)
    assert denied.ok is False
    assert denied.response is None
    assert denied.error == not_allowed(ROLE, "Encrypt", key)
    assert denied.params["KeyId"] == key


def test_journal_records_a_cross_account_denial_with_the_callers_account(
    kms_mock: KmsMock, as_principal: As, root: Client
) -> None:
    key = root.create_key()["KeyMetadata"]["Arn"]

    failure(lambda: encrypt(as_principal(FOREIGN_ROLE), key))

    last = kms_mock.calls[-1]
    assert (last.principal, last.account) == (FOREIGN_ROLE, OTHER_ACCOUNT)
    assert last.error == not_allowed(FOREIGN_ROLE, "Encrypt", key)
