"""HMAC: GenerateMac, VerifyMac."""

from __future__ import annotations

from kmsmock.crypto.specs import GENERATE_VERIFY_MAC
from kmsmock.operations._registry import Params, Result, handles
from kmsmock.state.context import RequestContext
from kmsmock.state.keys import Key
from kmsmock.wire import aws_errors as aws


def _mac_key(ctx: RequestContext, params: Params) -> Key:
    key = ctx.key(params["KeyId"])
    # Each HMAC key spec has exactly one algorithm (docs/kms-behaviour.md#hmac-keys).
    ctx.require_use(key, GENERATE_VERIFY_MAC, params["MacAlgorithm"])
    if params.get("DryRun"):
        raise aws.dry_run()
    return key


@handles("GenerateMac")
def generate_mac(ctx: RequestContext, params: Params) -> Result:
    """https://docs.aws.amazon.com/kms/latest/APIReference/API_GenerateMac.html"""
    key = _mac_key(ctx, params)
    from kmsmock.crypto.asymmetric import mac  # loaded at the first HMAC call

    tag = mac(ctx.secret(key), key.spec.name, params["Message"])
    ctx.record_use(key)
    return {"Mac": tag, "MacAlgorithm": params["MacAlgorithm"], "KeyId": key.arn}


@handles("VerifyMac")
def verify_mac(ctx: RequestContext, params: Params) -> Result:
    """https://docs.aws.amazon.com/kms/latest/APIReference/API_VerifyMac.html

    A MAC that does not match raises KMSInvalidMacException; never ``MacValid: false``.
    """
    key = _mac_key(ctx, params)
    from kmsmock.crypto.asymmetric import mac_matches

    if not mac_matches(ctx.secret(key), key.spec.name, params["Message"], params["Mac"]):
        raise aws.KMSInvalidMacException("")
    ctx.record_use(key)
    return {"KeyId": key.arn, "MacValid": True, "MacAlgorithm": params["MacAlgorithm"]}
