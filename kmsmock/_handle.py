"""Looking inside a mock: the members a test uses to see and arrange KMS state.

Shared by the in-process handle (``mock_kms()``, ``KmsMock``) and the server's
(``KmsServer.kms``), so both read the same: ``clock``, ``calls``, ``faults``,
``identities``, ``keys()``, ``seed_key()``, ``share_key()``, ``attestation_document()``
and ``reset()``, each acting on the state of the mock or server it belongs to.
"""

from __future__ import annotations

import abc
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kmsmock.state.backend import KmsBackend
    from kmsmock.state.clock import Clock
    from kmsmock.state.faults import Faults
    from kmsmock.state.identities import Identities
    from kmsmock.state.journal import CallJournal
    from kmsmock.state.views import KeyView


class Handle(abc.ABC):
    """The members common to every handle; a subclass supplies ``backend``,
    ``default_region``, ``region`` and ``account_id``."""

    region: str
    account_id: str

    @property
    @abc.abstractmethod
    def backend(self) -> KmsBackend:
        """The state this handle looks at."""

    @property
    @abc.abstractmethod
    def default_region(self) -> str:
        """The region ``keys()`` and ``seed_key()`` use when given none."""

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
        """Snapshots of the keys of an account in a region (default: the mock's account
        and :attr:`default_region`), in creation order, with their aliases, tags and policy."""
        from kmsmock.state.views import view

        backend = self.backend
        with backend.lock:
            backend.settle()
            state = backend.peek(account_id or self.account_id, region or self.default_region)
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
        account, where = account_id or self.account_id, region or self.default_region
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
            return view(backend.account_region(account, where), key)

    def share_key(self, key_id_or_arn: str, account_id: str) -> None:
        """Share a key with another account, as an AWS RAM resource share does.

        The key is named by its ID (in the mock's own account and region) or its ARN.
        The other account then finds it with ``ListKeys(ResourceOwners=
        ["OTHER_ACCOUNTS_VIA_RAM"])`` and uses it by ARN, and the key gains the AWS_RAM
        key policy, which allows that account its cryptographic operations and
        DescribeKey and GetPublicKey under ``enforce_policies``. ValueError for a key
        that does not exist, an AWS managed key, or the key's own account.
        """
        self._set_share(key_id_or_arn, account_id, shared=True)

    def unshare_key(self, key_id_or_arn: str, account_id: str) -> None:
        """End the share of a key with an account (the RAM resource share is deleted)."""
        self._set_share(key_id_or_arn, account_id, shared=False)

    def _set_share(self, key_id_or_arn: str, account_id: str, *, shared: bool) -> None:
        from kmsmock.state.identities import check_account_id
        from kmsmock.state.ram import set_share

        check_account_id(account_id)
        backend = self.backend
        account, region, key_id = self.account_id, self.default_region, key_id_or_arn
        if key_id_or_arn.startswith("arn:"):
            parts = key_id_or_arn.split(":", 5)
            if len(parts) != 6 or not parts[5].startswith("key/"):
                raise ValueError(f"not a key ARN: {key_id_or_arn!r}")
            region, account, key_id = parts[3], parts[4], parts[5][len("key/") :]
        with backend.lock:
            backend.settle()
            state = backend.peek(account, region)
            key = state.keys.get(key_id) if state is not None else None
            if key is None:
                raise ValueError(f"no key {key_id!r} in account {account} in {region}")
            if key.key_manager == "AWS":
                raise ValueError(f"{key.arn} is an AWS managed key, which cannot be shared")
            if account_id == key.account:
                raise ValueError(f"{key.arn} belongs to account {account_id} already")
            set_share(key, account_id, shared)

    def attestation_document(
        self,
        public_key: bytes,
        *,
        pcrs: dict[int, bytes] | None = None,
        nitro_tpm: bool = False,
        user_data: bytes | None = None,
        nonce: bytes | None = None,
    ) -> bytes:
        """An attestation document for the ``Recipient`` parameter, as an AWS Nitro
        enclave (or, with ``nitro_tpm``, a NitroTPM) would send it for ``public_key``
        (a DER SubjectPublicKeyInfo of an RSA key).

        ``pcrs`` maps PCR indexes to their values (48 bytes each; PCR0 is the enclave
        image's SHA-384, what ``kms:RecipientAttestation:ImageSha384`` compares); all
        zero when omitted. kmsmock signs it with its own throwaway certificate: it has
        the structure of a real document but not AWS's signature, and kmsmock cannot
        check that a document chains to the AWS Nitro root.
        """
        from kmsmock.crypto.attestation import build_document

        return build_document(
            public_key, pcrs=pcrs, nitro_tpm=nitro_tpm, user_data=user_data, nonce=nonce
        )

    def reset(self) -> None:
        """Forget every key, alias, store, call and injected fault, in every account and
        region."""
        self.backend.reset()
