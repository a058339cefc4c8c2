"""Encryption: Encrypt, Decrypt, ReEncrypt, data keys, data key pairs, GenerateRandom."""

from __future__ import annotations

from kmsmock.crypto.ciphertext import Header, open_sealed, read_header, seal
from kmsmock.crypto.specs import ENCRYPT_DECRYPT, KEY_SPECS, available, unavailable_specs
from kmsmock.operations._recipient import for_recipient, recipient_key
from kmsmock.operations._registry import Params, Result, handles
from kmsmock.operations.custom_key_stores import store_of
from kmsmock.state.context import RequestContext
from kmsmock.state.custom_key_stores import CLOUDHSM, CONNECTED
from kmsmock.state.ids import in_china
from kmsmock.state.keys import Key
from kmsmock.wire import aws_errors as aws
from kmsmock.wire.decode import outside_china

SYMMETRIC_DEFAULT = "SYMMETRIC_DEFAULT"
Context = dict[str, str] | None
_DATA_KEY_BYTES = {"AES_128": 16, "AES_256": 32}


def _encryption_key(
    ctx: RequestContext, identifier: str, algorithm: str, action: str | None = None
) -> Key:
    """Resolve a key that is to encrypt with ``algorithm``, in KMS's check order
    (docs/kms-behaviour.md#check-order)."""
    return _check_encryption_key(ctx, ctx.key(identifier, action=action), algorithm)


def _check_encryption_key(ctx: RequestContext, key: Key, algorithm: str) -> Key:
    ctx.require_use(key, ENCRYPT_DECRYPT, algorithm)
    return key


def _dry_run_ignoring_ciphertext(params: Params) -> bool:
    return bool(params.get("DryRun")) and "IGNORE_CIPHERTEXT" in params.get("DryRunModifiers", ())


def _source_key(
    ctx: RequestContext, blob: bytes | None, identifier: str | None, action: str | None = None
) -> tuple[Key, Header | None]:
    """The key that is to decrypt ``blob``: the one named, else the one the blob names.

    Only symmetric ciphertext names its key; asymmetric ciphertext needs the KeyId.
    """
    header = read_header(blob) if blob is not None else None
    if identifier is not None:
        key = ctx.key(identifier, action=action)
        # Before any check of the named key's usage: a symmetric ciphertext with an HMAC or
        # asymmetric KeyId is IncorrectKeyException in AWS too (docs/kms-behaviour.md#check-order).
        if header is not None and (header.account, header.key_id) != (key.account, key.key_id):
            raise aws.incorrect_key()
        return key, header if key.spec.symmetric else None
    if header is None:
        raise aws.InvalidCiphertextException()
    return ctx.key_in_ciphertext(header.account, header.key_id, action), header


def _check_context(key: Key, context: Context) -> None:
    if context and not key.spec.symmetric:
        # Unverified against AWS: the message (docs/kms-behaviour.md#encrypt-and-decrypt).
        raise aws.ValidationException(
            "EncryptionContext is not supported with asymmetric KMS keys."
        )


def _check_plaintext(key: Key, algorithm: str, plaintext: bytes, context: Context) -> None:
    """Rules that depend on the key: context and size limits of asymmetric encryption."""
    _check_context(key, context)
    if key.spec.symmetric:
        return
    # The asymmetric engine is imported at the first asymmetric call, not with kmsmock.
    from kmsmock.crypto.asymmetric import encryption_capacity

    capacity = encryption_capacity(key.spec.name, algorithm)
    if len(plaintext) > capacity:
        raise aws.ValidationException(
            f"Algorithm {algorithm} and key spec {key.spec.name} cannot encrypt data larger "
            f"than {capacity} bytes."
        )


def _encrypt(
    ctx: RequestContext, key: Key, algorithm: str, plaintext: bytes, context: Context
) -> tuple[bytes, str | None]:
    """Ciphertext under ``key`` and the material ID used (symmetric keys only)."""
    if not key.spec.symmetric:
        from kmsmock.crypto.asymmetric import public_encrypt

        return public_encrypt(ctx.secret(key), algorithm, plaintext), None
    material_id = key.material_id
    assert material_id is not None  # enabled symmetric keys always have material
    entropy = ctx.backend.entropy
    material = key.material(material_id, entropy.token_bytes)
    assert material is not None
    header = Header(key.account, key.key_id, material_id)
    return seal(material, header, entropy.iv(), plaintext, context), material_id


def _decrypt(
    ctx: RequestContext,
    key: Key,
    header: Header | None,
    algorithm: str,
    blob: bytes,
    context: Context,
) -> tuple[bytes, str | None]:
    # AWS says nothing about why a ciphertext does not decrypt
    # (docs/kms-behaviour.md#decryption-errors).
    if not key.spec.symmetric:
        from kmsmock.crypto.asymmetric import private_decrypt

        plaintext = private_decrypt(ctx.secret(key), algorithm, blob)
        if plaintext is None:
            raise aws.InvalidCiphertextException()
        return plaintext, None
    if header is None:
        raise aws.InvalidCiphertextException()
    material = key.material(header.material_id, ctx.backend.entropy.token_bytes)
    plaintext = open_sealed(material, blob, context) if material is not None else None
    if plaintext is None:
        raise aws.InvalidCiphertextException()
    return plaintext, header.material_id


