"""Aliases: CreateAlias, UpdateAlias, DeleteAlias, ListAliases."""

from __future__ import annotations

import bisect

from kmsmock.operations._paging import page_start, paging_fields
from kmsmock.operations._registry import Params, Result, handles
from kmsmock.state import aws_managed as _aws_managed
from kmsmock.state.backend import AccountRegion, Alias
from kmsmock.state.context import RequestContext
from kmsmock.state.ids import alias_arn
from kmsmock.state.keys import Key
from kmsmock.wire import aws_errors as aws

MAX_ALIASES_PER_KEY = 50


def _check_name(ctx: RequestContext, name: str) -> None:
    if not name.startswith("alias/"):
        raise aws.ValidationException(
            'Alias must start with the prefix "alias/". Please see '
            "https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html"
        )
    if ":" in name:
        # ':' passes the model's pattern but not the service (docs/kms-behaviour.md#aliases).
        # Unverified against AWS: the text.
        raise aws.ValidationException(f"{name} contains invalid characters for an alias")
    _refuse_reserved(ctx, name)


def _refuse_reserved(ctx: RequestContext, name: str) -> None:
    # AWS managed aliases belong to KMS. Unverified against AWS: its answer to changing
    # one, so kmsmock answers as the account's policy would (docs/kms-behaviour.md#aliases).
    if name.startswith(_aws_managed.RESERVED_PREFIX):
        raise aws.access_denied(ctx.principal, ctx.operation, _arn(ctx, name))


def _arn(ctx: RequestContext, name: str) -> str:
    return alias_arn(ctx.region, ctx.account, name)


def _check_room(ctx: RequestContext, state: AccountRegion, key: Key) -> None:
    if len(state.aliases_of(key.key_id)) >= MAX_ALIASES_PER_KEY:
        # Unverified against AWS: the message (docs/kms-behaviour.md#quotas).
        raise aws.LimitExceededException(
            f"Cannot create more than {MAX_ALIASES_PER_KEY} aliases for key {key.arn}."
        )


@handles("CreateAlias")
def create_alias(ctx: RequestContext, params: Params) -> Result:
    """https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateAlias.html"""
    name = params["AliasName"]
    _check_name(ctx, name)
    # Another account's key never gets here: CreateAlias is not a cross-account
    # operation, so key resolution refuses it.
    key = ctx.key(params["TargetKeyId"])
    state = ctx.account_region
    if name in state.aliases:
        raise aws.AlreadyExistsException(f"An alias with the name {_arn(ctx, name)} already exists")
    _check_room(ctx, state, key)
    now = ctx.now()
    state.add_alias(Alias(name, key.key_id, now, now))
    return {}


def _kind(key: Key) -> str:
    if key.spec.symmetric:
        return "symmetric"
    if key.usage == "GENERATE_VERIFY_MAC":
        return "HMAC"
    return "asymmetric"


@handles("UpdateAlias")
def update_alias(ctx: RequestContext, params: Params) -> Result:
    """https://docs.aws.amazon.com/kms/latest/APIReference/API_UpdateAlias.html"""
    name = params["AliasName"]
    state = ctx.account_region
    _refuse_reserved(ctx, name)
    alias = state.aliases.get(name)
    if alias is None or alias.target_key_id is None:
        raise aws.alias_not_found(_arn(ctx, name))
    key = ctx.key(params["TargetKeyId"])
    current = state.keys[alias.target_key_id]
    ctx.authorize(current)  # UpdateAlias: the old key too (docs/kms-behaviour.md#authorization)
    if _kind(current) != _kind(key) or current.usage != key.usage:
        # Unverified against AWS: the message (docs/kms-behaviour.md#alias-operations).
        raise aws.ValidationException(
            f"Alias {_arn(ctx, name)} cannot be changed from a key of type "
            f"{_kind(current)} with key usage {current.usage} to a key of type "
            f"{_kind(key)} with key usage {key.usage}. The target key must be the same "
            "type and have the same key usage."
        )
    if key.key_id != current.key_id:
        _check_room(ctx, state, key)
    state.retarget_alias(alias, key.key_id)
    alias.updated = ctx.now()
    return {}


@handles("DeleteAlias")
def delete_alias(ctx: RequestContext, params: Params) -> Result:
    """https://docs.aws.amazon.com/kms/latest/APIReference/API_DeleteAlias.html"""
    name = params["AliasName"]
    state = ctx.account_region
    _refuse_reserved(ctx, name)
    alias = state.aliases.get(name)
    if alias is None:
        raise aws.alias_not_found(_arn(ctx, name))
    if alias.target_key_id is not None:
        ctx.authorize(state.keys[alias.target_key_id])  # the action on the key it names
    state.remove_alias(name)
    return {}


@handles("ListAliases")
def list_aliases(ctx: RequestContext, params: Params) -> Result:
    """https://docs.aws.amazon.com/kms/latest/APIReference/API_ListAliases.html

    Aliases are listed by name, including the predefined ``alias/aws/*`` ones, which
    have no target until their AWS managed key is created.
    """
    state = ctx.account_region
    key_filter = params.get("KeyId")
    start, limit = page_start(params, operation=ctx.operation, default_limit=50, max_limit=100)
    if key_filter is None:
        # The page's names, and one more to tell whether another page follows: from the
        # sorted names of the account's aliases and of the predefined ones, merged.
        names = state.alias_names
        first = bisect.bisect_left(names, start)
        taken = set(names[first : first + limit + 1])
        reserved = bisect.bisect_left(_aws_managed.ALIAS_NAMES, start)
        taken.update(_aws_managed.ALIAS_NAMES[reserved : reserved + limit + 1])
        wanted = sorted(taken)[: limit + 1]
    else:
        wanted = sorted(
            alias.name
            for alias in state.aliases_of(ctx.key(key_filter).key_id)
            if alias.name >= start
        )[: limit + 1]
    following = wanted[limit] if len(wanted) > limit else None
    return {
        "Aliases": [_entry(ctx, state, name) for name in wanted[:limit]],
        **paging_fields(following),
    }


def _entry(ctx: RequestContext, state: AccountRegion, name: str) -> Result:
    alias = state.aliases.get(name)
    if alias is None:
        # A predefined alias whose AWS managed key is not created yet: no target.
        return {"AliasName": name, "AliasArn": _arn(ctx, name)}
    return {
        "AliasName": name,
        "AliasArn": _arn(ctx, name),
        "TargetKeyId": alias.target_key_id,
        "CreationDate": alias.created,
        "LastUpdatedDate": alias.updated,
    }
