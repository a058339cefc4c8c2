"""Key policy documents: the default KMS writes, and the checks PutKeyPolicy makes.

Policies are stored exactly as given. Their evaluation for access decisions, under
``enforce_policies``, is ``authorization``'s, and IAM's policy language (wildcards,
principals, conditions) is ``iam``'s; what lives here is the validation KMS
applies to every document (docs/kms-behaviour.md#policy-validation), including the
lockout safety check, which asks whether the caller could still change the policy.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

from kmsmock.state import iam
from kmsmock.state.ids import partition_of
from kmsmock.wire import aws_errors as aws

if TYPE_CHECKING:
    from kmsmock.state.keys import Key

MAX_POLICY_BYTES = 32768
_VERSIONS = ("2012-10-17", "2008-10-17")
_ACCOUNT = re.compile(r"\d{12}")
_IAM_PRINCIPAL = re.compile(
    r"arn:aws(?:-cn|-us-gov)?:(?:iam::\d{12}:(?:root|(?:user|role)/[\w+=,.@/-]+)"
    r"|sts::\d{12}:(?:assumed-role|federated-user)/[\w+=,.@/-]+)"
)


def default_policy(region: str, account: str) -> str:
    """The policy CreateKey writes when none is given (docs/kms-behaviour.md#default-key-policy)."""
    return (
        "{\n"
        '  "Version" : "2012-10-17",\n'
        '  "Id" : "key-default-1",\n'
        '  "Statement" : [ {\n'
        '    "Sid" : "Enable IAM User Permissions",\n'
        '    "Effect" : "Allow",\n'
        '    "Principal" : {\n'
        f'      "AWS" : "arn:{partition_of(region)}:iam::{account}:root"\n'
        "    },\n"
        '    "Action" : "kms:*",\n'
        '    "Resource" : "*"\n'
        "  } ]\n"
        "}"
    )


def effective_policy(key: Key) -> str:
    """The key's policy: the one it was given, or else the default."""
    return key.policy if key.policy is not None else default_policy(key.region, key.account)


def check_policy(policy: str, *, caller_account: str, caller: str, bypass_lockout: bool) -> None:
    """Raise what KMS raises for ``policy``; return quietly when KMS would store it."""
    if len(policy.encode("utf-8")) > MAX_POLICY_BYTES:
        # Unverified against AWS: the message (docs/kms-behaviour.md#policy-validation).
        raise aws.LimitExceededException(
            f"Policy document exceeds the maximum size of {MAX_POLICY_BYTES} bytes."
        )
    statements = _validated_statements(policy)
    for statement in statements:
        _check_statement(statement)
    if not bypass_lockout and not _allows_put_key_policy(statements, caller_account, caller):
        raise aws.MalformedPolicyDocumentException(
            "The new key policy will not allow you to update the key policy in the future."
        )


def _malformed(detail: str) -> aws.MalformedPolicyDocumentException:
    # Unverified against AWS: texts other than the two observed ones
    # (docs/kms-behaviour.md#policy-validation).
    return aws.MalformedPolicyDocumentException(detail)


def _validated_statements(policy: str) -> list[iam.Statement]:
    try:
        document = json.loads(policy)
    except (ValueError, RecursionError):
        # RecursionError: brackets nested past the interpreter's stack are not a policy
        # AWS could parse either.
        raise _malformed("The policy document is not valid JSON.") from None
    if not isinstance(document, dict):
        raise _malformed("The policy document must be a JSON object.")
    version = document.get("Version")
    if version is not None and version not in _VERSIONS:
        raise _malformed(f"Policy has an invalid Version: {version}")
    statements = document.get("Statement")
    if isinstance(statements, dict):
        statements = [statements]
    if not isinstance(statements, list) or not statements:
        raise _malformed("Policy is missing required element - Statement")
    if not all(isinstance(s, dict) for s in statements):
        raise _malformed("Policy contains a statement that is not a JSON object.")
    return statements


def _check_statement(statement: iam.Statement) -> None:
    if statement.get("Effect") not in ("Allow", "Deny"):
        raise _malformed("Policy contains a statement with an invalid Effect.")
    if "Condition" in statement and not _valid_condition(statement["Condition"]):
        raise _malformed("Policy contains a statement with an invalid Condition.")
    principal = statement.get("Principal", statement.get("NotPrincipal"))
    if principal is None or not _valid_principal(principal):
        raise aws.MalformedPolicyDocumentException(
            "Policy contains a statement with one or more invalid principals."
        )


def _valid_condition(condition: Any) -> bool:
    """IAM's grammar: operator -> {condition key -> a value or a non-empty list of values},
    each value a string, number or boolean."""
    if not isinstance(condition, dict):
        return False
    for pairs in condition.values():
        if not isinstance(pairs, dict) or not pairs:
            return False
        for values in pairs.values():
            items = iam.as_list(values)
            if not items or not all(isinstance(v, (str, int, float, bool)) for v in items):
                return False
    return True


def _valid_principal(principal: Any) -> bool:
    if principal == "*":
        return True
    if not isinstance(principal, dict) or not principal:
        return False
    for kind, values in principal.items():
        items = iam.as_list(values)
        if not items or not all(isinstance(v, str) and v for v in items):
            return False
        if kind == "AWS":
            if not all(
                v == "*" or _ACCOUNT.fullmatch(v) or _IAM_PRINCIPAL.fullmatch(v) for v in items
            ):
                return False
        elif kind not in ("Service", "Federated", "CanonicalUser"):
            return False
    return True


def _allows_put_key_policy(
    statements: list[iam.Statement], caller_account: str, caller: str
) -> bool:
    """The lockout safety check: could the caller call PutKeyPolicy under this policy?

    Delegation to the caller's account counts as allowing it, since IAM is not
    modelled; conditions are assumed to hold.
    """
    allowed = False
    for statement in statements:
        if "Principal" not in statement or "Resource" not in statement:
            continue
        if not iam.names(statement["Principal"], caller, caller_account):
            continue
        if not iam.any_action(statement.get("Action", []), "kms:PutKeyPolicy"):
            continue
        if statement["Effect"] == "Deny" and "Condition" not in statement:
            return False
        if statement["Effect"] == "Allow":
            allowed = True
    return allowed
