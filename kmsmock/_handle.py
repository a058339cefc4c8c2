"""Looking inside a mock: the members a test uses to see and arrange KMS state.

Shared by the in-process handle (``mock_kms()``, ``KmsMock``) and the server's
(``KmsServer.kms``), so both read the same: ``clock``, ``calls``, ``faults``,
``identities``, ``keys()``, ``seed_key()`` and ``reset()``, each acting on the state of
the mock or server it belongs to.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kmsmock.state.backend import KmsBackend
    from kmsmock.state.clock import Clock
    from kmsmock.state.faults import Faults
    from kmsmock.state.identities import Identities
    from kmsmock.state.journal import CallJournal
    from kmsmock.state.views import KeyView


class Handle:
    """The members common to every handle; a subclass supplies ``backend``, ``region``
    and ``account_id``."""

    region: str
    account_id: str

    @property
    def backend(self) -> KmsBackend:
        raise NotImplementedError

    @property
    def clock(self) -> Clock:
        """The mock's clock; ``kms.clock.advance(days=7)`` moves it."""
        return self.backend.clock

    @property
    def identities(self) -> Identities:
        """Access key ID -> caller; unknown keys act as the default account's root."""
        return self.backend.identities

    @property
    def calls(self) -> CallJournal:
        """Every KMS request the mock answered, in order: ``kms.calls[-1].operation``."""
        return self.backend.calls

    @property
    def faults(self) -> Faults:
        """AWS errors on demand: ``kms.faults.inject("Encrypt", "ThrottlingException")``."""
        return self.backend.faults

    def keys(self, *, account_id: str | None = None, region: str | None = None) -> list[KeyView]:
        """Snapshots of the keys of an account in a region (default: the mock's own), in
        creation order, with their aliases, tags and policy."""
        from kmsmock.state.views import view

        backend = self.backend
        with backend.lock:
            backend.settle()
            state = backend.peek(account_id or self.account_id, region or self.region)
            if state is None:
                return []
            return [view(state, key) for key in state.keys.values()]

    def seed_key(
        self,
        key_id: str,
        material: bytes,
        *,
        key_spec: str = "SYMMETRIC_DEFAULT",
        key_usage: str | None = None,
        account_id: str | None = None,
        region: str | None = None,
        description: str = "",
        aliases: Iterable[str] = (),
        tags: dict[str, str] | None = None,
    ) -> KeyView:
        """Create an Enabled key with a known ID and known key material.

        ``material`` is 32 bytes for a symmetric key (16 in China), the secret for an
        HMAC key, or a DER PKCS#8 private key for an asymmetric one. Ciphertext, MACs and
        signatures of a seeded key are checkable with the test's own copy of the
        material, and the same in every run. ValueError for what KMS could not hold.
        """
        from kmsmock.state.seeding import seed_key
        from kmsmock.state.views import view

        if isinstance(aliases, str):
            raise TypeError("aliases takes alias names, e.g. aliases=['alias/orders']")
        backend = self.backend
        account, where = account_id or self.account_id, region or self.region
        with backend.lock:
            key = seed_key(
                backend,
                key_id=key_id,
                material=material,
                account=account,
                region=where,
                key_spec=key_spec,
                key_usage=key_usage,
                description=description,
                aliases=tuple(aliases),
                tags=dict(tags or {}),
            )
            return view(backend.state(account, where), key)

    def reset(self) -> None:
        """Forget every key, alias, store, call and injected fault, in every account and
        region."""
        self.backend.reset()
