"""Who a request comes from: access key ID -> (account, principal ARN)."""

from __future__ import annotations

import re
import threading

# An IAM principal ARN: the account root, a user, a role, or an assumed-role session.
_PRINCIPAL = re.compile(
    r"arn:aws(?:-cn|-us-gov)?:(?:iam|sts)::\d{12}:(?:root|user/.+|role/.+|assumed-role/.+)"
)


class Identities:
    """Maps access key IDs to callers. Unknown keys act as the default account's root.

    >>> with mock_kms() as kms:
    ...     kms.identities.add("AKIAOTHERACCOUNT0001", account_id="111122223333")
    """

    def __init__(self, default_account: str) -> None:
        self._default = (default_account, f"arn:aws:iam::{default_account}:root")
        self._known: dict[str, tuple[str, str]] = {}
        self._lock = threading.Lock()

    def add(self, access_key_id: str, *, account_id: str, arn: str | None = None) -> None:
        """Requests signed with ``access_key_id`` come from ``arn`` in ``account_id``."""
        # Typed as str, but handed in by tests that may pass anything.
        given: tuple[object, object] = (access_key_id, account_id)
        if not isinstance(given[0], str) or not given[0]:
            raise TypeError(f"access_key_id must be a non-empty string, got {access_key_id!r}")
        if not (isinstance(given[1], str) and len(account_id) == 12 and account_id.isdigit()):
            raise ValueError(f"account_id must be 12 digits, got {account_id!r}")
        if arn is not None and not _PRINCIPAL.fullmatch(str(arn)):
            raise ValueError(
                f"arn must be an IAM principal ARN such as arn:aws:iam::{account_id}:role/"
                f"name, got {arn!r}"
            )
        if arn is not None and arn.split(":")[4] != account_id:
            raise ValueError(f"arn {arn} is not in account {account_id}")
        with self._lock:
            self._known[access_key_id] = (account_id, arn or f"arn:aws:iam::{account_id}:root")

    def resolve(self, access_key_id: str | None) -> tuple[str, str]:
        if access_key_id is None:
            return self._default
        return self._known.get(access_key_id, self._default)
