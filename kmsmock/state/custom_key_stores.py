"""Custom key stores: the record, and what its connection means for its keys
(docs/kms-behaviour.md#custom-key-stores).

kmsmock has no CloudHSM cluster or external key manager behind a store. Connecting
succeeds at once; the store's keys are ordinary symmetric keys whose state follows the
store: Unavailable while it is disconnected (except keys pending deletion), their own
state again once it is connected.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kmsmock.state.keys import Key, KeyState

CLOUDHSM, EXTERNAL_KEY_STORE = "AWS_CLOUDHSM", "EXTERNAL_KEY_STORE"
CONNECTED, DISCONNECTED = "CONNECTED", "DISCONNECTED"
MAX_STORES = 10  # per account and Region (docs/kms-behaviour.md#quotas)


@dataclass(slots=True, eq=False)
class CustomKeyStore:
    store_id: str
    name: str
    store_type: str
    created: float
    seq: int = 0  # creation order in its account and Region, for list pages
    state: str = DISCONNECTED
    # CloudHSM stores.
    cluster_id: str | None = None
    trust_anchor: str | None = None
    password: str | None = None
    # External key stores.
    proxy: dict[str, str] = field(default_factory=dict)
    secret_access_key: str | None = None
    # Keys of the store that are Unavailable while it is disconnected: their own state.
    parked: dict[str, KeyState] = field(default_factory=dict)

    def entry(self) -> dict[str, Any]:
        """The CustomKeyStoresListEntry DescribeCustomKeyStores returns."""
        entry: dict[str, Any] = {
            "CustomKeyStoreId": self.store_id,
            "CustomKeyStoreName": self.name,
            "ConnectionState": self.state,
            "CreationDate": self.created,
            "CustomKeyStoreType": self.store_type,
        }
        if self.store_type == CLOUDHSM:
            entry["CloudHsmClusterId"] = self.cluster_id
            entry["TrustAnchorCertificate"] = self.trust_anchor
        else:
            # The secret access key is never returned (docs/kms-behaviour.md#custom-key-stores).
            entry["XksProxyConfiguration"] = dict(self.proxy)
        return entry

    def connect(self, keys: list[Key]) -> None:
        self.state = CONNECTED
        for key in keys:
            if key.state is KeyState.UNAVAILABLE:
                key.state = self.parked.get(key.key_id, KeyState.ENABLED)
        self.parked.clear()

    def disconnect(self, keys: list[Key]) -> None:
        """The store and ``keys`` of it are disconnected."""
        self.state = DISCONNECTED
        for key in keys:
            if key.state not in (KeyState.PENDING_DELETION, KeyState.UNAVAILABLE):
                self.parked[key.key_id] = key.state
                key.state = KeyState.UNAVAILABLE
