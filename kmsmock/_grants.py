"""Grants: the record on its key, its grant tokens, and which operations a key can grant.

A grant lives on its key (``Key.grants``), so it goes when the key's deletion window
ends. kmsmock does not evaluate authorization, so a grant allows nothing that was not
allowed already; what it models is the bookkeeping: creation with AWS's checks, the
Name idempotency, listing, retiring and revoking, and the grant tokens callers pass on.
"""

from __future__ import annotations

import base64
import binascii
import re
import uuid
from dataclasses import dataclass
from typing import Any

from kmsmock._aws_errors import InvalidGrantTokenException
from kmsmock._specs import ENCRYPT_DECRYPT, KEY_AGREEMENT, SIGN_VERIFY

# Grant IDs are 64 lowercase hex characters in every observed example (reference §1.6).
GRANT_ID = re.compile(r"[0-9a-f]{64}")
# Most grants one key may have [D].
MAX_GRANTS_PER_KEY = 50_000

_COMMON = ("CreateGrant", "RetireGrant", "DescribeKey")
_SYMMETRIC = (
    "Decrypt",
    "Encrypt",
    "GenerateDataKey",
    "GenerateDataKeyWithoutPlaintext",
    "GenerateDataKeyPair",
    "GenerateDataKeyPairWithoutPlaintext",
    "ReEncryptFrom",
    "ReEncryptTo",
)
# Grant operations per key type (reference §6.2), keyed by (symmetric?, key usage).
_GRANTABLE: dict[tuple[bool, str], frozenset[str]] = {
    (True, ENCRYPT_DECRYPT): frozenset((*_SYMMETRIC, *_COMMON)),
    (False, ENCRYPT_DECRYPT): frozenset(
        ("Encrypt", "Decrypt", "ReEncryptFrom", "ReEncryptTo", "GetPublicKey", *_COMMON)
    ),
    (False, SIGN_VERIFY): frozenset(("Sign", "Verify", "GetPublicKey", *_COMMON)),
    (False, KEY_AGREEMENT): frozenset(("DeriveSharedSecret", "GetPublicKey", *_COMMON)),
    (False, "GENERATE_VERIFY_MAC"): frozenset(("GenerateMac", "VerifyMac", *_COMMON)),
}


def grantable(symmetric: bool, usage: str) -> frozenset[str]:
    """The operations a grant on a key of this kind may allow."""
    return _GRANTABLE[(symmetric, usage)]


@dataclass(slots=True, eq=False)
class Grant:
    grant_id: str
    name: str | None
    created: float
    grantee: str
    retiring: str | None
    issuing_account: str  # the account whose principal created the grant
    operations: tuple[str, ...]
    constraints: dict[str, dict[str, str]] | None
    seq: int  # creation order in the mock, for list pages

    def same_request(
        self,
        grantee: str,
        retiring: str | None,
        operations: list[str],
        constraints: dict[str, dict[str, str]] | None,
    ) -> bool:
        """Whether a CreateGrant with this grant's Name asks for this very grant."""
        return (self.grantee, self.retiring, self.constraints or None) == (
            grantee,
            retiring,
            constraints or None,
        ) and sorted(self.operations) == sorted(operations)

    def entry(self, key_arn: str, partition: str) -> dict[str, Any]:
        """The GrantListEntry ListGrants and ListRetirableGrants return."""
        entry: dict[str, Any] = {
            "KeyId": key_arn,
            "GrantId": self.grant_id,
            "CreationDate": self.created,
            "GranteePrincipal": self.grantee,
            "IssuingAccount": f"arn:{partition}:iam::{self.issuing_account}:root",
            "Operations": list(self.operations),
        }
        if self.name is not None:
            entry["Name"] = self.name
        if self.retiring is not None:
            entry["RetiringPrincipal"] = self.retiring
        if self.constraints:
            entry["Constraints"] = self.constraints
        return entry


# Grant tokens ------------------------------------------------------------------------
# Opaque to callers, as AWS's are; inside, the token names its grant so that RetireGrant
# can find it by token alone: version | account | key ID | grant ID | nonce | region.
_TOKEN_VERSION = b"\x01"


@dataclass(frozen=True, slots=True)
class TokenTarget:
    account: str
    region: str
    key_id: str
    grant_id: str


def grant_token(target: TokenTarget, nonce: bytes) -> str:
    """A new token for a grant; every CreateGrant call returns a fresh one [M]."""
    raw = (
        _TOKEN_VERSION
        + target.account.encode()
        + uuid.UUID(target.key_id).bytes
        + bytes.fromhex(target.grant_id)
        + nonce
        + target.region.encode()
    )
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def check_tokens(tokens: list[str]) -> None:
    """Refuse a GrantTokens list holding a token kmsmock did not issue.

    A well-formed token of a grant since retired is accepted and ignored [M].
    """
    for token in tokens:
        if read_token(token) is None:
            # KMS's text is unknown, kmsmock sends none (reference §1.6).
            raise InvalidGrantTokenException()


def read_token(token: str) -> TokenTarget | None:
    """What a grant token names; None if it is not a token kmsmock issued."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (binascii.Error, ValueError):
        return None
    if len(raw) <= 77 or not raw.startswith(_TOKEN_VERSION):
        return None
    account, key_id, grant_id, region = raw[1:13], raw[13:29], raw[29:61], raw[77:]
    if not account.isdigit():
        return None
    try:
        region_name = region.decode("ascii")
    except UnicodeDecodeError:
        return None
    return TokenTarget(account.decode(), region_name, str(uuid.UUID(bytes=key_id)), grant_id.hex())
