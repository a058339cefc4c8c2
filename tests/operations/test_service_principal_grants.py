"""Grants to AWS service principals (botocore 1.44): GranteeServicePrincipal,
RetiringServicePrincipal and the SourceArn constraint in CreateGrant, ListGrants and
ListRetirableGrants, and what such grants allow under ``enforce_policies`` for a caller
acting as a service principal through ``kms.identities``."""

from __future__ import annotations

import json
import re
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from kmsmock import KmsMock
from tests._support import (
    ACCOUNT,
    DRY_RUN,
    REGION,
    ROOT,
    UNKNOWN_KEY_ID,
    assert_valid_output,
    key_arn,
    refused,
    service_model,
)


def _model_has_service_principal_grants() -> bool:
    shape = service_model().operation_model("CreateGrant").input_shape
    return shape is not None and "GranteeServicePrincipal" in shape.members


pytestmark = pytest.mark.skipif(
    not _model_has_service_principal_grants(),
    reason="the installed botocore's KMS model has no grants to service principals",
)

SERVICE = "dynamodb.amazonaws.com"
OTHER_SERVICE = "s3.amazonaws.com"
TABLE = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/orders"
OTHER_TABLE = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/invoices"
ADMIN = f"arn:aws:iam::{ACCOUNT}:user/admin"
RETIRER = f"arn:aws:iam::{ACCOUNT}:role/retirer"
APP = f"arn:aws:iam::{ACCOUNT}:role/app"
SERVICE_PATTERN = r"^([A-Za-z0-9\-]+)\.([A-Za-z0-9\-]+)(\.[A-Za-z0-9\-]+)+$"
SOURCE_ARN_PATTERN = r"^arn:aws[a-z0-9-]*:[a-z0-9-]+:[a-z0-9-]*:[0-9]{12}:.+$"

EITHER_GRANTEE = (
    "ValidationException",
    "You must specify either GranteePrincipal or GranteeServicePrincipal, but not both.",
)
EITHER_RETIRING = (
    "ValidationException",
    "You can specify either RetiringPrincipal or RetiringServicePrincipal, but not both.",
)
NEEDS_SOURCE_ARN = (
    "ValidationException",
    "When you specify a GranteeServicePrincipal, you must also specify a SourceArn grant "
    "constraint.",
)
NEEDS_RETIRING = (
    "ValidationException",
    "When you specify a GranteeServicePrincipal, you must specify either a RetiringPrincipal "
    "or a RetiringServicePrincipal.",
)
LIST_EITHER_GRANTEE = (
    "ValidationException",
    "You can specify either GranteePrincipal or GranteeServicePrincipal, but not both.",
)
LIST_EITHER_RETIRING = (
    "ValidationException",
    "You must specify either RetiringPrincipal or RetiringServicePrincipal, but not both.",
)


def service_grant(client: Any, key_id: str, **kwargs: Any) -> str:
    """A grant to SERVICE for TABLE, retired by RETIRER unless ``kwargs`` say otherwise."""
    request: dict[str, Any] = {
        "KeyId": key_id,
        "GranteeServicePrincipal": SERVICE,
        "RetiringPrincipal": RETIRER,
        "Operations": ["Encrypt", "Decrypt", "DescribeKey"],
        "Constraints": {"SourceArn": TABLE},
        **kwargs,
    }
    grant_id: str = client.create_grant(**{k: v for k, v in request.items() if v is not None})[
        "GrantId"
    ]
    return grant_id


def listed(client: Any, key_id: str, **kwargs: Any) -> list[dict[str, Any]]:
    response = client.list_grants(KeyId=key_id, **kwargs)
    assert_valid_output("ListGrants", response)
    found: list[dict[str, Any]] = response["Grants"]
    return found


def client_for(kms_mock: KmsMock, access_key_id: str, **identity: Any) -> Any:
    """A client whose requests come from the identity ``identity`` describes."""
    kms_mock.identities.add(access_key_id, **{"account_id": ACCOUNT, **identity})
    return boto3.client(
        "kms", region_name=REGION, aws_access_key_id=access_key_id, aws_secret_access_key="x"
    )


