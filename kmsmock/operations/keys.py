"""Key lifecycle: create, describe, list, enable, disable, schedule and cancel deletion."""

from __future__ import annotations

from kmsmock.crypto.specs import ENCRYPT_DECRYPT, KEY_SPECS, available, unavailable_specs
from kmsmock.errors import FeatureNotImplementedError
from kmsmock.operations._paging import (
    invalid_marker,
    marker_at,
    marker_position,
    page_start,
    paginate,
    paging_fields,
)
from kmsmock.operations._registry import Params, Result, handles
from kmsmock.operations.custom_key_stores import store_of
from kmsmock.state import deletion as _deletion
from kmsmock.state import ram as _ram
from kmsmock.state import rotation as _rotation
from kmsmock.state.clock import days_after
from kmsmock.state.context import RequestContext
from kmsmock.state.custom_key_stores import CONNECTED, CustomKeyStore
from kmsmock.state.ids import in_china
from kmsmock.state.keys import Key, KeyState, StoreLink
from kmsmock.state.policies import check_policy
from kmsmock.state.tags import merged_tags
from kmsmock.wire import aws_errors as aws
from kmsmock.wire.decode import outside_china

_CUSTOM_KEY_STORE_ORIGINS = ("AWS_CLOUDHSM", "EXTERNAL_KEY_STORE")


@handles("CreateKey")
def create_key(ctx: RequestContext, params: Params) -> Result:
    """https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateKey.html"""
    spec_name, spec_member = _requested_spec(params)
    spec = KEY_SPECS.get(spec_name)
    if spec is None:
        # A spec of the known model that kmsmock does not build (one only a newer
        # botocore has was refused before the handler ran).
        raise FeatureNotImplementedError("CreateKey", f"KeySpec {spec_name}")
    china = in_china(ctx.region)
    if not available(spec, china):
        # Outside China the service's enum has no SM2, in China none of ML-KEM's specs.
        raise outside_china("CreateKey", spec_member, spec_name, unavailable_specs(china))
    usage = params.get("KeyUsage")
    if usage is None:
        if not spec.symmetric:
            raise aws.ValidationException(
                "You must specify a KeyUsage value for all KMS keys except for symmetric "
                "encryption keys."
            )
        usage = ENCRYPT_DECRYPT
    if usage not in spec.algorithms:
        raise aws.ValidationException(
            f"KeyUsage {usage} is not compatible with KeySpec {spec_name}"
        )
    origin = params.get("Origin", "AWS_KMS")
    multi_region = params.get("MultiRegion", False)
    _check_origin(params, origin, spec_name, multi_region)
    store = _check_store(ctx, params, origin)
    policy, tags = new_key_policy_and_tags(ctx, params)

    entropy = ctx.backend.entropy
    key_id = f"mrk-{entropy.hex(16)}" if multi_region else entropy.uuid4()
    external = origin == "EXTERNAL"
    key = Key(
        key_id=key_id,
        account=ctx.account,
        region=ctx.region,
        spec=spec,
        usage=usage,
        origin=origin,
        description=params.get("Description", ""),
        created=ctx.now(),
        state=KeyState.PENDING_IMPORT if external else KeyState.ENABLED,
        multi_region=multi_region,
        policy=policy,
        tags=tags,
        # Imported keys get their material ID from the first import
        # (docs/kms-behaviour.md#key-material-ids).
        material_id=entropy.hex(32) if spec.symmetric and not external else None,
    )
    if store is not None:
        key.store = StoreLink(store.store_id, store.cluster_id, params.get("XksKeyId"))
    ctx.account_region.add_key(key)
    return {"KeyMetadata": key.metadata()}


def new_key_policy_and_tags(
    ctx: RequestContext, params: Params
) -> tuple[str | None, dict[str, str] | None]:
    """The Policy and Tags a new key (CreateKey, ReplicateKey) is to have, checked as KMS
    checks them; None for the default policy and for no tags."""
    policy = params.get("Policy")
    if policy is not None:
        check_policy(
            policy,
            caller_account=ctx.account,
            caller=ctx.principal,
            bypass_lockout=params.get("BypassPolicyLockoutSafetyCheck", False),
        )
    tags = merged_tags(None, params["Tags"]) if params.get("Tags") else None
    return policy, tags


def _requested_spec(params: Params) -> tuple[str, str]:
    key_spec = params.get("KeySpec")
    legacy = params.get("CustomerMasterKeySpec")
    if key_spec is not None and legacy is not None:
        # Unverified against AWS: the message (docs/kms-behaviour.md#create-key).
        raise aws.ValidationException(
            "You cannot specify KeySpec and CustomerMasterKeySpec in the same request. "
            "CustomerMasterKeySpec is deprecated. Use KeySpec."
        )
    if legacy is not None:
        return legacy, "CustomerMasterKeySpec"
    return key_spec or "SYMMETRIC_DEFAULT", "KeySpec"


