"""Sign a JSON Web Token (ES256) with a KMS key, then verify it without KMS.

The private key never leaves KMS: the token's signing input is hashed locally, KMS
signs the SHA-256 digest (MessageType DIGEST), and anyone holding the public key from
GetPublicKey can check the token. Here KMS is kmsmock, so this runs offline:

    python examples/sign_jwt.py
"""

from __future__ import annotations

import base64
import hashlib
import json
import sys
import time
from typing import TYPE_CHECKING, Any

import boto3
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)

from kmsmock import mock_kms

if TYPE_CHECKING:
    from mypy_boto3_kms import KMSClient

# ES256: ECDSA on P-256 with SHA-256; JOSE writes the signature as r || s, 32 bytes each.
COORDINATE_BYTES = 32


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def json_part(value: dict[str, Any]) -> str:
    return b64url(json.dumps(value, separators=(",", ":"), sort_keys=True).encode("utf-8"))


def der_to_jose(der: bytes) -> bytes:
    """KMS returns ECDSA signatures as DER SEQUENCE{r, s}; JWS wants raw r || s."""
    r, s = decode_dss_signature(der)
    return r.to_bytes(COORDINATE_BYTES, "big") + s.to_bytes(COORDINATE_BYTES, "big")


def jose_to_der(raw: bytes) -> bytes:
    if len(raw) != 2 * COORDINATE_BYTES:
        raise InvalidSignature("an ES256 signature is 64 bytes")
    r = int.from_bytes(raw[:COORDINATE_BYTES], "big")
    s = int.from_bytes(raw[COORDINATE_BYTES:], "big")
    return encode_dss_signature(r, s)


def sign_jwt(kms: KMSClient, key_id: str, claims: dict[str, Any]) -> str:
    header = {"alg": "ES256", "typ": "JWT", "kid": key_id}
    signing_input = f"{json_part(header)}.{json_part(claims)}"
    digest = hashlib.sha256(signing_input.encode("ascii")).digest()
    response = kms.sign(
        KeyId=key_id,
        Message=digest,
        MessageType="DIGEST",
        SigningAlgorithm="ECDSA_SHA_256",
    )
    return f"{signing_input}.{b64url(der_to_jose(response['Signature']))}"


def verify_jwt(token: str, public_key_der: bytes) -> dict[str, Any]:
    """The token's claims; raises InvalidSignature if the token was not signed by the key."""
    signing_input, _, signature = token.rpartition(".")
    header_part, _, payload_part = signing_input.partition(".")
    header = json.loads(b64url_decode(header_part))
    if header.get("alg") != "ES256":
        raise InvalidSignature(f"unexpected alg {header.get('alg')!r}")
    public_key = serialization.load_der_public_key(public_key_der)
    if not isinstance(public_key, ec.EllipticCurvePublicKey):
        raise TypeError("ES256 needs an elliptic curve public key")
    public_key.verify(
        jose_to_der(b64url_decode(signature)),
        signing_input.encode("ascii"),
        ec.ECDSA(hashes.SHA256()),
    )
    claims: dict[str, Any] = json.loads(b64url_decode(payload_part))
    return claims


def main() -> int:
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": "https://issuer.example.com",
        "sub": "user-1234",
        "aud": "example-api",
        "iat": now,
        "exp": now + 3600,
    }
    with mock_kms():
        kms = boto3.client("kms", region_name="us-east-1")
        key_id = kms.create_key(
            KeySpec="ECC_NIST_P256",
            KeyUsage="SIGN_VERIFY",
            Description="JWT signing key",
        )["KeyMetadata"]["KeyId"]
        token = sign_jwt(kms, key_id, claims)
        public_key_der = kms.get_public_key(KeyId=key_id)["PublicKey"]

    # Verification needs only the public key: no KMS, no mock.
    print(token)
    if verify_jwt(token, public_key_der) != claims:
        print("claims changed", file=sys.stderr)
        return 1
    header_part, _, signature = token.split(".")
    forged = json_part({**claims, "sub": "admin"})
    try:
        verify_jwt(f"{header_part}.{forged}.{signature}", public_key_der)
    except InvalidSignature:
        print("verified")
        return 0
    print("a forged token verified", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
