"""AWS errors as KMS answers them: the code, the message and the HTTP status.

Handlers raise these; ``wire.encode`` turns them into the JSON 1.1 error body
(``{"__type": code, "message": text}``), so users see ``ClientError`` or
``client.exceptions.<Code>`` exactly as against real KMS. Class names are the
model's exception shape names. Each message's source (observed from AWS, or kmsmock's
own where AWS's is unknown) is in ``docs/kms-behaviour.md``, cited next to it.
"""

from __future__ import annotations

from kmsmock.wire.model import declared_errors


class AwsError(Exception):
    """An error KMS would answer with. ``code`` is the wire ``__type``."""

    code = "InternalFailure"
    # Every client error came back as 400 on the wire, even those the model
    # documents as 404/409/412 (docs/kms-behaviour.md#http-status).
    status = 400

    def __init__(self, message: str = "") -> None:
        super().__init__(message)
        self.message = message

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        if "code" not in cls.__dict__:
            cls.code = cls.__name__


def declared_or(operation: str, error: AwsError, otherwise: AwsError) -> AwsError:
    """``error`` where ``operation``'s model declares its code, else ``otherwise``.

    SDKs map only the codes an operation declares to exception classes, so KMS answers
    no other: a malformed key ARN on an operation without InvalidArnException names no
    key (NotFoundException); a bad grant token or marker where the code is not declared
    makes the request invalid (ValidationException).
    """
    return error if error.code in declared_errors(operation) else otherwise


# Each class is followed by the factories of the messages KMS sends with it, so that an
# AWS text built in more than one place is written once.


class ValidationException(AwsError):
    pass


def null_member(path: str) -> ValidationException:
    # Members the service requires although the model marks them optional
    # (docs/kms-behaviour.md#required-by-the-service). Unverified against AWS: this text.
    return ValidationException(
        f"1 validation error detected: Value null at '{path}' failed to satisfy constraint: "
        "Member must not be null"
    )


def invalid_digest_length(algorithm: str) -> ValidationException:
    return ValidationException(f"Digest is invalid length for algorithm {algorithm}.")


class SerializationException(AwsError):
    pass


def unexpected_list() -> SerializationException:
    # What KMS's parser says of a value that is not the JSON object a map or a
    # structure needs.
    return SerializationException("Start of list found where not expected")


def unexpected_structure() -> SerializationException:
    # What KMS's parser says of a body that is not one JSON object.
    return SerializationException("Start of structure or map found where not expected.")


class UnknownOperationException(AwsError):
    pass


class AccessDeniedException(AwsError):
    pass


def _not_authorized(
    principal: str, operation: str, resource: str, why: str
) -> AccessDeniedException:
    return AccessDeniedException(
        f"User: {principal} is not authorized to perform: kms:{operation} on resource: "
        f"{resource} {why}"
    )


def access_denied(principal: str, operation: str, resource: str) -> AccessDeniedException:
    # Observed template (docs/kms-behaviour.md#authorization); KMS sends it for cross-account calls
    # the operation does not allow, and for what an AWS managed key's policy denies.
    # Under enforce_policies, also when neither the key's policies nor a grant allow it.
    return _not_authorized(
        principal,
        operation,
        resource,
        f"because no resource-based policy allows the kms:{operation} action",
    )


def explicit_deny(principal: str, operation: str, resource: str) -> AccessDeniedException:
    """A Deny statement of the key's policy matches the request."""
    return _not_authorized(
        principal, operation, resource, "with an explicit deny in a resource-based policy"
    )


def not_allowed_by_iam(principal: str, operation: str, resource: str) -> AccessDeniedException:
    """What only IAM could allow, for a caller it does not allow."""
    return _not_authorized(
        principal,
        operation,
        resource,
        f"because no identity-based policy allows the kms:{operation} action",
    )


class NotFoundException(AwsError):
    pass


def invalid_key_id(value: str) -> NotFoundException:
    return NotFoundException(f"Invalid keyId '{value}'")  # docs/kms-behaviour.md#key-ids


def key_does_not_exist(arn: str) -> NotFoundException:
    return NotFoundException(f"Key '{arn}' does not exist")  # docs/kms-behaviour.md#key-ids


