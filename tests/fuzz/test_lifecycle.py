"""The key lifecycle as a state machine: hypothesis runs random sequences of creating,
enabling, disabling, scheduling and cancelling deletion, aliasing, tagging, rotating,
granting, encrypting and moving the clock, in two accounts and two Regions, and checks
after every step what AWS documents:

- a key's state follows the key-state table of the AWS docs
  (https://docs.aws.amazon.com/kms/latest/developerguide/key-state.html), written out
  here independently of kmsmock's own table;
- every alias names a key that exists, in its own account and Region;
- a ciphertext keeps decrypting while its key is enabled, through rotations;
- a deleted key stays deleted, and its aliases go with it.

``KMSMOCK_FUZZ_EXAMPLES`` scales the number of runs (docs/contributing.md).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    invariant,
    precondition,
    rule,
)

from kmsmock import mock_kms
from tests._support import ACCESS_KEY_ID, ACCOUNT, OTHER_ACCOUNT, SECRET_ACCESS_KEY

OTHER_ACCESS_KEY = "AKIALIFECYCLEOTHER01"
REGIONS = ("us-east-1", "eu-west-1")
ACCOUNTS = {ACCOUNT: ACCESS_KEY_ID, OTHER_ACCOUNT: OTHER_ACCESS_KEY}
ALIASES = ("alias/one", "alias/two", "alias/three")
UNKNOWN_CIPHERTEXT_KEY = (
    "AccessDeniedException",
    "The ciphertext refers to a customer master key that does not exist, does not exist in "
    "this region, or you are not allowed to access.",
)

_CONFIG = Config(retries={"total_max_attempts": 1})
_CLIENTS = {
    (account, region): boto3.session.Session(
        aws_access_key_id=access_key, aws_secret_access_key=SECRET_ACCESS_KEY
    ).client("kms", region_name=region, config=_CONFIG)
    for account, access_key in ACCOUNTS.items()
    for region in REGIONS
}

ENABLED, DISABLED, PENDING, DELETED = "Enabled", "Disabled", "PendingDeletion", "Deleted"


@dataclass
class KeyModel:
    account: str
    region: str
    key_id: str
    state: str = ENABLED
    deletion_date: float | None = None
    tags: dict[str, str] = field(default_factory=dict)
    grants: list[str] = field(default_factory=list)
    rotations: int = 0

    @property
    def arn(self) -> str:
        return f"arn:aws:kms:{self.region}:{self.account}:key/{self.key_id}"

    @property
    def client(self) -> Any:
        return _CLIENTS[(self.account, self.region)]


def outcome(call: Any) -> tuple[str, str] | None:
    """None for success, else (code, message)."""
    try:
        call()
    except ClientError as exc:
        return exc.response["Error"]["Code"], exc.response["Error"]["Message"]
    return None


def state_error(key: KeyModel, allowed_when_disabled: bool = True) -> tuple[str, str] | None:
    """The error the AWS key-state table gives for an operation on ``key``: a pending
    deletion refuses everything here; a disabled key refuses what needs it enabled."""
    if key.state == DELETED:
        return ("NotFoundException", f"Key '{key.arn}' does not exist")
    if key.state == PENDING:
        return ("KMSInvalidStateException", f"{key.arn} is pending deletion.")
    if key.state == DISABLED and not allowed_when_disabled:
        return ("DisabledException", f"{key.arn} is disabled.")
    return None


class KeyLifecycle(RuleBasedStateMachine):
    keys = Bundle("keys")
    ciphertexts = Bundle("ciphertexts")

    def __init__(self) -> None:
        super().__init__()
        self.mock = mock_kms()
        self.kms = self.mock.start()
        self.kms.identities.add(OTHER_ACCESS_KEY, account_id=OTHER_ACCOUNT)
        self.models: list[KeyModel] = []
        # (account, region) -> alias name -> key model
        self.aliases: dict[tuple[str, str], dict[str, KeyModel]] = {where: {} for where in _CLIENTS}

    def teardown(self) -> None:
        self.mock.stop()

    # Creating and the key-state transitions ---------------------------------------------

    @rule(target=keys, account=st.sampled_from(sorted(ACCOUNTS)), region=st.sampled_from(REGIONS))
    def create_key(self, account: str, region: str) -> KeyModel:
        metadata = _CLIENTS[(account, region)].create_key()["KeyMetadata"]
        assert metadata["KeyState"] == ENABLED
        key = KeyModel(account, region, metadata["KeyId"])
        self.models.append(key)
        return key

    @rule(key=keys)
    def enable_key(self, key: KeyModel) -> None:
        expected = state_error(key)
        assert outcome(lambda: key.client.enable_key(KeyId=key.key_id)) == expected
        if expected is None:
            key.state = ENABLED

    @rule(key=keys)
    def disable_key(self, key: KeyModel) -> None:
        expected = state_error(key)
        assert outcome(lambda: key.client.disable_key(KeyId=key.key_id)) == expected
        if expected is None:
            key.state = DISABLED

    @rule(key=keys, days=st.integers(7, 30))
    def schedule_key_deletion(self, key: KeyModel, days: int) -> None:
        expected = state_error(key)
        found: dict[str, Any] = {}

        def call() -> None:
            found.update(
                key.client.schedule_key_deletion(KeyId=key.key_id, PendingWindowInDays=days)
            )

        assert outcome(call) == expected
        if expected is None:
            key.state = PENDING
            key.deletion_date = found["DeletionDate"].timestamp()
            assert key.deletion_date >= self.kms.clock.now() + days * 86400 - 1

    @rule(key=keys)
    def cancel_key_deletion(self, key: KeyModel) -> None:
        if key.state == DELETED:
            expected: tuple[str, str] | None = state_error(key)
        elif key.state != PENDING:
            expected = ("KMSInvalidStateException", f"{key.arn} is not pending deletion.")
        else:
            expected = None
        assert outcome(lambda: key.client.cancel_key_deletion(KeyId=key.key_id)) == expected
        if expected is None:
            key.state, key.deletion_date = DISABLED, None

    @rule(days=st.integers(0, 40))
    def advance_clock(self, days: int) -> None:
        self.kms.clock.advance(days=days)
        now = self.kms.clock.now()
        for key in self.models:
            if key.state == PENDING and key.deletion_date is not None and key.deletion_date <= now:
                key.state = DELETED
                where = self.aliases[(key.account, key.region)]
                for name in [n for n, target in where.items() if target is key]:
                    del where[name]

    # Aliases ----------------------------------------------------------------------------

    @rule(key=keys, name=st.sampled_from(ALIASES))
    def create_alias(self, key: KeyModel, name: str) -> None:
        where = self.aliases[(key.account, key.region)]
        possible = set()
        if name in where:
            alias_arn = f"arn:aws:kms:{key.region}:{key.account}:{name}"
            possible.add(
                ("AlreadyExistsException", f"An alias with the name {alias_arn} already exists")
            )
        error = state_error(key)
        if error is not None:
            possible.add(error)
        found = outcome(lambda: key.client.create_alias(AliasName=name, TargetKeyId=key.key_id))
        if not possible:
            assert found is None
            where[name] = key
        else:
            assert found in possible

    @rule(key=keys, name=st.sampled_from(ALIASES))
    def update_alias(self, key: KeyModel, name: str) -> None:
        where = self.aliases[(key.account, key.region)]
        possible = set()
        if name not in where:
            alias_arn = f"arn:aws:kms:{key.region}:{key.account}:{name}"
            possible.add(("NotFoundException", f"Alias {alias_arn} is not found."))
        error = state_error(key)
        if error is not None:
            possible.add(error)
        found = outcome(lambda: key.client.update_alias(AliasName=name, TargetKeyId=key.key_id))
        if not possible:
            assert found is None
            where[name] = key
        else:
            assert found in possible

    @rule(
        account=st.sampled_from(sorted(ACCOUNTS)),
        region=st.sampled_from(REGIONS),
        name=st.sampled_from(ALIASES),
    )
    def delete_alias(self, account: str, region: str, name: str) -> None:
        where = self.aliases[(account, region)]
        alias_arn = f"arn:aws:kms:{region}:{account}:{name}"
        expected = (
            None if name in where else ("NotFoundException", f"Alias {alias_arn} is not found.")
        )
        assert outcome(lambda: _CLIENTS[(account, region)].delete_alias(AliasName=name)) == expected
        where.pop(name, None)

    # Tags, rotation, grants --------------------------------------------------------------

    @rule(key=keys, tag=st.sampled_from(["team", "stage"]), value=st.sampled_from(["a", "b"]))
    def tag_resource(self, key: KeyModel, tag: str, value: str) -> None:
        expected = state_error(key)
        tags = [{"TagKey": tag, "TagValue": value}]
        assert outcome(lambda: key.client.tag_resource(KeyId=key.key_id, Tags=tags)) == expected
        if expected is None:
            key.tags[tag] = value

    @rule(key=keys, tag=st.sampled_from(["team", "stage"]))
    def untag_resource(self, key: KeyModel, tag: str) -> None:
        expected = state_error(key)
        assert (
            outcome(lambda: key.client.untag_resource(KeyId=key.key_id, TagKeys=[tag])) == expected
        )
        if expected is None:
            key.tags.pop(tag, None)

    @rule(key=keys)
    def enable_key_rotation(self, key: KeyModel) -> None:
        expected = state_error(key, allowed_when_disabled=False)
        assert outcome(lambda: key.client.enable_key_rotation(KeyId=key.key_id)) == expected
        if expected is None:
            assert key.client.get_key_rotation_status(KeyId=key.key_id)["KeyRotationEnabled"]

    @rule(key=keys)
    def rotate_key_on_demand(self, key: KeyModel) -> None:
        expected = state_error(key, allowed_when_disabled=False)
        found = outcome(lambda: key.client.rotate_key_on_demand(KeyId=key.key_id))
        if expected is None and key.rotations >= 10:
            # AWS allows ten on-demand rotations per key.
            assert found is not None
            assert found[0] == "LimitExceededException"
            return
        assert found == expected
        if expected is None:
            key.rotations += 1

    @rule(key=keys)
    def create_grant(self, key: KeyModel) -> None:
        expected = state_error(key, allowed_when_disabled=False)
        found: dict[str, Any] = {}

        def call() -> None:
            found.update(
                key.client.create_grant(
                    KeyId=key.key_id,
                    GranteePrincipal=f"arn:aws:iam::{key.account}:role/app",
                    Operations=["Encrypt", "Decrypt"],
                )
            )

        assert outcome(call) == expected
        if expected is None:
            key.grants.append(found["GrantId"])

    @precondition(lambda self: any(key.grants for key in self.models))
    @rule(data=st.data())
    def revoke_grant(self, data: Any) -> None:
        key = data.draw(st.sampled_from([key for key in self.models if key.grants]))
        grant_id = data.draw(st.sampled_from(key.grants))
        expected = state_error(key) if key.state == DELETED else None
        found = outcome(lambda: key.client.revoke_grant(KeyId=key.key_id, GrantId=grant_id))
        assert found == expected
        key.grants.remove(grant_id)

    # Ciphertexts -------------------------------------------------------------------------

    @rule(target=ciphertexts, key=keys, plaintext=st.binary(min_size=1, max_size=32))
    def encrypt(self, key: KeyModel, plaintext: bytes) -> tuple[KeyModel, bytes, bytes]:
        expected = state_error(key, allowed_when_disabled=False)
        found: dict[str, Any] = {}

        def call() -> None:
            found.update(key.client.encrypt(KeyId=key.key_id, Plaintext=plaintext))

        assert outcome(call) == expected
        return key, found.get("CiphertextBlob", b""), plaintext

    @rule(sealed=ciphertexts)
    def decrypt(self, sealed: tuple[KeyModel, bytes, bytes]) -> None:
        key, blob, plaintext = sealed
        if not blob:
            return  # its Encrypt was refused
        found: dict[str, Any] = {}

        def call() -> None:
            found.update(key.client.decrypt(CiphertextBlob=blob))

        if key.state == DELETED:
            expected: tuple[str, str] | None = UNKNOWN_CIPHERTEXT_KEY
        else:
            expected = state_error(key, allowed_when_disabled=False)
        assert outcome(call) == expected
        if expected is None:
            assert found["Plaintext"] == plaintext
            assert found["KeyId"] == key.arn

    @rule(sealed=consumes(ciphertexts))
    def forget_ciphertext(self, sealed: tuple[KeyModel, bytes, bytes]) -> None:
        pass  # keeps the bundle small, so decrypt meets old and new ones alike

    # Invariants --------------------------------------------------------------------------

    @invariant()
    def keys_are_as_modelled(self) -> None:
        for (account, region), _ in _CLIENTS.items():
            views = {view.key_id: view for view in self.kms.keys(account_id=account, region=region)}
            modelled = {
                key.key_id: key
                for key in self.models
                if (key.account, key.region) == (account, region) and key.state != DELETED
            }
            # Deleted keys stay deleted; nothing else disappears.
            assert set(views) == set(modelled)
            aliases = self.aliases[(account, region)]
            for key_id, view in views.items():
                key = modelled[key_id]
                assert view.state == key.state
                assert view.tags == key.tags
                assert sorted(view.aliases) == sorted(n for n, k in aliases.items() if k is key)

    @invariant()
    def aliases_name_existing_keys(self) -> None:
        for (account, region), client in _CLIENTS.items():
            listed = client.list_aliases()["Aliases"]
            customer = {a["AliasName"]: a.get("TargetKeyId") for a in listed}
            customer = {n: t for n, t in customer.items() if not n.startswith("alias/aws/")}
            expected = {n: k.key_id for n, k in self.aliases[(account, region)].items()}
            assert customer == expected
            for target in customer.values():
                assert target is not None
                assert client.describe_key(KeyId=target)["KeyMetadata"]["KeyState"] != DELETED


LIFECYCLE = settings(
    max_examples=int(os.environ.get("KMSMOCK_FUZZ_EXAMPLES", "20")) // 2 + 1,
    stateful_step_count=25,
    deadline=None,
    database=None,
    # The suite's short profile draws the same examples every run, so that CI does not
    # fail at random; the long profile (KMSMOCK_FUZZ_EXAMPLES set) explores.
    derandomize="KMSMOCK_FUZZ_EXAMPLES" not in os.environ,
    suppress_health_check=list(HealthCheck),
)
KeyLifecycle.TestCase.settings = LIFECYCLE
test_key_lifecycle_follows_aws_rules = KeyLifecycle.TestCase
