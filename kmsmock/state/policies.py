"""Key policy documents: the defaults KMS writes, and the checks PutKeyPolicy makes.

Policies are stored exactly as given. Their evaluation for access decisions, under
``enforce_policies``, is ``_authorization``'s; what lives here is the validation KMS
applies to every document (docs/kms-behaviour.md#policy-validation), including the
lockout safety check, which asks whether the caller could still change the policy, and
how a policy's principal names a caller, which both use.
"""

from __future__ import annotations

import json
import re
from typing import Any

from kmsmock.state.ids import partition_of
from kmsmock.wire import aws_errors as aws

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


def aws_managed_policy(service: str, region: str, account: str) -> str:
    """The policy of an AWS managed key: use through the service, metadata to the account."""
    partition = partition_of(region)
    return (
        "{\n"
        '  "Version" : "2012-10-17",\n'
        f'  "Id" : "auto-{service}-1",\n'
        '  "Statement" : [ {\n'
        f'    "Sid" : "Allow access through {service} for all principals in the account that '
        f'are authorized to use {service}",\n'
        '    "Effect" : "Allow",\n'
        '    "Principal" : {\n'
        '      "AWS" : "*"\n'
        "    },\n"
        '    "Action" : [ "kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", '
        '"kms:GenerateDataKey*", "kms:CreateGrant", "kms:DescribeKey" ],\n'
        '    "Resource" : "*",\n'
        '    "Condition" : {\n'
        '      "StringEquals" : {\n'
        f'        "kms:CallerAccount" : "{account}",\n'
        f'        "kms:ViaService" : "{service}.{region}.amazonaws.com"\n'
        "      }\n"
        "    }\n"
        "  }, {\n"
        '    "Sid" : "Allow direct access to key metadata to the account",\n'
        '    "Effect" : "Allow",\n'
        '    "Principal" : {\n'
        f'      "AWS" : "arn:{partition}:iam::{account}:root"\n'
        "    },\n"
        '    "Action" : [ "kms:Describe*", "kms:Get*", "kms:List*" ],\n'
        '    "Resource" : "*"\n'
        "  } ]\n"
        "}"
    )


def check_policy(policy: str, *, caller_account: str, caller: str, bypass_lockout: bool) -> None:
    """Raise what KMS raises for ``policy``; return quietly when KMS would store it."""
    if len(policy.encode("utf-8")) > MAX_POLICY_BYTES:
        # Unverified against AWS: the message (docs/kms-behaviour.md#policy-validation).
        raise aws.LimitExceededException(
            f"Policy document exceeds the maximum size of {MAX_POLICY_BYTES} bytes."
        )
    statements = _statements(policy)
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


def _statements(policy: str) -> list[dict[str, Any]]:
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


def _check_statement(statement: dict[str, Any]) -> None:
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
            items = values if isinstance(values, list) else [values]
            if not items or not all(isinstance(v, (str, int, float, bool)) for v in items):
                return False
    return True


def _valid_principal(principal: Any) -> bool:
    if principal == "*":
        return True
    if not isinstance(principal, dict) or not principal:
        return False
    for kind, values in principal.items():
        items = values if isinstance(values, list) else [values]
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


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _matches_action(pattern: str, action: str) -> bool:
    regex = re.escape(pattern.lower()).replace(r"\*", ".*").replace(r"\?", ".")
    return re.fullmatch(regex, action.lower()) is not None


def _names_caller(principal: Any, caller_account: str, caller: str) -> bool:
    if principal == "*":
        return True
    if not isinstance(principal, dict):
        return False
    return any(
        isinstance(value, str) and principal_covers(value, caller, caller_account)
        for value in _as_list(principal.get("AWS", []))
    )


def principal_covers(named: str, principal: str, account: str, *, delegation: bool = True) -> bool:
    """Whether a policy's AWS principal ``named`` covers the caller ``principal``.

    With ``delegation``, naming an account (its root ARN or its ID) covers every principal
    of it, since kmsmock does not model the IAM policies it delegates to; NotPrincipal
    takes names literally. A role covers its assumed-role sessions.
    """
    if named == "*" or named == principal:
        return True
    if delegation and (named == account or named.endswith(f":iam::{account}:root")):
        return True
    return ":assumed-role/" in principal and role_of(principal) == named


def role_of(principal: str) -> str:
    """The role ARN of an assumed-role session ARN; other ARNs as they are."""
    if ":assumed-role/" not in principal:
        return principal
    head, rest = principal.split(":assumed-role/", 1)
    partition, account = head.split(":")[1], head.split(":")[4]
    return f"arn:{partition}:iam::{account}:role/{rest.split('/', 1)[0]}"


def _allows_put_key_policy(
    statements: list[dict[str, Any]], caller_account: str, caller: str
) -> bool:
    """The lockout safety check: could the caller call PutKeyPolicy under this policy?

    Delegation to the caller's account counts as allowing it, since IAM is not
    modelled; conditions are assumed to hold.
    """
    allowed = False
    for statement in statements:
        if "Principal" not in statement or "Resource" not in statement:
            continue
        if not _names_caller(statement["Principal"], caller_account, caller):
            continue
        actions = _as_list(statement.get("Action", []))
        if not any(isinstance(a, str) and _matches_action(a, "kms:PutKeyPolicy") for a in actions):
            continue
        if statement["Effect"] == "Deny" and "Condition" not in statement:
            return False
        if statement["Effect"] == "Allow":
            allowed = True
    return allowed
