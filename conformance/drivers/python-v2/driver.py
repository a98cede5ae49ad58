"""python-v2: the conformance driver for Alibaba Cloud's `alibabacloud-oss-v2` Python SDK.

Speaks the JSON-lines driver protocol of conformance/PROTOCOL.md (versions 1 and 2) on stdin/stdout. Every request
runs on its own thread, so an `interrupt` overtakes the uploads it stops; each answer is one line written with one
write under a lock; no exception ends the process.

How the SDK is driven (read in alibabacloud-oss-v2 1.4.1: _client.py, io_utils.py, uploader.py, checkpoint.py):
- interrupt: the synchronous client has no cancel call (its only bound is a per-call `operation_timeout`). A request's
  `progress_fn` runs as each body chunk is handed to requests (io_utils.TeeIterator); an exception raised there is not
  retryable (retry.error_retryable), so the client stops, urllib3 closes the connection, and the call fails with
  OperationError wrapping it. GetObject has no progress hook (its progress_fn serves the Downloader): a download is
  stopped by no longer reading its streamed body and closing it (StreamBodyReader.close).
- resumableUpload: Uploader.upload_file with enable_checkpoint and checkpoint_dir. The Uploader gives its parts no
  progress_fn and calls the request's progress_fn once per finished part, so an interrupt stops it between parts:
  parts in flight finish, the queued ones are cancelled, the checkpoint stays. The exception leaves upload_file
  unwrapped. On resume it lists the parts of the checkpoint's upload ID and continues after the run of consecutive
  full parts from 1; if that upload is gone (NoSuchUpload) it initiates a new one.
- retries: the client retries 5xx, 401/408/429, RequestTimeTooSkewed/BadRequest, transport and CRC-64 errors when the
  body can be re-read (3 attempts by default); `retries` sets retry_max_attempts = retries + 1.
"""

from __future__ import annotations

import base64
import datetime
import json
import os
import platform
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib.metadata import version
from typing import Any, BinaryIO

import alibabacloud_oss_v2 as oss
from alibabacloud_oss_v2 import exceptions as oss_errors
from alibabacloud_oss_v2.uploader import UploadError

NAME = "python-v2"
SDK = "alibabacloud-oss-v2"
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
    # Not "disable" (the C++ SDK's DisableRequest) nor "cancel" (ali-oss): the SDK has neither mechanism.
]

Args = dict[str, Any]
Result = dict[str, Any]
Progress = Callable[[int], None] | None
READ_CHUNK = 64 * 1024


class InterruptRequested(Exception):
    """Raised from the SDK's progress_fn (or between download chunks) once the suite has interrupted the call."""


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


class Call:
    """One request in flight on a client; `interrupt` flags it, its progress function then raises."""

    def __init__(self) -> None:
        self.interrupted = threading.Event()

    def check(self) -> None:
        if self.interrupted.is_set():
            raise InterruptRequested("interrupted by the driver")

    def progress_fn(self, report: Progress) -> Callable[[int, int, int], None]:
        def progress(_increment: int, written: int, _total: int) -> None:
            self.check()
            if report is not None:
                report(written)

        return progress


class Client:
    """One createClient: an SDK client per signature version (for presigning), shared connections, calls in flight."""

    def __init__(self, a: Args) -> None:
        self._a = a
        self.signature_version = "v4" if a.get("signatureVersion") == "v4" else "v1"
        timeout_ms = a.get("connectTimeoutMs")
        transport: Args = {} if not isinstance(timeout_ms, (int, float)) else {"connect_timeout": timeout_ms / 1000}
        self._http = oss.transport.RequestsHttpClient(**transport)
        self._sdk: dict[str, oss.Client] = {}
        self._lock = threading.Lock()
        self._inflight: set[Call] = set()
        self.sdk = self.sdk_client(self.signature_version)

    def config(self, signature_version: str) -> oss.Config:
        a = self._a
        credentials = oss.credentials.StaticCredentialsProvider(
            text(a, "accessKeyId"), text(a, "accessKeySecret"), a.get("securityToken")
        )
        retries = a.get("retries")
        return oss.Config(
            region=text(a, "region"),
            endpoint=text(a, "endpoint"),
            signature_version=signature_version,
            credentials_provider=credentials,
            retry_max_attempts=retries + 1 if isinstance(retries, int) else None,
            http_client=self._http,
        )

    def sdk_client(self, signature_version: str) -> oss.Client:
        with self._lock:
            if signature_version not in self._sdk:
                self._sdk[signature_version] = oss.Client(self.config(signature_version))
            return self._sdk[signature_version]

    def with_headers(self, headers: dict[str, str] | None) -> oss.Client:
        """A client adding `headers` to every request: the Uploader builds its UploadPart requests without them."""
        if not headers:
            return self.sdk
        return oss.Client(self.config(self.signature_version), default_request_headers=headers)

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
        self._http.close()


