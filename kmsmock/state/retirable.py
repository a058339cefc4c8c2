"""Grants by who may retire them, so that a ListRetirableGrants page costs the page.

A grant is listed to the account that owns its key and to the account that created it,
in the key's Region, under its retiring principal or its retiring service principal.
Each such list holds (key, grant) pairs in grant creation order (``Grant.seq``).
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable

from kmsmock.state.grants import Grant
from kmsmock.state.keys import Key

Entry = tuple[Key, Grant]
# (account, region, "principal" or "service", the retiring principal or service).
Slot = tuple[str, str, str, str]


def position(entry: Entry) -> str:
    """A grant's place in list pages: its creation order, as a sortable string."""
    return f"{entry[1].seq:012d}"


def _slots(key: Key, grant: Grant) -> list[Slot]:
    if grant.retiring is not None:
        kind, who = "principal", grant.retiring
    elif grant.retiring_service is not None:
        kind, who = "service", grant.retiring_service
    else:
        return []
    accounts = dict.fromkeys((key.account, grant.issuing_account))
    return [(account, key.region, kind, who) for account in accounts]


class RetirableGrants:
    """The index; every grant created, retired, revoked or deleted with its key goes
    through ``add`` and ``remove`` (or ``rebuild`` for a loaded state file)."""

    __slots__ = ("_lists",)

    def __init__(self) -> None:
        self._lists: dict[Slot, list[Entry]] = {}

    def add(self, key: Key, grant: Grant) -> None:
        for slot in _slots(key, grant):
            entries = self._lists.setdefault(slot, [])
            # New grants come last; insort keeps the order if one ever does not.
            if not entries or entries[-1][1].seq < grant.seq:
                entries.append((key, grant))
            else:
                bisect.insort(entries, (key, grant), key=lambda entry: entry[1].seq)

    def remove(self, key: Key, grant: Grant) -> None:
        for slot in _slots(key, grant):
            entries = self._lists.get(slot)
            if entries is None:
                continue
            index = bisect.bisect_left(entries, grant.seq, key=lambda entry: entry[1].seq)
            if index < len(entries) and entries[index][1] is grant:
                del entries[index]
            if not entries:
                del self._lists[slot]

    def remove_key(self, key: Key) -> None:
        for grant in (key.grants or {}).values():
            self.remove(key, grant)

    def rebuild(self, keys: Iterable[Key]) -> None:
        self._lists.clear()
        for key in keys:
            for grant in (key.grants or {}).values():
                for slot in _slots(key, grant):
                    self._lists.setdefault(slot, []).append((key, grant))
        for entries in self._lists.values():
            entries.sort(key=lambda entry: entry[1].seq)

    def clear(self) -> None:
        self._lists.clear()

    def page(self, slot: Slot, start: str, limit: int) -> tuple[list[Entry], Entry | None]:
        """Up to ``limit`` grants from position ``start`` on, and the grant after them."""
        entries = self._lists.get(slot, [])
        index = bisect.bisect_left(entries, start, key=position) if start else 0
        following = entries[index + limit] if index + limit < len(entries) else None
        return entries[index : index + limit], following
