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

import json
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from kmsmock.state.identities import is_service_principal
from kmsmock.state.policies import default_policy, principal_covers, role_of
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
            raise aws.AccessDeniedException(
                f"User: {principal} is not authorized to perform: {action} on resource: "
                f"{key.arn} with an explicit deny in a resource-based policy"
            )
        allowed = allowed or statement.get("Effect") == "Allow"
    if allowed or any(context.granted_by(grant) for grant in (key.grants or {}).values()):
        return
    raise aws.AccessDeniedException(
        f"User: {principal} is not authorized to perform: {action} on resource: {key.arn} "
        f"because no resource-based policy allows the {action} action"
    )


def _statements(key: Key) -> list[dict[str, Any]]:
    """The statements of the key's policies: its default policy, and its AWS_RAM policy
    while it is shared through RAM."""
    policy = key.policy if key.policy is not None else default_policy(key.region, key.account)
    policies = [policy]
    shared = ram_policy(key)
    if shared is not None:
        policies.append(shared)
    statements: list[dict[str, Any]] = []
    for text in policies:
        found = json.loads(text).get("Statement", [])
        listed = found if isinstance(found, list) else [found]
        statements.extend(statement for statement in listed if isinstance(statement, dict))
    return statements


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


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

    def matches(self, statement: dict[str, Any]) -> bool:
        return (
            self._principal(statement)
            and self._action(statement)
            and self._resource(statement)
            and self._conditions(statement.get("Condition", {}))
        )

    def _principal(self, statement: dict[str, Any]) -> bool:
        def covers(principal: Any, delegation: bool) -> bool:
            if principal == "*":
                return True
            if not isinstance(principal, dict):
                return False
            if self.service:
                # A service principal is named as such, never through an account.
                return self.principal in _as_list(principal.get("Service", []))
            return any(
                isinstance(named, str)
                and principal_covers(named, self.principal, self.account, delegation=delegation)
                for named in _as_list(principal.get("AWS", []))
            )

        if "Principal" in statement:
            return covers(statement["Principal"], delegation=True)
        if "NotPrincipal" in statement:
            # NotPrincipal excepts exactly whom it names: an account root is not its users.
            return not covers(statement["NotPrincipal"], delegation=False)
        return False

    def _action(self, statement: dict[str, Any]) -> bool:
        def any_match(patterns: Any) -> bool:
            return any(
                isinstance(p, str) and _like(self.action.lower(), p.lower())
                for p in _as_list(patterns)
            )

        if "Action" in statement:
            return any_match(statement["Action"])
        if "NotAction" in statement:
            return not any_match(statement["NotAction"])
        return False

    def _resource(self, statement: dict[str, Any]) -> bool:
        def any_match(patterns: Any) -> bool:
            return any(isinstance(p, str) and _like(self.key.arn, p) for p in _as_list(patterns))

        # A statement without Resource is accepted but has no effect
        # (docs/kms-behaviour.md#policy-validation).
        if "Resource" in statement:
            return any_match(statement["Resource"])
        if "NotResource" in statement:
            return not any_match(statement["NotResource"])
        return False

    def _conditions(self, conditions: Any) -> bool:
        if not isinstance(conditions, dict):
            return False
        return all(
            isinstance(pairs, dict)
            and all(self._condition(operator, name, expected) for name, expected in pairs.items())
            for operator, pairs in conditions.items()
        )

    def _condition(self, operator: str, name: str, expected: Any) -> bool:
        values = self._values(name)
        wanted = [str(v) for v in _as_list(expected)]
        if operator == "Null":
            # Values other than "true" and "false" (or none at all) never match, so a
            # policy that lists none cannot break every later call on its key.
            absent = values is None
            return any(absent == (w.lower() == "true") for w in wanted if w.lower() in _BOOLS)
        quantifier = ""
        if ":" in operator:
            quantifier, operator = operator.split(":", 1)
        if_exists = operator.endswith("IfExists")
        base = operator.removesuffix("IfExists")
        positive = base.replace("Not", "", 1)  # StringNotLike -> StringLike
        negated = positive != base
        test = _OPERATORS.get(positive)
        if test is None:
            return False  # an operator kmsmock does not know: the statement does not apply
        if values is None:
            # IAM's rules for a key the request lacks.
            if if_exists or quantifier == "ForAllValues":
                return True
            return negated and quantifier != "ForAnyValue"
        if quantifier == "ForAllValues":
            return all(_one(test, negated, value, wanted) for value in values)
        return any(_one(test, negated, value, wanted) for value in values)

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
            value = None if self.service else role_of(self.principal)
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
            and principal_covers(grant.grantee, self.principal, self.account, delegation=False)
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


def _like(value: str, pattern: str) -> bool:
    """IAM's wildcard match: ``*`` and ``?`` only, no character classes."""
    regex = re.escape(pattern).replace(r"\*", ".*").replace(r"\?", ".")
    return re.fullmatch(regex, value, re.DOTALL) is not None


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


_BOOLS = ("true", "false")


def _lowered(context: dict[str, str]) -> dict[str, str]:
    return {k.lower(): v for k, v in context.items()}


def _one(test: Callable[[str, str], bool], negated: bool, value: str, wanted: list[str]) -> bool:
    hit = any(test(value, w) for w in wanted)
    return not hit if negated else hit


_OPERATORS: dict[str, Callable[[str, str], bool]] = {
    "StringEquals": lambda value, wanted: value == wanted,
    "StringEqualsIgnoreCase": lambda value, wanted: value.lower() == wanted.lower(),
    "StringLike": lambda value, wanted: _like(value, wanted),
    "ArnEquals": lambda value, wanted: value == wanted,
    "ArnLike": lambda value, wanted: _like(value, wanted),
    "Bool": lambda value, wanted: value.lower() == wanted.lower(),
}
