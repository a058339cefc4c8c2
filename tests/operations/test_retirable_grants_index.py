"""ListRetirableGrants pages from an index of grants by retiring principal: the pages
stay exact while grants are created, retired and revoked and keys are deleted between
pages, and after a state file is loaded (#12)."""

from __future__ import annotations

import json
from typing import Any

from kmsmock.state import persist
from tests._support import ACCOUNT

GRANTEE = f"arn:aws:iam::{ACCOUNT}:role/grantee"
RETIRER = f"arn:aws:iam::{ACCOUNT}:role/retirer"
OTHER_RETIRER = f"arn:aws:iam::{ACCOUNT}:role/other-retirer"


def grant(client: Any, key_id: str, retiring: str) -> str:
    grant_id: str = client.create_grant(
        KeyId=key_id,
        GranteePrincipal=GRANTEE,
        RetiringPrincipal=retiring,
        Operations=["Encrypt"],
    )["GrantId"]
    return grant_id


def all_pages(client: Any, principal: str, limit: int) -> list[str]:
    """Every page of ListRetirableGrants, checking each page's size and markers."""
    found: list[str] = []
    params: dict[str, Any] = {"RetiringPrincipal": principal, "Limit": limit}
    while True:
        response = client.list_retirable_grants(**params)
        found += [entry["GrantId"] for entry in response["Grants"]]
        if not response["Truncated"]:
            assert "NextMarker" not in response
            return found
        assert len(response["Grants"]) == limit
        params["Marker"] = response["NextMarker"]


def keys_with_grants(client: Any, count: int) -> list[tuple[str, list[str]]]:
    """``count`` keys, each with two grants RETIRER may retire and one for OTHER_RETIRER,
    created key after key so that creation order interleaves the keys."""
    keys = [client.create_key()["KeyMetadata"]["KeyId"] for _ in range(count)]
    made: dict[str, list[str]] = {key_id: [] for key_id in keys}
    for _ in range(2):
        for key_id in keys:
            made[key_id].append(grant(client, key_id, RETIRER))
            grant(client, key_id, OTHER_RETIRER)
    return [(key_id, made[key_id]) for key_id in keys]


def in_creation_order(keys: list[tuple[str, list[str]]], *, live: set[str]) -> list[str]:
    count = len(keys)
    return [keys[i % count][1][i // count] for i in range(2 * count) if keys[i % count][0] in live]


def test_list_retirable_grants_many_keys_with_deletions_between_pages_lists_live_grants(
    client, kms_mock
):
    keys = keys_with_grants(client, 30)
    live = {key_id for key_id, _ in keys}
    expected = in_creation_order(keys, live=live)
    assert all_pages(client, RETIRER, 7) == expected
    # Delete some keys while a listing is part way through: the next page starts at the
    # grant its marker names and skips the deleted keys' grants.
    first = client.list_retirable_grants(RetiringPrincipal=RETIRER, Limit=10)
    doomed = [key_id for key_id, _ in keys[::3]]
    for key_id in doomed:
        client.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    kms_mock.clock.advance(days=8)
    live -= set(doomed)
    rest: list[str] = []
    params: dict[str, Any] = {"RetiringPrincipal": RETIRER, "Limit": 10}
    params["Marker"] = first["NextMarker"]
    while True:
        response = client.list_retirable_grants(**params)
        rest += [entry["GrantId"] for entry in response["Grants"]]
        if not response["Truncated"]:
            break
        params["Marker"] = response["NextMarker"]
    after = in_creation_order(keys, live=live)
    assert rest == [grant_id for grant_id in after if expected.index(grant_id) >= 10]
    assert all_pages(client, RETIRER, 4) == after
    assert len(all_pages(client, OTHER_RETIRER, 100)) == 2 * len(live)


def test_list_retirable_grants_follows_retire_revoke_and_key_deletion(client, kms_mock):
    keys = keys_with_grants(client, 4)
    (key_a, grants_a), (key_b, grants_b), (key_c, grants_c), (_, grants_d) = keys
    client.retire_grant(KeyId=key_a, GrantId=grants_a[0])
    client.revoke_grant(KeyId=key_b, GrantId=grants_b[1])
    client.schedule_key_deletion(KeyId=key_c, PendingWindowInDays=7)
    # A key pending deletion still has its grants.
    assert all_pages(client, RETIRER, 2) == [
        grants_b[0],
        grants_c[0],
        grants_d[0],
        grants_a[1],
        grants_c[1],
        grants_d[1],
    ]
    kms_mock.clock.advance(days=8)
    expected = [grants_b[0], grants_d[0], grants_a[1], grants_d[1]]
    assert all_pages(client, RETIRER, 3) == expected
    # A new grant comes last; a retired one never comes back.
    newest = grant(client, key_a, RETIRER)
    assert all_pages(client, RETIRER, 50) == [*expected, newest]


def test_list_retirable_grants_after_state_file_load_pages_as_before(client, kms_mock):
    keys = keys_with_grants(client, 5)
    client.revoke_grant(KeyId=keys[2][0], GrantId=keys[2][1][0])
    before = all_pages(client, RETIRER, 3)
    document = json.loads(json.dumps(persist.dump(kms_mock.backend)))
    persist.load(kms_mock.backend, document)
    assert all_pages(client, RETIRER, 3) == before
    assert len(before) == 9
    client.retire_grant(KeyId=keys[0][0], GrantId=keys[0][1][1])
    assert all_pages(client, RETIRER, 4) == [g for g in before if g != keys[0][1][1]]
