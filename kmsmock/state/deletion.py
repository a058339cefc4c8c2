"""The end of a key: deletion windows, and the order multi-Region sets go in
(docs/kms-behaviour.md#key-states).

A primary with replicas waits in PendingReplicaDeletion, without a date, until its last
replica is actually deleted; then its own window starts.
"""

from __future__ import annotations

from kmsmock.state.backend import KmsBackend
from kmsmock.state.clock import days_after
from kmsmock.state.keys import Key, KeyState


def schedule(backend: KmsBackend, key: Key, deletion_date: float) -> None:
    """Put ``key`` in PendingDeletion until ``deletion_date``, then delete it."""
    key.state = KeyState.PENDING_DELETION
    key.deletion_date = deletion_date
    key.pending_window_days = None

    def delete(when: float) -> None:
        if key.state is KeyState.PENDING_DELETION and key.deletion_date == when:
            _delete(backend, key, when)

    backend.at(deletion_date, delete)


def _delete(backend: KmsBackend, key: Key, when: float) -> None:
    backend.delete_key(key)
    found = key.region_set
    if found is None or key.region not in found.replicas:
        return
    found.replicas.remove(key.region)
    state = backend.peek(key.account, found.primary)
    primary = state.keys.get(key.key_id) if state is not None else None
    if (
        primary is not None
        and primary.state is KeyState.PENDING_REPLICA_DELETION
        and not found.replicas
        and primary.pending_window_days is not None
    ):
        schedule(backend, primary, days_after(when, primary.pending_window_days))
