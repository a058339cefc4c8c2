"""The HTTP door: KMS's JSON 1.1 protocol over HTTP/1.1, for every SDK and CLI.

Any client that can point KMS at an endpoint URL (the AWS CLI v2, the JavaScript, Go and
Java SDKs, Terraform) sends ``POST /`` with ``X-Amz-Target: TrentService.<Operation>``;
the door hands the headers and body to the service core, exactly as the botocore door
does, and writes the core's answer back. A few admin endpoints live under
``/_kmsmock/``, a path no AWS API uses.

Why the standard library's threading server (see docs/server.md, "Design"): a thread per
connection keeps one stalled client from holding up the others, keep-alive spares a TCP
handshake per call, and with each response written in one ``send`` and Nagle's algorithm
off, a call costs the server a fraction of a millisecond beyond the KMS work. A
third-party server would add a dependency without making the KMS work any cheaper: the
backend's lock serialises that work whatever serves the sockets.
"""

from __future__ import annotations

import base64
import contextlib
import http.server
import json
import logging
import socket
import socketserver
import threading
from collections.abc import Callable
from email.utils import formatdate
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

from kmsmock.doors import live
from kmsmock.errors import KmsMockError

if TYPE_CHECKING:
    from kmsmock.state.backend import KmsBackend

log = logging.getLogger("kmsmock.server")

ADMIN_PREFIX = "/_kmsmock/"
# The largest request body read. KMS's largest members (a 32 KB key policy, import
# material, a 4 KB plaintext, all base64 in JSON) fit well within it.
MAX_BODY = 1 << 20
# An idle keep-alive connection, or a client stalled mid-request, is dropped after this.
IDLE_TIMEOUT = 60.0
_CONTENT_TYPE = "application/x-amz-json-1.1"
# Every response allows any origin, so the JavaScript SDK works from a browser page.
_CORS = (
    b"Access-Control-Allow-Origin: *\r\n"
    b"Access-Control-Expose-Headers: x-amzn-RequestId, x-amzn-ErrorType, Date\r\n"
)
_REASONS = {status.value: status.phrase for status in HTTPStatus}


class KmsHttpServer(http.server.ThreadingHTTPServer):
    """A threaded HTTP server answering KMS requests from one backend.

    ``serve_forever()`` runs it; ``shutdown()`` then ``server_close()`` stop it and close
    every open connection, idle keep-alive ones included, so a stop takes no longer than
    the request being answered.
    """

    daemon_threads = True
    # server_close() closes the connections itself rather than wait on their threads.
    block_on_close = False

    def __init__(
        self,
        address: tuple[str, int],
        backend: KmsBackend,
        region: str,
        *,
        on_reset: Callable[[], None] | None = None,
    ) -> None:
        # Imported here, not at the top: the core pulls in every operation (and botocore),
        # which importing kmsmock.server alone should not.
        from kmsmock.service.core import answer

        self.backend = backend
        self.region = region
        self.answer = answer
        self.on_reset = on_reset
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()
        family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        self.address_family = family
        super().__init__(address, _Handler)
        live.add(address[0], self.port)

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    def server_bind(self) -> None:
        # The standard library's HTTPServer.server_bind looks the host name up (getfqdn),
        # which can stall for seconds without a network; nothing here needs that name.
        socketserver.TCPServer.server_bind(self)
        self.server_name = str(self.server_address[0])
        self.server_port = int(self.server_address[1])

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._open_lock:
            self._open.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._open_lock:
            self._open.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that hung up mid-exchange; the standard library would print a traceback.
        log.debug("connection from %s ended with an error", client_address, exc_info=True)

    def server_close(self) -> None:
        live.remove(self.port)
        super().server_close()
        with self._open_lock:
            sockets = list(self._open)
            self._open.clear()
        for sock in sockets:
            # Wakes a thread blocked reading an idle keep-alive connection.
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


