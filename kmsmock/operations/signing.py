"""Signatures and public keys: Sign, Verify, GetPublicKey."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kmsmock.crypto.specs import ALGORITHM_FIELD, SIGN_VERIFY
from kmsmock.errors import FeatureNotImplementedError
from kmsmock.operations._registry import Params, Result, handles
from kmsmock.state.context import RequestContext
from kmsmock.state.keys import Key
from kmsmock.wire import aws_errors as aws

if TYPE_CHECKING:
    from kmsmock.crypto.asymmetric import SigningAlgorithm


def _signing(ctx: RequestContext, params: Params) -> tuple[Key, SigningAlgorithm, bytes, str]:
    """The key, algorithm, message and message type of a Sign or Verify call, checked
    in KMS's order: key, state, usage, algorithm, message type and length
    (docs/kms-behaviour.md#check-order)."""
    # The asymmetric engine is imported at the first signing call, not with kmsmock.
    from kmsmock.crypto.asymmetric import SIGNING_ALGORITHMS

    key = ctx.key(params["KeyId"])
    name = params["SigningAlgorithm"]
    ctx.require_use(key, SIGN_VERIFY, name)
    algorithm = SIGNING_ALGORITHMS[name]
    message = params["Message"]
    message_type = params.get("MessageType", "RAW")
    _check_message(algorithm, message, message_type)
    return key, algorithm, message, message_type


def _check_message(algorithm: SigningAlgorithm, message: bytes, message_type: str) -> None:
    # Unverified against AWS: the texts for MessageType mismatches (docs/kms-behaviour.md#signing);
    # the Ed25519 ones follow the model's documentation.
    kind = algorithm.kind
    if kind == "ed25519" and message_type != "RAW":
        raise aws.ValidationException(
            "ED25519_SHA_512 signing algorithm requires KMS MessageType:RAW"
        )
    if kind == "ed25519ph" and message_type != "DIGEST":
        raise aws.ValidationException(
            "ED25519_PH_SHA_512 signing algorithm requires KMS MessageType:DIGEST"
        )
    if message_type == "EXTERNAL_MU":
        if kind != "mldsa":
            raise aws.ValidationException(
                f"MessageType EXTERNAL_MU is not valid for signing algorithm {algorithm.name}."
            )
        if len(message) != 64:
            raise aws.invalid_digest_length(algorithm.name)
    if message_type == "DIGEST":
        if algorithm.digest_size is None:
            raise aws.ValidationException(
                f"MessageType DIGEST is not valid for signing algorithm {algorithm.name}."
            )
        if len(message) != algorithm.digest_size:
            raise aws.invalid_digest_length(algorithm.name)


def _unsupported(ctx: RequestContext, algorithm: SigningAlgorithm, message_type: str) -> Any:
    return FeatureNotImplementedError(
        ctx.operation, f"signing algorithm {algorithm.name} with MessageType {message_type}"
    )


@handles("Sign")
def sign(ctx: RequestContext, params: Params) -> Result:
    """https://docs.aws.amazon.com/kms/latest/APIReference/API_Sign.html"""
    key, algorithm, message, message_type = _signing(ctx, params)
    if params.get("DryRun"):
        raise aws.dry_run()
    from kmsmock.crypto.asymmetric import UnsupportedMaterial
    from kmsmock.crypto.asymmetric import sign as sign_message

    try:
        signature = sign_message(ctx.secret(key), algorithm, message, message_type)
    except UnsupportedMaterial:
        raise _unsupported(ctx, algorithm, message_type) from None
    ctx.record_use(key)
    return {"KeyId": key.arn, "Signature": signature, "SigningAlgorithm": algorithm.name}


@handles("Verify")
def verify(ctx: RequestContext, params: Params) -> Result:
    """https://docs.aws.amazon.com/kms/latest/APIReference/API_Verify.html

    A signature that does not verify raises KMSInvalidSignatureException; KMS never
    answers ``SignatureValid: false``.
    """
    key, algorithm, message, message_type = _signing(ctx, params)
    if params.get("DryRun"):
        raise aws.dry_run()
    from kmsmock.crypto.asymmetric import UnsupportedMaterial
    from kmsmock.crypto.asymmetric import verify as verify_message

    try:
        valid = verify_message(
            ctx.secret(key), algorithm, message, message_type, params["Signature"]
        )
    except UnsupportedMaterial:
        raise _unsupported(ctx, algorithm, message_type) from None
    if not valid:
        raise aws.KMSInvalidSignatureException("")
    ctx.record_use(key)
    return {"KeyId": key.arn, "SignatureValid": True, "SigningAlgorithm": algorithm.name}


@handles("GetPublicKey")
def get_public_key(ctx: RequestContext, params: Params) -> Result:
    """https://docs.aws.amazon.com/kms/latest/APIReference/API_GetPublicKey.html"""
    key = ctx.key(params["KeyId"])
    spec = key.spec
    if spec.symmetric or key.usage == "GENERATE_VERIFY_MAC":
        # Unverified against AWS: the message (docs/kms-behaviour.md#get-public-key).
        raise aws.key_spec_not_valid(key.arn, spec.name)
    from kmsmock.crypto.asymmetric import public_der

    result: Result = {
        "KeyId": key.arn,
        "PublicKey": public_der(ctx.secret(key)),
        "KeySpec": spec.name,
        "KeyUsage": key.usage,
        ALGORITHM_FIELD[key.usage]: list(spec.algorithms[key.usage]),
    }
    if spec.has_customer_master_key_spec:
        result["CustomerMasterKeySpec"] = spec.name
    return result
