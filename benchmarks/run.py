"""How close kmsmock comes to the floor: botocore's own cost of a KMS call.

Three contestants make the same boto3 calls:

floor    the same boto3 client with a ``before-send.kms.<Op>`` handler returning a canned,
         valid ``AWSResponse``: only botocore's serialising, signing and parsing remain,
         the cost no in-process mock can go under.
kmsmock  ``mock_kms()``.
moto     moto's ``mock_aws()``, when moto is installed.

Samples of the contestants are short (about 5 ms) and interleaved, so drift in machine
speed hits all of them alike. Each cost is the median of its samples; each mock's ratio to
the floor is the median of the ratios of its samples to the floor samples taken just
before or after them, which cancels what a noisy machine does to both.

Run ``python benchmarks/run.py`` (three or four minutes), ``--quick`` for a rough look
(under a minute), ``--json PATH`` to keep the numbers. After the table comes the memory
the Python heap keeps per symmetric key. See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time

import boto3
import botocore
from cases import FULL, QUICK, cases
from common import (
    FLOOR,
    KMSMOCK,
    MEMORY_KEYS,
    MEMORY_TARGET,
    MEMORY_WARMUP,
    MOTO,
    MOTO_MEMORY_KEYS,
    MOTO_MEMORY_WARMUP,
)
from measure import measure, memory_per_key
from report import memory_line, moto_version, report, table

import kmsmock


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="fewer, shorter samples")
    parser.add_argument("--no-moto", action="store_true", help="leave moto out even if installed")
    parser.add_argument(
        "--json", metavar="PATH", help="also write the results as JSON to PATH ('-': stdout)"
    )
    args = parser.parse_args(argv)

    settings = QUICK if args.quick else FULL
    # Floor and kmsmock use a default session made before moto is imported, so moto's
    # before-send hook (added to every session created after its import) stays out of them.
    boto3.setup_default_session()
    names = [FLOOR, KMSMOCK]
    if not args.no_moto and moto_version() is not None:
        names.append(MOTO)

    print(
        f"kmsmock {kmsmock.__version__}, botocore {botocore.__version__}, "
        f"Python {platform.python_version()}"
        + (f", moto {moto_version()}" if MOTO in names else " (moto: not measured)"),
        flush=True,
    )
    found = cases(settings)
    started = time.perf_counter()
    for case in found:
        print(f"  {case.name} ...", end="", flush=True)
        case_start = time.perf_counter()
        measure(case, names, settings)
        print(f" {time.perf_counter() - case_start:.1f}s", flush=True)
    print("  memory per symmetric key ...", end="", flush=True)
    case_start = time.perf_counter()
    memory = {KMSMOCK: memory_per_key(KMSMOCK, MEMORY_KEYS, MEMORY_WARMUP)}
    if MOTO in names and settings.moto_memory:
        memory[MOTO] = memory_per_key(MOTO, MOTO_MEMORY_KEYS, MOTO_MEMORY_WARMUP)
    print(f" {time.perf_counter() - case_start:.1f}s", flush=True)
    print(
        "\nMedian µs per unit over interleaved samples; /floor is the median ratio of each"
        " sample to the floor sample taken in turn with it"
        f" (took {time.perf_counter() - started:.0f}s)\n"
    )
    print(table(found, names))
    print()
    print(memory_line(memory))
    missed = [case for case in found if case.meets_target() is False]
    for case in missed:
        print(f"kmsmock over its target: {case.name} {case.ratio(KMSMOCK):.2f} > {case.target}")
    if memory[KMSMOCK] >= MEMORY_TARGET:
        print(f"kmsmock over its target: memory per symmetric key {memory[KMSMOCK]:,.0f} B")

    if args.json:
        data = json.dumps(report(found, names, settings, memory), indent=2)
        if args.json == "-":
            print(data)
        else:
            with open(args.json, "w", encoding="utf-8") as out:
                out.write(data + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
