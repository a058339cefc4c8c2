"""KMS over HTTP from a Python test: ``KmsServer``, served from a background thread.

>>> import boto3
>>> from kmsmock.server import KmsServer
>>> with KmsServer() as server:
...     kms = boto3.client("kms", endpoint_url=server.url, region_name="us-east-1",
...                        aws_access_key_id="AKIAEXAMPLE", aws_secret_access_key="x")
...     key_id = kms.create_key()["KeyMetadata"]["KeyId"]
...     assert [key.key_id for key in server.kms.keys()] == [key_id]

Each server has its own state: two servers are independent, and neither touches an
in-process ``mock_kms``. ``server.kms`` is a handle like ``mock_kms()``'s: ``clock``,
``calls``, ``faults``, ``identities``, ``keys()``, ``seed_key()`` and ``reset()``.
"""

from __future__ import annotations

import threading
from types import TracebackType
from typing import TYPE_CHECKING

from kmsmock._handle import Handle
from kmsmock.errors import ActivationError
from kmsmock.state.identities import check_account_id

if TYPE_CHECKING:
    from typing_extensions import Self

    from kmsmock.doors.http_server import KmsHttpServer
    from kmsmock.state.backend import KmsBackend

__all__ = ["DEFAULT_MAX_CALLS", "KmsServer", "ServerHandle"]

DEFAULT_REGION = "us-east-1"
DEFAULT_ACCOUNT = "123456789012"
# The journal of a server keeps its latest calls only: a long-running server must not
# grow without end.
DEFAULT_MAX_CALLS = 10_000


class ServerHandle(Handle):
    """A server's state, as ``mock_kms()``'s handle shows an in-process mock's."""

    def __init__(self, backend: KmsBackend, region: str, account_id: str) -> None:
        self._backend = backend
        self.region = region
        self.account_id = account_id
        self.enforce_policies = backend.enforce_policies

    @property
    def backend(self) -> KmsBackend:
        return self._backend

    @property
    def default_region(self) -> str:
        """The server's region: a request that names none is answered there."""
        return self.region

    def __repr__(self) -> str:
        return f"<kmsmock server handle region={self.region!r} account_id={self.account_id!r}>"


class KmsServer:
    """An HTTP endpoint for KMS, serving its own state from a background thread.

    ``port=0`` picks a free port; ``url`` says which once started. Used as a context
    manager, or with ``start()`` and ``stop()``.
    """

    def __init__(
        self,
        port: int = 0,
        host: str = "127.0.0.1",
        *,
        region: str = DEFAULT_REGION,
        account_id: str = DEFAULT_ACCOUNT,
        seed: int | None = None,
        enforce_policies: bool = False,
        max_calls: int | None = DEFAULT_MAX_CALLS,
    ) -> None:
        check_account_id(account_id)
        if max_calls is not None and max_calls < 0:
            raise ValueError(f"max_calls must be 0 or more (or None: no bound), got {max_calls}")
        self.host = host
        self.requested_port = port
        self.region = region
        self.account_id = account_id
        self.seed = seed
        self.enforce_policies = enforce_policies
        self.max_calls = max_calls
        self._kms: ServerHandle | None = None
        self._http: KmsHttpServer | None = None
        self._thread: threading.Thread | None = None

    def __repr__(self) -> str:
        where = self.url if self._http is not None else "not started"
        return f"<KmsServer {where}>"

    @property
    def kms(self) -> ServerHandle:
        """The handle on this server's state (available before ``start()`` too)."""
        if self._kms is None:
            from kmsmock.state.backend import KmsBackend

            backend = KmsBackend(
                account_id=self.account_id,
                seed=self.seed,
                enforce_policies=self.enforce_policies,
                max_calls=self.max_calls,
            )
            self._kms = ServerHandle(backend, self.region, self.account_id)
        return self._kms

    @property
    def port(self) -> int:
        if self._http is None:
            raise ActivationError(f"{self!r} has not been started")
        return self._http.port

    @property
    def url(self) -> str:
        """``http://HOST:PORT``, the endpoint URL to give a client."""
        if self._http is None:
            raise ActivationError("the server has not been started")
        host = self.host
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{self._http.port}"

    def start(self) -> Self:
        """Bind the port and serve from a daemon thread."""
        from kmsmock.doors.http_server import KmsHttpServer

        if self._http is not None:
            raise ActivationError(f"{self!r} is already started")
        http = KmsHttpServer((self.host, self.requested_port), self.kms.backend, self.region)
        thread = threading.Thread(
            target=http.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"kmsmock-server-{http.port}",
            daemon=True,
        )
        self._http, self._thread = http, thread
        thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, close every connection; the state stays readable on ``kms``."""
        http, thread = self._http, self._thread
        if http is None or thread is None:
            raise ActivationError(f"{self!r} is not started")
        http.shutdown()
        http.server_close()
        thread.join(timeout=5)
        self._http = self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