@pytest.fixture
def dynamodb(kms_mock: KmsMock) -> Any:
    """DynamoDB calling KMS for the table TABLE."""
    return client_for(kms_mock, "AKIADYNAMODBORDERS01", service_principal=SERVICE, source_arn=TABLE)


@pytest.fixture
def dynamodb_other_table(kms_mock: KmsMock) -> Any:
    return client_for(
        kms_mock, "AKIADYNAMODBINVOICE1", service_principal=SERVICE, source_arn=OTHER_TABLE
    )


# CreateGrant: what is stored and listed ----------------------------------------------------


def test_create_grant_service_principal_is_listed_without_grantee_principal(client, key_id):
    grant_id = service_grant(client, key_id)
    [entry] = listed(client, key_id)
    assert entry == {
        "KeyId": key_arn(key_id),
        "GrantId": grant_id,
        "CreationDate": entry["CreationDate"],
        "GranteeServicePrincipal": SERVICE,
        "RetiringPrincipal": RETIRER,
        "IssuingAccount": ROOT,
        "Operations": ["Encrypt", "Decrypt", "DescribeKey"],
        "Constraints": {"SourceArn": TABLE},
    }


def test_create_grant_retiring_service_principal_is_listed(client, key_id):
    service_grant(client, key_id, RetiringPrincipal=None, RetiringServicePrincipal=SERVICE)
    [entry] = listed(client, key_id)
    assert (entry["RetiringServicePrincipal"], "RetiringPrincipal" in entry) == (SERVICE, False)


def test_create_grant_iam_grantee_with_retiring_service_principal_and_source_arn_is_listed(
    client, key_id
):
    client.create_grant(
        KeyId=key_id,
        GranteePrincipal=APP,
        RetiringServicePrincipal=OTHER_SERVICE,
        Operations=["Decrypt"],
        Constraints={"SourceArn": TABLE, "EncryptionContextSubset": {"table": "orders"}},
    )
    [entry] = listed(client, key_id)
    assert entry["GranteePrincipal"] == APP
    assert entry["RetiringServicePrincipal"] == OTHER_SERVICE
    assert entry["Constraints"] == {
        "SourceArn": TABLE,
        "EncryptionContextSubset": {"table": "orders"},
    }
    assert "GranteeServicePrincipal" not in entry


@pytest.mark.parametrize(
    ("key_spec", "usage", "operations"),
    [
        ("RSA_2048", "SIGN_VERIFY", ["Sign", "Verify"]),
        ("HMAC_256", "GENERATE_VERIFY_MAC", ["GenerateMac"]),
        ("ECC_NIST_P256", "KEY_AGREEMENT", ["DeriveSharedSecret"]),
    ],
)
def test_create_grant_source_arn_on_asymmetric_and_hmac_keys_is_accepted(
    client, key_spec, usage, operations
):
    key_id = client.create_key(KeySpec=key_spec, KeyUsage=usage)["KeyMetadata"]["KeyId"]
    service_grant(client, key_id, Operations=operations)
    assert listed(client, key_id)[0]["Constraints"] == {"SourceArn": TABLE}


