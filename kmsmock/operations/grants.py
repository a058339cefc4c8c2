"""Grants: CreateGrant, ListGrants, ListRetirableGrants, RetireGrant, RevokeGrant.

What a grant allows other calls matters under ``enforce_policies`` (``_authorization``).
Grants take effect at once: KMS's eventual consistency (up to about five minutes,
docs/kms-behaviour.md#retiring-grants) is not simulated.
"""

from __future__ import annotations

from typing import Any

from kmsmock.operations._paging import page_start, paginate, paging_fields
from kmsmock.operations._registry import Params, Result, handles
from kmsmock.state.context import RequestContext
from kmsmock.state.grants import (
    GRANT_ID,
    MAX_GRANTS_PER_KEY,
    Constraints,
    Grant,
    TokenTarget,
    grantable,
    new_token,
)
from kmsmock.state.iam import principal_covers
from kmsmock.state.identities import is_service_principal
from kmsmock.state.ids import partition_of
from kmsmock.state.keys import Key
from kmsmock.state.retirable import position
from kmsmock.wire import aws_errors as aws

Parties = tuple[str | None, str | None, str | None, str | None]
_CONTEXT_CONSTRAINTS = ("EncryptionContextSubset", "EncryptionContextEquals")


def _parties(params: Params) -> Parties:
    """(GranteePrincipal, RetiringPrincipal, GranteeServicePrincipal,
    RetiringServicePrincipal) of a CreateGrant, checked for the combinations the API
    reference allows. Unverified against AWS: the texts, which follow its sentences."""
    grantee, retiring = params.get("GranteePrincipal"), params.get("RetiringPrincipal")
    service, retiring_service = (
        params.get("GranteeServicePrincipal"),
        params.get("RetiringServicePrincipal"),
    )
    if (grantee is None) == (service is None):
        raise aws.ValidationException(
            "You must specify either GranteePrincipal or GranteeServicePrincipal, but not both."
        )
    if retiring is not None and retiring_service is not None:
        raise aws.ValidationException(
            "You can specify either RetiringPrincipal or RetiringServicePrincipal, but not both."
        )
    if service is not None:
        if "SourceArn" not in (params.get("Constraints") or {}):
            raise aws.ValidationException(
                "When you specify a GranteeServicePrincipal, you must also specify a "
                "SourceArn grant constraint."
            )
        if retiring is None and retiring_service is None:
            raise aws.ValidationException(
                "When you specify a GranteeServicePrincipal, you must specify either a "
                "RetiringPrincipal or a RetiringServicePrincipal."
            )
    return grantee, retiring, service, retiring_service


def _check_operations(key: Key, operations: list[str]) -> None:
    if not operations:
        # Unverified against AWS: the message; the model sets no minimum
        # (docs/kms-behaviour.md#create-grant).
        raise aws.ValidationException(
            "1 validation error detected: Value '[]' at 'operations' failed to satisfy "
            "constraint: Member must have length greater than or equal to 1"
        )
    if set(operations) == {"CreateGrant"}:
        # Observed from AWS (docs/kms-behaviour.md#create-grant).
        raise aws.ValidationException("Grants must not contain only the CreateGrant operation.")
    allowed = grantable(key.spec.symmetric, key.usage)
    refused = [operation for operation in operations if operation not in allowed]
    if refused:
        # KMS answers ValidationException (docs/kms-behaviour.md#grant-operations).
        # Unverified against AWS: the text.
        raise aws.ValidationException(
            f"The grant operations {', '.join(refused)} are not valid for KMS key {key.arn}."
        )


