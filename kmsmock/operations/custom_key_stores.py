"""Custom key stores: CreateCustomKeyStore, ConnectCustomKeyStore, DisconnectCustomKeyStore,
DeleteCustomKeyStore, DescribeCustomKeyStores, UpdateCustomKeyStore
(docs/kms-behaviour.md#custom-key-stores).

Unverified against AWS: the texts of the store errors. kmsmock's messages say what is
wrong, with the error codes KMS uses.
"""

from __future__ import annotations

from kmsmock.operations._paging import paginate
from kmsmock.operations._registry import Params, Result, handles
from kmsmock.state.context import RequestContext
from kmsmock.state.custom_key_stores import (
    CLOUDHSM,
    CONNECTED,
    DISCONNECTED,
    EXTERNAL_KEY_STORE,
    MAX_STORES,
    CustomKeyStore,
)
from kmsmock.wire import aws_errors as aws

_CLOUDHSM_MEMBERS = ("CloudHsmClusterId", "TrustAnchorCertificate", "KeyStorePassword")
_EXTERNAL_MEMBERS = (
    "XksProxyUriEndpoint",
    "XksProxyUriPath",
    "XksProxyAuthenticationCredential",
    "XksProxyConnectivity",
)
_VPC = "VPC_ENDPOINT_SERVICE"
_VPC_MEMBERS = ("XksProxyVpcEndpointServiceName", "XksProxyVpcEndpointServiceOwner")


def store_of(ctx: RequestContext, store_id: str) -> CustomKeyStore:
    """A store of the caller's account and Region (stores are never cross-account)."""
    store = ctx.account_region.custom_key_stores.get(store_id)
    if store is None:
        raise aws.CustomKeyStoreNotFoundException(
            f"Custom key store {store_id} does not exist in this account and Region."
        )
    return store


def _refuse_members(params: Params, members: tuple[str, ...], store_type: str) -> None:
    for member in members:
        if params.get(member) is not None:
            raise aws.ValidationException(
                f"{member} is not valid for a custom key store of type {store_type}."
            )


def _require_members(params: Params, members: tuple[str, ...], store_type: str) -> None:
    for member in members:
        if params.get(member) is None:
            raise aws.ValidationException(
                f"{member} is required for a custom key store of type {store_type}."
            )


def _check_connectivity(connectivity: str, service_name: str | None) -> None:
    if connectivity == _VPC and service_name is None:
        raise aws.ValidationException(
            "XksProxyVpcEndpointServiceName is required when XksProxyConnectivity is "
            "VPC_ENDPOINT_SERVICE."
        )
    if connectivity != _VPC and service_name is not None:
        raise aws.ValidationException(
            "XksProxyVpcEndpointServiceName is valid only when XksProxyConnectivity is "
            "VPC_ENDPOINT_SERVICE."
        )


def _proxy(ctx: RequestContext, params: Params, current: dict[str, str]) -> dict[str, str]:
    """The XksProxyConfiguration a request asks for, over ``current``."""
    proxy = dict(current)
    fields = {
        "XksProxyConnectivity": "Connectivity",
        "XksProxyUriEndpoint": "UriEndpoint",
        "XksProxyUriPath": "UriPath",
        "XksProxyVpcEndpointServiceName": "VpcEndpointServiceName",
        "XksProxyVpcEndpointServiceOwner": "VpcEndpointServiceOwner",
    }
    for member, name in fields.items():
        if params.get(member) is not None:
            proxy[name] = params[member]
    credential = params.get("XksProxyAuthenticationCredential")
    if credential is not None:
        proxy["AccessKeyId"] = credential["AccessKeyId"]
    if proxy.get("Connectivity") != _VPC:
        proxy.pop("VpcEndpointServiceName", None)
        proxy.pop("VpcEndpointServiceOwner", None)
    elif "VpcEndpointServiceOwner" not in proxy:
        # Defaults to the caller's account (botocore's KMS model).
        proxy["VpcEndpointServiceOwner"] = ctx.account
    return proxy