def _without_none(result: Result) -> Result:
    return {name: value for name, value in result.items() if value is not None}


@handles("Encrypt")
def encrypt(ctx: RequestContext, params: Params) -> Result:
    """https://docs.aws.amazon.com/kms/latest/APIReference/API_Encrypt.html"""
    algorithm = params.get("EncryptionAlgorithm", SYMMETRIC_DEFAULT)
    key = _encryption_key(ctx, params["KeyId"], algorithm)
    plaintext = params["Plaintext"]
    context = params.get("EncryptionContext")
    _check_plaintext(key, algorithm, plaintext, context)
    if params.get("DryRun"):
        raise aws.dry_run()
    blob, _ = _encrypt(ctx, key, algorithm, plaintext, context)
    ctx.record_use(key)
    return {"CiphertextBlob": blob, "KeyId": key.arn, "EncryptionAlgorithm": algorithm}


@handles("Decrypt")
def decrypt(ctx: RequestContext, params: Params) -> Result:
    """https://docs.aws.amazon.com/kms/latest/APIReference/API_Decrypt.html"""
    blob = params.get("CiphertextBlob")
    identifier = params.get("KeyId")
    ignore_ciphertext = _dry_run_ignoring_ciphertext(params)
    # Optional in the model only because of IGNORE_CIPHERTEXT (docs/kms-behaviour.md#dry-run).
    if ignore_ciphertext:
        if identifier is None:
            raise aws.null_member("keyId")
    elif blob is None:
        raise aws.null_member("ciphertextBlob")
    algorithm = params.get("EncryptionAlgorithm", SYMMETRIC_DEFAULT)
    key, header = _source_key(ctx, blob, identifier)
    _check_encryption_key(ctx, key, algorithm)
    _check_context(key, params.get("EncryptionContext"))
    recipient = recipient_key(params)
    if ignore_ciphertext:
        raise aws.dry_run()
    assert blob is not None
    context = params.get("EncryptionContext")
    plaintext, material_id = _decrypt(ctx, key, header, algorithm, blob, context)
    if params.get("DryRun"):
        raise aws.dry_run()
    ctx.record_use(key)
    result: Result = {"KeyId": key.arn, "EncryptionAlgorithm": algorithm}
    if recipient is not None:
        # Neither Plaintext nor KeyMaterialId with Recipient (botocore's KMS model).
        result["CiphertextForRecipient"] = for_recipient(ctx, recipient, plaintext)
        return result
    result["Plaintext"] = plaintext
    return _without_none({**result, "KeyMaterialId": material_id})


@handles("ReEncrypt")
def re_encrypt(ctx: RequestContext, params: Params) -> Result:
    """https://docs.aws.amazon.com/kms/latest/APIReference/API_ReEncrypt.html"""
    blob = params.get("CiphertextBlob")
    source_id = params.get("SourceKeyId")
    ignore_ciphertext = _dry_run_ignoring_ciphertext(params)
    if ignore_ciphertext:
        if source_id is None:
            raise aws.null_member("sourceKeyId")
    elif blob is None:
        raise aws.null_member("ciphertextBlob")
    source_algorithm = params.get("SourceEncryptionAlgorithm", SYMMETRIC_DEFAULT)
    destination_algorithm = params.get("DestinationEncryptionAlgorithm", SYMMETRIC_DEFAULT)
    source, header = _source_key(ctx, blob, source_id, "kms:ReEncryptFrom")
    _check_encryption_key(ctx, source, source_algorithm)
    _check_context(source, params.get("SourceEncryptionContext"))
    destination = _encryption_key(
        ctx, params["DestinationKeyId"], destination_algorithm, "kms:ReEncryptTo"
    )
    if ignore_ciphertext:
        raise aws.dry_run()
    assert blob is not None
    source_context = params.get("SourceEncryptionContext")
    plaintext, source_material = _decrypt(
        ctx, source, header, source_algorithm, blob, source_context
    )
    destination_context = params.get("DestinationEncryptionContext")
    _check_plaintext(destination, destination_algorithm, plaintext, destination_context)
    if params.get("DryRun"):
        raise aws.dry_run()
    new_blob, destination_material = _encrypt(
        ctx, destination, destination_algorithm, plaintext, destination_context
    )
    ctx.record_use(source)
    ctx.record_use(destination)
    return _without_none(
        {
            "CiphertextBlob": new_blob,
            "SourceKeyId": source.arn,
            "KeyId": destination.arn,
            "SourceEncryptionAlgorithm": source_algorithm,
            "DestinationEncryptionAlgorithm": destination_algorithm,
            "SourceKeyMaterialId": source_material,
            "DestinationKeyMaterialId": destination_material,
        }
    )


