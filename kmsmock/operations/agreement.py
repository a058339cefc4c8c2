"""Key agreement: DeriveSharedSecret."""

from __future__ import annotations

from kmsmock.crypto.asymmetric import ecdh
from kmsmock.crypto.specs import KEY_AGREEMENT
from kmsmock.errors import ParameterNotImplementedError
from kmsmock.operations._registry import Params, Result, handles
from kmsmock.state.context import RequestContext
from kmsmock.wire import aws_errors as aws


@handles("DeriveSharedSecret")
def derive_shared_secret(ctx: RequestContext, params: Params) -> Result:
    """https://docs.aws.amazon.com/kms/latest/APIReference/API_DeriveSharedSecret.html

    The secret is the raw ECDH output, as OpenSSL derives it from the peer's side.
    """
    key = ctx.key(params["KeyId"])
    ctx.require_use(key, KEY_AGREEMENT, params["KeyAgreementAlgorithm"])
    if params.get("Recipient") is not None:
        raise ParameterNotImplementedError(ctx.operation, "Recipient")
    if params.get("DryRun"):
        raise aws.dry_run()
    secret = ecdh(ctx.secret(key), params["PublicKey"])
    if secret is None:
        # KMS answers a public key it cannot use with an empty message [O].
        raise aws.ValidationException("")
    ctx.record_use(key)
    return {
        "KeyId": key.arn,
        "SharedSecret": secret,
        "KeyAgreementAlgorithm": params["KeyAgreementAlgorithm"],
        "KeyOrigin": key.origin,
    }
