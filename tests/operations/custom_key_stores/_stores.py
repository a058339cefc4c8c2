"""What the custom key store tests share: store parameters, helpers that make stores
and keys in them, the expected DescribeCustomKeyStores entries and KMS's error texts."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Any

from tests._support import ACCOUNT, assert_valid_output, body, key_arn

UTC = timezone.utc
OTHER_REGION = "eu-west-1"
STORE_ID = re.compile(r"cks-[0-9a-f]{17}")
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


def cluster_id(index: int) -> str:
    """The ``index``-th of sixteen distinct CloudHSM cluster IDs, for stores made in bulk."""
    return f"cluster-abcdefghij{'abcdefghijklmnop'[index]}"