def invalid_arn_region(region: str) -> NotFoundException:
    return NotFoundException(f"Invalid arn {region}")  # docs/kms-behaviour.md#key-arns


def alias_not_found(alias_arn: str) -> NotFoundException:
    # Unverified against AWS: the text (docs/kms-behaviour.md#aliases).
    return NotFoundException(f"Alias {alias_arn} is not found.")


def grant_not_found(grant_id: str) -> NotFoundException:
    return NotFoundException(f"Grant ID {grant_id} not found")


def key_material_not_found(material_id: str, arn: str) -> NotFoundException:
    return NotFoundException(f"Key material {material_id} is not found on {arn}.")


class InvalidArnException(AwsError):
    pass


class InvalidMarkerException(AwsError):
    pass


class DisabledException(AwsError):
    pass


class KMSInvalidStateException(AwsError):
    pass


class UnsupportedOperationException(AwsError):
    pass


def origin_not_valid(arn: str, origin: str) -> UnsupportedOperationException:
    return UnsupportedOperationException(
        f"{arn} origin is {origin} which is not valid for this operation."
    )


def key_spec_not_valid(arn: str, key_spec: str) -> UnsupportedOperationException:
    return UnsupportedOperationException(
        f"{arn} key spec {key_spec} is not valid for this operation."
    )


def not_multi_region_primary(arn: str) -> UnsupportedOperationException:
    return UnsupportedOperationException(f"{arn} is not a multi-region primary key.")


class LimitExceededException(AwsError):
    pass


class TagException(AwsError):
    pass


class MalformedPolicyDocumentException(AwsError):
    pass


class CustomKeyStoreNotFoundException(AwsError):
    pass


class KMSInternalException(AwsError):
    status = 500


class DependencyTimeoutException(AwsError):
    status = 503


class AlreadyExistsException(AwsError):
    pass


class InvalidAliasNameException(AwsError):
    pass


class InvalidKeyUsageException(AwsError):
    pass


def wrong_key_usage(arn: str, usage: str, operation: str) -> InvalidKeyUsageException:
    # Observed from AWS (docs/kms-behaviour.md#check-order).
    return InvalidKeyUsageException(
        f"{arn} key usage is {usage} which is not valid for {operation}."
    )


def incompatible_algorithm(algorithm: str, key_spec: str) -> InvalidKeyUsageException:
    # Observed from AWS (docs/kms-behaviour.md#check-order).
    return InvalidKeyUsageException(
        f"Algorithm {algorithm} is incompatible with key spec {key_spec}."
    )


class IncorrectKeyException(AwsError):
    pass


def incorrect_key() -> IncorrectKeyException:
    # Observed from AWS (docs/kms-behaviour.md#encrypt-and-decrypt).
    return IncorrectKeyException(
        "The key ID in the request does not identify a CMK that can perform this operation."
    )


class InvalidCiphertextException(AwsError):
    pass


class DryRunOperationException(AwsError):
    pass


def dry_run() -> DryRunOperationException:
    # Observed from AWS (docs/kms-behaviour.md#dry-run).
    return DryRunOperationException(
        "The request would have succeeded, but the DryRun option is set."
    )


class ConflictException(AwsError):
    pass


class KeyUnavailableException(AwsError):
    status = 500


class KMSInvalidSignatureException(AwsError):
    pass


class KMSInvalidMacException(AwsError):
    pass


class InvalidGrantTokenException(AwsError):
    pass


class InvalidGrantIdException(AwsError):
    pass


class InvalidImportTokenException(AwsError):
    pass


class ExpiredImportTokenException(AwsError):
    pass


class IncorrectKeyMaterialException(AwsError):
    pass


class CustomKeyStoreInvalidStateException(AwsError):
    pass


class CustomKeyStoreNameInUseException(AwsError):
    pass


class CustomKeyStoreHasCMKsException(AwsError):
    pass


class CloudHsmClusterInUseException(AwsError):
    pass


class XksProxyUriInUseException(AwsError):
    pass


class XksProxyUriEndpointInUseException(AwsError):
    pass


class XksProxyVpcEndpointServiceInUseException(AwsError):
    pass


class XksKeyAlreadyInUseException(AwsError):
    pass
