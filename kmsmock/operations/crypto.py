"""Cryptographic operations that need no key: GenerateRandom."""

from __future__ import annotations

from kmsmock import _aws_errors as errors
from kmsmock._context import RequestContext
from kmsmock.errors import ParameterNotImplementedError
from kmsmock.operations._registry import Params, Result, handles


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
