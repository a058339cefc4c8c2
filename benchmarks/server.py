"""kmsmock's server against moto's, over keep-alive HTTP, and kmsmock as its state grows.

Three parts, each printed as a table (see benchmarks/README.md, "Server mode"):

throughput   requests per second and latency (p50, p99) of Encrypt, Decrypt and
             DescribeKey with 1, 4 and 16 client threads, each thread on its own
             keep-alive connection, against ``KmsServer`` and moto's ``ThreadedMotoServer``,
             each serving from its own process, in the same run;
growth       CreateKey, DescribeKey by alias and a full ListKeys walk (1,000 keys a page)
             over HTTP at N/10 and N keys (N = 10,000; ``--big``: 100,000), and the
             server's resident memory per key;
cold start   a fresh Python process, from ``import boto3`` to its first Encrypt and Decrypt
             inside ``mock_kms()``, against the same with canned responses (the floor),
             as run, after ``import pytest`` and with the garbage collector paused.

Run ``python benchmarks/server.py`` (about two minutes), ``--quick`` (under a minute),
``--big`` for the 100,000-key row, ``--json PATH`` to keep the numbers.
"""

from __future__ import annotations

import argparse
import base64
import http.client
import json
import os
import platform
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

KMSMOCK, MOTO = "kmsmock", "moto"
OPERATIONS = ("Encrypt", "Decrypt", "DescribeKey")
THREADS = (1, 4, 16)
AUTHORIZATION = (
    "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20261203/us-east-1/kms/aws4_request, "
    "SignedHeaders=host;x-amz-date;x-amz-target, Signature=" + "0" * 64
)
# Each server runs in a process of its own, so that its threads and the clients' do not
# share one interpreter lock; it prints its port, and stops when its stdin closes.
_SERVERS = {
    KMSMOCK: (
        "import sys\n"
        "from kmsmock.server import KmsServer\n"
        "server = KmsServer(max_calls=1000).start()\n"
        "print(server.port, flush=True)\n"
        "sys.stdin.read()\n"
        "server.stop()\n"
    ),
    MOTO: (
        "import logging, sys, warnings\n"
        "warnings.simplefilter('ignore')\n"
        "logging.getLogger('werkzeug').setLevel(logging.ERROR)\n"
        "from moto.server import ThreadedMotoServer\n"
        "server = ThreadedMotoServer(ip_address='127.0.0.1', port=0, verbose=False)\n"
        "server.start()\n"
        "print(server._server.server_port, flush=True)\n"
        "sys.stdin.read()\n"
        "server.stop()\n"
    ),
}


