"""Key rotation: EnableKeyRotation, DisableKeyRotation, GetKeyRotationStatus,
RotateKeyOnDemand, ListKeyRotations."""

from __future__ import annotations

from kmsmock.operations._paging import paginate, sequence_order
from kmsmock.operations._registry import Params, Result, handles
from kmsmock.state import imported_materials as _materials
from kmsmock.state import rotation as _rotation
from kmsmock.state.context import RequestContext
from kmsmock.state.keys import Key, KeyState
from kmsmock.wire import aws_errors as aws

MAX_ON_DEMAND_ROTATIONS = 25
# An on-demand rotation cannot start this close to an automatic one
# (docs/kms-behaviour.md#rotation).
_AUTOMATIC_GUARD_SECONDS = 20 * 60


def _rotatable(ctx: RequestContext, identifier: str, *, imported: bool = False) -> Key:
    """A key that supports rotation: symmetric, with KMS-made material, or also imported
    material where ``imported`` (ListKeyRotations) (docs/kms-behaviour.md#rotation)."""
    key = ctx.key(identifier)
    if not key.spec.symmetric:
        # Unverified against AWS: the message (docs/kms-behaviour.md#rotation).
        raise aws.key_spec_not_valid(key.arn, key.spec.name)
    if key.origin != "AWS_KMS" and not (imported and key.origin == "EXTERNAL"):
        raise aws.origin_not_valid(key.arn, key.origin)
    return key


def _primary(key: Key) -> Key:
    """Rotation of a multi-Region set is set and done on its primary
    (docs/kms-behaviour.md#multi-region-keys)."""
    if key.is_replica:
        # Unverified against AWS: the text (docs/kms-behaviour.md#rotation).
        raise aws.not_multi_region_primary(key.arn)
    return key


@handles("EnableKeyRotation")
def enable_key_rotation(ctx: RequestContext, params: Params) -> Result:
    """https://docs.aws.amazon.com/kms/latest/APIReference/API_EnableKeyRotation.html

    Enabling again restarts the schedule from now with the new period.
    """
    key = _primary(_rotatable(ctx, params["KeyId"]))
    _rotation.enable(ctx.backend, key, params.get("RotationPeriodInDays", 365), ctx.now())
    return {}


@handles("DisableKeyRotation")
def disable_key_rotation(ctx: RequestContext, params: Params) -> Result:
    """https://docs.aws.amazon.com/kms/latest/APIReference/API_DisableKeyRotation.html"""
    _rotation.disable(ctx.backend, _primary(_rotatable(ctx, params["KeyId"])))
    return {}


@handles("GetKeyRotationStatus")
def get_key_rotation_status(ctx: RequestContext, params: Params) -> Result:
    """https://docs.aws.amazon.com/kms/latest/APIReference/API_GetKeyRotationStatus.html

    A key pending deletion reads as not rotating; its setting returns on cancel.
    KeyId is the key ARN whatever form the request used, as recorded from KMS.
    """
    key = _rotatable(ctx, params["KeyId"])
    period = key.rotation.period_days if key.rotation is not None else None
    enabled = period is not None and key.state not in (
        KeyState.PENDING_DELETION,
        KeyState.PENDING_REPLICA_DELETION,
    )
    result: Result = {"KeyId": key.arn, "KeyRotationEnabled": enabled}
    if enabled:
        result["RotationPeriodInDays"] = period
        result["NextRotationDate"] = _rotation.next_date(key)
    return result


