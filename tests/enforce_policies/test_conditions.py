"""Condition blocks of key policy statements deciding access
(docs/kms-behaviour.md#authorization).
"""

from __future__ import annotations

from typing import Any

import pytest

from tests._support import ACCOUNT, OTHER_ACCOUNT, ROOT, refused
from tests.enforce_policies._policies import (
    CONTEXT_OPERATIONS,
    FOREIGN_ROLE,
    OPERATIONS,
    OTHER_ROLE,
    ROLE,
    S3_VIA,
    SESSION,
    USER,
    As,
    Client,
    Statement,
    allow,
    deny,
    encrypt,
    explicitly_denied,
    make_key,
    not_allowed,
    run_with_context,
)

pytestmark = pytest.mark.kms_mock(enforce_policies=True)


def _allow_role_if(condition: dict[str, Any], actions: Any = None) -> Statement:
    wanted = actions or ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey"]
    return allow(ROLE, wanted, Condition=condition)


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
        assert run_with_context(operation, admin, role, key, context)["KeyId"] == key
    else:
        found = refused(lambda: run_with_context(operation, admin, role, key, context))
        assert found == not_allowed(ROLE, operation, key)


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
        found = refused(lambda: encrypt(role, key, context))
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
        found = refused(lambda: encrypt(as_principal(principal), key))
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
        found = refused(lambda: encrypt(as_principal(principal), key))
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
        assert refused(call) == not_allowed(ROLE, "Encrypt", key)


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

    assert refused(lambda: encrypt(as_principal(ROLE), key)) == not_allowed(ROLE, "Encrypt", key)


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
        assert refused(call) == not_allowed(ROLE, operation, key)


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
        assert refused(call) == not_allowed(ROLE, "CreateGrant", key)


def test_conditions_must_all_hold(as_principal: As, admin: Client) -> None:
    condition = {
        "StringEquals": {"kms:EncryptionContext:dept": "finance", "kms:CallerAccount": ACCOUNT},
        "StringLike": {"kms:EncryptionContext:project": "alpha-*"},
    }
    key = make_key(admin, _allow_role_if(condition))
    role = as_principal(ROLE)

    assert encrypt(role, key, {"dept": "finance", "project": "alpha-1"})["KeyId"] == key
    assert refused(lambda: encrypt(role, key, {"dept": "finance"})) == not_allowed(
        ROLE, "Encrypt", key
    )
    assert refused(lambda: encrypt(role, key, {"project": "alpha-1"})) == not_allowed(
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
        found = refused(lambda: encrypt(as_principal(ROLE), key))
        assert found == not_allowed(ROLE, "Encrypt", key)


def test_resource_tag_condition_follows_tag_changes(as_principal: As, admin: Client) -> None:
    condition = {"StringEquals": {"aws:ResourceTag/env": "prod"}}
    key = make_key(admin, allow(ROLE, "kms:Encrypt", Condition=condition))
    role = as_principal(ROLE)
    assert refused(lambda: encrypt(role, key)) == not_allowed(ROLE, "Encrypt", key)

    admin.tag_resource(KeyId=key, Tags=[{"TagKey": "env", "TagValue": "prod"}])
    assert encrypt(role, key)["KeyId"] == key

    admin.untag_resource(KeyId=key, TagKeys=["env"])
    assert refused(lambda: encrypt(role, key)) == not_allowed(ROLE, "Encrypt", key)


def test_via_service_condition_makes_an_allow_inapplicable(as_principal: As, admin: Client) -> None:
    condition = {"StringEquals": {"kms:ViaService": S3_VIA}}
    key = make_key(admin, allow(ROLE, "kms:Encrypt", Condition=condition))

    assert refused(lambda: encrypt(as_principal(ROLE), key)) == not_allowed(ROLE, "Encrypt", key)


def test_deny_unless_via_service_denies_a_direct_call(as_principal: As, admin: Client) -> None:
    only_via_s3 = deny(
        ROLE, "kms:Encrypt", Condition={"StringNotEquals": {"kms:ViaService": S3_VIA}}
    )
    key = make_key(admin, allow(ROLE, "kms:Encrypt"), only_via_s3)

    found = refused(lambda: encrypt(as_principal(ROLE), key))

    assert found == explicitly_denied(ROLE, "Encrypt", key)


@pytest.mark.parametrize("principal", [ROOT, ROLE])
def test_aws_managed_key_refuses_a_direct_encrypt(as_principal: As, principal: str) -> None:
    client = as_principal(principal)
    key = client.describe_key(KeyId="alias/aws/s3")["KeyMetadata"]["Arn"]

    found = refused(lambda: encrypt(client, "alias/aws/s3"))

    assert found == not_allowed(principal, "Encrypt", key)


@pytest.mark.parametrize("operation", ["DescribeKey", "GetKeyPolicy", "ListResourceTags"])
def test_aws_managed_key_allows_the_account_its_metadata(as_principal: As, operation: str) -> None:
    client = as_principal(ROLE)
    key = client.describe_key(KeyId="alias/aws/s3")["KeyMetadata"]["Arn"]

    OPERATIONS[operation](client, key)


def test_aws_managed_key_denies_another_account_its_metadata(as_principal: As) -> None:
    key = as_principal(ROOT).describe_key(KeyId="alias/aws/s3")["KeyMetadata"]["Arn"]

    found = refused(lambda: as_principal(FOREIGN_ROLE).describe_key(KeyId=key))

    assert found == not_allowed(FOREIGN_ROLE, "DescribeKey", key)