def _check_unique(ctx: RequestContext, store: CustomKeyStore) -> None:
    """The uniqueness rules of CreateCustomKeyStore and UpdateCustomKeyStore
    (docs/kms-behaviour.md#custom-key-stores)."""
    for other in ctx.account_region.custom_key_stores.values():
        if other is store or other.store_id == store.store_id:
            continue
        if other.name == store.name:
            raise aws.CustomKeyStoreNameInUseException(
                f"A custom key store named {store.name} already exists in this account and Region."
            )
        if store.cluster_id is not None and other.cluster_id == store.cluster_id:
            raise aws.CloudHsmClusterInUseException(
                f"CloudHSM cluster {store.cluster_id} is already used by a custom key store."
            )
        mine, theirs = store.proxy, other.proxy
        if mine and theirs:
            endpoint = mine.get("UriEndpoint")
            same_endpoint = endpoint == theirs.get("UriEndpoint")
            # A store behind a VPC endpoint service needs an endpoint of its own
            # (docs/kms-behaviour.md#custom-key-stores).
            if same_endpoint and _VPC in (mine.get("Connectivity"), theirs.get("Connectivity")):
                raise aws.XksProxyUriEndpointInUseException(
                    f"The external key store proxy endpoint {endpoint} is already in use."
                )
            if same_endpoint and mine.get("UriPath") == theirs.get("UriPath"):
                raise aws.XksProxyUriInUseException(
                    f"The external key store proxy URI {endpoint}{mine.get('UriPath')} is "
                    "already in use."
                )
            service = mine.get("VpcEndpointServiceName")
            if service is not None and service == theirs.get("VpcEndpointServiceName"):
                raise aws.XksProxyVpcEndpointServiceInUseException(
                    f"The VPC endpoint service {service} is already in use."
                )


@handles("CreateCustomKeyStore")
def create_custom_key_store(ctx: RequestContext, params: Params) -> Result:
    """https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateCustomKeyStore.html

    The new store is DISCONNECTED, as in KMS.
    """
    store_type = params.get("CustomKeyStoreType", CLOUDHSM)
    if store_type == CLOUDHSM:
        _refuse_members(params, (*_EXTERNAL_MEMBERS, *_VPC_MEMBERS), store_type)
        _require_members(params, _CLOUDHSM_MEMBERS, store_type)
    else:
        _refuse_members(params, _CLOUDHSM_MEMBERS, store_type)
        _require_members(params, _EXTERNAL_MEMBERS, store_type)
        _check_new_connectivity(params, {})
    store = CustomKeyStore(
        store_id=f"cks-{ctx.backend.entropy.hex(9)[:17]}",
        name=params["CustomKeyStoreName"],
        store_type=store_type,
        created=ctx.now(),
        cluster_id=params.get("CloudHsmClusterId"),
        trust_anchor=params.get("TrustAnchorCertificate"),
        password=params.get("KeyStorePassword"),
    )
    if store_type == EXTERNAL_KEY_STORE:
        store.proxy = _proxy(ctx, params, {})
        store.secret_access_key = params["XksProxyAuthenticationCredential"]["RawSecretAccessKey"]
    _check_unique(ctx, store)
    if len(ctx.account_region.custom_key_stores) >= MAX_STORES:
        raise aws.LimitExceededException(
            f"This account and Region already have {MAX_STORES} custom key stores."
        )
    ctx.account_region.stores_created += 1
    store.seq = ctx.account_region.stores_created
    ctx.account_region.custom_key_stores[store.store_id] = store
    return {"CustomKeyStoreId": store.store_id}


def _invalid_state(store: CustomKeyStore, action: str) -> aws.AwsError:
    return aws.CustomKeyStoreInvalidStateException(
        f"Custom key store {store.store_id} is {store.state}; cannot {action} it now."
    )


@handles("ConnectCustomKeyStore")
def connect_custom_key_store(ctx: RequestContext, params: Params) -> Result:
    """https://docs.aws.amazon.com/kms/latest/APIReference/API_ConnectCustomKeyStore.html

    Connecting completes before the response; the store's keys are usable again.
    """
    store = store_of(ctx, params["CustomKeyStoreId"])
    if store.state not in (DISCONNECTED, CONNECTED):
        raise _invalid_state(store, "connect")
    store.connect(ctx.account_region.keys_in_store(store.store_id))
    return {}


@handles("DisconnectCustomKeyStore")
def disconnect_custom_key_store(ctx: RequestContext, params: Params) -> Result:
    """https://docs.aws.amazon.com/kms/latest/APIReference/API_DisconnectCustomKeyStore.html

    The store's keys become Unavailable, except those pending deletion.
    """
    store = store_of(ctx, params["CustomKeyStoreId"])
    if store.state == DISCONNECTED:
        raise _invalid_state(store, "disconnect")
    store.disconnect(ctx.account_region.keys_in_store(store.store_id))
    return {}


@handles("DeleteCustomKeyStore")
def delete_custom_key_store(ctx: RequestContext, params: Params) -> Result:
    """https://docs.aws.amazon.com/kms/latest/APIReference/API_DeleteCustomKeyStore.html"""
    store = store_of(ctx, params["CustomKeyStoreId"])
    if store.state != DISCONNECTED:
        raise _invalid_state(store, "delete")
    if ctx.account_region.keys_in_store(store.store_id):
        raise aws.CustomKeyStoreHasCMKsException(
            f"Custom key store {store.store_id} still holds KMS keys, including any pending "
            "deletion."
        )
    del ctx.account_region.custom_key_stores[store.store_id]
    return {}


