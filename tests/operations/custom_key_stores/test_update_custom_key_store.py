"""UpdateCustomKeyStore: what may change in which connection state.

Custom key stores: docs/kms-behaviour.md#custom-key-stores. Unverified against AWS: the
texts of the store errors, which are kmsmock's own.
"""

from __future__ import annotations

import pytest

from tests._support import ACCOUNT, assert_valid_output, body, refused
from tests.operations.custom_key_stores._stores import (
    CLOUDHSM_MEMBERS,
    CLUSTER,
    ENDPOINT,
    EXTERNAL_MEMBERS,
    OTHER_ACCESS_KEY,
    OTHER_CLUSTER,
    OTHER_ENDPOINT,
    OTHER_SECRET,
    OTHER_SERVICE,
    PREFIXED_PATH,
    PUBLIC,
    SERVICE,
    SERVICE_OWNER,
    UNKNOWN_STORE,
    VPC,
    VPC_MEMBERS,
    cloudhsm_entry,
    cloudhsm_params,
    create,
    describe,
    entry,
    external_entry,
    external_params,
    invalid_state,
    new_store_key,
    not_found,
    vpc_params,
)


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
