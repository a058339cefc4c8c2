"""Symmetric cryptography: Encrypt, Decrypt, ReEncrypt, data keys, GenerateRandom."""

from __future__ import annotations

from kmsmock import _aws_errors as errors
from kmsmock._context import RequestContext
from kmsmock._crypto import Header, open_sealed, read_header, seal
from kmsmock._keys import Key
from kmsmock._specs import ENCRYPT_DECRYPT
from kmsmock.errors import FeatureNotImplementedError, ParameterNotImplementedError
from kmsmock.operations._registry import Params, Result, handles

SYMMETRIC_DEFAULT = "SYMMETRIC_DEFAULT"
_DATA_KEY_BYTES = {"AES_128": 16, "AES_256": 32}


def _encryption_key(ctx: RequestContext, identifier: str, algorithm: str) -> Key:
    """Resolve a key that is to encrypt with ``algorithm``, in KMS's check order (§3.3)."""
    return _check_encryption_key(ctx, ctx.key(identifier), algorithm)


def _check_encryption_key(ctx: RequestContext, key: Key, algorithm: str) -> Key:
    if key.usage != ENCRYPT_DECRYPT:
        raise errors.wrong_key_usage(key.arn, key.usage, ctx.operation)
    if algorithm not in key.spec.algorithms[ENCRYPT_DECRYPT]:
        raise errors.incompatible_algorithm(algorithm, key.spec.name)
    if not key.spec.symmetric:
        raise FeatureNotImplementedError(ctx.operation, "encryption with asymmetric keys")
    return key


def _dry_run_ignoring_ciphertext(params: Params) -> bool:
    return bool(params.get("DryRun")) and "IGNORE_CIPHERTEXT" in params.get("DryRunModifiers", ())


def _source_key(
    ctx: RequestContext, blob: bytes | None, identifier: str | None
) -> tuple[Key, Header | None]:
    """The key that is to decrypt ``blob``: the one named, else the one the blob names."""
    header = read_header(blob) if blob is not None else None
    if identifier is not None:
        key = ctx.key(identifier)
        if header is not None and (header.account, header.key_id) != (key.account, key.key_id):
            raise errors.incorrect_key()
        return key, header
    if header is None:
        raise errors.InvalidCiphertextException()
    return ctx.key_in_ciphertext(header.account, header.key_id), header


def _seal(
    ctx: RequestContext, key: Key, plaintext: bytes, context: dict[str, str] | None
) -> tuple[bytes, str]:
    material_id = key.material_id
    assert material_id is not None  # enabled symmetric keys always have material
    entropy = ctx.backend.entropy
    material = key.material(material_id, entropy.token_bytes)
    assert material is not None
    header = Header(key.account, key.key_id, material_id)
    return seal(material, header, entropy.token_bytes(12), plaintext, context), material_id


def _open(
    ctx: RequestContext,
    key: Key,
    header: Header | None,
    blob: bytes,
    context: dict[str, str] | None,
) -> tuple[bytes, str]:
    # AWS says nothing about why a ciphertext does not decrypt (reference §5.3).
    if header is None:
        raise errors.InvalidCiphertextException()
    material = key.material(header.material_id, ctx.backend.entropy.token_bytes)
    plaintext = open_sealed(material, blob, context) if material is not None else None
    if plaintext is None:
        raise errors.InvalidCiphertextException()
    return plaintext, header.material_id


@handles("Encrypt")
def encrypt(ctx: RequestContext, params: Params) -> Result:
    """https://docs.aws.amazon.com/kms/latest/APIReference/API_Encrypt.html"""
    algorithm = params.get("EncryptionAlgorithm", SYMMETRIC_DEFAULT)
    key = _encryption_key(ctx, params["KeyId"], algorithm)
    if params.get("DryRun"):
        raise errors.dry_run()
    blob, _ = _seal(ctx, key, params["Plaintext"], params.get("EncryptionContext"))
    ctx.record_use(key)
    return {"CiphertextBlob": blob, "KeyId": key.arn, "EncryptionAlgorithm": algorithm}


@handles("Decrypt")
def decrypt(ctx: RequestContext, params: Params) -> Result:
    """https://docs.aws.amazon.com/kms/latest/APIReference/API_Decrypt.html"""
    blob = params.get("CiphertextBlob")
    identifier = params.get("KeyId")
    ignore_ciphertext = _dry_run_ignoring_ciphertext(params)
    # Optional in the model only because of IGNORE_CIPHERTEXT (reference §4.0).
    if ignore_ciphertext:
        if identifier is None:
            raise errors.null_member("keyId")
    elif blob is None:
        raise errors.null_member("ciphertextBlob")
    algorithm = params.get("EncryptionAlgorithm", SYMMETRIC_DEFAULT)
    key, header = _source_key(ctx, blob, identifier)
    _check_encryption_key(ctx, key, algorithm)
    if params.get("Recipient") is not None:
        raise ParameterNotImplementedError("Decrypt", "Recipient")
    if ignore_ciphertext:
        raise errors.dry_run()
    assert blob is not None
    plaintext, material_id = _open(ctx, key, header, blob, params.get("EncryptionContext"))
    if params.get("DryRun"):
        raise errors.dry_run()
    ctx.record_use(key)
    return {
        "KeyId": key.arn,
        "Plaintext": plaintext,
        "EncryptionAlgorithm": algorithm,
        "KeyMaterialId": material_id,
    }


