"""The context one request runs in: who calls, where, and how its key IDs resolve."""

from __future__ import annotations

from dataclasses import dataclass

from kmsmock import _aws_errors as errors
from kmsmock._backend import KmsBackend, RegionState
from kmsmock._ids import ALIAS_ACCEPTING, CROSS_ACCOUNT, alias_arn, is_key_id, key_arn, parse_arn
from kmsmock._keys import Key


@dataclass(slots=True)
class RequestContext:
    backend: KmsBackend
    operation: str
    region: str
    account: str
    principal: str
    request_id: str

    @property
    def state(self) -> RegionState:
        return self.backend.state(self.account, self.region)

    def now(self) -> float:
        return self.backend.clock.now()

    def key(self, identifier: str) -> Key:
        """Resolve a KeyId parameter of this operation to a key, as KMS does (reference §1.4).

        Alias forms are accepted only where the operation accepts them, and another
        account's key only by ARN and only where the operation allows cross-account use.
        """
        if identifier.startswith("arn:"):
            arn = parse_arn(identifier)
            if arn.region != self.region:
                raise errors.invalid_arn_region(arn.region)
            if arn.resource == "alias":
                if self.operation not in ALIAS_ACCEPTING:
                    raise errors.invalid_key_id(identifier)
                return self._by_alias(arn.account, arn.name)
            if arn.account != self.account and self.operation not in CROSS_ACCOUNT:
                raise errors.AccessDeniedException(
                    f"User: {self.principal} is not authorized to perform: kms:{self.operation}"
                    f" on resource: {identifier} because no resource-based policy allows the"
                    f" kms:{self.operation} action"
                )
            return self._by_id(arn.account, arn.name)
        if identifier.startswith("alias/"):
            if self.operation not in ALIAS_ACCEPTING:
                raise errors.invalid_key_id(identifier)
            return self._by_alias(self.account, identifier)
        return self._by_id(self.account, identifier)

    def _by_id(self, account: str, key_id: str) -> Key:
        if not is_key_id(key_id):
            raise errors.invalid_key_id(key_id)
        state = self.backend.peek(account, self.region)
        key = state.keys.get(key_id.lower()) if state is not None else None
        if key is None:
            raise errors.key_does_not_exist(key_arn(self.region, account, key_id))
        return key

    def _by_alias(self, account: str, name: str) -> Key:
        state = self.backend.peek(account, self.region)
        alias = state.aliases.get(name) if state is not None else None
        key = None
        if alias is not None and alias.target_key_id is not None and state is not None:
            key = state.keys.get(alias.target_key_id)
        if key is None:
            raise errors.alias_not_found(alias_arn(self.region, account, name))
        return key