# --- operations: each takes the client, the request's args, the call and the progress reporter ---


def put_object(c: Client, a: Args, call: Call, report: Progress) -> Result:
    r = c.sdk.put_object(
        oss.PutObjectRequest(**target(a), body=body(a), progress_fn=call.progress_fn(report), **extra(a))
    )
    return written(r.etag, r.hash_crc64)


def get_object(c: Client, a: Args, call: Call, _report: Progress) -> Result:
    r = c.sdk.get_object(oss.GetObjectRequest(**target(a), **extra(a)))
    chunks = []
    with r.body:
        for chunk in r.body.iter_bytes(block_size=READ_CHUNK):
            call.check()
            chunks.append(chunk)
    data = b"".join(chunks)
    return {**written(r.etag, r.hash_crc64), "body": {"base64": base64.b64encode(data).decode()}}


def head_object(c: Client, a: Args, _call: Call, _report: Progress) -> Result:
    r = c.sdk.head_object(oss.HeadObjectRequest(**target(a)))
    return {**written(r.etag, r.hash_crc64), "size": r.content_length}


def delete_object(c: Client, a: Args, _call: Call, _report: Progress) -> Result:
    c.sdk.delete_object(oss.DeleteObjectRequest(**target(a)))
    return {}


def append_object(c: Client, a: Args, call: Call, report: Progress) -> Result:
    request = oss.AppendObjectRequest(
        **target(a), position=number(a, "position"), body=body(a), progress_fn=call.progress_fn(report), **extra(a)
    )
    r = c.sdk.append_object(request)
    return {"nextPosition": r.next_position, **crc64(r.hash_crc64)}


def initiate_multipart_upload(c: Client, a: Args, _call: Call, _report: Progress) -> Result:
    return {"uploadId": c.sdk.initiate_multipart_upload(oss.InitiateMultipartUploadRequest(**target(a))).upload_id}


def upload_part(c: Client, a: Args, call: Call, report: Progress) -> Result:
    request = oss.UploadPartRequest(
        **target(a),
        upload_id=text(a, "uploadId"),
        part_number=number(a, "partNumber"),
        body=body(a),
        progress_fn=call.progress_fn(report),
        **extra(a),
    )
    r = c.sdk.upload_part(request)
    return written(r.etag, r.hash_crc64)


def list_parts(c: Client, a: Args, _call: Call, _report: Progress) -> Result:
    pages = c.sdk.list_parts_paginator().iter_page(oss.ListPartsRequest(**target(a), upload_id=text(a, "uploadId")))
    parts = [p for page in pages for p in page.parts or []]
    return {"parts": [{"partNumber": p.part_number, "etag": p.etag, "size": p.size} for p in parts]}


def list_multipart_uploads(c: Client, a: Args, _call: Call, _report: Progress) -> Result:
    request = oss.ListMultipartUploadsRequest(bucket=text(a, "bucket"), prefix=a.get("prefix") or None)
    pages = c.sdk.list_multipart_uploads_paginator().iter_page(request)
    return {"uploads": [{"key": u.key, "uploadId": u.upload_id} for page in pages for u in page.uploads or []]}


