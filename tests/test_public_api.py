"""The public names: what a test or helper annotates is importable from ``kmsmock``."""

from __future__ import annotations

import boto3
import pytest

import kmsmock
from kmsmock import (
    Call,
    CallJournal,
    Clock,
    Faults,
    Identities,
    KeyView,
    KmsMock,
    mock_kms,
)


def _last_call(kms: KmsMock) -> Call:
    # A helper as users write one: annotated with the public names only.
    journal: CallJournal = kms.calls
    return journal[-1]


def test_public_names_all_importable_from_kmsmock():
    namespace: dict[str, object] = {}
    exec("from kmsmock import *", namespace)
    assert sorted(name for name in namespace if name != "__builtins__") == sorted(kmsmock.__all__)
    for name in kmsmock.__all__:
        assert getattr(kmsmock, name) is namespace[name]
    assert set(kmsmock.__all__) <= set(dir(kmsmock))


def test_public_names_unknown_name_raises_attribute_error():
    with pytest.raises(AttributeError, match="module 'kmsmock' has no attribute 'Key'"):
        _ = kmsmock.Key  # type: ignore[attr-defined]


def test_public_names_are_the_types_of_the_handle_members():
    with mock_kms(seed=1) as kms:
        assert isinstance(kms, KmsMock)
        client = boto3.client("kms")
        key_id = client.create_key(Description="annotated")["KeyMetadata"]["KeyId"]
        call = _last_call(kms)
        assert isinstance(call, Call)
        assert (call.operation, call.ok) == ("CreateKey", True)
        assert isinstance(kms.calls, CallJournal)
        assert isinstance(kms.clock, Clock)
        assert isinstance(kms.faults, Faults)
        assert isinstance(kms.identities, Identities)
        (view,) = kms.keys()
        assert isinstance(view, KeyView)
        assert (view.key_id, view.description) == (key_id, "annotated")
        seeded = kms.seed_key("1234abcd-12ab-34cd-56ef-1234567890ab", bytes(32))
        assert isinstance(seeded, KeyView)