def _check_origin(params: Params, origin: str, spec_name: str, multi_region: bool) -> None:
    store_id = params.get("CustomKeyStoreId")
    if params.get("XksKeyId") is not None and origin != "EXTERNAL_KEY_STORE":
        # Unverified against AWS: the message (docs/kms-behaviour.md#create-key).
        raise aws.ValidationException(
            "XksKeyId is valid only for KMS keys with an Origin of EXTERNAL_KEY_STORE."
        )
    if origin not in _CUSTOM_KEY_STORE_ORIGINS:
        if store_id is not None:
            raise aws.ValidationException(
                f"CustomKeyStoreId is not valid for KMS keys with an Origin of {origin}."
            )
        return
    if store_id is None:
        raise aws.ValidationException(f"CustomKeyStoreId is required when Origin is {origin}.")
    if origin == "EXTERNAL_KEY_STORE" and params.get("XksKeyId") is None:
        raise aws.ValidationException("XksKeyId is required when Origin is EXTERNAL_KEY_STORE.")
    if spec_name != "SYMMETRIC_DEFAULT" or multi_region:
        raise aws.UnsupportedOperationException(
            "Custom key stores support only single-Region symmetric encryption KMS keys."
        )


def _check_store(ctx: RequestContext, params: Params, origin: str) -> CustomKeyStore | None:
    """The custom key store a new key goes in, checked as CreateKey checks it
    (docs/kms-behaviour.md#create-key)."""
    if origin not in _CUSTOM_KEY_STORE_ORIGINS:
        return None
    store = store_of(ctx, params["CustomKeyStoreId"])
    if store.store_type != origin:
        # Unverified against AWS: the text (docs/kms-behaviour.md#create-key).
        raise aws.UnsupportedOperationException(
            f"Origin {origin} is not valid for custom key store {store.store_id} of type "
            f"{store.store_type}."
        )
    if store.state != CONNECTED:
        raise aws.CustomKeyStoreInvalidStateException(
            f"Custom key store {store.store_id} is {store.state}; keys can be created only "
            "in a CONNECTED custom key store."
        )
    xks_key_id = params.get("XksKeyId")
    if xks_key_id is not None and any(
        key.store and key.store.xks_key_id == xks_key_id
        for key in ctx.account_region.keys_in_store(store.store_id)
    ):
        raise aws.XksKeyAlreadyInUseException(
            f"External key {xks_key_id} is already used by a KMS key in custom key store "
            f"{store.store_id}."
        )
    return store


@handles("DescribeKey")
def describe_key(ctx: RequestContext, params: Params) -> Result:
    """https://docs.aws.amazon.com/kms/latest/APIReference/API_DescribeKey.html"""
    return {"KeyMetadata": ctx.key(params["KeyId"]).metadata()}


@handles("ListKeys")
def list_keys(ctx: RequestContext, params: Params) -> Result:
    """https://docs.aws.amazon.com/kms/latest/APIReference/API_ListKeys.html

    ResourceOwners: SELF for the account's own keys (also without ResourceOwners),
    OTHER_ACCOUNTS_VIA_RAM for other accounts' keys shared with it (``kms.share_key``),
    both for own keys first, then shared ones, never in the same page. A marker serves
    only requests with the ResourceOwners of the one that issued it.
    """
    owners = set(params.get("ResourceOwners") or ("SELF",))
    marker = params.get("Marker")
    if "OTHER_ACCOUNTS_VIA_RAM" not in owners:
        # Markers as before ResourceOwners existed: the key's creation order, paged from
        # the account's index so that a page costs the page, not the account.
        if marker is not None and not marker_position(marker, ctx.operation).isdigit():
            raise invalid_marker(marker, ctx.operation)
        start, limit = page_start(
            params, operation=ctx.operation, default_limit=100, max_limit=1000
        )
        page, following = ctx.account_region.keys_page(start, limit)
        paging = paging_fields(None if following is None else f"{following.seq:012d}")
        return {"Keys": [_list_entry(k) for k in page], **paging}
    own = list(ctx.account_region.keys.values()) if "SELF" in owners else []
    # Positions name their part (0: own keys, 1: shared keys) under a scope that tells
    # which ResourceOwners issued them.
    scope = "both" if "SELF" in owners else "shared"
    shared = _ram.shared_with(ctx.backend, ctx.account, ctx.region)
    parts = [
        (own, [f"{scope}:0:{k.seq:012d}" for k in own]),
        (shared, [f"{scope}:1:{k.account}:{k.seq:012d}" for k in shared]),
    ]
    part = 0 if own else 1
    if marker is not None:
        position = marker_position(marker, ctx.operation)
        if not position.startswith(f"{scope}:"):
            # A marker of a request with other ResourceOwners.
            # Unverified against AWS: the text.
            raise invalid_marker(marker, ctx.operation)
        part = int(position.split(":")[1])
    keys, order = parts[part]
    found, paging = paginate(
        keys, order, params, operation=ctx.operation, default_limit=100, max_limit=1000
    )
    if part == 0 and not paging["Truncated"] and shared:
        # The own keys end here; the shared ones come on the next page.
        paging = {"Truncated": True, "NextMarker": marker_at(parts[1][1][0])}
    return {"Keys": [_list_entry(k) for k in found], **paging}


