"""Reporting: the table, the memory line and the JSON document."""

from __future__ import annotations

import platform
from typing import Any

import botocore
from cases import Case, Settings
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
from measure import JOURNAL

import kmsmock

# Reporting ------------------------------------------------------------------------------


def _cell(value: float | None, fmt: str) -> str:
    return format(value, fmt) if value is not None else "-"


def _target_cell(case: Case) -> str:
    if case.target is None:
        return "-"
    met = case.meets_target()
    verdict = "" if met is None else " ok" if met else " OVER"
    return f"≤{case.target:.1f}{verdict}"


def table(found: list[Case], names: list[str]) -> str:
    width = max(len("case"), *(len(case.name) for case in found))
    header = (
        f"{'case':<{width}} {'unit':<5} {'floor µs':>9} {'kmsmock µs':>11} {'/floor':>7}"
        f" {'target':<9}"
    )
    if MOTO in names:
        header += f" {'moto µs':>10} {'/floor':>8} {'moto/kmsmock':>13}"
    header = header.rstrip()
    lines = [header, "-" * len(header)]
    for case in found:
        ours = case.median_us(KMSMOCK)
        line = (
            f"{case.name:<{width}} {case.unit:<5} {_cell(case.floor_us(), '9.1f')}"
            f" {_cell(ours, '11.1f')} {_cell(case.ratio(KMSMOCK), '7.2f')}"
            f" {_target_cell(case):<9}"
        )
        if MOTO in names:
            if MOTO in case.unavailable:
                line += f" {'n/a':>10} {'n/a':>8} {'n/a':>13}"
            else:
                theirs = case.median_us(MOTO)
                versus = theirs / ours if theirs is not None and ours else None
                line += (
                    f" {_cell(theirs, '10.1f')} {_cell(case.ratio(MOTO), '8.2f')}"
                    f" {_cell(versus, '13.2f')}"
                )
        lines.append(line.rstrip())
    for case in found:
        count = case.counts.get(MOTO)
        if case.fixed_n is not None and count is not None and count < case.fixed_n:
            lines.append(
                f"{case.name}: moto ran {count} of the {case.fixed_n} per sample, to fit"
                " the time budget; its µs per unit are measured on those."
            )
    if MOTO in names:
        for case in found:
            if MOTO in case.unavailable:
                lines.append(f"moto n/a, {case.name}: {case.unavailable[MOTO]}")
    return "\n".join(lines)


def memory_line(memory: dict[str, float]) -> str:
    parts = [f"{name} {round(value):,} B" for name, value in memory.items()]
    notes = [f"kmsmock over {MEMORY_KEYS:,} keys"]
    if MOTO in memory:
        notes.append(f"moto over {MOTO_MEMORY_KEYS} keys, Python heap only")
    journal = JOURNAL.get(KMSMOCK)
    if journal is not None:
        notes.append(f"kmsmock's call journal apart, {round(journal):,} B per CreateKey call")
    return (
        f"memory per symmetric key: {', '.join(parts)}"
        f" ({'; '.join(notes)}; kmsmock target: under {MEMORY_TARGET:,} B)"
    )


def report(
    found: list[Case], names: list[str], settings: Settings, memory: dict[str, float]
) -> dict[str, Any]:
    results = []
    for case in found:
        entry: dict[str, Any] = {
            "case": case.name,
            "unit": case.unit,
            "units_per_sample": dict(case.counts),
            "floor_us": case.floor_us(),
            "kmsmock_target_ratio": case.target,
            "kmsmock_meets_target": case.meets_target(),
        }
        for name in names:
            entry[f"{name}_samples_us"] = [s * 1e6 for s in case.samples.get(name, [])]
            if name != FLOOR:
                entry[f"{name}_us"] = case.median_us(name)
                entry[f"{name}_best_us"] = case.best_us(name)
                entry[f"{name}_ratio_to_floor"] = case.ratio(name)
                floor = case.floor_samples.get(name, [])
                entry[f"floor_samples_with_{name}_us"] = [s * 1e6 for s in floor]
                if name in case.unavailable:
                    entry[f"{name}_unavailable"] = case.unavailable[name]
        results.append(entry)
    return {
        "python": platform.python_version(),
        "botocore": botocore.__version__,
        "kmsmock": kmsmock.__version__,
        "moto": moto_version() if MOTO in names else None,
        "settings": vars(settings),
        "statistic": "median of interleaved samples, µs per unit (best alongside); ratios "
        "are medians of per-repeat ratios to the floor sample taken in turn",
        "results": results,
        "memory_per_symmetric_key": {
            "statistic": "bytes tracemalloc sees kept per key created after a warmup",
            "target_bytes": MEMORY_TARGET,
            "kmsmock_keys": MEMORY_KEYS,
            "kmsmock_warmup": MEMORY_WARMUP,
            "kmsmock_bytes": memory.get(KMSMOCK),
            "moto_keys": MOTO_MEMORY_KEYS if MOTO in memory else None,
            "moto_warmup": MOTO_MEMORY_WARMUP if MOTO in memory else None,
            "moto_bytes": memory.get(MOTO),
        },
    }


def moto_version() -> str | None:
    try:
        import moto
    except ImportError:
        return None
    version: str = moto.__version__
    return version
