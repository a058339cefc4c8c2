"""Where authorization falls among a request's checks: not-found and key state, IAM-only
operations, aliases, the lockout check and DryRun (docs/kms-behaviour.md#authorization).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from kmsmock import KmsMock
from tests._support import (
    ACCOUNT,
    DRY_RUN,
    OTHER_ACCOUNT,
    REGION,
    ROOT,
    UNKNOWN_KEY_ID,
    key_arn,
    refused,
)
from tests.enforce_policies._policies import (
    ADMIN_STATEMENT,
    FOREIGN_ROLE,
    OPERATIONS,
    OTHER_ROLE,
    ROLE,
    SESSION,
    As,
    Client,
    allow,
    deny,
    document,
    encrypt,
    explicitly_denied,
    grant,
    make_key,
    not_allowed,
    set_policy,
)

pytestmark = pytest.mark.kms_mock(enforce_policies=True)


# Order of checks and IAM-only operations -----------------------------------------


@pytest.mark.parametrize("operation", ["Encrypt", "DescribeKey", "DisableKey", "GetKeyPolicy"])
@pytest.mark.parametrize("principal", [ROLE, ROOT])
def test_unknown_key_is_not_found_before_any_authorization(
    as_principal: As, admin: Client, operation: str, principal: str
) -> None:
    make_key(admin)  # a key exists, so the account state does too
    arn = key_arn(UNKNOWN_KEY_ID)

    found = refused(lambda: OPERATIONS[operation](as_principal(principal), UNKNOWN_KEY_ID))

    assert found == ("NotFoundException", f"Key '{arn}' does not exist")


def test_unknown_alias_is_not_found_before_any_authorization(
    as_principal: As, admin: Client
) -> None:
    make_key(admin)

    found = refused(lambda: encrypt(as_principal(ROLE), "alias/missing"))

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

    found = refused(lambda: OPERATIONS[operation](as_principal(ROLE), key))

    assert found == not_allowed(ROLE, operation, key)


def test_disabled_key_answers_disabled_to_an_allowed_principal(
    as_principal: As, admin: Client
) -> None:
    key = make_key(admin, allow(ROLE, "kms:Encrypt"))
    admin.disable_key(KeyId=key)

    found = refused(lambda: encrypt(as_principal(ROLE), key))

    assert found == ("DisabledException", f"{key} is disabled.")


def test_key_pending_deletion_answers_access_denied_to_a_denied_principal(
    as_principal: As, admin: Client
) -> None:
    key = make_key(admin)
    admin.schedule_key_deletion(KeyId=key, PendingWindowInDays=7)

    found = refused(lambda: encrypt(as_principal(ROLE), key))

    assert found == not_allowed(ROLE, "Encrypt", key)


def test_decrypt_of_a_disabled_keys_ciphertext_is_access_denied(
    as_principal: As, admin: Client
) -> None:
    key = make_key(admin)
    blob = encrypt(admin, key)["CiphertextBlob"]
    admin.disable_key(KeyId=key)

    found = refused(lambda: as_principal(ROLE).decrypt(CiphertextBlob=blob))

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
    assert refused(lambda: encrypt(as_principal(ROLE), key)) == explicitly_denied(
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

    found = refused(
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

    found = refused(lambda: as_principal(ROLE).delete_alias(AliasName="alias/mine"))

    assert found == not_allowed(ROLE, "DeleteAlias", key)


def test_update_alias_needs_update_alias_on_the_new_key(as_principal: As, admin: Client) -> None:
    old = make_key(admin, allow(ROLE, "kms:UpdateAlias"))
    new = make_key(admin, allow(ROLE, "kms:Encrypt"))
    admin.create_alias(AliasName="alias/mine", TargetKeyId=old)

    found = refused(
        lambda: as_principal(ROLE).update_alias(AliasName="alias/mine", TargetKeyId=new)
    )

    assert found == not_allowed(ROLE, "UpdateAlias", new)


def test_update_alias_needs_update_alias_on_the_old_key(as_principal: As, admin: Client) -> None:
    old = make_key(admin, allow(ROLE, "kms:Encrypt"))
    new = make_key(admin, allow(ROLE, "kms:UpdateAlias"))
    admin.create_alias(AliasName="alias/mine", TargetKeyId=old)

    found = refused(
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

    assert refused(lambda: encrypt(role, key)) == not_allowed(ROLE, "Encrypt", key)


# DryRun --------------------------------------------------------------------------

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

    found = refused(lambda: DRY_RUNS[operation](as_principal(ROLE), key))

    assert found == not_allowed(ROLE, operation, key)


@pytest.mark.parametrize("operation", sorted(DRY_RUNS))
def test_dry_run_of_an_allowed_call_is_dry_run_operation(
    as_principal: As, admin: Client, operation: str
) -> None:
    key = make_key(admin, allow(ROLE, f"kms:{operation}"))

    found = refused(lambda: DRY_RUNS[operation](as_principal(ROLE), key))

    assert found == DRY_RUN


# The journal ---------------------------------------------------------------------


def test_journal_records_the_denied_call(
    kms_mock: KmsMock, as_principal: As, admin: Client
) -> None:
    key = make_key(admin, allow(ROLE, "kms:DescribeKey"))
    role = as_principal(ROLE)
    role.describe_key(KeyId=key)

    refused(lambda: encrypt(role, key))

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

    refused(lambda: encrypt(as_principal(FOREIGN_ROLE), key))

    last = kms_mock.calls[-1]
    assert (last.principal, last.account) == (FOREIGN_ROLE, OTHER_ACCOUNT)
    assert last.error == not_allowed(FOREIGN_ROLE, "Encrypt", key)
