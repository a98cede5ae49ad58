"""python-oss2: the conformance driver for Alibaba Cloud's `oss2` Python SDK.

Speaks the JSON-lines driver protocol of conformance/PROTOCOL.md (versions 1 and 2) on stdin/stdout. Every request
runs on its own thread, so an `interrupt` overtakes the uploads it stops; each answer is one line written with one
write under a lock; no exception ends the process.

How oss2 is driven (read in oss2 2.19.1: oss2/utils.py, oss2/resumable.py, oss2/task_queue.py, oss2/iterators.py):
- interrupt: oss2 has no cancel call. Its progress callback runs each time the request body is read for sending
  (utils._BytesAndFileAdapter.read) and while a download is read; an exception raised there propagates unchanged
  through requests/urllib3, which close the connection. So every call gets a progress callback that raises
  InterruptRequested once the suite interrupts it. A call whose body has been sent (waiting for its answer) can no
  longer be interrupted.
- resumableUpload: oss2.resumable_upload with its ResumableStore in checkpointDir. Its progress callback runs only
  when a part starts (resumable._ResumableUploader.__upload_part), so an interrupt stops it between parts: parts in
  flight finish, the others are not started, the record stays. On resume oss2 lists the parts of the recorded upload
  ID; if that upload is gone (NoSuchUpload) it deletes the record and initiates a new upload.
- retries: oss2 retries nothing on single calls (requests' HTTPAdapter default: 0). Only its list iterators retry
  5xx answers (defaults.request_retries = 3 attempts); `retries` sets their attempt count.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import platform
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, BinaryIO

import oss2
from oss2 import exceptions as oss_errors
from oss2.models import PartInfo

NAME = "python-oss2"
PROTOCOL = 2
CAPABILITIES = [
    "multipart",
    "append",
    "resumable",
    "progress",
    "presign",
    "signature-v1",
    "signature-v4",
    "interrupt",
    "interrupt-resumable",
    # Not "disable" (the C++ SDK's DisableRequest) nor "cancel" (ali-oss): oss2 has neither mechanism.
]

Args = dict[str, Any]
Result = dict[str, Any]
Progress = Callable[[int], None] | None
READ_CHUNK = 64 * 1024


class InterruptRequested(Exception):
    """Raised from oss2's progress callback once the suite has interrupted the call."""


class DriverError(Exception):
    """A failure of the driver itself (bad arguments, unknown op), not of the SDK."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


class Wire:
    """The protocol's stdout: one JSON object per line, each written with a single write under a lock."""

    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream
        self._lock = threading.Lock()

    def send(self, message: Result) -> None:
        line = (json.dumps(message, separators=(",", ":")) + "\n").encode()
        with self._lock:
            self._stream.write(line)
            self._stream.flush()

    def log(self, level: str, message: str) -> None:
        self.send({"event": "log", "level": level, "message": message})


class LogForwarder(logging.Handler):
    """The SDK's own logging, sent to the suite as log events instead of being printed."""

    def __init__(self, wire: Wire) -> None:
        super().__init__(logging.INFO)
        self._wire = wire

    def emit(self, record: logging.LogRecord) -> None:
        level = "error" if record.levelno >= logging.ERROR else "warn" if record.levelno >= logging.WARNING else "info"
        self._wire.log(level, f"{record.name}: {record.getMessage()}")


class Call:
    """One request in flight on a client; `interrupt` flags it, its progress callback then raises."""

    def __init__(self) -> None:
        self.interrupted = threading.Event()

    def progress_callback(self, report: Progress) -> Callable[[int, int | None], None]:
        def callback(consumed: int, _total: int | None) -> None:
            if self.interrupted.is_set():
                raise InterruptRequested("interrupted by the driver from oss2's progress callback")
            if report is not None:
                report(consumed)

        return callback


def make_auth(key_id: str, secret: str, token: str | None, version: str) -> Any:
    auth_version = oss2.AUTH_VERSION_4 if version == "v4" else oss2.AUTH_VERSION_1
    if token:
        return oss2.StsAuth(key_id, secret, token, auth_version=auth_version)
    return oss2.AuthV4(key_id, secret) if version == "v4" else oss2.Auth(key_id, secret)


