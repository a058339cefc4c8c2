"""The crypto engine: KMS's symmetric ciphertext format and data key material.

The only module that touches ``cryptography.hazmat``. Symmetric ciphertext is
AES-256-GCM with the encryption context bound as additional authenticated data.
The blob names the owning account, the key and the key material that sealed it,
so Decrypt needs no KeyId and works in every Region of a multi-Region key (the
Region is deliberately absent, docs/kms-behaviour.md#symmetric-ciphertext). The header
is authenticated too: changing any byte of the blob makes decryption fail.

    magic (5) | account (12, ASCII) | key ID (36, ASCII) | material ID (32) | IV (12)
    | ciphertext | GCM tag (16)
"""

from __future__ import annotations

from typing import NamedTuple

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

# The bytes real KMS blobs commonly start with, so the blobs look familiar.
MAGIC = b"\x01\x02\x02\x00\x78"
_ACCOUNT = slice(5, 17)
_KEY_ID = slice(17, 53)
_MATERIAL = slice(53, 85)
_IV = slice(85, 97)
HEADER_SIZE = 97
TAG_SIZE = 16
OVERHEAD = HEADER_SIZE + TAG_SIZE


class Header(NamedTuple):
    account: str
    key_id: str
    material_id: str  # 64 lowercase hex


def context_aad(context: dict[str, str] | None) -> bytes:
    """The encryption context as AAD: order-insensitive, exact and case-sensitive.

    ``repr`` of the sorted pairs is unambiguous (it quotes and escapes every string) and
    several times cheaper than a canonical JSON dump.
    """
    global _last
    if not context:
        return b""
    # Callers tend to send one context again and again: keep the last one's AAD, as one
    # pair swapped in whole, so that threads never see a context with another's AAD.
    last = _last
    if context == last[0]:
        return last[1]
    aad = repr(sorted(context.items())).encode()
    _last = (dict(context), aad)
    return aad


_last: tuple[dict[str, str], bytes] = ({}, b"")


# AESGCM objects by key, so that a busy key is not set up again on every call.
_CIPHERS: dict[bytes, AESGCM] = {}
_MAX_CIPHERS = 4096


def _cipher(material: bytes) -> AESGCM:
    cipher = _CIPHERS.get(material)
    if cipher is None:
        if len(_CIPHERS) >= _MAX_CIPHERS:
            _CIPHERS.clear()
        cipher = _CIPHERS[material] = AESGCM(material)
    return cipher


# Header bytes by header: a key seals with the same header until it rotates.
_PREFIXES: dict[Header, bytes] = {}


def _prefix(header: Header) -> bytes:
    found = _PREFIXES.get(header)
    if found is None:
        if len(_PREFIXES) >= _MAX_CIPHERS:
            _PREFIXES.clear()
        found = _PREFIXES[header] = (
            MAGIC
            + header.account.encode("ascii")
            + header.key_id.encode("ascii")
            + bytes.fromhex(header.material_id)
        )
    return found


# Headers by their bytes: the blobs of one key material share them.
_HEADERS: dict[bytes, Header] = {}


def read_header(blob: bytes) -> Header | None:
    """The header of a blob kmsmock made, or None for anything else."""
    if len(blob) < OVERHEAD or not blob.startswith(MAGIC):
        return None
    raw = blob[: _MATERIAL.stop]
    found = _HEADERS.get(raw)
    if found is not None:
        return found
    try:
        account = blob[_ACCOUNT].decode("ascii")
        key_id = blob[_KEY_ID].decode("ascii")
    except UnicodeDecodeError:
        return None
    if len(_HEADERS) >= _MAX_CIPHERS:
        _HEADERS.clear()
    found = _HEADERS[raw] = Header(account, key_id, blob[_MATERIAL].hex())
    return found


def seal(
    material: bytes,
    header: Header,
    iv: bytes,
    plaintext: bytes,
    context: dict[str, str] | None,
) -> bytes:
    prefix = _prefix(header) + iv
    sealed = _cipher(material).encrypt(iv, plaintext, context_aad(context) + prefix)
    return prefix + sealed


def open_sealed(material: bytes, blob: bytes, context: dict[str, str] | None) -> bytes | None:
    """The plaintext, or None when the blob or the context does not authenticate."""
    prefix = blob[:HEADER_SIZE]
    try:
        return _cipher(material).decrypt(
            blob[_IV], blob[HEADER_SIZE:], context_aad(context) + prefix
        )
    except InvalidTag:
        return None