@handles("RotateKeyOnDemand")
def rotate_key_on_demand(ctx: RequestContext, params: Params) -> Result:
    """https://docs.aws.amazon.com/kms/latest/APIReference/API_RotateKeyOnDemand.html

    The rotation completes before the response; AWS finishes it shortly after. An
    imported key rotates to the new material imported for it (PENDING_ROTATION).
    """
    key = ctx.key(params["KeyId"])
    if not key.spec.symmetric:
        # KMS answers asymmetric and HMAC keys with an empty message
        # (docs/kms-behaviour.md#rotation).
        raise aws.UnsupportedOperationException("")
    if key.store is not None:
        # Keys in custom key stores do not rotate (botocore's KMS model).
        raise aws.origin_not_valid(key.arn, key.origin)
    _primary(key)
    done = sum(1 for _, _, kind in _rotation.completed(key) if kind == _rotation.ON_DEMAND)
    if done >= MAX_ON_DEMAND_ROTATIONS:
        raise aws.LimitExceededException(
            "The on-demand rotations limit has been reached for the given keyId. "
            f"No more on-demand rotations can be performed for this key: {key.arn}"
        )
    now = ctx.now()
    if key.origin == "EXTERNAL":
        # Only imported material in PENDING_ROTATION (in every key of a multi-Region
        # set) can become current; the text is as recorded from KMS.
        if not _materials.rotate(ctx.backend, key, now):
            raise aws.KMSInvalidStateException(
                f"No available key material pending rotation for the key: {key.arn}."
            )
        return {"KeyId": key.arn}
    due = _rotation.next_date(key)
    if due is not None and due - now <= _AUTOMATIC_GUARD_SECONDS:
        # Unverified against AWS: the message (docs/kms-behaviour.md#rotation).
        raise aws.ConflictException(
            f"{key.arn} has an automatic rotation in progress or about to start."
        )
    _rotation.rotate(ctx.backend, key, now, _rotation.ON_DEMAND)
    return {"KeyId": key.arn}


@handles("ListKeyRotations")
def list_key_rotations(ctx: RequestContext, params: Params) -> Result:
    """https://docs.aws.amazon.com/kms/latest/APIReference/API_ListKeyRotations.html

    ROTATIONS_ONLY lists the materials completed rotations made current;
    ALL_KEY_MATERIAL also the first material and imported material pending rotation.
    """
    key = _rotatable(ctx, params["KeyId"], imported=True)
    everything = params.get("IncludeKeyMaterial", "ROTATIONS_ONLY") == "ALL_KEY_MATERIAL"
    rotated = {material: (date, kind) for material, date, kind in _rotation.completed(key)}
    entries: list[Result] = []
    for material_id in key.material_ids():
        entry: Result = {
            "KeyId": key.key_id,
            "KeyMaterialId": material_id,
            "KeyMaterialState": "CURRENT" if material_id == key.material_id else "NON_CURRENT",
        }
        if key.origin == "EXTERNAL":
            entry.update(_imported_fields(key, material_id))
        if material_id in rotated:
            entry["RotationDate"], entry["RotationType"] = rotated[material_id]
        elif not everything:
            continue
        entries.append(entry)
    pending_id, pending_state = _materials.set_pending(ctx.backend, key)
    if everything and pending_id is not None:
        entries.append(
            {
                "KeyId": key.key_id,
                "KeyMaterialId": pending_id,
                "KeyMaterialState": pending_state,
                **_imported_fields(key, pending_id),
            }
        )
    # Materials are only ever added, so a position in the list is a stable order.
    order = sequence_order(len(entries))
    page, paging = paginate(
        entries, order, params, operation=ctx.operation, default_limit=100, max_limit=1000
    )
    return {"Rotations": list(page), **paging}


def _imported_fields(key: Key, material_id: str) -> Result:
    """What ListKeyRotations adds for the material of an imported key (RotationsListEntry):
    a replica lists its set's pending material as PENDING_IMPORT until it imports it."""
    imports = _materials.per_material(key)
    record = imports.records.get(material_id) if imports is not None else None
    imported = record is not None and record.expiration_model is not None
    fields: Result = {"ImportState": "IMPORTED" if imported else "PENDING_IMPORT"}
    if record is not None and record.description is not None:
        fields["KeyMaterialDescription"] = record.description
    if record is not None and record.expiration_model is not None:
        fields["ExpirationModel"] = record.expiration_model
        if record.valid_to is not None:
            fields["ValidTo"] = record.valid_to
    return fields
