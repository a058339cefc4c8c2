"""Imported key material: GetParametersForImport, ImportKeyMaterial,
DeleteImportedKeyMaterial (docs/kms-behaviour.md#imported-key-material)."""

from __future__ import annotations

from kmsmock.operations._registry import Params, Result, handles
from kmsmock.state import imported_materials as _materials
from kmsmock.state.context import RequestContext
from kmsmock.state.expiry import drop_material, schedule_expiry
from kmsmock.state.ids import in_china
from kmsmock.state.imported import (
    MAX_VALID_TO,
    VALID_FOR,
    ImportParameters,
    fingerprint,
    make_token,
    material_id,
    symmetric_length,
    token_id,
)
from kmsmock.state.key_states import require_state
from kmsmock.state.keys import Key, KeyState
from kmsmock.wire import aws_errors as aws
from kmsmock.wire.decode import outside_china

_EXPIRES = "KEY_MATERIAL_EXPIRES"
_NEW, _EXISTING = "NEW_KEY_MATERIAL", "EXISTING_KEY_MATERIAL"


def _external(ctx: RequestContext, identifier: str) -> Key:
    """An imported key; another origin is refused before its state is
    (docs/kms-behaviour.md#key-state-table: "PD (imported keys) or IMP")."""
    key = ctx.key(identifier, check_state=False)
    if key.origin != "EXTERNAL":
        # Observed from AWS (docs/kms-behaviour.md#imported-key-material).
        raise aws.origin_not_valid(key.arn, key.origin)
    require_state(key, ctx.operation)
    return key


@handles("GetParametersForImport")
def get_parameters_for_import(ctx: RequestContext, params: Params) -> Result:
    """https://docs.aws.amazon.com/kms/latest/APIReference/API_GetParametersForImport.html

    Every call makes a new wrapping key pair and token, valid together for 24 hours.
    """
    algorithm, spec = params["WrappingAlgorithm"], params["WrappingKeySpec"]
    china = in_china(ctx.region)
    if not china:
        if spec == "SM2":
            raise outside_china(ctx.operation, "WrappingKeySpec", spec)
        if algorithm == "SM2PKE":
            raise outside_china(ctx.operation, "WrappingAlgorithm", algorithm)
    key = _external(ctx, params["KeyId"])
    if algorithm == "RSAES_PKCS1_V1_5":
        # Withdrawn on 2023-10-10. Unverified against AWS: the text
        # (docs/kms-behaviour.md#imported-key-material).
        raise aws.ValidationException(
            "The RSAES_PKCS1_V1_5 wrapping algorithm is no longer supported."
        )
    if (spec == "SM2") != (algorithm == "SM2PKE"):
        # Unverified against AWS: the text (docs/kms-behaviour.md#import-wrapping).
        raise aws.ValidationException(
            f"Wrapping algorithm {algorithm} is not compatible with wrapping key spec {spec}."
        )
    entropy = ctx.backend.entropy
    # The import engine is loaded at the first import call, not with kmsmock.
    from kmsmock.crypto.unwrap import wrapping_key

    private, public = wrapping_key(spec, entropy.token_bytes)
    valid_to = round(ctx.now() + VALID_FOR, 3)
    found_id = entropy.token_bytes(32)
    # Expired parameters stay: their token gets ExpiredImportTokenException, not
    # InvalidImportTokenException.
    imported = key.imported_record()
    if imported.parameters is None:
        imported.parameters = {}
    imported.parameters[found_id] = ImportParameters(algorithm, private, valid_to)
    return {
        "KeyId": key.arn,
        "ImportToken": make_token(found_id),
        "PublicKey": public,
        "ParametersValidTo": valid_to,
    }


def _check_expiration(ctx: RequestContext, params: Params) -> tuple[str, float | None]:
    model = params.get("ExpirationModel", _EXPIRES)
    valid_to: float | None = params.get("ValidTo")
    if model == _EXPIRES:
        if valid_to is None:
            # Observed from AWS (docs/kms-behaviour.md#imported-key-material).
            raise aws.ValidationException(
                "A validTo date must be set if the ExpirationModel is KEY_MATERIAL_EXPIRES"
            )
        now = ctx.now()
        if not now < valid_to <= now + MAX_VALID_TO:
            # In the future and at most 365 days ahead. Unverified against AWS: the text
            # (docs/kms-behaviour.md#imported-key-material).
            raise aws.ValidationException(
                "ValidTo must be in the future and at most 365 days from now."
            )
    elif valid_to is not None:
        # Unverified against AWS: the text (docs/kms-behaviour.md#imported-key-material).
        raise aws.ValidationException(
            "A validTo date must not be set if the ExpirationModel is KEY_MATERIAL_DOES_NOT_EXPIRE"
        )
    return model, valid_to


def _parameters(ctx: RequestContext, key: Key, token: bytes) -> ImportParameters:
    found_id = token_id(token)
    kept = key.imported.parameters if key.imported is not None else None
    parameters = (kept or {}).get(found_id) if found_id is not None else None
    if parameters is None:
        # Unverified against AWS: the texts (docs/kms-behaviour.md#imported-key-material).
        raise aws.InvalidImportTokenException("Import token is not valid for this key.")
    if parameters.valid_to <= ctx.now():
        raise aws.ExpiredImportTokenException("Import token has expired.")
    return parameters


