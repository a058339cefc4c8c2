"""Key encapsulation with ML-KEM keys: Encapsulate, Decapsulate (botocore 1.44 on).

Handlers of operations the installed model lacks are never reached: a request for one is
refused before dispatch, as KMS's front end refuses an unknown operation.
"""

from __future__ import annotations

from kmsmock.crypto.specs import ENCAPSULATE_DECAPSULATE
from kmsmock.operations._registry import Params, Result, handles
from kmsmock.state.context import RequestContext
from kmsmock.wire import aws_errors as aws


@handles("Encapsulate")
def encapsulate(ctx: RequestContext, params: Params) -> Result:
    """https://docs.aws.amazon.com/kms/latest/APIReference/API_Encapsulate.html

    FIPS 203 ML-KEM.Encaps with the key's public half: a fresh 32-byte secret on every
    call, so a ciphertext made offline with GetPublicKey's key is just as good.
    """
    key = ctx.key(params["KeyId"])
    algorithm = params["EncapsulationAlgorithm"]
    ctx.require_use(key, ENCAPSULATE_DECAPSULATE, algorithm)
    if params.get("DryRun"):
        raise aws.dry_run()
    # Loaded at the first ML-KEM call, not with kmsmock.
    from kmsmock.crypto.asymmetric import encapsulate as encapsulate_secret

    secret, ciphertext = encapsulate_secret(ctx.secret(key))
    ctx.record_use(key)
    return {
        "KeyId": key.arn,
        "SharedSecret": secret,
        "SharedSecretCiphertextBlob": ciphertext,
        "EncapsulationAlgorithm": algorithm,
    }


@handles("Decapsulate")
def decapsulate(ctx: RequestContext, params: Params) -> Result:
    """https://docs.aws.amazon.com/kms/latest/APIReference/API_Decapsulate.html

    Only a ciphertext of the wrong length fails (InvalidCiphertextException). Any other
    gives a 32-byte secret: for a ciphertext the key did not make, FIPS 203's implicit
    rejection value, the same for the same key and ciphertext.
    """
    key = ctx.key(params["KeyId"])
    algorithm = params["EncapsulationAlgorithm"]
    ctx.require_use(key, ENCAPSULATE_DECAPSULATE, algorithm)
    ciphertext = params["SharedSecretCiphertextBlob"]
    from kmsmock.crypto.asymmetric import decapsulate as decapsulate_secret
    from kmsmock.crypto.asymmetric import encapsulation_size

    if len(ciphertext) != encapsulation_size(key.spec.name):
        # Empty, as Decrypt's InvalidCiphertextException is.
        raise aws.InvalidCiphertextException("")
    # DryRun cannot skip the ciphertext, so its length is checked first.
    if params.get("DryRun"):
        raise aws.dry_run()
    secret = decapsulate_secret(ctx.secret(key), ciphertext)
    ctx.record_use(key)
    return {"KeyId": key.arn, "SharedSecret": secret, "EncapsulationAlgorithm": algorithm}