def complete_multipart_upload(c: Client, a: Args, _call: Call, _report: Progress) -> Result:
    parts = [oss.UploadPart(part_number=number(p, "partNumber"), etag=text(p, "etag")) for p in a.get("parts") or []]
    request = oss.CompleteMultipartUploadRequest(
        **target(a), upload_id=text(a, "uploadId"), complete_multipart_upload=oss.CompleteMultipartUpload(parts=parts)
    )
    r = c.sdk.complete_multipart_upload(request)
    return written(r.etag, r.hash_crc64)


def abort_multipart_upload(c: Client, a: Args, _call: Call, _report: Progress) -> Result:
    c.sdk.abort_multipart_upload(oss.AbortMultipartUploadRequest(**target(a), upload_id=text(a, "uploadId")))
    return {}


def resumable_upload(c: Client, a: Args, call: Call, report: Progress) -> Result:
    uploader = c.with_headers(a.get("headers")).uploader(
        part_size=number(a, "partSize"),
        parallel_num=number(a, "parallel"),
        enable_checkpoint=True,
        # UploadCheckpoint keeps its file in os.path.dirname(checkpoint_dir): without the trailing separator the
        # checkpoint would land beside checkpointDir instead of in it.
        checkpoint_dir=os.path.join(os.path.abspath(text(a, "checkpointDir")), ""),
    )
    request = oss.PutObjectRequest(**target(a), progress_fn=call.progress_fn(report))
    r = uploader.upload_file(request, filepath=text(a, "file"))
    return written(r.etag, r.hash_crc64)


def presign_url(c: Client, a: Args, _call: Call, _report: Progress) -> Result:
    version = "v4" if a.get("signatureVersion") == "v4" else "v1"
    model = oss.PutObjectRequest if a.get("method") == "PUT" else oss.GetObjectRequest
    expires = datetime.timedelta(seconds=number(a, "expiresSeconds"))
    return {"url": c.sdk_client(version).presign(model(**target(a)), expires=expires).url}


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


def target(a: Args) -> Args:
    return {"bucket": text(a, "bucket"), "key": text(a, "key")}


def extra(a: Args) -> Args:
    """Extra request headers (e.g. x-oss-traffic-limit), which every request model accepts as `headers`."""
    headers = a.get("headers")
    return {"headers": dict(headers)} if isinstance(headers, dict) and headers else {}


def body(a: Args) -> bytes:
    b = a.get("body")
    if isinstance(b, dict) and isinstance(b.get("base64"), str):
        return base64.b64decode(b["base64"])
    if isinstance(b, dict) and isinstance(b.get("path"), str):
        with open(b["path"], "rb") as f:
            return f.read()
    raise DriverError("DriverProtocolError", "argument body must be {base64} or {path}")


def crc64(value: str | None) -> Result:
    return {} if value is None else {"crc64": str(value)}


def written(etag: str | None, crc: str | None) -> Result:
    return {"etag": etag or "", **crc64(crc)}


def unwrapped(err: BaseException) -> BaseException:
    """The cause inside the SDK's wrappers: OperationError (every call) and UploadError (the Uploader)."""
    while isinstance(err, (oss_errors.OperationError, UploadError)) and err.unwrap() is not None:
        err = err.unwrap()
    return err


def wire_error(err: BaseException) -> Result:
    """The protocol's error: the OSS <Code> and HTTP status for server errors, the cause's class otherwise."""
    sdk_error = f"{type(err).__name__}: {err}"
    cause = unwrapped(err)
    if isinstance(cause, oss_errors.ServiceError):
        code = cause.code
        if cause.status_code == 404 and code == "BadErrorResponse":
            code = "NoSuchKey"  # a bodiless HEAD 404 without x-oss-err (_client._to_service_error)
        return {
            "code": code,
            "status": cause.status_code,
            "message": cause.message,
            "requestId": cause.request_id,
            "sdkError": sdk_error,
        }
    code = cause.code if isinstance(cause, DriverError) else type(cause).__name__
    return {"code": code, "status": 0, "message": str(cause), "sdkError": sdk_error}


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
            "sdk": {"name": SDK, "version": version(SDK)},
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
    # The SDK does no logging of its own (no logging calls in alibabacloud_oss_v2), so only the driver logs.
    driver = Driver(wire)
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
