"""Key lifecycle: CreateKey, DescribeKey, ListKeys."""

from __future__ import annotations

import json

from kmsmock import _aws_errors as errors
from kmsmock._context import RequestContext
from kmsmock._keys import Key, KeyState
from kmsmock._model import operation_model
from kmsmock._specs import ENCRYPT_DECRYPT, KEY_SPECS
from kmsmock._tags import merged_tags
from kmsmock.operations._paging import paginate
from kmsmock.operations._registry import Params, Result, handles

MAX_POLICY_BYTES = 32768
_CUSTOM_KEY_STORE_ORIGINS = ("AWS_CLOUDHSM", "EXTERNAL_KEY_STORE")


@handles("CreateKey")
def create_key(ctx: RequestContext, params: Params) -> Result:
    """https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateKey.html"""
    spec_name, spec_member = _requested_spec(params)
    spec = KEY_SPECS[spec_name]
    if spec.china_only and not ctx.region.startswith("cn-"):
        # Outside China the service's enum has no SM2 (reference §2.2).
        raise errors.ValidationException(_enum_outside_china(spec_member))
    usage = params.get("KeyUsage")
    if usage is None:
        if not spec.symmetric:
            raise errors.ValidationException(
                "You must specify a KeyUsage value for all KMS keys except for symmetric "
                "encryption keys."
            )
        usage = ENCRYPT_DECRYPT
    if usage not in spec.usages:
        raise errors.ValidationException(
            f"KeyUsage {usage} is not compatible with KeySpec {spec_name}"
        )
    origin = params.get("Origin", "AWS_KMS")
    multi_region = params.get("MultiRegion", False)
    _check_origin(params, origin, spec_name, multi_region)
    policy = params.get("Policy")
    if policy is not None:
        _check_policy(policy)
    tags = merged_tags(None, params["Tags"]) if params.get("Tags") else None

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
        # Imported keys get their material ID from the first import (reference §1.8).
        material_id=entropy.hex(32) if spec.symmetric and not external else None,
    )
    ctx.state.keys[key_id] = key
    return {"KeyMetadata": key.metadata()}


def _requested_spec(params: Params) -> tuple[str, str]:
    key_spec = params.get("KeySpec")
    legacy = params.get("CustomerMasterKeySpec")
    if key_spec is not None and legacy is not None:
        # Message unverified against AWS (reference Appendix D.3).
        raise errors.ValidationException(
            "You cannot specify KeySpec and CustomerMasterKeySpec in the same request. "
            "CustomerMasterKeySpec is deprecated. Use KeySpec."
        )
    if legacy is not None:
        return legacy, "customerMasterKeySpec"
    return key_spec or "SYMMETRIC_DEFAULT", "keySpec"


def _enum_outside_china(member: str) -> str:
    shape_name = "CustomerMasterKeySpec" if member == "customerMasterKeySpec" else "KeySpec"
    enum: list[str] = operation_model("CreateKey").input_shape.members[shape_name].enum  # type: ignore[union-attr]
    allowed = ", ".join(v for v in enum if v != "SM2")
    return (
        "1 validation error detected: Value 'SM2' at '" + member + "' failed to satisfy "
        f"constraint: Member must satisfy enum value set: [{allowed}]"
    )


def _check_origin(params: Params, origin: str, spec_name: str, multi_region: bool) -> None:
    store_id = params.get("CustomKeyStoreId")
    if params.get("XksKeyId") is not None and origin != "EXTERNAL_KEY_STORE":
        # Message unverified against AWS (reference Appendix D.3).
        raise errors.ValidationException(
            "XksKeyId is valid only for KMS keys with an Origin of EXTERNAL_KEY_STORE."
        )
    if origin not in _CUSTOM_KEY_STORE_ORIGINS:
        if store_id is not None:
            raise errors.ValidationException(
                f"CustomKeyStoreId is not valid for KMS keys with an Origin of {origin}."
            )
        return
    if store_id is None:
        raise errors.ValidationException(f"CustomKeyStoreId is required when Origin is {origin}.")
    if origin == "EXTERNAL_KEY_STORE" and params.get("XksKeyId") is None:
        raise errors.ValidationException("XksKeyId is required when Origin is EXTERNAL_KEY_STORE.")
    if spec_name != "SYMMETRIC_DEFAULT" or multi_region:
        raise errors.UnsupportedOperationException(
            "Custom key stores support only single-Region symmetric encryption KMS keys."
        )
    # Custom key stores are not modelled yet (docs/operations.md), so none exists.
    raise errors.CustomKeyStoreNotFoundException(
        f"Custom key store {store_id} does not exist in this account and Region."
    )


def _check_policy(policy: str) -> None:
    if len(policy.encode("utf-8")) > MAX_POLICY_BYTES:
        raise errors.LimitExceededException(
            f"The policy exceeds the maximum size of {MAX_POLICY_BYTES} bytes."
        )
    try:
        document = json.loads(policy)
    except ValueError:
        document = None
    if not isinstance(document, dict):
        raise errors.MalformedPolicyDocumentException("The policy is not valid JSON.")


@handles("DescribeKey")
def describe_key(ctx: RequestContext, params: Params) -> Result:
    """https://docs.aws.amazon.com/kms/latest/APIReference/API_DescribeKey.html"""
    return {"KeyMetadata": ctx.key(params["KeyId"]).metadata()}


@handles("ListKeys")
def list_keys(ctx: RequestContext, params: Params) -> Result:
    """https://docs.aws.amazon.com/kms/latest/APIReference/API_ListKeys.html"""
    keys = list(ctx.state.keys.values())
    page, paging = paginate(
        keys, [k.key_id for k in keys], params, default_limit=100, max_limit=1000
    )
    return {"Keys": [{"KeyId": k.key_id, "KeyArn": k.arn} for k in page], **paging}
