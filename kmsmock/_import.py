"""Imported key material: wrapping keys and import tokens, unwrapping, and what material
each key spec accepts (reference §4.13, §5.9).

GetParametersForImport makes a fresh wrapping key pair for each call and files it on
the key under an opaque token; ImportKeyMaterial finds it again by that token, unwraps
the material with its private half, and checks the material against the key spec.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, mldsa, padding, rsa
from cryptography.hazmat.primitives.keywrap import InvalidUnwrap, aes_key_unwrap_with_padding

from kmsmock import _asymmetric, _sm2

# Import parameters stay valid this long [M].
VALID_FOR = 24 * 3600.0
# ImportKeyMaterial's ValidTo may be at most this far ahead [M].
MAX_VALID_TO = 365 * 86400.0
_TOKEN_MAGIC = b"kmsmock-import-token:"
_WRAPPING_BITS = {"RSA_2048": 2048, "RSA_3072": 3072, "RSA_4096": 4096}
# HMAC material lengths KMS accepts per spec, in bytes (reference §5.9).
_HMAC_LENGTHS = {
    "HMAC_224": (28, 64),
    "HMAC_256": (32, 64),
    "HMAC_384": (48, 128),
    "HMAC_512": (64, 128),
}
_RSA_SPEC_BITS = {"RSA_2048": 2048, "RSA_3072": 3072, "RSA_4096": 4096}
_CURVE_NAMES = {
    "ECC_NIST_P256": "secp256r1",
    "ECC_NIST_P384": "secp384r1",
    "ECC_NIST_P521": "secp521r1",
    "ECC_SECG_P256K1": "secp256k1",
}
_ML_DSA = {
    "ML_DSA_44": mldsa.MLDSA44PrivateKey,
    "ML_DSA_65": mldsa.MLDSA65PrivateKey,
    "ML_DSA_87": mldsa.MLDSA87PrivateKey,
}


@dataclass(slots=True)
class ImportParameters:
    """One GetParametersForImport answer, kept on its key until it expires."""

    algorithm: str
    private_key: Any  # rsa.RSAPrivateKey or _sm2.PrivateKey
    valid_to: float


def wrapping_key(spec: str, entropy: Any) -> tuple[Any, bytes]:
    """A fresh wrapping key pair: (private key, DER SubjectPublicKeyInfo)."""
    if spec == "SM2":
        private = _sm2.generate(entropy)
        return private, _sm2.spki(private.public)
    key = rsa.generate_private_key(public_exponent=65537, key_size=_WRAPPING_BITS[spec])
    public = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return key, public


def make_token(token_id: bytes) -> bytes:
    return _TOKEN_MAGIC + token_id


def token_id(token: bytes) -> bytes | None:
    """The ID a token carries; None if kmsmock did not make it."""
    if not token.startswith(_TOKEN_MAGIC) or len(token) != len(_TOKEN_MAGIC) + 32:
        return None
    return token[len(_TOKEN_MAGIC) :]


def unwrap(parameters: ImportParameters, wrapped: bytes) -> bytes | None:
    """The key material inside ``wrapped``; None if it does not unwrap."""
    algorithm, private = parameters.algorithm, parameters.private_key
    if algorithm == "SM2PKE":
        return _sm2.decrypt(private, wrapped)
    hash_algorithm = hashes.SHA1() if algorithm.endswith("SHA_1") else hashes.SHA256()
    oaep = padding.OAEP(mgf=padding.MGF1(hash_algorithm), algorithm=hash_algorithm, label=None)
    if algorithm.startswith("RSAES_OAEP"):
        try:
            return private.decrypt(wrapped, oaep)  # type: ignore[no-any-return]
        except ValueError:
            return None
    # RSA_AES_KEY_WRAP_*: an RSA-OAEP-wrapped AES key, then the material in AES Key Wrap
    # with Padding (RFC 5649) under it [O].
    size = private.key_size // 8
    try:
        aes_key = private.decrypt(wrapped[:size], oaep)
        return aes_key_unwrap_with_padding(aes_key, wrapped[size:])
    except (ValueError, InvalidUnwrap):
        return None


def material_id(key_id: str, material: bytes) -> str:
    """The ID of imported symmetric material: fixed by the key and the bytes, so
    importing the same material again gives the same ID (reference §1.8)."""
    return hmac.new(key_id.encode(), material, hashlib.sha256).hexdigest()


def fingerprint(material: bytes) -> str:
    return hashlib.sha256(material).hexdigest()


def symmetric_length(region: str) -> int:
    # China's SYMMETRIC_DEFAULT is 128-bit SM4, so imported material is 16 bytes there.
    return 16 if region.startswith("cn-") else 32


def load_material(spec: str, material: bytes) -> Any:
    """The key's secret made from imported ``material``: an HMAC key's bytes or a KeyPair.
    None if the material does not fit the spec (IncorrectKeyMaterialException)."""
    if spec in _HMAC_LENGTHS:
        low, high = _HMAC_LENGTHS[spec]
        return material if low <= len(material) <= high else None
    if spec == "SM2":
        sm2_private = _sm2.load_pkcs8(material)
        return None if sm2_private is None else _asymmetric.KeyPair(sm2_private, sm2_private.public)
    try:
        private: Any = serialization.load_der_private_key(material, password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm):
        return None
    if not _fits(spec, private):
        return None
    return _asymmetric.KeyPair(private, private.public_key())


def _fits(spec: str, private: Any) -> bool:
    if spec in _RSA_SPEC_BITS:
        return isinstance(private, rsa.RSAPrivateKey) and private.key_size == _RSA_SPEC_BITS[spec]
    if spec in _CURVE_NAMES:
        return (
            isinstance(private, ec.EllipticCurvePrivateKey)
            and private.curve.name == _CURVE_NAMES[spec]
        )
    if spec == "ECC_NIST_EDWARDS25519":
        return isinstance(private, ed25519.Ed25519PrivateKey)
    if spec in _ML_DSA:
        return isinstance(private, _ML_DSA[spec])
    return False
