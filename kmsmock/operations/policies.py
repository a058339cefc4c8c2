"""Key policies: GetKeyPolicy, PutKeyPolicy, ListKeyPolicies.

A key has its ``default`` policy, which its owner manages, and while it is shared
through AWS RAM (``kms.share_key``) an ``AWS_RAM`` policy, which only RAM manages.
"""

from __future__ import annotations

from kmsmock.operations._paging import paginate, sequence_order
from kmsmock.operations._registry import Params, Result, handles
from kmsmock.state.context import RequestContext
from kmsmock.state.policies import check_policy, effective_policy
from kmsmock.state.ram import RAM_POLICY_NAME, ram_policy
from kmsmock.wire import aws_errors as aws

POLICY_NAME = "default"


def _no_such_policy() -> aws.NotFoundException:
    # Unverified against AWS: the text for a policy name the key lacks
    # (docs/kms-behaviour.md#key-policy-operations).
    return aws.NotFoundException("No such policy exists")


@handles("GetKeyPolicy")
def get_key_policy(ctx: RequestContext, params: Params) -> Result:
    """https://docs.aws.amazon.com/kms/latest/APIReference/API_GetKeyPolicy.html"""
    key = ctx.key(params["KeyId"])
    name = params.get("PolicyName", POLICY_NAME)
    if name == POLICY_NAME:
        return {"Policy": effective_policy(key), "PolicyName": POLICY_NAME}
    shared = ram_policy(key) if name == RAM_POLICY_NAME else None
    if shared is None:
        raise _no_such_policy()
    return {"Policy": shared, "PolicyName": RAM_POLICY_NAME}


@handles("PutKeyPolicy")
def put_key_policy(ctx: RequestContext, params: Params) -> Result:
    """https://docs.aws.amazon.com/kms/latest/APIReference/API_PutKeyPolicy.html

    The document is stored exactly as given. Only the default policy can be set; the
    AWS_RAM policy is refused after authorization and before the document is read, as
    the API reference describes.
    """
    key = ctx.key(params["KeyId"])
    name = params.get("PolicyName", POLICY_NAME)
    if name == RAM_POLICY_NAME:
        # Quoted in the API reference.
        raise aws.ValidationException("The AWS_RAM policy can only be managed by the RAM service.")
    if name != POLICY_NAME:
        raise _no_such_policy()
    policy = params["Policy"]
    check_policy(
        policy,
        caller_account=ctx.account,
        caller=ctx.principal,
        bypass_lockout=params.get("BypassPolicyLockoutSafetyCheck", False),
    )
    key.policy = policy
    return {}


@handles("ListKeyPolicies")
def list_key_policies(ctx: RequestContext, params: Params) -> Result:
    """https://docs.aws.amazon.com/kms/latest/APIReference/API_ListKeyPolicies.html"""
    key = ctx.key(params["KeyId"])
    names = [POLICY_NAME, RAM_POLICY_NAME] if key.ram_shares else [POLICY_NAME]
    page, paging = paginate(
        names,
        sequence_order(len(names)),
        params,
        operation=ctx.operation,
        default_limit=100,
        max_limit=1000,
    )
    return {"PolicyNames": list(page), **paging}
