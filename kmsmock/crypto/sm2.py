"""SM2 (GB/T 32918): signatures, public-key encryption, ECDH and the key encodings.

``cryptography`` has no SM2, and no well-kept Python library for it is on PyPI, so this
is an own implementation in plain integers. It is checked against the standard's
worked examples (tests/test_sm2.py) and against OpenSSL, which reads the keys,
verifies the signatures and decrypts the ciphertexts made here, and the other way
round. It is a mock's implementation: correct, not constant-time.

Encodings are those of KMS and OpenSSL: keys as SubjectPublicKeyInfo and PKCS#8 with
``id-ecPublicKey`` and the SM2 curve, signatures as DER ``SEQUENCE {r, s}``, and SM2PKE
ciphertext as the DER ``SEQUENCE {x, y, hash, ciphertext}`` of GM/T 0009 (C1, C3, C2).
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)

from kmsmock.crypto.sm3 import sm3

Entropy = Callable[[int], bytes]
Jacobian = tuple[int, int, int]  # Z == 0 is the point at infinity

# The signer's distinguishing ID KMS uses; callers cannot choose another
# (docs/kms-behaviour.md#signing).
DEFAULT_ID = b"1234567812345678"


@dataclass(frozen=True, slots=True)
class Curve:
    p: int
    a: int
    b: int
    n: int
    gx: int
    gy: int

    @property
    def size(self) -> int:
        return (self.p.bit_length() + 7) // 8


# The curve GB/T 32918.5 recommends; the only one KMS uses.
SM2_P256 = Curve(
    p=0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFF,
    a=0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFC,
    b=0x28E9FA9E9D9F5E344D5A9E4BCF6509A7F39789F515AB8F92DDBCBD414D940E93,
    n=0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123,
    gx=0x32C4AE2C1F1981195F9904466A39C9948FE30BBFF2660BE1715A4589334C74C7,
    gy=0xBC3736A2F4F6779C59BDCEE36B692153D0A9877CC62A474002DF32E52139F0A0,
)


@dataclass(frozen=True, slots=True)
class PublicKey:
    x: int
    y: int
    curve: Curve = SM2_P256

    def point(self) -> bytes:
        """The uncompressed SEC 1 encoding, 04 || x || y."""
        size = self.curve.size
        return b"\x04" + self.x.to_bytes(size, "big") + self.y.to_bytes(size, "big")


@dataclass(frozen=True, slots=True)
class PrivateKey:
    d: int
    public: PublicKey

    def public_key(self) -> PublicKey:
        return self.public


# --- curve arithmetic ---------------------------------------------------------------


def _double(curve: Curve, point: Jacobian) -> Jacobian:
    x, y, z = point
    p = curve.p
    if z == 0 or y == 0:
        return (1, 1, 0)
    yy = y * y % p
    s = 4 * x * yy % p
    zz = z * z % p
    m = (3 * x * x + curve.a * zz * zz) % p
    x3 = (m * m - 2 * s) % p
    return x3, (m * (s - x3) - 8 * yy * yy) % p, 2 * y * z % p


def _add(curve: Curve, first: Jacobian, second: Jacobian) -> Jacobian:
    x1, y1, z1 = first
    x2, y2, z2 = second
    if z1 == 0:
        return second
    if z2 == 0:
        return first
    p = curve.p
    z1z1, z2z2 = z1 * z1 % p, z2 * z2 % p
    u1, u2 = x1 * z2z2 % p, x2 * z1z1 % p
    s1, s2 = y1 * z2 * z2z2 % p, y2 * z1 * z1z1 % p
    if u1 == u2:
        return _double(curve, first) if s1 == s2 else (1, 1, 0)
    h, r = (u2 - u1) % p, (s2 - s1) % p
    hh = h * h % p
    hhh = h * hh % p
    v = u1 * hh % p
    x3 = (r * r - hhh - 2 * v) % p
    return x3, (r * (v - x3) - s1 * hhh) % p, h * z1 * z2 % p


def _affine(curve: Curve, point: Jacobian) -> tuple[int, int] | None:
    x, y, z = point
    if z == 0:
        return None
    p = curve.p
    zi = pow(z, -1, p)
    zi2 = zi * zi % p
    return x * zi2 % p, y * zi2 * zi % p


def _combine(curve: Curve, terms: list[tuple[int, tuple[int, int]]]) -> tuple[int, int] | None:
    """The sum of k·P over ``terms`` by one shared double-and-add (Shamir's trick)."""
    points = [((x, y, 1), k) for k, (x, y) in terms]
    result: Jacobian = (1, 1, 0)
    for bit in reversed(range(max(k.bit_length() for _, k in points))):
        result = _double(curve, result)
        for point, k in points:
            if k >> bit & 1:
                result = _add(curve, result, point)
    return _affine(curve, result)


def _multiply(curve: Curve, k: int, x: int, y: int) -> tuple[int, int] | None:
    return _combine(curve, [(k, (x, y))])


def on_curve(curve: Curve, x: int, y: int) -> bool:
    p = curve.p
    return 0 <= x < p and 0 <= y < p and (y * y - x * x * x - curve.a * x - curve.b) % p == 0


def _random_scalar(curve: Curve, entropy: Entropy, upper: int) -> int:
    """A uniformly random integer in [1, upper]."""
    while True:
        k = int.from_bytes(entropy(curve.size), "big")
        if 1 <= k <= upper:
            return k


def _bytes(curve: Curve, value: int) -> bytes:
    return value.to_bytes(curve.size, "big")


# --- keys ---------------------------------------------------------------------------


def private_key(d: int, curve: Curve = SM2_P256) -> PrivateKey:
    point = _multiply(curve, d, curve.gx, curve.gy)
    assert point is not None  # 1 <= d < n
    return PrivateKey(d, PublicKey(*point, curve))


def generate(entropy: Entropy, curve: Curve = SM2_P256) -> PrivateKey:
    # d + 1 must be invertible mod n, so d stops at n - 2 (GB/T 32918.1 §6.1).
    return private_key(_random_scalar(curve, entropy, curve.n - 2), curve)


def _der(tag: int, content: bytes) -> bytes:
    length = len(content)
    if length < 0x80:
        return bytes([tag, length]) + content
    size = (length.bit_length() + 7) // 8
    return bytes([tag, 0x80 | size]) + length.to_bytes(size, "big") + content


_SEQUENCE, _INTEGER, _BIT_STRING, _OCTET_STRING = 0x30, 0x02, 0x03, 0x04
# AlgorithmIdentifier { id-ecPublicKey, the SM2 curve 1.2.156.10197.1.301 }.
_ALGORITHM = _der(
    _SEQUENCE,
    bytes.fromhex("06072a8648ce3d0201") + bytes.fromhex("06082a811ccf5501822d"),
)
_SPKI_PREFIX = _der(_SEQUENCE, _ALGORITHM + _der(_BIT_STRING, b"\x00" + b"\x00" * 65))[:-65]


def spki(public: PublicKey) -> bytes:
    """DER SubjectPublicKeyInfo, as GetPublicKey returns it."""
    return _der(_SEQUENCE, _ALGORITHM + _der(_BIT_STRING, b"\x00" + public.point()))


def pkcs8(private: PrivateKey) -> bytes:
    """DER PKCS#8 PrivateKeyInfo holding an RFC 5915 ECPrivateKey, as OpenSSL writes it."""
    public = _der(0xA1, _der(_BIT_STRING, b"\x00" + private.public.point()))
    ec_private_key = _der(
        _SEQUENCE,
        _der(_INTEGER, b"\x01")
        + _der(_OCTET_STRING, _bytes(private.public.curve, private.d))
        + public,
    )
    return _der(
        _SEQUENCE, _der(_INTEGER, b"\x00") + _ALGORITHM + _der(_OCTET_STRING, ec_private_key)
    )


def load_pkcs8(der: bytes) -> PrivateKey | None:
    """An SM2 private key from DER PKCS#8 (as :func:`pkcs8` and OpenSSL write it); None
    if it is not one, or if the public key it carries does not belong to it."""
    outer = _read(der, 0, _SEQUENCE)
    if outer is None or outer[1] != len(der):
        return None
    body = outer[0]
    version = _read(body, 0, _INTEGER)
    if version is None or version[0] != b"\x00":
        return None
    if not body[version[1] :].startswith(_ALGORITHM):
        return None
    wrapped = _read(body, version[1] + len(_ALGORITHM), _OCTET_STRING)
    inner = _read(wrapped[0], 0, _SEQUENCE) if wrapped is not None else None
    if inner is None:
        return None
    ec_version = _read(inner[0], 0, _INTEGER)
    scalar = _read(inner[0], ec_version[1], _OCTET_STRING) if ec_version is not None else None
    if ec_version is None or ec_version[0] != b"\x01" or scalar is None:
        return None
    d = int.from_bytes(scalar[0], "big")
    if not 1 <= d <= SM2_P256.n - 2:
        return None
    private = private_key(d)
    public = _read(inner[0], scalar[1], 0xA1)
    if public is not None:
        bits = _read(public[0], 0, _BIT_STRING)
        if bits is None or bits[0] != b"\x00" + private.public.point():
            return None
    return private


def load_spki(der: bytes) -> PublicKey | None:
    """An SM2 public key from DER SubjectPublicKeyInfo; None if it is not a valid one."""
    if len(der) != len(_SPKI_PREFIX) + 65 or not der.startswith(_SPKI_PREFIX):
        return None
    point = der[len(_SPKI_PREFIX) :]
    x, y = int.from_bytes(point[1:33], "big"), int.from_bytes(point[33:], "big")
    if point[0] != 4 or not on_curve(SM2_P256, x, y):
        return None
    return PublicKey(x, y)


# --- signatures ---------------------------------------------------------------------


def identity_hash(public: PublicKey, distinguishing_id: bytes = DEFAULT_ID) -> bytes:
    """Z_A, the hash of the signer's ID, the curve and the public key (GB/T 32918.2 §5.5)."""
    curve = public.curve
    return sm3(
        (len(distinguishing_id) * 8).to_bytes(2, "big")
        + distinguishing_id
        + b"".join(_bytes(curve, v) for v in (curve.a, curve.b, curve.gx, curve.gy))
        + _bytes(curve, public.x)
        + _bytes(curve, public.y)
    )


def message_digest(
    public: PublicKey, message: bytes, distinguishing_id: bytes = DEFAULT_ID
) -> bytes:
    """e = SM3(Z_A || M): what is signed; KMS's MessageType DIGEST takes it ready-made."""
    return sm3(identity_hash(public, distinguishing_id) + message)


def sign_digest(private: PrivateKey, digest: bytes, entropy: Entropy) -> tuple[int, int]:
    curve = private.public.curve
    n = curve.n
    e = int.from_bytes(digest, "big")
    while True:
        k = _random_scalar(curve, entropy, n - 1)
        point = _multiply(curve, k, curve.gx, curve.gy)
        assert point is not None
        r = (e + point[0]) % n
        if r == 0 or r + k == n:
            continue
        s = pow(1 + private.d, -1, n) * (k - r * private.d) % n
        if s != 0:
            return r, s


def verify_digest(public: PublicKey, digest: bytes, r: int, s: int) -> bool:
    curve = public.curve
    n = curve.n
    if not (0 < r < n and 0 < s < n):
        return False
    t = (r + s) % n
    if t == 0:
        return False
    point = _combine(curve, [(s, (curve.gx, curve.gy)), (t, (public.x, public.y))])
    return point is not None and (int.from_bytes(digest, "big") + point[0]) % n == r


def sign(private: PrivateKey, digest: bytes, entropy: Entropy) -> bytes:
    """A DER signature of ``digest`` (e, from :func:`message_digest`)."""
    return encode_dss_signature(*sign_digest(private, digest, entropy))


def verify(public: PublicKey, digest: bytes, signature: bytes) -> bool:
    try:
        r, s = decode_dss_signature(signature)
    except ValueError:
        return False
    # Only the canonical encoding verifies: a signature is one byte string.
    return encode_dss_signature(r, s) == signature and verify_digest(public, digest, r, s)


# --- encryption ---------------------------------------------------------------------


def _kdf(shared: bytes, length: int) -> bytes:
    blocks = (length + 31) // 32
    return b"".join(sm3(shared + i.to_bytes(4, "big")) for i in range(1, blocks + 1))[:length]


def _xor(data: bytes, mask: bytes) -> bytes:
    return (int.from_bytes(data, "big") ^ int.from_bytes(mask, "big")).to_bytes(len(data), "big")


def encrypt_parts(
    public: PublicKey, plaintext: bytes, entropy: Entropy
) -> tuple[int, int, bytes, bytes]:
    """(x1, y1, C3, C2) of GB/T 32918.4 §6.1."""
    curve = public.curve
    while True:
        k = _random_scalar(curve, entropy, curve.n - 1)
        c1 = _multiply(curve, k, curve.gx, curve.gy)
        shared = _multiply(curve, k, public.x, public.y)
        assert c1 is not None
        assert shared is not None
        x2, y2 = _bytes(curve, shared[0]), _bytes(curve, shared[1])
        mask = _kdf(x2 + y2, len(plaintext))
        if any(mask):
            return c1[0], c1[1], sm3(x2 + plaintext + y2), _xor(plaintext, mask)


def decrypt_parts(private: PrivateKey, x1: int, y1: int, c3: bytes, c2: bytes) -> bytes | None:
    curve = private.public.curve
    if not on_curve(curve, x1, y1):
        return None
    shared = _multiply(curve, private.d, x1, y1)
    if shared is None:
        return None
    x2, y2 = _bytes(curve, shared[0]), _bytes(curve, shared[1])
    mask = _kdf(x2 + y2, len(c2))
    if not any(mask):
        return None
    plaintext = _xor(c2, mask)
    return plaintext if hmac.compare_digest(sm3(x2 + plaintext + y2), c3) else None


def _der_integer(value: int) -> bytes:
    return _der(_INTEGER, value.to_bytes(value.bit_length() // 8 + 1, "big"))


def encrypt(public: PublicKey, plaintext: bytes, entropy: Entropy) -> bytes:
    """SM2PKE ciphertext as the DER ``SM2Cipher`` of GM/T 0009."""
    x1, y1, c3, c2 = encrypt_parts(public, plaintext, entropy)
    return _der(
        _SEQUENCE,
        _der_integer(x1) + _der_integer(y1) + _der(_OCTET_STRING, c3) + _der(_OCTET_STRING, c2),
    )


def _read(der: bytes, offset: int, tag: int) -> tuple[bytes, int] | None:
    """The content of the DER element of ``tag`` at ``offset``, and where the next begins."""
    if offset + 2 > len(der) or der[offset] != tag:
        return None
    length, start = der[offset + 1], offset + 2
    if length & 0x80:
        size = length & 0x7F
        if not 1 <= size <= 2 or start + size > len(der):
            return None
        length, start = int.from_bytes(der[start : start + size], "big"), start + size
    end = start + length
    return (der[start:end], end) if end <= len(der) else None


def decrypt(private: PrivateKey, ciphertext: bytes) -> bytes | None:
    """The plaintext of a DER ``SM2Cipher``; None if it is malformed or does not decrypt."""
    outer = _read(ciphertext, 0, _SEQUENCE)
    if outer is None or outer[1] != len(ciphertext):
        return None
    body, offset, fields = outer[0], 0, []
    for tag in (_INTEGER, _INTEGER, _OCTET_STRING, _OCTET_STRING):
        element = _read(body, offset, tag)
        if element is None:
            return None
        fields.append(element[0])
        offset = element[1]
    x, y, c3, c2 = fields
    if offset != len(body) or len(c3) != 32 or not c2:
        return None
    x1, y1 = (int.from_bytes(v, "big", signed=True) for v in (x, y))
    return decrypt_parts(private, x1, y1, c3, c2)


# --- key agreement ------------------------------------------------------------------


def exchange(private: PrivateKey, peer: PublicKey) -> bytes:
    """The raw ECDH shared secret: the x coordinate of d·Q, as OpenSSL derives it."""
    curve = private.public.curve
    point = _multiply(curve, private.d, peer.x, peer.y)
    assert point is not None  # peer is a point of prime order n and 0 < d < n
    return _bytes(curve, point[0])