class Client:
    """One createClient: its credentials, one connection pool, and the calls in flight (for `interrupt`)."""

    def __init__(self, a: Args) -> None:
        self.endpoint = text(a, "endpoint")
        self.region = text(a, "region")
        self._credentials = (text(a, "accessKeyId"), text(a, "accessKeySecret"), a.get("securityToken"))
        self.signature_version = "v4" if a.get("signatureVersion") == "v4" else "v1"
        # oss2 uses this one value as requests' connect *and* read timeout (api._Base.timeout).
        timeout_ms = a.get("connectTimeoutMs")
        self._timeout = timeout_ms / 1000 if isinstance(timeout_ms, (int, float)) else None
        retries = a.get("retries")
        # iterators._BaseIterator.max_retries counts attempts, not retries.
        self.list_attempts = retries + 1 if isinstance(retries, int) else None
        self._session = oss2.Session()
        self._lock = threading.Lock()
        self._inflight: set[Call] = set()

    def bucket(self, name: str, signature_version: str | None = None) -> oss2.Bucket:
        auth = make_auth(*self._credentials, signature_version or self.signature_version)
        return oss2.Bucket(
            auth, self.endpoint, name, session=self._session, connect_timeout=self._timeout, region=self.region
        )

    @contextmanager
    def call(self) -> Iterator[Call]:
        c = Call()
        with self._lock:
            self._inflight.add(c)
        try:
            yield c
        finally:
            with self._lock:
                self._inflight.discard(c)

    def interrupt(self) -> None:
        with self._lock:
            for c in self._inflight:
                c.interrupted.set()

    def close(self) -> None:
        self._session.session.close()


# --- operations: each takes the client, the request's args, the call and the progress reporter ---


def put_object(c: Client, a: Args, call: Call, report: Progress) -> Result:
    r = c.bucket(text(a, "bucket")).put_object(
        text(a, "key"), body(a), headers=a.get("headers"), progress_callback=call.progress_callback(report)
    )
    return written(r.etag, r.crc)


def get_object(c: Client, a: Args, call: Call, report: Progress) -> Result:
    bucket = c.bucket(text(a, "bucket"))
    with bucket.get_object(
        text(a, "key"), headers=a.get("headers"), progress_callback=call.progress_callback(report)
    ) as r:
        # Read in chunks: oss2 calls the progress callback once per read, so `interrupt` acts between chunks.
        data = b"".join(iter(lambda: r.read(READ_CHUNK), b""))
        if not any(h.lower() == "range" for h in a.get("headers") or {}):
            # get_object leaves the CRC-64 comparison to the caller; this is the check get_object_to_file makes.
            oss2.utils.check_crc("get", r.client_crc, r.server_crc, r.request_id)
    return {**written(r.etag, r.server_crc), "body": {"base64": base64.b64encode(data).decode()}}


def head_object(c: Client, a: Args, _call: Call, _report: Progress) -> Result:
    r = c.bucket(text(a, "bucket")).head_object(text(a, "key"))
    return {**written(r.etag, r.server_crc), "size": r.content_length}


def delete_object(c: Client, a: Args, _call: Call, _report: Progress) -> Result:
    c.bucket(text(a, "bucket")).delete_object(text(a, "key"))
    return {}


def append_object(c: Client, a: Args, call: Call, report: Progress) -> Result:
    position = number(a, "position")
    r = c.bucket(text(a, "bucket")).append_object(
        text(a, "key"),
        position,
        body(a),
        headers=a.get("headers"),
        progress_callback=call.progress_callback(report),
        # oss2 checks an append's CRC-64 only given the object's CRC so far; at position 0 that is 0.
        init_crc=0 if position == 0 else None,
    )
    return {"nextPosition": r.next_position, **crc64(r.crc)}


def initiate_multipart_upload(c: Client, a: Args, _call: Call, _report: Progress) -> Result:
    return {"uploadId": c.bucket(text(a, "bucket")).init_multipart_upload(text(a, "key")).upload_id}


def upload_part(c: Client, a: Args, call: Call, report: Progress) -> Result:
    r = c.bucket(text(a, "bucket")).upload_part(
        text(a, "key"),
        text(a, "uploadId"),
        number(a, "partNumber"),
        body(a),
        progress_callback=call.progress_callback(report),
        headers=a.get("headers"),
    )
    return written(r.etag, r.crc)


def list_parts(c: Client, a: Args, _call: Call, _report: Progress) -> Result:
    parts = oss2.PartIterator(
        c.bucket(text(a, "bucket")), text(a, "key"), text(a, "uploadId"), max_retries=c.list_attempts
    )
    return {"parts": [{"partNumber": p.part_number, "etag": p.etag, "size": p.size} for p in parts]}