@handles("ImportKeyMaterial")
def import_key_material(ctx: RequestContext, params: Params) -> Result:
    """https://docs.aws.amazon.com/kms/latest/APIReference/API_ImportKeyMaterial.html

    Asymmetric and HMAC keys hold one material forever: importing it again (to change
    its expiry, or after it was deleted or expired) works, other material is refused.
    Symmetric keys also take new material (NEW_KEY_MATERIAL) for on-demand rotation.
    """
    key = _external(ctx, params["KeyId"])
    symmetric = key.spec.symmetric
    if not symmetric:
        for member in ("ImportType", "KeyMaterialId", "KeyMaterialDescription"):
            if params.get(member) is not None:
                # Symmetric keys only. Unverified against AWS: the text
                # (docs/kms-behaviour.md#imported-key-material).
                raise aws.ValidationException(
                    f"{member} is supported only for symmetric encryption KMS keys."
                )
    model, valid_to = _check_expiration(ctx, params)
    parameters = _parameters(ctx, key, params["ImportToken"])
    from kmsmock.crypto.unwrap import unwrap

    material = unwrap(parameters.algorithm, parameters.private_key, params["EncryptedKeyMaterial"])
    if material is None:
        raise aws.InvalidCiphertextException()
    result: Result = {"KeyId": key.arn}
    if symmetric:
        new_id, pending = _symmetric_material(ctx, key, params, material)
        # Every check passed: only now change the key.
        _materials.store(
            key,
            new_id,
            material,
            pending=pending,
            expiration=(model, valid_to),
            description=params.get("KeyMaterialDescription"),
        )
        result["KeyMaterialId"] = new_id
        if valid_to is not None:
            schedule_expiry(ctx.backend, key, valid_to, new_id)
        return result
    from kmsmock.crypto.unwrap import load_material

    secret = load_material(key.spec.name, material)
    imported = key.imported
    assert imported is not None  # GetParametersForImport made it: _parameters found them
    if secret is None or imported.bound_material not in (None, fingerprint(material)):
        raise aws.IncorrectKeyMaterialException(_INCORRECT)
    key.secret = secret
    imported.bound_material = fingerprint(material)
    imported.expiration_model, imported.valid_to = model, valid_to
    if key.state is KeyState.PENDING_IMPORT:
        key.state = KeyState.ENABLED
    if valid_to is not None:
        schedule_expiry(ctx.backend, key, valid_to)
    return result


# Unverified against AWS: the text (docs/kms-behaviour.md#imported-key-material).
_INCORRECT = "The key material does not match the key spec or the key's existing material."


def _symmetric_material(
    ctx: RequestContext, key: Key, params: Params, material: bytes
) -> tuple[str, bool]:
    """The ID of imported symmetric material, and whether it is new material that
    waits for rotation; raises what KMS raises for material the key cannot take."""
    if len(material) != symmetric_length(ctx.region):
        raise aws.IncorrectKeyMaterialException(_INCORRECT)
    new_id = material_id(key.key_id, material)
    bound = key.material_ids()
    # A replica is bound to its set's materials from its creation, so it re-imports.
    import_type = params.get("ImportType", _NEW if not bound else _EXISTING)
    requested_id = params.get("KeyMaterialId")
    pending_id, _ = _materials.set_pending(ctx.backend, key)
    if import_type == _NEW:
        if requested_id is not None:
            # Unverified against AWS: the text (docs/kms-behaviour.md#imported-key-material).
            raise aws.ValidationException(
                "KeyMaterialId cannot be specified with ImportType NEW_KEY_MATERIAL."
            )
        if new_id in bound:
            # Material already bound to the key is imported again, whatever the type says.
            return new_id, False
        if key.is_replica:
            # New material goes into the primary first. Unverified against AWS: the text
            # (docs/kms-behaviour.md#imported-key-material).
            raise aws.UnsupportedOperationException(
                f"New key material cannot be imported into the multi-Region replica key "
                f"{key.arn}. Import it into the primary key, then import the same key "
                "material into each replica key as EXISTING_KEY_MATERIAL."
            )
        if pending_id is not None and pending_id != new_id:
            # Text as recorded from KMS; the key appears by its bare ID here.
            raise aws.KMSInvalidStateException(
                f"New key material (id: {new_id}) cannot be imported into KMS key "
                f"{key.key_id}, because another key material (id: {pending_id}) is "
                "pending rotation."
            )
        return new_id, bool(bound)
    if requested_id not in (None, new_id) or (new_id not in bound and new_id != pending_id):
        raise aws.IncorrectKeyMaterialException(_INCORRECT)
    return new_id, new_id not in bound


@handles("DeleteImportedKeyMaterial")
def delete_imported_key_material(ctx: RequestContext, params: Params) -> Result:
    """https://docs.aws.amazon.com/kms/latest/APIReference/API_DeleteImportedKeyMaterial.html

    Without KeyMaterialId the current material goes. Deleting material bound to the
    key makes it PendingImport (a key pending deletion stays so) until the same
    material is imported again; deleting material pending rotation only removes it.
    """
    key = _external(ctx, params["KeyId"])
    requested = params.get("KeyMaterialId")
    result: Result = {"KeyId": key.arn}
    if not key.spec.symmetric:
        if requested is not None:
            # Unverified against AWS: the text.
            raise aws.key_material_not_found(requested, key.arn)
        drop_material(key)
        return result
    known = key.material_ids()
    imports = _materials.per_material(key)
    if imports is not None and imports.pending is not None:
        known.append(imports.pending)
    target = requested if requested is not None else key.material_id
    if requested is not None and requested not in known:
        # Unverified against AWS: the text (docs/kms-behaviour.md#imported-key-material).
        raise aws.key_material_not_found(requested, key.arn)
    if target is not None:
        _materials.delete(ctx.backend, key, target)
        result["KeyMaterialId"] = target
    return result
