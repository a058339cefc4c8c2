"""Asymmetric and HMAC key material, and what KMS does with it.

Owns ``cryptography.hazmat`` for key pairs, signatures, RSA-OAEP, ECDH and HMAC, and
hands SM2 to ``sm2`` (``ciphertext`` owns the symmetric ciphertext). Material is made
when first needed: a key nobody uses costs no key generation. With a seed, EC, Ed25519, ML-DSA and
HMAC material is reproducible; RSA key generation has no seeded form.
"""

from __future__ import annotations

import hashlib
import hmac as _hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, cast

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, mldsa, padding, rsa, utils

from kmsmock.crypto import ed25519ph as _ed25519ph
from kmsmock.crypto import mldsa_mu as _mldsa_mu
from kmsmock.crypto import mlkem as _mlkem
from kmsmock.crypto import sm2 as _sm2

Entropy = Callable[[int], bytes]

CURVES: dict[str, ec.EllipticCurve] = {
    "ECC_NIST_P256": ec.SECP256R1(),
    "ECC_NIST_P384": ec.SECP384R1(),
    "ECC_NIST_P521": ec.SECP521R1(),
    "ECC_SECG_P256K1": ec.SECP256K1(),
}
RSA_BITS = {"RSA_2048": 2048, "RSA_3072": 3072, "RSA_4096": 4096}
ML_DSA: dict[str, Any] = {
    "ML_DSA_44": mldsa.MLDSA44PrivateKey,
    "ML_DSA_65": mldsa.MLDSA65PrivateKey,
    "ML_DSA_87": mldsa.MLDSA87PrivateKey,
}
_HMAC_HASHES = {
    "HMAC_224": "sha224",
    "HMAC_256": "sha256",
    "HMAC_384": "sha384",
    "HMAC_512": "sha512",
}
_HASHES: dict[str, type[hashes.HashAlgorithm]] = {
    "SHA_256": hashes.SHA256,
    "SHA_384": hashes.SHA384,
    "SHA_512": hashes.SHA512,
    "SHA_1": hashes.SHA1,
}


@dataclass(frozen=True, slots=True)
class SigningAlgorithm:
    name: str
    kind: str  # "pss", "pkcs1", "ecdsa", "ed25519", "ed25519ph", "mldsa", "sm2"
    digest_size: int | None  # the DIGEST length; None where DIGEST is not allowed
    # For RSA and ECDSA: the arguments after the message, for RAW and for DIGEST input.
    # Built once: cryptography's padding and algorithm objects are immutable.
    raw_args: tuple[Any, ...] = ()
    digest_args: tuple[Any, ...] = ()


@dataclass(slots=True)
class KeyPair:
    """An asymmetric key's material, made on first use."""

    private: Any
    public: Any
    # Signatures this key made, as (algorithm, message type, message, signature).
    # Verify answers these without the public-key operation: they hold by construction.
    issued: dict[tuple[str, str, bytes, bytes], None] = field(default_factory=dict)


_MAX_ISSUED = 256


def _hashed(name: str, kind: str, hash_name: str) -> tuple[str, SigningAlgorithm]:
    algorithm = _HASHES[hash_name]
    raw: Any = algorithm()
    digest: Any = utils.Prehashed(algorithm())
    if kind == "ecdsa":
        raw_args: tuple[Any, ...] = (ec.ECDSA(raw),)
        digest_args: tuple[Any, ...] = (ec.ECDSA(digest),)
    else:
        scheme = (
            # KMS signs with a salt as long as the digest, and verifies only that
            # (docs/kms-behaviour.md#signing).
            padding.PSS(mgf=padding.MGF1(algorithm()), salt_length=padding.PSS.DIGEST_LENGTH)
            if kind == "pss"
            else padding.PKCS1v15()
        )
        raw_args, digest_args = (scheme, raw), (scheme, digest)
    return name, SigningAlgorithm(name, kind, raw.digest_size, raw_args, digest_args)


SIGNING_ALGORITHMS: dict[str, SigningAlgorithm] = dict(
    [
        *(_hashed(f"RSASSA_PSS_{h}", "pss", h) for h in ("SHA_256", "SHA_384", "SHA_512")),
        *(_hashed(f"RSASSA_PKCS1_V1_5_{h}", "pkcs1", h) for h in ("SHA_256", "SHA_384", "SHA_512")),
        *(_hashed(f"ECDSA_{h}", "ecdsa", h) for h in ("SHA_256", "SHA_384", "SHA_512")),
        ("ED25519_SHA_512", SigningAlgorithm("ED25519_SHA_512", "ed25519", None)),
        ("ED25519_PH_SHA_512", SigningAlgorithm("ED25519_PH_SHA_512", "ed25519ph", 64)),
        ("ML_DSA_SHAKE_256", SigningAlgorithm("ML_DSA_SHAKE_256", "mldsa", None)),
        ("SM2DSA", SigningAlgorithm("SM2DSA", "sm2", 32)),
    ]
)