def list_multipart_uploads(c: Client, a: Args, _call: Call, _report: Progress) -> Result:
    uploads = oss2.MultipartUploadIterator(
        c.bucket(text(a, "bucket")), prefix=a.get("prefix") or "", max_retries=c.list_attempts
    )
    return {"uploads": [{"key": u.key, "uploadId": u.upload_id} for u in uploads]}


def complete_multipart_upload(c: Client, a: Args, _call: Call, _report: Progress) -> Result:
    parts = [PartInfo(number(p, "partNumber"), text(p, "etag")) for p in a.get("parts") or []]
    r = c.bucket(text(a, "bucket")).complete_multipart_upload(text(a, "key"), text(a, "uploadId"), parts)
    return written(r.etag, r.crc)


def abort_multipart_upload(c: Client, a: Args, _call: Call, _report: Progress) -> Result:
    c.bucket(text(a, "bucket")).abort_multipart_upload(text(a, "key"), text(a, "uploadId"))
    return {}


def resumable_upload(c: Client, a: Args, call: Call, report: Progress) -> Result:
    checkpoint_dir = os.path.abspath(text(a, "checkpointDir"))
    part_size = number(a, "partSize")
    # ResumableStore keeps its records in root/dir; naming checkpointDir itself (instead of the default
    # root/.py-oss-upload) leaves the directory empty once the upload completes.
    store = oss2.ResumableStore(root=os.path.dirname(checkpoint_dir), dir=os.path.basename(checkpoint_dir))
    r = oss2.resumable_upload(
        c.bucket(text(a, "bucket")),
        text(a, "key"),
        text(a, "file"),
        store=store,
        headers=a.get("headers"),
        # A file smaller than one part goes up as one PutObject, as oss2 does below its threshold.
        multipart_threshold=part_size,
        part_size=part_size,
        num_threads=number(a, "parallel"),
        progress_callback=call.progress_callback(report),
    )
    return written(r.etag, r.crc)


def presign_url(c: Client, a: Args, _call: Call, _report: Progress) -> Result:
    version = "v4" if a.get("signatureVersion") == "v4" else "v1"
    method = "PUT" if a.get("method") == "PUT" else "GET"
    url = c.bucket(text(a, "bucket"), version).sign_url(method, text(a, "key"), number(a, "expiresSeconds"))
    return {"url": url}


OPERATIONS: dict[str, Callable[[Client, Args, Call, Progress], Result]] = {
    "putObject": put_object,
    "getObject": get_object,
    "headObject": head_object,
    "deleteObject": delete_object,
    "appendObject": append_object,
    "initiateMultipartUpload": initiate_multipart_upload,
    "uploadPart": upload_part,
    "listParts": list_parts,
    "listMultipartUploads": list_multipart_uploads,
    "completeMultipartUpload": complete_multipart_upload,
    "abortMultipartUpload": abort_multipart_upload,
    "resumableUpload": resumable_upload,
    "presignUrl": presign_url,
}


# --- argument and result helpers ---


def text(a: Args, field: str) -> str:
    v = a.get(field)
    if not isinstance(v, str):
        raise DriverError("DriverProtocolError", f"argument {field} must be a string")
    return v


def number(a: Args, field: str) -> int:
    v = a.get(field)
    if not isinstance(v, int) or isinstance(v, bool):
        raise DriverError("DriverProtocolError", f"argument {field} must be an integer")
    return v


def body(a: Args) -> bytes:
    b = a.get("body")
    if isinstance(b, dict) and isinstance(b.get("base64"), str):
        return base64.b64decode(b["base64"])
    if isinstance(b, dict) and isinstance(b.get("path"), str):
        with open(b["path"], "rb") as f:
            return f.read()
    raise DriverError("DriverProtocolError", "argument body must be {base64} or {path}")


def crc64(value: int | None) -> Result:
    return {} if value is None else {"crc64": str(value)}


def written(etag: str, crc: int | None) -> Result:
    return {"etag": etag, **crc64(crc)}


def wire_error(err: BaseException) -> Result:
    """The protocol's error: the OSS <Code> and HTTP status for server errors, the exception class otherwise."""
    sdk_error = f"{type(err).__name__}: {err}"
    if isinstance(err, oss_errors.ServerError):
        # A bodiless HEAD error without x-oss-err carries no code (exceptions.make_exception).
        code = err.code or ("NoSuchKey" if err.status == 404 else f"ServerError:{err.status}")
        message = err.message or sdk_error
        return {
            "code": code,
            "status": err.status,
            "message": message,
            "requestId": err.request_id,
            "sdkError": sdk_error,
        }
    if isinstance(err, DriverError):
        return {"code": err.code, "status": 0, "message": str(err), "sdkError": sdk_error}
    error: Result = {"code": type(err).__name__, "status": 0, "message": str(err), "sdkError": sdk_error}
    if isinstance(err, oss_errors.RequestError):
        # oss2 wraps requests' exceptions (http.Session.do_request); name the transport failure.
        error["message"] = f"{type(err.exception).__name__}: {err.exception}"
    if isinstance(err, oss_errors.OssError) and err.request_id:
        error["requestId"] = err.request_id
    return error


