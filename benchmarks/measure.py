"""Measuring: calibrated, interleaved samples of each case, and the memory per key."""

from __future__ import annotations

import gc
import time
import tracemalloc
from contextlib import ExitStack

import boto3
from cases import Case, Settings, Unavailable, activation
from common import FLOOR, KMSMOCK, MOTO, Run

# Measuring ------------------------------------------------------------------------------


def timed(run: Run, n: int) -> float:
    """Seconds for ``run(n)``, with the garbage collector held off as timeit does."""
    gc.disable()
    try:
        start = time.perf_counter()
        run(n)
        return time.perf_counter() - start
    finally:
        gc.enable()


def calibrate(run: Run, target: float, max_n: int) -> tuple[int, float]:
    """Operations per sample for a sample of about ``target`` seconds, and seconds per one."""
    n, elapsed = 1, timed(run, 1)
    while elapsed < target / 4 and n < max_n:
        n *= 4
        elapsed = timed(run, n)
    per_op = max(elapsed, 1e-9) / n
    return max(1, min(max_n, round(target / per_op))), per_op


def measure(case: Case, names: list[str], settings: Settings) -> None:
    present = [name for name in names if name in case.contestants]
    rivals = [name for name in present if name != FLOOR]
    phases = [[FLOOR, rival] for rival in rivals] if case.exclusive else [present]
    for phase in phases:
        with ExitStack() as stack:
            runs: dict[str, Run] = {}
            for name in phase:
                try:
                    runs[name] = stack.enter_context(case.contestants[name]())
                except Unavailable as error:
                    case.unavailable[name] = str(error)
            if case.exclusive and len(runs) < len(phase):
                continue  # the rival of this phase is n/a: no floor samples needed for it
            active = list(runs)
            gc.collect()
            per_op: dict[str, float] = {}
            for name, run in runs.items():
                timed(run, 1)  # warmup: first-call imports and caches
                if case.fixed_n is None:
                    count, per_op[name] = calibrate(run, settings.target, settings.max_n)
                else:
                    per_op[name] = timed(run, 2) / 2
                    count = case.fixed_n
                    if name == MOTO:
                        # moto runs part of the suite; kmsmock and the floor run all of it.
                        count = int(settings.suite_budget / per_op[name])
                        count = max(1, min(case.fixed_n, count))
                case.counts.setdefault(name, count)
            seconds = sum(per_op[name] * case.counts[name] for name in active)
            if case.fixed_n is None:
                repeats = max(3, min(settings.repeats, int(settings.rival_budget / seconds)))
            else:
                repeats = settings.suite_repeats
            for repeat in range(repeats):
                # Rotate the order so no contestant always runs first or last.
                shift = repeat % len(active)
                for name in active[shift:] + active[:shift]:
                    count = case.counts[name]
                    sample = timed(runs[name], count) / count
                    case.samples.setdefault(name, []).append(sample)
                    if name == FLOOR:
                        for rival in active[1:]:
                            case.floor_samples.setdefault(rival, []).append(sample)


def memory_per_key(name: str, keys: int, warmup: int) -> float:
    """Bytes the Python heap keeps per symmetric key, for ``keys`` keys created in one mock
    after ``warmup`` keys (tracemalloc: memory allocated outside Python's allocators, as
    OpenSSL's for a private key, is not seen). kmsmock's call journal, which holds every
    request rather than every key, is emptied before the count; ``JOURNAL`` gets its
    bytes per call."""
    with activation(name) as mock:
        client = boto3.client("kms")
        for _ in range(warmup):
            client.create_key()
        gc.collect()
        tracemalloc.start()
        try:
            for _ in range(keys):
                client.create_key()
            gc.collect()
            kept, _peak = tracemalloc.get_traced_memory()
            if name == KMSMOCK:
                mock.calls.clear()
                gc.collect()
                without_journal, _peak = tracemalloc.get_traced_memory()
                JOURNAL[KMSMOCK] = (kept - without_journal) / keys
                kept = without_journal
        finally:
            tracemalloc.stop()
    return kept / keys


# Bytes kmsmock's call journal (kms.calls) keeps per CreateKey call.
JOURNAL: dict[str, float] = {}
