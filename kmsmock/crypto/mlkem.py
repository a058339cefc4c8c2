"""ML-KEM (FIPS 203) key encapsulation, for KMS keys of spec ML_KEM_512, _768 and _1024.

``cryptography`` has ML-KEM-768 and ML-KEM-1024 but no ML-KEM-512; that one comes from
the pure-Python ``kyber-py`` (the optional extra ``kmsmock[ml-kem]``), which derives its
keys from the same 64-byte seed d‖z. Keys are kept as that seed, as KMS hands ML-KEM
private keys out in seed form
(https://docs.aws.amazon.com/kms/latest/APIReference/API_GenerateDataKeyPair.html).

Decapsulation follows FIPS 203's implicit rejection: a ciphertext of the right length
that the key did not make yields the pseudo-random J(z‖c), never an error.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from kmsmock.crypto.extras import MissingExtra


@functools.cache
def _cryptography() -> dict[str, Any]:
    """Spec -> cryptography's private key class, for the specs it has; imported at the
    first ML-KEM key, not with kmsmock (the service core imports this module)."""
    try:
        from cryptography.hazmat.primitives.asymmetric import mlkem as _mlkem
    except ImportError:  # a cryptography without ML-KEM: kyber-py does every spec
        return {}
    return {
        "ML_KEM_768": _mlkem.MLKEM768PrivateKey,
        "ML_KEM_1024": _mlkem.MLKEM1024PrivateKey,
    }


SEED_SIZE = 64


@dataclass(frozen=True, slots=True)
class Parameters:
    spec: str
    oid_last: int  # 2.16.840.1.101.3.4.4.<oid_last>
    public_size: int  # |ek| = 384k + 32
    ciphertext_size: int  # 32 (du k + dv)


PARAMETERS: dict[str, Parameters] = {
    "ML_KEM_512": Parameters("ML_KEM_512", 1, 800, 768),
    "ML_KEM_768": Parameters("ML_KEM_768", 2, 1184, 1088),
    "ML_KEM_1024": Parameters("ML_KEM_1024", 3, 1568, 1568),
}

# The OID 2.16.840.1.101.3.4.4.N as DER, short of its last arc N.
_OID_PREFIX = bytes.fromhex("06096086480165030404")
# PKCS#8 seed form (the IETF LAMPS ML-KEM key format): version 0, the algorithm with no
# parameters, and the privateKey OCTET STRING holding [0] IMPLICIT OCTET STRING (64 bytes).
_PKCS8_HEAD = bytes.fromhex("3054020100300b")
_PKCS8_SEED = bytes.fromhex("04428040")


@dataclass(frozen=True, slots=True)
class PublicKey:
    spec: str
    raw: bytes  # the encapsulation key ek


@dataclass(frozen=True, slots=True)
class PrivateKey:
    spec: str
    seed: bytes  # d ‖ z
    public: PublicKey
    # cryptography's private key object, or kyber-py's expanded decapsulation key dk.
    engine: Any

    def public_key(self) -> PublicKey:
        return self.public


def _kyber(spec: str) -> Any:
    try:
        from kyber_py.ml_kem import ML_KEM_512, ML_KEM_768, ML_KEM_1024
    except ImportError:
        raise MissingExtra(
            f"KeySpec {spec}", "kyber-py", "kmsmock[ml-kem]", ", as cryptography has no ML-KEM-512"
        ) from None
    return {"ML_KEM_512": ML_KEM_512, "ML_KEM_768": ML_KEM_768, "ML_KEM_1024": ML_KEM_1024}[spec]


def from_seed(spec: str, seed: bytes) -> PrivateKey:
    """The key pair FIPS 203 ML-KEM.KeyGen_internal makes from the 64-byte seed d‖z."""
    cls = _cryptography().get(spec)
    if cls is not None:
        private = cls.from_seed_bytes(seed)
        return PrivateKey(
            spec, seed, PublicKey(spec, private.public_key().public_bytes_raw()), private
        )
    public, expanded = _kyber(spec).key_derive(seed)
    return PrivateKey(spec, seed, PublicKey(spec, public), expanded)


def spki(public: PublicKey) -> bytes:
    """DER SubjectPublicKeyInfo: the algorithm OID with no parameters, then ek."""
    algorithm = b"\x30\x0b" + _OID_PREFIX + bytes([PARAMETERS[public.spec].oid_last])
    bit_string = _der(0x03, b"\x00" + public.raw)
    return _der(0x30, algorithm + bit_string)


def pkcs8(private: PrivateKey) -> bytes:
    """DER PKCS#8 in seed form, 86 bytes for every spec."""
    return pkcs8_prefix(private.spec) + private.seed


def load_pkcs8(spec: str, der: bytes) -> PrivateKey | None:
    """The key of a seed-form PKCS#8 for ``spec``; None for anything else."""
    expected = pkcs8_prefix(spec)
    if len(der) != len(expected) + SEED_SIZE or not der.startswith(expected):
        return None
    return from_seed(spec, der[len(expected) :])


def pkcs8_prefix(spec: str) -> bytes:
    return _PKCS8_HEAD + _OID_PREFIX + bytes([PARAMETERS[spec].oid_last]) + _PKCS8_SEED


def encapsulate(private: PrivateKey) -> tuple[bytes, bytes]:
    """(shared secret, ciphertext) for the key's public half, with fresh randomness."""
    engine = private.engine
    if isinstance(engine, bytes):
        secret, ciphertext = _kyber(private.spec).encaps(private.public.raw)
    else:
        # cryptography answers (shared secret, ciphertext), the secret first.
        secret, ciphertext = engine.public_key().encapsulate()
    return bytes(secret), bytes(ciphertext)


def decapsulate(private: PrivateKey, ciphertext: bytes) -> bytes:
    """The shared secret; the caller has checked the ciphertext's length."""
    engine = private.engine
    if isinstance(engine, bytes):
        return bytes(_kyber(private.spec).decaps(engine, ciphertext))
    return bytes(engine.decapsulate(ciphertext))


def _der(tag: int, body: bytes) -> bytes:
    size = len(body)
    if size < 0x80:
        length = bytes([size])
    else:
        encoded = size.to_bytes((size.bit_length() + 7) // 8, "big")
        length = bytes([0x80 | len(encoded)]) + encoded
    return bytes([tag]) + length + body