def digest_size(spec: str) -> int:
    """The HMAC key length kmsmock generates: the digest length
    (docs/kms-behaviour.md#hmac-keys)."""
    return hashlib.new(_HMAC_HASHES[spec]).digest_size


def generate(spec: str, entropy: Entropy) -> Any:
    """New key material for ``spec``: a KeyPair, or the HMAC secret."""
    if spec in _HMAC_HASHES:
        return entropy(digest_size(spec))
    private = _private_key(spec, entropy)
    return KeyPair(private, private.public_key())


def _private_key(spec: str, entropy: Entropy) -> Any:
    if spec in CURVES:
        curve = CURVES[spec]
        # One bit short of the curve size keeps the scalar below the group order.
        size = (curve.key_size + 7) // 8
        scalar = int.from_bytes(entropy(size), "big") >> (size * 8 - curve.key_size + 1)
        return ec.derive_private_key(scalar or 1, curve)
    if spec in RSA_BITS:
        return rsa.generate_private_key(public_exponent=65537, key_size=RSA_BITS[spec])
    if spec == "ECC_NIST_EDWARDS25519":
        return ed25519.Ed25519PrivateKey.from_private_bytes(entropy(32))
    if spec in ML_DSA:
        return ML_DSA[spec].from_seed_bytes(entropy(32))
    if spec == "SM2":
        return _sm2.generate(entropy)
    if spec in _mlkem.PARAMETERS:
        return _mlkem.from_seed(spec, entropy(_mlkem.SEED_SIZE))
    raise UnsupportedMaterial(spec)


class UnsupportedMaterial(Exception):
    """kmsmock cannot make or use this key type, or use it this way, yet."""


def public_der(pair: KeyPair) -> bytes:
    """The public key as DER SubjectPublicKeyInfo, as GetPublicKey returns it."""
    if isinstance(pair.public, _sm2.PublicKey):
        return _sm2.spki(pair.public)
    if isinstance(pair.public, _mlkem.PublicKey):
        return _mlkem.spki(pair.public)
    return cast(
        bytes,
        pair.public.public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        ),
    )


def private_pkcs8(pair: KeyPair) -> bytes:
    if isinstance(pair.private, _sm2.PrivateKey):
        return _sm2.pkcs8(pair.private)
    if isinstance(pair.private, _mlkem.PrivateKey):
        return _mlkem.pkcs8(pair.private)
    return cast(
        bytes,
        pair.private.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
    )


def sign(pair: KeyPair, algorithm: SigningAlgorithm, message: bytes, message_type: str) -> bytes:
    signature = _sign(pair.private, algorithm, message, message_type)
    if len(pair.issued) >= _MAX_ISSUED:
        pair.issued.clear()
    pair.issued[(algorithm.name, message_type, message, signature)] = None
    return signature


def _sign(private: Any, algorithm: SigningAlgorithm, message: bytes, message_type: str) -> bytes:
    kind = algorithm.kind
    if algorithm.raw_args:
        args = algorithm.digest_args if message_type == "DIGEST" else algorithm.raw_args
        return cast(bytes, private.sign(message, *args))
    if kind == "ed25519":
        return cast(bytes, private.sign(message))
    if kind == "ed25519ph":
        return _ed25519ph.sign(private.private_bytes_raw(), message)
    if kind == "mldsa":
        if message_type == "RAW":
            return cast(bytes, private.sign(message))
        return _mldsa_mu.sign(_mldsa_level(private), private.private_bytes_raw(), message)
    if kind == "sm2":
        return _sm2.sign(private, _sm2_digest(private.public, message, message_type), _nonce)
    raise UnsupportedMaterial(f"{algorithm.name} with MessageType {message_type}")


def verify(
    pair: KeyPair, algorithm: SigningAlgorithm, message: bytes, message_type: str, signature: bytes
) -> bool:
    if (algorithm.name, message_type, message, signature) in pair.issued:
        return True
    public = pair.public
    kind = algorithm.kind
    try:
        if algorithm.raw_args:
            args = algorithm.digest_args if message_type == "DIGEST" else algorithm.raw_args
            public.verify(signature, message, *args)
            return True
        if kind == "ed25519":
            public.verify(signature, message)
            return True
        if kind == "ed25519ph":
            return _ed25519ph.verify(public.public_bytes_raw(), message, signature)
        if kind == "mldsa":
            if message_type == "RAW":
                public.verify(signature, message)
                return True
            level = _mldsa_level(pair.private)
            return _mldsa_mu.verify(level, public.public_bytes_raw(), message, signature)
        if kind == "sm2":
            digest = _sm2_digest(public, message, message_type)
            return _sm2.verify(public, digest, signature)
    except InvalidSignature:
        return False
    raise UnsupportedMaterial(f"{algorithm.name} with MessageType {message_type}")


