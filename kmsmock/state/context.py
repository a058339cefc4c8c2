"""The context one request runs in: who calls, where, and how its key IDs resolve."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kmsmock.state import aws_managed as _aws_managed
from kmsmock.state.authorization import IAM_ONLY, authorize
from kmsmock.state.backend import AccountRegion, KmsBackend
from kmsmock.state.ids import (
    ALIAS_ACCEPTING,
    CROSS_ACCOUNT,
    alias_arn,
    is_key_id,
    key_arn,
    parse_arn,
)
from kmsmock.state.key_states import require_state
from kmsmock.state.keys import Key
from kmsmock.wire import aws_errors as aws


@dataclass(slots=True)
class RequestContext:
    backend: KmsBackend
    operation: str
    region: str
    account: str
    principal: str
    request_id: str
    instant: float | None = None  # the request's time, read once
    params: dict[str, Any] | None = None  # what condition keys of key policies look at
    # The resource an AWS service principal calls for (aws:SourceArn); None otherwise.
    source_arn: str | None = None

    @property
    def account_region(self) -> AccountRegion:
        return self.backend.account_region(self.account, self.region)

    def now(self) -> float:
        """When the request happens: one instant for all it does."""
        found = self.instant
        if found is None:
            found = self.instant = self.backend.clock.now()
        return found

    def key(self, identifier: str, *, check_state: bool = True, action: str | None = None) -> Key:
        """The key a KeyId parameter names, checked as KMS checks it
        (docs/kms-behaviour.md#check-order).

        Resolution (docs/kms-behaviour.md#identifier-forms): alias forms only where the
        operation accepts them, another account's key only by ARN and only where
        cross-account use is allowed. Then what an AWS managed key's policy denies, then
        the key-state effects table.
        """
        key = self._resolve(identifier)
        if key.key_manager == "AWS" and self.operation in _aws_managed.DENIED_OPERATIONS:
            raise aws.access_denied(self.principal, self.operation, key.arn)
        if self.backend.enforce_policies:
            self.authorize(key, action)
        if check_state:
            require_state(key, self.operation)
        return key

    def authorize(self, key: Key, action: str | None = None) -> None:
        """Under ``enforce_policies``, what the key's policy and grants allow
        (docs/kms-behaviour.md#authorization)."""
        if self.backend.enforce_policies and self.operation not in IAM_ONLY:
            action = action or f"kms:{self.operation}"
            authorize(key, action, self.principal, self.account, self.params or {}, self.source_arn)

    def require_use(self, key: Key, usage: str, algorithm: str) -> None:
        """The key's usage, then the algorithm's fit to its spec
        (docs/kms-behaviour.md#check-order)."""
        if key.usage != usage:
            raise aws.wrong_key_usage(key.arn, key.usage, self.operation)
        if algorithm not in key.spec.algorithms[usage]:
            raise aws.incompatible_algorithm(algorithm, key.spec.name)

    def key_in_ciphertext(self, account: str, key_id: str, action: str | None = None) -> Key:
        """The key a symmetric ciphertext names, for Decrypt and ReEncrypt without a KeyId."""
        state = self.backend.peek(account, self.region)
        key = state.keys.get(key_id) if state is not None else None
        if key is None:
            # Observed from KMS for a ciphertext whose key is gone
            # (docs/kms-behaviour.md#cross-account).
            raise aws.AccessDeniedException(
                "The ciphertext refers to a customer master key that does not exist, does "
                "not exist in this region, or you are not allowed to access."
            )
        self.authorize(key, action)
        require_state(key, self.operation)
        return key

    def secret(self, key: Key) -> Any:
        """An asymmetric key's private key or an HMAC key's secret, made on first use."""
        if key.secret is None:
            key.secret = self.generate(key.spec.name)
        return key.secret

    def generate(self, spec: str) -> Any:
        """New material for ``spec`` (a key's or a data key pair's)."""
        # Imported here: a symmetric key never needs the asymmetric engine.
        from kmsmock.crypto.asymmetric import generate

        return generate(spec, self.backend.entropy.token_bytes)

    def record_use(self, key: Key) -> None:
        """Note a successful cryptographic use, for GetKeyLastUsage."""
        key.last_usage = (self.operation, self.now(), self.request_id)

    def _resolve(self, identifier: str) -> Key:
        if identifier.startswith("arn:"):
            arn = parse_arn(identifier, self.operation)
            if arn.region != self.region:
                raise aws.invalid_arn_region(arn.region)
            if arn.resource == "alias":
                if self.operation not in ALIAS_ACCEPTING:
                    raise aws.invalid_key_id(identifier)
                return self._by_alias(arn.account, arn.name)
            if arn.account != self.account and self.operation not in CROSS_ACCOUNT:
                raise aws.access_denied(self.principal, self.operation, identifier)
            return self._by_id(arn.account, arn.name)
        if identifier.startswith("alias/"):
            if self.operation not in ALIAS_ACCEPTING:
                raise aws.invalid_key_id(identifier)
            return self._by_alias(self.account, identifier)
        return self._by_id(self.account, identifier)

    def _by_id(self, account: str, key_id: str) -> Key:
        state = self.backend.peek(account, self.region)
        # Most calls name an existing key exactly as kmsmock wrote its ID.
        key = state.keys.get(key_id) if state is not None else None
        if key is not None:
            return key
        if not is_key_id(key_id):
            raise aws.invalid_key_id(key_id)
        key = state.keys.get(key_id.lower()) if state is not None else None
        if key is None:
            raise aws.key_does_not_exist(key_arn(self.region, account, key_id))
        return key

    def _by_alias(self, account: str, name: str) -> Key:
        state = self.backend.peek(account, self.region)
        alias = state.aliases.get(name) if state is not None else None
        if alias is not None and alias.target_key_id is not None and state is not None:
            return state.keys[alias.target_key_id]
        service = _aws_managed.service_of(name)
        if service is not None and account == self.account:
            # KMS creates an AWS managed key when its alias is first used.
            return _aws_managed.create(
                self.backend, self.account, self.region, service, name, self.now()
            )
        raise aws.alias_not_found(alias_arn(self.region, account, name))
