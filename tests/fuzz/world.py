"""A world for the fuzzer to aim at: keys of every kind and state, aliases, grants, key
policies, a custom key store, another account and another Region; and a snapshot of the
mock's whole state, to show that a refused request changed nothing."""

from __future__ import annotations

import copy
import dataclasses
import enum
import json
from dataclasses import dataclass, field
from typing import Any

import boto3

from kmsmock import KmsMock
from tests._support import ACCOUNT, OTHER_ACCOUNT, REGION

OTHER_ACCESS_KEY = "AKIAFUZZOTHERACCOUNT"
OTHER_REGION = "us-west-2"

# Signing, MAC, agreement and encryption algorithms tried on every key, whatever it is.
SIGNING = ["RSASSA_PSS_SHA_256", "ECDSA_SHA_256", "ML_DSA_SHAKE_256", "SM2DSA"]
MAC = ["HMAC_SHA_256", "HMAC_SHA_512"]


@dataclass
class World:
    """What the fuzzer draws identifiers and blobs from."""

    key_ids: list[str] = field(default_factory=list)
    identifiers: list[str] = field(default_factory=list)  # every KeyId form, good and bad
    alias_names: list[str] = field(default_factory=list)
    grant_ids: list[str] = field(default_factory=list)
    grant_tokens: list[str] = field(default_factory=list)
    ciphertexts: list[bytes] = field(default_factory=list)
    signatures: list[bytes] = field(default_factory=list)
    public_keys: list[bytes] = field(default_factory=list)
    store_ids: list[str] = field(default_factory=list)
    principals: list[str] = field(default_factory=list)
    policies: list[str] = field(default_factory=list)


def _policy(*principals: str) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "fuzz",
                    "Effect": "Allow",
                    "Principal": {"AWS": list(principals)},
                    "Action": "kms:*",
                    "Resource": "*",
                }
            ],
        }
    )


def build(kms: KmsMock, session: boto3.session.Session) -> World:
    """Fill ``kms`` with one of each kind of thing a request can name."""
    world = World()
    client = session.client("kms", region_name=REGION)
    kms.identities.add(OTHER_ACCESS_KEY, account_id=OTHER_ACCOUNT)
    other = session.client(
        "kms",
        region_name=REGION,
        aws_access_key_id=OTHER_ACCESS_KEY,
        aws_secret_access_key="fuzz",
    )

    def key(**kwargs: Any) -> str:
        key_id: str = client.create_key(**kwargs)["KeyMetadata"]["KeyId"]
        world.key_ids.append(key_id)
        return key_id

    symmetric = key(Description="symmetric")
    client.create_alias(AliasName="alias/fuzz", TargetKeyId=symmetric)
    disabled = key(Description="disabled")
    client.disable_key(KeyId=disabled)
    pending = key(Description="pending deletion")
    client.schedule_key_deletion(KeyId=pending, PendingWindowInDays=30)
    rsa = key(KeySpec="RSA_2048", KeyUsage="ENCRYPT_DECRYPT")
    signer = key(KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")
    key(KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")
    agreement = key(KeySpec="ECC_NIST_P256", KeyUsage="KEY_AGREEMENT")
    hmac = key(KeySpec="HMAC_256", KeyUsage="GENERATE_VERIFY_MAC")
    key(Origin="EXTERNAL", Description="awaiting import")
    primary = key(MultiRegion=True)
    client.replicate_key(KeyId=primary, ReplicaRegion=OTHER_REGION)
    client.enable_key_rotation(KeyId=symmetric)
    client.create_alias(AliasName="alias/fuzz-hmac", TargetKeyId=hmac)
    client.tag_resource(KeyId=symmetric, Tags=[{"TagKey": "team", "TagValue": "fuzz"}])
    root = f"arn:aws:iam::{ACCOUNT}:root"
    other_root = f"arn:aws:iam::{OTHER_ACCOUNT}:root"
    world.principals = [root, other_root, f"arn:aws:iam::{ACCOUNT}:role/app", "*"]
    shared = key(Policy=_policy(root, other_root), Description="shared with the other account")
    for target in (symmetric, shared):
        grant = client.create_grant(
            KeyId=target,
            GranteePrincipal=other_root,
            RetiringPrincipal=root,
            Operations=["Encrypt", "Decrypt", "RetireGrant"],
        )
        world.grant_ids.append(grant["GrantId"])
        world.grant_tokens.append(grant["GrantToken"])

    foreign = other.create_key(Policy=_policy(root, other_root))["KeyMetadata"]
    foreign_alias = "alias/fuzz-foreign"
    other.create_alias(AliasName=foreign_alias, TargetKeyId=foreign["KeyId"])

    store = client.create_custom_key_store(
        CustomKeyStoreName="fuzz-store",
        CloudHsmClusterId="cluster-234abcdefgh",
        TrustAnchorCertificate="-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
        KeyStorePassword="kmsuser-password",
    )
    world.store_ids = [store["CustomKeyStoreId"], "cks-1234567890abcdef0"]

    for target in (symmetric, "alias/fuzz", primary):
        world.ciphertexts.append(
            client.encrypt(KeyId=target, Plaintext=b"fuzz", EncryptionContext={"k": "v"})[
                "CiphertextBlob"
            ]
        )
    world.ciphertexts.append(
        client.encrypt(KeyId=rsa, Plaintext=b"fuzz", EncryptionAlgorithm="RSAES_OAEP_SHA_256")[
            "CiphertextBlob"
        ]
    )
    world.signatures.append(
        client.sign(KeyId=signer, Message=b"fuzz", SigningAlgorithm="ECDSA_SHA_256")["Signature"]
    )
    world.signatures.append(
        client.generate_mac(KeyId=hmac, Message=b"fuzz", MacAlgorithm="HMAC_SHA_256")["Mac"]
    )
    for public in (signer, agreement, rsa):
        world.public_keys.append(client.get_public_key(KeyId=public)["PublicKey"])

    world.alias_names = ["alias/fuzz", "alias/fuzz-hmac", "alias/aws/s3", "alias/missing"]
    arn = f"arn:aws:kms:{REGION}:{ACCOUNT}"
    foreign_arn = f"arn:aws:kms:{REGION}:{OTHER_ACCOUNT}"
    world.identifiers = [
        *world.key_ids,
        *(f"{arn}:key/{k}" for k in world.key_ids),
        *world.alias_names,
        f"{arn}:alias/fuzz",
        f"{foreign_arn}:key/{foreign['KeyId']}",
        f"{foreign_arn}:{foreign_alias}",
        foreign["KeyId"],  # another account's key by bare ID: not found here
        f"arn:aws:kms:{OTHER_REGION}:{ACCOUNT}:key/{primary}",
        f"{arn}:nothing",  # a malformed ARN
        "arn:aws:kms:::key/",
        "1234abcd-12ab-34cd-56ef-1234567890ab",  # well formed, unknown
        "mrk-1234abcd12ab34cd56ef1234567890ab",
        symmetric.upper(),
    ]
    world.policies = [
        # Nested past any recursion limit (hypothesis raises the interpreter's while it
        # runs), yet under the 32 KB a policy may have. First: hypothesis favours early
        # entries of a list.
        "[" * 16000 + "]" * 16000,
        '{"":' * 6000 + "1" + "}" * 6000,
        json.dumps(
            {
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": "*",
                        "Action": "kms:*",
                        "Resource": "*",
                        "Condition": {"Null": {"kms:EncryptionContextKeys": []}},
                    }
                ]
            }
        ),
        _policy(root),
        _policy(other_root),
        _policy("arn:aws:iam::999999999999:role/missing-role-that-does-not-exist-here"),
        "not json",
        json.dumps({"Statement": []}),
        "{}",
    ]
    return world


