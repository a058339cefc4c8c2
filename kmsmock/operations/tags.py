"""Tags: TagResource, UntagResource, ListResourceTags."""

from __future__ import annotations

from kmsmock.operations._paging import paginate, sequence_order
from kmsmock.operations._registry import Params, Result, handles
from kmsmock.state.context import RequestContext
from kmsmock.state.tags import merged_tags


@handles("TagResource")
def tag_resource(ctx: RequestContext, params: Params) -> Result:
    """https://docs.aws.amazon.com/kms/latest/APIReference/API_TagResource.html"""
    key = ctx.key(params["KeyId"])
    key.tags = merged_tags(key.tags, params["Tags"])
    return {}


@handles("UntagResource")
def untag_resource(ctx: RequestContext, params: Params) -> Result:
    """https://docs.aws.amazon.com/kms/latest/APIReference/API_UntagResource.html

    Tag keys the key does not have are ignored, as KMS does.
    """
    key = ctx.key(params["KeyId"])
    if key.tags:
        for name in params["TagKeys"]:
            key.tags.pop(name, None)
        if not key.tags:
            key.tags = None
    return {}


@handles("ListResourceTags")
def list_resource_tags(ctx: RequestContext, params: Params) -> Result:
    """https://docs.aws.amazon.com/kms/latest/APIReference/API_ListResourceTags.html

    Tags come in the order they were first added; a changed value keeps its place.
    """
    tags = ctx.key(params["KeyId"]).tags or {}
    names = list(tags)
    page, paging = paginate(
        names,
        sequence_order(len(names)),
        params,
        operation=ctx.operation,
        default_limit=50,
        max_limit=50,
    )
    return {"Tags": [{"TagKey": n, "TagValue": tags[n]} for n in page], **paging}
