"""Multi-Region keys: ReplicateKey, UpdatePrimaryRegion
(docs/kms-behaviour.md#multi-region-operations).

The transient states KMS shows (a new replica Creating, both keys Updating while the
primary moves) are in the response and end before the next call
(docs/kms-behaviour.md#key-states).
"""

from __future__ import annotations

from kmsmock.operations._registry import Params, Result, handles
from kmsmock.operations.keys import new_key_policy_and_tags
from kmsmock.state import imported_materials as _materials
from kmsmock.state import multi_region as _multi_region
from kmsmock.state import rotation as _rotation
from kmsmock.state.context import RequestContext
from kmsmock.state.ids import key_arn, partition_of
from kmsmock.state.key_states import require_state
from kmsmock.state.keys import Key, KeyState, RegionSet
from kmsmock.state.policies import effective_policy
from kmsmock.wire import aws_errors as aws


def _primary(ctx: RequestContext, identifier: str) -> Key:
    key = ctx.key(identifier)
    if not key.multi_region or key.is_replica:
        # Observed from AWS for a replica (docs/kms-behaviour.md#multi-region-operations).
        # Unverified against AWS: that a single-Region key fails the same check.
        raise aws.not_multi_region_primary(key.arn)
    return key


def _after_this_call(ctx: RequestContext, key: Key, final: KeyState) -> None:
    """End a transient state before the next call sees the key."""
    transient = key.state

    def finish(_: float) -> None:
        if key.state is transient:
            key.state = final

    ctx.backend.at(ctx.now(), finish)


@handles("ReplicateKey")
def replicate_key(ctx: RequestContext, params: Params) -> Result:
    """https://docs.aws.amazon.com/kms/latest/APIReference/API_ReplicateKey.html"""
    primary = _primary(ctx, params["KeyId"])
    region = params["ReplicaRegion"]
    if region == primary.region:
        # Unverified against AWS: the text (docs/kms-behaviour.md#multi-region-operations).
        raise aws.ValidationException(
            f"The replica region {region} must differ from the primary key's region."
        )
    if partition_of(region) != partition_of(primary.region):
        # Unverified against AWS: the text (docs/kms-behaviour.md#multi-region-operations).
        raise aws.ValidationException(
            f"The replica region {region} is not in the primary key's partition."
        )
    target = ctx.backend.peek(primary.account, region)
    if target is not None and primary.key_id in target.keys:
        # Unverified against AWS: the text (docs/kms-behaviour.md#multi-region-operations).
        raise aws.AlreadyExistsException(
            f"{key_arn(region, primary.account, primary.key_id)} already exists"
        )
    policy, tags = new_key_policy_and_tags(ctx, params)
    if primary.origin != "EXTERNAL" and not primary.spec.symmetric:
        ctx.secret(primary)  # the pair the whole set shares
    # Every check passed: only now change anything.
    if primary.region_set is None:
        primary.region_set = RegionSet(primary.region, [])
    replica = Key(
        key_id=primary.key_id,
        account=primary.account,
        region=region,
        spec=primary.spec,
        usage=primary.usage,
        origin=primary.origin,
        description=params.get("Description", ""),
        created=ctx.now(),
        state=KeyState.CREATING,
        multi_region=True,
        policy=policy,
        tags=tags,
        region_set=primary.region_set,
    )
    primary.region_set.replicas.append(region)
    _multi_region.copy_shared(primary, replica)
    if primary.origin == "EXTERNAL" and primary.spec.symmetric:
        _materials.replica_start(primary, replica)
    ctx.backend.account_region(primary.account, region).add_key(replica)
    external = primary.origin == "EXTERNAL"
    _after_this_call(ctx, replica, KeyState.PENDING_IMPORT if external else KeyState.ENABLED)
    metadata = replica.metadata()
    # Not reported while the replica is being created
    # (docs/kms-behaviour.md#multi-region-operations).
    metadata.pop("CurrentKeyMaterialId", None)
    result: Result = {
        "ReplicaKeyMetadata": metadata,
        "ReplicaPolicy": effective_policy(replica),
    }
    # KMS leaves ReplicaTags out when the replica has no tags
    # (docs/kms-behaviour.md#multi-region-operations).
    if tags:
        result["ReplicaTags"] = [{"TagKey": k, "TagValue": v} for k, v in tags.items()]
    return result


@handles("UpdatePrimaryRegion")
def update_primary_region(ctx: RequestContext, params: Params) -> Result:
    """https://docs.aws.amazon.com/kms/latest/APIReference/API_UpdatePrimaryRegion.html

    The replica in PrimaryRegion becomes the primary and this key one of its replicas;
    ARNs, material and policies stay as they are.
    """
    key = _primary(ctx, params["KeyId"])
    region = params["PrimaryRegion"]
    if region == key.region:
        return {}
    state = ctx.backend.peek(key.account, region)
    replica = state.keys.get(key.key_id) if state is not None else None
    if replica is None:
        # Unverified against AWS: the text here, as for any unknown key
        # (docs/kms-behaviour.md#multi-region-operations).
        raise aws.key_does_not_exist(key_arn(region, key.account, key.key_id))
    require_state(replica, ctx.operation)
    assert key.region_set is not None  # a key with a replica has its set
    found = key.region_set
    found.replicas[found.replicas.index(region)] = key.region
    found.primary = region
    for member in (key, replica):
        final = member.state
        member.state = KeyState.UPDATING
        _after_this_call(ctx, member, final)
    if _rotation.next_date(replica) is not None:
        _rotation.schedule(ctx.backend, replica)
    return {}
