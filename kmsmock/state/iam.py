"""IAM's policy language, as key policies use it: reading a document's statements, and
matching their principals, actions, resources and conditions.

What the words mean is IAM's and the same wherever a policy is read: ``*`` and ``?``
wildcards, one value or a list, Principal against NotPrincipal, condition operators
and their ``IfExists`` and ``ForAllValues``/``ForAnyValue`` forms
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements.html).
Who may call what is ``authorization``'s decision; what PutKeyPolicy accepts is
``policies``'.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

Statement = dict[str, Any]
# A condition key's values in the request (None when the request has none).
ConditionValues = Callable[[str], "list[str] | None"]


def statements(policy: str) -> list[Statement]:
    """The statements of a stored policy document (one already accepted, or a default),
    read leniently: whatever is not a statement object is skipped."""
    found = json.loads(policy).get("Statement", [])
    return [statement for statement in as_list(found) if isinstance(statement, dict)]


def as_list(value: Any) -> list[Any]:
    """A policy element's values: IAM accepts one value or a list of them."""
    return value if isinstance(value, list) else [value]


def like(value: str, pattern: str) -> bool:
    """IAM's wildcard match: ``*`` and ``?`` only, no character classes."""
    regex = re.escape(pattern).replace(r"\*", ".*").replace(r"\?", ".")
    return re.fullmatch(regex, value, re.DOTALL) is not None


def any_like(patterns: Any, value: str) -> bool:
    """Whether one of ``patterns`` (one or a list; non-strings never match) matches."""
    return any(isinstance(p, str) and like(value, p) for p in as_list(patterns))


def any_action(patterns: Any, action: str) -> bool:
    """Whether one of ``patterns`` names ``action``; action names ignore case."""
    return any(isinstance(p, str) and like(action.lower(), p.lower()) for p in as_list(patterns))


# Principals -------------------------------------------------------------------------


def names(
    principal: Any, caller: str, account: str, *, delegation: bool = True, service: bool = False
) -> bool:
    """Whether a statement's Principal (or NotPrincipal) element names ``caller`` of
    ``account``; ``service`` when the caller is an AWS service principal, which only a
    ``{"Service": ...}`` entry or ``"*"`` names."""
    if principal == "*":
        return True
    if not isinstance(principal, dict):
        return False
    if service:
        # A service principal is named as such, never through an account.
        return caller in as_list(principal.get("Service", []))
    return any(
        isinstance(named, str) and principal_covers(named, caller, account, delegation=delegation)
        for named in as_list(principal.get("AWS", []))
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


# Statements -------------------------------------------------------------------------


def principal_matches(statement: Statement, caller: str, account: str, *, service: bool) -> bool:
    """The statement's Principal names the caller, or its NotPrincipal does not."""
    if "Principal" in statement:
        return names(statement["Principal"], caller, account, delegation=True, service=service)
    if "NotPrincipal" in statement:
        # NotPrincipal excepts exactly whom it names: an account root is not its users.
        return not names(
            statement["NotPrincipal"], caller, account, delegation=False, service=service
        )
    return False


def action_matches(statement: Statement, action: str) -> bool:
    """The statement's Action names ``action``, or its NotAction does not."""
    if "Action" in statement:
        return any_action(statement["Action"], action)
    if "NotAction" in statement:
        return not any_action(statement["NotAction"], action)
    return False


def resource_matches(statement: Statement, arn: str) -> bool:
    """The statement's Resource matches ``arn``, or its NotResource does not."""
    # A statement without Resource is accepted but has no effect
    # (docs/kms-behaviour.md#policy-validation).
    if "Resource" in statement:
        return any_like(statement["Resource"], arn)
    if "NotResource" in statement:
        return not any_like(statement["NotResource"], arn)
    return False


# Conditions -------------------------------------------------------------------------

_BOOLS = ("true", "false")

_OPERATORS: dict[str, Callable[[str, str], bool]] = {
    "StringEquals": lambda value, wanted: value == wanted,
    "StringEqualsIgnoreCase": lambda value, wanted: value.lower() == wanted.lower(),
    "StringLike": like,
    "ArnEquals": lambda value, wanted: value == wanted,
    "ArnLike": like,
    "Bool": lambda value, wanted: value.lower() == wanted.lower(),
}


def conditions_hold(conditions: Any, values: ConditionValues) -> bool:
    """Whether every condition of a statement's Condition element holds, ``values``
    giving the request's values of a condition key."""
    if not isinstance(conditions, dict):
        return False
    return all(
        isinstance(pairs, dict)
        and all(
            condition_holds(operator, values(name), expected) for name, expected in pairs.items()
        )
        for operator, pairs in conditions.items()
    )


def condition_holds(operator: str, values: list[str] | None, expected: Any) -> bool:
    """One condition: ``operator`` over the request's ``values`` of its key (None when
    the request has none) and the policy's ``expected`` values."""
    wanted = [str(v) for v in as_list(expected)]
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


def _one(test: Callable[[str, str], bool], negated: bool, value: str, wanted: list[str]) -> bool:
    hit = any(test(value, w) for w in wanted)
    return not hit if negated else hit
