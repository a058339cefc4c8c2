"""The Recipient parameter (AWS Nitro Enclaves and NitroTPM): the secret a call would
return in plaintext goes, enveloped for the attestation document's public key, into
CiphertextForRecipient, and the plaintext member is left out of the response
(https://docs.aws.amazon.com/kms/latest/developerguide/cryptographic-attestation.html).
"""

from __future__ import annotations

from typing import Any

from kmsmock.operations._registry import Params
from kmsmock.state.context import RequestContext
from kmsmock.wire import aws_errors as aws

# Unverified against AWS: the text; KMS documents only that it needs a valid document.
INVALID_DOCUMENT = "The attestation document in the Recipient parameter is not valid."


def recipient_key(params: Params) -> Any:
    """The checked public key of the request's attestation document; None without
    Recipient (an RSA public key of ``cryptography``, which only crypto/ names).
    Checked after the key, before DryRun, like the request's other values."""
    recipient = params.get("Recipient")
    if recipient is None:
        return None
    document = recipient.get("AttestationDocument")
    if document is None:
        raise aws.null_member("recipient.attestationDocument")
    # Imported at the first Recipient parameter: x509 and CMS cost a cold start.
    from kmsmock.crypto.attestation import AttestationError, read_document

    try:
        return read_document(document).public_key
    except AttestationError:
        raise aws.ValidationException(INVALID_DOCUMENT) from None


def for_recipient(ctx: RequestContext, public_key: Any, secret: bytes) -> bytes:
    from kmsmock.crypto.cms import envelope

    return envelope(secret, public_key, ctx.backend.entropy.token_bytes)