@handles("DescribeCustomKeyStores")
def describe_custom_key_stores(ctx: RequestContext, params: Params) -> Result:
    """https://docs.aws.amazon.com/kms/latest/APIReference/API_DescribeCustomKeyStores.html"""
    store_id, name = params.get("CustomKeyStoreId"), params.get("CustomKeyStoreName")
    if store_id is not None and name is not None:
        raise aws.ValidationException(
            "Specify either CustomKeyStoreId or CustomKeyStoreName, not both."
        )
    stores = list(ctx.account_region.custom_key_stores.values())
    if store_id is not None:
        stores = [store_of(ctx, store_id)]
    elif name is not None:
        stores = [store for store in stores if store.name == name]
        if not stores:
            raise aws.CustomKeyStoreNotFoundException(
                f"Custom key store named {name} does not exist in this account and Region."
            )
    order = [f"{store.seq:012d}" for store in stores]
    page, paging = paginate(
        stores, order, params, operation=ctx.operation, default_limit=100, max_limit=1000
    )
    return {"CustomKeyStores": [store.entry() for store in page], **paging}


def _check_new_connectivity(params: Params, current: dict[str, str]) -> None:
    """UpdateCustomKeyStore's rules for the proxy's connectivity
    (docs/kms-behaviour.md#custom-key-stores)."""
    connectivity = params.get("XksProxyConnectivity", current.get("Connectivity", ""))
    changed = connectivity != current.get("Connectivity")
    if changed and params.get("XksProxyUriEndpoint") is None:
        raise aws.ValidationException(
            "A new XksProxyUriEndpoint is required when XksProxyConnectivity changes."
        )
    service = params.get("XksProxyVpcEndpointServiceName")
    if service is None and connectivity == _VPC and not changed:
        service = current.get("VpcEndpointServiceName")
    _check_connectivity(connectivity, service)
    if connectivity != _VPC and params.get("XksProxyVpcEndpointServiceOwner") is not None:
        raise aws.ValidationException(
            "XksProxyVpcEndpointServiceOwner is valid only when XksProxyConnectivity is "
            "VPC_ENDPOINT_SERVICE."
        )


@handles("UpdateCustomKeyStore")
def update_custom_key_store(ctx: RequestContext, params: Params) -> Result:
    """https://docs.aws.amazon.com/kms/latest/APIReference/API_UpdateCustomKeyStore.html

    A new name (and, for external stores, a new credential or URI path) may be set while
    the store is connected; everything else only while it is disconnected.
    """
    store = store_of(ctx, params["CustomKeyStoreId"])
    if store.store_type == CLOUDHSM:
        _refuse_members(params, (*_EXTERNAL_MEMBERS, *_VPC_MEMBERS), store.store_type)
        while_connected: tuple[str, ...] = ()
        others: tuple[str, ...] = ("KeyStorePassword", "CloudHsmClusterId")
    else:
        _refuse_members(params, _CLOUDHSM_MEMBERS, store.store_type)
        while_connected = ("XksProxyAuthenticationCredential", "XksProxyUriPath")
        others = (
            "XksProxyUriEndpoint",
            "XksProxyConnectivity",
            "XksProxyVpcEndpointServiceName",
            "XksProxyVpcEndpointServiceOwner",
        )
    if store.state != DISCONNECTED and any(params.get(m) is not None for m in others):
        raise _invalid_state(store, "change these properties of")
    if store.state not in (DISCONNECTED, CONNECTED) and any(
        params.get(m) is not None for m in ("NewCustomKeyStoreName", *while_connected)
    ):
        raise _invalid_state(store, "update")
    updated = CustomKeyStore(
        store_id=store.store_id,
        name=params.get("NewCustomKeyStoreName", store.name),
        store_type=store.store_type,
        created=store.created,
        state=store.state,
        cluster_id=params.get("CloudHsmClusterId", store.cluster_id),
        trust_anchor=store.trust_anchor,
        password=params.get("KeyStorePassword", store.password),
    )
    if store.store_type == EXTERNAL_KEY_STORE:
        _check_new_connectivity(params, store.proxy)
        updated.proxy = _proxy(ctx, params, store.proxy)
        credential = params.get("XksProxyAuthenticationCredential")
        updated.secret_access_key = (
            credential["RawSecretAccessKey"] if credential else store.secret_access_key
        )
    _check_unique(ctx, updated)
    # Every check passed: only now change the store.
    store.name, store.cluster_id, store.password = (
        updated.name,
        updated.cluster_id,
        updated.password,
    )
    store.proxy, store.secret_access_key = updated.proxy, updated.secret_access_key
    if store.cluster_id is not None:
        for key in ctx.account_region.keys_in_store(store.store_id):
            assert key.store is not None
            key.store = key.store._replace(cluster_id=store.cluster_id)
    return {}