def _list_entry(key: Key) -> Result:
    # A shared key's entry has its bare ID too; the ARN names its owner's account.
    return {"KeyId": key.key_id, "KeyArn": key.arn}


@handles("EnableKey")
def enable_key(ctx: RequestContext, params: Params) -> Result:
    """https://docs.aws.amazon.com/kms/latest/APIReference/API_EnableKey.html"""
    key = ctx.key(params["KeyId"])
    if key.state is KeyState.DISABLED:
        key.state = KeyState.ENABLED
        # A rotation that fell due while the key was disabled happens now
        # (docs/kms-behaviour.md#rotation).
        _rotation.catch_up(ctx.backend, key, ctx.now())
    _park(ctx, key, KeyState.DISABLED, KeyState.ENABLED)
    return {}


def _park(ctx: RequestContext, key: Key, before: KeyState, after: KeyState) -> None:
    """Enabling or disabling a key of a disconnected custom key store takes effect when
    the store is connected again: the key stays Unavailable until then."""
    store = ctx.account_region.store_of(key)
    unavailable = store is not None and key.state is KeyState.UNAVAILABLE
    if unavailable and store is not None and store.parked.get(key.key_id) is before:
        store.parked[key.key_id] = after


@handles("DisableKey")
def disable_key(ctx: RequestContext, params: Params) -> Result:
    """https://docs.aws.amazon.com/kms/latest/APIReference/API_DisableKey.html"""
    key = ctx.key(params["KeyId"])
    if key.state is KeyState.ENABLED:
        key.state = KeyState.DISABLED
    _park(ctx, key, KeyState.ENABLED, KeyState.DISABLED)
    return {}


@handles("ScheduleKeyDeletion")
def schedule_key_deletion(ctx: RequestContext, params: Params) -> Result:
    """https://docs.aws.amazon.com/kms/latest/APIReference/API_ScheduleKeyDeletion.html

    A multi-Region primary that still has replicas waits in PendingReplicaDeletion,
    without a deletion date, until the last of them is deleted (docs/kms-behaviour.md#key-states).
    """
    days = params.get("PendingWindowInDays", 30)
    # The model allows 1-365; the service only 7-30 (docs/kms-behaviour.md#schedule-key-deletion).
    if not 7 <= days <= 30:
        raise aws.ValidationException("PendingWindowInDays must be between 7 and 30")
    key = ctx.key(params["KeyId"])
    result: Result = {"KeyId": key.arn}
    if key.region_set is not None and not key.is_replica and key.region_set.replicas:
        key.state = KeyState.PENDING_REPLICA_DELETION
        key.pending_window_days = days
    else:
        deletion_date = days_after(ctx.now(), days)
        _deletion.schedule(ctx.backend, key, deletion_date)
        result["DeletionDate"] = deletion_date
    result["KeyState"] = key.state.value
    result["PendingWindowInDays"] = days
    return result


@handles("CancelKeyDeletion")
def cancel_key_deletion(ctx: RequestContext, params: Params) -> Result:
    """https://docs.aws.amazon.com/kms/latest/APIReference/API_CancelKeyDeletion.html

    The key lands in Disabled (docs/kms-behaviour.md#key-states); an imported key that
    never received its material goes back to PendingImport instead, since it cannot be
    enabled.
    """
    key = ctx.key(params["KeyId"])
    awaiting_import = key.origin == "EXTERNAL" and not key.has_all_material()
    key.state = KeyState.PENDING_IMPORT if awaiting_import else KeyState.DISABLED
    key.deletion_date = None
    key.pending_window_days = None
    store = ctx.account_region.store_of(key)
    if store is not None and store.state != CONNECTED:
        store.disconnect([key])  # Unavailable until the store is back, then Disabled
    return {"KeyId": key.arn}


@handles("UpdateKeyDescription")
def update_key_description(ctx: RequestContext, params: Params) -> Result:
    """https://docs.aws.amazon.com/kms/latest/APIReference/API_UpdateKeyDescription.html"""
    ctx.key(params["KeyId"]).description = params["Description"]
    return {}


@handles("GetKeyLastUsage")
def get_key_last_usage(ctx: RequestContext, params: Params) -> Result:
    """https://docs.aws.amazon.com/kms/latest/APIReference/API_GetKeyLastUsage.html

    Tracking starts when the key is created; only successful cryptographic calls count.
    A key never used has ``"KeyLastUsage": {}``, the empty object the API reference
    describes, not a missing member.
    """
    key = ctx.key(params["KeyId"])
    result: Result = {
        "KeyId": key.key_id,
        "KeyCreationDate": key.created,
        "TrackingStartDate": key.created,
        "KeyLastUsage": {},
    }
    if key.last_usage is not None:
        operation, timestamp, request_id = key.last_usage
        result["KeyLastUsage"] = {
            "Operation": operation,
            "Timestamp": timestamp,
            "KmsRequestId": request_id,
        }
    return result