def _check_constraints(key: Key, constraints: Constraints | None) -> None:
    # SourceArn suits every key type; encryption context constraints only keys that
    # take an encryption context (API reference, GrantConstraints).
    if not any(name in (constraints or {}) for name in _CONTEXT_CONSTRAINTS):
        return
    assert constraints is not None
    if not key.spec.symmetric:
        # Constraints are for symmetric encryption keys only (docs/kms-behaviour.md#create-grant).
        # Unverified against AWS: the text.
        raise aws.ValidationException(
            "Grant constraints are supported only for symmetric encryption KMS keys."
        )
    for name in _CONTEXT_CONSTRAINTS:
        pairs = constraints.get(name) or {}
        if len(pairs) > 8:
            # At most 8 pairs per constraint. Unverified against AWS: the text
            # (docs/kms-behaviour.md#create-grant).
            raise aws.ValidationException(f"{name} can contain at most 8 encryption context pairs.")
        for value in pairs.values():
            if len(value) > 384:
                # Each value at most 384 characters. Unverified against AWS: the text
                # (docs/kms-behaviour.md#create-grant).
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
    existing grant's ID, with a new token, as KMS does. A grant to an AWS service
    principal needs a SourceArn constraint and a retiring party.
    """
    parties = _parties(params)
    key = ctx.key(params["KeyId"])
    operations: list[str] = params["Operations"]
    _check_operations(key, operations)
    constraints: Constraints | None = params.get("Constraints") or None
    _check_constraints(key, constraints)
    if params.get("DryRun"):
        raise aws.dry_run()
    name: str | None = params.get("Name")
    grants = key.grants if key.grants is not None else {}
    if name is not None:
        for grant in grants.values():
            if grant.name == name and grant.same_request(parties, operations, constraints):
                return {"GrantToken": _token(ctx, key, grant), "GrantId": grant.grant_id}
    if len(grants) >= MAX_GRANTS_PER_KEY:
        # Unverified against AWS: the text (docs/kms-behaviour.md#create-grant).
        raise aws.LimitExceededException(
            f"The grant limit of {MAX_GRANTS_PER_KEY} for KMS key {key.arn} has been reached."
        )
    grantee, retiring, grantee_service, retiring_service = parties
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
        grantee_service=grantee_service,
        retiring_service=retiring_service,
    )
    grants[grant.grant_id] = grant
    key.grants = grants
    ctx.backend.retirable.add(key, grant)
    return {"GrantToken": _token(ctx, key, grant), "GrantId": grant.grant_id}


def _page(ctx: RequestContext, found: list[tuple[Key, Grant]], params: Params) -> dict[str, Any]:
    found.sort(key=lambda pair: pair[1].seq)
    order = [f"{grant.seq:012d}" for _, grant in found]
    page, paging = paginate(
        found, order, params, operation=ctx.operation, default_limit=50, max_limit=100
    )
    partition = partition_of(ctx.region)
    return {"Grants": [grant.entry(key.arn, partition) for key, grant in page], **paging}


def _service_filter(ctx: RequestContext, operation: str, service: str, resource: str) -> None:
    """The service-principal filters of ListGrants and ListRetirableGrants are "only
    usable by callers in a service principal" (API reference): an AWS service may list its own
    grants; any other caller is refused, whether or not policies are enforced."""
    if is_service_principal(ctx.principal) and ctx.principal == service:
        return
    # Unverified against AWS: the refusal's text; this is KMS's "not authorized" template.
    raise aws.not_allowed_by_iam(ctx.principal, operation, resource)


@handles("ListGrants")
def list_grants(ctx: RequestContext, params: Params) -> Result:
    """https://docs.aws.amazon.com/kms/latest/APIReference/API_ListGrants.html

    The GranteeServicePrincipal filter answers only a caller acting as that service
    principal (``kms.identities.add(..., service_principal=...)``).
    """
    service = params.get("GranteeServicePrincipal")
    if service is not None and params.get("GranteePrincipal") is not None:
        # The API reference's "either ... but not both". Unverified against AWS: the text.
        raise aws.ValidationException(
            "You can specify either GranteePrincipal or GranteeServicePrincipal, but not both."
        )
    key = ctx.key(params["KeyId"])
    if service is not None:
        _service_filter(ctx, "ListGrants", service, key.arn)
    grants = list((key.grants or {}).values())
    grant_id = params.get("GrantId")
    if grant_id is not None:
        grants = [grant for grant in grants if grant.grant_id == grant_id]
        if not grants:
            # Unverified against AWS: the text, so kmsmock sends none
            # (docs/kms-behaviour.md#create-grant).
            raise aws.InvalidGrantIdException()
    grantee = params.get("GranteePrincipal")
    if grantee is not None:
        grants = [grant for grant in grants if grant.grantee == grantee]
    if service is not None:
        grants = [grant for grant in grants if grant.grantee_service == service]
    return _page(ctx, [(key, grant) for grant in grants], params)


@handles("ListRetirableGrants")
def list_retirable_grants(ctx: RequestContext, params: Params) -> Result:
    """https://docs.aws.amazon.com/kms/latest/APIReference/API_ListRetirableGrants.html

    Every grant in the caller's account and Region that the principal (or service
    principal) may retire, including grants the account created on other accounts' keys.
    """
    principal: str | None = params.get("RetiringPrincipal")
    service: str | None = params.get("RetiringServicePrincipal")
    if (principal is None) == (service is None):
        # The API reference's "either ... but not both". Unverified against AWS: the text.
        raise aws.ValidationException(
            "You must specify either RetiringPrincipal or RetiringServicePrincipal, but not both."
        )
    if service is not None:
        _service_filter(ctx, "ListRetirableGrants", service, service)
    # Grants the account may see: on its own keys, and those it created on other keys.
    kind, who = ("service", service) if service is not None else ("principal", principal or "")
    slot = (ctx.account, ctx.region, kind, who)
    start, limit = page_start(params, operation=ctx.operation, default_limit=50, max_limit=100)
    page, following = ctx.backend.retirable.page(slot, start, limit)
    partition = partition_of(ctx.region)
    return {
        "Grants": [grant.entry(key.arn, partition) for key, grant in page],
        **paging_fields(position(following) if following is not None else None),
    }


def _grant_of(key: Key, grant_id: str) -> Grant:
    if not GRANT_ID.fullmatch(grant_id):
        # Unverified against AWS: the text, so kmsmock sends none
        # (docs/kms-behaviour.md#create-grant).
        raise aws.InvalidGrantIdException()
    grant = (key.grants or {}).get(grant_id)
    if grant is None:
        # Unverified against AWS: the text (docs/kms-behaviour.md#create-grant).
        raise aws.grant_not_found(grant_id)
    return grant


def _remove(ctx: RequestContext, key: Key, grant: Grant) -> None:
    assert key.grants is not None
    ctx.backend.retirable.remove(key, grant)
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
            # Unverified against AWS: the text (docs/kms-behaviour.md#create-grant).
            raise aws.grant_not_found(target.grant_id)
    elif params.get("KeyId") is not None and params.get("GrantId") is not None:
        key = ctx.key(params["KeyId"])
        grant = _grant_of(key, params["GrantId"])
    else:
        # Unverified against AWS: the text (docs/kms-behaviour.md#create-grant).
        raise aws.ValidationException("Grant token OR (grant ID, key ID) must be specified")
    _check_retiring(ctx, key, grant)
    if params.get("DryRun"):
        raise aws.dry_run()
    _remove(ctx, key, grant)
    return {}


def _check_retiring(ctx: RequestContext, key: Key, grant: Grant) -> None:
    """Under ``enforce_policies``, who may retire a grant
    (docs/kms-behaviour.md#retiring-grants): its retiring principal or retiring service
    principal, its grantee if the grant allows RetireGrant,
    or the account that created it (through IAM, which kmsmock takes to allow its
    principals). A SourceArn constraint does not apply to RetireGrant (API reference)."""
    if not ctx.backend.enforce_policies:
        return
    principal, account = ctx.principal, ctx.account
    if is_service_principal(principal):
        if principal == grant.retiring_service or (
            principal == grant.grantee_service and "RetireGrant" in grant.operations
        ):
            return
    else:
        if grant.retiring is not None and principal_covers(
            grant.retiring, principal, account, delegation=False
        ):
            return
        grantee = grant.grantee is not None and principal_covers(
            grant.grantee, principal, account, delegation=False
        )
        if (grantee and "RetireGrant" in grant.operations) or account == grant.issuing_account:
            return
    raise aws.not_allowed_by_iam(principal, "RetireGrant", key.arn)


@handles("RevokeGrant")
def revoke_grant(ctx: RequestContext, params: Params) -> Result:
    """https://docs.aws.amazon.com/kms/latest/APIReference/API_RevokeGrant.html"""
    key = ctx.key(params["KeyId"])
    grant = _grant_of(key, params["GrantId"])
    if params.get("DryRun"):
        raise aws.dry_run()
    _remove(ctx, key, grant)
    return {}
