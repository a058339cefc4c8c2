"""The process environment while kmsmock is active: a region and credentials if none are set.

botocore refuses to build a client without a region and to sign without
credentials; when neither comes from the environment it would also ask the EC2
instance metadata service, over the network. kmsmock fills in what is missing
for the outermost activation and puts the environment back afterwards.
"""

from __future__ import annotations

import configparser
import os
from pathlib import Path

# AWS's documented example credentials: recognisable, never valid.
FAKE_ACCESS_KEY_ID = "AKIAIOSFODNN7EXAMPLE"
FAKE_SECRET_ACCESS_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"


def has_credentials() -> bool:
    """Whether the environment already names credentials (checked without any network)."""
    env = os.environ
    if env.get("AWS_ACCESS_KEY_ID") and env.get("AWS_SECRET_ACCESS_KEY"):
        return True
    if env.get("AWS_PROFILE") or env.get("AWS_DEFAULT_PROFILE"):
        return True
    files = (
        (env.get("AWS_SHARED_CREDENTIALS_FILE", "~/.aws/credentials"), "default"),
        (env.get("AWS_CONFIG_FILE", "~/.aws/config"), "default"),
    )
    for name, section in files:
        path = Path(name).expanduser()
        if not path.is_file():
            continue
        parser = configparser.RawConfigParser()
        try:
            parser.read(path)
        except configparser.Error:
            continue
        if parser.has_option(section, "aws_access_key_id"):
            return True
    return False


def apply(region: str) -> dict[str, str | None]:
    """Fill in what is missing; returns what to restore."""
    wanted: dict[str, str] = {"AWS_EC2_METADATA_DISABLED": "true"}
    # botocore reads AWS_DEFAULT_REGION only; AWS_REGION is other SDKs' name.
    if not os.environ.get("AWS_DEFAULT_REGION"):
        wanted["AWS_DEFAULT_REGION"] = region
    if not has_credentials():
        wanted["AWS_ACCESS_KEY_ID"] = FAKE_ACCESS_KEY_ID
        wanted["AWS_SECRET_ACCESS_KEY"] = FAKE_SECRET_ACCESS_KEY
        # A session token left over from real credentials would not match.
        wanted["AWS_SESSION_TOKEN"] = ""
    saved: dict[str, str | None] = {}
    for name, value in wanted.items():
        if name == "AWS_EC2_METADATA_DISABLED" and name in os.environ:
            continue
        saved[name] = os.environ.get(name)
        if value:
            os.environ[name] = value
        else:
            os.environ.pop(name, None)
    return saved


def restore(saved: dict[str, str | None]) -> None:
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
