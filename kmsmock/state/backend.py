"""In-memory KMS state: keys and aliases per (account, region), behind one lock."""

from __future__ import annotations

import bisect
import heapq
import itertools
import os
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from kmsmock.state.clock import Clock
from kmsmock.state.custom_key_stores import CustomKeyStore
from kmsmock.state.faults import Faults
from kmsmock.state.grants import TokenTarget
from kmsmock.state.identities import Identities
from kmsmock.state.journal import DEFAULT_MAX_CALLS, CallJournal
from kmsmock.state.keys import Key
from kmsmock.state.retirable import RetirableGrants


@dataclass(slots=True)
class Alias:
    name: str
    target_key_id: str | None
    created: float
    updated: float


def _position(key: Key) -> str:
    # A key's place in ListKeys pages: its creation order, as a sortable string.
    return f"{key.seq:012d}"


@dataclass(slots=True)
class AccountRegion:
    """What one account holds in one region.

    ``keys`` and ``aliases`` are for reading; keys and aliases are added and removed
    through the methods here, which keep the indexes that make a list page cost the
    page, not the whole account: keys in creation order, alias names sorted, and each
    key's aliases.
    """

    account: str
    region: str
    keys: dict[str, Key] = field(default_factory=dict)  # key ID -> key, in creation order
    aliases: dict[str, Alias] = field(default_factory=dict)  # alias name -> alias
    custom_key_stores: dict[str, CustomKeyStore] = field(default_factory=dict)  # by ID

    created: int = 0  # keys ever created here, for creation order
    stores_created: int = 0  # custom key stores ever created here, likewise
    # Keys in creation order, deleted ones included until the next compaction (a key is
    # live while ``keys`` holds that very object).
    key_order: list[Key] = field(default_factory=list, repr=False)
    deleted_in_order: int = 0
    alias_names: list[str] = field(default_factory=list, repr=False)  # sorted
    aliases_by_key: dict[str, dict[str, Alias]] = field(default_factory=dict, repr=False)

    def add_key(self, key: Key) -> None:
        self.created += 1
        key.seq = self.created
        self.keys[key.key_id] = key
        self.key_order.append(key)

    def restore_key(self, key: Key) -> None:
        """Put back a saved key with its creation order (keys in ascending ``seq``)."""
        self.keys[key.key_id] = key
        self.key_order.append(key)

    def keys_page(self, start: str, limit: int) -> tuple[list[Key], Key | None]:
        """Up to ``limit`` keys from position ``start`` on, and the key after them."""
        order, keys = self.key_order, self.keys
        index = bisect.bisect_left(order, start, key=_position) if start else 0
        page: list[Key] = []
        # Indexing from ``index`` on: islice would step over the keys before it one by one.
        for position in range(index, len(order)):
            key = order[position]
            if keys.get(key.key_id) is not key:
                continue
            if len(page) == limit:
                return page, key
            page.append(key)
        return page, None

    def keys_in_store(self, store_id: str) -> list[Key]:
        return [key for key in self.keys.values() if key.store and key.store.store_id == store_id]

    def store_of(self, key: Key) -> CustomKeyStore | None:
        """The custom key store ``key`` is in; None for a key in AWS KMS's own."""
        return self.custom_key_stores.get(key.store.store_id) if key.store is not None else None

    def add_alias(self, alias: Alias) -> None:
        self.aliases[alias.name] = alias
        bisect.insort(self.alias_names, alias.name)
        if alias.target_key_id is not None:
            self.aliases_by_key.setdefault(alias.target_key_id, {})[alias.name] = alias

    def retarget_alias(self, alias: Alias, key_id: str) -> None:
        self._unindex(alias)
        alias.target_key_id = key_id
        self.aliases_by_key.setdefault(key_id, {})[alias.name] = alias

    def remove_alias(self, name: str) -> None:
        alias = self.aliases.pop(name)
        del self.alias_names[bisect.bisect_left(self.alias_names, name)]
        self._unindex(alias)

    def _unindex(self, alias: Alias) -> None:
        if alias.target_key_id is None:
            return
        named = self.aliases_by_key.get(alias.target_key_id)
        if named is not None:
            named.pop(alias.name, None)
            if not named:
                del self.aliases_by_key[alias.target_key_id]

    def aliases_of(self, key_id: str) -> list[Alias]:
        return list(self.aliases_by_key.get(key_id, {}).values())

    def delete_key(self, key: Key) -> None:
        """The end of a deletion window: the key and every alias naming it are gone."""
        if self.keys.get(key.key_id) is not key:
            return
        del self.keys[key.key_id]
        for alias in self.aliases_of(key.key_id):
            self.remove_alias(alias.name)
        self.deleted_in_order += 1
        # Drop deleted keys from the order once they are half of it: a page then skips
        # at most as many deleted keys as it lists live ones, on average.
        if self.deleted_in_order > 64 and self.deleted_in_order * 2 > len(self.key_order):
            keys = self.keys
            self.key_order = [k for k in self.key_order if keys.get(k.key_id) is k]
            self.deleted_in_order = 0


