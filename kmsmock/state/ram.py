"""Keys shared with other accounts through AWS RAM, as ``kms.share_key`` simulates it.

RAM itself is not modelled: a share takes effect at once (AWS's delay before ListKeys
shows a change is not simulated) and there is no invitation to accept. What KMS shows of
a share is modelled: the key appears in the other account's ``ListKeys`` with
``ResourceOwners=["OTHER_ACCOUNTS_VIA_RAM"]``, and the key gains a second key policy,
``AWS_RAM``, which only RAM manages (GetKeyPolicy and ListKeyPolicies show it,
PutKeyPolicy refuses it) and which lets the accounts it is shared with use the key by
its ARN under ``enforce_policies``.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from kmsmock.state.ids import partition_of

if TYPE_CHECKING:
    from kmsmock.state.backend import KmsBackend
    from kmsmock.state.keys import Key

RAM_POLICY_NAME = "AWS_RAM"
# What a RAM share lets the other accounts do: the key operations that accept another
# account's key, except those that manage grants. Unverified against AWS: the AWS_RAM
# policy text, which AWS does not publish; this one is kmsmock's.
SHARED_ACTIONS = (
    "kms:Decrypt",
    "kms:Encrypt",
    "kms:GenerateDataKey*",
    "kms:ReEncrypt*",
    "kms:DescribeKey",
    "kms:GetPublicKey",
    "kms:Sign",
    "kms:Verify",
    "kms:GenerateMac",
    "kms:VerifyMac",
    "kms:DeriveSharedSecret",
    "kms:Encapsulate",
    "kms:Decapsulate",
)


def ram_policy(key: Key) -> str | None:
    """The key's AWS_RAM policy while it is shared; None when it is not."""
    if not key.ram_shares:
        return None
    partition = partition_of(key.region)
    principals = [f"arn:{partition}:iam::{account}:root" for account in key.ram_shares]
    document = {
        "Version": "2012-10-17",
        "Id": "aws-ram-1",
        "Statement": [
            {
                "Sid": "Allow use of the key by the accounts it is shared with through AWS RAM",
                "Effect": "Allow",
                "Principal": {"AWS": principals},
                "Action": list(SHARED_ACTIONS),
                "Resource": "*",
            }
        ],
    }
    return json.dumps(document, indent=2)


def set_share(key: Key, account: str, shared: bool) -> None:
    """Share the key with ``account``, or end that share."""
    accounts = [found for found in key.ram_shares or () if found != account]
    if shared:
        accounts.append(account)
    key.ram_shares = tuple(accounts) or None


def shared_with(backend: KmsBackend, account: str, region: str) -> list[Key]:
    """Keys of other accounts in ``region`` shared with ``account``, by owner account and
    then creation order."""
    found = [
        key
        for state in backend.account_regions()
        if state.region == region and state.account != account
        for key in state.keys.values()
        if key.ram_shares and account in key.ram_shares
    ]
    found.sort(key=lambda key: (key.account, key.seq))
    return found
