"""Keys with known IDs and key material, ``kms.seed_key()``: fixtures a test can rely on.

As local-kms's seed file and LocalStack's custom key material allow: a key whose ID,
material and aliases are fixed by the test, so that ciphertext, signatures and MACs are
reproducible across runs and checkable with the test's own copy of the material.
"""

from __future__ import annotations

import re
from typing import Any

from kmsmock.crypto.extras import MissingExtra
from kmsmock.crypto.specs import ENCRYPT_DECRYPT, KEY_SPECS, available
from kmsmock.errors import ExtraNotInstalledError
from kmsmock.state.backend import Alias, KmsBackend
from kmsmock.state.identities import check_account_id
from kmsmock.state.ids import KEY_ID_PATTERN, partition_of
from kmsmock.state.imported import material_id, symmetric_length
from kmsmock.state.keys import Key, KeyState
from kmsmock.state.tags import merged_tags
from kmsmock.wire.aws_errors import AwsError

_ALIAS_NAME = re.compile(r"alias/[a-zA-Z0-9/_-]+")


def seed_key(
    backend: KmsBackend,
    *,
    key_id: str,
    material: bytes,
    account: str,
    region: str,
    key_spec: str,
    key_usage: str | None,
    description: str,
    aliases: tuple[str, ...],
    tags: dict[str, str],
) -> Key:
    """Create an Enabled key from the caller's ID and material; refuse what KMS could not
    hold with ValueError, changing nothing."""
    _check_types(
        key_id=key_id,
        material=material,
        account=account,
        region=region,
        description=description,
        tags=tags,
    )
    spec = KEY_SPECS.get(key_spec)
    if spec is None:
        raise ValueError(f"unknown key spec {key_spec!r}")
    usage = key_usage or (ENCRYPT_DECRYPT if spec.symmetric else None)
    if usage is None or usage not in spec.algorithms:
        raise ValueError(f"key_usage must be one of {sorted(spec.algorithms)} for {key_spec}")
    if not available(spec, partition_of(region) == "aws-cn"):
        where = "only in" if spec.china_only else "in every Region but"
        raise ValueError(f"{key_spec} keys exist {where} China's Regions")
    if KEY_ID_PATTERN.fullmatch(key_id) is None or key_id != key_id.lower():
        raise ValueError(f"key_id must be a lowercase key ID (a UUID), got {key_id!r}")
    state = backend.account_region(account, region)
    if key_id in state.keys:
        raise ValueError(f"a key {key_id} already exists in {account}/{region}")
    if key_id.startswith("mrk-"):
        # The Regions of one multi-Region key share its ID; a second seeded primary
        # would be an unrelated key that ReplicateKey or UpdatePrimaryRegion confuse.
        for other in backend.account_regions():
            if other.account == account and key_id in other.keys:
                raise ValueError(
                    f"the multi-Region key {key_id} already exists in {account}/"
                    f"{other.region}; seed it once and call ReplicateKey for its replicas"
                )
    for name in aliases:
        if not _ALIAS_NAME.fullmatch(name) or name.startswith("alias/aws/"):
            raise ValueError(f"{name!r} is not an alias name a customer can create")
        if name in state.aliases:
            raise ValueError(f"alias {name} already exists in {account}/{region}")
    try:
        secret, materials, current = _material(key_spec, spec.symmetric, key_id, material, region)
    except MissingExtra as missing:
        raise ExtraNotInstalledError(
            "seed_key", missing.feature, missing.extra, missing.package
        ) from None
    try:
        tag_map = merged_tags(None, [{"TagKey": k, "TagValue": v} for k, v in tags.items()])
    except AwsError as error:
        raise ValueError(error.message) from None
    now = backend.clock.now()
    key = Key(
        key_id=key_id,
        account=account,
        region=region,
        spec=spec,
        usage=usage,
        origin="AWS_KMS",
        description=description,
        created=now,
        state=KeyState.ENABLED,
        multi_region=key_id.startswith("mrk-"),
        tags=tag_map or None,
        material_id=current,
    )
    key.materials, key.secret = materials, secret
    state.add_key(key)
    for name in aliases:
        state.add_alias(Alias(name, key_id, now, now))
    return key


def _material(
    key_spec: str, symmetric: bool, key_id: str, material: bytes, region: str
) -> tuple[Any, dict[str, bytes | None] | None, str | None]:
    """(secret, materials, current material ID) of a seeded key."""
    if symmetric:
        size = symmetric_length(region)
        if len(material) != size:
            raise ValueError(f"symmetric key material is {size} bytes, got {len(material)}")
        # Fixed by the key ID and the bytes, so a seeded key's ciphertext is the same
        # key material ID in every run (docs/kms-behaviour.md#key-material-ids).
        found = material_id(key_id, material)
        return None, {found: material}, found
    from kmsmock.crypto.unwrap import load_material  # loaded when a seed needs it

    secret = load_material(key_spec, material)
    if secret is None:
        what = (
            "an HMAC key of the spec's lengths"
            if key_spec.startswith("HMAC")
            else ("a DER PKCS#8 private key of the spec")
        )
        raise ValueError(f"material for {key_spec} must be {what}")
    return secret, None, None


_REGION = re.compile(r"[a-z]{2}(?:-[a-z]+)+-\d+")


def _check_types(
    *,
    key_id: object,
    material: object,
    account: object,
    region: object,
    description: object,
    tags: dict[Any, Any],
) -> None:
    """Refuse arguments of the wrong kind before anything reads them."""
    if not isinstance(key_id, str):
        raise TypeError(f"key_id must be a string, got {key_id!r}")
    if not isinstance(material, bytes):
        raise TypeError(f"material must be bytes, got {type(material).__name__}")
    check_account_id(account)
    if not isinstance(region, str) or not _REGION.fullmatch(region):
        raise ValueError(f"region must be an AWS Region name such as us-east-1, got {region!r}")
    if not isinstance(description, str) or len(description) > 8192:
        raise ValueError("description must be a string of at most 8192 characters")
    for name, value in tags.items():
        if not isinstance(name, str) or not isinstance(value, str):
            raise TypeError(f"tags must map strings to strings, got {name!r}: {value!r}")