@handles("ReEncrypt")
def re_encrypt(ctx: RequestContext, params: Params) -> Result:
    """https://docs.aws.amazon.com/kms/latest/APIReference/API_ReEncrypt.html"""
    blob = params.get("CiphertextBlob")
    source_id = params.get("SourceKeyId")
    ignore_ciphertext = _dry_run_ignoring_ciphertext(params)
    if ignore_ciphertext:
        if source_id is None:
            raise errors.null_member("sourceKeyId")
    elif blob is None:
        raise errors.null_member("ciphertextBlob")
    source_algorithm = params.get("SourceEncryptionAlgorithm", SYMMETRIC_DEFAULT)
    destination_algorithm = params.get("DestinationEncryptionAlgorithm", SYMMETRIC_DEFAULT)
    source, header = _source_key(ctx, blob, source_id)
    _check_encryption_key(ctx, source, source_algorithm)
    destination = _encryption_key(ctx, params["DestinationKeyId"], destination_algorithm)
    if ignore_ciphertext:
        raise errors.dry_run()
    assert blob is not None
    plaintext, source_material = _open(
        ctx, source, header, blob, params.get("SourceEncryptionContext")
    )
    if params.get("DryRun"):
        raise errors.dry_run()
    new_blob, destination_material = _seal(
        ctx, destination, plaintext, params.get("DestinationEncryptionContext")
    )
    ctx.record_use(source)
    ctx.record_use(destination)
    return {
        "CiphertextBlob": new_blob,
        "SourceKeyId": source.arn,
        "KeyId": destination.arn,
        "SourceEncryptionAlgorithm": source_algorithm,
        "DestinationEncryptionAlgorithm": destination_algorithm,
        "SourceKeyMaterialId": source_material,
        "DestinationKeyMaterialId": destination_material,
    }


def _data_key(ctx: RequestContext, params: Params, with_plaintext: bool) -> Result:
    spec = params.get("KeySpec")
    count = params.get("NumberOfBytes")
    if (spec is None) == (count is None):
        # Reference §4.4 [E]; the same text came from AWS GenerateRandom [O].
        raise errors.ValidationException("Please specify either number of bytes or key spec.")
    key = _encryption_key(ctx, params["KeyId"], SYMMETRIC_DEFAULT)
    if params.get("Recipient") is not None:
        raise ParameterNotImplementedError(ctx.operation, "Recipient")
    if params.get("DryRun"):
        raise errors.dry_run()
    length: int = count if count is not None else _DATA_KEY_BYTES[params["KeySpec"]]
    data_key = ctx.backend.entropy.token_bytes(length)
    blob, material_id = _seal(ctx, key, data_key, params.get("EncryptionContext"))
    ctx.record_use(key)
    result: Result = {"CiphertextBlob": blob, "KeyId": key.arn, "KeyMaterialId": material_id}
    if with_plaintext:
        result["Plaintext"] = data_key
    return result


@handles("GenerateDataKey")
def generate_data_key(ctx: RequestContext, params: Params) -> Result:
    """https://docs.aws.amazon.com/kms/latest/APIReference/API_GenerateDataKey.html"""
    return _data_key(ctx, params, with_plaintext=True)


@handles("GenerateDataKeyWithoutPlaintext")
def generate_data_key_without_plaintext(ctx: RequestContext, params: Params) -> Result:
    """https://docs.aws.amazon.com/kms/latest/APIReference/API_GenerateDataKeyWithoutPlaintext.html"""
    return _data_key(ctx, params, with_plaintext=False)


@handles("GenerateRandom")
def generate_random(ctx: RequestContext, params: Params) -> Result:
    """https://docs.aws.amazon.com/kms/latest/APIReference/API_GenerateRandom.html"""
    count = params.get("NumberOfBytes")
    # Optional in the model, required by the service (reference §4.5).
    if count is None:
        raise errors.ValidationException("NumberOfBytes is required.")
    store_id = params.get("CustomKeyStoreId")
    if store_id is not None:
        # Custom key stores are not modelled yet (docs/operations.md), so none exists.
        raise errors.CustomKeyStoreNotFoundException(
            f"Custom key store {store_id} does not exist in this account and Region."
        )
    if params.get("Recipient") is not None:
        raise ParameterNotImplementedError("GenerateRandom", "Recipient")
    return {"Plaintext": ctx.backend.entropy.token_bytes(count)}
