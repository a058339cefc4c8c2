"""In-memory KMS state: keys and aliases per (account, region), behind one lock."""

from __future__ import annotations

import os
import random
import threading
import uuid
from dataclasses import dataclass, field

from kmsmock._clock import Clock
from kmsmock._identities import Identities
from kmsmock._keys import Key


@dataclass(slots=True)
class Alias:
    name: str
    target_key_id: str | None
    created: float
    updated: float


@dataclass(slots=True)
class RegionState:
    """What one account holds in one region."""

    account: str
    region: str
    keys: dict[str, Key] = field(default_factory=dict)  # key ID -> key, in creation order
    aliases: dict[str, Alias] = field(default_factory=dict)  # alias name -> alias


class Entropy:
    """Random bytes and identifiers; reproducible when a seed is given."""

    __slots__ = ("_rng",)

    def __init__(self, seed: int | None) -> None:
        self._rng = random.Random(seed) if seed is not None else None

    def token_bytes(self, count: int) -> bytes:
        if self._rng is None:
            return os.urandom(count)
        return self._rng.randbytes(count)

    def uuid4(self) -> str:
        if self._rng is None:
            return str(uuid.uuid4())
        return str(uuid.UUID(int=self._rng.getrandbits(128), version=4))

    def hex(self, count: int) -> str:
        return self.token_bytes(count).hex()


class KmsBackend:
    """All KMS state of one outermost activation.

    Every request runs under ``lock``; handlers validate fully before they
    mutate, so a failed call leaves the state exactly as it was.
    """

    def __init__(self, *, account_id: str, seed: int | None) -> None:
        self.lock = threading.RLock()
        self.default_account = account_id
        self.clock = Clock()
        self.entropy = Entropy(seed)
        self.identities = Identities(account_id)
        self._states: dict[tuple[str, str], RegionState] = {}

    def state(self, account: str, region: str) -> RegionState:
        found = self._states.get((account, region))
        if found is None:
            found = self._states[(account, region)] = RegionState(account, region)
        return found

    def peek(self, account: str, region: str) -> RegionState | None:
        """The state if it exists, without creating it (for lookups in other accounts)."""
        return self._states.get((account, region))

    def regions(self) -> list[RegionState]:
        return list(self._states.values())

    def reset(self) -> None:
        with self.lock:
            self._states.clear()
