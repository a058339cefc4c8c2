"""How a key's state affects each operation: the effects table, checked in one place.

Every operation that takes an existing key calls ``require_state(key, operation)``
after resolving the key and before anything else about the key
(docs/kms-behaviour.md#check-order). The table is docs/kms-behaviour.md#key-state-table;
rows marked there as inferred are inferred here too.
Conditions that depend on the key's type or origin rather than its state (rotation
support, import support) belong to the operations themselves.
"""

from __future__ import annotations

import enum
from typing import NamedTuple

from kmsmock.state.keys import Key, KeyState
from kmsmock.wire import aws_errors as aws


class Refusal(NamedTuple):
    """What KMS answers when a key's state refuses an operation: the error, and the
    words that follow the key ARN in its message."""

    error: type[aws.AwsError]
    words: str


class Effect(enum.Enum):
    OK = None
    DISABLED = Refusal(aws.DisabledException, "is disabled")
    PENDING_DELETION = Refusal(aws.KMSInvalidStateException, "is pending deletion")
    NOT_PENDING_DELETION = Refusal(aws.KMSInvalidStateException, "is not pending deletion")
    PENDING_IMPORT = Refusal(aws.KMSInvalidStateException, "is pending import")
    UNAVAILABLE = Refusal(aws.KMSInvalidStateException, "is unavailable")
    CREATING = Refusal(aws.KMSInvalidStateException, "is creating")
    UPDATING = Refusal(aws.KMSInvalidStateException, "is updating")
    # Only an imported key (origin EXTERNAL) can be PendingImport: the text names its origin.
    EXTERNAL = Refusal(
        aws.UnsupportedOperationException,
        "origin is EXTERNAL which is not valid for this operation",
    )


_ = Effect.OK
DIS = Effect.DISABLED
PD = Effect.PENDING_DELETION
NPD = Effect.NOT_PENDING_DELETION
PI = Effect.PENDING_IMPORT
UNAV = Effect.UNAVAILABLE
CR = Effect.CREATING
UP = Effect.UPDATING
EXT = Effect.EXTERNAL

# Columns: Enabled, Disabled, PendingDeletion (and PendingReplicaDeletion),
# PendingImport, Unavailable, Creating, Updating.
_COLUMNS = (
    KeyState.ENABLED,
    KeyState.DISABLED,
    KeyState.PENDING_DELETION,
    KeyState.PENDING_IMPORT,
    KeyState.UNAVAILABLE,
    KeyState.CREATING,
    KeyState.UPDATING,
)
_ANY = (_, _, _, _, _, _, _)
_CRYPTO = (_, DIS, PD, PI, UNAV, CR, _)
# Operations on keys that cannot live in a custom key store never see Unavailable.
_CRYPTO_NO_STORE = (_, DIS, PD, PI, _, CR, _)

_ROWS: dict[str, tuple[Effect, ...]] = {
    "CancelKeyDeletion": (NPD, NPD, _, NPD, NPD, NPD, NPD),
    "CreateAlias": (_, _, PD, _, _, _, _),
    "CreateGrant": (_, DIS, PD, PI, _, CR, _),
    "Decapsulate": _CRYPTO_NO_STORE,
    "Decrypt": _CRYPTO,
    "DeleteImportedKeyMaterial": (_, _, _, _, _, CR, UP),
    "DeriveSharedSecret": _CRYPTO_NO_STORE,
    "DescribeKey": _ANY,
    "DisableKey": (_, _, PD, PI, _, CR, UP),
    "DisableKeyRotation": (_, DIS, PD, EXT, _, CR, _),
    "EnableKey": (_, _, PD, PI, _, CR, UP),
    "EnableKeyRotation": (_, DIS, PD, EXT, _, CR, _),
    # Inferred from DeriveSharedSecret and Encrypt on asymmetric keys: the key-state
    # table of the Developer Guide has no rows for the ML-KEM operations yet.
    "Encapsulate": _CRYPTO_NO_STORE,
    "Encrypt": _CRYPTO,
    "GenerateDataKey": _CRYPTO,
    "GenerateDataKeyPair": _CRYPTO,
    "GenerateDataKeyPairWithoutPlaintext": _CRYPTO,
    "GenerateDataKeyWithoutPlaintext": _CRYPTO,
    "GenerateMac": _CRYPTO_NO_STORE,
    "GetKeyLastUsage": _ANY,
    "GetKeyPolicy": _ANY,
    "GetKeyRotationStatus": (_, _, _, EXT, _, _, _),
    "GetParametersForImport": (_, _, PD, _, _, CR, UP),
    "GetPublicKey": _CRYPTO_NO_STORE,
    "ImportKeyMaterial": (_, _, PD, _, _, CR, _),
    "ListAliases": _ANY,
    "ListGrants": _ANY,
    "ListKeyPolicies": _ANY,
    "ListKeyRotations": _ANY,
    "ListResourceTags": _ANY,
    "PutKeyPolicy": _ANY,
    "ReEncrypt": _CRYPTO,
    "ReplicateKey": (_, DIS, PD, PI, _, CR, UP),
    "RetireGrant": _ANY,
    "RevokeGrant": _ANY,
    "RotateKeyOnDemand": (_, DIS, PD, PI, _, CR, UP),
    "ScheduleKeyDeletion": (_, _, PD, _, _, _, UP),
    "Sign": _CRYPTO_NO_STORE,
    "TagResource": (_, _, PD, _, _, _, _),
    "UntagResource": (_, _, PD, _, _, _, _),
    # The row is for the alias's new target; its current key may be pending deletion.
    "UpdateAlias": (_, _, PD, _, _, _, _),
    "UpdateKeyDescription": (_, _, PD, _, _, _, _),
    "UpdatePrimaryRegion": (_, DIS, PD, PI, _, CR, _),
    "Verify": _CRYPTO_NO_STORE,
    "VerifyMac": _CRYPTO_NO_STORE,
}

EFFECTS: dict[str, dict[KeyState, Effect]] = {
    operation: {
        **dict(zip(_COLUMNS, row, strict=True)),
        KeyState.PENDING_REPLICA_DELETION: row[2],
    }
    for operation, row in _ROWS.items()
}


def require_state(key: Key, operation: str) -> None:
    """Raise the error KMS gives when ``key``'s state does not allow ``operation``."""
    outcome = EFFECTS[operation][key.state]
    if outcome is not Effect.OK:
        raise state_error(key, outcome)


def state_error(key: Key, outcome: Effect) -> aws.AwsError:
    refusal: Refusal | None = outcome.value
    assert refusal is not None, "Effect.OK refuses nothing"
    return refusal.error(f"{key.arn} {refusal.words}.")