# Snapshots -----------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    """``value`` as plain data to compare: dataclasses by field, containers by content."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: _plain(getattr(value, f.name))
            for f in dataclasses.fields(value)
            # Key material made on first use: not state a caller can see.
            if f.name != "secret"
        }
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dict):
        return {_plain(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_plain(item) for item in value]
    if value is None or isinstance(value, (str, bytes, int, float, bool)):
        return value
    return type(value).__name__


def snapshot(kms: KmsMock) -> Any:
    """Everything the mock holds, every account and Region, as plain data."""
    backend = kms.backend
    with backend.lock:
        backend.settle()
        return {
            (state.account, state.region): _plain(state)
            for state in backend.account_regions()
            if state.keys or state.aliases or state.custom_key_stores
        }


# Saving and restoring ------------------------------------------------------------------


def _keep_shared(value: Any, memo: dict[int, Any]) -> None:
    """Note in ``memo`` every object deepcopy must not copy (key objects of the crypto
    library, which cannot be copied and never change)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            _keep_shared(getattr(value, f.name), memo)
    elif isinstance(value, dict):
        for item in value.values():
            _keep_shared(item, memo)
    elif isinstance(value, (list, tuple, set, frozenset)):
        for item in value:
            _keep_shared(item, memo)
    elif not (value is None or isinstance(value, (str, bytes, int, float, bool, enum.Enum))):
        memo[id(value)] = value


def save(kms: KmsMock) -> Any:
    """The mock's keys, aliases, stores and grant tokens, to put back with ``restore``."""
    backend = kms.backend
    with backend.lock:
        held = (backend._states, backend.grant_tokens)
        memo: dict[int, Any] = {}
        _keep_shared(held, memo)
        return copy.deepcopy(held, memo), memo


def restore(kms: KmsMock, saved: Any) -> None:
    """Put back what ``save`` took, so that every example starts from the same world."""
    (states, tokens), memo = saved
    backend = kms.backend
    with backend.lock:
        backend._states, backend.grant_tokens = copy.deepcopy((states, tokens), dict(memo))


def without_new_aws_managed_keys(after: Any, before: Any) -> Any:
    """``after`` without the AWS managed keys (and their aliases) a request created.

    KMS creates an AWS managed key when a request first names its alias/aws/ alias, as
    it resolves the key, whatever the request's outcome.
    """
    kept = {}
    for where, state in after.items():
        old = before.get(where, {"keys": {}, "aliases": {}, "created": 0})
        new_keys = {
            key_id
            for key_id, key in state["keys"].items()
            if key_id not in old["keys"] and key["key_manager"] == "AWS"
        }
        if not new_keys:
            kept[where] = state
            continue
        trimmed = dict(state)
        trimmed["keys"] = {k: v for k, v in state["keys"].items() if k not in new_keys}
        trimmed["aliases"] = {
            name: alias
            for name, alias in state["aliases"].items()
            if alias["target_key_id"] not in new_keys
        }
        trimmed["created"] = old["created"]
        # The indexes that keep list pages cheap name the new key and alias too.
        if "key_order" in state:
            trimmed["key_order"] = [k for k in state["key_order"] if k["key_id"] not in new_keys]
        if "aliases_by_key" in state:
            trimmed["aliases_by_key"] = {
                k: v for k, v in state["aliases_by_key"].items() if k not in new_keys
            }
        if "alias_names" in state:
            trimmed["alias_names"] = [n for n in state["alias_names"] if n in trimmed["aliases"]]
        if trimmed["keys"] or trimmed["aliases"] or where in before:
            kept[where] = trimmed
    return kept
