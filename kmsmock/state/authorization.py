"""Key policies and grants deciding access, for ``mock_kms(enforce_policies=True)``
(docs/kms-behaviour.md#authorization).

A request by principal P on key K for action ``kms:<Op>`` is denied by any matching
``Deny`` statement, allowed by a matching ``Allow`` statement or by a grant on K for P,
and denied otherwise. IAM is not modelled: a statement naming an account
(``arn:aws:iam::<account>:root`` or the bare ID) delegates to IAM, which kmsmock takes
to allow every principal of that account. Operations that IAM alone authorises
(CreateKey, ListKeys, ListAliases, GenerateRandom, ListRetirableGrants, custom key
stores) and RetireGrant, which a key policy cannot grant, are not checked.

Conditions are evaluated over the keys kmsmock knows for the request (caller, key,
encryption context, algorithms, grant parameters, resource tags, and for a caller acting
as an AWS service principal, ``aws:SourceArn`` and ``aws:SourceAccount``); a key it does
not know, such as ``kms:ViaService``, is absent.

An AWS service principal (``kms.identities.add(..., service_principal=...)``) is named by
a statement's ``{"Service": ...}`` principal or ``"*"``, never by an account's root, and
is the grantee of grants to its service principal. A grant with a SourceArn constraint
allows only requests made for that resource, so never a direct call by an IAM principal.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from kmsmock.state import iam
from kmsmock.state.identities import is_service_principal
from kmsmock.state.policies import effective_policy
from kmsmock.state.ram import ram_policy
from kmsmock.wire import aws_errors as aws

if TYPE_CHECKING:
    from kmsmock.crypto.attestation import AttestationDocument
    from kmsmock.state.grants import Grant
    from kmsmock.state.keys import Key

IAM_ONLY = frozenset(
    {
        "CreateKey",
        "ListKeys",
        "ListAliases",
        "GenerateRandom",
        "ListRetirableGrants",
        "RetireGrant",
        "ConnectCustomKeyStore",
        "CreateCustomKeyStore",
        "DeleteCustomKeyStore",
        "DescribeCustomKeyStores",
        "DisconnectCustomKeyStore",
        "UpdateCustomKeyStore",
    }
)
# Condition keys (lowercase) read from the request member of the same meaning.
_PARAMETER_KEYS = {
    "kms:signingalgorithm": "SigningAlgorithm",
    "kms:macalgorithm": "MacAlgorithm",
    "kms:keyagreementalgorithm": "KeyAgreementAlgorithm",
    "kms:messagetype": "MessageType",
    "kms:granteeprincipal": "GranteePrincipal",
    "kms:retiringprincipal": "RetiringPrincipal",
    "kms:grantoperations": "Operations",
    "kms:datakeypairspec": "KeyPairSpec",
    "kms:granteeserviceprincipal": "GranteeServicePrincipal",
    "kms:retiringserviceprincipal": "RetiringServicePrincipal",
}
# Condition keys (lowercase) read from the key.
_KEY_KEYS: dict[str, Callable[[Key], str]] = {
    "kms:keyspec": lambda key: key.spec.name,
    "kms:keyusage": lambda key: key.usage,
    "kms:keyorigin": lambda key: key.origin,
    "kms:multiregion": lambda key: "true" if key.multi_region else "false",
}
# Operations kms:EncryptionAlgorithm applies to.
_ENCRYPTING = frozenset(
    {
        "Encrypt",
        "Decrypt",
        "ReEncryptFrom",
        "ReEncryptTo",
        "GenerateDataKey",
        "GenerateDataKeyWithoutPlaintext",
        "GenerateDataKeyPair",
        "GenerateDataKeyPairWithoutPlaintext",
    }
)
_POLICY_OPERATIONS = frozenset({"GetKeyPolicy", "PutKeyPolicy"})
# Grant operations whose encryption context constraints are not checked (API reference).
_UNCONSTRAINED = frozenset({"DescribeKey", "RetireGrant"})
_CONTEXT_CONSTRAINTS = ("EncryptionContextEquals", "EncryptionContextSubset")


def authorize(
    key: Key,
    action: str,
    principal: str,
    account: str,
    params: dict[str, Any],
    source_arn: str | None = None,
) -> None:
    """Raise AccessDeniedException unless ``principal`` may do ``action`` on ``key``;
    ``source_arn`` is the resource an AWS service principal calls for."""
    context = _AccessRequest(key, action, principal, account, params, source_arn)
    allowed = False
    for statement in _statements(key):
        if not context.matches(statement):
            continue
        if statement.get("Effect") == "Deny":
            raise aws.explicit_deny(principal, context.operation, key.arn)
        allowed = allowed or statement.get("Effect") == "Allow"
    if allowed or any(context.granted_by(grant) for grant in (key.grants or {}).values()):
        return
    raise aws.access_denied(principal, context.operation, key.arn)


def _statements(key: Key) -> list[iam.Statement]:
    """The statements of the key's policies: its default policy, and its AWS_RAM policy
    while it is shared through RAM."""
    found = iam.statements(effective_policy(key))
    shared = ram_policy(key)
    if shared is not None:
        found.extend(iam.statements(shared))
    return found


class _AccessRequest:
    """One access decision: who asks for which action on which key, and the request's
    values that condition keys read."""

    def __init__(
        self,
        key: Key,
        action: str,
        principal: str,
        account: str,
        params: dict[str, Any],
        source_arn: str | None,
    ) -> None:
        self.key = key
        self.action = action
        self.operation = action.split(":", 1)[1]
        self.principal = principal
        self.account = account
        self.params = params
        self.source_arn = source_arn
        self.service = is_service_principal(principal)
        self.encryption_context: dict[str, str] = self._encryption_context()
        # Read when a condition first asks for it.
        self.attestation: AttestationDocument | None = None
        self.attestation_read = False

    def _encryption_context(self) -> dict[str, str]:
        member = {
            "ReEncryptFrom": "SourceEncryptionContext",
            "ReEncryptTo": "DestinationEncryptionContext",
        }.get(self.operation, "EncryptionContext")
        found = self.params.get(member)
        return dict(found) if isinstance(found, dict) else {}

    # Statements -----------------------------------------------------------------

    def matches(self, statement: iam.Statement) -> bool:
        return (
            iam.principal_matches(statement, self.principal, self.account, service=self.service)
            and iam.action_matches(statement, self.action)
            and iam.resource_matches(statement, self.key.arn)
            and iam.conditions_hold(statement.get("Condition", {}), self._values)
        )

    def _values(self, name: str) -> list[str] | None:
        """The request's values of condition key ``name``; None when it has none."""
        lowered = name.lower()
        key = self.key
        if lowered.startswith("kms:encryptioncontext:"):
            wanted = name.split(":", 2)[2].lower()
            found = [v for k, v in self.encryption_context.items() if k.lower() == wanted]
            return found or None
        if lowered.startswith("kms:recipientattestation:"):
            return self._attestation(lowered.split(":", 2)[2])
        if lowered.startswith("aws:resourcetag/"):
            tag = name.split("/", 1)[1]
            return [key.tags[tag]] if key.tags and tag in key.tags else None
        value: Any
        if lowered in _PARAMETER_KEYS:
            value = self.params.get(_PARAMETER_KEYS[lowered])
        elif lowered in _KEY_KEYS:
            value = _KEY_KEYS[lowered](key)
        elif lowered in ("kms:calleraccount", "aws:principalaccount"):
            value = self.account
        elif lowered == "aws:principalarn":
            # A service principal has no ARN; it has a service name instead.
            value = None if self.service else iam.role_of(self.principal)
        elif lowered == "aws:principalservicename":
            value = self.principal if self.service else None
        elif lowered == "kms:encryptioncontextkeys":
            value = list(self.encryption_context) or None
        elif lowered == "kms:encryptionalgorithm":
            value = self._encryption_algorithm()
        elif lowered == "kms:policyname" and self.operation in _POLICY_OPERATIONS:
            # A request without PolicyName is about the default policy (API reference).
            value = self.params.get("PolicyName", "default")
        elif lowered == "aws:sourcearn":
            value = self.source_arn
        elif lowered == "aws:sourceaccount":
            value = self.source_arn.split(":")[4] if self.source_arn else None
        elif lowered == "kms:grantconstraintsourcearn":
            value = (self.params.get("Constraints") or {}).get("SourceArn")
        elif lowered == "kms:grantisforawsresource":
            value = "false"  # no AWS service calls through kmsmock
        else:
            value = None
        if value is None:
            return None
        return [str(v) for v in value] if isinstance(value, list) else [str(value)]

    def _attestation(self, name: str) -> list[str] | None:
        """kms:RecipientAttestation:ImageSha384 and PCR<n> (Nitro Enclaves) or
        NitroTPMPCR<n> (NitroTPM): lowercase hex from a valid attestation document
        (https://docs.aws.amazon.com/kms/latest/developerguide/conditions-nitro-enclave.html)."""
        document = self._document()
        if document is None:
            return None
        if name == "imagesha384":
            from kmsmock.crypto.attestation import image_sha384

            found = image_sha384(document)
            return [found] if found is not None else None
        prefix = "nitrotpmpcr" if document.nitro_tpm else "pcr"
        index = name.removeprefix(prefix)
        if (
            index == name
            or not index.isdigit()
            or name.startswith("nitrotpmpcr") != (document.nitro_tpm)
        ):
            return None
        value = document.pcrs.get(int(index))
        return [value.hex()] if value is not None else None

    def _document(self) -> AttestationDocument | None:
        """The request's attestation document; None without one or if it is not valid
        (the operation refuses an invalid one after authorization)."""
        if not self.attestation_read:
            self.attestation_read = True
            recipient = self.params.get("Recipient")
            blob = recipient.get("AttestationDocument") if isinstance(recipient, dict) else None
            # Imported here: x509 is loaded only for a request with an attestation.
            from kmsmock.crypto.attestation import AttestationError, read_document

            try:
                self.attestation = read_document(blob) if isinstance(blob, bytes) else None
            except AttestationError:
                self.attestation = None
        return self.attestation

    def _encryption_algorithm(self) -> str | None:
        """The algorithm a request encrypts or decrypts with, SYMMETRIC_DEFAULT when it
        leaves it out, as KMS fills it in for conditions."""
        member = {
            "ReEncryptFrom": "SourceEncryptionAlgorithm",
            "ReEncryptTo": "DestinationEncryptionAlgorithm",
        }.get(self.operation, "EncryptionAlgorithm")
        if self.operation not in _ENCRYPTING:
            return None
        found = self.params.get(member)
        return found if isinstance(found, str) else "SYMMETRIC_DEFAULT"

    # Grants -----------------------------------------------------------------------

    def _is_grantee(self, grant: Grant) -> bool:
        if grant.grantee_service is not None:
            return grant.grantee_service == self.principal
        return (
            not self.service
            and grant.grantee is not None
            and iam.principal_covers(grant.grantee, self.principal, self.account, delegation=False)
        )

    def granted_by(self, grant: Grant) -> bool:
        if not self._is_grantee(grant) or self.operation not in grant.operations:
            return False
        # A SourceArn constraint: only requests made for that resource, DescribeKey
        # included, RetireGrant not (IAM-only above), as the API reference says. Grants on
        # both keys of a ReEncrypt must therefore carry the request's one SourceArn.
        if grant.source_arn is not None and grant.source_arn != self.source_arn:
            return False
        if self.operation == "CreateGrant":
            return _child_fits(grant, self.params)
        if not grant.constraints or self.operation in _UNCONSTRAINED:
            return True
        if not any(name in grant.constraints for name in _CONTEXT_CONSTRAINTS):
            return True
        # Constraint keys match case-insensitively, values exactly
        # (docs/kms-behaviour.md#grant-constraints).
        context = {k.lower(): v for k, v in self.encryption_context.items()}
        equals = grant.constraints.get("EncryptionContextEquals")
        if equals is not None and {k.lower(): v for k, v in equals.items()} != context:
            return False
        subset = grant.constraints.get("EncryptionContextSubset")
        return subset is None or all(context.get(k.lower()) == v for k, v in subset.items())


def _child_fits(parent: Grant, params: dict[str, Any]) -> bool:
    """A grant that allows CreateGrant lets its grantee create grants with a subset of its
    operations and equal or stricter constraints (docs/kms-behaviour.md#grant-constraints)."""
    if not set(params.get("Operations") or ()) <= set(parent.operations):
        return False
    child = params.get("Constraints") or {}
    if parent.source_arn is not None and child.get("SourceArn") != parent.source_arn:
        return False  # a child grant keeps its parent's resource
    if not any(name in (parent.constraints or {}) for name in _CONTEXT_CONSTRAINTS):
        return True
    assert parent.constraints is not None
    equals, subset = child.get("EncryptionContextEquals"), child.get("EncryptionContextSubset")
    parent_equals = parent.constraints.get("EncryptionContextEquals")
    if parent_equals is not None:
        return equals is not None and _lowered(equals) == _lowered(parent_equals)
    required = _lowered(parent.constraints.get("EncryptionContextSubset") or {}).items()
    stricter = [c for c in (equals, subset) if c is not None]
    return any(required <= _lowered(c).items() for c in stricter)


def _lowered(context: dict[str, str]) -> dict[str, str]:
    return {k.lower(): v for k, v in context.items()}
