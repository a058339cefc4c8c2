"""Grants: CreateGrant, ListGrants, ListRetirableGrants, RetireGrant, RevokeGrant.

What a grant allows other calls matters under ``enforce_policies`` (``_authorization``).
Grants take effect at once: KMS's eventual consistency (up to about five minutes,
reference §6.4) is not simulated.
"""

from __future__ import annotations

from typing import Any

from kmsmock.operations._paging import paginate
from kmsmock.operations._registry import Params, Result, handles
from kmsmock.state.context import RequestContext
from kmsmock.state.grants import (
    GRANT_ID,
    MAX_GRANTS_PER_KEY,
    Grant,
    TokenTarget,
    grantable,
    new_token,
)
from kmsmock.state.ids import partition_of
from kmsmock.state.keys import Key
from kmsmock.state.policies import principal_covers
from kmsmock.wire import aws_errors as aws

Constraints = dict[str, dict[str, str]]


def _check_operations(key: Key, operations: list[str]) -> None:
    if not operations:
        # Message unverified against AWS: the model sets no minimum (reference §4.11).
        raise aws.ValidationException(
            "1 validation error detected: Value '[]' at 'operations' failed to satisfy "
            "constraint: Member must have length greater than or equal to 1"
        )
    if set(operations) == {"CreateGrant"}:
        # reference §4.11 [O]
        raise aws.ValidationException("Grants must not contain only the CreateGrant operation.")
    allowed = grantable(key.spec.symmetric, key.usage)
    refused = [operation for operation in operations if operation not in allowed]
    if refused:
        # KMS answers ValidationException [D]; the text is unverified (reference §6.2).
        raise aws.ValidationException(
            f"The grant operations {', '.join(refused)} are not valid for KMS key {key.arn}."
        )


def _check_constraints(key: Key, constraints: Constraints | None) -> None:
    if not constraints:
        return
    if not key.spec.symmetric:
        # Constraints are for symmetric encryption keys only [M]; text unverified (§6.3).
        raise aws.ValidationException(
            "Grant constraints are supported only for symmetric encryption KMS keys."
        )
    for name, pairs in constraints.items():
        if len(pairs) > 8:
            # At most 8 pairs per constraint [M]; text unverified (§6.3).
            raise aws.ValidationException(f"{name} can contain at most 8 encryption context pairs.")
        for value in pairs.values():
            if len(value) > 384:
                # Each value at most 384 characters [M]; text unverified (§6.3).
                raise aws.ValidationException(
                    f"An encryption context value in {name} exceeds 384 characters."
                )


def _token(ctx: RequestContext, key: Key, grant: Grant) -> str:
    target = TokenTarget(key.account, key.region, key.key_id, grant.grant_id)
    return new_token(ctx.backend.grant_tokens, target, ctx.backend.entropy.token_bytes)


@handles("CreateGrant")
def create_grant(ctx: RequestContext, params: Params) -> Result:
    """https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateGrant.html

    A repeated request with the same Name and the same parameters returns the
    existing grant's ID, with a new token, as KMS does.
    """
    key = ctx.key(params["KeyId"])
    operations: list[str] = params["Operations"]
    _check_operations(key, operations)
    constraints: Constraints | None = params.get("Constraints") or None
    _check_constraints(key, constraints)
    if params.get("DryRun"):
        raise aws.dry_run()
    grantee: str = params["GranteePrincipal"]
    retiring: str | None = params.get("RetiringPrincipal")
    name: str | None = params.get("Name")
    grants = key.grants if key.grants is not None else {}
    if name is not None:
        for grant in grants.values():
            same = grant.same_request(grantee, retiring, operations, constraints, ctx.account)
            if grant.name == name and same:
                return {"GrantToken": _token(ctx, key, grant), "GrantId": grant.grant_id}
    if len(grants) >= MAX_GRANTS_PER_KEY:
        # reference §4.11 [D]; text unverified.
        raise aws.LimitExceededException(
            f"The grant limit of {MAX_GRANTS_PER_KEY} for KMS key {key.arn} has been reached."
        )
    grant = Grant(
        grant_id=ctx.backend.entropy.hex(32),
        name=name,
        created=ctx.now(),
        grantee=grantee,
        retiring=retiring,
        issuing_account=ctx.account,
        operations=tuple(operations),
        constraints=constraints,
        seq=ctx.backend.next_grant_seq(),
    )
    grants[grant.grant_id] = grant
    key.grants = grants
    return {"GrantToken": _token(ctx, key, grant), "GrantId": grant.grant_id}


def _page(ctx: RequestContext, found: list[tuple[Key, Grant]], params: Params) -> dict[str, Any]:
    found.sort(key=lambda pair: pair[1].seq)
    order = [f"{grant.seq:012d}" for _, grant in found]
    page, paging = paginate(found, order, params, default_limit=50, max_limit=100)
    partition = partition_of(ctx.region)
    return {"Grants": [grant.entry(key.arn, partition) for key, grant in page], **paging}


