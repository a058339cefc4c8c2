"""Key material for import: wrapping key pairs, unwrapping, and what material each key
spec accepts (docs/kms-behaviour.md#import-wrapping).

``state.imported`` keeps the import parameters and tokens on the key; this module does
the cryptography they need.
"""

from __future__ import annotations

from typing import Any

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.keywrap import InvalidUnwrap, aes_key_unwrap_with_padding

from kmsmock.crypto import mlkem, sm2
from kmsmock.crypto.asymmetric import CURVES, ML_DSA, RSA_BITS, KeyPair

# HMAC material lengths KMS accepts per spec, in bytes (docs/kms-behaviour.md#hmac-keys).
_HMAC_LENGTHS = {
    "HMAC_224": (28, 64),
    "HMAC_256": (32, 64),
    "HMAC_384": (48, 128),
    "HMAC_512": (64, 128),
}


def wrapping_key(spec: str, entropy: Any) -> tuple[Any, bytes]:
    """A fresh wrapping key pair: (private key, DER SubjectPublicKeyInfo)."""
    if spec == "SM2":
        private = sm2.generate(entropy)
        return private, sm2.spki(private.public)
    key = rsa.generate_private_key(public_exponent=65537, key_size=RSA_BITS[spec])
    public = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return key, public


def unwrap(algorithm: str, private: Any, wrapped: bytes) -> bytes | None:
    """The key material inside ``wrapped``; None if it does not unwrap."""
    if algorithm == "SM2PKE":
        return sm2.decrypt(private, wrapped)
    hash_algorithm = hashes.SHA1() if algorithm.endswith("SHA_1") else hashes.SHA256()
    oaep = padding.OAEP(mgf=padding.MGF1(hash_algorithm), algorithm=hash_algorithm, label=None)
    if algorithm.startswith("RSAES_OAEP"):
        try:
            return private.decrypt(wrapped, oaep)  # type: ignore[no-any-return]
        except ValueError:
            return None
    # RSA_AES_KEY_WRAP_*: an RSA-OAEP-wrapped AES key, then the material in AES Key Wrap with
    # Padding (RFC 5649) under it, as checked against AWS (docs/kms-behaviour.md#import-wrapping).
    size = private.key_size // 8
    try:
        aes_key = private.decrypt(wrapped[:size], oaep)
        return aes_key_unwrap_with_padding(aes_key, wrapped[size:])
    except (ValueError, InvalidUnwrap):
        return None


def load_material(spec: str, material: bytes) -> Any:
    """The key's secret made from imported ``material``: an HMAC key's bytes or a KeyPair.
    None if the material does not fit the spec (IncorrectKeyMaterialException)."""
    if spec in _HMAC_LENGTHS:
        low, high = _HMAC_LENGTHS[spec]
        return material if low <= len(material) <= high else None
    if spec == "SM2":
        sm2_private = sm2.load_pkcs8(material)
        return None if sm2_private is None else KeyPair(sm2_private, sm2_private.public)
    if spec in mlkem.PARAMETERS:
        # Only the seed form, the one KMS itself hands out for ML-KEM private keys.
        mlkem_private = mlkem.load_pkcs8(spec, material)
        return None if mlkem_private is None else KeyPair(mlkem_private, mlkem_private.public)
    try:
        private: Any = serialization.load_der_private_key(material, password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm):
        return None
    if not _fits(spec, private):
        return None
    return KeyPair(private, private.public_key())


def _fits(spec: str, private: Any) -> bool:
    if spec in RSA_BITS:
        return isinstance(private, rsa.RSAPrivateKey) and private.key_size == RSA_BITS[spec]
    if spec in CURVES:
        return (
            isinstance(private, ec.EllipticCurvePrivateKey)
            and private.curve.name == CURVES[spec].name
        )
    if spec == "ECC_NIST_EDWARDS25519":
        return isinstance(private, ed25519.Ed25519PrivateKey)
    if spec in ML_DSA:
        return isinstance(private, ML_DSA[spec])
    return False
