"""The kmsmock servers running in this process, by port: a botocore client sent to one
of them by ``endpoint_url`` reaches that server, not an in-process ``mock_kms``."""

from __future__ import annotations

import threading

_LOCK = threading.Lock()
# Port -> the host the server bound. Read without the lock on the request path.
PORTS: dict[int, str] = {}  # never rebound: the seam holds this very dict
_LOOPBACK = frozenset({"127.0.0.1", "localhost", "[::1]", "::1"})


def add(host: str, port: int) -> None:
    with _LOCK:
        PORTS[port] = host


def remove(port: int) -> None:
    with _LOCK:
        PORTS.pop(port, None)


def serves(url: str) -> bool:
    """Whether ``url`` names a kmsmock server of this process."""
    if not PORTS:
        return False
    netloc = url.split("://", 1)[-1].split("/", 1)[0]
    host, _, port = netloc.rpartition(":")
    if not port.isdigit():
        return False
    bound = PORTS.get(int(port))
    return bound is not None and (host in _LOOPBACK or host == bound or bound in ("", "0.0.0.0"))