@handles("ListGrants")
def list_grants(ctx: RequestContext, params: Params) -> Result:
    """https://docs.aws.amazon.com/kms/latest/APIReference/API_ListGrants.html"""
    key = ctx.key(params["KeyId"])
    grants = list((key.grants or {}).values())
    grant_id = params.get("GrantId")
    if grant_id is not None:
        grants = [grant for grant in grants if grant.grant_id == grant_id]
        if not grants:
            # reference §4.11 [E]; KMS's text is unknown, kmsmock sends none.
            raise aws.InvalidGrantIdException()
    grantee = params.get("GranteePrincipal")
    if grantee is not None:
        grants = [grant for grant in grants if grant.grantee == grantee]
    return _page(ctx, [(key, grant) for grant in grants], params)


@handles("ListRetirableGrants")
def list_retirable_grants(ctx: RequestContext, params: Params) -> Result:
    """https://docs.aws.amazon.com/kms/latest/APIReference/API_ListRetirableGrants.html

    Every grant in the caller's account and Region that the principal may retire,
    including grants the account created on other accounts' keys.
    """
    principal = params["RetiringPrincipal"]
    found = [
        (key, grant)
        for state in ctx.backend.regions()
        if state.region == ctx.region
        for key in state.keys.values()
        if key.grants
        for grant in key.grants.values()
        if grant.retiring == principal and ctx.account in (state.account, grant.issuing_account)
    ]
    return _page(ctx, found, params)


def _grant_of(key: Key, grant_id: str) -> Grant:
    if not GRANT_ID.fullmatch(grant_id):
        # KMS's text is unknown, kmsmock sends none (reference §4.11).
        raise aws.InvalidGrantIdException()
    grant = (key.grants or {}).get(grant_id)
    if grant is None:
        # Text unverified against AWS (reference §4.11).
        raise aws.NotFoundException(f"Grant ID {grant_id} not found")
    return grant


def _remove(key: Key, grant: Grant) -> None:
    assert key.grants is not None
    del key.grants[grant.grant_id]
    if not key.grants:
        key.grants = None


@handles("RetireGrant")
def retire_grant(ctx: RequestContext, params: Params) -> Result:
    """https://docs.aws.amazon.com/kms/latest/APIReference/API_RetireGrant.html

    The grant is named by its token, or by KeyId and GrantId together.
    """
    token = params.get("GrantToken")
    if token is not None:
        target = ctx.backend.grant_tokens.get(token)
        if target is None:
            raise aws.InvalidGrantTokenException()
        # Grants are regional: a token finds its grant only in the grant's Region.
        state = ctx.backend.peek(target.account, target.region)
        if target.region != ctx.region:
            state = None
        key = state.keys.get(target.key_id) if state is not None else None
        grant = (key.grants or {}).get(target.grant_id) if key is not None else None
        if key is None or grant is None:
            # Text unverified against AWS (reference §4.11).
            raise aws.NotFoundException(f"Grant ID {target.grant_id} not found")
    elif params.get("KeyId") is not None and params.get("GrantId") is not None:
        key = ctx.key(params["KeyId"])
        grant = _grant_of(key, params["GrantId"])
    else:
        # Text unverified against AWS (reference §4.11).
        raise aws.ValidationException("Grant token OR (grant ID, key ID) must be specified")
    _check_retiring(ctx, key, grant)
    if params.get("DryRun"):
        raise aws.dry_run()
    _remove(key, grant)
    return {}


def _check_retiring(ctx: RequestContext, key: Key, grant: Grant) -> None:
    """Under ``enforce_policies``, who may retire a grant (reference §6.4): its retiring
    principal, its grantee if the grant allows RetireGrant, or the account that created it
    (through IAM, which kmsmock takes to allow its principals)."""
    if not ctx.backend.enforce_policies:
        return
    principal, account = ctx.principal, ctx.account
    if grant.retiring is not None and principal_covers(
        grant.retiring, principal, account, delegation=False
    ):
        return
    grantee = principal_covers(grant.grantee, principal, account, delegation=False)
    if (grantee and "RetireGrant" in grant.operations) or account == grant.issuing_account:
        return
    raise aws.AccessDeniedException(
        f"User: {principal} is not authorized to perform: kms:RetireGrant on resource: "
        f"{key.arn} because no identity-based policy allows the kms:RetireGrant action"
    )


@handles("RevokeGrant")
def revoke_grant(ctx: RequestContext, params: Params) -> Result:
    """https://docs.aws.amazon.com/kms/latest/APIReference/API_RevokeGrant.html"""
    key = ctx.key(params["KeyId"])
    grant = _grant_of(key, params["GrantId"])
    if params.get("DryRun"):
        raise aws.dry_run()
    _remove(key, grant)
    return {}
