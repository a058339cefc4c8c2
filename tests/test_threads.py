"""Many threads share one patch and one backend (responses' test_multithreading.py)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import boto3
import pytest

from tests._support import REGION

THREADS = 8
CALLS = 500


def _work(client: Any, calls: int) -> list[str]:
    """Mixed calls; returns the IDs of the keys this worker created."""
    created: list[str] = []
    for i in range(calls):
        step = i % 4
        if step == 0:
            created.append(client.create_key()["KeyMetadata"]["KeyId"])
        elif step == 1:
            metadata = client.describe_key(KeyId=created[-1])["KeyMetadata"]
            assert metadata["KeyId"] == created[-1]
            assert metadata["KeyState"] == "Enabled"
        elif step == 2:
            assert len(client.generate_random(NumberOfBytes=32)["Plaintext"]) == 32
        else:
            page = client.list_keys(Limit=5)
            assert len(page["Keys"]) == 5 or not page["Truncated"]
    return created


def _all_key_ids(client: Any) -> list[str]:
    paginator = client.get_paginator("list_keys")
    return [k["KeyId"] for page in paginator.paginate() for k in page["Keys"]]


@pytest.mark.parametrize("shared_client", [True, False], ids=["one-client", "client-per-thread"])
def test_create_key_many_threads_final_key_count_consistent(kms_mock, shared_client):
    # Clients are built up front: creating clients is not thread-safe in boto3.
    shared = boto3.client("kms", region_name=REGION)
    clients = [
        shared if shared_client else boto3.client("kms", region_name=REGION) for _ in range(THREADS)
    ]
    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        futures = [pool.submit(_work, client, CALLS) for client in clients]
        created = [key_id for future in futures for key_id in future.result()]
    assert len(created) == THREADS * CALLS // 4
    assert len(set(created)) == len(created)
    listed = _all_key_ids(shared)
    assert sorted(listed) == sorted(created)