class Entropy:
    """Random bytes and identifiers; reproducible when a seed is given.

    Identifiers come from a PRNG seeded from the OS (or from ``seed``): they need to be
    unique, not secret, and ``uuid.uuid4()`` costs several times more per request.
    Key material and IVs come from ``os.urandom`` unless a seed asks for reproducibility.
    """

    __slots__ = ("_ids", "_iv_prefix", "_ivs", "_request_prefix", "_requests", "_rng")

    def __init__(self, seed: int | None) -> None:
        self._rng = random.Random(seed) if seed is not None else None
        self._ids = self._rng or random.Random(os.urandom(32))
        # Request IDs: one random UUID prefix for this mock, then a counter, which is
        # unique all the same and cheaper than a random UUID per request.
        self._request_prefix = self.uuid4()[:24]
        self._requests = itertools.count(1)
        self._iv_prefix = self.token_bytes(4)
        self._ivs = itertools.count()

    def token_bytes(self, count: int) -> bytes:
        if self._rng is None:
            return os.urandom(count)
        return self._rng.randbytes(count)

    def iv(self) -> bytes:
        """A 96-bit AES-GCM nonce, never repeated in this mock: a random prefix and a
        counter, as NIST SP 800-38D's deterministic construction builds them, and
        cheaper than asking the OS for 12 bytes on every Encrypt."""
        return self._iv_prefix + next(self._ivs).to_bytes(8, "big")

    def uuid4(self) -> str:
        """A random version-4 UUID, as KMS key IDs and request IDs are."""
        bits = self._ids.getrandbits(128)
        # Set the version (4) and variant (10) bits, as RFC 4122 does.
        bits = (bits & ~(0xF000 << 64) | (0x4000 << 64)) & ~(0xC000 << 48) | (0x8000 << 48)
        text = f"{bits:032x}"
        return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"

    def request_id(self) -> str:
        """A request ID, shaped as KMS's are (a version-4 UUID)."""
        return f"{self._request_prefix}{next(self._requests):012x}"

    def hex(self, count: int) -> str:
        return self.token_bytes(count).hex()

    def snapshot(self) -> dict[str, Any]:
        """Where the sequences stand, so a restarted mock repeats no ID and no IV."""
        return {
            "iv_prefix": self._iv_prefix.hex(),
            "ivs": next(self._ivs),
            "ids": _rng_state(self._ids),
            "rng": None if self._rng is None else _rng_state(self._rng),
        }

    def restore(self, snapshot: dict[str, Any]) -> None:
        self._iv_prefix = bytes.fromhex(snapshot["iv_prefix"])
        self._ivs = itertools.count(int(snapshot["ivs"]))
        ids = random.Random()
        ids.setstate(_rng_from(snapshot["ids"]))
        self._ids = ids
        if self._rng is not None and snapshot.get("rng") is not None:
            self._rng.setstate(_rng_from(snapshot["rng"]))
            self._ids = self._rng