def test_create_grant_encryption_context_constraint_on_asymmetric_key_still_raises(client):
    key_id = client.create_key(KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"]
    constraints = {"SourceArn": TABLE, "EncryptionContextEquals": {"a": "b"}}
    assert refused(
        lambda: service_grant(client, key_id, Operations=["Sign"], Constraints=constraints)
    ) == (
        "ValidationException",
        "Grant constraints are supported only for symmetric encryption KMS keys.",
    )
    assert listed(client, key_id) == []


def test_create_grant_same_name_same_service_grant_returns_same_grant(client, key_id):
    first = service_grant(client, key_id, Name="orders")
    assert service_grant(client, key_id, Name="orders") == first
    assert len(listed(client, key_id)) == 1


@pytest.mark.parametrize(
    "change",
    [
        {"Constraints": {"SourceArn": OTHER_TABLE}},
        {"GranteeServicePrincipal": OTHER_SERVICE},
        {"RetiringPrincipal": None, "RetiringServicePrincipal": SERVICE},
    ],
)
def test_create_grant_same_name_other_service_parameters_creates_new_grant(client, key_id, change):
    first = service_grant(client, key_id, Name="orders")
    assert service_grant(client, key_id, Name="orders", **change) != first
    assert len(listed(client, key_id)) == 2


# CreateGrant: the combinations refused -------------------------------------------------------


def test_create_grant_without_any_grantee_raises_validation(client, key_id):
    # botocore 1.44 no longer requires GranteePrincipal, so the service must refuse it.
    assert refused(lambda: client.create_grant(KeyId=key_id, Operations=["Decrypt"])) == (
        EITHER_GRANTEE
    )


def test_create_grant_with_both_grantees_raises_validation(client, key_id):
    assert refused(lambda: service_grant(client, key_id, GranteePrincipal=APP)) == EITHER_GRANTEE


def test_create_grant_with_both_retiring_parties_raises_validation(client, key_id):
    assert (
        refused(lambda: service_grant(client, key_id, RetiringServicePrincipal=SERVICE))
        == EITHER_RETIRING
    )
    assert (
        refused(
            lambda: client.create_grant(
                KeyId=key_id,
                GranteePrincipal=APP,
                RetiringPrincipal=RETIRER,
                RetiringServicePrincipal=SERVICE,
                Operations=["Decrypt"],
            )
        )
        == EITHER_RETIRING
    )


@pytest.mark.parametrize("constraints", [None, {"EncryptionContextSubset": {"a": "b"}}])
def test_create_grant_service_grantee_without_source_arn_raises_validation(
    client, key_id, constraints
):
    call = lambda: service_grant(client, key_id, Constraints=constraints)  # noqa: E731
    assert refused(call) == NEEDS_SOURCE_ARN


def test_create_grant_service_grantee_without_retiring_party_raises_validation(client, key_id):
    assert refused(lambda: service_grant(client, key_id, RetiringPrincipal=None)) == (
        NEEDS_RETIRING
    )


def test_create_grant_combination_is_checked_before_the_key(client):
    # The combination rules come right after shape validation, before the key is looked up.
    assert refused(lambda: service_grant(client, UNKNOWN_KEY_ID, RetiringPrincipal=None)) == (
        NEEDS_RETIRING
    )


def test_create_grant_refused_combinations_leave_no_grant(client, key_id):
    for extra in ({"GranteePrincipal": APP}, {"RetiringPrincipal": None}, {"Constraints": None}):
        with pytest.raises(ClientError):
            service_grant(client, key_id, **extra)
    assert listed(client, key_id) == []


@pytest.mark.parametrize("member", ["GranteeServicePrincipal", "RetiringServicePrincipal"])
@pytest.mark.parametrize(
    "value", ["amazonaws.com", f"arn:aws:iam::{ACCOUNT}:root", "my_svc.aws.com"]
)
def test_create_grant_service_principal_not_matching_pattern_raises_validation(
    unchecked_client, key_id, member, value
):
    request = {
        "KeyId": key_id,
        "GranteePrincipal": APP,
        "Operations": ["Decrypt"],
        member: value,
    }
    wire = member[0].lower() + member[1:]
    assert refused(lambda: unchecked_client.create_grant(**request)) == (
        "ValidationException",
        f"1 validation error detected: Value '{value}' at '{wire}' failed to satisfy "
        f"constraint: Member must satisfy regular expression pattern: {SERVICE_PATTERN}",
    )


@pytest.mark.parametrize(
    "source_arn",
    ["arn:aws:s3:::my-bucket-name-here", "arn:aws:dynamodb:US-EAST-1:123456789012:table/t"],
)
def test_create_grant_source_arn_not_matching_pattern_raises_validation(
    unchecked_client, key_id, source_arn
):
    assert refused(
        lambda: service_grant(unchecked_client, key_id, Constraints={"SourceArn": source_arn})
    ) == (
        "ValidationException",
        f"1 validation error detected: Value '{source_arn}' at 'constraints.sourceArn' failed "
        f"to satisfy constraint: Member must satisfy regular expression pattern: "
        f"{SOURCE_ARN_PATTERN}",
    )


def test_create_grant_service_principal_with_dry_run_raises_dry_run_and_creates_nothing(
    client, key_id
):
    assert refused(lambda: service_grant(client, key_id, DryRun=True)) == DRY_RUN
    assert listed(client, key_id) == []


# ListGrants and ListRetirableGrants ---------------------------------------------------------


def test_list_grants_by_grantee_service_principal_as_that_service_lists_its_grants(
    client, dynamodb, key_id
):
    mine = service_grant(client, key_id)
    service_grant(client, key_id, GranteeServicePrincipal=OTHER_SERVICE)
    client.create_grant(KeyId=key_id, GranteePrincipal=APP, Operations=["Decrypt"])
    found = listed(dynamodb, key_id, GranteeServicePrincipal=SERVICE)
    assert [entry["GrantId"] for entry in found] == [mine]


def test_list_grants_by_grantee_principal_leaves_out_service_grants(client, key_id):
    service_grant(client, key_id)
    client.create_grant(KeyId=key_id, GranteePrincipal=APP, Operations=["Decrypt"])
    found = listed(client, key_id, GranteePrincipal=APP)
    assert [entry["GranteePrincipal"] for entry in found] == [APP]


def test_list_grants_by_grantee_service_principal_from_iam_caller_raises_access_denied(
    client, key_id
):
    service_grant(client, key_id)
    arn = key_arn(key_id)
    assert refused(lambda: client.list_grants(KeyId=key_id, GranteeServicePrincipal=SERVICE)) == (
        "AccessDeniedException",
        f"User: {ROOT} is not authorized to perform: kms:ListGrants on resource: {arn} "
        "because no identity-based policy allows the kms:ListGrants action",
    )


def test_list_grants_by_other_service_principal_raises_access_denied(dynamodb, client, key_id):
    arn = key_arn(key_id)
    assert refused(
        lambda: dynamodb.list_grants(KeyId=key_id, GranteeServicePrincipal=OTHER_SERVICE)
    ) == (
        "AccessDeniedException",
        f"User: {SERVICE} is not authorized to perform: kms:ListGrants on resource: {arn} "
        "because no identity-based policy allows the kms:ListGrants action",
    )


def test_list_grants_with_both_grantee_filters_raises_validation(client, key_id):
    assert (
        refused(
            lambda: client.list_grants(
                KeyId=key_id, GranteePrincipal=APP, GranteeServicePrincipal=SERVICE
            )
        )
        == LIST_EITHER_GRANTEE
    )


def test_list_retirable_grants_by_retiring_service_principal_as_that_service(
    client, dynamodb, key_id
):
    mine = service_grant(client, key_id, RetiringPrincipal=None, RetiringServicePrincipal=SERVICE)
    service_grant(client, key_id)  # retired by RETIRER, not by the service
    response = dynamodb.list_retirable_grants(RetiringServicePrincipal=SERVICE)
    assert_valid_output("ListRetirableGrants", response)
    assert [entry["GrantId"] for entry in response["Grants"]] == [mine]
    assert response["Grants"][0]["RetiringServicePrincipal"] == SERVICE


def test_list_retirable_grants_by_retiring_principal_leaves_out_service_retired_grants(
    client, key_id
):
    by_principal = service_grant(client, key_id)
    service_grant(client, key_id, RetiringPrincipal=None, RetiringServicePrincipal=SERVICE)
    found = client.list_retirable_grants(RetiringPrincipal=RETIRER)["Grants"]
    assert [entry["GrantId"] for entry in found] == [by_principal]


@pytest.mark.parametrize(
    "filters",
    [{}, {"RetiringPrincipal": RETIRER, "RetiringServicePrincipal": SERVICE}],
    ids=["neither", "both"],
)
def test_list_retirable_grants_without_exactly_one_filter_raises_validation(client, filters):
    assert refused(lambda: client.list_retirable_grants(**filters)) == LIST_EITHER_RETIRING


def test_list_retirable_grants_by_service_principal_from_iam_caller_raises_access_denied(client):
    assert refused(lambda: client.list_retirable_grants(RetiringServicePrincipal=SERVICE)) == (
        "AccessDeniedException",
        f"User: {ROOT} is not authorized to perform: kms:ListRetirableGrants on resource: "
        f"{SERVICE} because no identity-based policy allows the kms:ListRetirableGrants action",
    )


# kms.identities: a service principal --------------------------------------------------------


@pytest.mark.parametrize(
    ("identity", "message"),
    [
        (
            {"source_arn": TABLE},
            "source_arn is what an AWS service calls on behalf of: give service_principal "
            "too, e.g. service_principal='dynamodb.amazonaws.com'",
        ),
        (
            {"service_principal": SERVICE, "arn": APP},
            "give arn (an IAM principal) or service_principal, not both",
        ),
        (
            {"service_principal": "amazonaws.com"},
            "service_principal must name an AWS service principal such as "
            "'dynamodb.amazonaws.com', got 'amazonaws.com'",
        ),
        (
            {"service_principal": SERVICE, "source_arn": "arn:aws:s3:::bucket"},
            "source_arn must be an ARN with a 12-digit account, such as "
            "'arn:aws:dynamodb:us-east-1:111122223333:table/orders', got 'arn:aws:s3:::bucket'",
        ),
    ],
)
def test_identities_add_service_principal_misuse_raises_value_error(kms_mock, identity, message):
    with pytest.raises(ValueError, match=re.escape(message)) as info:
        kms_mock.identities.add("AKIABADSERVICE000001", account_id=ACCOUNT, **identity)
    assert str(info.value) == message


def test_describe_key_as_service_principal_is_journaled_with_its_name(
    kms_mock, client, dynamodb, key_id
):
    dynamodb.describe_key(KeyId=key_id)
    assert kms_mock.calls[-1].principal == SERVICE


# Under enforce_policies -------------------------------------------------------------------


def policy(*statements: dict[str, Any]) -> str:
    admin = {
        "Effect": "Allow",
        "Principal": {"AWS": ADMIN},
        "Action": "kms:*",
        "Resource": "*",
    }
    return json.dumps({"Version": "2012-10-17", "Statement": [admin, *statements]})


@pytest.fixture
def admin(kms_mock: KmsMock) -> Any:
    return client_for(kms_mock, "AKIAADMINISTRATOR001", arn=ADMIN)


@pytest.fixture
def enforced_key(admin: Any) -> str:
    """The ARN of a key only the admin may use, with a grant to DynamoDB for TABLE."""
    arn: str = admin.create_key(Policy=policy())["KeyMetadata"]["Arn"]
    service_grant(admin, arn)
    return arn


def denied(principal: str, action: str, key: str) -> tuple[str, str]:
    return (
        "AccessDeniedException",
        f"User: {principal} is not authorized to perform: kms:{action} on resource: {key} "
        f"because no resource-based policy allows the kms:{action} action",
    )


@pytest.mark.kms_mock(enforce_policies=True)
def test_encrypt_as_granted_service_for_its_source_arn_round_trips(dynamodb, enforced_key):
    blob = dynamodb.encrypt(KeyId=enforced_key, Plaintext=b"order 42")["CiphertextBlob"]
    assert dynamodb.decrypt(CiphertextBlob=blob)["Plaintext"] == b"order 42"
    assert dynamodb.describe_key(KeyId=enforced_key)["KeyMetadata"]["Arn"] == enforced_key


@pytest.mark.kms_mock(enforce_policies=True)
def test_encrypt_as_granted_service_for_other_source_arn_raises_access_denied(
    dynamodb_other_table, enforced_key
):
    assert refused(
        lambda: dynamodb_other_table.encrypt(KeyId=enforced_key, Plaintext=b"x")
    ) == denied(SERVICE, "Encrypt", enforced_key)
    # The SourceArn constraint governs DescribeKey too.
    assert refused(lambda: dynamodb_other_table.describe_key(KeyId=enforced_key)) == denied(
        SERVICE, "DescribeKey", enforced_key
    )


@pytest.mark.kms_mock(enforce_policies=True)
def test_encrypt_as_other_service_raises_access_denied(kms_mock, enforced_key):
    s3 = client_for(
        kms_mock, "AKIAS3SERVICE0000001", service_principal=OTHER_SERVICE, source_arn=TABLE
    )
    assert refused(lambda: s3.encrypt(KeyId=enforced_key, Plaintext=b"x")) == denied(
        OTHER_SERVICE, "Encrypt", enforced_key
    )


@pytest.mark.kms_mock(enforce_policies=True)
def test_encrypt_as_iam_principal_under_source_arn_grant_raises_access_denied(kms_mock, admin):
    # A grant with a SourceArn constraint never allows a direct call by an IAM principal.
    key = admin.create_key(Policy=policy())["KeyMetadata"]["Arn"]
    admin.create_grant(
        KeyId=key, GranteePrincipal=APP, Operations=["Encrypt"], Constraints={"SourceArn": TABLE}
    )
    app = client_for(kms_mock, "AKIAAPPLICATION00001", arn=APP)
    assert refused(lambda: app.encrypt(KeyId=key, Plaintext=b"x")) == denied(APP, "Encrypt", key)


@pytest.mark.kms_mock(enforce_policies=True)
def test_encrypt_as_service_is_not_covered_by_the_account_root(kms_mock, client):
    # The default policy delegates to the account: a service principal is not in it.
    key = client.create_key()["KeyMetadata"]["Arn"]
    assert client.encrypt(KeyId=key, Plaintext=b"x")["KeyId"] == key
    dynamodb = client_for(
        kms_mock, "AKIADYNAMODBORDERS01", service_principal=SERVICE, source_arn=TABLE
    )
    assert refused(lambda: dynamodb.encrypt(KeyId=key, Plaintext=b"x")) == denied(
        SERVICE, "Encrypt", key
    )


@pytest.mark.kms_mock(enforce_policies=True)
def test_encrypt_service_statement_with_source_arn_condition_allows_only_that_source(
    admin, dynamodb, dynamodb_other_table
):
    statement = {
        "Effect": "Allow",
        "Principal": {"Service": SERVICE},
        "Action": ["kms:Encrypt", "kms:Decrypt"],
        "Resource": "*",
        "Condition": {
            "ArnEquals": {"aws:SourceArn": TABLE},
            "StringEquals": {"aws:SourceAccount": ACCOUNT},
        },
    }
    key = admin.create_key(Policy=policy(statement))["KeyMetadata"]["Arn"]
    blob = dynamodb.encrypt(KeyId=key, Plaintext=b"p")["CiphertextBlob"]
    assert dynamodb.decrypt(CiphertextBlob=blob)["Plaintext"] == b"p"
    assert refused(lambda: dynamodb_other_table.encrypt(KeyId=key, Plaintext=b"p")) == denied(
        SERVICE, "Encrypt", key
    )


@pytest.mark.kms_mock(enforce_policies=True)
def test_re_encrypt_as_service_needs_the_same_source_arn_on_both_grants(
    admin, dynamodb, dynamodb_other_table
):
    source = admin.create_key(Policy=policy())["KeyMetadata"]["Arn"]
    service_grant(admin, source, Operations=["Encrypt", "ReEncryptFrom"])
    same = admin.create_key(Policy=policy())["KeyMetadata"]["Arn"]
    service_grant(admin, same, Operations=["ReEncryptTo", "Decrypt"])
    other = admin.create_key(Policy=policy())["KeyMetadata"]["Arn"]
    service_grant(admin, other, Operations=["ReEncryptTo"], Constraints={"SourceArn": OTHER_TABLE})
    blob = dynamodb.encrypt(KeyId=source, Plaintext=b"row")["CiphertextBlob"]
    moved = dynamodb.re_encrypt(CiphertextBlob=blob, DestinationKeyId=same)["CiphertextBlob"]
    assert dynamodb.decrypt(CiphertextBlob=moved)["Plaintext"] == b"row"
    assert refused(
        lambda: dynamodb.re_encrypt(CiphertextBlob=blob, DestinationKeyId=other)
    ) == denied(SERVICE, "ReEncryptTo", other)


@pytest.mark.kms_mock(enforce_policies=True)
def test_retire_grant_by_retiring_service_principal_is_allowed(kms_mock, admin, dynamodb):
    key = admin.create_key(Policy=policy())["KeyMetadata"]["Arn"]
    grant_id = service_grant(admin, key, RetiringPrincipal=None, RetiringServicePrincipal=SERVICE)
    s3 = client_for(kms_mock, "AKIAS3SERVICE0000001", service_principal=OTHER_SERVICE)
    assert refused(lambda: s3.retire_grant(KeyId=key, GrantId=grant_id)) == (
        "AccessDeniedException",
        f"User: {OTHER_SERVICE} is not authorized to perform: kms:RetireGrant on resource: "
        f"{key} because no identity-based policy allows the kms:RetireGrant action",
    )
    # SourceArn does not apply to RetireGrant: a call for another table may retire it.
    other_table = client_for(
        kms_mock, "AKIADYNAMODBINVOICE1", service_principal=SERVICE, source_arn=OTHER_TABLE
    )
    other_table.retire_grant(KeyId=key, GrantId=grant_id)
    assert listed(admin, key) == []


@pytest.mark.kms_mock(enforce_policies=True)
def test_create_grant_policy_conditions_on_service_principal_and_source_arn_decide(kms_mock, admin):
    app_statement = {
        "Effect": "Allow",
        "Principal": {"AWS": APP},
        "Action": "kms:CreateGrant",
        "Resource": "*",
        "Condition": {
            "StringEquals": {
                "kms:GranteeServicePrincipal": SERVICE,
                "kms:GrantConstraintSourceArn": TABLE,
            }
        },
    }
    key = admin.create_key(Policy=policy(app_statement))["KeyMetadata"]["Arn"]
    app = client_for(kms_mock, "AKIAAPPLICATION00001", arn=APP)
    service_grant(app, key)
    assert refused(
        lambda: service_grant(app, key, Constraints={"SourceArn": OTHER_TABLE})
    ) == denied(APP, "CreateGrant", key)
    assert refused(lambda: service_grant(app, key, GranteeServicePrincipal=OTHER_SERVICE)) == (
        denied(APP, "CreateGrant", key)
    )


@pytest.mark.kms_mock(enforce_policies=True)
def test_describe_key_principal_service_name_condition_allows_only_the_service(
    kms_mock, admin, dynamodb
):
    statement = {
        "Effect": "Allow",
        "Principal": "*",
        "Action": "kms:DescribeKey",
        "Resource": "*",
        "Condition": {
            "StringEquals": {"aws:PrincipalServiceName": SERVICE},
            "Null": {"aws:PrincipalArn": "true"},
        },
    }
    key = admin.create_key(Policy=policy(statement))["KeyMetadata"]["Arn"]
    assert dynamodb.describe_key(KeyId=key)["KeyMetadata"]["Arn"] == key
    app = client_for(kms_mock, "AKIAAPPLICATION00001", arn=APP)
    assert refused(lambda: app.describe_key(KeyId=key)) == denied(APP, "DescribeKey", key)
