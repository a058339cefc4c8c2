"""Write kmsmock/wire/known_model.py, or print how the installed KMS model drifted from it.

kmsmock answers what it was written against: the operations, input members and enum
values of one botocore's KMS model, kept in ``kmsmock/wire/known_model.py``. A newer
botocore may add to them; this script shows what::

    python scripts/gen_known_model.py --drift   # print what the installed model adds or drops
    python scripts/gen_known_model.py --write   # take the installed model as the known one

Write only after kmsmock handles (or declares in ``known_model.GAPS``) everything new:
``tests/test_model_conformance.py`` fails for anything the installed model has that is
neither known nor declared.
"""

from __future__ import annotations

import argparse
import pprint
import sys
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "kmsmock" / "wire" / "known_model.py"
sys.path.insert(0, str(ROOT))

HEADER = '''"""The KMS model kmsmock is written against, and the parts it declares not built.

Generated from botocore {version}'s KMS model by scripts/gen_known_model.py (``--write``);
the declarations at the end are kept by hand. Every request is checked against both
(:func:`kmsmock.wire.guard.guard_for`): an input member or enum value a newer botocore
adds, or a declared gap, raises a kmsmock library error naming it instead of being ignored.
"""

from __future__ import annotations

BOTOCORE_VERSION = {version!r}

# Operation -> input member path -> its enum values (None for a member without an enum).
# Paths name nested members with "." and list items with "[]": "Constraints.SourceArn",
# "Operations[]".
OPERATIONS: dict[str, dict[str, tuple[str, ...] | None]] = '''

GAPS_MARKER = "# Declared gaps"


def flatten() -> dict[str, dict[str, tuple[str, ...] | None]]:
    """Every operation of the installed model: its input member paths and enum values."""
    from kmsmock.wire.guard import member_paths
    from kmsmock.wire.model import service_model

    model = service_model()
    return {
        name: member_paths(model.operation_model(name).input_shape)
        for name in sorted(model.operation_names)
    }


def drift() -> list[str]:
    """What the installed model adds to or drops from the known one, one line each."""
    from kmsmock.wire import known_model

    known, installed = known_model.OPERATIONS, flatten()
    lines = []
    for name in sorted(set(installed) - set(known)):
        lines.append(f"+ operation {name}")
    for name in sorted(set(known) - set(installed)):
        lines.append(f"- operation {name}")
    for name in sorted(set(installed) & set(known)):
        new, old = installed[name], known[name]
        for path in sorted(set(new) - set(old)):
            lines.append(f"+ member {name}.{path}")
        for path in sorted(set(old) - set(new)):
            lines.append(f"- member {name}.{path}")
        for path in sorted(set(new) & set(old)):
            added = [v for v in new[path] or () if v not in (old[path] or ())]
            dropped = [v for v in old[path] or () if v not in (new[path] or ())]
            lines += [f"+ enum value {name}.{path} {v}" for v in added]
            lines += [f"- enum value {name}.{path} {v}" for v in dropped]
    return lines


def write() -> None:
    import botocore

    current = OUTPUT.read_text(encoding="utf-8")
    gaps = current[current.index(GAPS_MARKER) :]
    body = pprint.pformat(flatten(), width=92, sort_dicts=True)
    OUTPUT.write_text(
        HEADER.format(version=botocore.__version__) + body + "\n\n\n" + gaps, encoding="utf-8"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--drift", action="store_true", help="print the drift; always exit 0")
    group.add_argument("--write", action="store_true", help="rewrite known_model.py")
    args = parser.parse_args(argv)
    if args.write:
        write()
        print(f"wrote {OUTPUT}")
        return 0
    import botocore

    from kmsmock.wire import known_model

    lines = drift()
    print(
        f"KMS model of botocore {botocore.__version__} against the known one "
        f"(botocore {known_model.BOTOCORE_VERSION}): "
        + (f"{len(lines)} differences" if lines else "no drift")
    )
    for line in lines:
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
