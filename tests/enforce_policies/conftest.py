"""Fixtures of the policy-enforcement tests: clients acting as a given principal."""

from __future__ import annotations

import boto3
import pytest

from kmsmock import KmsMock
from tests._support import REGION, ROOT
from tests.enforce_policies._policies import ADMIN, As, Client


@pytest.fixture
def as_principal(kms_mock: KmsMock) -> As:
    """A KMS client whose requests come from the principal ARN given."""
    made: dict[str, Client] = {}

    def client_for(principal: str) -> Client:
        if principal not in made:
            access_key_id = f"AKIAPOLICYTEST{len(made):06d}"
            kms_mock.identities.add(
                access_key_id, account_id=principal.split(":")[4], arn=principal
            )
            made[principal] = boto3.client(
                "kms",
                region_name=REGION,
                aws_access_key_id=access_key_id,
                aws_secret_access_key="x",
            )
        return made[principal]

    return client_for


@pytest.fixture
def admin(as_principal: As) -> Client:
    return as_principal(ADMIN)


@pytest.fixture
def root(as_principal: As) -> Client:
    return as_principal(ROOT)
