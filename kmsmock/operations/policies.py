"""Key policies: GetKeyPolicy, PutKeyPolicy, ListKeyPolicies."""

from __future__ import annotations

from kmsmock.operations._paging import paginate, sequence_order
from kmsmock.operations._registry import Params, Result, handles
from kmsmock.state.context import RequestContext
from kmsmock.state.keys import Key
from kmsmock.state.policies import check_policy, default_policy
from kmsmock.wire import aws_errors as aws

POLICY_NAME = "default"


def _check_name(params: Params) -> None:
    # A key has exactly one policy, named "default" (reference §4.10).
    if params.get("PolicyName", POLICY_NAME) != POLICY_NAME:
        raise aws.NotFoundException("No such policy exists")


def policy_of(key: Key) -> str:
    return key.policy if key.policy is not None else default_policy(key.region, key.account)


@handles("GetKeyPolicy")
def get_key_policy(ctx: RequestContext, params: Params) -> Result:
    """https://docs.aws.amazon.com/kms/latest/APIReference/API_GetKeyPolicy.html"""
    key = ctx.key(params["KeyId"])
    _check_name(params)
    return {"Policy": policy_of(key), "PolicyName": POLICY_NAME}


@handles("PutKeyPolicy")
def put_key_policy(ctx: RequestContext, params: Params) -> Result:
    """https://docs.aws.amazon.com/kms/latest/APIReference/API_PutKeyPolicy.html

    The document is stored exactly as given.
    """
    key = ctx.key(params["KeyId"])
    _check_name(params)
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
    ctx.key(params["KeyId"])
    names = [POLICY_NAME]
    page, paging = paginate(
        names, sequence_order(len(names)), params, default_limit=100, max_limit=1000
    )
    return {"PolicyNames": list(page), **paging}
