"""Imported key material as the key keeps it: import parameters, tokens and material IDs
(docs/kms-behaviour.md#imported-key-material).

GetParametersForImport makes a fresh wrapping key pair for each call and files it on
the key under an opaque token; ImportKeyMaterial finds it again by that token. The
cryptography (wrapping keys, unwrapping, checking material) is ``crypto.unwrap``'s.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from typing import Any

from kmsmock.state.clock import DAY
from kmsmock.state.ids import in_china

# Import parameters stay valid this long (docs/kms-behaviour.md#imported-key-material).
VALID_FOR = DAY
# ImportKeyMaterial's ValidTo may be at most this far ahead
# (docs/kms-behaviour.md#imported-key-material).
MAX_VALID_TO = 365 * DAY
_TOKEN_MAGIC = b"kmsmock-import-token:"


@dataclass(slots=True)
class ImportParameters:
    """One GetParametersForImport answer, kept on its key until it expires."""

    algorithm: str
    private_key: Any  # an RSA private key or an SM2 one (crypto.sm2.PrivateKey)
    valid_to: float


@dataclass(slots=True)
class MaterialImport:
    """How one symmetric key material is imported into one key."""

    description: str | None = None
    # None while the material is not in the key: never imported there, deleted, expired.
    expiration_model: str | None = None
    valid_to: float | None = None


@dataclass(slots=True)
class ImportedMaterials:
    """The per-material import state of a symmetric EXTERNAL key.

    The bytes of materials the key is bound to live in ``Key.materials`` like any
    symmetric key's; new material imported for on-demand rotation waits here, not yet
    bound to the key, until RotateKeyOnDemand makes it current.
    """

    records: dict[str, MaterialImport] = field(default_factory=dict)  # by material ID
    pending: str | None = None
    pending_material: bytes | None = None

    def record(self, material_id: str) -> MaterialImport:
        return self.records.setdefault(material_id, MaterialImport())


def make_token(token_id: bytes) -> bytes:
    return _TOKEN_MAGIC + token_id


def token_id(token: bytes) -> bytes | None:
    """The ID a token carries; None if kmsmock did not make it."""
    if not token.startswith(_TOKEN_MAGIC) or len(token) != len(_TOKEN_MAGIC) + 32:
        return None
    return token[len(_TOKEN_MAGIC) :]


def material_id(key_id: str, material: bytes) -> str:
    """The ID of imported symmetric material: fixed by the key and the bytes, so
    importing the same material again gives the same ID (docs/kms-behaviour.md#key-material-ids)."""
    return hmac.new(key_id.encode(), material, hashlib.sha256).hexdigest()


def fingerprint(material: bytes) -> str:
    return hashlib.sha256(material).hexdigest()


def symmetric_length(region: str) -> int:
    # China's SYMMETRIC_DEFAULT is 128-bit SM4, so imported material is 16 bytes there.
    return 16 if in_china(region) else 32