# --- the protocol loop ---


class Driver:
    def __init__(self, wire: Wire) -> None:
        self._wire = wire
        self._clients: dict[str, Client] = {}
        self._next_client = 1
        self._lock = threading.Lock()

    def hello(self, a: Args) -> Result:
        asked = a.get("protocol")
        return {
            "name": NAME,
            "protocol": asked if asked in (1, 2) else PROTOCOL,
            "sdk": {"name": "oss2", "version": oss2.__version__},
            "language": f"python {platform.python_version()}",
            "capabilities": CAPABILITIES,
        }

    def create_client(self, a: Args) -> Result:
        client = Client(a)
        with self._lock:
            client_id = str(self._next_client)
            self._next_client += 1
            self._clients[client_id] = client
        return {"client": client_id}

    def client(self, a: Args) -> Client:
        with self._lock:
            client = self._clients.get(str(a.get("client")))
        if client is None:
            raise DriverError("DriverProtocolError", f"unknown client {a.get('client')}")
        return client

    def close_client(self, a: Args) -> Result:
        client = self.client(a)
        with self._lock:
            self._clients.pop(str(a.get("client")), None)
        client.close()
        return {}

    def close_all(self) -> None:
        with self._lock:
            clients, self._clients = list(self._clients.values()), {}
        for client in clients:
            client.close()

    def handle(self, request_id: Any, op: Any, a: Args) -> None:
        """Runs one request and answers it; nothing it raises escapes."""
        interrupted = False
        try:
            if op == "hello":
                result = self.hello(a)
            elif op == "createClient":
                result = self.create_client(a)
            elif op == "closeClient":
                result = self.close_client(a)
            elif op == "interrupt":
                self.client(a).interrupt()
                result = {}
            elif op in OPERATIONS:
                client = self.client(a)
                report = self._progress(request_id) if a.get("progress") is True else None
                with client.call() as call:
                    try:
                        result = OPERATIONS[op](client, a, call, report)
                    finally:
                        interrupted = call.interrupted.is_set()
            else:
                raise DriverError("NotSupported", f"{NAME} cannot express {op}")
        except Exception as err:  # every failure becomes an answer
            error = wire_error(err)
            if interrupted:
                error["interrupted"] = True
            self._wire.send({"id": request_id, "ok": False, "error": error})
        else:
            self._wire.send({"id": request_id, "ok": True, "result": result})

    def _progress(self, request_id: Any) -> Callable[[int], None]:
        return lambda sent: self._wire.send({"event": "progress", "id": request_id, "bytes": sent})


def protocol_stdout() -> BinaryIO:
    """Keeps fd 1 for the protocol alone: anything else printed to stdout goes to stderr."""
    stream = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    return stream


def serve(stdin: BinaryIO, wire: Wire) -> None:
    driver = Driver(wire)
    logging.getLogger("oss2").addHandler(LogForwarder(wire))
    logging.getLogger("oss2").setLevel(logging.INFO)
    running: list[threading.Thread] = []
    for raw in stdin:
        try:
            message = json.loads(raw)
        except ValueError:
            wire.log("warn", f"ignored a line that is not JSON: {raw[:200]!r}")
            continue
        if not isinstance(message, dict) or "op" not in message:
            wire.log("warn", f"ignored a line that is not a request: {raw[:200]!r}")
            continue
        args = message.get("args") if isinstance(message.get("args"), dict) else {}
        if message["op"] == "shutdown":
            driver.close_all()
            wire.send({"id": message.get("id"), "ok": True, "result": {}})
            return
        thread = threading.Thread(target=driver.handle, args=(message.get("id"), message["op"], args), daemon=True)
        thread.start()
        running = [t for t in running if t.is_alive()] + [thread]
    # End of input without shutdown: answer what is still running, then stop.
    for thread in running:
        thread.join()
    driver.close_all()


def main() -> None:
    wire = Wire(protocol_stdout())
    serve(sys.stdin.buffer, wire)
    # Calls still running (the suite stopped waiting for them) must not keep the process alive.
    os._exit(0)


if __name__ == "__main__":
    main()
