"""Attestation documents of AWS Nitro Enclaves and NitroTPM, as the Recipient parameter
carries them (https://docs.aws.amazon.com/enclaves/latest/user/verify-root.html).

A document is a COSE_Sign1 structure (RFC 9052) in CBOR, tagged 18 or not: a
protected header naming ES384, an unprotected header, the payload and an ECDSA P-384
signature. The payload is a CBOR map: ``module_id``, ``digest`` ("SHA384"),
``timestamp``, the PCRs (``pcrs`` for an enclave, ``nitrotpm_pcrs`` for NitroTPM),
``certificate`` (the signer's DER certificate), ``cabundle`` (the chain towards the
AWS Nitro root), ``public_key`` (the DER key KMS encrypts the response to) and the
optional ``user_data`` and ``nonce``.

What kmsmock checks: the COSE_Sign1 structure and ES384 algorithm, every required
payload field and its type, the signature against the key of the document's own
certificate, and that the public key is an RSA key. What it cannot check: that the
certificate chains to the AWS Nitro Attestation PKI root (tests cannot get a document
AWS signed), the certificates' validity dates, and the document's freshness.
``build_document`` makes documents kmsmock accepts, signed by a throwaway P-384
certificate.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
from dataclasses import dataclass

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)
from cryptography.x509.oid import NameOID

from kmsmock.crypto.cbor import CborError, Tagged, decode, encode

_COSE_SIGN1_TAG = 18
_ES384 = -35
_HALF = 48  # bytes of r and of s in an ES384 signature


class AttestationError(ValueError):
    """The attestation document is not one kmsmock accepts; the text says why."""


@dataclass(frozen=True, slots=True)
class AttestationDocument:
    module_id: str
    pcrs: dict[int, bytes]
    nitro_tpm: bool
    public_key: rsa.RSAPublicKey


def _sig_structure(protected: bytes, payload: bytes) -> bytes:
    return encode(["Signature1", protected, b"", payload])


def read_document(blob: bytes) -> AttestationDocument:
    """The checked contents of an attestation document; AttestationError if it fails."""
    try:
        outer = decode(blob)
    except CborError as error:
        raise AttestationError(f"not CBOR: {error}") from None
    if isinstance(outer, Tagged) and outer.tag == _COSE_SIGN1_TAG:
        outer = outer.value
    if not (isinstance(outer, list) and len(outer) == 4):
        raise AttestationError("not a COSE_Sign1 structure")
    protected, unprotected, payload, signature = outer
    if not (
        isinstance(protected, bytes)
        and isinstance(unprotected, dict)
        and isinstance(payload, bytes)
        and isinstance(signature, bytes)
    ):
        raise AttestationError("not a COSE_Sign1 structure")
    try:
        header = decode(protected)
        fields = decode(payload)
    except CborError as error:
        raise AttestationError(f"header or payload not CBOR: {error}") from None
    if not isinstance(header, dict) or header.get(1) != _ES384:
        raise AttestationError("the protected header does not name ES384")
    if not isinstance(fields, dict):
        raise AttestationError("the payload is not a map")
    pcrs, nitro_tpm = _pcrs(fields)
    for name, kind in (
        ("module_id", str),
        ("digest", str),
        ("timestamp", int),
        ("certificate", bytes),
        ("cabundle", list),
    ):
        if not isinstance(fields.get(name), kind):
            raise AttestationError(f"the payload lacks a valid {name}")
    _verify(fields["certificate"], _sig_structure(protected, payload), signature)
    return AttestationDocument(fields["module_id"], pcrs, nitro_tpm, _public_key(fields))


def _pcrs(fields: dict[object, object]) -> tuple[dict[int, bytes], bool]:
    nitro_tpm = "nitrotpm_pcrs" in fields
    found = fields.get("nitrotpm_pcrs" if nitro_tpm else "pcrs")
    if not isinstance(found, dict) or not all(
        isinstance(index, int) and 0 <= index < 32 and isinstance(value, bytes)
        for index, value in found.items()
    ):
        raise AttestationError("the payload lacks valid PCRs")
    return dict(found), nitro_tpm


def _verify(certificate: bytes, signed: bytes, signature: bytes) -> None:
    try:
        signer = x509.load_der_x509_certificate(certificate).public_key()
    except ValueError:
        raise AttestationError("the certificate is not a DER X.509 certificate") from None
    if not isinstance(signer, ec.EllipticCurvePublicKey) or signer.curve.name != "secp384r1":
        raise AttestationError("the certificate's key is not a P-384 key")
    if len(signature) != 2 * _HALF:
        raise AttestationError("the signature is not an ES384 signature")
    der = encode_dss_signature(
        int.from_bytes(signature[:_HALF], "big"), int.from_bytes(signature[_HALF:], "big")
    )
    try:
        signer.verify(der, signed, ec.ECDSA(hashes.SHA384()))
    except InvalidSignature:
        raise AttestationError("the signature does not verify") from None


def _public_key(fields: dict[object, object]) -> rsa.RSAPublicKey:
    found = fields.get("public_key")
    if not isinstance(found, bytes):
        raise AttestationError("the payload has no public_key")
    try:
        key = serialization.load_der_public_key(found)
    except (ValueError, TypeError):
        raise AttestationError("public_key is not a DER SubjectPublicKeyInfo") from None
    if not isinstance(key, rsa.RSAPublicKey):
        raise AttestationError("public_key is not an RSA key")
    return key


@functools.cache
def _signer() -> tuple[ec.EllipticCurvePrivateKey, bytes]:
    """A throwaway P-384 key and its self-signed certificate, made once per process."""
    key = ec.generate_private_key(ec.SECP384R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "kmsmock attestation")])
    start = datetime.datetime(2020, 1, 1, tzinfo=datetime.timezone.utc)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(start)
        .not_valid_after(start + datetime.timedelta(days=365 * 100))
        .sign(key, hashes.SHA384())
    )
    return key, certificate.public_bytes(serialization.Encoding.DER)


def build_document(
    public_key: bytes,
    *,
    pcrs: dict[int, bytes] | None = None,
    nitro_tpm: bool = False,
    module_id: str = "i-0123456789abcdef0-enc0123456789abcdef",
    timestamp: int = 0,
    user_data: bytes | None = None,
    nonce: bytes | None = None,
) -> bytes:
    """An attestation document for ``public_key`` (DER SubjectPublicKeyInfo), signed
    by kmsmock's throwaway certificate: the structure of a real one, not AWS's trust."""
    key, certificate = _signer()
    found = pcrs if pcrs is not None else {i: bytes(48) for i in range(16)}
    payload = encode(
        {
            "module_id": module_id,
            "digest": "SHA384",
            "timestamp": timestamp,
            "nitrotpm_pcrs" if nitro_tpm else "pcrs": found,
            "certificate": certificate,
            "cabundle": [certificate],
            "public_key": public_key,
            "user_data": user_data,
            "nonce": nonce,
        }
    )
    protected = encode({1: _ES384})
    r, s = decode_dss_signature(
        key.sign(_sig_structure(protected, payload), ec.ECDSA(hashes.SHA384()))
    )
    signature = r.to_bytes(_HALF, "big") + s.to_bytes(_HALF, "big")
    return encode([protected, {}, payload, signature])


def image_sha384(document: AttestationDocument) -> str | None:
    """kms:RecipientAttestation:ImageSha384, PCR0 of an enclave's document."""
    found = document.pcrs.get(0)
    return found.hex() if found is not None and not document.nitro_tpm else None


def subject_key_identifier(public_key: rsa.RSAPublicKey) -> bytes:
    """SHA-1 of the subjectPublicKey bits (RFC 5280 section 4.2.1.2, method 1)."""
    raw = public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.PKCS1)
    return hashlib.sha1(raw).digest()