def _sm2_digest(public: _sm2.PublicKey, message: bytes, message_type: str) -> bytes:
    # A DIGEST is e = SM3(Z_A || M) made by the caller, who may so choose another
    # distinguishing ID; for RAW, KMS hashes with its default ID (docs/kms-behaviour.md#signing).
    return message if message_type == "DIGEST" else _sm2.message_digest(public, message)


def _nonce(size: int) -> bytes:
    # Signature and encryption nonces come from the OS, as cryptography's own do: a seed
    # makes keys reproducible, not signatures.
    return secrets.token_bytes(size)


def _mldsa_level(private: Any) -> int:
    for spec, cls in ML_DSA.items():
        if isinstance(private, cls):
            return int(spec.rsplit("_", 1)[1])
    raise UnsupportedMaterial(type(private).__name__)


def oaep(algorithm: str) -> padding.OAEP:
    chosen = hashes.SHA1() if algorithm == "RSAES_OAEP_SHA_1" else hashes.SHA256()
    return padding.OAEP(mgf=padding.MGF1(chosen), algorithm=chosen, label=None)


def encryption_capacity(spec: str, algorithm: str) -> int:
    """The largest plaintext an asymmetric key spec encrypts with ``algorithm``
    (docs/kms-behaviour.md#encryption-limits)."""
    if algorithm == "SM2PKE":
        return 1024
    # RSA-OAEP: k - 2 hLen - 2.
    hash_size = 20 if algorithm == "RSAES_OAEP_SHA_1" else 32
    return RSA_BITS[spec] // 8 - 2 * hash_size - 2


def public_encrypt(pair: KeyPair, algorithm: str, plaintext: bytes) -> bytes:
    if algorithm == "SM2PKE":
        return _sm2.encrypt(pair.public, plaintext, _nonce)
    return cast(bytes, pair.public.encrypt(plaintext, oaep(algorithm)))


def private_decrypt(pair: KeyPair, algorithm: str, ciphertext: bytes) -> bytes | None:
    if algorithm == "SM2PKE":
        return _sm2.decrypt(pair.private, ciphertext)
    try:
        return cast(bytes, pair.private.decrypt(ciphertext, oaep(algorithm)))
    except ValueError:
        return None


def ecdh(pair: KeyPair, peer_der: bytes) -> bytes | None:
    """The raw ECDH shared secret with a peer's DER public key; None if the peer is unusable."""
    if isinstance(pair.private, _sm2.PrivateKey):
        sm2_peer = _sm2.load_spki(peer_der)
        return None if sm2_peer is None else _sm2.exchange(pair.private, sm2_peer)
    private: ec.EllipticCurvePrivateKey = pair.private
    try:
        peer = serialization.load_der_public_key(peer_der)
    except (ValueError, TypeError, UnsupportedAlgorithm):
        # UnsupportedAlgorithm: a curve cryptography lacks, such as SM2's.
        return None
    if not isinstance(peer, ec.EllipticCurvePublicKey) or peer.curve.name != private.curve.name:
        return None
    return private.exchange(ec.ECDH(), peer)


def mac(secret: bytes, spec: str, message: bytes) -> bytes:
    return _hmac.new(secret, message, _HMAC_HASHES[spec]).digest()


def mac_matches(secret: bytes, spec: str, message: bytes, tag: bytes) -> bool:
    return _hmac.compare_digest(mac(secret, spec, message), tag)


def encapsulate(pair: KeyPair) -> tuple[bytes, bytes]:
    """ML-KEM: (shared secret, ciphertext) for the key's public half."""
    private: _mlkem.PrivateKey = pair.private
    return _mlkem.encapsulate(private)


def decapsulate(pair: KeyPair, ciphertext: bytes) -> bytes:
    """ML-KEM: the shared secret; the ciphertext has the spec's length."""
    private: _mlkem.PrivateKey = pair.private
    return _mlkem.decapsulate(private, ciphertext)


def encapsulation_size(spec: str) -> int:
    """The length of an ML-KEM ciphertext of ``spec``."""
    return _mlkem.PARAMETERS[spec].ciphertext_size