def _data_key(ctx: RequestContext, params: Params, with_plaintext: bool) -> Result:
    spec = params.get("KeySpec")
    count = params.get("NumberOfBytes")
    if (spec is None) == (count is None):
        # Unverified against AWS: the text here; AWS's GenerateRandom once answered with it
        # (docs/kms-behaviour.md#data-keys).
        raise aws.ValidationException("Please specify either number of bytes or key spec.")
    key = _encryption_key(ctx, params["KeyId"], SYMMETRIC_DEFAULT)
    recipient = recipient_key(params)
    if params.get("DryRun"):
        raise aws.dry_run()
    length: int = count if count is not None else _DATA_KEY_BYTES[params["KeySpec"]]
    data_key = ctx.backend.entropy.token_bytes(length)
    blob, material_id = _encrypt(
        ctx, key, SYMMETRIC_DEFAULT, data_key, params.get("EncryptionContext")
    )
    ctx.record_use(key)
    result: Result = {"CiphertextBlob": blob, "KeyId": key.arn}
    if recipient is not None:
        # Neither Plaintext nor KeyMaterialId with Recipient (botocore's KMS model).
        result["CiphertextForRecipient"] = for_recipient(ctx, recipient, data_key)
        return result
    result["KeyMaterialId"] = material_id
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


def _data_key_pair(ctx: RequestContext, params: Params, with_plaintext: bool) -> Result:
    pair_spec = params["KeyPairSpec"]
    china = in_china(ctx.region)
    if not available(KEY_SPECS[pair_spec], china):
        # SM2 only in China, ML-KEM everywhere else: the enum there lacks the value.
        raise outside_china(ctx.operation, "KeyPairSpec", pair_spec, unavailable_specs(china))
    key = _encryption_key(ctx, params["KeyId"], SYMMETRIC_DEFAULT)
    if key.store is not None:
        # Unverified against AWS: the text (docs/kms-behaviour.md#data-keys).
        raise aws.UnsupportedOperationException(
            f"{key.arn} is in a custom key store, which cannot make data key pairs."
        )
    recipient = recipient_key(params)
    if params.get("DryRun"):
        raise aws.dry_run()
    from kmsmock.crypto.asymmetric import private_pkcs8, public_der

    pair = ctx.generate(pair_spec)
    private_key = private_pkcs8(pair)
    blob, material_id = _encrypt(
        ctx, key, SYMMETRIC_DEFAULT, private_key, params.get("EncryptionContext")
    )
    ctx.record_use(key)
    result: Result = {
        "PrivateKeyCiphertextBlob": blob,
        "PublicKey": public_der(pair),
        "KeyId": key.arn,
        "KeyPairSpec": pair_spec,
        "KeyMaterialId": material_id,
    }
    if recipient is not None:
        result["CiphertextForRecipient"] = for_recipient(ctx, recipient, private_key)
    elif with_plaintext:
        result["PrivateKeyPlaintext"] = private_key
    return result


@handles("GenerateDataKeyPair")
def generate_data_key_pair(ctx: RequestContext, params: Params) -> Result:
    """https://docs.aws.amazon.com/kms/latest/APIReference/API_GenerateDataKeyPair.html"""
    return _data_key_pair(ctx, params, with_plaintext=True)


@handles("GenerateDataKeyPairWithoutPlaintext")
def generate_data_key_pair_without_plaintext(ctx: RequestContext, params: Params) -> Result:
    """https://docs.aws.amazon.com/kms/latest/APIReference/API_GenerateDataKeyPairWithoutPlaintext.html"""
    return _data_key_pair(ctx, params, with_plaintext=False)


@handles("GenerateRandom")
def generate_random(ctx: RequestContext, params: Params) -> Result:
    """https://docs.aws.amazon.com/kms/latest/APIReference/API_GenerateRandom.html"""
    count = params.get("NumberOfBytes")
    # Optional in the model, required by the service
    # (docs/kms-behaviour.md#required-by-the-service).
    if count is None:
        raise aws.ValidationException("NumberOfBytes is required.")
    store_id = params.get("CustomKeyStoreId")
    if store_id is not None:
        store = store_of(ctx, store_id)
        if store.store_type != CLOUDHSM:
            # Unverified against AWS: the text (docs/kms-behaviour.md#generate-random).
            raise aws.UnsupportedOperationException(
                f"GenerateRandom is not supported for custom key store {store_id} of type "
                f"{store.store_type}."
            )
        if store.state != CONNECTED:
            raise aws.CustomKeyStoreInvalidStateException(
                f"Custom key store {store_id} is {store.state}; GenerateRandom needs it CONNECTED."
            )
    recipient = recipient_key(params)
    random = ctx.backend.entropy.token_bytes(count)
    if recipient is not None:
        return {"CiphertextForRecipient": for_recipient(ctx, recipient, random)}
    return {"Plaintext": random}
