"""Grants: the record on its key, its grant tokens, and which operations a key can grant.

A grant lives on its key (``Key.grants``), so it goes when the key's deletion window
ends. Here is the bookkeeping: creation with AWS's checks, the Name idempotency,
listing, retiring and revoking, and the grant tokens callers pass on. What a grant
allows matters only under ``enforce_policies`` (``_authorization``).
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from typing import Any, NamedTuple

from kmsmock.crypto.specs import (
    ENCAPSULATE_DECAPSULATE,
    ENCRYPT_DECRYPT,
    KEY_AGREEMENT,
    SIGN_VERIFY,
)
from kmsmock.wire.aws_errors import InvalidGrantTokenException, ValidationException, declared_or

# Grant IDs are 64 lowercase hex characters in every observed example
# (docs/kms-behaviour.md#grant-ids-and-tokens).
GRANT_ID = re.compile(r"[0-9a-f]{64}")
# Most grants one key may have (docs/kms-behaviour.md#quotas).
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
# Grant operations per key type (docs/kms-behaviour.md#grant-operations),
# keyed by (symmetric?, key usage).
_GRANTABLE: dict[tuple[bool, str], frozenset[str]] = {
    (True, ENCRYPT_DECRYPT): frozenset((*_SYMMETRIC, *_COMMON)),
    (False, ENCRYPT_DECRYPT): frozenset(
        ("Encrypt", "Decrypt", "ReEncryptFrom", "ReEncryptTo", "GetPublicKey", *_COMMON)
    ),
    (False, SIGN_VERIFY): frozenset(("Sign", "Verify", "GetPublicKey", *_COMMON)),
    (False, KEY_AGREEMENT): frozenset(("DeriveSharedSecret", "GetPublicKey", *_COMMON)),
    (False, ENCAPSULATE_DECAPSULATE): frozenset(
        ("Encapsulate", "Decapsulate", "GetPublicKey", *_COMMON)
    ),
    (False, "GENERATE_VERIFY_MAC"): frozenset(("GenerateMac", "VerifyMac", *_COMMON)),
}


def grantable(symmetric: bool, usage: str) -> frozenset[str]:
    """The operations a grant on a key of this kind may allow."""
    return _GRANTABLE[(symmetric, usage)]


# A grant's constraints as CreateGrant gave them: EncryptionContextSubset and
# EncryptionContextEquals (maps) and SourceArn (a string).
Constraints = dict[str, Any]


@dataclass(slots=True, eq=False)
class Grant:
    grant_id: str
    name: str | None
    created: float
    grantee: str | None  # an IAM principal (GranteePrincipal) ...
    retiring: str | None
    issuing_account: str  # the account whose principal created the grant
    operations: tuple[str, ...]
    constraints: Constraints | None
    seq: int  # creation order in the mock, for list pages
    # ... or an AWS service principal (GranteeServicePrincipal); exactly one is set.
    grantee_service: str | None = None
    retiring_service: str | None = None

    @property
    def source_arn(self) -> str | None:
        """The resource the grant is for (its SourceArn constraint), if any."""
        found = (self.constraints or {}).get("SourceArn")
        return found if isinstance(found, str) else None

    def same_request(
        self,
        parties: tuple[str | None, str | None, str | None, str | None],
        operations: list[str],
        constraints: Constraints | None,
    ) -> bool:
        """Whether a CreateGrant with this grant's Name asks for this very grant;
        ``parties`` are its grantee, retiring principal, grantee service principal and
        retiring service principal."""
        mine = (self.grantee, self.retiring, self.grantee_service, self.retiring_service)
        return (
            mine == parties
            and (self.constraints or None) == (constraints or None)
            and sorted(self.operations) == sorted(operations)
        )

    def entry(self, key_arn: str, partition: str) -> dict[str, Any]:
        """The GrantListEntry ListGrants and ListRetirableGrants return: a grant to a
        service principal shows GranteeServicePrincipal and no GranteePrincipal."""
        entry: dict[str, Any] = {
            "KeyId": key_arn,
            "GrantId": self.grant_id,
            "CreationDate": self.created,
            "IssuingAccount": f"arn:{partition}:iam::{self.issuing_account}:root",
            "Operations": list(self.operations),
        }
        if self.grantee is not None:
            entry["GranteePrincipal"] = self.grantee
        if self.grantee_service is not None:
            entry["GranteeServicePrincipal"] = self.grantee_service
        if self.name is not None:
            entry["Name"] = self.name
        if self.retiring is not None:
            entry["RetiringPrincipal"] = self.retiring
        if self.retiring_service is not None:
            entry["RetiringServicePrincipal"] = self.retiring_service
        if self.constraints:
            entry["Constraints"] = self.constraints
        return entry


# Grant tokens ------------------------------------------------------------------------
# Opaque, as AWS's are: random bytes the mock files in its token index (``KmsBackend.
# grant_tokens``) against the grant they name, so RetireGrant can find a grant by
# token alone. The index keeps tokens of grants since gone: such a token is still one
# kmsmock issued, accepted and ignored in GrantTokens (docs/kms-behaviour.md#grant-ids-and-tokens).
_TOKEN_VERSION = b"\x01"
_TOKEN_BYTES = 160  # AWS's tokens run to a few hundred characters


class TokenTarget(NamedTuple):
    account: str
    region: str
    key_id: str
    grant_id: str


def new_token(index: dict[str, TokenTarget], target: TokenTarget, entropy: Any) -> str:
    """A new token for a grant; every CreateGrant call returns a fresh one
    (docs/kms-behaviour.md#grant-ids-and-tokens)."""
    token = base64.urlsafe_b64encode(_TOKEN_VERSION + entropy(_TOKEN_BYTES)).decode()
    index[token] = target
    return token


def check_tokens(index: dict[str, TokenTarget], tokens: list[str], operation: str) -> None:
    """Refuse a GrantTokens list of ``operation`` holding a token kmsmock did not issue."""
    for token in tokens:
        if token not in index:
            # Unverified against AWS: the texts. KMS's own is unknown, so kmsmock sends
            # none (docs/kms-behaviour.md#grant-ids-and-tokens); where the code is not
            # declared (DescribeKey), the ValidationException's is kmsmock's.
            raise declared_or(
                operation,
                InvalidGrantTokenException(),
                ValidationException("Grant token is not valid"),
            )