def _rng_state(rng: random.Random) -> list[Any]:
    # The Mersenne Twister's 625 words, as one hex string rather than 625 numbers.
    version, internal, gauss = rng.getstate()
    return [version, b"".join(word.to_bytes(4, "big") for word in internal).hex(), gauss]


def _rng_from(state: list[Any]) -> tuple[Any, ...]:
    version, text, gauss = state
    data = bytes.fromhex(text)
    internal = tuple(int.from_bytes(data[i : i + 4], "big") for i in range(0, len(data), 4))
    return (version, internal, gauss)


class KmsBackend:
    """All KMS state of one outermost activation.

    Every request runs under ``lock``; handlers validate fully before they
    mutate, so a failed call leaves the state exactly as it was.
    """

    def __init__(
        self,
        *,
        account_id: str,
        seed: int | None,
        enforce_policies: bool = False,
        max_calls: int | None = DEFAULT_MAX_CALLS,
    ) -> None:
        self.lock = threading.RLock()
        # Key policies and grants decide access (``_authorization``); off by default.
        self.enforce_policies = enforce_policies
        self.default_account = account_id
        self.clock = Clock()
        self.entropy = Entropy(seed)
        self.identities = Identities(account_id)
        self._states: dict[tuple[str, str], AccountRegion] = {}
        # Time-based effects (deletion windows, and later import expiry and rotation),
        # as a heap of (due time, tie-breaker, action). Applied when state is next
        # read, so a test that moves the clock sees them on its next call.
        self._due: list[tuple[float, int, Callable[[float], None]]] = []
        self._order = itertools.count()
        self._grant_seq = itertools.count(1)
        # Every grant token issued, and the grant it names (see ``_grants``).
        self.grant_tokens: dict[str, TokenTarget] = {}
        # Grants by retiring principal, for ListRetirableGrants pages.
        self.retirable = RetirableGrants()
        self.calls = CallJournal(max_calls)
        self.faults = Faults(random.Random(seed))

    def account_region(self, account: str, region: str) -> AccountRegion:
        found = self._states.get((account, region))
        if found is None:
            found = self._states[(account, region)] = AccountRegion(account, region)
        return found

    def peek(self, account: str, region: str) -> AccountRegion | None:
        """The state if it exists, without creating it (for lookups in other accounts)."""
        return self._states.get((account, region))

    def delete_key(self, key: Key) -> None:
        """The end of a deletion window: the key, its aliases and its grants are gone."""
        state = self.account_region(key.account, key.region)
        if state.keys.get(key.key_id) is key:
            self.retirable.remove_key(key)
        state.delete_key(key)

    def next_grant_seq(self) -> int:
        """Creation order of grants across the mock, for list pages."""
        return next(self._grant_seq)

    def continue_grant_seq(self, last: int) -> None:
        """Number grants on from ``last`` (a state file's latest)."""
        self._grant_seq = itertools.count(last + 1)

    def account_regions(self) -> list[AccountRegion]:
        return list(self._states.values())

    def at(self, when: float, action: Callable[[float], None]) -> None:
        """Run ``action(when)`` once the clock has passed ``when``.

        The action must check that what it acts on is still as it was when
        scheduled: a cancelled deletion leaves its entry in the heap.
        """
        heapq.heappush(self._due, (when, next(self._order), action))

    def settle(self) -> None:
        """Apply every time-based effect that is due. Call with ``lock`` held."""
        due = self._due
        if due and due[0][0] <= self.clock.now():
            now = self.clock.now()
            while due and due[0][0] <= now:
                when, _, action = heapq.heappop(due)
                action(when)

    def reset(self) -> None:
        with self.lock:
            self._states.clear()
            self._due.clear()
            self.grant_tokens.clear()
            self.retirable.clear()
            self.calls.clear()
            self.faults.clear()
