"""Key agreement: DeriveSharedSecret."""

from __future__ import annotations

from kmsmock.crypto.specs import KEY_AGREEMENT
from kmsmock.operations._recipient import for_recipient, recipient_key
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
    recipient = recipient_key(params)
    if params.get("DryRun"):
        raise aws.dry_run()
    from kmsmock.crypto.asymmetric import ecdh  # loaded at the first asymmetric call

    secret = ecdh(ctx.secret(key), params["PublicKey"])
    if secret is None:
        # KMS answers a public key it cannot use with an empty message
        # (docs/kms-behaviour.md#key-agreement).
        raise aws.ValidationException("")
    ctx.record_use(key)
    result = {
        "KeyId": key.arn,
        "KeyAgreementAlgorithm": params["KeyAgreementAlgorithm"],
        "KeyOrigin": key.origin,
    }
    if recipient is not None:
        # SharedSecret is left out with Recipient (botocore's KMS model).
        result["CiphertextForRecipient"] = for_recipient(ctx, recipient, secret)
    else:
        result["SharedSecret"] = secret
    return result
