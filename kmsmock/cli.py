"""``kmsmock serve``: KMS over HTTP from the command line (also ``python -m kmsmock``).

The first line on stdout is ``kmsmock listening on http://HOST:PORT``, so a script
that starts the server on port 0 reads the port from it. SIGINT and SIGTERM stop it,
saving the state first when ``--state-file`` names where.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import json
import logging
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from kmsmock.server import DEFAULT_ACCOUNT, DEFAULT_MAX_CALLS, DEFAULT_REGION, KmsServer

log = logging.getLogger("kmsmock.server")

# The seed file's key entries take seed_key's parameters, ``material`` as base64.
_SEED_KEY_FIELDS = {
    "key_id",
    "material",
    "key_spec",
    "key_usage",
    "account_id",
    "region",
    "description",
    "aliases",
    "tags",
}


class UsageError(Exception):
    """A bad option or file: said on stderr, exit status 2."""


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command != "serve":
        parser.print_help()
        return 2
    try:
        return _serve(args)
    except UsageError as error:
        print(f"kmsmock: {error}", file=sys.stderr)
        return 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kmsmock", description="kmsmock, a mock of AWS KMS")
    commands = parser.add_subparsers(dest="command")
    serve = commands.add_parser("serve", help="serve KMS over HTTP")
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (127.0.0.1)")
    serve.add_argument("--port", type=int, default=0, help="port to bind; 0 picks a free one")
    serve.add_argument("--region", default=DEFAULT_REGION, help="for unsigned requests")
    serve.add_argument("--account-id", default=DEFAULT_ACCOUNT, help="the default account")
    serve.add_argument("--seed", type=int, default=None, help="reproducible IDs and material")
    serve.add_argument(
        "--enforce-policies", action="store_true", help="key policies and grants decide access"
    )
    serve.add_argument("--seed-file", type=Path, help="JSON: keys to create at start")
    serve.add_argument(
        "--state-file", type=Path, help="JSON state: loaded at start if present, saved at exit"
    )
    serve.add_argument(
        "--max-calls",
        type=int,
        default=DEFAULT_MAX_CALLS,
        help=f"calls the journal keeps ({DEFAULT_MAX_CALLS})",
    )
    serve.add_argument(
        "--log-level",
        default="WARNING",
        type=str.upper,
        choices=["DEBUG", "INFO", "WARNING", "ERROR"],
        help="logging on stderr (WARNING); DEBUG logs every request",
    )
    return parser


def _serve(args: argparse.Namespace) -> int:
    from kmsmock.state import persist

    logging.basicConfig(level=args.log_level, stream=sys.stderr, format="%(message)s")
    try:
        server = KmsServer(
            args.port,
            args.host,
            region=args.region,
            account_id=args.account_id,
            seed=args.seed,
            enforce_policies=args.enforce_policies,
            max_calls=args.max_calls,
        )
    except ValueError as error:
        raise UsageError(str(error)) from None
    backend = server.kms.backend
    state_file: Path | None = args.state_file
    if state_file is not None and state_file.exists():
        try:
            persist.load_file(backend, state_file)
        except (OSError, persist.StateFileError) as error:
            raise UsageError(f"cannot load --state-file {state_file}: {error}") from None
    if args.seed_file is not None:
        seed_keys(server, _read_json(args.seed_file, "--seed-file"))
    stop = threading.Event()

    def on_signal(number: int, frame: Any) -> None:
        stop.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    try:
        server.start()
    except OSError as error:
        raise UsageError(f"cannot listen on {args.host}:{args.port}: {error}") from None
    print(f"kmsmock listening on {server.url}", flush=True)
    # A timeout in the wait lets the signal handler run promptly on every platform.
    while not stop.wait(0.2):
        pass
    server.stop()
    if state_file is not None:
        persist.save_file(backend, state_file)
        log.info("kmsmock saved its state to %s", state_file)
    return 0


def _read_json(path: Path, option: str) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise UsageError(f"cannot read {option} {path}: {error.strerror}") from None
    except ValueError as error:
        raise UsageError(f"{option} {path} is not JSON: {error}") from None


def seed_keys(server: KmsServer, document: Any) -> None:
    """Create the seed file's keys (and identities); keys a state file already holds are
    left as they are, so a restart with the same options changes nothing."""
    if not isinstance(document, dict) or not isinstance(document.get("keys", []), list):
        raise UsageError('--seed-file holds a JSON object: {"keys": [...], "identities": [...]}')
    kms = server.kms
    for number, entry in enumerate(document.get("identities", [])):
        try:
            kms.identities.add(
                entry["access_key_id"], account_id=entry["account_id"], arn=entry.get("arn")
            )
        except (KeyError, TypeError, ValueError) as error:
            raise UsageError(f"--seed-file identities[{number}]: {error}") from None
    for number, entry in enumerate(document.get("keys", [])):
        where = f"--seed-file keys[{number}]"
        if not isinstance(entry, dict):
            raise UsageError(f"{where} is not an object")
        unknown = sorted(set(entry) - _SEED_KEY_FIELDS)
        if unknown:
            raise UsageError(f"{where} has unknown fields {unknown}")
        options = dict(entry)
        try:
            options["material"] = base64.b64decode(options["material"], validate=True)
        except KeyError:
            raise UsageError(f"{where} needs key_id and material (base64)") from None
        except (binascii.Error, TypeError, ValueError):
            raise UsageError(f"{where}: material is not base64") from None
        account = options.get("account_id") or kms.account_id
        region = options.get("region") or kms.region
        state = kms.backend.peek(account, region)
        if state is not None and options.get("key_id") in state.keys:
            continue
        try:
            kms.seed_key(**options)
        except (TypeError, ValueError) as error:
            raise UsageError(f"{where}: {error}") from None


if __name__ == "__main__":
    sys.exit(main())
