"""CiphertextForRecipient: a secret in a CMS EnvelopedData (RFC 5652) for the RSA public
key of an attestation document.

The layout is what the AWS Nitro Enclaves SDK reads (its ``aws_cms_parse_enveloped_data``
in https://github.com/aws/aws-nitro-enclaves-sdk-c): a ContentInfo of type
envelopedData, EnvelopedData version 2 with one KeyTransRecipientInfo (version 2, the
recipient named by subjectKeyIdentifier) whose content key is encrypted with
RSAES-OAEP, SHA-256 and MGF1-SHA-256, and the content in AES-256-CBC with PKCS#7
padding. The outer structures use BER indefinite lengths, as that reader expects.
"""

from __future__ import annotations

from collections.abc import Callable

from cryptography.hazmat.primitives import hashes, padding
from cryptography.hazmat.primitives.asymmetric import padding as asymmetric_padding
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from kmsmock.crypto.attestation import subject_key_identifier

_ENVELOPED_DATA = "1.2.840.113549.1.7.3"
_DATA = "1.2.840.113549.1.7.1"
_RSAES_OAEP = "1.2.840.113549.1.1.7"
_MGF1 = "1.2.840.113549.1.1.8"
_SHA256 = "2.16.840.1.101.3.4.2.1"
_AES_256_CBC = "2.16.840.1.101.3.4.1.42"
_END = b"\x00\x00"  # end-of-contents of an indefinite-length element


def _length(size: int) -> bytes:
    if size < 0x80:
        return bytes([size])
    raw = size.to_bytes((size.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(raw)]) + raw


def _tlv(tag: int, content: bytes) -> bytes:
    return bytes([tag]) + _length(len(content)) + content


def _indefinite(tag: int, *parts: bytes) -> bytes:
    return bytes([tag, 0x80]) + b"".join(parts) + _END


def _oid(dotted: str) -> bytes:
    first, second, *rest = (int(arc) for arc in dotted.split("."))
    body = bytearray([40 * first + second])
    for arc in rest:
        chunk = [arc & 0x7F]
        arc >>= 7
        while arc:
            chunk.append(0x80 | (arc & 0x7F))
            arc >>= 7
        body.extend(reversed(chunk))
    return _tlv(0x06, bytes(body))


def _sequence(*parts: bytes) -> bytes:
    return _tlv(0x30, b"".join(parts))


def _algorithm(oid: str, parameters: bytes = b"") -> bytes:
    return _sequence(_oid(oid), parameters)


# RSAES-OAEP-params (RFC 4055): SHA-256, MGF1 with SHA-256, the default empty label.
_OAEP_ALGORITHM = _algorithm(
    _RSAES_OAEP,
    _sequence(
        _tlv(0xA0, _algorithm(_SHA256)),
        _tlv(0xA1, _algorithm(_MGF1, _algorithm(_SHA256))),
    ),
)


def envelope(
    plaintext: bytes, recipient: rsa.RSAPublicKey, token_bytes: Callable[[int], bytes]
) -> bytes:
    """``plaintext`` enveloped for ``recipient`` (BER-encoded CMS ContentInfo)."""
    content_key, iv = token_bytes(32), token_bytes(16)
    padder = padding.PKCS7(128).padder()
    padded = padder.update(plaintext) + padder.finalize()
    encryptor = Cipher(algorithms.AES(content_key), modes.CBC(iv)).encryptor()
    encrypted = encryptor.update(padded) + encryptor.finalize()
    oaep = asymmetric_padding.OAEP(
        mgf=asymmetric_padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None
    )
    recipient_info = _sequence(
        _tlv(0x02, b"\x02"),  # version 2: the recipient is named by subjectKeyIdentifier
        _tlv(0x80, subject_key_identifier(recipient)),
        _OAEP_ALGORITHM,
        _tlv(0x04, recipient.encrypt(content_key, oaep)),
    )
    encrypted_content_info = _indefinite(
        0x30,
        _oid(_DATA),
        _algorithm(_AES_256_CBC, _tlv(0x04, iv)),
        _indefinite(0xA0, _tlv(0x04, encrypted)),
    )
    enveloped_data = _indefinite(
        0x30, _tlv(0x02, b"\x02"), _tlv(0x31, recipient_info), encrypted_content_info
    )
    return _indefinite(0x30, _oid(_ENVELOPED_DATA), _indefinite(0xA0, enveloped_data))