class _Handler(http.server.BaseHTTPRequestHandler):
    server: KmsHttpServer
    protocol_version = "HTTP/1.1"
    server_version = "kmsmock"
    sys_version = ""
    # Small responses go out at once: with Nagle's algorithm on, a response that
    # follows a client's unacknowledged segment waits for TCP's delayed ACK (~40 ms).
    disable_nagle_algorithm = True
    timeout = IDLE_TIMEOUT

    # KMS ---------------------------------------------------------------------------

    def do_POST(self) -> None:
        if self.path.startswith(ADMIN_PREFIX):
            self._admin("POST")
            return
        body = self._body()
        if body is None:
            return
        server = self.server
        host = self.headers.get("Host") or ""
        try:
            reply = server.answer(
                server.backend, self.headers, body, f"http://{host}/", server.region
            )
        except KmsMockError as error:
            # An operation or parameter kmsmock does not model: say so, as a 501.
            self._send_json(501, {"__type": type(error).__name__, "message": str(error)})
            return
        except Exception:
            log.exception("kmsmock failed answering a request")
            self._send_json(
                500,
                {
                    "__type": "KMSInternalException",
                    "message": "kmsmock failed answering this request; see its log",
                },
            )
            return
        extra = b""
        if reply.error_code is not None:
            extra = b"x-amzn-ErrorType: " + reply.error_code.encode() + b"\r\n"
        self._send(reply.status, reply.body, _CONTENT_TYPE, reply.request_id, extra)

    def do_OPTIONS(self) -> None:
        # A CORS preflight: allow the method and the headers the page asked for.
        asked = self.headers.get("Access-Control-Request-Headers") or "*"
        extra = (
            b"Access-Control-Allow-Methods: GET, POST, OPTIONS\r\n"
            b"Access-Control-Allow-Headers: " + asked.encode("latin-1", "replace") + b"\r\n"
            b"Access-Control-Max-Age: 86400\r\n"
        )
        self._send(200, b"", None, None, extra)

    def do_GET(self) -> None:
        if self.path.startswith(ADMIN_PREFIX):
            self._admin("GET")
        else:
            self._send_json(405, {"message": "KMS takes POST requests"})

    def do_PUT(self) -> None:
        self._send_json(405, {"message": "KMS takes POST requests"})

    do_DELETE = do_PATCH = do_PUT

    # Admin -------------------------------------------------------------------------

    def _admin(self, method: str) -> None:
        route = self.path[len(ADMIN_PREFIX) :].split("?", 1)[0].rstrip("/")
        server = self.server
        if method == "POST" and self._body() is None:
            return
        if (method, route) == ("GET", "health"):
            self._send_json(200, {"status": "ok", "region": server.region})
        elif (method, route) == ("POST", "reset"):
            server.backend.reset()
            if server.on_reset is not None:
                server.on_reset()
            self._send_json(200, {"reset": True})
        elif (method, route) == ("GET", "calls"):
            self._send_json(200, {"calls": [_call_json(call) for call in server.backend.calls]})
        elif route in ("health", "reset", "calls"):
            self._send_json(405, {"message": f"{method} is not allowed on {self.path}"})
        else:
            self._send_json(404, {"message": f"no admin endpoint {self.path}"})

    # Reading and writing -----------------------------------------------------------

    def _body(self) -> bytes | None:
        """The request body, or None once a 4xx went out for a missing, chunked or
        oversized one."""
        length_text = self.headers.get("Content-Length")
        if length_text is None:
            if self.headers.get("Transfer-Encoding"):
                self.close_connection = True
                self._send_json(411, {"message": "a Content-Length is required"})
                return None
            return b""
        try:
            length = int(length_text)
            if length < 0:
                raise ValueError(length_text)
        except ValueError:
            self.close_connection = True
            self._send_json(400, {"message": f"bad Content-Length {length_text!r}"})
            return None
        if length > MAX_BODY:
            # The body is not read, so the connection cannot be reused.
            self.close_connection = True
            self._send_json(413, {"message": f"request bodies are at most {MAX_BODY} bytes"})
            return None
        data = self.rfile.read(length) if length else b""
        if len(data) < length:
            # The client closed (or timed out) mid-body: nobody is left to answer.
            self.close_connection = True
            return None
        return data

    def _send_json(self, status: int, document: dict[str, Any]) -> None:
        body = json.dumps(document, separators=(",", ":")).encode()
        self._send(status, body, "application/json", None, b"")

    def _send(
        self,
        status: int,
        body: bytes,
        content_type: str | None,
        request_id: str | None,
        extra: bytes,
    ) -> None:
        # Status line, headers and body in one write: written apart, the body waits on
        # the client's delayed ACK of the headers.
        head = [f"HTTP/1.1 {status} {_REASONS.get(status, '')}\r\n".encode()]
        if request_id is not None:
            head.append(b"x-amzn-RequestId: " + request_id.encode() + b"\r\n")
        if content_type is not None:
            head.append(b"Content-Type: " + content_type.encode() + b"\r\n")
        head.append(b"Content-Length: " + str(len(body)).encode() + b"\r\n")
        head.append(b"Date: " + formatdate(usegmt=True).encode() + b"\r\n")
        if self.close_connection:
            head.append(b"Connection: close\r\n")
        head.append(_CORS)
        head.append(extra)
        head.append(b"\r\n")
        head.append(body)
        try:
            self.wfile.write(b"".join(head))
        except OSError:
            self.close_connection = True
        self.log_request(status, len(body))

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        # Malformed requests (a bad request line, oversized headers, an unknown method):
        # a plain 4xx, written in one piece, and the connection closed.
        self.close_connection = True
        if code == HTTPStatus.NOT_IMPLEMENTED:
            # The standard library's answer to a method it has no handler for.
            code, message = HTTPStatus.METHOD_NOT_ALLOWED, "KMS takes POST requests"
        self._send_json(code, {"message": message or _REASONS.get(code, "")})

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        if log.isEnabledFor(logging.DEBUG):
            log.debug('"%s" %s %s', self.requestline, code, size)

    def log_message(self, format: str, *args: Any) -> None:
        log.info("%s " + format, self.address_string(), *args)


def _call_json(call: Any) -> dict[str, Any]:
    """One call of the journal, with its blobs as base64 text."""
    return {
        "operation": call.operation,
        "region": call.region,
        "account": call.account,
        "principal": call.principal,
        "params": _plain(call.params),
        "response": _plain(call.response),
        "error": None if call.error is None else {"code": call.error[0], "message": call.error[1]},
        "time": call.time,
    }


def _plain(value: Any) -> Any:
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    return value
