"""Who a request comes from: access key ID -> (account, principal, source ARN).

A caller is an IAM principal (an ARN), or an AWS service principal such as
``dynamodb.amazonaws.com`` calling on behalf of one of its resources, whose ARN the
request carries as ``aws:SourceArn``. Grants to service principals apply only to such
callers.
"""

from __future__ import annotations

import re
import threading

# The model's patterns for ServicePrincipalType and GrantConstraintSourceArnType.
_SERVICE_PRINCIPAL = re.compile(r"([A-Za-z0-9\-]+)\.([A-Za-z0-9\-]+)(\.[A-Za-z0-9\-]+)+")
_SOURCE_ARN = re.compile(r"arn:aws[a-z0-9-]*:[a-z0-9-]+:[a-z0-9-]*:[0-9]{12}:.+", re.DOTALL)

Caller = tuple[str, str, str | None]  # (account, principal, source ARN)


def is_service_principal(principal: str) -> bool:
    """Whether a caller is an AWS service principal rather than an IAM principal (an ARN,
    which has colons no service principal has)."""
    return _SERVICE_PRINCIPAL.fullmatch(principal) is not None


_ACCOUNT_ID = re.compile(r"[0-9]{12}")


def check_account_id(account_id: object) -> str:
    """``account_id`` if it is an AWS account ID (a string of 12 digits), else ValueError.

    The one check for every place that takes one: ``mock_kms``, ``KmsServer``,
    ``kms.identities.add``, ``kms.seed_key``, ``kms.share_key``."""
    if not (isinstance(account_id, str) and _ACCOUNT_ID.fullmatch(account_id)):
        raise ValueError(f"account_id must be a string of 12 digits, got {account_id!r}")
    return account_id


# An IAM principal ARN: the account root, a user, a role, or an assumed-role session.
_PRINCIPAL = re.compile(
    r"arn:aws(?:-cn|-us-gov)?:(?:iam|sts)::\d{12}:(?:root|user/.+|role/.+|assumed-role/.+)"
)


class Identities:
    """Maps access key IDs to callers. Unknown keys act as the default account's root.

    Examples:
        >>> with mock_kms() as kms:
        ...     kms.identities.add("AKIAOTHERACCOUNT0001", account_id="111122223333")
        ...     kms.identities.add(
        ...         "AKIADYNAMODB00000001",
        ...         account_id="111122223333",
        ...         service_principal="dynamodb.amazonaws.com",
        ...         source_arn="arn:aws:dynamodb:us-east-1:111122223333:table/orders",
        ...     )
    """

    def __init__(self, default_account: str) -> None:
        self._default: Caller = (default_account, f"arn:aws:iam::{default_account}:root", None)
        self._known: dict[str, Caller] = {}
        self._lock = threading.Lock()

    def add(
        self,
        access_key_id: str,
        *,
        account_id: str,
        arn: str | None = None,
        service_principal: str | None = None,
        source_arn: str | None = None,
    ) -> None:
        """Requests signed with ``access_key_id`` come from ``arn`` in ``account_id``.

        With ``service_principal`` they come from that AWS service instead, acting for
        the resource ``source_arn`` (the request's ``aws:SourceArn``), as when a service
        uses a key through a grant to its service principal.
        """
        # Typed as str, but handed in by tests that may pass anything.
        given: tuple[object, object] = (access_key_id, account_id)
        if not isinstance(given[0], str) or not given[0]:
            raise TypeError(f"access_key_id must be a non-empty string, got {access_key_id!r}")
        check_account_id(given[1])
        if service_principal is None:
            if source_arn is not None:
                raise ValueError(
                    "source_arn is what an AWS service calls on behalf of: give "
                    "service_principal too, e.g. service_principal='dynamodb.amazonaws.com'"
                )
            if arn is not None and not _PRINCIPAL.fullmatch(str(arn)):
                raise ValueError(
                    f"arn must be an IAM principal ARN such as arn:aws:iam::{account_id}:role/"
                    f"name, got {arn!r}"
                )
            if arn is not None and arn.split(":")[4] != account_id:
                raise ValueError(f"arn {arn} is not in account {account_id}")
            caller: Caller = (account_id, arn or f"arn:aws:iam::{account_id}:root", None)
        else:
            if arn is not None:
                raise ValueError("give arn (an IAM principal) or service_principal, not both")
            if not _SERVICE_PRINCIPAL.fullmatch(service_principal):
                raise ValueError(
                    "service_principal must name an AWS service principal such as "
                    f"'dynamodb.amazonaws.com', got {service_principal!r}"
                )
            if source_arn is not None and not _SOURCE_ARN.fullmatch(source_arn):
                raise ValueError(
                    "source_arn must be an ARN with a 12-digit account, such as "
                    f"'arn:aws:dynamodb:us-east-1:111122223333:table/orders', got {source_arn!r}"
                )
            caller = (account_id, service_principal, source_arn)
        with self._lock:
            self._known[access_key_id] = caller

    def known(self) -> dict[str, Caller]:
        """Access key ID -> (account, principal, source ARN) of every identity added."""
        with self._lock:
            return dict(self._known)

    def resolve(self, access_key_id: str | None) -> Caller:
        if access_key_id is None:
            return self._default
        return self._known.get(access_key_id, self._default)