@dataclass
class Server:
    name: str
    process: subprocess.Popen[str]
    port: int

    def rss_bytes(self) -> int:
        """The server process's resident memory (Linux's /proc)."""
        with open(f"/proc/{self.process.pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
        raise RuntimeError("no VmRSS in /proc")


@contextmanager
def serving(name: str) -> Iterator[Server]:
    process = subprocess.Popen(
        [sys.executable, "-c", _SERVERS[name]],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        if not line.strip().isdigit():
            raise RuntimeError(f"{name}'s server did not start")
        yield Server(name, process, int(line))
    finally:
        assert process.stdin is not None
        process.stdin.close()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class Client:
    """One keep-alive connection sending KMS's JSON 1.1 requests."""

    def __init__(self, port: int) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def call(self, operation: str, body: dict[str, Any]) -> dict[str, Any]:
        status, data = self.send(operation, json.dumps(body).encode())
        if status != 200:
            raise RuntimeError(f"{operation}: HTTP {status}: {data[:200]!r}")
        answer: dict[str, Any] = json.loads(data) if data else {}
        return answer

    def send(self, operation: str, body: bytes) -> tuple[int, bytes]:
        self.connection.request(
            "POST",
            "/",
            body=body,
            headers={
                "Content-Type": "application/x-amz-json-1.1",
                "X-Amz-Target": f"TrentService.{operation}",
                "X-Amz-Date": "20261203T000000Z",
                "Authorization": AUTHORIZATION,
            },
        )
        response = self.connection.getresponse()
        return response.status, response.read()

    def close(self) -> None:
        self.connection.close()


# Throughput and latency -------------------------------------------------------------------


@dataclass
class Cell:
    server: str
    operation: str
    threads: int
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds


def _bodies(client: Client) -> dict[str, bytes]:
    key_id = client.call("CreateKey", {})["KeyMetadata"]["KeyId"]
    plaintext = base64.b64encode(bytes(64)).decode()
    blob = client.call("Encrypt", {"KeyId": key_id, "Plaintext": plaintext})["CiphertextBlob"]
    return {
        "Encrypt": json.dumps({"KeyId": key_id, "Plaintext": plaintext}).encode(),
        "Decrypt": json.dumps({"CiphertextBlob": blob}).encode(),
        "DescribeKey": json.dumps({"KeyId": key_id}).encode(),
    }


def load(server: Server, operation: str, body: bytes, threads: int, seconds: float) -> Cell:
    """``threads`` clients send ``operation`` back to back for ``seconds``."""
    latencies: list[list[float]] = [[] for _ in range(threads)]
    failures: list[str] = []
    start = threading.Barrier(threads + 1)

    def work(index: int) -> None:
        client = Client(server.port)
        mine = latencies[index]
        client.send(operation, body)  # the connection is open before the clock starts
        start.wait()
        clock = time.perf_counter
        deadline = clock() + seconds
        try:
            while True:
                before = clock()
                if before >= deadline:
                    break
                status, _ = client.send(operation, body)
                mine.append(clock() - before)
                if status != 200:
                    failures.append(f"HTTP {status}")
                    break
        finally:
            client.close()

    workers = [threading.Thread(target=work, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    start.wait()
    began = time.perf_counter()
    for worker in workers:
        worker.join()
    elapsed = time.perf_counter() - began
    if failures:
        raise RuntimeError(f"{server.name} {operation}: {failures[0]}")
    every = sorted(sample for samples in latencies for sample in samples)
    return Cell(
        server.name,
        operation,
        threads,
        len(every),
        elapsed,
        every[len(every) // 2] * 1000,
        every[min(len(every) - 1, int(len(every) * 0.99))] * 1000,
    )


def throughput(names: list[str], seconds: float) -> list[Cell]:
    cells: list[Cell] = []
    for name in names:
        with serving(name) as server:
            setup = Client(server.port)
            bodies = _bodies(setup)
            setup.close()
            for operation in OPERATIONS:
                load(server, operation, bodies[operation], 1, min(seconds, 0.5))  # warm up
                for threads in THREADS:
                    cells.append(load(server, operation, bodies[operation], threads, seconds))
    return cells


def throughput_table(cells: list[Cell]) -> str:
    by = {(c.server, c.operation, c.threads): c for c in cells}
    lines = [
        f"{'operation':<12} {'threads':>7}  {'kmsmock req/s':>13} {'p50 ms':>7} {'p99 ms':>7}"
        f"  {'moto req/s':>10} {'p50 ms':>7} {'p99 ms':>7}  {'kmsmock/moto':>12}",
        "-" * 98,
    ]
    for operation in OPERATIONS:
        for threads in THREADS:
            ours, theirs = by.get((KMSMOCK, operation, threads)), by.get((MOTO, operation, threads))
            row = f"{operation:<12} {threads:>7}  "
            row += (
                f"{ours.per_second:>13,.0f} {ours.p50_ms:>7.2f} {ours.p99_ms:>7.2f}  "
                if ours
                else f"{'-':>13} {'-':>7} {'-':>7}  "
            )
            row += (
                f"{theirs.per_second:>10,.0f} {theirs.p50_ms:>7.2f} {theirs.p99_ms:>7.2f}  "
                if theirs
                else f"{'n/a':>10} {'-':>7} {'-':>7}  "
            )
            row += f"{ours.per_second / theirs.per_second:>12.2f}" if ours and theirs else ""
            lines.append(row.rstrip())
    return "\n".join(lines)


# Growth -------------------------------------------------------------------------------------


@dataclass
class Growth:
    keys: int
    create_us: float  # per CreateKey, over the keys created to reach this size
    describe_alias_us: float
    list_walk_s: float
    rss_per_key: float  # bytes of the server's RSS per key created


def growth(sizes: list[int]) -> list[Growth]:
    rows: list[Growth] = []
    with serving(KMSMOCK) as server:
        client = Client(server.port)
        client.call("ListKeys", {})
        rss_before = server.rss_bytes()
        created = 0
        for size in sizes:
            began = time.perf_counter()
            key_id = ""
            while created < size:
                key_id = client.call("CreateKey", {})["KeyMetadata"]["KeyId"]
                created += 1
            create_us = (time.perf_counter() - began) / max(
                1, size - (rows[-1].keys if rows else 0)
            )
            alias = f"alias/at-{size}"
            client.call("CreateAlias", {"AliasName": alias, "TargetKeyId": key_id})
            body = json.dumps({"KeyId": alias}).encode()
            rounds = 2000
            began = time.perf_counter()
            for _ in range(rounds):
                client.send("DescribeKey", body)
            describe_us = (time.perf_counter() - began) / rounds * 1e6
            began = time.perf_counter()
            listed, marker = 0, None
            while True:
                page = client.call(
                    "ListKeys", {"Limit": 1000, **({"Marker": marker} if marker else {})}
                )
                listed += len(page["Keys"])
                if not page["Truncated"]:
                    break
                marker = page["NextMarker"]
            walk = time.perf_counter() - began
            if listed != size:
                raise RuntimeError(f"ListKeys walked {listed} keys of {size}")
            rss = (server.rss_bytes() - rss_before) / size
            rows.append(Growth(size, create_us * 1e6, describe_us, walk, rss))
        client.close()
    return rows


def growth_table(rows: list[Growth]) -> str:
    lines = [
        f"{'keys':>8}  {'CreateKey µs':>12}  {'DescribeKey by alias µs':>23}  "
        f"{'ListKeys walk s':>15}  {'walk µs/key':>11}  {'RSS B/key':>9}",
        "-" * 90,
    ]
    for row in rows:
        lines.append(
            f"{row.keys:>8,}  {row.create_us:>12.0f}  {row.describe_alias_us:>23.0f}  "
            f"{row.list_walk_s:>15.3f}  {row.list_walk_s / row.keys * 1e6:>11.1f}  "
            f"{row.rss_per_key:>9,.0f}"
        )
    return "\n".join(lines)


# Cold start -----------------------------------------------------------------------------------

_COLD_COMMON = (
    "import os, time\n"
    "os.environ.update(AWS_ACCESS_KEY_ID='AKIAIOSFODNN7EXAMPLE', AWS_SECRET_ACCESS_KEY='x',\n"
    "    AWS_DEFAULT_REGION='us-east-1', AWS_CONFIG_FILE=os.devnull,\n"
    "    AWS_SHARED_CREDENTIALS_FILE=os.devnull, AWS_EC2_METADATA_DISABLED='true')\n"
    "began = time.perf_counter()\n"
    "import boto3\n"
)
_COLD = {
    "floor": _COLD_COMMON
    + (
        "from botocore.awsrequest import AWSResponse\n"
        "class Raw:\n"
        "    def __init__(self, data): self.data = data\n"
        "    def stream(self, **_): yield self.data\n"
        "KEY = 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab'\n"
        "BODIES = {\n"
        '  \'CreateKey\': b\'{"KeyMetadata":{"KeyId":"1234abcd-12ab-34cd-56ef-1234567890ab",\'\n'
        "     b'\"Arn\":\"' + KEY.encode() + b'\"}}',\n"
        "  'Encrypt': b'{\"CiphertextBlob\":\"' + __import__('base64').b64encode(bytes(177))"
        ' + b\'","KeyId":"\' + KEY.encode() + b\'"}\',\n'
        '  \'Decrypt\': b\'{"Plaintext":"aGk=","KeyId":"\' + KEY.encode() + b\'"}\'}\n'
        "def canned(request, **_):\n"
        "    op = request.headers['X-Amz-Target'].decode().split('.')[1]\n"
        "    return AWSResponse(request.url, 200, {'x-amzn-RequestId': 'r'}, Raw(BODIES[op]))\n"
        "client = boto3.client('kms')\n"
        "client.meta.events.register('before-send.kms', canned)\n"
        "key = client.create_key()['KeyMetadata']['KeyId']\n"
        "blob = client.encrypt(KeyId=key, Plaintext=b'hi')['CiphertextBlob']\n"
        "client.decrypt(CiphertextBlob=blob)\n"
    )
    + "print(time.perf_counter() - began)\n",
    KMSMOCK: _COLD_COMMON
    + (
        "from kmsmock import mock_kms\n"
        "with mock_kms():\n"
        "    client = boto3.client('kms')\n"
        "    key = client.create_key()['KeyMetadata']['KeyId']\n"
        "    blob = client.encrypt(KeyId=key, Plaintext=b'hi')['CiphertextBlob']\n"
        "    assert client.decrypt(CiphertextBlob=blob)['Plaintext'] == b'hi'\n"
    )
    + "print(time.perf_counter() - began)\n",
}


# Three settings of the same two scripts. Python's collector makes its first full pass
# over the heap once enough objects have come and gone since start-up; the bare floor
# script ends about 2,500 allocations short of it and kmsmock's crosses it, so "as run"
# times one full pass (30 to 60 ms here) in kmsmock's column only. A test run has made
# that pass before its first test ("after import pytest"). "Collector paused" times the
# work alone.
_SETTINGS = {
    "as run": "",
    "after import pytest": "import pytest\n",
    "collector paused": "import gc\ngc.disable()\n",
}


def cold_start(runs: int) -> dict[str, list[float]]:
    """Seconds from ``import boto3`` to the first Decrypt's answer, ``runs`` of each
    contestant in each setting, runs interleaved. Bytecode is cached first, as an
    installed package's is: without it (PYTHONDONTWRITEBYTECODE), every run would
    compile kmsmock from source."""
    environment = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    scripts = {
        f"{name}, {setting}": prefix + code
        for setting, prefix in _SETTINGS.items()
        for name, code in _COLD.items()
    }
    samples: dict[str, list[float]] = {name: [] for name in scripts}
    for run in range(runs + 1):
        for name, code in scripts.items():
            out = subprocess.run(
                [sys.executable, "-c", code],
                capture_output=True,
                text=True,
                check=True,
                env=environment,
            ).stdout
            if run:  # the first run of each writes the bytecode
                samples[name].append(float(out))
    return samples


def cold_start_table(samples: dict[str, list[float]]) -> str:
    # The best of the runs leads, as with timeit: on a shared machine the slower runs
    # mostly measure the other work; the ratio of the medians follows.
    runs = len(samples["floor, as run"])
    lines = [
        f"Cold start, import boto3 to the first Encrypt+Decrypt (seconds, best of {runs})",
        "",
        f"{'':<20}  {'floor':>7}  {'kmsmock':>7}  {'kmsmock/floor':>13}  {'of medians':>10}",
        "-" * 65,
    ]
    for setting in _SETTINGS:
        floor, mock = samples[f"floor, {setting}"], samples[f"{KMSMOCK}, {setting}"]
        best = min(mock) / min(floor)
        medians = statistics.median(mock) / statistics.median(floor)
        lines.append(
            f"{setting:<20}  {min(floor):>7.3f}  {min(mock):>7.3f}  {best:>13.2f}  {medians:>10.2f}"
        )
    return "\n".join(lines)


# Main -----------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="shorter samples, 2,000 keys")
    parser.add_argument("--big", action="store_true", help="the 100,000-key row")
    parser.add_argument("--no-moto", action="store_true", help="leave moto's server out")
    parser.add_argument("--json", metavar="PATH", help="also write the numbers as JSON")
    args = parser.parse_args(argv)
    seconds = 0.5 if args.quick else 2.0
    top = 100_000 if args.big else (2_000 if args.quick else 10_000)
    names = [KMSMOCK]
    if not args.no_moto:
        try:
            import flask  # noqa: F401
            import moto  # noqa: F401
        except ImportError:
            print("moto's server is not installed (moto[server]); kmsmock alone")
        else:
            names.append(MOTO)
    print(
        f"Python {platform.python_version()}, {os.cpu_count()} CPUs; "
        f"{seconds:g} s per cell; growth to {top:,} keys"
    )
    began = time.perf_counter()
    cells = throughput(names, seconds)
    print("\nThroughput and latency over keep-alive HTTP (server in its own process)\n")
    print(throughput_table(cells))
    rows = growth([top // 10, top])
    print("\nkmsmock's server as its state grows\n")
    print(growth_table(rows))
    cold = cold_start(5 if args.quick else 21)
    print("\n" + cold_start_table(cold))
    print(f"\n(took {time.perf_counter() - began:.0f} s)")
    if args.json:
        document = {
            "throughput": [{**vars(cell), "per_second": cell.per_second} for cell in cells],
            "growth": [vars(row) for row in rows],
            "cold_start_s": cold,
        }
        with open(args.json, "w", encoding="utf-8") as out:
            json.dump(document, out, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
