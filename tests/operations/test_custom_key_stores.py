"""Custom key stores through boto3 (docs/kms-behaviour.md#custom-key-stores): CloudHSM and
external stores, their keys, connection states, updates, GenerateRandom from a store, and
isolation.

Unverified against AWS: the texts of the store errors, which are kmsmock's own.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from freezegun import freeze_time

from tests._support import ACCOUNT, REGION, assert_valid_output, body, error, key_arn

UTC = timezone.utc
OTHER_REGION = "eu-west-1"
STORE_ID = re.compile(r"cks-[0-9a-f]{17}")
MATERIAL_ID = re.compile(r"[0-9a-f]{64}")
UNKNOWN_STORE = "cks-1234567890abcdef0"

CLOUDHSM, EXTERNAL = "AWS_CLOUDHSM", "EXTERNAL_KEY_STORE"
PUBLIC, VPC = "PUBLIC_ENDPOINT", "VPC_ENDPOINT_SERVICE"
CLUSTER = "cluster-234abcdefgh"
OTHER_CLUSTER = "cluster-567abcdefgh"
TRUST_ANCHOR = "-----BEGIN CERTIFICATE-----\nMIIBkmsmocktrustanchor\n-----END CERTIFICATE-----\n"
PASSWORD = "kmsuser-password"
ENDPOINT = "https://xks.example.com"
OTHER_ENDPOINT = "https://xks2.example.com"
URI_PATH = "/kms/xks/v1"
PREFIXED_PATH = "/prefix/kms/xks/v1"
# Model: AccessKeyId 20-30 of [A-Z2-7], RawSecretAccessKey 43-64 of [a-zA-Z0-9/+=].
ACCESS_KEY = "ABCDEFGHIJKLMNOPQRST"
SECRET = "Secret" * 7 + "1"
OTHER_ACCESS_KEY = "ZYXWVUTSRQPONMLKJIH2"
OTHER_SECRET = "NewSecret" * 5
SERVICE = "com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0"
OTHER_SERVICE = "com.amazonaws.vpce.us-east-1.vpce-svc-0fedcba9876543210"
SERVICE_OWNER = "111122223333"
XKS_KEY = "xks-key-1"

# What makes each member of a store; the two types' members never mix.
CLOUDHSM_MEMBERS: dict[str, Any] = {
    "CloudHsmClusterId": CLUSTER,
    "TrustAnchorCertificate": TRUST_ANCHOR,
    "KeyStorePassword": PASSWORD,
}
EXTERNAL_MEMBERS: dict[str, Any] = {
    "XksProxyUriEndpoint": ENDPOINT,
    "XksProxyUriPath": URI_PATH,
    "XksProxyAuthenticationCredential": {"AccessKeyId": ACCESS_KEY, "RawSecretAccessKey": SECRET},
    "XksProxyConnectivity": PUBLIC,
}
VPC_MEMBERS: dict[str, Any] = {
    "XksProxyVpcEndpointServiceName": SERVICE,
    "XksProxyVpcEndpointServiceOwner": SERVICE_OWNER,
}
ORIGIN = {"cloudhsm": CLOUDHSM, "external": EXTERNAL}
KINDS = ["cloudhsm", "external"]
# What a second store of each type needs to differ from the first.
SECOND_STORE: dict[str, dict[str, Any]] = {
    "cloudhsm": {"CloudHsmClusterId": OTHER_CLUSTER},
    "external": {"XksProxyUriPath": PREFIXED_PATH},
}


# Helpers -------------------------------------------------------------------------------


def refused(call: Callable[[], Any]) -> tuple[str, str]:
    with pytest.raises(ClientError) as exc:
        call()
    return error(exc.value)


def cloudhsm_params(name: str = "hsm-store", **overrides: Any) -> dict[str, Any]:
    return {"CustomKeyStoreName": name, **CLOUDHSM_MEMBERS, **overrides}


def external_params(name: str = "xks-store", **overrides: Any) -> dict[str, Any]:
    return {
        "CustomKeyStoreName": name,
        "CustomKeyStoreType": EXTERNAL,
        **EXTERNAL_MEMBERS,
        **overrides,
    }


def vpc_params(name: str = "vpc-store", **overrides: Any) -> dict[str, Any]:
    vpc: dict[str, Any] = {"XksProxyConnectivity": VPC, "XksProxyVpcEndpointServiceName": SERVICE}
    return external_params(name, **{**vpc, **overrides})


def create(client: Any, params: dict[str, Any]) -> str:
    response = client.create_custom_key_store(**params)
    assert_valid_output("CreateCustomKeyStore", response)
    store_id: str = response["CustomKeyStoreId"]
    return store_id


def new_store(client: Any, kind: str, *, connect: bool = True, **overrides: Any) -> str:
    params = cloudhsm_params(**overrides) if kind == "cloudhsm" else external_params(**overrides)
    store_id = create(client, params)
    if connect:
        client.connect_custom_key_store(CustomKeyStoreId=store_id)
    return store_id


def new_store_key(client: Any, kind: str, store_id: str, xks_key: str = XKS_KEY) -> str:
    params: dict[str, Any] = {"Origin": ORIGIN[kind], "CustomKeyStoreId": store_id}
    if kind == "external":
        params["XksKeyId"] = xks_key
    key_id: str = client.create_key(**params)["KeyMetadata"]["KeyId"]
    return key_id


def describe(client: Any, **kwargs: Any) -> dict[str, Any]:
    response = client.describe_custom_key_stores(**kwargs)
    assert_valid_output("DescribeCustomKeyStores", response)
    return body(response)


def all_stores(client: Any) -> list[dict[str, Any]]:
    """Every store, from one page that holds them all."""
    response = describe(client)
    assert response["Truncated"] is False
    assert "NextMarker" not in response
    stores: list[dict[str, Any]] = response["CustomKeyStores"]
    return stores


def entry(client: Any, store_id: str) -> dict[str, Any]:
    response = describe(client, CustomKeyStoreId=store_id)
    assert response["Truncated"] is False
    [found] = response["CustomKeyStores"]
    assert isinstance(found, dict)
    return found


def state_of(client: Any, store_id: str) -> str:
    state: str = entry(client, store_id)["ConnectionState"]
    return state


def key_state(client: Any, key_id: str) -> str:
    state: str = client.describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"]
    return state


def cloudhsm_entry(
    store_id: str,
    created: datetime,
    *,
    name: str = "hsm-store",
    state: str = "DISCONNECTED",
    cluster: str = CLUSTER,
) -> dict[str, Any]:
    return {
        "CustomKeyStoreId": store_id,
        "CustomKeyStoreName": name,
        "CustomKeyStoreType": CLOUDHSM,
        "ConnectionState": state,
        "CreationDate": created,
        "CloudHsmClusterId": cluster,
        "TrustAnchorCertificate": TRUST_ANCHOR,
    }


def external_entry(
    store_id: str,
    created: datetime,
    *,
    name: str = "xks-store",
    state: str = "DISCONNECTED",
    **proxy: str,
) -> dict[str, Any]:
    return {
        "CustomKeyStoreId": store_id,
        "CustomKeyStoreName": name,
        "CustomKeyStoreType": EXTERNAL,
        "ConnectionState": state,
        "CreationDate": created,
        "XksProxyConfiguration": {
            "Connectivity": PUBLIC,
            "AccessKeyId": ACCESS_KEY,
            "UriEndpoint": ENDPOINT,
            "UriPath": URI_PATH,
            **proxy,
        },
    }


def store_key_metadata(
    metadata: dict[str, Any], created: datetime, origin: str, store_id: str, **extra: Any
) -> dict[str, Any]:
    """The exact KeyMetadata of a new key in a custom key store."""
    key_id = metadata["KeyId"]
    return {
        "AWSAccountId": ACCOUNT,
        "KeyId": key_id,
        "Arn": key_arn(key_id),
        "CreationDate": created,
        "Enabled": True,
        "Description": "",
        "KeyUsage": "ENCRYPT_DECRYPT",
        "KeyState": "Enabled",
        "Origin": origin,
        "KeyManager": "CUSTOMER",
        "KeySpec": "SYMMETRIC_DEFAULT",
        "CustomerMasterKeySpec": "SYMMETRIC_DEFAULT",
        "EncryptionAlgorithms": ["SYMMETRIC_DEFAULT"],
        "MultiRegion": False,
        "CurrentKeyMaterialId": metadata.get("CurrentKeyMaterialId"),
        "CustomKeyStoreId": store_id,
        **extra,
    }


def not_found(store_id: str) -> tuple[str, str]:
    return (
        "CustomKeyStoreNotFoundException",
        f"Custom key store {store_id} does not exist in this account and Region.",
    )


def invalid_state(store_id: str, state: str, action: str) -> tuple[str, str]:
    return (
        "CustomKeyStoreInvalidStateException",
        f"Custom key store {store_id} is {state}; cannot {action} it now.",
    )


def unavailable(key_id: str) -> tuple[str, str]:
    return ("KMSInvalidStateException", f"{key_arn(key_id)} is unavailable.")


@pytest.fixture
def now(kms_mock: Any) -> Iterator[datetime]:
    """Real time frozen and the mock's clock a day ahead of it: the mock's now."""
    start = datetime(2031, 5, 1, 12, 0, tzinfo=UTC)
    with freeze_time(start):
        kms_mock.clock.advance(days=1)
        yield start + timedelta(days=1)


@pytest.fixture
def hsm_store(client: Any) -> str:
    """A CONNECTED CloudHSM key store."""
    return new_store(client, "cloudhsm")


@pytest.fixture
def xks_store(client: Any) -> str:
    """A CONNECTED external key store with a public endpoint."""
    return new_store(client, "external")


@pytest.fixture(params=KINDS)
def kind(request: pytest.FixtureRequest) -> str:
    value: str = request.param
    return value


@pytest.fixture
def store(client: Any, kind: str) -> str:
    """A CONNECTED store of each type."""
    return new_store(client, kind)


@pytest.fixture
def store_key(client: Any, kind: str, store: str) -> str:
    """An Enabled key in ``store``."""
    return new_store_key(client, kind, store)


# CreateCustomKeyStore -------------------------------------------------------------------


@pytest.mark.parametrize("explicit_type", [False, True], ids=["default-type", "AWS_CLOUDHSM"])
def test_create_cloudhsm_store_describes_whole_disconnected_entry(client, now, explicit_type):
    params = cloudhsm_params()
    if explicit_type:
        params["CustomKeyStoreType"] = CLOUDHSM
    response = client.create_custom_key_store(**params)
    assert_valid_output("CreateCustomKeyStore", response)
    store_id = response["CustomKeyStoreId"]
    assert STORE_ID.fullmatch(store_id)
    assert body(response) == {"CustomKeyStoreId": store_id}
    assert all_stores(client) == [cloudhsm_entry(store_id, now)]


def test_create_external_public_store_describes_whole_disconnected_entry(client, now):
    store_id = create(client, external_params())
    assert STORE_ID.fullmatch(store_id)
    assert all_stores(client) == [external_entry(store_id, now)]


def test_create_external_vpc_store_owner_defaults_to_caller_account(client, now):
    store_id = create(client, vpc_params())
    assert all_stores(client) == [
        external_entry(
            store_id,
            now,
            name="vpc-store",
            Connectivity=VPC,
            VpcEndpointServiceName=SERVICE,
            VpcEndpointServiceOwner=ACCOUNT,
        )
    ]


def test_create_external_vpc_store_keeps_given_owner(client, now):
    store_id = create(client, vpc_params(XksProxyVpcEndpointServiceOwner=SERVICE_OWNER))
    proxy = entry(client, store_id)["XksProxyConfiguration"]
    assert proxy["VpcEndpointServiceOwner"] == SERVICE_OWNER


def test_create_external_store_path_with_prefix_is_kept(client):
    store_id = create(client, external_params(XksProxyUriPath=PREFIXED_PATH))
    assert entry(client, store_id)["XksProxyConfiguration"]["UriPath"] == PREFIXED_PATH


@pytest.mark.parametrize("kind", KINDS)
def test_create_store_response_and_description_hold_no_secret(client, kind):
    store_id = new_store(client, kind, connect=False)
    text = repr(client.describe_custom_key_stores(CustomKeyStoreId=store_id))
    text += repr(client.describe_custom_key_stores())
    assert SECRET not in text
    assert PASSWORD not in text
    assert "RawSecretAccessKey" not in text
    assert "KeyStorePassword" not in text


def test_create_two_stores_get_different_ids(client):
    first = create(client, cloudhsm_params())
    second = create(client, external_params())
    assert first != second
    assert [store["CustomKeyStoreId"] for store in all_stores(client)] == [first, second]


@pytest.mark.parametrize("member", list(CLOUDHSM_MEMBERS))
@pytest.mark.parametrize("explicit_type", [False, True], ids=["default-type", "AWS_CLOUDHSM"])
def test_create_cloudhsm_store_without_required_member_raises_validation(
    client, member, explicit_type
):
    params = cloudhsm_params()
    del params[member]
    if explicit_type:
        params["CustomKeyStoreType"] = CLOUDHSM
    assert refused(lambda: client.create_custom_key_store(**params)) == (
        "ValidationException",
        f"{member} is required for a custom key store of type AWS_CLOUDHSM.",
    )
    assert all_stores(client) == []


@pytest.mark.parametrize("member", list(EXTERNAL_MEMBERS))
def test_create_external_store_without_required_member_raises_validation(client, member):
    params = external_params()
    del params[member]
    assert refused(lambda: client.create_custom_key_store(**params)) == (
        "ValidationException",
        f"{member} is required for a custom key store of type EXTERNAL_KEY_STORE.",
    )
    assert all_stores(client) == []


@pytest.mark.parametrize("member", [*EXTERNAL_MEMBERS, *VPC_MEMBERS])
def test_create_cloudhsm_store_with_external_member_raises_validation(client, member):
    params = cloudhsm_params(**{member: {**EXTERNAL_MEMBERS, **VPC_MEMBERS}[member]})
    assert refused(lambda: client.create_custom_key_store(**params)) == (
        "ValidationException",
        f"{member} is not valid for a custom key store of type AWS_CLOUDHSM.",
    )
    assert all_stores(client) == []


@pytest.mark.parametrize("member", list(CLOUDHSM_MEMBERS))
def test_create_external_store_with_cloudhsm_member_raises_validation(client, member):
    params = external_params(**{member: CLOUDHSM_MEMBERS[member]})
    assert refused(lambda: client.create_custom_key_store(**params)) == (
        "ValidationException",
        f"{member} is not valid for a custom key store of type EXTERNAL_KEY_STORE.",
    )
    assert all_stores(client) == []


def test_create_vpc_store_without_service_name_raises_validation(client):
    params = external_params(XksProxyConnectivity=VPC)
    assert refused(lambda: client.create_custom_key_store(**params)) == (
        "ValidationException",
        "XksProxyVpcEndpointServiceName is required when XksProxyConnectivity is "
        "VPC_ENDPOINT_SERVICE.",
    )
    assert all_stores(client) == []


def test_create_public_store_with_service_name_raises_validation(client):
    params = external_params(XksProxyVpcEndpointServiceName=SERVICE)
    assert refused(lambda: client.create_custom_key_store(**params)) == (
        "ValidationException",
        "XksProxyVpcEndpointServiceName is valid only when XksProxyConnectivity is "
        "VPC_ENDPOINT_SERVICE.",
    )
    assert all_stores(client) == []


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [
        pytest.param(
            cloudhsm_params("same"),
            external_params("same"),
            (
                "CustomKeyStoreNameInUseException",
                "A custom key store named same already exists in this account and Region.",
            ),
            id="name",
        ),
        pytest.param(
            cloudhsm_params("a"),
            cloudhsm_params("b"),
            (
                "CloudHsmClusterInUseException",
                f"CloudHSM cluster {CLUSTER} is already used by a custom key store.",
            ),
            id="cluster",
        ),
        pytest.param(
            external_params("a"),
            external_params(
                "b",
                XksProxyAuthenticationCredential={
                    "AccessKeyId": OTHER_ACCESS_KEY,
                    "RawSecretAccessKey": OTHER_SECRET,
                },
            ),
            (
                "XksProxyUriInUseException",
                f"The external key store proxy URI {ENDPOINT}{URI_PATH} is already in use.",
            ),
            id="uri",
        ),
        pytest.param(
            vpc_params("a"),
            vpc_params("b", XksProxyUriEndpoint=OTHER_ENDPOINT),
            (
                "XksProxyVpcEndpointServiceInUseException",
                f"The VPC endpoint service {SERVICE} is already in use.",
            ),
            id="vpc-service",
        ),
    ],
)
def test_create_store_clashing_with_existing_store_raises_and_creates_nothing(
    client, first, second, expected
):
    existing = create(client, first)
    assert refused(lambda: client.create_custom_key_store(**second)) == expected
    assert [store["CustomKeyStoreId"] for store in all_stores(client)] == [existing]


def test_create_public_stores_same_endpoint_other_path_both_exist(client):
    first = create(client, external_params("a"))
    second = create(client, external_params("b", XksProxyUriPath=PREFIXED_PATH))
    assert [store["CustomKeyStoreId"] for store in all_stores(client)] == [first, second]


@pytest.mark.parametrize(
    "second",
    [
        pytest.param(external_params("b", XksProxyUriPath=PREFIXED_PATH), id="public"),
        pytest.param(
            vpc_params(
                "b", XksProxyUriPath=PREFIXED_PATH, XksProxyVpcEndpointServiceName=OTHER_SERVICE
            ),
            id="vpc",
        ),
    ],
)
def test_create_store_with_endpoint_of_a_vpc_store_raises_endpoint_in_use(client, second):
    # Model: a PUBLIC_ENDPOINT store cannot use the XksProxyUriEndpoint of a VPC store, and
    # each VPC store needs its own private DNS name (docs/kms-behaviour.md#custom-key-stores).
    # Unverified against AWS: the text.
    existing = create(client, vpc_params("a"))
    code, _ = refused(lambda: client.create_custom_key_store(**second))
    assert code == "XksProxyUriEndpointInUseException"
    assert [store["CustomKeyStoreId"] for store in all_stores(client)] == [existing]


def _cluster(index: int) -> str:
    return f"cluster-abcdefghij{'abcdefghijklmnop'[index]}"


def test_create_eleventh_store_raises_limit_exceeded(client):
    created = [
        create(client, cloudhsm_params(f"s{i}", CloudHsmClusterId=_cluster(i))) for i in range(10)
    ]
    assert refused(
        lambda: client.create_custom_key_store(
            **cloudhsm_params("s10", CloudHsmClusterId=_cluster(10))
        )
    ) == (
        "LimitExceededException",
        "This account and Region already have 10 custom key stores.",
    )
    assert [store["CustomKeyStoreId"] for store in all_stores(client)] == created


def test_create_after_deleting_one_of_ten_stores_succeeds(client):
    created = [
        create(client, cloudhsm_params(f"s{i}", CloudHsmClusterId=_cluster(i))) for i in range(10)
    ]
    client.delete_custom_key_store(CustomKeyStoreId=created[0])
    newest = create(client, cloudhsm_params("s10", CloudHsmClusterId=_cluster(10)))
    assert [store["CustomKeyStoreId"] for store in all_stores(client)] == [*created[1:], newest]


# ConnectCustomKeyStore / DisconnectCustomKeyStore ----------------------------------------


def test_connect_store_makes_it_connected(client, kind, now):
    store_id = new_store(client, kind, connect=False)
    response = client.connect_custom_key_store(CustomKeyStoreId=store_id)
    assert_valid_output("ConnectCustomKeyStore", response)
    assert body(response) == {}
    expected = (
        cloudhsm_entry(store_id, now, state="CONNECTED")
        if kind == "cloudhsm"
        else external_entry(store_id, now, state="CONNECTED")
    )
    assert entry(client, store_id) == expected


def test_connect_connected_store_succeeds_and_stays_connected(client, store):
    assert body(client.connect_custom_key_store(CustomKeyStoreId=store)) == {}
    assert state_of(client, store) == "CONNECTED"


def test_disconnect_connected_store_makes_it_disconnected(client, store):
    response = client.disconnect_custom_key_store(CustomKeyStoreId=store)
    assert_valid_output("DisconnectCustomKeyStore", response)
    assert body(response) == {}
    assert state_of(client, store) == "DISCONNECTED"


def test_disconnect_disconnected_store_raises_invalid_state(client, kind):
    store_id = new_store(client, kind, connect=False)
    assert refused(lambda: client.disconnect_custom_key_store(CustomKeyStoreId=store_id)) == (
        invalid_state(store_id, "DISCONNECTED", "disconnect")
    )
    assert state_of(client, store_id) == "DISCONNECTED"


def test_reconnect_after_disconnect_makes_store_connected(client, store):
    client.disconnect_custom_key_store(CustomKeyStoreId=store)
    client.connect_custom_key_store(CustomKeyStoreId=store)
    assert state_of(client, store) == "CONNECTED"


@pytest.mark.parametrize("operation", ["connect_custom_key_store", "disconnect_custom_key_store"])
def test_connect_or_disconnect_unknown_store_raises_not_found(client, operation):
    call = getattr(client, operation)
    assert refused(lambda: call(CustomKeyStoreId=UNKNOWN_STORE)) == not_found(UNKNOWN_STORE)


# CreateKey in a custom key store ----------------------------------------------------------


def test_create_key_in_cloudhsm_store_returns_store_metadata(client, now, hsm_store):
    response = client.create_key(Origin=CLOUDHSM, CustomKeyStoreId=hsm_store)
    assert_valid_output("CreateKey", response)
    metadata = response["KeyMetadata"]
    assert metadata == store_key_metadata(
        metadata, now, CLOUDHSM, hsm_store, CloudHsmClusterId=CLUSTER
    )
    assert MATERIAL_ID.fullmatch(metadata["CurrentKeyMaterialId"])
    assert client.describe_key(KeyId=metadata["KeyId"])["KeyMetadata"] == metadata


def test_create_key_in_external_store_returns_xks_key_configuration(client, now, xks_store):
    response = client.create_key(Origin=EXTERNAL, CustomKeyStoreId=xks_store, XksKeyId=XKS_KEY)
    assert_valid_output("CreateKey", response)
    metadata = response["KeyMetadata"]
    assert metadata == store_key_metadata(
        metadata, now, EXTERNAL, xks_store, XksKeyConfiguration={"Id": XKS_KEY}
    )
    assert client.describe_key(KeyId=metadata["KeyId"])["KeyMetadata"] == metadata


def test_create_key_in_store_is_listed(client, store, store_key):
    assert {"KeyId": store_key, "KeyArn": key_arn(store_key)} in client.list_keys()["Keys"]


def test_create_key_in_disconnected_store_raises_invalid_state(client, kind):
    store_id = new_store(client, kind, connect=False)
    assert refused(lambda: new_store_key(client, kind, store_id)) == (
        "CustomKeyStoreInvalidStateException",
        f"Custom key store {store_id} is DISCONNECTED; keys can be created only in a "
        "CONNECTED custom key store.",
    )
    assert client.list_keys()["Keys"] == []


def test_create_key_in_store_disconnected_later_raises_invalid_state(client, store, kind):
    client.disconnect_custom_key_store(CustomKeyStoreId=store)
    assert refused(lambda: new_store_key(client, kind, store, xks_key="xks-key-2")) == (
        "CustomKeyStoreInvalidStateException",
        f"Custom key store {store} is DISCONNECTED; keys can be created only in a "
        "CONNECTED custom key store.",
    )


def test_create_cloudhsm_key_in_external_store_raises_unsupported(client, xks_store):
    assert refused(lambda: client.create_key(Origin=CLOUDHSM, CustomKeyStoreId=xks_store)) == (
        "UnsupportedOperationException",
        f"Origin AWS_CLOUDHSM is not valid for custom key store {xks_store} of type "
        "EXTERNAL_KEY_STORE.",
    )
    assert client.list_keys()["Keys"] == []


def test_create_external_key_in_cloudhsm_store_raises_unsupported(client, hsm_store):
    assert refused(
        lambda: client.create_key(Origin=EXTERNAL, CustomKeyStoreId=hsm_store, XksKeyId=XKS_KEY)
    ) == (
        "UnsupportedOperationException",
        f"Origin EXTERNAL_KEY_STORE is not valid for custom key store {hsm_store} of type "
        "AWS_CLOUDHSM.",
    )
    assert client.list_keys()["Keys"] == []


def test_create_key_xks_key_id_with_cloudhsm_origin_raises_validation(client, hsm_store):
    assert refused(
        lambda: client.create_key(Origin=CLOUDHSM, CustomKeyStoreId=hsm_store, XksKeyId=XKS_KEY)
    ) == (
        "ValidationException",
        "XksKeyId is valid only for KMS keys with an Origin of EXTERNAL_KEY_STORE.",
    )


def test_create_key_same_xks_key_in_same_store_raises_already_in_use(client, xks_store):
    first = new_store_key(client, "external", xks_store)
    assert refused(lambda: new_store_key(client, "external", xks_store)) == (
        "XksKeyAlreadyInUseException",
        f"External key {XKS_KEY} is already used by a KMS key in custom key store {xks_store}.",
    )
    assert [key["KeyId"] for key in client.list_keys()["Keys"]] == [first]


def test_create_key_same_xks_key_while_first_key_pending_deletion_raises(client, xks_store):
    first = new_store_key(client, "external", xks_store)
    client.schedule_key_deletion(KeyId=first, PendingWindowInDays=7)
    assert refused(lambda: new_store_key(client, "external", xks_store)) == (
        "XksKeyAlreadyInUseException",
        f"External key {XKS_KEY} is already used by a KMS key in custom key store {xks_store}.",
    )


def test_create_key_same_xks_key_in_other_store_succeeds(client, xks_store):
    other = new_store(client, "external", name="xks-other", **SECOND_STORE["external"])
    first = new_store_key(client, "external", xks_store)
    second = new_store_key(client, "external", other)
    assert client.describe_key(KeyId=second)["KeyMetadata"]["XksKeyConfiguration"] == {
        "Id": XKS_KEY
    }
    assert first != second


def test_create_key_other_xks_key_in_same_store_succeeds(client, xks_store):
    new_store_key(client, "external", xks_store)
    second = new_store_key(client, "external", xks_store, xks_key="xks-key-2")
    assert key_state(client, second) == "Enabled"


@pytest.mark.parametrize(
    "params",
    [
        {"KeySpec": "RSA_2048", "KeyUsage": "ENCRYPT_DECRYPT"},
        {"KeySpec": "HMAC_256", "KeyUsage": "GENERATE_VERIFY_MAC"},
        {"KeySpec": "ECC_NIST_P256", "KeyUsage": "SIGN_VERIFY"},
        {"MultiRegion": True},
    ],
    ids=["rsa", "hmac", "ecc", "multi-region"],
)
def test_create_key_in_store_not_single_region_symmetric_raises_unsupported(
    client, store, kind, params
):
    extra = {"XksKeyId": XKS_KEY} if kind == "external" else {}
    assert refused(
        lambda: client.create_key(Origin=ORIGIN[kind], CustomKeyStoreId=store, **extra, **params)
    ) == (
        "UnsupportedOperationException",
        "Custom key stores support only single-Region symmetric encryption KMS keys.",
    )
    assert client.list_keys()["Keys"] == []


def test_create_key_in_deleted_store_raises_not_found(client, kind):
    store_id = new_store(client, kind, connect=False)
    client.delete_custom_key_store(CustomKeyStoreId=store_id)
    assert refused(lambda: new_store_key(client, kind, store_id)) == not_found(store_id)


# Keys in a store: cryptography and availability -----------------------------------------


def test_store_key_encrypts_and_decrypts_while_connected(client, store_key):
    encrypted = client.encrypt(KeyId=store_key, Plaintext=b"secret data")
    assert encrypted["KeyId"] == key_arn(store_key)
    decrypted = client.decrypt(CiphertextBlob=encrypted["CiphertextBlob"])
    assert decrypted["KeyId"] == key_arn(store_key)
    assert decrypted["Plaintext"] == b"secret data"


def test_store_key_generates_data_key_that_decrypts(client, store_key):
    data_key = client.generate_data_key(KeyId=store_key, KeySpec="AES_256")
    assert len(data_key["Plaintext"]) == 32
    decrypted = client.decrypt(CiphertextBlob=data_key["CiphertextBlob"], KeyId=store_key)
    assert decrypted["Plaintext"] == data_key["Plaintext"]


def test_store_key_generates_data_key_without_plaintext_that_decrypts(client, store_key):
    blob = client.generate_data_key_without_plaintext(KeyId=store_key, NumberOfBytes=16)
    assert len(client.decrypt(CiphertextBlob=blob["CiphertextBlob"])["Plaintext"]) == 16


def test_store_key_after_disconnect_is_unavailable(client, store, store_key):
    client.disconnect_custom_key_store(CustomKeyStoreId=store)
    metadata = client.describe_key(KeyId=store_key)["KeyMetadata"]
    assert (metadata["KeyState"], metadata["Enabled"]) == ("Unavailable", False)


@pytest.mark.parametrize(
    "operation",
    [
        "encrypt",
        "generate_data_key",
        "generate_data_key_without_plaintext",
        "decrypt",
        "re_encrypt",
    ],
)
def test_store_key_crypto_after_disconnect_raises_unavailable(client, store, store_key, operation):
    blob = client.encrypt(KeyId=store_key, Plaintext=b"x")["CiphertextBlob"]
    other = client.create_key()["KeyMetadata"]["KeyId"]
    client.disconnect_custom_key_store(CustomKeyStoreId=store)
    calls: dict[str, Callable[[], Any]] = {
        "encrypt": lambda: client.encrypt(KeyId=store_key, Plaintext=b"x"),
        "generate_data_key": lambda: client.generate_data_key(KeyId=store_key, NumberOfBytes=8),
        "generate_data_key_without_plaintext": lambda: client.generate_data_key_without_plaintext(
            KeyId=store_key, NumberOfBytes=8
        ),
        "decrypt": lambda: client.decrypt(CiphertextBlob=blob),
        "re_encrypt": lambda: client.re_encrypt(CiphertextBlob=blob, DestinationKeyId=other),
    }
    assert refused(calls[operation]) == unavailable(store_key)


def test_store_key_reencrypt_destination_after_disconnect_raises_unavailable(
    client, store, store_key
):
    blob = client.encrypt(KeyId=client.create_key()["KeyMetadata"]["KeyId"], Plaintext=b"x")
    client.disconnect_custom_key_store(CustomKeyStoreId=store)
    assert refused(
        lambda: client.re_encrypt(CiphertextBlob=blob["CiphertextBlob"], DestinationKeyId=store_key)
    ) == unavailable(store_key)


def test_store_key_after_reconnect_is_enabled_and_decrypts_old_ciphertext(client, store, store_key):
    blob = client.encrypt(KeyId=store_key, Plaintext=b"kept")["CiphertextBlob"]
    client.disconnect_custom_key_store(CustomKeyStoreId=store)
    client.connect_custom_key_store(CustomKeyStoreId=store)
    metadata = client.describe_key(KeyId=store_key)["KeyMetadata"]
    assert (metadata["KeyState"], metadata["Enabled"]) == ("Enabled", True)
    assert client.decrypt(CiphertextBlob=blob)["Plaintext"] == b"kept"


def test_disabled_store_key_after_reconnect_is_disabled(client, store, store_key):
    client.disable_key(KeyId=store_key)
    client.disconnect_custom_key_store(CustomKeyStoreId=store)
    assert key_state(client, store_key) == "Unavailable"
    client.connect_custom_key_store(CustomKeyStoreId=store)
    assert key_state(client, store_key) == "Disabled"
    assert refused(lambda: client.encrypt(KeyId=store_key, Plaintext=b"x")) == (
        "DisabledException",
        f"{key_arn(store_key)} is disabled.",
    )


def test_disconnecting_a_store_leaves_other_keys_alone(client, kind, store, store_key):
    other_store = new_store(client, kind, name="other", **SECOND_STORE[kind])
    other_key = new_store_key(client, kind, other_store)
    plain_key = client.create_key()["KeyMetadata"]["KeyId"]
    client.disconnect_custom_key_store(CustomKeyStoreId=store)
    assert key_state(client, store_key) == "Unavailable"
    assert key_state(client, other_key) == "Enabled"
    assert key_state(client, plain_key) == "Enabled"


def test_store_key_pending_deletion_stays_pending_through_disconnect(client, store, store_key):
    scheduled = client.schedule_key_deletion(KeyId=store_key, PendingWindowInDays=7)
    client.disconnect_custom_key_store(CustomKeyStoreId=store)
    metadata = client.describe_key(KeyId=store_key)["KeyMetadata"]
    assert metadata["KeyState"] == "PendingDeletion"
    assert metadata["DeletionDate"] == scheduled["DeletionDate"]
    client.connect_custom_key_store(CustomKeyStoreId=store)
    assert key_state(client, store_key) == "PendingDeletion"


def test_cancel_deletion_of_store_key_while_disconnected_is_disabled_once_reconnected(
    client, store, store_key
):
    # docs/kms-behaviour.md#key-state-table: a custom-store key pending deletion stays
    # PendingDeletion while its store is disconnected, so CancelKeyDeletion succeeds; the key lands
    # in Disabled, which shows once the store is connected again (Unavailable until then).
    client.schedule_key_deletion(KeyId=store_key, PendingWindowInDays=7)
    client.disconnect_custom_key_store(CustomKeyStoreId=store)
    response = client.cancel_key_deletion(KeyId=store_key)
    assert body(response) == {"KeyId": key_arn(store_key)}
    metadata = client.describe_key(KeyId=store_key)["KeyMetadata"]
    assert metadata["KeyState"] == "Unavailable"
    assert "DeletionDate" not in metadata
    client.connect_custom_key_store(CustomKeyStoreId=store)
    assert key_state(client, store_key) == "Disabled"


def test_cancel_deletion_of_unavailable_store_key_raises_not_pending_deletion(
    client, store, store_key
):
    client.disconnect_custom_key_store(CustomKeyStoreId=store)
    assert refused(lambda: client.cancel_key_deletion(KeyId=store_key)) == (
        "KMSInvalidStateException",
        f"{key_arn(store_key)} is not pending deletion.",
    )
    assert key_state(client, store_key) == "Unavailable"


def test_schedule_deletion_of_unavailable_store_key_stays_pending_after_reconnect(
    client, store, store_key
):
    client.disconnect_custom_key_store(CustomKeyStoreId=store)
    response = client.schedule_key_deletion(KeyId=store_key, PendingWindowInDays=7)
    assert response["KeyState"] == "PendingDeletion"
    client.connect_custom_key_store(CustomKeyStoreId=store)
    assert key_state(client, store_key) == "PendingDeletion"


def test_disable_unavailable_store_key_takes_effect_on_reconnect(client, store, store_key):
    # docs/kms-behaviour.md#key-state-table: DisableKey on an Unavailable key succeeds, applied when
    # the store reconnects.
    client.disconnect_custom_key_store(CustomKeyStoreId=store)
    assert body(client.disable_key(KeyId=store_key)) == {}
    assert key_state(client, store_key) == "Unavailable"
    client.connect_custom_key_store(CustomKeyStoreId=store)
    assert key_state(client, store_key) == "Disabled"


def test_enable_unavailable_disabled_store_key_takes_effect_on_reconnect(client, store, store_key):
    client.disable_key(KeyId=store_key)
    client.disconnect_custom_key_store(CustomKeyStoreId=store)
    assert body(client.enable_key(KeyId=store_key)) == {}
    assert key_state(client, store_key) == "Unavailable"
    client.connect_custom_key_store(CustomKeyStoreId=store)
    assert key_state(client, store_key) == "Enabled"


# What keys in a store cannot do ----------------------------------------------------------


@pytest.mark.parametrize(
    "operation",
    [
        "enable_key_rotation",
        "disable_key_rotation",
        "get_key_rotation_status",
        "list_key_rotations",
        "rotate_key_on_demand",
    ],
)
@pytest.mark.parametrize("connected", [True, False], ids=["connected", "disconnected"])
def test_rotation_of_store_key_raises_unsupported(
    client, kind, store, store_key, operation, connected
):
    if not connected:
        client.disconnect_custom_key_store(CustomKeyStoreId=store)
    call = getattr(client, operation)
    assert refused(lambda: call(KeyId=store_key)) == (
        "UnsupportedOperationException",
        f"{key_arn(store_key)} origin is {ORIGIN[kind]} which is not valid for this operation.",
    )


@pytest.mark.parametrize(
    "operation", ["generate_data_key_pair", "generate_data_key_pair_without_plaintext"]
)
def test_data_key_pair_from_store_key_raises_unsupported(client, store_key, operation):
    call = getattr(client, operation)
    assert refused(lambda: call(KeyId=store_key, KeyPairSpec="RSA_2048")) == (
        "UnsupportedOperationException",
        f"{key_arn(store_key)} is in a custom key store, which cannot make data key pairs.",
    )


def test_get_parameters_for_import_of_store_key_raises_unsupported(client, kind, store_key):
    assert refused(
        lambda: client.get_parameters_for_import(
            KeyId=store_key, WrappingAlgorithm="RSAES_OAEP_SHA_256", WrappingKeySpec="RSA_2048"
        )
    ) == (
        "UnsupportedOperationException",
        f"{key_arn(store_key)} origin is {ORIGIN[kind]} which is not valid for this operation.",
    )


def test_delete_imported_key_material_of_store_key_raises_unsupported(client, kind, store_key):
    assert refused(lambda: client.delete_imported_key_material(KeyId=store_key)) == (
        "UnsupportedOperationException",
        f"{key_arn(store_key)} origin is {ORIGIN[kind]} which is not valid for this operation.",
    )


# DeleteCustomKeyStore ---------------------------------------------------------------------


def test_delete_disconnected_empty_store_removes_it(client, kind):
    store_id = new_store(client, kind, connect=False)
    response = client.delete_custom_key_store(CustomKeyStoreId=store_id)
    assert_valid_output("DeleteCustomKeyStore", response)
    assert body(response) == {}
    assert all_stores(client) == []
    assert refused(
        lambda: client.describe_custom_key_stores(CustomKeyStoreId=store_id)
    ) == not_found(store_id)


def test_delete_store_frees_its_name_and_cluster(client):
    store_id = create(client, cloudhsm_params())
    client.delete_custom_key_store(CustomKeyStoreId=store_id)
    again = create(client, cloudhsm_params())
    assert again != store_id
    assert [store["CustomKeyStoreId"] for store in all_stores(client)] == [again]


def test_delete_connected_store_raises_invalid_state(client, store):
    assert refused(lambda: client.delete_custom_key_store(CustomKeyStoreId=store)) == (
        invalid_state(store, "CONNECTED", "delete")
    )
    assert state_of(client, store) == "CONNECTED"


@pytest.mark.parametrize("pending_deletion", [False, True], ids=["enabled", "pending-deletion"])
def test_delete_store_holding_keys_raises_has_cmks(client, store, store_key, pending_deletion):
    if pending_deletion:
        client.schedule_key_deletion(KeyId=store_key, PendingWindowInDays=7)
    client.disconnect_custom_key_store(CustomKeyStoreId=store)
    assert refused(lambda: client.delete_custom_key_store(CustomKeyStoreId=store)) == (
        "CustomKeyStoreHasCMKsException",
        f"Custom key store {store} still holds KMS keys, including any pending deletion.",
    )
    assert state_of(client, store) == "DISCONNECTED"


def test_delete_store_after_key_deletion_window_succeeds(client, kms_mock, store, store_key):
    client.schedule_key_deletion(KeyId=store_key, PendingWindowInDays=7)
    client.disconnect_custom_key_store(CustomKeyStoreId=store)
    kms_mock.clock.advance(days=6, hours=23)
    assert refused(lambda: client.delete_custom_key_store(CustomKeyStoreId=store)) == (
        "CustomKeyStoreHasCMKsException",
        f"Custom key store {store} still holds KMS keys, including any pending deletion.",
    )
    kms_mock.clock.advance(hours=1, seconds=1)
    assert body(client.delete_custom_key_store(CustomKeyStoreId=store)) == {}
    assert refused(lambda: client.describe_custom_key_stores(CustomKeyStoreId=store)) == not_found(
        store
    )
    assert refused(lambda: client.describe_key(KeyId=store_key)) == (
        "NotFoundException",
        f"Key '{key_arn(store_key)}' does not exist",
    )


def test_delete_unknown_store_raises_not_found(client):
    assert refused(
        lambda: client.delete_custom_key_store(CustomKeyStoreId=UNKNOWN_STORE)
    ) == not_found(UNKNOWN_STORE)


# DescribeCustomKeyStores ------------------------------------------------------------------


def test_describe_without_stores_returns_empty_list(client):
    assert describe(client) == {"CustomKeyStores": [], "Truncated": False}


def test_describe_all_returns_every_store_in_creation_order(client, now):
    hsm = create(client, cloudhsm_params())
    xks = create(client, external_params())
    assert describe(client) == {
        "CustomKeyStores": [cloudhsm_entry(hsm, now), external_entry(xks, now)],
        "Truncated": False,
    }


def test_describe_by_id_returns_only_that_store(client, now):
    create(client, cloudhsm_params())
    xks = create(client, external_params())
    assert describe(client, CustomKeyStoreId=xks) == {
        "CustomKeyStores": [external_entry(xks, now)],
        "Truncated": False,
    }


def test_describe_by_name_returns_only_that_store(client, now):
    hsm = create(client, cloudhsm_params())
    create(client, external_params())
    assert describe(client, CustomKeyStoreName="hsm-store") == {
        "CustomKeyStores": [cloudhsm_entry(hsm, now)],
        "Truncated": False,
    }


def test_describe_by_id_and_name_raises_validation(client):
    hsm = create(client, cloudhsm_params())
    assert refused(
        lambda: client.describe_custom_key_stores(
            CustomKeyStoreId=hsm, CustomKeyStoreName="hsm-store"
        )
    ) == ("ValidationException", "Specify either CustomKeyStoreId or CustomKeyStoreName, not both.")


def test_describe_unknown_name_raises_not_found(client):
    create(client, cloudhsm_params())
    assert refused(lambda: client.describe_custom_key_stores(CustomKeyStoreName="nope")) == (
        "CustomKeyStoreNotFoundException",
        "Custom key store named nope does not exist in this account and Region.",
    )


def test_describe_unknown_id_raises_not_found(client):
    create(client, cloudhsm_params())
    assert refused(
        lambda: client.describe_custom_key_stores(CustomKeyStoreId=UNKNOWN_STORE)
    ) == not_found(UNKNOWN_STORE)


def _five_stores(client: Any, kms_mock: Any, *, step_seconds: float) -> list[str]:
    created = []
    for i in range(5):
        created.append(
            create(client, external_params(f"s{i}", XksProxyUriPath=f"/p{i}/kms/xks/v1"))
        )
        if step_seconds:
            kms_mock.clock.advance(seconds=step_seconds)
    return created


def test_describe_limit_pages_in_creation_order(client, kms_mock):
    created = _five_stores(client, kms_mock, step_seconds=1)
    first = describe(client, Limit=2)
    assert [s["CustomKeyStoreId"] for s in first["CustomKeyStores"]] == created[:2]
    assert first["Truncated"] is True
    second = describe(client, Limit=2, Marker=first["NextMarker"])
    assert [s["CustomKeyStoreId"] for s in second["CustomKeyStores"]] == created[2:4]
    assert second["Truncated"] is True
    last = describe(client, Limit=2, Marker=second["NextMarker"])
    assert [s["CustomKeyStoreId"] for s in last["CustomKeyStores"]] == created[4:]
    assert last["Truncated"] is False
    assert "NextMarker" not in last


@pytest.mark.kms_mock(seed=1)  # the same store IDs, so the same pages, on every run
@pytest.mark.parametrize("limit", [1, 2, 3])
def test_describe_limit_pages_stores_created_at_the_same_time_in_creation_order(
    client, kms_mock, now, limit
):
    created = _five_stores(client, kms_mock, step_seconds=0)
    seen: list[str] = []
    params: dict[str, Any] = {"Limit": limit}
    for _ in range(len(created)):  # bounded: a marker that goes back would loop for ever
        page = describe(client, **params)
        seen += [store["CustomKeyStoreId"] for store in page["CustomKeyStores"]]
        if not page["Truncated"]:
            break
        params["Marker"] = page["NextMarker"]
    assert seen == created


def test_describe_paginator_collects_every_store(client, kms_mock):
    created = _five_stores(client, kms_mock, step_seconds=1)
    paginator = client.get_paginator("describe_custom_key_stores")
    pages = list(paginator.paginate(PaginationConfig={"PageSize": 2}))
    assert [len(page["CustomKeyStores"]) for page in pages] == [2, 2, 1]
    assert [s["CustomKeyStoreId"] for page in pages for s in page["CustomKeyStores"]] == created


def test_describe_foreign_marker_raises_invalid_marker(client):
    create(client, cloudhsm_params())
    assert refused(lambda: client.describe_custom_key_stores(Marker="not-a-marker")) == (
        "InvalidMarkerException",
        "Invalid marker: not-a-marker",
    )


# UpdateCustomKeyStore ---------------------------------------------------------------------


def test_update_rename_connected_store_changes_only_name(client, now, kind, store):
    response = client.update_custom_key_store(
        CustomKeyStoreId=store, NewCustomKeyStoreName="renamed"
    )
    assert_valid_output("UpdateCustomKeyStore", response)
    assert body(response) == {}
    expected = (
        cloudhsm_entry(store, now, name="renamed", state="CONNECTED")
        if kind == "cloudhsm"
        else external_entry(store, now, name="renamed", state="CONNECTED")
    )
    assert entry(client, store) == expected
    assert describe(client, CustomKeyStoreName="renamed")["CustomKeyStores"] == [expected]


def test_update_rename_to_own_name_succeeds(client, hsm_store):
    client.update_custom_key_store(CustomKeyStoreId=hsm_store, NewCustomKeyStoreName="hsm-store")
    assert entry(client, hsm_store)["CustomKeyStoreName"] == "hsm-store"


def test_update_rename_to_taken_name_raises_name_in_use(client, hsm_store, xks_store):
    assert refused(
        lambda: client.update_custom_key_store(
            CustomKeyStoreId=hsm_store, NewCustomKeyStoreName="xks-store"
        )
    ) == (
        "CustomKeyStoreNameInUseException",
        "A custom key store named xks-store already exists in this account and Region.",
    )
    assert entry(client, hsm_store)["CustomKeyStoreName"] == "hsm-store"


@pytest.mark.parametrize(
    "change",
    [{"KeyStorePassword": "new-password"}, {"CloudHsmClusterId": OTHER_CLUSTER}],
    ids=["password", "cluster"],
)
def test_update_cloudhsm_while_connected_raises_invalid_state(client, now, hsm_store, change):
    assert refused(
        lambda: client.update_custom_key_store(
            CustomKeyStoreId=hsm_store, NewCustomKeyStoreName="renamed", **change
        )
    ) == invalid_state(hsm_store, "CONNECTED", "change these properties of")
    assert entry(client, hsm_store) == cloudhsm_entry(hsm_store, now, state="CONNECTED")


def test_update_cloudhsm_password_while_disconnected_succeeds_unseen(client, now):
    store_id = create(client, cloudhsm_params())
    response = client.update_custom_key_store(
        CustomKeyStoreId=store_id, KeyStorePassword="new-password"
    )
    assert body(response) == {}
    text = repr(client.describe_custom_key_stores(CustomKeyStoreId=store_id))
    assert "new-password" not in text
    assert entry(client, store_id) == cloudhsm_entry(store_id, now)


def test_update_cloudhsm_cluster_shows_on_store_and_its_keys(client, now, hsm_store):
    key_id = new_store_key(client, "cloudhsm", hsm_store)
    client.disconnect_custom_key_store(CustomKeyStoreId=hsm_store)
    client.update_custom_key_store(CustomKeyStoreId=hsm_store, CloudHsmClusterId=OTHER_CLUSTER)
    assert entry(client, hsm_store) == cloudhsm_entry(hsm_store, now, cluster=OTHER_CLUSTER)
    assert client.describe_key(KeyId=key_id)["KeyMetadata"]["CloudHsmClusterId"] == OTHER_CLUSTER
    client.connect_custom_key_store(CustomKeyStoreId=hsm_store)
    new_key = new_store_key(client, "cloudhsm", hsm_store)
    assert client.describe_key(KeyId=new_key)["KeyMetadata"]["CloudHsmClusterId"] == OTHER_CLUSTER


def test_update_cloudhsm_cluster_used_by_other_store_raises_in_use(client):
    store_id = create(client, cloudhsm_params("a"))
    create(client, cloudhsm_params("b", CloudHsmClusterId=OTHER_CLUSTER))
    assert refused(
        lambda: client.update_custom_key_store(
            CustomKeyStoreId=store_id, CloudHsmClusterId=OTHER_CLUSTER
        )
    ) == (
        "CloudHsmClusterInUseException",
        f"CloudHSM cluster {OTHER_CLUSTER} is already used by a custom key store.",
    )
    assert entry(client, store_id)["CloudHsmClusterId"] == CLUSTER


def test_update_external_credential_while_connected_shows_new_access_key(client, now, xks_store):
    client.update_custom_key_store(
        CustomKeyStoreId=xks_store,
        XksProxyAuthenticationCredential={
            "AccessKeyId": OTHER_ACCESS_KEY,
            "RawSecretAccessKey": OTHER_SECRET,
        },
    )
    response = client.describe_custom_key_stores(CustomKeyStoreId=xks_store)
    assert OTHER_SECRET not in repr(response)
    assert body(response)["CustomKeyStores"] == [
        external_entry(xks_store, now, state="CONNECTED", AccessKeyId=OTHER_ACCESS_KEY)
    ]


def test_update_external_path_while_connected_succeeds(client, now, xks_store):
    client.update_custom_key_store(CustomKeyStoreId=xks_store, XksProxyUriPath=PREFIXED_PATH)
    assert entry(client, xks_store) == external_entry(
        xks_store, now, state="CONNECTED", UriPath=PREFIXED_PATH
    )


@pytest.mark.parametrize(
    "change",
    [
        {"XksProxyUriEndpoint": OTHER_ENDPOINT},
        {"XksProxyConnectivity": VPC, "XksProxyVpcEndpointServiceName": SERVICE},
        {"XksProxyConnectivity": PUBLIC},
        {"XksProxyVpcEndpointServiceName": SERVICE},
        {"XksProxyVpcEndpointServiceOwner": SERVICE_OWNER},
    ],
    ids=["endpoint", "connectivity-vpc", "connectivity-public", "service-name", "service-owner"],
)
def test_update_external_connection_while_connected_raises_invalid_state(
    client, now, xks_store, change
):
    assert refused(
        lambda: client.update_custom_key_store(
            CustomKeyStoreId=xks_store, XksProxyUriPath=PREFIXED_PATH, **change
        )
    ) == invalid_state(xks_store, "CONNECTED", "change these properties of")
    assert entry(client, xks_store) == external_entry(xks_store, now, state="CONNECTED")


def test_update_external_endpoint_while_disconnected_succeeds(client, now):
    store_id = create(client, external_params())
    client.update_custom_key_store(CustomKeyStoreId=store_id, XksProxyUriEndpoint=OTHER_ENDPOINT)
    assert entry(client, store_id) == external_entry(store_id, now, UriEndpoint=OTHER_ENDPOINT)


def test_update_public_to_vpc_shows_vpc_configuration(client, now):
    store_id = create(client, external_params())
    client.update_custom_key_store(
        CustomKeyStoreId=store_id,
        XksProxyConnectivity=VPC,
        XksProxyUriEndpoint=OTHER_ENDPOINT,
        XksProxyVpcEndpointServiceName=SERVICE,
    )
    assert entry(client, store_id) == external_entry(
        store_id,
        now,
        Connectivity=VPC,
        UriEndpoint=OTHER_ENDPOINT,
        VpcEndpointServiceName=SERVICE,
        VpcEndpointServiceOwner=ACCOUNT,
    )


def test_update_vpc_to_public_drops_vpc_configuration(client, now):
    store_id = create(client, vpc_params())
    client.update_custom_key_store(
        CustomKeyStoreId=store_id, XksProxyConnectivity=PUBLIC, XksProxyUriEndpoint=OTHER_ENDPOINT
    )
    assert entry(client, store_id) == external_entry(
        store_id, now, name="vpc-store", UriEndpoint=OTHER_ENDPOINT
    )


def test_update_public_to_vpc_without_service_name_raises_validation(client, now):
    store_id = create(client, external_params())
    assert refused(
        lambda: client.update_custom_key_store(
            CustomKeyStoreId=store_id, XksProxyConnectivity=VPC, XksProxyUriEndpoint=OTHER_ENDPOINT
        )
    ) == (
        "ValidationException",
        "XksProxyVpcEndpointServiceName is required when XksProxyConnectivity is "
        "VPC_ENDPOINT_SERVICE.",
    )
    assert entry(client, store_id) == external_entry(store_id, now)


@pytest.mark.parametrize(
    ("params", "change"),
    [
        (external_params(), {"XksProxyVpcEndpointServiceName": SERVICE}),
        (
            vpc_params(),
            {
                "XksProxyConnectivity": PUBLIC,
                "XksProxyUriEndpoint": OTHER_ENDPOINT,
                "XksProxyVpcEndpointServiceName": OTHER_SERVICE,
            },
        ),
    ],
    ids=["public-store", "switch-to-public"],
)
def test_update_public_store_with_service_name_raises_validation(client, params, change):
    # CreateCustomKeyStore refuses a service name on a PUBLIC_ENDPOINT store; the model
    # says switching to PUBLIC_ENDPOINT needs a null or empty service name.
    store_id = create(client, params)
    before = entry(client, store_id)
    assert refused(lambda: client.update_custom_key_store(CustomKeyStoreId=store_id, **change)) == (
        "ValidationException",
        "XksProxyVpcEndpointServiceName is valid only when XksProxyConnectivity is "
        "VPC_ENDPOINT_SERVICE.",
    )
    assert entry(client, store_id) == before


@pytest.mark.parametrize(
    ("params", "change"),
    [
        (
            external_params(),
            {"XksProxyConnectivity": VPC, "XksProxyVpcEndpointServiceName": SERVICE},
        ),
        (vpc_params(), {"XksProxyConnectivity": PUBLIC}),
    ],
    ids=["to-vpc", "to-public"],
)
def test_update_connectivity_without_new_endpoint_raises_validation(client, params, change):
    # Model (UpdateCustomKeyStore XksProxyConnectivity): changing the connectivity also
    # needs a new XksProxyUriEndpoint. No text is recorded.
    store_id = create(client, params)
    before = entry(client, store_id)
    code, _ = refused(lambda: client.update_custom_key_store(CustomKeyStoreId=store_id, **change))
    assert code == "ValidationException"
    assert entry(client, store_id) == before


@pytest.mark.parametrize("member", [*EXTERNAL_MEMBERS, *VPC_MEMBERS])
def test_update_cloudhsm_store_with_external_member_raises_validation(client, now, member):
    store_id = create(client, cloudhsm_params())
    value = {**EXTERNAL_MEMBERS, **VPC_MEMBERS}[member]
    assert refused(
        lambda: client.update_custom_key_store(
            CustomKeyStoreId=store_id, NewCustomKeyStoreName="renamed", **{member: value}
        )
    ) == (
        "ValidationException",
        f"{member} is not valid for a custom key store of type AWS_CLOUDHSM.",
    )
    assert entry(client, store_id) == cloudhsm_entry(store_id, now)


@pytest.mark.parametrize("member", ["CloudHsmClusterId", "KeyStorePassword"])
def test_update_external_store_with_cloudhsm_member_raises_validation(client, now, member):
    store_id = create(client, external_params())
    assert refused(
        lambda: client.update_custom_key_store(
            CustomKeyStoreId=store_id,
            NewCustomKeyStoreName="renamed",
            **{member: CLOUDHSM_MEMBERS[member]},
        )
    ) == (
        "ValidationException",
        f"{member} is not valid for a custom key store of type EXTERNAL_KEY_STORE.",
    )
    assert entry(client, store_id) == external_entry(store_id, now)


def test_update_external_uri_clashing_with_other_store_raises_in_use(client, now):
    store_id = create(client, external_params("a"))
    create(client, external_params("b", XksProxyUriPath=PREFIXED_PATH))
    assert refused(
        lambda: client.update_custom_key_store(
            CustomKeyStoreId=store_id,
            NewCustomKeyStoreName="renamed",
            XksProxyUriPath=PREFIXED_PATH,
        )
    ) == (
        "XksProxyUriInUseException",
        f"The external key store proxy URI {ENDPOINT}{PREFIXED_PATH} is already in use.",
    )
    assert entry(client, store_id) == external_entry(store_id, now, name="a")


def test_update_external_vpc_service_clashing_with_other_store_raises_in_use(client, now):
    store_id = create(client, vpc_params("a"))
    create(
        client,
        vpc_params(
            "b", XksProxyUriEndpoint=OTHER_ENDPOINT, XksProxyVpcEndpointServiceName=OTHER_SERVICE
        ),
    )
    before = entry(client, store_id)
    assert refused(
        lambda: client.update_custom_key_store(
            CustomKeyStoreId=store_id, XksProxyVpcEndpointServiceName=OTHER_SERVICE
        )
    ) == (
        "XksProxyVpcEndpointServiceInUseException",
        f"The VPC endpoint service {OTHER_SERVICE} is already in use.",
    )
    assert entry(client, store_id) == before


def test_update_unknown_store_raises_not_found(client):
    assert refused(
        lambda: client.update_custom_key_store(
            CustomKeyStoreId=UNKNOWN_STORE, NewCustomKeyStoreName="x"
        )
    ) == not_found(UNKNOWN_STORE)


# GenerateRandom from a custom key store ---------------------------------------------------


@pytest.mark.parametrize("count", [1, 32, 1024])
def test_generate_random_from_connected_cloudhsm_store_returns_bytes(client, hsm_store, count):
    response = client.generate_random(NumberOfBytes=count, CustomKeyStoreId=hsm_store)
    assert_valid_output("GenerateRandom", response)
    assert set(body(response)) == {"Plaintext"}
    assert len(response["Plaintext"]) == count


def test_generate_random_from_disconnected_cloudhsm_store_raises_invalid_state(client):
    store_id = create(client, cloudhsm_params())
    assert refused(lambda: client.generate_random(NumberOfBytes=8, CustomKeyStoreId=store_id)) == (
        "CustomKeyStoreInvalidStateException",
        f"Custom key store {store_id} is DISCONNECTED; GenerateRandom needs it CONNECTED.",
    )


@pytest.mark.parametrize("connected", [True, False], ids=["connected", "disconnected"])
def test_generate_random_from_external_store_raises_unsupported(client, connected):
    store_id = new_store(client, "external", connect=connected)
    assert refused(lambda: client.generate_random(NumberOfBytes=8, CustomKeyStoreId=store_id)) == (
        "UnsupportedOperationException",
        f"GenerateRandom is not supported for custom key store {store_id} of type "
        "EXTERNAL_KEY_STORE.",
    )


def test_generate_random_from_deleted_store_raises_not_found(client):
    store_id = create(client, cloudhsm_params())
    client.delete_custom_key_store(CustomKeyStoreId=store_id)
    assert refused(
        lambda: client.generate_random(NumberOfBytes=8, CustomKeyStoreId=store_id)
    ) == not_found(store_id)


# Stores belong to one account and Region ---------------------------------------------------


@pytest.fixture
def eu_client(kms_mock: Any) -> Any:
    return boto3.client("kms", region_name=OTHER_REGION)


def test_store_is_not_listed_in_other_region(client, eu_client, hsm_store):
    assert describe(eu_client) == {"CustomKeyStores": [], "Truncated": False}
    assert refused(
        lambda: eu_client.describe_custom_key_stores(CustomKeyStoreName="hsm-store")
    ) == (
        "CustomKeyStoreNotFoundException",
        "Custom key store named hsm-store does not exist in this account and Region.",
    )


@pytest.mark.parametrize(
    ("operation", "extra"),
    [
        ("describe_custom_key_stores", {}),
        ("connect_custom_key_store", {}),
        ("disconnect_custom_key_store", {}),
        ("delete_custom_key_store", {}),
        ("update_custom_key_store", {"NewCustomKeyStoreName": "x"}),
        ("create_key", {"Origin": CLOUDHSM}),
        ("generate_random", {"NumberOfBytes": 8}),
    ],
    ids=[
        "describe",
        "connect",
        "disconnect",
        "delete",
        "update",
        "create-key",
        "generate-random",
    ],
)
def test_store_id_from_other_region_raises_not_found(
    client, eu_client, hsm_store, operation, extra
):
    call = getattr(eu_client, operation)
    assert refused(lambda: call(CustomKeyStoreId=hsm_store, **extra)) == not_found(hsm_store)
    assert state_of(client, hsm_store) == "CONNECTED"


def test_same_name_and_cluster_in_other_region_is_allowed(client, eu_client, hsm_store):
    other = create(eu_client, cloudhsm_params())
    assert other != hsm_store
    assert [s["CustomKeyStoreId"] for s in all_stores(eu_client)] == [other]
    assert [s["CustomKeyStoreId"] for s in all_stores(client)] == [hsm_store]


def test_ten_stores_in_one_region_leave_other_region_free(client, eu_client):
    for i in range(10):
        create(client, cloudhsm_params(f"s{i}", CloudHsmClusterId=_cluster(i)))
    assert STORE_ID.fullmatch(create(eu_client, cloudhsm_params()))


def test_store_is_not_visible_to_other_account(client, kms_mock, hsm_store):
    kms_mock.identities.add("AKIAOTHER00000000001", account_id="111122223333")
    other = boto3.client(
        "kms",
        region_name=REGION,
        aws_access_key_id="AKIAOTHER00000000001",
        aws_secret_access_key="s",
    )
    assert describe(other) == {"CustomKeyStores": [], "Truncated": False}
    assert refused(lambda: other.connect_custom_key_store(CustomKeyStoreId=hsm_store)) == not_found(
        hsm_store
    )
