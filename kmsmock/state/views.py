"""Read-only views of the mock's keys, ``kms.keys()``, for assertions in tests.

A view is a snapshot taken when asked: it does not change when the key does, and
changing it does not change the key.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from kmsmock.state.policies import effective_policy

if TYPE_CHECKING:
    from kmsmock.state.backend import AccountRegion
    from kmsmock.state.keys import Key


@dataclass(frozen=True, slots=True)
class KeyView:
    """One key as DescribeKey shows it, with its aliases, tags and key policy.

    Attributes:
        key_id: The key ID.
        arn: The key ARN.
        state: ``KeyState``, e.g. ``"Enabled"`` or ``"PendingDeletion"``.
        key_spec: ``KeySpec``, e.g. ``"SYMMETRIC_DEFAULT"``.
        key_usage: ``KeyUsage``, e.g. ``"ENCRYPT_DECRYPT"``.
        origin: ``Origin``, e.g. ``"AWS_KMS"`` or ``"EXTERNAL"``.
        description: ``Description``.
        aliases: The names of the aliases that point to the key.
        tags: The key's tags, as a mapping.
        policy: The key policy document, as JSON text.
        metadata: ``KeyMetadata`` as DescribeKey returns it, timestamps as epoch seconds.
    """

    key_id: str
    arn: str
    state: str
    key_spec: str
    key_usage: str
    origin: str
    description: str
    aliases: tuple[str, ...]
    tags: dict[str, str]
    policy: str
    metadata: dict[str, Any]  # KeyMetadata, timestamps as epoch seconds

    @property
    def enabled(self) -> bool:
        return self.state == "Enabled"


def view(state: AccountRegion, key: Key) -> KeyView:
    metadata = key.metadata()
    return KeyView(
        key_id=key.key_id,
        arn=key.arn,
        state=key.state.value,
        key_spec=key.spec.name,
        key_usage=key.usage,
        origin=key.origin,
        description=key.description,
        aliases=tuple(alias.name for alias in state.aliases_of(key.key_id)),
        tags=dict(key.tags or {}),
        policy=effective_policy(key),
        metadata=metadata,
    )
