"""What kmsmock does not answer: members and enum values beyond its known model, and gaps.

A botocore newer than the one kmsmock is written against may send an input member or an
enum value kmsmock has never seen, and kmsmock declares a few parts of the model it has
not built (``known_model.GAPS``). Either raises a library error naming it, before the
handler runs, rather than being ignored or failing inside the handler.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kmsmock.errors import FeatureNotImplementedError, ParameterNotImplementedError
from kmsmock.wire import known_model

Guard = Callable[[dict[str, Any]], None]


def model_versions() -> dict[str, str]:
    """For a library error about a part of the installed model that kmsmock does not know:
    the installed botocore's version and the one kmsmock's known model comes from."""
    from kmsmock.wire.model import botocore_version

    return {
        "installed_botocore": botocore_version(),
        "known_botocore": known_model.BOTOCORE_VERSION,
    }


def member_paths(shape: Any) -> dict[str, tuple[str, ...] | None]:
    """An input shape's member paths ("Constraints.SourceArn", "Operations[]") and the
    enum values of each (None without an enum), in the model's order."""
    paths: dict[str, tuple[str, ...] | None] = {}

    def walk(current: Any, path: str, depth: int) -> None:
        enum = current.metadata.get("enum")
        paths[path] = tuple(enum) if enum else None
        if depth > 4:  # the KMS model nests no deeper; a recursive shape would
            return
        if current.type_name == "structure":
            for name, member in current.members.items():
                walk(member, f"{path}.{name}", depth + 1)
        elif current.type_name == "list":
            walk(current.member, f"{path}[]", depth + 1)

    if shape is not None:
        for name, member in shape.members.items():
            walk(member, name, 0)
    return paths


def _present(params: dict[str, Any], path: str) -> bool:
    value: Any = params
    for part in path.split("."):
        if not isinstance(value, dict):
            return False
        value = value.get(part.removesuffix("[]"))
        if value is None:
            return False
    return True


def guard_for(operation: str) -> Guard | None:
    """The check for one operation's decoded parameters; None when nothing can be amiss
    (the installed model is the known one there and nothing is declared missing)."""
    from kmsmock.wire.model import operation_model

    known = known_model.OPERATIONS.get(operation, {})
    installed = member_paths(operation_model(operation).input_shape)
    top_level = {path for path in installed if "." not in path and "[]" not in path}
    unknown_members = {path for path in top_level if path not in known}
    # Top-level enum members (and lists of enums) whose installed values outrun the known.
    enums: dict[str, tuple[str, frozenset[str]]] = {}
    for path, values in installed.items():
        member = path.removesuffix("[]")
        if values is None or member not in top_level:
            continue
        known_values = frozenset(known.get(path) or ())
        if not set(values) <= known_values:
            enums[member] = (path, known_values)
    gaps = known_model.GAPS.get(operation, {})
    if not (unknown_members or enums or gaps):
        return None

    def check(params: dict[str, Any]) -> None:
        for name in unknown_members:
            if params.get(name) is not None:
                raise ParameterNotImplementedError(operation, name, **model_versions())
        for path, feature in gaps.items():
            if _present(params, path):
                if feature is None:
                    raise ParameterNotImplementedError(operation, path)
                raise FeatureNotImplementedError(operation, feature)
        for name, (path, known_values) in enums.items():
            value = params.get(name)
            for item in value if isinstance(value, list) else (value,):
                if item is not None and item not in known_values:
                    raise FeatureNotImplementedError(
                        operation, f"{path} {item}", **model_versions()
                    )

    return check
