"""Tags: CreateKey Tags, TagResource, UntagResource, ListResourceTags
(docs/kms-behaviour.md#tags)."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests._support import ACCOUNT, assert_valid_output, body, error, key_arn


def tags(*pairs: tuple[str, str]) -> list[dict[str, str]]:
    return [{"TagKey": k, "TagValue": v} for k, v in pairs]


def numbered(count: int, start: int = 0) -> list[dict[str, str]]:
    return tags(*((f"k{n:02d}", f"v{n:02d}") for n in range(start, start + count)))


def listed(client: Any, key_id: str) -> list[dict[str, str]]:
    response = client.list_resource_tags(KeyId=key_id)
    assert response["Truncated"] is False
    result: list[dict[str, str]] = response["Tags"]
    return result


# CreateKey Tags ---------------------------------------------------------------------


def test_create_key_tags_are_listed_in_order(client):
    given = tags(("team", "payments"), ("env", "prod"), ("cost-centre", ""))
    key_id = client.create_key(Tags=given)["KeyMetadata"]["KeyId"]
    response = client.list_resource_tags(KeyId=key_id)
    assert_valid_output("ListResourceTags", response)
    assert body(response) == {"Tags": given, "Truncated": False}


def test_create_key_50_tags_is_accepted(client):
    key_id = client.create_key(Tags=numbered(50))["KeyMetadata"]["KeyId"]
    assert listed(client, key_id) == numbered(50)


def test_create_key_51_tags_raises_tag_exception(client):
    with pytest.raises(ClientError) as info:
        client.create_key(Tags=numbered(51))
    assert error(info.value) == ("TagException", "Too many tags")
    assert client.list_keys()["Keys"] == []


def test_create_key_duplicate_tag_keys_raises_tag_exception(client):
    with pytest.raises(ClientError) as info:
        client.create_key(Tags=tags(("a", "1"), ("a", "2")))
    assert error(info.value) == ("TagException", "Duplicate tag keys")
    assert client.list_keys()["Keys"] == []


@pytest.mark.parametrize("name", ["aws:x", "AWS:x", "Aws:x", "aWs:"])
def test_create_key_reserved_tag_prefix_raises_tag_exception(client, name):
    with pytest.raises(ClientError) as info:
        client.create_key(Tags=tags((name, "v")))
    assert error(info.value) == ("TagException", "Tags beginning with aws: are reserved")
    assert client.list_keys()["Keys"] == []


def test_create_key_without_tags_lists_empty_tags(client, key_id):
    response = client.list_resource_tags(KeyId=key_id)
    assert body(response) == {"Tags": [], "Truncated": False}


# TagResource ------------------------------------------------------------------------


@pytest.mark.parametrize("form", ["id", "arn"])
def test_tag_resource_adds_tags(client, key_id, form):
    response = client.tag_resource(
        KeyId=key_id if form == "id" else key_arn(key_id), Tags=tags(("a", "1"), ("b", ""))
    )
    assert body(response) == {}
    assert listed(client, key_id) == tags(("a", "1"), ("b", ""))


def test_tag_resource_existing_key_value_replaced_in_place(client):
    key_id = client.create_key(Tags=tags(("a", "1"), ("b", "2"), ("c", "3")))["KeyMetadata"][
        "KeyId"
    ]
    client.tag_resource(KeyId=key_id, Tags=tags(("d", "4"), ("b", "20")))
    assert listed(client, key_id) == tags(("a", "1"), ("b", "20"), ("c", "3"), ("d", "4"))


def test_tag_resource_keys_are_case_sensitive(client, key_id):
    client.tag_resource(KeyId=key_id, Tags=tags(("Env", "1"), ("env", "2")))
    assert listed(client, key_id) == tags(("Env", "1"), ("env", "2"))


@pytest.mark.parametrize("name", ["aws", "awsome", "aws-x", "x:aws:", "aws_:"])
def test_tag_resource_key_resembling_aws_prefix_is_accepted(client, key_id, name):
    client.tag_resource(KeyId=key_id, Tags=tags((name, "v")))
    assert listed(client, key_id) == tags((name, "v"))


def test_tag_resource_duplicate_keys_in_one_request_raises_tag_exception(client, key_id):
    client.tag_resource(KeyId=key_id, Tags=tags(("a", "1")))
    with pytest.raises(ClientError) as info:
        client.tag_resource(KeyId=key_id, Tags=tags(("b", "1"), ("b", "2")))
    assert error(info.value) == ("TagException", "Duplicate tag keys")
    assert listed(client, key_id) == tags(("a", "1"))


@pytest.mark.parametrize("name", ["aws:x", "AWS:x", "aWs:team"])
def test_tag_resource_reserved_prefix_raises_tag_exception(client, key_id, name):
    client.tag_resource(KeyId=key_id, Tags=tags(("a", "1")))
    with pytest.raises(ClientError) as info:
        client.tag_resource(KeyId=key_id, Tags=tags(("a", "2"), (name, "v")))
    assert error(info.value) == ("TagException", "Tags beginning with aws: are reserved")
    assert listed(client, key_id) == tags(("a", "1"))


def test_tag_resource_up_to_50_tags_in_total_is_accepted(client):
    key_id = client.create_key(Tags=numbered(30))["KeyMetadata"]["KeyId"]
    client.tag_resource(KeyId=key_id, Tags=numbered(20, start=30))
    assert listed(client, key_id) == numbered(50)


def test_tag_resource_existing_plus_new_over_50_raises_tag_exception(client):
    key_id = client.create_key(Tags=numbered(30))["KeyMetadata"]["KeyId"]
    with pytest.raises(ClientError) as info:
        client.tag_resource(KeyId=key_id, Tags=numbered(21, start=30))
    assert error(info.value) == ("TagException", "Too many tags")
    assert listed(client, key_id) == numbered(30)


def test_tag_resource_replacing_values_at_50_tags_is_accepted(client):
    key_id = client.create_key(Tags=numbered(50))["KeyMetadata"]["KeyId"]
    client.tag_resource(KeyId=key_id, Tags=tags(("k00", "new"), ("k49", "new")))
    expected = numbered(50)
    expected[0]["TagValue"] = expected[49]["TagValue"] = "new"
    assert listed(client, key_id) == expected


def test_tag_resource_51_new_tags_raises_tag_exception(client, key_id):
    with pytest.raises(ClientError) as info:
        client.tag_resource(KeyId=key_id, Tags=numbered(51))
    assert error(info.value) == ("TagException", "Too many tags")
    assert listed(client, key_id) == []


def test_tag_resource_tag_key_of_129_characters_raises_validation(client, key_id):
    name = "k" * 129
    with pytest.raises(ClientError) as info:
        client.tag_resource(KeyId=key_id, Tags=tags((name, "v")))
    assert error(info.value) == (
        "ValidationException",
        f"1 validation error detected: Value '{name}' at 'tags.1.member.tagKey' failed to "
        "satisfy constraint: Member must have length less than or equal to 128",
    )
    assert listed(client, key_id) == []


def test_tag_resource_tag_key_of_128_characters_is_accepted(client, key_id):
    client.tag_resource(KeyId=key_id, Tags=tags(("k" * 128, "v")))
    assert listed(client, key_id) == tags(("k" * 128, "v"))


def test_tag_resource_second_tag_too_long_names_its_position(client, key_id):
    name = "k" * 129
    with pytest.raises(ClientError) as info:
        client.tag_resource(KeyId=key_id, Tags=tags(("ok", "v"), (name, "v")))
    assert error(info.value) == (
        "ValidationException",
        f"1 validation error detected: Value '{name}' at 'tags.2.member.tagKey' failed to "
        "satisfy constraint: Member must have length less than or equal to 128",
    )


def test_tag_resource_tag_value_of_257_characters_raises_validation(client, key_id):
    value = "v" * 257
    with pytest.raises(ClientError) as info:
        client.tag_resource(KeyId=key_id, Tags=tags(("ok", value)))
    assert error(info.value) == (
        "ValidationException",
        f"1 validation error detected: Value '{value}' at 'tags.1.member.tagValue' failed to "
        "satisfy constraint: Member must have length less than or equal to 256",
    )


def test_tag_resource_pending_deletion_raises_invalid_state(client, key_id):
    client.tag_resource(KeyId=key_id, Tags=tags(("a", "1")))
    client.schedule_key_deletion(KeyId=key_id)
    with pytest.raises(ClientError) as info:
        client.tag_resource(KeyId=key_id, Tags=tags(("b", "2")))
    assert error(info.value) == (
        "KMSInvalidStateException",
        f"{key_arn(key_id)} is pending deletion.",
    )
    assert listed(client, key_id) == tags(("a", "1"))


def test_tag_resource_disabled_key_is_tagged(client, key_id):
    client.disable_key(KeyId=key_id)
    client.tag_resource(KeyId=key_id, Tags=tags(("a", "1")))
    assert listed(client, key_id) == tags(("a", "1"))


def test_tag_resource_alias_name_raises_not_found(client, key_id):
    client.create_alias(AliasName="alias/app", TargetKeyId=key_id)
    with pytest.raises(ClientError) as info:
        client.tag_resource(KeyId="alias/app", Tags=tags(("a", "1")))
    assert error(info.value) == ("NotFoundException", "Invalid keyId 'alias/app'")
    assert listed(client, key_id) == []


# UntagResource ----------------------------------------------------------------------


@pytest.mark.parametrize("form", ["id", "arn"])
def test_untag_resource_removes_tags_and_keeps_order(client, form):
    key_id = client.create_key(Tags=tags(("a", "1"), ("b", "2"), ("c", "3"), ("d", "4")))[
        "KeyMetadata"
    ]["KeyId"]
    response = client.untag_resource(
        KeyId=key_id if form == "id" else key_arn(key_id), TagKeys=["c", "a"]
    )
    assert body(response) == {}
    assert listed(client, key_id) == tags(("b", "2"), ("d", "4"))


def test_untag_resource_unknown_tag_key_is_ignored(client):
    key_id = client.create_key(Tags=tags(("a", "1")))["KeyMetadata"]["KeyId"]
    client.untag_resource(KeyId=key_id, TagKeys=["missing", "A"])
    assert listed(client, key_id) == tags(("a", "1"))


def test_untag_resource_key_without_tags_is_accepted(client, key_id):
    client.untag_resource(KeyId=key_id, TagKeys=["missing"])
    assert listed(client, key_id) == []


def test_untag_resource_last_tag_leaves_empty_list(client):
    key_id = client.create_key(Tags=tags(("a", "1")))["KeyMetadata"]["KeyId"]
    client.untag_resource(KeyId=key_id, TagKeys=["a"])
    assert listed(client, key_id) == []
    client.tag_resource(KeyId=key_id, Tags=tags(("b", "2")))
    assert listed(client, key_id) == tags(("b", "2"))


def test_untag_resource_then_retag_appends_at_end(client):
    key_id = client.create_key(Tags=tags(("a", "1"), ("b", "2")))["KeyMetadata"]["KeyId"]
    client.untag_resource(KeyId=key_id, TagKeys=["a"])
    client.tag_resource(KeyId=key_id, Tags=tags(("a", "3")))
    assert listed(client, key_id) == tags(("b", "2"), ("a", "3"))


def test_untag_resource_tag_key_of_129_characters_raises_validation(client, key_id):
    name = "k" * 129
    with pytest.raises(ClientError) as info:
        client.untag_resource(KeyId=key_id, TagKeys=[name])
    assert error(info.value) == (
        "ValidationException",
        f"1 validation error detected: Value '{name}' at 'tagKeys.1.member' failed to "
        "satisfy constraint: Member must have length less than or equal to 128",
    )


def test_untag_resource_pending_deletion_raises_invalid_state(client):
    key_id = client.create_key(Tags=tags(("a", "1")))["KeyMetadata"]["KeyId"]
    client.schedule_key_deletion(KeyId=key_id)
    with pytest.raises(ClientError) as info:
        client.untag_resource(KeyId=key_id, TagKeys=["a"])
    assert error(info.value) == (
        "KMSInvalidStateException",
        f"{key_arn(key_id)} is pending deletion.",
    )
    assert listed(client, key_id) == tags(("a", "1"))


def test_untag_resource_aws_managed_key_raises_access_denied(client):
    key_id = client.describe_key(KeyId="alias/aws/s3")["KeyMetadata"]["KeyId"]
    with pytest.raises(ClientError) as info:
        client.untag_resource(KeyId=key_id, TagKeys=["a"])
    assert error(info.value) == (
        "AccessDeniedException",
        f"User: arn:aws:iam::{ACCOUNT}:root is not authorized to perform: kms:UntagResource "
        f"on resource: {key_arn(key_id)} because no resource-based policy allows the "
        "kms:UntagResource action",
    )


# ListResourceTags -------------------------------------------------------------------


def test_list_resource_tags_pending_deletion_key_is_answered(client):
    key_id = client.create_key(Tags=tags(("a", "1")))["KeyMetadata"]["KeyId"]
    client.schedule_key_deletion(KeyId=key_id)
    assert listed(client, key_id) == tags(("a", "1"))


def test_list_resource_tags_unknown_key_raises_not_found(client):
    unknown = "1234abcd-12ab-34cd-56ef-1234567890ab"
    with pytest.raises(ClientError) as info:
        client.list_resource_tags(KeyId=unknown)
    assert error(info.value) == ("NotFoundException", f"Key '{key_arn(unknown)}' does not exist")


def test_list_resource_tags_alias_name_raises_not_found(client, key_id):
    client.create_alias(AliasName="alias/app", TargetKeyId=key_id)
    with pytest.raises(ClientError) as info:
        client.list_resource_tags(KeyId="alias/app")
    assert error(info.value) == ("NotFoundException", "Invalid keyId 'alias/app'")


@pytest.mark.parametrize("limit", range(1, 51))
def test_list_resource_tags_limit_pages_through_every_tag(client, limit):
    key_id = client.create_key(Tags=numbered(50))["KeyMetadata"]["KeyId"]
    seen: list[dict[str, str]] = []
    params: dict[str, Any] = {"KeyId": key_id, "Limit": limit}
    while True:
        page = client.list_resource_tags(**params)
        assert_valid_output("ListResourceTags", page)
        seen.extend(page["Tags"])
        if not page["Truncated"]:
            assert "NextMarker" not in page
            assert 1 <= len(page["Tags"]) <= limit
            break
        assert len(page["Tags"]) == limit
        params["Marker"] = page["NextMarker"]
    assert seen == numbered(50)


def test_list_resource_tags_paginator_collects_every_tag(client):
    key_id = client.create_key(Tags=numbered(12))["KeyMetadata"]["KeyId"]
    pages = list(
        client.get_paginator("list_resource_tags").paginate(
            KeyId=key_id, PaginationConfig={"PageSize": 5}
        )
    )
    assert [len(p["Tags"]) for p in pages] == [5, 5, 2]
    assert [t for p in pages for t in p["Tags"]] == numbered(12)


def test_list_resource_tags_invalid_marker_raises_invalid_marker(client, key_id):
    with pytest.raises(ClientError) as info:
        client.list_resource_tags(KeyId=key_id, Marker="bogus")
    assert error(info.value) == ("InvalidMarkerException", "Invalid marker: bogus")
